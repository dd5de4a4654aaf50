"""Gives `console.tests` a package name of its own, so tests of services never clash."""
