"""dezhou-analysis: checks Dezhou's 2018–2022 growth-driver plan against its numbers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dezhou-analysis")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
