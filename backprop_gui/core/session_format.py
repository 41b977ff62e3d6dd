"""The session file format (JSON, version 2): reading it with every check, and writing it.

``loads``/``load_session`` validate everything and raise one ``SessionError`` whose message
names the field path (``network.layers[1].weights: expected 2×3, got 2×2``); nothing else
escapes. ``dumps``/``save_session`` write hand-readable JSON (floats round-trip bit for
bit; NaN and infinity are refused); saving is atomic (``core.files``). Arrays of more than
``COMPACT_THRESHOLD`` numbers are stored as ``{"shape": [...], "float64_base64": "..."}``
(little-endian float64), which the loader also reads. Never pickle, never eval.

A file may also say where the window stood (all optional, so hand-written files stay short):
``position`` (the sample and phase of the stepper; at Update also the weights the pass started
with, since the network then holds the new ones), ``view`` (selection and display settings),
``breakpoints`` and ``quiz``. They are read into ``Session.view``.

Version 2 added the update rule to ``training`` (``optimizer``, ``regularization``, ``schedule``,
``clip_norm``) and the optimiser's state to ``progress.optimizer`` (and, at Update, the state as
the pass started to ``position.optimizer_before``). A version 1 file is read as version 2 without
them: plain SGD, a fresh state. The state is stored per layer, each buffer as ``weights`` and
``biases`` (the biases left out for a bias-free layer).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import re
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

import numpy as np

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.backprop import run_pass, set_parameters
from backprop_gui.core.breakpoints import BreakpointSettings
from backprop_gui.core.compare import Reference, check_count
from backprop_gui.core.datasets import (
    MAX_DATA_NUMBERS,
    MAX_SAMPLES,
    MAX_VALIDATION_FRACTION,
    Dataset,
    DatasetError,
    check_fits,
    check_size,
    check_split,
    generate,
)
from backprop_gui.core.features import check_features
from backprop_gui.core.files import FileRefused, read_regular_file, too_large, write_atomic
from backprop_gui.core.formatting import MAX_DIGITS, MIN_DIGITS
from backprop_gui.core.json_pieces import Base64Text
from backprop_gui.core.json_scan import JsonTooLarge, check_json_size
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.network import INIT_SCHEMES, MAX_PARAMETERS, MAX_SEED, Network, build_network
from backprop_gui.core.optimizers import (
    MAX_STEP_SIZE,
    OPTIMIZERS,
    REGULARIZATIONS,
    SCHEDULES,
    OptimizerSettings,
    OptimizerState,
    Regularization,
    Schedule,
    UpdateRule,
    compute_update,
    current_state,
    parameter_layout,
)
from backprop_gui.core.quiz import QuizSettings
from backprop_gui.core.session import EDGE_MODES, NEURON_VALUES, Parameters, Session, SessionView, StepperPosition
from backprop_gui.core.stepper import phase_sequence
from backprop_gui.core.training import (
    MAX_EARLY_POINTS,
    MAX_EPOCHS,
    MAX_SAVED_STEPS,
    LossHistory,
    TrainingSettings,
    batches_per_epoch,
)

FORMAT = "backprop-gui-session"
VERSION = 2
OLDEST_VERSION = 1  # version 1 files are read as version 2 files without the update rule's sections
MAX_FILE_BYTES = 512 * 2**20
MAX_FILE_NUMBERS = MAX_FILE_BYTES * 3 // 32  # the most float64 numbers base64 text of MAX_FILE_BYTES holds
COMPACT_THRESHOLD = 10_000
LIST_SLICE = 2**16  # list entries converted to an array at a time (``_float_array``)
MAX_LISTED_NUMBERS = 8_000_000  # values in lists per file, and lists (each ~32 / ~64 bytes while parsed)
LINE_WIDTH = 100
COMPACT_HINT = 'larger arrays must use the compact {"shape": …, "float64_base64": …} form'


class SessionError(ValueError):
    """A session that cannot be read or written. ``message`` names the field path;
    ``path`` is the file, when there is one, and starts the string form."""

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)


# --- reading ----------------------------------------------------------------------------


def load_session(path: str | os.PathLike[str]) -> Session:
    """The session in the file at ``path``; SessionError (naming the path) if it is missing or bad."""
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except FileRefused as error:
        raise SessionError(str(error), path) from None
    except FileNotFoundError:
        raise SessionError("no such file", path) from None
    except OSError as error:
        raise SessionError(f"cannot read the file ({error.strerror or error})", path) from None
    try:
        text = _decoded(data)
        del data  # the text alone is held while parsing
        return loads(text, default_name=path.stem)
    except SessionError as error:
        raise SessionError(error.message, path) from None


def loads(data: str | bytes, default_name: str = "untitled") -> Session:
    """The session in the JSON text ``data``; ``default_name`` when the file has no ``name``."""
    return session_from_dict(parse_json(data), default_name)


def parse_json(data: str | bytes) -> Any:
    """The JSON document in ``data``, parsed as a session file is: its lists' values counted
    before anything is built, a key given twice refused, NaN, infinity and overflowing numbers
    kept as markers for the field checks to name. SessionError says what is wrong."""
    if isinstance(data, bytes):
        data = _decoded(data)
    if not data.strip():
        raise SessionError("the file is empty")
    if "\x00" in data:
        raise SessionError("not a session file: the file contains binary data")
    try:
        check_json_size(data, MAX_LISTED_NUMBERS, MAX_LISTED_NUMBERS)
    except JsonTooLarge as error:
        raise SessionError(f"{error}; {COMPACT_HINT}") from None
    literals = _Literals()
    try:
        document = json.loads(
            data,
            parse_constant=_NonFinite,
            parse_float=literals.real,
            parse_int=literals.whole,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as error:
        hint = "; the file looks truncated" if _looks_truncated(data, error.pos) else ""
        raise SessionError(f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}){hint}") from None
    except RecursionError:
        raise SessionError("not a session file: lists or objects are nested too deeply") from None
    return document


def _decoded(data: bytes) -> str:
    """The UTF-8 text of a file's bytes; SessionError if it is too large or not UTF-8."""
    if len(data) > MAX_FILE_BYTES:
        raise SessionError(too_large(len(data), MAX_FILE_BYTES))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SessionError("not a session file: the file is binary, not UTF-8 JSON text") from None


def session_from_dict(document: Any, default_name: str = "untitled") -> Session:
    """Validate a parsed JSON document and build the Session it describes."""
    if not isinstance(document, dict):
        raise SessionError(f"not a session file: expected a JSON object at the top level, got {_describe(document)}")
    if "format" not in document:
        raise SessionError('missing field "format" (is this a backprop-gui session file?)')
    if document["format"] != FORMAT:
        raise SessionError(
            f'format: expected "{FORMAT}", got {_describe(document["format"])} (not a backprop-gui session file)'
        )
    version = _integer(_field(document, "version", ""), "version", 0, None)
    if version > VERSION:
        raise SessionError(
            f"this file was written by a newer version of backprop-gui (version {version}); "
            f"this program reads version {VERSION}"
        )
    if version < OLDEST_VERSION:
        raise SessionError(
            f"version: unknown version {version}; this program reads versions {OLDEST_VERSION} to {VERSION}"
        )
    name = _string(document.get("name", default_name), "name")
    description = _string(document.get("description", ""), "description")
    note = _string(document.get("note", ""), "note")
    training = _training(_object(document.get("training", {}), "training"))
    network = _network(_object(_field(document, "network", ""), "network"), training.seed)
    data = _data(_object(_field(document, "data", ""), "data"), network)
    history = _history(_object(document.get("history", {}), "history"))
    progress = _object(document.get("progress", {}), "progress")
    epoch, batch = _progress(progress, data, training, history)
    state = _optimizer_state(progress.get("optimizer"), "progress.optimizer", network, training)
    view = _view(document, network, len(data.split()[0]), training)
    references = _references(document.get("references", []))
    if view is not None and view.position is not None and not _update_matches(view.position, network, data, training):
        view.position = StepperPosition(view.position.sample)  # trained since (by the CLI): start the pass again
    return Session(name, network, data, training, note, history, epoch, batch, description, view, state, references)


def _looks_truncated(text: str, error_at: int) -> bool:
    """True when the JSON error is at the very end, or a string or bracket is still open there."""
    if error_at >= len(text.rstrip()):
        return True
    outside_strings = re.sub(r'"(?:[^"\\]|\\.)*"', "", text)
    opened = outside_strings.count("{") + outside_strings.count("[")
    return '"' in outside_strings or opened > outside_strings.count("}") + outside_strings.count("]")


class _NonFinite:
    """Stands in for a NaN/Infinity literal or a number too large for float64, so the
    check that meets it can name its field path."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Literals:
    """Turns the number literals of one file into Python numbers while parsing, and refuses the
    file once it holds more than MAX_LISTED_NUMBERS of them (before they take gigabytes)."""

    def __init__(self) -> None:
        self.count = 0

    def real(self, text: str) -> float | _NonFinite:
        self._counted()
        value = float(text)
        return value if math.isfinite(value) else _NonFinite(text)

    def whole(self, text: str) -> int | float | _NonFinite:
        if len(text) > 300:
            return self.real(text)
        self._counted()
        return int(text)

    def _counted(self) -> None:
        self.count += 1
        if self.count > MAX_LISTED_NUMBERS:
            raise SessionError(
                f"the file holds more than {MAX_LISTED_NUMBERS:,} numbers written as lists; {COMPACT_HINT}"
            )


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; SessionError naming a key that appears twice in it."""
    result = dict(pairs)
    if len(result) < len(pairs):
        seen: set[str] = set()
        for twice, _ in pairs:
            if twice in seen:
                break
            seen.add(twice)
        raise SessionError(f"the key {_describe(twice)} appears twice in one object; each field may be given once")
    return result


def _describe(value: Any) -> str:
    """How a JSON value looks to the person who wrote it."""
    if isinstance(value, _NonFinite):
        return f"{value.text} (numbers must be finite)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value[:40] + ("…" if len(value) > 40 else ""), ensure_ascii=False)
    return "a list" if isinstance(value, list) else "an object"


def _field(obj: dict[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise SessionError(f'{path}: missing field "{key}"' if path else f'missing field "{key}"')
    return obj[key]


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SessionError(f"{path}: expected an object {{…}}, got {_describe(value)}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise SessionError(f"{path}: expected a list, got {_describe(value)}")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise SessionError(f"{path}: expected a string, got {_describe(value)}")
    return value


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise SessionError(f"{path}: expected true or false, got {_describe(value)}")
    return value


def _is_number(value: Any) -> bool:
    return type(value) is float or type(value) is int


def _number(value: Any, path: str) -> float:
    if not _is_number(value):
        raise SessionError(f"{path}: expected a number, got {_describe(value)}")
    return float(value)


def _integer(value: Any, path: str, low: int, high: int | None) -> int:
    if not _is_number(value) or (type(value) is float and not value.is_integer()):
        raise SessionError(f"{path}: expected a whole number, got {_describe(value)}")
    number = int(value)
    if number < low or (high is not None and number > high):
        allowed = f"at least {low:,}" if high is None else f"in {low:,}..{high:,}"
        raise SessionError(f"{path}: must be {allowed}, got {number:,}")
    return number


def _choice(value: Any, path: str, known: dict[str, Any] | tuple[str, ...], what: str) -> str:
    text = _string(value, path)
    if text not in known:
        raise SessionError(f"{path}: unknown {what} {text!r} (known: {', '.join(known)})")
    return text


def _numbers(items: list[Any], path: str) -> None:
    """Raise naming the first item of ``items`` that is not a finite number."""
    if not all(type(v) is float or type(v) is int for v in items):
        index, bad = next((i, v) for i, v in enumerate(items) if not _is_number(v))
        raise SessionError(f"{path}[{index}]: expected a number, got {_describe(bad)}")


def _compact(value: dict[str, Any], path: str, expected: tuple[int | None, ...], most: int) -> np.ndarray:
    """An array stored as ``{"shape": [...], "float64_base64": "..."}``. Its shape is checked
    against ``expected`` (None: any size) and its size against ``most`` numbers, then the text's
    length, all before anything is decoded."""
    sizes = _list(_field(value, "shape", path), f"{path}.shape")
    if len(sizes) != len(expected):
        raise SessionError(f"{path}.shape: expected {len(expected)} sizes, got {len(sizes)}")
    shape = [_integer(n, f"{path}.shape[{i}]", 0, most) for i, n in enumerate(sizes)]
    if any(want is not None and n != want for n, want in zip(shape, expected, strict=True)):
        want = "×".join("N" if n is None else str(n) for n in expected)
        raise SessionError(f"{path}: expected {want}, got {'×'.join(map(str, shape))}")
    count = math.prod(shape)
    if count > most:
        raise SessionError(f"{path}: {count:,} numbers is more than the {most:,} allowed here")
    text = _string(_field(value, "float64_base64", path), f"{path}.float64_base64")
    if len(text) != 4 * math.ceil(8 * count / 3):
        raise SessionError(f"{path}.float64_base64: does not hold {count:,} float64 numbers (shape {shape})")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise SessionError(f"{path}.float64_base64: not valid base64") from None
    result = np.frombuffer(raw, dtype="<f8").astype(float).reshape(shape)
    if not np.all(np.isfinite(result)):
        raise SessionError(f"{path}: contains NaN or infinity (numbers must be finite)")
    return result


def _vector(value: Any, path: str, length: int | None = None) -> np.ndarray:
    """A list of numbers (or a compact array) as a float64 vector, checked against ``length``."""
    if isinstance(value, dict):
        result = _compact(value, path, (length,), MAX_FILE_NUMBERS)
    else:
        items = _list(value, path)
        _numbers(items, path)
        result = np.array(items, dtype=float)
    if length is not None and len(result) != length:
        raise SessionError(f"{path}: expected {length} numbers, got {len(result)}")
    return result


def _matrix(value: Any, path: str, rows: int | None, columns: int, hint: str = "") -> np.ndarray:
    """A list of rows of numbers (or a compact array) as a float64 matrix of ``rows``×``columns``;
    ``rows`` None: samples, at most MAX_SAMPLES and MAX_DATA_NUMBERS numbers."""
    if isinstance(value, dict):
        result = _compact(value, path, (rows, columns), MAX_FILE_NUMBERS if rows else MAX_DATA_NUMBERS)
    else:
        items = _list(value, path)
        if rows is None and len(items) > MAX_SAMPLES:
            raise SessionError(f"{path}: {len(items):,} samples is more than the {MAX_SAMPLES:,} allowed")
        width = None
        for i, row in enumerate(items):
            if not isinstance(row, list):
                raise SessionError(f"{path}[{i}]: expected a list of numbers (one row), got {_describe(row)}")
            if width is None:
                width = len(row)
            elif len(row) != width:
                raise SessionError(f"{path}[{i}]: ragged rows: this row has {len(row)} numbers, row 0 has {width}")
            _numbers(row, f"{path}[{i}]")
        result = np.array(items, dtype=float).reshape(len(items), width or 0)
    if rows is None and len(result) > MAX_SAMPLES:
        raise SessionError(f"{path}: {len(result):,} samples is more than the {MAX_SAMPLES:,} allowed")
    if rows is None and not len(result):
        raise SessionError(f"{path}: no samples (expected at least one row)")
    expected_rows = len(result) if rows is None else rows
    if result.shape != (expected_rows, columns) or not result.size:
        got = "×".join(map(str, result.shape))
        raise SessionError(f"{path}: expected {'N' if rows is None else rows}×{columns}{hint}, got {got}")
    return result


def _training(obj: dict[str, Any]) -> TrainingSettings:
    defaults = TrainingSettings()
    settings = TrainingSettings(
        learning_rate=_number(obj.get("learning_rate", defaults.learning_rate), "training.learning_rate"),
        batch_size=_integer(obj.get("batch_size", defaults.batch_size), "training.batch_size", 1, MAX_SAMPLES),
        epochs=_integer(obj.get("epochs", defaults.epochs), "training.epochs", 1, MAX_EPOCHS),
        shuffle=_boolean(obj.get("shuffle", defaults.shuffle), "training.shuffle"),
        seed=_integer(obj.get("seed", defaults.seed), "training.seed", 0, MAX_SEED),
        rule=_update_rule(obj),
    )
    try:
        settings.validate()
    except ValueError as error:
        raise SessionError(str(error)) from None
    return settings


def _update_rule(obj: dict[str, Any]) -> UpdateRule:
    """``optimizer``, ``regularization``, ``schedule`` and ``clip_norm`` of ``training`` (all optional)."""
    spec = _object(obj.get("optimizer", {}), "training.optimizer")
    name = _choice(spec.get("name", "sgd"), "training.optimizer.name", OPTIMIZERS, "optimizer")
    allowed = OPTIMIZERS[name].hyperparameters
    for key in spec:
        if key != "name" and key not in allowed:
            settings = ", ".join(allowed) if allowed else "none"
            raise SessionError(f"training.optimizer.{key}: {name} has no such setting (its settings: {settings})")
    values: dict[str, Any] = {}
    for key in allowed:
        if key in spec:
            read = _boolean if key == "nesterov" else _number
            values[key] = read(spec[key], f"training.optimizer.{key}")
    penalty = _object(obj.get("regularization", {}), "training.regularization")
    regularization = Regularization(
        _choice(penalty.get("kind", "none"), "training.regularization.kind", REGULARIZATIONS, "regularization"),
        _number(penalty.get("lambda", 0.0), "training.regularization.lambda"),
        _boolean(penalty.get("biases", False), "training.regularization.biases"),
    )
    timing = _object(obj.get("schedule", {}), "training.schedule")
    defaults = Schedule()
    schedule = Schedule(
        _choice(timing.get("kind", defaults.kind), "training.schedule.kind", SCHEDULES, "schedule"),
        _integer(timing.get("step_size", defaults.step_size), "training.schedule.step_size", 1, MAX_STEP_SIZE),
        _number(timing.get("gamma", defaults.gamma), "training.schedule.gamma"),
    )
    clip = obj.get("clip_norm")
    clip_norm = None if clip is None else _number(clip, "training.clip_norm")
    return UpdateRule(OptimizerSettings(name, **values), regularization, schedule, clip_norm)


def _optimizer_state(value: Any, path: str, network: Network, training: TrainingSettings) -> OptimizerState:
    """``{"name": "adam", "t": 3, "layers": [{"m": {"weights": …, "biases": …}, "v": …}, …]}``, or a
    fresh state when ``value`` is None. Its optimiser must be ``training.optimizer``'s."""
    if value is None:
        return OptimizerState()
    obj = _object(value, path)
    name = training.rule.optimizer.name
    if _string(_field(obj, "name", path), f"{path}.name") != name:
        raise SessionError(
            f"{path}.name: the state is of optimizer {obj['name']!r} but training.optimizer is {name!r}; "
            "remove the state to start afresh"
        )
    t = _integer(_field(obj, "t", path), f"{path}.t", 0, None)
    buffers = OPTIMIZERS[name].buffers
    if not t or not buffers:
        if "layers" in obj:
            raise SessionError(f"{path}.layers: {name} at t = {t} keeps no buffers; remove them")
        return OptimizerState(name, t)
    layers = _list(_field(obj, "layers", path), f"{path}.layers")
    if len(layers) != network.depth:
        raise SessionError(f"{path}.layers: expected one entry per layer ({network.depth}), got {len(layers)}")
    parts: dict[str, list[np.ndarray]] = {key: [] for key in buffers}
    previous = network.input_size
    for l, (item, layer) in enumerate(zip(layers, network.layers, strict=True), start=1):
        where = f"{path}.layers[{l - 1}]"
        item = _object(item, where)
        for key in buffers:
            entry = _object(_field(item, key, where), f"{where}.{key}")
            w = _matrix(_field(entry, "weights", f"{where}.{key}"), f"{where}.{key}.weights", layer.size, previous)
            b = np.zeros(layer.size)
            if layer.has_bias:
                b = _vector(_field(entry, "biases", f"{where}.{key}"), f"{where}.{key}.biases", layer.size)
            if key == "v" and name != "momentum" and (np.any(w < 0) or np.any(b < 0)):
                raise SessionError(f"{where}.v: a mean of squared gradients cannot be negative")
            parts[key] += [w.ravel(), b]
        previous = layer.size
    return OptimizerState(name, t, {key: np.concatenate(arrays) for key, arrays in parts.items()})


def _network(obj: dict[str, Any], seed: int) -> Network:
    input_size = _integer(_field(obj, "input_size", "network"), "network.input_size", 1, MAX_PARAMETERS)
    loss = _choice(obj.get("loss", "half_squared_error"), "network.loss", LOSSES, "loss")
    init = _choice(obj.get("init", "xavier"), "network.init", INIT_SCHEMES, "initialisation")
    features = _features(obj["features"], input_size) if "features" in obj else None
    specs = _list(_field(obj, "layers", "network"), "network.layers")
    if not specs:
        raise SessionError("network.layers: a network needs at least one layer")
    sizes, activations, biases, total, previous = [], [], [], 0, input_size
    for i, spec in enumerate(specs):
        path = f"network.layers[{i}]"
        spec = _object(spec, path)
        sizes.append(_integer(_field(spec, "size", path), f"{path}.size", 1, MAX_PARAMETERS))
        activations.append(_choice(_field(spec, "activation", path), f"{path}.activation", ACTIVATIONS, "activation"))
        if ACTIVATIONS[activations[-1]].output_only and i != len(specs) - 1:
            raise SessionError(
                f"{path}.activation: {activations[-1]} is only allowed on the output layer (layer {len(specs)}), "
                f"not on hidden layer {i + 1}"
            )
        biases.append(_boolean(spec.get("bias", True), f"{path}.bias"))
        total += sizes[-1] * previous + (sizes[-1] if biases[-1] else 0)
        if total > MAX_PARAMETERS:
            raise SessionError(f"{path}: the network would have more than {MAX_PARAMETERS:,} parameters")
        previous = sizes[-1]
    try:  # what only the whole network shows, such as a loss that does not fit the output layer
        network = build_network(input_size, sizes, activations, loss, init, seed, biases, features)
    except ValueError as error:
        raise SessionError(f"network.{error}") from None
    previous = input_size
    for i, (spec, layer) in enumerate(zip(specs, network.layers, strict=True)):
        path = f"network.layers[{i}]"
        if "weights" in spec:
            layer.weights = _matrix(spec["weights"], f"{path}.weights", layer.size, previous)
        if "biases" in spec:
            layer.biases = _vector(spec["biases"], f"{path}.biases", layer.size)
            if not layer.has_bias and np.any(layer.biases != 0):
                raise SessionError(f"{path}.biases: must be all zeros (or left out) when bias is false")
        previous = layer.size
    try:
        network.validate()
    except ValueError as error:
        raise SessionError(f"network.{error}") from None
    return network


def _features(value: Any, input_size: int) -> tuple[str, ...]:
    """``network.features``: a list of feature names, one per input (``network.input_size`` of them)."""
    names = [_string(v, f"network.features[{i}]") for i, v in enumerate(_list(value, "network.features"))]
    try:
        features = check_features(names, "network.features")
    except ValueError as error:
        raise SessionError(str(error)) from None
    if len(features) != input_size:
        raise SessionError(
            f"network.input_size: must equal the number of network.features ({len(features)}), got {input_size}"
        )
    return features


def _data(obj: dict[str, Any], network: Network) -> Dataset:
    fraction = _number(obj.get("validation_fraction", 0.0), "data.validation_fraction")
    if not 0.0 <= fraction <= MAX_VALIDATION_FRACTION:
        raise SessionError(f"data.validation_fraction: must be in 0..{MAX_VALIDATION_FRACTION}, got {fraction}")
    if "generator" in obj:
        if "inputs" in obj or "targets" in obj:
            raise SessionError("data: give either a generator or inputs and targets, not both")
        recipe = _object(obj["generator"], "data.generator")
        name = _string(_field(recipe, "name", "data.generator"), "data.generator.name")
        try:
            dataset = generate(name, **{key: value for key, value in recipe.items() if key != "name"})
        except DatasetError as error:
            raise SessionError(f"data.generator: {error}") from None
    else:
        n_0, n_out = network.raw_input_size, network.layers[-1].size
        hint = f" (a row of n_0 = {n_0} per sample)"
        if network.features is not None:
            hint = f" (a row of the {n_0} raw inputs x1, x2 per sample, from which network.features are computed)"
        inputs = _matrix(_field(obj, "inputs", "data"), "data.inputs", None, n_0, hint)
        try:
            check_size(len(inputs), n_0 + n_out)
        except DatasetError as error:
            raise SessionError(f"data: {error}") from None
        hint = f" (a row of n_L = {n_out} per sample, as many rows as inputs)"
        targets = _matrix(_field(obj, "targets", "data"), "data.targets", len(inputs), n_out, hint)
        dataset = Dataset(inputs, targets)
        for key in ("input_labels", "target_labels"):
            labels = [_string(v, f"data.{key}[{i}]") for i, v in enumerate(_list(obj.get(key, []), f"data.{key}"))]
            setattr(dataset, key, labels)
    dataset.validation_fraction = fraction
    dataset.test_fraction = _number(obj.get("test_fraction", 0.0), "data.test_fraction")
    dataset.split_seed = _integer(obj.get("split_seed", 0), "data.split_seed", 0, MAX_SEED)
    try:
        check_split(dataset.test_fraction, dataset.split_seed)
    except ValueError as error:
        raise SessionError(str(error)) from None
    try:
        check_fits(dataset, network)
    except DatasetError as error:
        raise SessionError(f"data: {error}") from None
    return dataset


def _history(obj: dict[str, Any]) -> LossHistory:
    history = LossHistory()
    history.step_losses = array("d", _vector(obj.get("step_losses", []), "history.step_losses").tobytes())
    history.dropped = _integer(obj.get("dropped_steps", 0), "history.dropped_steps", 0, None)
    _early_points(obj, history)
    history.epoch_losses = _vector(obj.get("epoch_losses", []), "history.epoch_losses").tolist()
    history.validation_losses = _vector(obj.get("validation_losses", []), "history.validation_losses").tolist()
    ends = _vector(obj.get("epoch_ends", []), "history.epoch_ends").tolist()
    history.epoch_ends = [_integer(v, f"history.epoch_ends[{i}]", 0, history.steps) for i, v in enumerate(ends)]
    if any(b < a for a, b in zip(history.epoch_ends, history.epoch_ends[1:], strict=False)):
        raise SessionError("history.epoch_ends: must not decrease")
    if len(history.epoch_ends) != len(history.epoch_losses):
        epochs, count = len(history.epoch_losses), len(history.epoch_ends)
        raise SessionError(f"history.epoch_ends: expected one per epoch loss ({epochs}), got {count}")
    if len(history.validation_losses) > len(history.epoch_losses):
        raise SessionError("history.validation_losses: more values than epochs")
    _measurements(obj, history)
    for i, change in enumerate(_list(obj.get("rate_changes", []), "history.rate_changes")):
        path = f"history.rate_changes[{i}]"
        if not isinstance(change, list) or len(change) != 2:
            raise SessionError(f"{path}: expected [step, learning rate], got {_describe(change)}")
        step = _integer(change[0], f"{path}[0]", 0, history.steps)
        rate = _number(change[1], f"{path}[1]")
        if rate <= 0:
            raise SessionError(f"{path}[1]: the learning rate must be more than 0, got {rate}")
        history.rate_changes.append((step, rate))
    return history


def _early_points(obj: dict[str, Any], history: LossHistory) -> None:
    """``early_steps`` and ``early_losses``: a decimated curve of the steps before ``dropped_steps``."""
    steps = _vector(obj.get("early_steps", []), "history.early_steps")
    losses = _vector(obj.get("early_losses", []), "history.early_losses", len(steps))
    if len(steps) > MAX_EARLY_POINTS:
        raise SessionError(f"history.early_steps: {len(steps):,} points is more than the {MAX_EARLY_POINTS:,} allowed")
    if len(steps) and (
        not np.all(steps == np.round(steps))
        or steps[0] < 1
        or steps[-1] > history.dropped
        or np.any(np.diff(steps) <= 0)
    ):
        raise SessionError(
            f"history.early_steps: must be whole step numbers, increasing, in 1..{history.dropped:,} "
            "(history.dropped_steps)"
        )
    history.early_steps = array("q", steps.astype(np.int64).tobytes())
    history.early_losses = array("d", losses.tobytes())


def _measurements(obj: dict[str, Any], history: LossHistory) -> None:
    """``test_losses``, ``train_accuracies`` and ``test_accuracies`` of ``history`` (optional): each of
    the last epochs, accuracies in [0, 1] and as many on both sets, the losses measured with them."""
    for key in ("test_losses", "train_accuracies", "test_accuracies"):
        values = _vector(obj.get(key, []), f"history.{key}").tolist()
        if len(values) > len(history.epoch_losses):
            raise SessionError(f"history.{key}: more values ({len(values)}) than epochs ({len(history.epoch_losses)})")
        if key.endswith("accuracies") and any(not 0 <= v <= 1 for v in values):
            bad = next(i for i, v in enumerate(values) if not 0 <= v <= 1)
            raise SessionError(f"history.{key}[{bad}]: an accuracy is a share in [0, 1], got {values[bad]}")
        setattr(history, key, values)
    if len(history.train_accuracies) != len(history.test_accuracies):
        raise SessionError(
            "history.train_accuracies: each epoch measures the accuracy on both sets, but it holds "
            f"{len(history.train_accuracies)} and history.test_accuracies {len(history.test_accuracies)}"
        )
    if len(history.test_accuracies) > len(history.test_losses):
        raise SessionError("history.test_accuracies: more values than history.test_losses")


def _references(value: Any) -> list[Reference]:
    """``references``: at most ``compare.MAX_REFERENCES`` runs kept for comparison, each ``{"name", "label",
    "train_losses", "test_losses"}`` (the label and the test losses optional)."""
    items = _list(value, "references")
    references = []
    try:
        check_count(len(items))
        for i, item in enumerate(items):
            path = f"references[{i}]"
            item = _object(item, path)
            reference = Reference(
                _string(_field(item, "name", path), f"{path}.name"),
                _string(item.get("label", ""), f"{path}.label"),
                _vector(_field(item, "train_losses", path), f"{path}.train_losses").tolist(),
                _vector(item.get("test_losses", []), f"{path}.test_losses").tolist(),
            )
            reference.validate(path)
            references.append(reference)
    except SessionError:
        raise
    except ValueError as error:
        raise SessionError(str(error)) from None
    return references


def _progress(obj: dict[str, Any], data: Dataset, training: TrainingSettings, history: LossHistory) -> tuple[int, int]:
    epoch = _integer(obj.get("epoch", 0), "progress.epoch", 0, None)
    batch = _integer(obj.get("batch", 0), "progress.batch", 0, history.steps)
    if batch:
        batches = batches_per_epoch(data, training.batch_size)
        if batch >= batches:
            raise SessionError(
                f"progress.batch: an epoch has only {batches} minibatches (0..{batches - 1}), got {batch}"
            )
    return epoch, batch


def _view(document: dict[str, Any], network: Network, samples: int, training: TrainingSettings) -> SessionView | None:
    """The optional ``position``, ``view``, ``breakpoints`` and ``quiz`` sections; None if there are none."""
    if not any(key in document for key in ("position", "view", "breakpoints", "quiz")):
        return None
    phase_count = len(phase_sequence(network.depth))
    view = SessionView()
    if "position" in document:
        view.position = _position(_object(document["position"], "position"), network, samples, training)
    settings = _object(document.get("view", {}), "view")
    if "selection" in settings:
        view.selection = _selection(_object(settings["selection"], "view.selection"), network)
    if "precision" in settings:
        view.precision = _integer(settings["precision"], "view.precision", MIN_DIGITS, MAX_DIGITS)
    if "neuron_value" in settings:
        view.neuron_value = _choice(settings["neuron_value"], "view.neuron_value", NEURON_VALUES, "neuron value")
    if "edge_mode" in settings:
        view.edge_mode = _choice(settings["edge_mode"], "view.edge_mode", EDGE_MODES, "edge mode")
    for key in ("presentation", "quiz_mode"):
        if key in settings:
            setattr(view, key, _boolean(settings[key], f"view.{key}"))
    if "breakpoints" in document:
        view.breakpoints = _settings(BreakpointSettings, document["breakpoints"], "breakpoints")
        if view.breakpoints.phases and max(view.breakpoints.phases) >= phase_count:
            raise SessionError(
                f"breakpoints.phases: phase {max(view.breakpoints.phases)} does not exist; this network's "
                f"phases are numbered 0..{phase_count - 1} (Forward 1 … Update)"
            )
    if "quiz" in document:
        view.quiz = _settings(QuizSettings, document["quiz"], "quiz")
    return view


class _FromDict(Protocol):
    """Settings read from a file section: ``BreakpointSettings`` or ``QuizSettings``."""

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Self: ...


_Settings = TypeVar("_Settings", bound=_FromDict)


def _settings(kind: type[_Settings], value: Any, path: str) -> _Settings:
    """``kind.from_dict(value)`` (breakpoint or quiz settings), its complaints as a SessionError."""
    try:
        _check_finite(value, path)
        return kind.from_dict(value, path)
    except (ValueError, TypeError) as error:
        message = str(error)  # may quote the bad value: keep it to a readable length
        raise SessionError(message if len(message) <= 200 else message[:199] + "…") from None
    except RecursionError:
        raise SessionError(f"{path}: lists or objects are nested too deeply") from None


def _check_finite(value: Any, path: str) -> None:
    """Raise naming the first NaN, infinity or out-of-range number anywhere in ``value``."""
    if isinstance(value, _NonFinite):
        raise SessionError(f"{path}: expected a number, got {_describe(value)}")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_finite(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_finite(item, f"{path}[{i}]")


def _position(obj: dict[str, Any], network: Network, samples: int, training: TrainingSettings) -> StepperPosition:
    """``{"sample": i, "phase": "Backward 2", "neurons": n, "before_update": [...], "optimizer_before": {...}}``,
    sample from 1; ``neurons`` (of the phase, shown so far) only when the phase is partly done;
    ``optimizer_before`` (the optimiser's state as the pass started) only at Update, if not fresh."""
    phases = phase_sequence(network.depth)
    labels = [step.label for step in phases]
    result = StepperPosition(sample=_integer(obj.get("sample", 1), "position.sample", 1, samples) - 1)
    if "phase" not in obj:
        if "neurons" in obj:
            raise SessionError('position.neurons: give the "phase" the neurons belong to as well')
    else:
        label = _string(obj["phase"], "position.phase")
        if label not in labels:
            raise SessionError(f"position.phase: this network has no phase {label!r} (phases: {', '.join(labels)})")
        index = labels.index(label)
        count = network.layer(phases[index].layer).size if phases[index].layer else 1
        shown = _integer(obj.get("neurons", count), "position.neurons", 1, count)
        result.position, result.revealed = (index + 1, 0) if shown == count else (index, shown)
    at_update = result.position == len(phases)
    if "before_update" in obj:
        if not at_update:
            raise SessionError(
                'position.before_update: only allowed at phase "Update" (before it, the network still holds '
                "the weights the pass started with); remove it"
            )
        result.before_update = _before_update(_list(obj["before_update"], "position.before_update"), network)
        before = obj.get("optimizer_before")
        result.state_before = _optimizer_state(before, "position.optimizer_before", network, training)
    elif at_update:
        raise SessionError(
            'position.before_update: missing; at phase "Update" the network holds the updated weights, so the file '
            "must also give w and b of every layer as the pass started"
        )
    if "optimizer_before" in obj and not at_update:
        raise SessionError('position.optimizer_before: only allowed at phase "Update"; remove it')
    return result


def _update_matches(position: StepperPosition, network: Network, data: Dataset, training: TrainingSettings) -> bool:
    """At Update: does the step from ``before_update`` still give the network's weights (within
    rounding)? A file trained further after it was saved at Update no longer does."""
    if position.before_update is None:
        return True
    start = network.copy()
    set_parameters(start, *position.before_update)
    rows = data.split()[0][position.sample : position.sample + 1]
    with np.errstate(all="ignore"):
        record = run_pass(start, data.inputs[rows].T, data.targets[rows].T)
        state = position.state_before or OptimizerState()
        update = compute_update(start, record, training.learning_rate, training.rule, state)
        weights, biases = update.weights, update.biases
    return all(
        np.allclose(weights[l], layer.weights, rtol=1e-9, atol=0)
        and np.allclose(biases[l], layer.biases, rtol=1e-9, atol=0)
        for l, layer in enumerate(network.layers, start=1)
    )


def _before_update(items: list[Any], network: Network) -> Parameters:
    if len(items) != network.depth:
        raise SessionError(f"position.before_update: expected one entry per layer ({network.depth}), got {len(items)}")
    weights, biases, previous = {}, {}, network.input_size
    for l, (item, layer) in enumerate(zip(items, network.layers, strict=True), start=1):
        path = f"position.before_update[{l - 1}]"
        item = _object(item, path)
        weights[l] = _matrix(_field(item, "weights", path), f"{path}.weights", layer.size, previous)
        if layer.has_bias:
            biases[l] = _vector(_field(item, "biases", path), f"{path}.biases", layer.size)
        else:
            biases[l] = _vector(item.get("biases", [0.0] * layer.size), f"{path}.biases", layer.size)
            if np.any(biases[l] != 0):
                raise SessionError(f"{path}.biases: must be all zeros (or left out): layer {l} has no bias")
        previous = layer.size
    return weights, biases


def _selection(obj: dict[str, Any], network: Network) -> tuple[int, int, int | None]:
    """``{"layer": l, "j": j}`` (a neuron) or ``{"layer": l, "j": j, "k": k}`` (the weight w_jk^l), j and k from 1."""
    sizes = network.sizes
    layer = _integer(_field(obj, "layer", "view.selection"), "view.selection.layer", 0, network.depth)
    j = _integer(_field(obj, "j", "view.selection"), "view.selection.j", 1, sizes[layer]) - 1
    if "k" not in obj:
        return layer, j, None
    if layer == 0:
        raise SessionError("view.selection.k: the inputs (layer 0) have no weights; leave k out to select x_j")
    return layer, j, _integer(obj["k"], "view.selection.k", 1, sizes[layer - 1]) - 1


# --- writing ----------------------------------------------------------------------------


def session_to_dict(session: Session, deferred: bool = False) -> dict[str, Any]:
    """The JSON document for ``session``; SessionError if any number is NaN or infinite. When
    ``deferred``, its large arrays are ``Base64Text`` for ``json_pieces`` (which writes the same text
    as ``json.dumps`` of the plain document), and no single step holds the interpreter for long."""
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": session.name}
    if session.description:
        document["description"] = session.description
    if session.note:
        document["note"] = session.note
    network, encode = session.network, _ArrayEncoder(deferred)
    layers = []
    for i, layer in enumerate(network.layers):
        path = f"network.layers[{i}]"
        spec: dict[str, Any] = {"size": layer.size, "activation": layer.activation, "bias": layer.has_bias}
        spec["weights"] = encode(layer.weights, f"{path}.weights")
        if layer.has_bias:
            spec["biases"] = encode(layer.biases, f"{path}.biases")
        layers.append(spec)
    features = {} if network.features is None else {"features": list(network.features)}
    document["network"] = {"input_size": network.input_size, **features, "loss": network.loss, "layers": layers}
    document["data"] = _encode_data(session.data, encode)
    t = session.training
    document["training"] = {
        "learning_rate": float(t.learning_rate),
        "batch_size": int(t.batch_size),
        "epochs": int(t.epochs),
        "shuffle": bool(t.shuffle),
        "seed": int(t.seed),
        **_encode_rule(t.rule),
    }
    h = session.history.decimated(MAX_SAVED_STEPS)
    if h.steps or h.epoch_losses or h.rate_changes:
        document["history"] = {
            "step_losses": encode(np.frombuffer(h.step_losses, dtype=float), "history.step_losses"),
            "epoch_losses": encode(_float_array(h.epoch_losses), "history.epoch_losses"),
            "validation_losses": encode(_float_array(h.validation_losses), "history.validation_losses"),
            "epoch_ends": _whole(encode(_float_array(h.epoch_ends), "history.epoch_ends")),
            "rate_changes": [[int(step), _finite(rate, "history.rate_changes")] for step, rate in h.rate_changes],
        }
        if h.dropped:
            document["history"]["dropped_steps"] = h.dropped
        if len(h.early_steps):
            early_steps = np.frombuffer(h.early_steps, dtype=np.int64).astype(float)
            document["history"]["early_steps"] = _whole(encode(early_steps, "history.early_steps"))
            document["history"]["early_losses"] = encode(np.frombuffer(h.early_losses), "history.early_losses")
        for key in ("test_losses", "train_accuracies", "test_accuracies"):
            if getattr(h, key):
                document["history"][key] = encode(_float_array(getattr(h, key)), f"history.{key}")
    state = _encode_state(session.optimizer_state, network, t, "progress.optimizer", encode)
    if session.epoch or session.batch or state:
        document["progress"] = {"epoch": int(session.epoch), "batch": int(session.batch)}
        if state:
            document["progress"]["optimizer"] = state
    if session.view is not None:
        document.update(_encode_view(session.view, network, t, encode))
    if session.references:
        document["references"] = [
            _encode_reference(r, f"references[{i}]", encode) for i, r in enumerate(session.references)
        ]
    return document


def _encode_reference(reference: Reference, path: str, encode: _ArrayEncoder) -> dict[str, Any]:
    """A reference's name, label and curves (its settings are not saved)."""
    encoded: dict[str, Any] = {"name": reference.name}
    if reference.label:
        encoded["label"] = reference.label
    encoded["train_losses"] = encode(_float_array(reference.train_losses), f"{path}.train_losses")
    if reference.test_losses:
        encoded["test_losses"] = encode(_float_array(reference.test_losses), f"{path}.test_losses")
    return encoded


def _encode_rule(rule: UpdateRule) -> dict[str, Any]:
    """The ``training`` fields of the update rule: optimizer and regularization always, the rest if set."""
    optimizer = rule.optimizer
    encoded: dict[str, Any] = {
        "optimizer": {"name": optimizer.name, **optimizer.applicable()},
        "regularization": {
            "kind": rule.regularization.kind,
            "lambda": _finite(rule.regularization.strength, "training.regularization.lambda"),
            "biases": bool(rule.regularization.biases),
        },
    }
    if rule.schedule != Schedule():
        schedule = rule.schedule
        encoded["schedule"] = {"kind": schedule.kind, "step_size": int(schedule.step_size), "gamma": schedule.gamma}
    if rule.clip_norm is not None:
        encoded["clip_norm"] = _finite(rule.clip_norm, "training.clip_norm")
    return encoded


def _encode_state(
    state: OptimizerState | None, network: Network, training: TrainingSettings, path: str, encode: _ArrayEncoder
) -> Any:
    """``state`` as the file stores it, or None when it is fresh, not of the optimiser in use, or
    without effect (the update count alone, of an optimiser without buffers at a constant η)."""
    if state is None or not state.t or (not state.buffers and training.rule.schedule.kind == "constant"):
        return None
    layout = parameter_layout(network)
    if current_state(state, training.rule.optimizer, layout.size) is not state:
        return None
    encoded: dict[str, Any] = {"name": state.name, "t": int(state.t)}
    if state.buffers:
        split = {key: layout.split(buffer) for key, buffer in state.buffers.items()}
        layers = []
        for l, layer in enumerate(network.layers, start=1):
            entry = {}
            for key, (weights, biases) in split.items():
                where = f"{path}.layers[{l - 1}].{key}"
                entry[key] = {"weights": encode(weights[l], f"{where}.weights")}
                if layer.has_bias:
                    entry[key]["biases"] = encode(biases[l], f"{where}.biases")
            layers.append(entry)
        encoded["layers"] = layers
    return encoded


def _encode_view(
    view: SessionView, network: Network, training: TrainingSettings, encode: _ArrayEncoder
) -> dict[str, Any]:
    """The ``position``, ``view``, ``breakpoints`` and ``quiz`` sections for what ``view`` states."""
    sections: dict[str, Any] = {}
    if view.position is not None:
        sections["position"] = _encode_position(view.position, network, training, encode)
    settings: dict[str, Any] = {}
    if view.selection is not None:
        layer, j, k = view.selection
        settings["selection"] = {"layer": int(layer), "j": int(j) + 1} | ({} if k is None else {"k": int(k) + 1})
    for key in ("precision", "neuron_value", "edge_mode", "presentation", "quiz_mode"):
        value = getattr(view, key)
        if value is not None:
            settings[key] = str(value) if isinstance(value, str) else value
    if settings:
        sections["view"] = settings
    if view.breakpoints is not None:
        sections["breakpoints"] = view.breakpoints.to_dict()
    if view.quiz is not None:
        sections["quiz"] = view.quiz.to_dict()
    return sections


def _encode_position(
    position: StepperPosition, network: Network, training: TrainingSettings, encode: _ArrayEncoder
) -> dict[str, Any]:
    phases = phase_sequence(network.depth)
    encoded: dict[str, Any] = {"sample": int(position.sample) + 1}
    if position.revealed:
        encoded["phase"] = phases[position.position].label
        encoded["neurons"] = int(position.revealed)
    elif position.position:
        encoded["phase"] = phases[position.position - 1].label
    if position.before_update is not None:
        weights, biases = position.before_update
        layers = []
        for l, layer in enumerate(network.layers, start=1):
            path = f"position.before_update[{l - 1}]"
            entry = {"weights": encode(weights[l], f"{path}.weights")}
            if layer.has_bias:
                entry["biases"] = encode(biases[l], f"{path}.biases")
            layers.append(entry)
        encoded["before_update"] = layers
        before = _encode_state(position.state_before, network, training, "position.optimizer_before", encode)
        if before:
            encoded["optimizer_before"] = before
    return encoded


def _encode_data(data: Dataset, encode: _ArrayEncoder) -> dict[str, Any]:
    if data.generator is not None:
        encoded: dict[str, Any] = {"generator": dict(data.generator)}
    else:
        encoded = {"inputs": encode(data.inputs, "data.inputs"), "targets": encode(data.targets, "data.targets")}
        if data.input_labels:
            encoded["input_labels"] = list(data.input_labels)
        if data.target_labels:
            encoded["target_labels"] = list(data.target_labels)
    if data.validation_fraction:
        encoded["validation_fraction"] = float(data.validation_fraction)
    if data.test_fraction:
        encoded["test_fraction"] = float(data.test_fraction)
    if data.split_seed:
        encoded["split_seed"] = int(data.split_seed)
    return encoded


def _finite(value: float, path: str) -> float:
    if not math.isfinite(value):
        raise SessionError(f"{path}: contains NaN or infinity; refusing to write it")
    return float(value)


class _ArrayEncoder:
    """Encodes the arrays of one file: nested lists of floats, or the compact base64 form for more
    than COMPACT_THRESHOLD numbers — and for every array once the file's list-form numbers would
    pass half of MAX_LISTED_NUMBERS, so that the reader's limit always holds. When ``deferred``,
    the compact form holds a ``Base64Text`` of the bytes, for ``json_pieces`` to encode piece by piece."""

    def __init__(self, deferred: bool = False) -> None:
        self.listed = 0
        self.deferred = deferred

    def __call__(self, values: np.ndarray, path: str) -> list[Any] | dict[str, Any]:
        values = np.asarray(values, dtype=float)
        if not np.all(np.isfinite(values)):
            raise SessionError(f"{path}: contains NaN or infinity; refusing to write it")
        if values.size > COMPACT_THRESHOLD or self.listed + values.size > MAX_LISTED_NUMBERS // 2:
            raw = np.ascontiguousarray(values, dtype="<f8").tobytes()
            text = Base64Text(raw) if self.deferred else base64.b64encode(raw).decode("ascii")
            return {"shape": list(values.shape), "float64_base64": text}
        self.listed += values.size
        nested: list[Any] = values.tolist()
        return nested


def _float_array(values: Sequence[float]) -> np.ndarray:
    """``values`` (a list of numbers) as float64, converted ``LIST_SLICE`` at a time: a list of a
    million epochs took tens of ms in one call, all that time holding the interpreter."""
    out = np.empty(len(values))
    for start in range(0, len(values), LIST_SLICE):
        out[start : start + LIST_SLICE] = values[start : start + LIST_SLICE]
    return out


def _whole(encoded: list[Any] | dict[str, Any]) -> list[Any] | dict[str, Any]:
    """A list-form vector of whole numbers written as integers (``epoch_ends``)."""
    return [int(v) for v in encoded] if isinstance(encoded, list) else encoded


def dumps(session: Session) -> str:
    """The session as JSON text: one field per line, each vector or matrix row on one line.
    SessionError when the text would be larger than a file may be (it could not be read back)."""
    text = format_json(session_to_dict(session, deferred=True)) + "\n"
    if len(text) > MAX_FILE_BYTES:  # ASCII but for names and notes: characters ≈ bytes
        raise SessionError(
            f"the session would be a {len(text) / 2**20:,.0f} MiB file, more than the {MAX_FILE_BYTES // 2**20} MiB "
            "a session file may have; use a smaller data set or network"
        )
    return text


def format_json(value: Any, depth: int = 0) -> str:
    """JSON text for people: one field per line, short lists and small matrices on one line.
    Floats keep every digit (they read back bit for bit); NaN and infinity raise SessionError.
    A ``Base64Text`` is written as its base64 string."""
    parts: list[str] = []
    _format_into(parts, value, depth)
    return "".join(parts)


def _format_into(parts: list[str], value: Any, depth: int) -> None:
    """Append ``format_json(value, depth)`` to ``parts`` in pieces (joined once: a long array's text
    is copied once, not once per level of the document)."""
    if isinstance(value, Base64Text):  # base64 needs no escaping
        parts += ('"', base64.b64encode(value.raw).decode("ascii"), '"')
        return
    if (
        not isinstance(value, dict | list)
        or not value
        or isinstance(value, list)
        and (all(not isinstance(v, dict | list) for v in value) or _fits_line(value, depth))
    ):  # a scalar, or a list on one line
        parts.append(_scalar(value))
        return
    inner = "  " * (depth + 1)
    parts.append("{\n" if isinstance(value, dict) else "[\n")
    items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    for i, (key, item) in enumerate(items):
        parts.append(",\n" + inner if i else inner)
        if key is not None:
            parts += (_scalar(key), ": ")
        _format_into(parts, item, depth + 1)
    parts += ("\n", "  " * depth, "}" if isinstance(value, dict) else "]")


def _fits_line(value: list[Any], depth: int) -> bool:
    """A short list of short lists of numbers (a small matrix) reads best on one line."""
    if any(not isinstance(v, list) or any(isinstance(x, dict | list) for x in v) for v in value):
        return False
    return len(_scalar(value)) <= LINE_WIDTH - 2 * depth


def _scalar(value: Any) -> str:
    """JSON for a number, string or list of them. A string with a lone surrogate (which UTF-8
    cannot hold, e.g. from a file name in an unknown encoding) is written \\u-escaped, so it
    reads back the same."""
    try:
        return json.dumps(value, ensure_ascii=not _utf8(value), allow_nan=False)
    except ValueError:
        raise SessionError("refusing to write NaN or infinity") from None


def _utf8(value: Any) -> bool:
    """Whether the strings in ``value`` (a scalar or a list) can be written as UTF-8."""
    if isinstance(value, list):
        return all(_utf8(v) for v in value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True


def save_session(session: Session, path: str | os.PathLike[str]) -> None:
    """Write ``session`` to ``path`` atomically: a temporary file in the same folder, fsync,
    then ``os.replace``, so a crash at any moment leaves either the old or the new file whole.
    Raises SessionError (a NaN or infinite number) before touching the disk, OSError on write."""
    write_atomic(Path(path), dumps(session).encode("utf-8"))
