"""dezhou-analysis: checks Dezhou's 2018–2022 growth-driver plan against its numbers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dezhou-analysis")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

__all__ = ["__version__", "assess_series"]


def __getattr__(name: str):
    """`dezhou_analysis.assess_series` is imported on first use, so importing the package
    stays cheap (no numpy, pandas or statsmodels until a forecast is asked for)."""
    if name == "assess_series":
        from dezhou_analysis.assess.single import assess_series
        return assess_series
    raise AttributeError(f"module 'dezhou_analysis' has no attribute {name!r}")
