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


def percent(share: float) -> str:
    """A share in [0, 1] as a percentage with one decimal: "92.5 %"."""
    return f"{100 * share:.1f} %"


def counted(n: int, noun: str) -> str:
    """``n`` of ``noun``, plural unless one: "1 input", "2,000 samples"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def subscript(n: int) -> str:
    """``n`` in Unicode subscript digits: 12 → ₁₂."""
    return str(n).translate(_SUBSCRIPTS)


INPUT_NAMES = ("x", "a0", "input", "in")  # what a data label repeating x_k may read
TARGET_NAMES = ("t", "y", "target", "output", "out")  # ... or one repeating t_j


MAX_LABEL_CHARS = 24  # a data set's name for a column, shown beside x_k or t_j, is cut to this


def short_label(label: str, most: int = MAX_LABEL_CHARS) -> str:
    """``label`` cut in the middle to at most ``most`` characters: "the distance…centimetres"."""
    if len(label) <= most:
        return label
    head, tail = most // 2, most - 1 - most // 2  # and "…" between them
    return f"{label[:head].rstrip()}…{label[len(label) - tail :].lstrip()}"


def repeats_course_name(label: str, symbols: tuple[str, ...], index: int) -> bool:
    """Whether a data label only repeats the course name (``x``, ``x_1``, ``t1``, ``x_{1}``…) of neuron
    ``index`` (1-based), so that showing it beside that name adds nothing."""
    plain = "".join(c for c in label.lower() if c not in " _{}^")
    return not plain or any(plain in (s, f"{s}{index}") for s in symbols)


def data_label(labels: list[str], i: int, symbols: tuple[str, ...], whole: bool = False) -> str:
    """The data set's name for its column ``i`` (of ``labels``), cut short unless ``whole``; "" when it
    has none or only repeats the course name (``symbols``: INPUT_NAMES or TARGET_NAMES)."""
    label = labels[i] if i < len(labels) else ""
    if repeats_course_name(label, symbols, i + 1):
        return ""
    return label if whole else short_label(label)
