"""Makes `runtime.tests` a package name of its own, so test modules of different services never clash."""
