"""Numbers as people read them: a fixed number of significant digits, a true minus sign."""

from __future__ import annotations

import math

MIN_DIGITS, MAX_DIGITS = 2, 8


def format_number(value: float, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits: 0.00825, −5, 1.2e7; "NaN", "∞", "−∞"."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    text = f"{value + 0.0:.{digits}g}"  # + 0.0 turns −0 into 0
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")
