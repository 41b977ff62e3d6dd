"""The session file format: round trips, every validation error, atomic saves, a fuzz test."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from array import array

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_gui.core import files
from backprop_gui.core.datasets import Dataset, generate
from backprop_gui.core.network import MAX_SEED, build_network
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import (
    COMPACT_THRESHOLD,
    SessionError,
    dumps,
    load_session,
    loads,
    save_session,
    session_from_dict,
    session_to_dict,
)
from backprop_gui.core.training import LossHistory, Trainer, TrainingSettings

from helpers import error_of


def document() -> dict:
    """A valid hand-written file: 2 inputs, a 3-neuron tanh layer, a 2-neuron sigmoid output."""
    return {
        "format": "backprop-gui-session",
        "version": 1,
        "name": "small",
        "network": {
            "input_size": 2,
            "loss": "half_squared_error",
            "layers": [
                {"size": 3, "activation": "tanh", "weights": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], "biases": [0, 0, 1]},
                {"size": 2, "activation": "sigmoid", "weights": [[1, 2, 3], [4, 5, 6]], "biases": [0.5, -0.5]},
            ],
        },
        "data": {"inputs": [[0, 1], [1, 0]], "targets": [[1, 0], [0, 1]]},
        "training": {"learning_rate": 0.5, "batch_size": 1, "epochs": 2, "shuffle": True, "seed": 3},
    }


def with_change(path: str, value: object) -> dict:
    """``document()`` with the field at the dotted ``path`` set to ``value`` (or deleted if value is DELETE)."""
    doc = document()
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return doc


DELETE = object()


def random_session(seed: int, steps: int = 0) -> Session:
    rng = np.random.default_rng(seed)
    network = build_network(2, [3, 2], ["tanh", "softmax"], "cross_entropy", seed=seed, has_bias=[False, True])
    for layer in network.layers:
        layer.weights = rng.normal(size=layer.weights.shape) * 10.0 ** rng.integers(-300, 300, layer.weights.shape)
    network.layers[1].biases = np.array([0.1 + 0.2, -0.0])
    data = Dataset(rng.normal(size=(5, 2)), np.eye(2)[rng.integers(0, 2, 5)], input_labels=["x1", "x2"])
    session = Session("random", network, data, TrainingSettings(0.25, 2, 3, False, seed), note="ä note\nline 2")
    if steps:
        session.network = build_network(2, [3, 2], ["tanh", "softmax"], "cross_entropy", seed=seed)
        trainer = Trainer(session.network, data, session.training, session.history)
        for _ in range(steps):
            trainer.step()
        trainer.set_learning_rate(0.125)
        session.epoch, session.batch = trainer.epoch, trainer.batch
    return session


def assert_same(a: Session, b: Session) -> None:
    assert a.name == b.name and a.note == b.note and a.description == b.description
    assert a.network.loss == b.network.loss and a.network.input_size == b.network.input_size
    for la, lb in zip(a.network.layers, b.network.layers, strict=True):
        assert la.activation == lb.activation and la.has_bias == lb.has_bias
        assert la.weights.tobytes() == lb.weights.tobytes()
        assert la.biases.tobytes() == lb.biases.tobytes()
    assert a.data.inputs.tobytes() == b.data.inputs.tobytes()
    assert a.data.targets.tobytes() == b.data.targets.tobytes()
    assert a.data.generator == b.data.generator and a.data.validation_fraction == b.data.validation_fraction
    assert a.training == b.training
    assert a.history.step_losses.tobytes() == b.history.step_losses.tobytes()
    assert a.history.epoch_losses == b.history.epoch_losses and a.history.epoch_ends == b.history.epoch_ends
    assert a.history.validation_losses == b.history.validation_losses
    assert a.history.rate_changes == b.history.rate_changes
    assert (a.epoch, a.batch) == (b.epoch, b.batch)


# --- round trips ----------------------------------------------------------------------


@pytest.mark.parametrize("steps", [0, 7])
def test_save_load_save_gives_identical_bytes_and_values(tmp_path, steps):
    session = random_session(1, steps)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    save_session(session, first)
    loaded = load_session(first)
    save_session(loaded, second)
    assert first.read_bytes() == second.read_bytes()
    assert_same(session, loaded)
    assert loaded.name == "random"


def test_extreme_floats_round_trip_bit_for_bit():
    session = random_session(2)
    values = [5e-324, -0.0, 1.7976931348623157e308, 0.1 + 0.2, 1 / 3, -2.5e-310]
    session.network.layers[0].weights = np.array(values).reshape(3, 2)
    assert loads(dumps(session)).network.layers[0].weights.tobytes() == np.array(values).reshape(3, 2).tobytes()


def test_large_arrays_are_stored_compactly_and_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    n = COMPACT_THRESHOLD // 2 + 1
    network = build_network(2, [1], ["sigmoid"])
    session = Session("big", network, Dataset(rng.normal(size=(n, 2)), rng.uniform(size=(n, 1))))
    session.history.step_losses = array("d", rng.uniform(size=COMPACT_THRESHOLD + 1))
    session.history.epoch_losses, session.history.epoch_ends = [0.5], [COMPACT_THRESHOLD + 1]
    text = dumps(session)
    stored = json.loads(text)
    assert set(stored["data"]["inputs"]) == {"shape", "float64_base64"}
    assert stored["data"]["inputs"]["shape"] == [n, 2]
    assert "float64_base64" in stored["history"]["step_losses"]
    assert_same(session, loads(text))
    assert dumps(loads(text)) == text


def test_a_generator_is_stored_as_its_recipe():
    network = build_network(2, [4, 1], ["tanh", "sigmoid"])
    session = Session("moons", network, generate("moons", samples=50, noise=0.2, seed=4))
    stored = session_to_dict(session)["data"]
    assert stored == {"generator": {"name": "moons", "samples": 50, "noise": 0.2, "seed": 4}}
    assert_same(session, loads(dumps(session)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    seed=st.integers(0, MAX_SEED),
    biases=st.lists(st.booleans(), min_size=3, max_size=3),
    floats=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=8),
)
def test_random_sessions_round_trip(sizes, seed, biases, floats):
    activations = ["relu"] * (len(sizes) - 1) + ["linear"]
    network = build_network(2, sizes, activations, seed=seed, has_bias=biases[: len(sizes)])
    flat = network.layers[0].weights.reshape(-1)
    flat[: len(floats)] = floats[: flat.size]
    data = Dataset(np.array([floats[:1] * 2]), np.zeros((1, sizes[-1])))
    session = Session("r", network, data, TrainingSettings(seed=seed))
    text = dumps(session)
    again = loads(text)
    assert_same(session, again)
    assert dumps(again) == text


def test_weights_left_out_are_drawn_from_the_training_seed():
    doc = document()
    for layer in doc["network"]["layers"]:
        del layer["weights"], layer["biases"]
    doc["network"]["init"] = "he"
    network = loads(json.dumps(doc)).network
    expected = build_network(2, [3, 2], ["tanh", "sigmoid"], init="he", seed=3)
    for got, want in zip(network.layers, expected.layers, strict=True):
        assert np.array_equal(got.weights, want.weights)
        assert np.array_equal(got.biases, np.zeros(got.size))


def test_bias_false_allows_missing_or_zero_biases_and_refuses_others():
    doc = with_change("network.layers.0.bias", False)
    assert error_of(doc) == "network.layers[0].biases: must be all zeros (or left out) when bias is false"
    doc["network"]["layers"][0]["biases"] = [0, 0, 0]
    assert not loads(json.dumps(doc)).network.layers[0].has_bias
    del doc["network"]["layers"][0]["biases"]
    layer = loads(json.dumps(doc)).network.layers[0]
    assert not layer.has_bias and np.array_equal(layer.biases, np.zeros(3))


def test_defaults_and_unknown_fields():
    doc = document()
    del doc["training"], doc["network"]["loss"], doc["name"]
    doc["from_the_future"] = {"anything": [1, 2]}
    doc["network"]["layers"][0]["colour"] = "red"
    session = loads(json.dumps(doc), default_name="fallback")
    assert session.name == "fallback"
    assert session.training == TrainingSettings()
    assert session.network.loss == "half_squared_error"


# --- every way a file can be bad ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("   \n\t ", "the file is empty"),
        ("hello", "not valid JSON: Expecting value (line 1, column 1)"),
        ('{"format": "backprop-gui-session", "version": 1, "network": {"input_', "the file looks truncated"),
        ("[1, 2, 3]", "not a session file: expected a JSON object at the top level, got a list"),
        ("{}", 'missing field "format" (is this a backprop-gui session file?)'),
        ("{\x00}", "not a session file: the file contains binary data"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_text_that_is_not_a_session(text, message):
    with pytest.raises(SessionError) as caught:
        loads(text)
    assert message in str(caught.value)


def test_binary_junk():
    with pytest.raises(SessionError, match="binary, not UTF-8"):
        loads(bytes(range(256)) * 4)


def test_a_newer_version_is_refused_with_a_clear_message():
    assert error_of(with_change("version", 7)) == (
        "this file was written by a newer version of backprop-gui (version 7); this program reads version 2"
    )


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("format", "something-else", 'format: expected "backprop-gui-session", got "something-else"'),
        ("version", 0, "version: unknown version 0; this program reads versions 1 to 2"),
        ("version", "1", 'version: expected a whole number, got "1"'),
        ("version", True, "version: expected a whole number, got true"),
        ("version", DELETE, 'missing field "version"'),
        ("network", DELETE, 'missing field "network"'),
        ("data", DELETE, 'missing field "data"'),
        ("network", [1], "network: expected an object {…}, got a list"),
        ("network.input_size", DELETE, 'network: missing field "input_size"'),
        ("network.input_size", True, "network.input_size: expected a whole number, got true"),
        ("network.input_size", 2.5, "network.input_size: expected a whole number, got 2.5"),
        ("network.input_size", 0, "network.input_size: must be in 1..10,000,000, got 0"),
        ("network.layers", DELETE, 'network: missing field "layers"'),
        ("network.layers", [], "network.layers: a network needs at least one layer"),
        ("network.layers.0", 3, "network.layers[0]: expected an object {…}, got 3"),
        ("network.layers.0.size", DELETE, 'network.layers[0]: missing field "size"'),
        ("network.layers.1.activation", DELETE, 'network.layers[1]: missing field "activation"'),
        ("network.layers.1.activation", "swish", "network.layers[1].activation: unknown activation 'swish'"),
        ("network.layers.0.activation", "softmax", "network.layers[0].activation: softmax is only allowed on the"),
        ("network.layers.0.bias", 1, "network.layers[0].bias: expected true or false, got 1"),
        ("network.loss", "hinge", "network.loss: unknown loss 'hinge' (known: half_squared_error"),
        ("network.loss", None, "network.loss: expected a string, got null"),
        ("network.init", "magic", "network.init: unknown initialisation 'magic'"),
        ("network.layers.1.weights", [[1, 2], [3, 4]], "network.layers[1].weights: expected 2×3, got 2×2"),
        ("network.layers.1.weights", [[1, 2, 3], [4, 5]], "network.layers[1].weights[1]: ragged rows: this row has 2"),
        ("network.layers.1.weights", [1, 2, 3], "network.layers[1].weights[0]: expected a list of numbers (one row)"),
        ("network.layers.1.weights", "none", 'network.layers[1].weights: expected a list, got "none"'),
        ("network.layers.1.weights", [[1, True, 3], [4, 5, 6]], "network.layers[1].weights[0][1]: expected a number,"),
        ("network.layers.1.weights", [[1, "2", 3], [4, 5, 6]], 'weights[0][1]: expected a number, got "2"'),
        ("network.layers.1.weights", [[1, None, 3], [4, 5, 6]], "weights[0][1]: expected a number, got null"),
        ("network.layers.1.biases", [1], "network.layers[1].biases: expected 2 numbers, got 1"),
        ("network.layers.1.biases", [1, False], "network.layers[1].biases[1]: expected a number, got false"),
        ("training.learning_rate", True, "training.learning_rate: expected a number, got true"),
        ("training.learning_rate", -1, "training.learning_rate: must be in 1e-06..1e+06, got -1"),
        ("training.batch_size", 0, "training.batch_size: must be in 1..1,000,000, got 0"),
        ("training.epochs", "many", 'training.epochs: expected a whole number, got "many"'),
        ("training.shuffle", "yes", 'training.shuffle: expected true or false, got "yes"'),
        ("training.seed", -1, "training.seed: must be in 0..18,446,744,073,709,551,615, got -1"),
        ("training", [], "training: expected an object {…}, got a list"),
        ("name", 5, "name: expected a string, got 5"),
        ("note", ["a"], "note: expected a string, got a list"),
        ("data.inputs", DELETE, 'data: missing field "inputs"'),
        ("data.targets", DELETE, 'data: missing field "targets"'),
        ("data.inputs", [], "data.inputs: no samples"),
        ("data.inputs", [[0, 1, 2], [1, 0, 2]], "data.inputs: expected N×2 (a row of n_0 = 2 per sample), got 2×3"),
        ("data.targets", [[1], [0]], "data.targets: expected 2×2 (a row of n_L = 2 per sample"),
        ("data.targets", [[1, 0]], "data.targets: expected 2×2"),
        ("data.validation_fraction", 1, "data.validation_fraction: must be in 0..0.9, got 1.0"),
        ("data.generator", {"name": "moons"}, "data: give either a generator or inputs and targets, not both"),
        ("progress", {"epoch": 0, "batch": 1}, "progress.batch: must be in 0..0, got 1"),
        ("progress", {"epoch": -1}, "progress.epoch: must be at least 0, got -1"),
        ("history", {"epoch_losses": [0.5]}, "history.epoch_ends: expected one per epoch loss (1), got 0"),
        ("history", {"step_losses": [1, 2], "epoch_ends": [3], "epoch_losses": [1]}, "history.epoch_ends[0]: must be"),
        ("history", {"step_losses": [1], "rate_changes": [[0, 0]]}, "history.rate_changes[0][1]: the learning rate"),
        ("history", {"rate_changes": [5]}, "history.rate_changes[0]: expected [step, learning rate], got 5"),
    ],
)
def test_each_bad_field_is_named(path, value, message):
    assert message in error_of(with_change(path, value))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-" + "9" * 400])
def test_non_finite_numbers_are_refused_with_their_path(literal):
    text = json.dumps(document()).replace('"weights": [[1, 2, 3]', f'"weights": [[1, {literal}, 3]')
    with pytest.raises(SessionError) as caught:
        loads(text)
    assert str(caught.value).startswith("network.layers[1].weights[0][1]: expected a number, got")
    assert "numbers must be finite" in str(caught.value)


def test_a_generator_recipe_is_checked():
    doc = document()
    doc["network"]["layers"][1]["size"] = 1
    doc["network"]["layers"][1]["weights"] = [[1, 2, 3]]
    doc["network"]["layers"][1]["biases"] = [0]
    doc["data"] = {"generator": {"name": "moons", "noise": 9}}
    assert error_of(doc) == "data.generator: moons noise: must be in 0.0..1.0, got 9.0"
    doc["data"] = {"generator": {"name": "sine"}}
    assert "data: the data has 1 input per sample but the network's input layer has 2 neurons" in error_of(doc)
    doc["data"] = {"generator": {"name": "blobs", "classes": 4}}
    assert "data: the data has 4 targets per sample but the network's output layer has 1 neuron" in error_of(doc)
    doc["data"] = {"generator": {"samples": 5}}
    assert error_of(doc) == 'data.generator: missing field "name"'


def test_too_many_parameters_are_refused_before_allocating():
    doc = with_change("network.input_size", 5000)
    doc["network"]["layers"] = [{"size": 5000, "activation": "relu"}]
    started = time.perf_counter()
    assert error_of(doc) == "network.layers[0]: the network would have more than 10,000,000 parameters"
    assert time.perf_counter() - started < 5  # a refusal, not a 200 MB allocation


def test_too_many_samples_are_refused():
    doc = document()
    doc["data"]["inputs"] = [[0.0, 1.0]] * 1_000_001
    with pytest.raises(SessionError, match=r"data.inputs: 1,000,001 samples is more than the 1,000,000 allowed"):
        session_from_dict(doc)
    doc = document()
    doc["data"] = {"generator": {"name": "moons", "samples": 2_000_000}}
    with pytest.raises(SessionError, match="samples: must be in 2..1000000"):
        session_from_dict(doc)


def test_compact_arrays_are_checked():
    doc = document()
    doc["data"]["inputs"] = {"shape": [2, 2], "float64_base64": "AAAA"}
    assert "data.inputs.float64_base64: does not hold 4 float64 numbers" in error_of(doc)
    doc["data"]["inputs"] = {"shape": [2, 2], "float64_base64": "!" * 44}
    assert error_of(doc) == "data.inputs.float64_base64: not valid base64"
    doc["data"]["inputs"] = {"shape": [2], "float64_base64": ""}
    assert error_of(doc) == "data.inputs.shape: expected 2 sizes, got 1"
    nan = np.array([[np.nan, 0.0], [0.0, 0.0]]).tobytes()
    doc["data"]["inputs"] = {"shape": [2, 2], "float64_base64": __import__("base64").b64encode(nan).decode()}
    assert "data.inputs: contains NaN or infinity" in error_of(doc)


# --- files on disk ----------------------------------------------------------------------


def test_a_missing_file_names_its_path(tmp_path):
    path = tmp_path / "nowhere.json"
    with pytest.raises(SessionError) as caught:
        load_session(path)
    assert str(caught.value) == f"{path}: no such file"
    assert caught.value.path == str(path)


def test_a_folder_is_not_a_session(tmp_path):
    with pytest.raises(SessionError, match="is a folder, not a file"):
        load_session(tmp_path)


def test_errors_in_a_file_name_the_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(with_change("network.layers.1.weights", [[1, 2], [3, 4]])))
    with pytest.raises(SessionError) as caught:
        load_session(path)
    assert str(caught.value) == f"{path}: network.layers[1].weights: expected 2×3, got 2×2"
    assert caught.value.message == "network.layers[1].weights: expected 2×3, got 2×2"


def test_a_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as file:
        file.truncate(600 * 2**20)  # sparse: no disk space used
    with pytest.raises(SessionError, match="the file is 600 MiB; files larger than 512 MiB are refused"):
        load_session(path)


def test_nan_is_never_written(tmp_path):
    session = random_session(3)
    session.network.layers[1].biases = np.array([np.nan, 0.0])
    path = tmp_path / "s.json"
    with pytest.raises(SessionError, match=r"network.layers\[1\].biases: contains NaN or infinity; refusing"):
        save_session(session, path)
    assert not path.exists()
    session.network.layers[1].biases = np.zeros(2)
    session.history.rate_changes.append((0, float("inf")))
    with pytest.raises(SessionError, match="history.rate_changes"):
        dumps(session)


@pytest.mark.parametrize("broken", ["replace", "fsync", "write"])
def test_a_failing_save_leaves_the_old_file_whole(tmp_path, monkeypatch, broken):
    path = tmp_path / "s.json"
    save_session(random_session(4), path)
    old = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if broken == "write":
        real_fdopen = os.fdopen

        class Failing:
            def __init__(self, *args, **kwargs):
                self.file = real_fdopen(*args, **kwargs)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.file.close()

            def write(self, data):
                self.file.write(data[: len(data) // 2])
                fail()

        monkeypatch.setattr(files.os, "fdopen", Failing)
    else:
        monkeypatch.setattr(files.os, broken, fail)
    with pytest.raises(OSError, match="No space left"):
        save_session(random_session(5, steps=3), path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_save_keeps_the_file_mode(tmp_path):
    path = tmp_path / "s.json"
    save_session(random_session(6), path)
    os.chmod(path, 0o640)
    save_session(random_session(7), path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_killing_a_process_mid_save_leaves_a_whole_file(tmp_path):
    path = tmp_path / "s.json"
    child = textwrap.dedent(
        f"""
        import sys
        sys.path[:0] = {sys.path!r}
        from backprop_gui.core.session_format import save_session
        from backprop_gui.core.datasets import generate
        from backprop_gui.core.network import build_network
        from backprop_gui.core.session import Session
        sessions = [Session(str(n), build_network(2, [64, 1], ["tanh", "sigmoid"], seed=n),
                            generate("moons", samples=2000, seed=n)) for n in range(2)]
        for s in sessions:
            s.data.generator = None  # write the numbers: a file big enough to be caught mid-write
        save_session(sessions[0], {str(path)!r})
        print("ready", flush=True)
        while True:
            for s in sessions:
                save_session(s, {str(path)!r})
        """
    )
    process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    loaded = load_session(path)
    assert loaded.name in ("0", "1") and len(loaded.data) == 2000


# --- the fuzz test ----------------------------------------------------------------------

VALID = dumps(random_session(8, steps=3))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _paths(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


ALL_PATHS = list(_paths(json.loads(VALID)))


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_mutated_files_only_raise_session_error(data):
    raw = bytearray(VALID.encode())
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        if kind == "flip" and raw:
            raw[at] = data.draw(st.integers(0, 255))
        elif kind == "delete":
            del raw[at : at + data.draw(st.integers(1, 20))]
        elif kind == "insert":
            raw[at:at] = data.draw(st.binary(max_size=8) | st.sampled_from([b"NaN", b"1e999", b"-1", b"true", b"[]"]))
        else:
            del raw[at:]
    try:
        loads(bytes(raw))
    except SessionError:
        pass


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(ALL_PATHS), value=json_values)
def test_fuzz_replaced_fields_only_raise_session_error(path, value):
    doc = json.loads(VALID)
    if not path:
        doc = value
    else:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = copy.deepcopy(value)
    try:
        loads(json.dumps(doc))
    except SessionError:
        pass


def test_history_and_progress_resume_training_exactly():
    straight = random_session(9, steps=0)
    straight.network = build_network(2, [3, 2], ["tanh", "softmax"], "cross_entropy", seed=9)
    paused = loads(dumps(straight))
    Trainer(straight.network, straight.data, straight.training, straight.history).train(2)
    first = Trainer(paused.network, paused.data, paused.training, paused.history)
    for _ in range(4):
        first.step()
    paused.epoch, paused.batch = first.epoch, first.batch
    resumed = loads(dumps(paused))
    assert (resumed.epoch, resumed.batch) == (1, 1)
    Trainer(resumed.network, resumed.data, resumed.training, resumed.history, resumed.epoch, resumed.batch).train(1)
    for a, b in zip(straight.network.layers, resumed.network.layers, strict=True):
        assert a.weights.tobytes() == b.weights.tobytes()
    assert straight.history.epoch_losses == resumed.history.epoch_losses
    assert isinstance(resumed.history, LossHistory)
