"""Numbers as people read them."""

from __future__ import annotations

import pytest

from backprop_gui.core.formatting import MAX_LABEL_CHARS, counted, format_number, short_label


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (0.0082512, 3, "0.00825"),
        (-5.0, 4, "−5"),
        (12_345_678.0, 2, "1.2e7"),
        (1.5e-5, 4, "1.5e−5"),
        (-2.5e300, 4, "−2.5e300"),
        (1 / 3, 4, "0.3333"),
        (1 / 3, 8, "0.33333333"),
        (-0.0, 4, "0"),
        (0.0, 4, "0"),
        (float("nan"), 4, "NaN"),
        (float("inf"), 4, "∞"),
        (float("-inf"), 4, "−∞"),
    ],
)
def test_format_number(value: float, digits: int, text: str) -> None:
    assert format_number(value, digits) == text


def test_default_is_four_significant_digits() -> None:
    assert format_number(-0.13872843) == "−0.1387"
    assert "-" not in format_number(-1e-12)  # a true minus sign, also in the exponent


def test_a_long_label_is_cut_in_the_middle_to_the_most_characters():
    name = "the distance from the sepal's base to its tip in centimetres"
    assert short_label(name) == "the distance…centimetres" and len(short_label(name)) == MAX_LABEL_CHARS
    assert short_label("petal length (cm)") == "petal length (cm)"  # short enough: whole
    assert short_label("x" * 25, 9) == "xxxx…xxxx"


def test_counts_read_in_the_singular_for_one():
    assert counted(1, "output") == "1 output" and counted(0, "step") == "0 steps"
    assert counted(2000, "sample") == "2,000 samples" and counted(1, "more value") == "1 more value"
