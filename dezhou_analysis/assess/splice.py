"""Linking a series across a statistical break where an overlap year gives both bases.

A census revision restates a series from some year on; where a source also gives that year (or
a later one) on the old basis, the two values of the same year measure the revision, and the
old values times their ratio are the old years on the new basis (the overlap-ratio link,
Eurostat's "retropolation by the overlap method"). The spliced series is one basis long, so
growth rates, categories and fits may use all of it; without an overlap year the values before
the break are left out, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Spliced:
    """The series on the latest basis, as far back as overlap years link it.

    years, values: the linked part (every value on the latest basis)
    factors:       year → the factor its observed value was multiplied by (1 on the latest basis)
    notes:         what was done at each break, in the assessment's words
    """

    years: np.ndarray
    values: np.ndarray
    factors: dict[int, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def links(self) -> int:
        """How many breaks were linked."""
        return sum(note.startswith("spliced") for note in self.notes)

    def factor_for(self, year: int) -> float | None:
        """The factor that puts a value of `year` on the latest basis; None before the linked
        part (that year's basis is not linked)."""
        if not len(self.years) or year < int(self.years[0]):
            return None
        earlier = [y for y in self.factors if y <= year]
        return self.factors[max(earlier)] if earlier else 1.0


def basis_runs(bases: list[str]) -> list[tuple[int, int]]:
    """(start, stop) index ranges of consecutive values on the same basis."""
    runs, start = [], 0
    for i in range(1, len(bases) + 1):
        if i == len(bases) or bases[i] != bases[start]:
            runs.append((start, i))
            start = i
    return runs


def _label(basis: str) -> str:
    return basis or "unlabelled"


def overlap_ratio(rows: pd.DataFrame, old: str, new: str, near: int) -> tuple[int, float] | None:
    """The year nearest `near` (the break) whose rows give a positive value on both bases, and
    the ratio new ÷ old there; None if no year does."""
    basis = rows["basis"].fillna("").astype(str)
    years = rows["year"].to_numpy(dtype=float, na_value=np.nan)
    values = rows["value"].to_numpy(dtype=float)
    old_at = {int(y): v for y, v, b in zip(years, values, basis, strict=True)
              if b == old and np.isfinite(y) and v > 0}
    new_at = {int(y): v for y, v, b in zip(years, values, basis, strict=True)
              if b == new and np.isfinite(y) and v > 0}
    common = old_at.keys() & new_at.keys()
    if not common:
        return None
    year = min(common, key=lambda y: (abs(y - near), -y))
    return year, new_at[year] / old_at[year]


def splice(years: np.ndarray, values: np.ndarray, bases: list[str], rows: pd.DataFrame) -> Spliced:
    """Link the one-value-a-year series (`years`, `values`, `bases` in time order) back across
    each break whose overlap year `rows` (every observation of the series, all bases) give.
    Walks back from the latest basis and stops at the first break without an overlap year."""
    years = np.asarray(years, dtype=int)
    values = np.asarray(values, dtype=float)
    runs = basis_runs(list(bases))
    start, stop = runs[-1]
    out = Spliced(years[start:stop], values[start:stop], {int(years[start]): 1.0})
    factor = 1.0
    for (old_start, old_stop), (new_start, _) in zip(runs[-2::-1], runs[:0:-1], strict=True):
        old, new = bases[old_start], bases[new_start]
        found = overlap_ratio(rows, old, new, near=int(years[new_start]))
        if found is None:
            out.notes.append(f"no overlap year gives both the {_label(old)} and the {_label(new)} "
                             f"value: the values before {int(years[new_start])} are left out")
            break
        year, ratio = found
        factor *= ratio
        out.years = np.concatenate([years[old_start:old_stop], out.years])
        out.values = np.concatenate([values[old_start:old_stop] * factor, out.values])
        out.factors[int(years[old_start])] = factor
        out.notes.append(f"spliced at {year} by the overlap ratio {ratio:.3g} "
                         f"({_label(old)} → {_label(new)}): {int(years[old_start])}–"
                         f"{int(years[old_stop - 1])} linked to the latest basis")
    return out
