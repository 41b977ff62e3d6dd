"""Counting a JSON text's values before parsing it: the field where a limit is passed is named,
strings (with their commas, brackets and escaped quotes) are skipped, and a malformed text is
left for the parser to describe."""

from __future__ import annotations

import json

import pytest

from backprop_gui.core.json_scan import JsonTooLarge, check_json_size


def refusal(document, values: int = 10, containers: int = 10) -> str | None:
    text = document if isinstance(document, str) else json.dumps(document)
    try:
        check_json_size(text, values, containers)
    except JsonTooLarge as error:
        return str(error)
    return None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"history": {"step_losses": list(range(11))}}, "history.step_losses: more than 10 numbers"),
        ({"data": {"inputs": [[1.5, 2.5]] * 6}}, "data.inputs: more than 10 numbers and other values"),
        ({"network": {"layers": [{"weights": [[1]]}, {"weights": [list(range(10))]}]}}, "network.layers[1].weights: "),
        ({"x": [1, [2, 3], 4, 5, 6, 7, 8, 9, 10, 11, 12]}, "x: more than 10 numbers and other values"),
        ({"x": [{"k": [1, 2]}, {"k": list(range(9))}]}, "x[1].k: "),
        ({"data": {"inputs": [[] for _ in range(11)]}}, "data.inputs: more than 10 lists and objects"),
        ({"quiz": [{} for _ in range(11)]}, "quiz: more than 10 lists and objects"),
        ([0] * 11, "the file: more than 10 numbers and other values"),
    ],
)
def test_a_text_over_a_limit_is_refused_naming_the_field(document, message):
    assert refusal(document).startswith(message)


@pytest.mark.parametrize(
    "document",
    [
        {"x": list(range(10))},
        {"x": [[1, 2, 3], [4, 5, 6], [7, 8, 9]]},
        {"note": 'commas, [brackets], {braces} and an escaped quote \\" ,,,,,,,,,,', "x": [1, 2]},
        {'a"b\\': [1], "c": "[[[[[[[[[[[["},  # a key with a quote and a trailing backslash
        '{"x": [1, 2, 3,',  # malformed: the parser says what is wrong
        '{"x": ]]]]]]]]]]]]]]',
    ],
)
def test_a_text_within_the_limits_or_malformed_passes(document):
    assert refusal(document) is None


def test_a_huge_flat_list_is_counted_in_one_step():
    text = '{"history": {"step_losses": [' + ", ".join(["0.5"] * 200_000) + "]}}"
    with pytest.raises(JsonTooLarge, match=r"^history\.step_losses: more than 100,000 numbers"):
        check_json_size(text, 100_000, 100_000)
    check_json_size(text, 200_000, 100_000)
