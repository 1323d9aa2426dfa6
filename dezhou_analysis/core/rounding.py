"""Precision as the statistics were written: a derived value is rounded like its inputs, and two
figures agree when they are equal at the coarser of their precisions."""

from __future__ import annotations


def decimals(value: float) -> int:
    """Decimal places as written (3140.2 → 1, 6 → 0): the precision a statement carries."""
    text = f"{value:.10g}"
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def round_like(value: float, *inputs: float) -> float:
    """Round a computed value to the finest precision of the values it came from."""
    return round(value, max(decimals(x) for x in inputs))


def agree(a: float, b: float) -> bool:
    """Equal once both are rounded to the coarser of their two precisions (5.97 and 6 agree)."""
    places = min(decimals(a), decimals(b))
    return abs(a - b) <= 0.5 * 10 ** (-places) + 1e-9
