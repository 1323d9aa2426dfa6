"""The assessment's settings, with their defaults in one place.

Every entry point (the command line, the notebook runner, each report's `setup`, the notebooks'
parameter cells) reads these defaults from here; a test checks that the notebooks' literal
defaults equal them. Notebook parameters use 0 for "no as-of year" because papermill parameters
must be plain literals; `AssessmentSettings.from_params` turns that 0 into None, the one place
that rule lives.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

#: the seed of the simulated paths: the plan's date (2018-06-08), so a run is reproducible
DEFAULT_SEED = 20180608


@dataclass(frozen=True)
class AssessmentSettings:
    """What decides an assessment besides its data.

    as_of:     last year of data used (None: all years); later values only score the call.
    seed:      seed of the random generator behind every simulated path.
    n_paths:   simulated paths per target; P(reached) has a standard error of about
               0.5 / sqrt(n_paths).
    tolerance: relative band around an approximate (`左右`) target that counts as reached.
    """

    as_of: int | None = None
    seed: int = DEFAULT_SEED
    n_paths: int = 4000
    tolerance: float = 0.05

    @classmethod
    def from_params(cls, **params) -> AssessmentSettings:
        """Settings from notebook or command-line parameters; other keys are ignored, and an
        `as_of` of 0 or None means all data."""
        names = {f.name for f in fields(cls)}
        chosen = {k: v for k, v in params.items() if k in names and v is not None}
        if not chosen.get("as_of"):
            chosen["as_of"] = None
        return cls(**chosen)

    def replace(self, **changes) -> AssessmentSettings:
        return replace(self, **changes)

    def as_params(self) -> dict:
        """The notebook-parameter form (as_of 0 for all data)."""
        params = asdict(self)
        params["as_of"] = params["as_of"] or 0
        return params
