"""The last step of a target's assessment: its status, the reason, and the score of an earlier
call once the realised value is known (Brier score of P(reached), and whether each monitor's
category called it)."""

from __future__ import annotations

from dezhou_analysis.assess import monitors as progress
from dezhou_analysis.assess.parts import Evaluation, Status


def decide(evaluation: Evaluation, target_text: str, as_of: int | None) -> Status:
    """Met/missed once the target year is in the data, else P(reached), else the Eurostat
    category, else unable to assess with the reason."""
    ev, realised = evaluation, evaluation.realised
    p = ev.forecast.p_reached
    eurostat = ev.categories.get("eurostat")
    if realised.verdict and realised.realised_year and (as_of is None or as_of >= realised.realised_year):
        status = Status(realised.verdict, f"{realised.realised_year} value {realised.realised_value:.4g} "
                                          f"against the target {target_text}")
    elif ev.unable is not None:
        status = Status("unable to assess", ev.unable)
    elif p is not None:
        status = Status("on track" if p >= 2 / 3 else "uncertain" if p >= 1 / 3 else "off track",
                        f"P(reached) = {p:.2f} from {ev.forecast.models}")
    elif eurostat is not None and eurostat.category and eurostat.category != progress.UNABLE:
        cat = eurostat.category
        status = Status("on track" if cat in progress.ON_TRACK["eurostat"] else
                        ("uncertain" if cat == "moderate progress" else "off track"),
                        f"Eurostat category: {cat}; {too_few(ev)}")
    else:
        status = Status("unable to assess", too_few(ev))
    score_call(status, ev, as_of)
    return status


def score_call(status: Status, ev: Evaluation, as_of: int | None) -> None:
    """When the realised value lies beyond as_of, score the call made as of then."""
    realised = ev.realised
    if realised.verdict not in ("met", "missed", "met at base") or as_of is None \
            or not realised.realised_year or realised.realised_year <= as_of:
        return
    outcome = 1.0 if realised.verdict != "missed" else 0.0
    if ev.forecast.p_reached is not None:
        status.brier = (ev.forecast.p_reached - outcome) ** 2
    for method in progress.METHODS:
        cat = ev.categories.get(method)
        if cat is not None and cat.category and cat.category != progress.UNABLE:
            status.called[method] = (cat.category in progress.ON_TRACK[method]) == bool(outcome)


def too_few(ev: Evaluation) -> str:
    facts = ev.facts
    n = facts.n_points or 0
    if not n:
        return "no data"
    years = f"{facts.first_year}" if n == 1 or facts.first_year == facts.latest_year else \
        f"{facts.first_year}–{facts.latest_year}"
    return (f"{int(n)} value(s) ({years}): no forecast, the models need at least 3 values "
            "on one statistical basis")
