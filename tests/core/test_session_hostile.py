"""Hostile session files: zero-size and oversized compact arrays, too many listed numbers,
duplicate keys, lone surrogates, deep nesting, special files. Each ends in one SessionError
naming the field or the file, or (lone surrogates) reads and writes back unchanged."""

from __future__ import annotations

import base64
import json
import os
import tracemalloc

import numpy as np
import pytest

from backprop_gui.core import session_format
from backprop_gui.core.presets import load_example
from backprop_gui.core.session_format import SessionError, dumps, load_session, loads, save_session
from tests.core.test_session import document


def error_of(doc: dict | str) -> str:
    with pytest.raises(SessionError) as caught:
        loads(doc if isinstance(doc, str) else json.dumps(doc))
    return caught.value.message


@pytest.mark.parametrize(
    ("field", "shape", "message"),
    [
        ("inputs", [10**20, 0], "data.inputs.shape[0]: must be in 0..50,000,000, got 100,000,000,000,000,000,000"),
        ("inputs", [0, 2], "data.inputs: no samples"),
        ("inputs", [3, 0], "data.inputs: expected N×2, got 3×0"),
        ("inputs", [5_000_000, 20], "data.inputs: expected N×2, got 5000000×20"),
        ("inputs", [40_000_000, 2], "data.inputs: 80,000,000 numbers is more than the 50,000,000 allowed here"),
        ("targets", [2, 10**9], "data.targets.shape[1]: must be in 0..50,331,648, got 1,000,000,000"),
        ("targets", [3, 2], "data.targets: expected 2×2, got 3×2"),
    ],
)
def test_compact_shapes_are_checked_before_decoding(field, shape, message):
    doc = document()
    doc["data"][field] = {"shape": shape, "float64_base64": ""}
    assert message in error_of(doc)


def test_zero_size_compact_weights_name_the_field():
    doc = document()
    doc["network"]["layers"][0]["weights"] = {"shape": [10**20, 0], "float64_base64": ""}
    assert error_of(doc).startswith("network.layers[0].weights.shape[0]: must be in")


def test_compact_weights_of_the_right_shape_still_read():
    doc = document()
    weights = np.arange(6.0).reshape(3, 2)
    doc["network"]["layers"][0]["weights"] = {
        "shape": [3, 2],
        "float64_base64": base64.b64encode(weights.astype("<f8").tobytes()).decode(),
    }
    np.testing.assert_array_equal(loads(json.dumps(doc)).network.layers[0].weights, weights)


def test_too_many_listed_numbers_are_refused_before_parsing_naming_the_field(monkeypatch):
    monkeypatch.setattr(session_format, "MAX_LISTED_NUMBERS", 100)
    doc = document()
    doc["data"]["inputs"] = [[0, 1]] * 60
    doc["data"]["targets"] = [[1, 0]] * 60
    assert error_of(doc).startswith("data.inputs: more than 100 numbers and other values written as lists")


def test_the_writer_keeps_within_the_listed_numbers_limit(monkeypatch):
    monkeypatch.setattr(session_format, "MAX_LISTED_NUMBERS", 200)
    session = load_example("blobs_softmax")
    session.data.generator = None  # its 150 samples written out
    text = dumps(session)
    assert "float64_base64" in text  # arrays beyond half the budget went compact
    assert loads(text).network.layers[0].weights.tolist() == session.network.layers[0].weights.tolist()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"format": "backprop-gui-session", "format": "backprop-gui-session"}', '"format"'),
        (json.dumps(document()).replace('"size": 3,', '"size": 3, "size": 4,'), '"size"'),
    ],
)
def test_duplicate_keys_are_refused_naming_the_key(text, key):
    assert error_of(text) == f"the key {key} appears twice in one object; each field may be given once"


def test_a_lone_surrogate_reads_saves_and_reads_back_unchanged(tmp_path):
    doc = document()
    doc["name"] = "bad \ud800 name"
    doc["note"] = "δ and \udcff"
    doc["data"]["input_labels"] = ["x\ud800", "δ"]
    session = loads(json.dumps(doc))
    path = tmp_path / "s.json"
    save_session(session, path)
    again = load_session(path)
    assert (again.name, again.note, again.data.input_labels) == (session.name, session.note, ["x\ud800", "δ"])
    path.read_bytes().decode("utf-8")  # valid UTF-8 on disk: the surrogate is written as an escape


def test_a_file_name_in_another_encoding_becomes_a_name_that_saves(tmp_path):
    path = tmp_path / os.fsdecode(b"caf\xe9.json")  # Latin-1 bytes: the stem holds a lone surrogate
    doc = document()
    del doc["name"]
    path.write_text(json.dumps(doc))
    session = load_session(path)
    save_session(session, path)
    assert load_session(path).name == session.name


@pytest.mark.parametrize("where", ["top", "quiz", "name"])
def test_deep_nesting_is_one_error(where):
    deep = "[" * 100_000 + "]" * 100_000
    text = deep if where == "top" else json.dumps(document())[:-1] + f', "{where}": {deep}' + "}"
    assert "nested too deeply" in error_of(text)


@pytest.mark.parametrize("special", ["fifo", "folder"])
def test_special_files_are_refused_naming_the_file(tmp_path, special):
    path = tmp_path / "special.json"
    os.mkfifo(path) if special == "fifo" else path.mkdir()
    with pytest.raises(SessionError) as caught:
        load_session(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "not a regular file" in str(caught.value) or "is a folder" in str(caught.value)


def test_a_long_history_keeps_recent_steps_and_every_epoch_mean(monkeypatch):
    from backprop_gui.core.export import history_csv
    from backprop_gui.core.training import Trainer

    monkeypatch.setattr(session_format, "MAX_SAVED_STEPS", 6)
    session = load_example("xor")  # 4 samples, batch 1: 4 steps per epoch
    session.training.batch_size = 1
    trainer = Trainer(session.network, session.data, session.training, session.history)
    trainer.train(3)
    trainer.step()  # 13 steps: the 4th epoch has begun
    session.epoch, session.batch = trainer.epoch, trainer.batch
    text = dumps(session)
    again = loads(text)
    h = again.history
    assert json.loads(text)["history"]["dropped_steps"] == 7
    assert (h.steps, h.dropped, len(h.step_losses)) == (13, 7, 6)
    assert h.epoch_losses == session.history.epoch_losses and h.epoch_ends == [4, 8, 12]
    assert h.loss_of_step(7) == session.history.step_losses[6] and h.loss_of_step(13) == session.history.step_losses[-1]
    assert h.early_steps.tolist() == list(range(1, 8))  # few enough to keep every one
    assert [row.split(",")[0] for row in history_csv(h).splitlines()[1:]] == [str(n) for n in range(1, 14)]
    # training resumes exactly: the 4th epoch's mean needs only its own steps, which are kept
    resumed = Trainer(again.network, again.data, again.training, h, again.epoch, again.batch)
    resumed.train(1)
    trainer.train(1)
    assert resumed.history.epoch_losses == trainer.history.epoch_losses
    assert loads(dumps(again)).history.steps == resumed.history.steps


def test_a_session_too_large_for_a_file_is_refused_before_writing(tmp_path, monkeypatch):
    monkeypatch.setattr(session_format, "MAX_FILE_BYTES", 2000)
    path = tmp_path / "s.json"
    with pytest.raises(SessionError, match="more than the 0 MiB a session file may have"):
        save_session(load_example("moons"), path)
    assert not path.exists()


def test_steps_beyond_the_kept_ones_are_decimated_keeping_each_stretch_lowest_and_highest(monkeypatch):
    from array import array

    from backprop_gui.core import training
    from backprop_gui.core.export import history_csv

    monkeypatch.setattr(session_format, "MAX_SAVED_STEPS", 100)
    monkeypatch.setattr(training, "MAX_EARLY_POINTS", 20)  # 9 stretches of the steps before the last 100
    session = load_example("xor")
    losses = np.linspace(1.0, 0.1, 1000)
    losses[300], losses[301], losses[700] = 5.0, 0.01, 3.0  # a spike, a dip and a later spike
    h = session.history
    h.step_losses, h.epoch_losses, h.epoch_ends = array("d", losses), [0.5, 0.2], [500, 1000]
    session.epoch = 2
    again = loads(dumps(session)).history
    assert (again.steps, again.dropped, len(again.step_losses)) == (1000, 900, 100)
    assert list(again.step_losses) == list(losses[900:])
    steps, kept = np.frombuffer(again.early_steps, dtype=np.int64), np.frombuffer(again.early_losses)
    assert len(steps) <= 20 and steps[0] == 1 and steps[-1] == 900 and np.all(np.diff(steps) > 0)
    assert kept.tolist() == losses[steps - 1].tolist()  # real losses of real steps
    assert {301, 302, 701} <= set(steps.tolist())  # the spikes and the dip survive
    assert again.loss_of_step(301) == 5.0 and again.loss_of_step(2) is None
    rows = history_csv(again).splitlines()
    ends = [row.split(",") for row in rows if row.startswith(("500,", "1000,"))]
    assert rows[1].startswith("1,1,1.0,") and [(row[0], row[3]) for row in ends] == [("500", "0.5"), ("1000", "0.2")]
    twice = loads(dumps(again_session := loads(dumps(session)))).history  # saved again: still bounded
    assert again_session.history.dropped == 900 and len(twice.early_steps) <= 20 and 301 in twice.early_steps


def hostile_file(tmp_path, field: str, items: str, count: int) -> tuple[object, int]:
    """A session file whose ``field`` (data.inputs or history.step_losses) is a list of ``count`` ``items``."""
    doc = document()
    doc["history"] = {"step_losses": "HOLE"} if field == "history.step_losses" else {}
    if field == "data.inputs":
        doc["data"]["inputs"] = "HOLE"
    text = json.dumps(doc).replace('"HOLE"', "[" + ",".join([items] * count) + "]")
    path = tmp_path / "hostile.json"
    path.write_text(text)
    return path, len(text)


@pytest.mark.parametrize(
    ("field", "items", "problem"),
    [
        ("history.step_losses", "0.5", "more than 8,000,000 numbers and other values written as lists"),
        ("data.inputs", "[0.25,0.75]", "more than 8,000,000 numbers and other values written as lists"),
        ("data.inputs", "[]", "more than 8,000,000 lists and objects"),
    ],
)
def test_a_hostile_list_is_refused_naming_its_field_before_it_is_built(tmp_path, field, items, problem):
    count = 8_000_001 if items != "[0.25,0.75]" else 4_000_001
    path, size = hostile_file(tmp_path, field, items, count)
    tracemalloc.start()
    try:
        with pytest.raises(SessionError) as caught:
            load_session(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"{path}: {field}: {problem}" in str(caught.value) and "compact" in str(caught.value)
    assert peak < 2.2 * size  # the file's bytes and its text; building the lists took over 250 MB more
