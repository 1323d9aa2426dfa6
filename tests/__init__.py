"""The test suite (a package, so that a `tests` package some wheel installs cannot shadow it)."""
