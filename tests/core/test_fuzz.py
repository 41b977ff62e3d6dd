"""Fuzzing the readers with hostile input: special files, huge declared sizes, deep nesting, lone
surrogates, seeds at every boundary, mutated documents. Whatever the input, reading ends in a
Session or in one SessionError — never another exception, a hang or a huge allocation.

This quick run is part of the default tests; ``tests/benchmarks/test_fuzz_slow.py`` runs the same
generators many more times, and the CLI's options at their limits through real processes."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from typing import Any

import pytest

from backprop_gui.core.network import MAX_SEED
from backprop_gui.core.session_format import SessionError, dumps, load_session, loads
from tests.core.test_session import document

HUGE = [0, 1, 2**31 - 1, 2**31, 2**53 + 1, 2**63, 2**64, 10**20, 10**400, -1, -(2**63)]
SEEDS_VALID = [0, 1, 2**31, 2**63, MAX_SEED - 1, MAX_SEED]
SEEDS_INVALID = [-1, MAX_SEED + 1, 2**65, 1.5, "0", None, True]
SPECIAL_DEVICES = [path for path in ("/dev/zero", "/dev/urandom", "/dev/null") if os.path.exists(path)]


def read(text: str) -> None:
    """Read ``text``; only a SessionError may come out, and a session read saves and reads back."""
    try:
        session = loads(text)
    except SessionError as error:
        assert error.message and "Traceback" not in error.message
        return
    assert dumps(loads(dumps(session))) == dumps(session)


def _paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _set(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def mutations(rng: random.Random, count: int) -> Iterator[str]:
    """``count`` hostile variants of a valid document: one field replaced by something hostile."""
    base = document()
    base["data"]["input_labels"] = ["x1", "x2"]
    base["position"] = {"sample": 1, "phase": "Forward 1"}
    base["view"] = {"precision": 4, "selection": {"layer": 1, "j": 1}}
    paths = list(_paths(base))
    deep = "[" * 50_000 + "]" * 50_000
    hostile = [
        *HUGE,
        *SEEDS_INVALID,
        "bad \ud800 name",
        "<img src=x>",
        "",
        [],
        {},
        [[]],
        {"shape": [10**20, 0], "float64_base64": ""},
        {"shape": [2**40, 2**40], "float64_base64": "AAAA"},
        {"shape": [], "float64_base64": ""},
        {"shape": [3, 2], "float64_base64": "@@@@"},
        float("nan"),
        float("inf"),
        -0.0,
        1e308,
    ]
    for _ in range(count):
        doc = json.loads(json.dumps(base))
        path = rng.choice(paths)
        if rng.random() < 0.05:
            text = json.dumps(_set(doc, path, "§DEEP§")).replace('"§DEEP§"', deep)
        else:
            text = json.dumps(_set(doc, path, rng.choice(hostile)))
        if rng.random() < 0.1:  # a key twice
            text = text.replace('"name": ', '"name": "dup", "name": ', 1)
        yield text


def test_mutated_documents_end_in_a_session_or_one_session_error():
    for text in mutations(random.Random(12), 300):
        read(text)


@pytest.mark.parametrize("seed", SEEDS_VALID)
@pytest.mark.parametrize("where", ["training", "generator"])
def test_valid_seeds_at_the_boundaries_read_and_write_back(seed, where):
    doc = document()
    if where == "training":
        doc["training"]["seed"] = seed
    else:
        doc["data"] = {"generator": {"name": "moons", "samples": 10, "seed": seed}}
        doc["network"]["layers"][-1]["size"] = 1
        doc["network"]["layers"][-1]["weights"] = [[1, 2, 3]]
        doc["network"]["layers"][-1]["biases"] = [0.5]
    session = loads(json.dumps(doc))
    again = loads(dumps(session))
    assert again.training.seed == session.training.seed and again.data.generator == session.data.generator


@pytest.mark.parametrize("seed", SEEDS_INVALID)
def test_invalid_seeds_are_refused_naming_the_field(seed):
    doc = document()
    doc["training"]["seed"] = seed
    with pytest.raises(SessionError, match="training.seed"):
        loads(json.dumps(doc))


@pytest.mark.parametrize("size", HUGE)
def test_huge_declared_sizes_are_refused_before_allocating(size):
    doc = document()
    doc["network"]["layers"][0]["size"] = size
    doc["network"]["layers"][0].pop("weights")
    doc["network"]["layers"][0].pop("biases")
    doc["network"]["layers"][1].pop("weights")
    if 1 <= size <= 1000:
        loads(json.dumps(doc))
    else:
        with pytest.raises(SessionError, match=r"network\.layers\[0\]"):
            loads(json.dumps(doc))


@pytest.mark.parametrize("device", SPECIAL_DEVICES)
def test_devices_are_refused_at_once(device):
    with pytest.raises(SessionError, match="not a regular file"):
        load_session(device)


def test_a_fifo_with_no_writer_is_refused_at_once(tmp_path):
    path = tmp_path / "fifo.json"
    os.mkfifo(path)
    with pytest.raises(SessionError, match="not a regular file"):
        load_session(path)
