"""The `carepath` command line."""
