"""Data sets: samples as rows, ``inputs`` (N, n_0) and ``targets`` (N, n_L), float64.

Built-in generators (``GENERATORS``, ``generate``) are reproducible from a seed, so a
session can store the recipe instead of the numbers. ``read_csv`` imports a CSV file
with clear messages naming the line and column of anything wrong.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from backprop_gui.core.files import FileRefused, read_regular_file
from backprop_gui.core.formatting import counted
from backprop_gui.core.network import MAX_SEED, Network

MAX_SAMPLES = 1_000_000
MAX_CLASSES = 10
MAX_VALIDATION_FRACTION = 0.9  # the share of samples a validation split may hold back
SPLIT_STREAM = 2**31 + 1  # tags the random stream of the train/test split (the validation split's is 2**31)
MAX_CSV_BYTES = 512 * 1024 * 1024
MAX_ONE_HOT_CLASSES = 1000  # distinct labels a CSV class column may have: one output neuron each
MAX_DATA_NUMBERS = 50_000_000  # inputs and targets together (400 MB as float64)


class DatasetError(ValueError):
    """A data set that cannot be made or read; the message names what is wrong and where."""


@dataclass
class Dataset:
    """Samples as rows. ``generator`` names the built-in generator and its settings
    (``{"name": "moons", "samples": 200, "noise": 0.1, "seed": 0}``) when the data came
    from one, so a session can store the recipe instead of the numbers.

    ``test_fraction`` of the samples, drawn by ``split_seed``, are test data (``split``): never
    trained on, only measured."""

    inputs: np.ndarray
    targets: np.ndarray
    generator: dict[str, Any] | None = None
    validation_fraction: float = 0.0
    input_labels: list[str] = field(default_factory=list)
    target_labels: list[str] = field(default_factory=list)
    test_fraction: float = 0.0
    split_seed: int = 0
    _split: tuple[tuple[int, float, int], tuple[np.ndarray, np.ndarray]] | None = field(
        default=None, init=False, repr=False, compare=False
    )  # the last split drawn, by (N, test_fraction, split_seed)

    def __len__(self) -> int:
        return len(self.inputs)

    def split(self) -> tuple[np.ndarray, np.ndarray]:
        """(training rows, test rows), each ascending and read-only: ``split_indices`` of this data's
        split (kept until N, the fraction or the seed change, so asking often costs nothing)."""
        key = (len(self), self.test_fraction, self.split_seed)
        if self._split is None or self._split[0] != key:
            rows = split_indices(*key)
            for part in rows:
                part.setflags(write=False)
            self._split = (key, rows)
        return self._split[1]

    @property
    def input_size(self) -> int:
        """n_0 the data needs: numbers per sample in ``inputs``."""
        return int(self.inputs.shape[1])

    @property
    def target_size(self) -> int:
        """n_L the data needs: numbers per sample in ``targets``."""
        return int(self.targets.shape[1])


def check_split(test_fraction: float, split_seed: int, where: str = "data") -> None:
    """Raise ValueError naming ``where``.test_fraction or ``where``.split_seed when out of range."""
    if not (math.isfinite(test_fraction) and 0.0 <= test_fraction < 1.0):
        raise ValueError(f"{where}.test_fraction: must be in 0 (included) to 1 (excluded), got {test_fraction}")
    if not 0 <= split_seed <= MAX_SEED:
        raise ValueError(f"{where}.split_seed: must be in 0..{MAX_SEED:,}, got {split_seed:,}")


def held_out_count(n: int, fraction: float) -> int:
    """How many of ``n`` samples a split holding back ``fraction`` of them takes: round(n · fraction),
    but at most n − 1 (the rest keeps a sample)."""
    return min(int(round(n * fraction)), n - 1) if fraction > 0 and n > 1 else 0


def split_indices(n: int, test_fraction: float, split_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, test rows) of ``n`` samples, each ascending: round(n · test_fraction) test
    samples (at most n − 1, so that training keeps one), drawn from ``split_seed`` alone.

    Sample i draws the number u_i from the seed's stream; the test samples are those with the
    smallest u_i. The stream does not depend on n, so appending samples moves at most one earlier
    sample between the sets.
    """
    check_split(test_fraction, split_seed)
    count = held_out_count(n, test_fraction)
    if not count:
        return np.arange(n), np.zeros(0, dtype=int)
    draws = np.random.default_rng([split_seed, SPLIT_STREAM]).random(n)
    order = np.argsort(draws, kind="stable")
    return np.sort(order[count:]), np.sort(order[:count])


def check_fits(dataset: Dataset, network: Network) -> None:
    """Raise DatasetError if the data's input or target width differs from the network's n_0 (the
    raw inputs its features need, if it has features) or n_L."""
    if network.features is not None and dataset.input_size != network.raw_input_size:
        raise DatasetError(
            f"the data has {counted(dataset.input_size, 'input')} per sample but the network's features "
            f"({', '.join(network.features)}) need {network.raw_input_size} raw inputs, x1 and x2"
        )
    if dataset.input_size != network.raw_input_size:
        raise DatasetError(
            f"the data has {counted(dataset.input_size, 'input')} per sample but the network's input layer "
            f"has {counted(network.input_size, 'neuron')} (n_0 = {network.input_size})"
        )
    n_out = network.layers[-1].size
    if dataset.target_size != n_out:
        raise DatasetError(
            f"the data has {counted(dataset.target_size, 'target')} per sample but the network's output layer "
            f"has {counted(n_out, 'neuron')} (n_L = {n_out})"
        )


# --- built-in generators --------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One setting of a generator: its type (int or float), default and allowed range."""

    name: str
    kind: type
    default: int | float
    low: int | float
    high: int | float
    help: str

    def check(self, value: Any, generator: str) -> int | float:
        """``value`` if it is a number of the right kind in range, else DatasetError."""
        where = f"{generator} {self.name}"
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise DatasetError(f"{where}: expected a number, got {type(value).__name__}")
        number: int | float
        if self.kind is int:
            if not float(value).is_integer():
                raise DatasetError(f"{where}: expected a whole number, got {value}")
            number = int(value)
        else:
            number = float(value)
        if not (self.low <= number <= self.high):
            raise DatasetError(f"{where}: must be in {self.low}..{self.high}, got {number}")
        return number


def _samples(default: int) -> Param:
    return Param("samples", int, default, 2, MAX_SAMPLES, "number of samples N")


def _noise(default: float, high: float, help: str) -> Param:
    return Param("noise", float, default, 0.0, high, help)


def _point_noise(default: float) -> Param:
    return _noise(default, 1.0, "standard deviation of the noise added to each point")


_SEED = Param("seed", int, 0, 0, MAX_SEED, "random seed; the same seed gives the same data")


def _classes(default: int) -> Param:
    return Param("classes", int, default, 2, MAX_CLASSES, "number of classes")


@dataclass(frozen=True)
class Generator:
    """A built-in data set: a one-line description, its settings, and how to make it.

    ``make(rng, **settings)`` returns (inputs (N, n_0), class labels (N,) or targets (N, n_L)).
    """

    name: str
    description: str
    params: tuple[Param, ...]
    make: Callable[..., tuple[np.ndarray, np.ndarray]]
    input_size: int = 2
    classification: bool = True

    def target_size(self, settings: dict[str, Any]) -> int:
        """n_L the generated targets need for ``settings`` (one 0/1 column for two classes)."""
        classes = settings.get("classes", 2) if self.classification else 1
        return 1 if classes <= 2 else classes

    def settings(self, given: dict[str, Any]) -> dict[str, Any]:
        """Every setting, checked, with defaults filled in; DatasetError names a bad or unknown one."""
        known = {p.name: p for p in self.params}
        unknown = [key for key in given if key not in known]
        if unknown:
            names = ", ".join(known) or "none"
            raise DatasetError(f"{self.name}: unknown setting {unknown[0]!r} (known: {names})")
        settings = {p.name: p.check(given.get(p.name, p.default), self.name) for p in self.params}
        if settings.get("samples", 0) and settings["samples"] < settings.get("classes", 2):
            raise DatasetError(f"{self.name} samples: must be at least classes ({settings['classes']})")
        return settings


def _logic(outputs: tuple[int, int, int, int]) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    def make(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array(outputs, dtype=float)

    return make


def _split(samples: int, classes: int) -> np.ndarray:
    """Class of each sample, as even as possible: (N,) ints in data order."""
    return np.arange(samples) % classes


def _moons(rng: np.random.Generator, samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.permutation(_split(samples, 2))
    angle = rng.uniform(0.0, np.pi, samples)
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)])
    points = np.where(labels[:, None] == 0, upper, lower)
    return points + rng.normal(0.0, noise, points.shape), labels


def _circles(rng: np.random.Generator, samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.permutation(_split(samples, 2))
    angle = rng.uniform(0.0, 2 * np.pi, samples)
    radius = np.where(labels == 0, 1.0, 0.5)
    points = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return points + rng.normal(0.0, noise, points.shape), labels


def _spirals(
    rng: np.random.Generator, samples: int, noise: float, seed: int, classes: int
) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.permutation(_split(samples, classes))
    radius = rng.uniform(0.05, 1.0, samples)
    angle = 2 * np.pi * labels / classes + 3.5 * radius
    points = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return points + rng.normal(0.0, noise, points.shape), labels


def _blobs(
    rng: np.random.Generator, samples: int, noise: float, seed: int, classes: int
) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.permutation(_split(samples, classes))
    angle = 2 * np.pi * labels / classes
    centres = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    return centres + rng.normal(0.0, noise, centres.shape), labels


def _sine(rng: np.random.Generator, samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.sort(rng.uniform(-np.pi, np.pi, samples))
    return x[:, None], (np.sin(x) + rng.normal(0.0, noise, samples))[:, None]


GENERATORS: dict[str, Generator] = {
    g.name: g
    for g in (
        Generator("xor", "XOR of two bits: 4 samples, not linearly separable", (), _logic((0, 1, 1, 0))),
        Generator("and", "AND of two bits: 4 samples, linearly separable", (), _logic((0, 0, 0, 1))),
        Generator("or", "OR of two bits: 4 samples, linearly separable", (), _logic((0, 1, 1, 1))),
        Generator(
            "moons",
            "two interleaving half circles in the plane, 2 classes",
            (_samples(200), _point_noise(0.1), _SEED),
            _moons,
        ),
        Generator(
            "circles",
            "a small circle inside a large one, 2 classes",
            (_samples(200), _point_noise(0.05), _SEED),
            _circles,
        ),
        Generator(
            "spirals",
            "arms of a spiral winding around the origin, one class per arm",
            (
                _samples(300),
                _point_noise(0.02),
                _SEED,
                _classes(2),
            ),
            _spirals,
        ),
        Generator(
            "blobs",
            "Gaussian clouds around points on a circle, one class per cloud",
            (_samples(150), _noise(0.6, 3.0, "standard deviation of each cloud"), _SEED, _classes(3)),
            _blobs,
        ),
        Generator(
            "sine",
            "regression: t = sin(x) + noise for x in [−π, π]",
            (_samples(40), _noise(0.05, 1.0, "standard deviation of the noise added to t"), _SEED),
            _sine,
            input_size=1,
            classification=False,
        ),
    )
}


def generate(name: str, **settings: Any) -> Dataset:
    """The built-in data set ``name`` made with ``settings`` (see ``GENERATORS[name].params``).

    The result's ``generator`` holds the full recipe (name and every setting), so
    ``generate(**dataset.generator)`` makes the same numbers again.
    """
    generator = GENERATORS.get(name) if isinstance(name, str) else None
    if generator is None:
        raise DatasetError(f"unknown data set {name!r} (known: {', '.join(GENERATORS)})")
    settings = generator.settings(settings)
    rng = np.random.default_rng(settings.get("seed", 0))
    inputs, out = generator.make(rng, **settings)
    if generator.classification:
        classes = settings.get("classes", 2)
        targets = _one_hot(out.astype(int), classes) if classes > 2 else out.astype(float)[:, None]
        target_labels = [f"class {c + 1}" for c in range(classes)] if classes > 2 else ["t"]
    else:
        targets, target_labels = out, ["t"]
    input_labels = [f"x_{k + 1}" for k in range(inputs.shape[1])]
    return Dataset(
        np.ascontiguousarray(inputs, dtype=float),
        np.ascontiguousarray(targets, dtype=float),
        {"name": name, **settings},
        input_labels=input_labels,
        target_labels=target_labels,
    )


def _one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    """(N,) class indices → (N, classes) rows of 0s with a 1 at the class."""
    targets = np.zeros((len(labels), classes))
    targets[np.arange(len(labels)), labels] = 1.0
    return targets


# --- CSV import -------------------------------------------------------------------------

Column = int | str


def read_csv(
    path_or_text: str | os.PathLike[str],
    input_columns: Sequence[Column],
    target_columns: Sequence[Column] = (),
    header: bool | str = "auto",
    standardise: bool = False,
    one_hot_column: Column | None = None,
    delimiter: str = ",",
) -> Dataset:
    """A data set from CSV: a path (``Path`` or a ``str`` without a newline) or the text itself.

    Columns are named by header name or by 0-based index. ``header`` is True, False or
    "auto" (``looks_like_header``). ``standardise`` rescales
    each input column to mean 0 and standard deviation 1. ``one_hot_column`` holds class
    labels (any text) that become one-hot target columns after ``target_columns``.
    Errors (DatasetError) name the file, line and column.
    """
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise DatasetError(f"the delimiter must be one character, got {delimiter!r}")
    text, source = _csv_text(path_or_text)
    try:
        return _parse_csv(text, input_columns, target_columns, header, standardise, one_hot_column, delimiter)
    except DatasetError as error:
        raise DatasetError(f"{source}: {error}" if source else str(error)) from None


def _csv_text(path_or_text: str | os.PathLike[str]) -> tuple[str, str]:
    """(text, where it came from: the path, or "" for text given directly)."""
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        return path_or_text, ""
    path = Path(path_or_text)
    try:
        return read_regular_file(path, MAX_CSV_BYTES).decode("utf-8-sig"), str(path)
    except FileRefused as error:
        raise DatasetError(f"{path}: {error}") from None
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise DatasetError(f"{path}: not a text file (expected UTF-8 CSV)") from None
    except OSError as error:
        raise DatasetError(f"{path}: cannot read the file ({error.strerror or error})") from None


def _parse_csv(
    text: str,
    input_columns: Sequence[Column],
    target_columns: Sequence[Column],
    header: bool | str,
    standardise: bool,
    one_hot_column: Column | None,
    delimiter: str,
) -> Dataset:
    try:
        rows = [(number, row) for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)]
    except csv.Error as error:
        raise DatasetError(f"not readable as CSV ({error})") from None
    rows = [(number, [cell.strip() for cell in row]) for number, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise DatasetError("the file is empty (no rows of data)")
    if header == "auto":
        header = looks_like_header([row for _, row in rows[:2]])
    names = rows[0][1] if header else [f"column {k + 1}" for k in range(len(rows[0][1]))]
    body = rows[1:] if header else rows
    if not body:
        raise DatasetError("the file has a header but no rows of data")
    check_size(len(body), 0)
    width = len(names)
    for number, row in body:
        if len(row) != width:
            raise DatasetError(f"line {number}: expected {width} cells like the first line, found {len(row)}")
    inputs_at = [_column_index(c, names) for c in input_columns]
    targets_at = [_column_index(c, names) for c in target_columns]
    class_at = None if one_hot_column is None else _column_index(one_hot_column, names)
    if not inputs_at:
        raise DatasetError("choose at least one input column")
    if not targets_at and class_at is None:
        raise DatasetError("choose at least one target column or a class column")
    used = inputs_at + targets_at + ([class_at] if class_at is not None else [])
    twice = next((k for k in used if used.count(k) > 1), None)
    if twice is not None:
        raise DatasetError(f"column {names[twice]!r} is chosen more than once")

    def numbers(columns: list[int]) -> np.ndarray:
        values = np.empty((len(body), len(columns)))
        for i, (number, row) in enumerate(body):
            for c, k in enumerate(columns):
                value = _number(row[k])
                if value is None:
                    raise DatasetError(f"line {number}, column {k + 1} ({names[k]}): {row[k]!r} is not a number")
                if not math.isfinite(value):
                    raise DatasetError(f"line {number}, column {k + 1} ({names[k]}): {row[k]!r} is not finite")
                values[i, c] = value
        return values

    classes = [] if class_at is None else _class_names([row[class_at] for _, row in body])
    if class_at is not None and len(classes) > MAX_ONE_HOT_CLASSES:
        raise DatasetError(
            f"the class column {names[class_at or 0]!r} has {len(classes):,} different labels; at most "
            f"{MAX_ONE_HOT_CLASSES:,} classes (one output neuron each) can be one-hot encoded"
        )
    check_size(len(body), len(inputs_at) + len(targets_at) + len(classes))
    inputs, targets = numbers(inputs_at), numbers(targets_at)
    target_labels = [names[k] for k in targets_at]
    if class_at is not None:
        index = {name: c for c, name in enumerate(classes)}
        labels = np.array([index[row[class_at]] for _, row in body])
        targets = np.hstack([targets, _one_hot(labels, len(classes))])
        target_labels += classes
    if standardise:
        scale = inputs.std(axis=0)
        inputs = (inputs - inputs.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    return Dataset(inputs, targets, input_labels=[names[k] for k in inputs_at], target_labels=target_labels)


def looks_like_header(rows: Sequence[Sequence[str]]) -> bool:
    """Whether the first of ``rows`` (the first two rows of a CSV, as cells) is a header: it has a
    text cell where the next row has a number (or there is no next row). Text above text is data, so
    a headerless file whose class column holds text keeps its first sample."""
    if not rows:
        return False
    first = rows[0]
    below = rows[1] if len(rows) > 1 else None
    for k, cell in enumerate(first):
        if _number(cell) is not None:
            continue
        if below is None or k >= len(below) or _number(below[k]) is not None:
            return True
    return False


def text_columns(rows: Sequence[Sequence[str]]) -> set[int]:
    """The columns of ``rows`` (rows of a CSV below its header, as cells) that hold words, not numbers:
    no cell of theirs is a number, blanks aside (class names, ids). A column of numbers with a typo
    in it is not one: reading it as numbers names the typo."""
    words = {k for row in rows for k, cell in enumerate(row) if cell.strip() and _number(cell) is None}
    return words - {k for row in rows for k, cell in enumerate(row) if _number(cell) is not None}


def check_size(samples: int, columns: int) -> None:
    """Raise DatasetError before allocating a data set of ``samples`` rows of ``columns`` numbers
    (inputs and targets together) larger than the limits."""
    if samples > MAX_SAMPLES:
        raise DatasetError(f"{samples:,} samples is more than the {MAX_SAMPLES:,} allowed")
    if samples * columns > MAX_DATA_NUMBERS:
        raise DatasetError(
            f"{samples:,} samples of {columns:,} numbers is more than the {MAX_DATA_NUMBERS:,} numbers "
            "a data set may hold"
        )


def _number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def _column_index(column: Column, names: list[str]) -> int:
    if isinstance(column, bool) or not isinstance(column, int | str):
        raise DatasetError(f"a column is named by its header or its index, got {column!r}")
    if isinstance(column, int):
        if not 0 <= column < len(names):
            raise DatasetError(f"column index {column} does not exist (the file has columns 0..{len(names) - 1})")
        return column
    if column not in names:
        raise DatasetError(f"unknown column {column!r} (columns: {', '.join(names)})")
    return names.index(column)


def _class_names(cells: list[str]) -> list[str]:
    """The distinct class labels, in numeric order when all are numbers, else alphabetical."""
    distinct = set(cells)
    if all(_number(c) is not None for c in distinct):
        return sorted(distinct, key=lambda c: float(c))
    return sorted(distinct)
