"""Edits of a session, each one exactly reversible: of its network, a training setting, the data or the note.

Every edit is a small object with one protocol: ``check(session)`` raises ValueError naming
what is wrong (and changes nothing), ``do(session)`` checks and then makes the change,
recording what it replaced, and ``undo(session)`` puts that back bit for bit. ``text`` names
the edit for people ("set w_12^2 = 0.5"). Network edits act on ``session.network``. Layers
are numbered 1..L as users see them; neuron indices ``j``, ``k`` are 0-based (shown 1-based).

Edits never write into an existing array: they build a new one and assign it, as the
stepper and the trainer do, so arrays held elsewhere (a pass in progress, a history)
are never changed behind their owner's back.

Besides the network: a training setting (``SetTrainingSetting``), the update rule, the data
set with the input/output layer resized to fit it (``SetData``), and the note (``SetNote``,
whose consecutive edits merge into one undo step). ``core.undo.UndoStack`` keeps them in order.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.datasets import MAX_VALIDATION_FRACTION, Dataset, check_fits, check_split
from backprop_gui.core.features import FEATURES, RAW_INPUT_SIZE, check_features
from backprop_gui.core.formatting import MAX_DIGITS, format_number
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.network import (
    INIT_SCHEMES,
    MAX_PARAMETERS,
    Layer,
    Network,
    initial_weights,
    output_conflict,
    reinitialise,
)
from backprop_gui.core.optimizers import HYPERPARAMETERS, OptimizerState, UpdateRule

if TYPE_CHECKING:
    from backprop_gui.core.session import Session

MAX_LAYER_SIZE = 4096


def weight_name(layer: int, j: int, k: int) -> str:
    """``w_jk^l`` for 0-based j, k: "w_12^2"; indices of 10 or more are separated: "w_10,2^2"."""
    sep = "," if j >= 9 or k >= 9 else ""
    return f"w_{j + 1}{sep}{k + 1}^{layer}"


def bias_name(layer: int, j: int) -> str:
    """``b_j^l`` for a 0-based j: "b_1^2"."""
    return f"b_{j + 1}^{layer}"


def parse_value(text: str) -> float:
    """The finite number written in ``text`` ("−0.5", "-0,5", "1e-3"); ValueError saying why otherwise."""
    cleaned = text.strip().replace("−", "-")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma: "0,5"
    if not cleaned:
        raise ValueError("enter a number")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()} is not allowed: the value must be a finite number")
    return value


class Edit(ABC):
    """One reversible change of a session: of its network (``session.network``), a training
    setting, the data or the note."""

    # False for an edit that leaves the network, the training and the data alone (the note):
    # a running training need not pause for it.
    pauses_training: ClassVar[bool] = True

    @property
    @abstractmethod
    def text(self) -> str:
        """What the edit does, for an Undo menu item: "set w_12^2 = 0.5"."""

    @abstractmethod
    def check(self, session: Session) -> None:
        """Raise ValueError naming what is wrong if this edit cannot be made on ``session``."""

    def do(self, session: Session) -> None:
        """Check, then make the change in ``session`` and remember what it replaced."""
        self.check(session)
        self._do(session)

    @abstractmethod
    def _do(self, session: Session) -> None: ...

    @abstractmethod
    def undo(self, session: Session) -> None:
        """Take the last ``do`` back exactly."""

    def merge(self, following: Edit) -> bool:
        """Take ``following``, done right after this edit, into it, so that one undo takes both
        back; False (the default) when the two stay separate steps."""
        return False

    @property
    def changes_nothing(self) -> bool:
        """True when the edit, once done (and merged), leaves the session as it found it."""
        return False


# --- checks shared by several edits ------------------------------------------------


def _check_layer(network: Network, layer: int) -> None:
    if not 1 <= layer <= network.depth:
        raise ValueError(f"layer {layer} does not exist (layers are 1..{network.depth})")


def _check_hidden(network: Network, layer: int, what: str) -> None:
    _check_layer(network, layer)
    if layer == network.depth:
        raise ValueError(
            f"cannot {what}: layer {layer} is the output layer, whose size is fixed by the data's targets "
            f"({network.layer(layer).size})"
        )


def _check_size(size: int) -> None:
    if not isinstance(size, int | np.integer) or isinstance(size, bool):
        raise ValueError(f"a layer size must be a whole number, got {size!r}")
    if size < 1:
        raise ValueError(f"a layer needs at least 1 neuron, got {size}")
    if size > MAX_LAYER_SIZE:
        raise ValueError(f"a layer may have at most {MAX_LAYER_SIZE} neurons, got {size}")


def _check_budget(parameters: int) -> None:
    if parameters > MAX_PARAMETERS:
        raise ValueError(f"the network would have {parameters:,} parameters, more than the {MAX_PARAMETERS:,} allowed")


def _check_activation(network: Network, layer: int, name: str, output: bool) -> None:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r} (known: {', '.join(ACTIVATIONS)})")
    if ACTIVATIONS[name].output_only and not output:
        raise ValueError(
            f"{name} is only allowed on the output layer (layer {network.depth}); layer {layer} is a hidden layer"
        )


def _check_init(init: str, seed: int) -> None:
    if init not in INIT_SCHEMES:
        raise ValueError(f"unknown initialisation {init!r} (known: {', '.join(INIT_SCHEMES)})")
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"the seed must be a whole number 0 or more, got {seed!r}")


def _layer_parameters(n_out: int, n_in: int, has_bias: bool) -> int:
    return n_out * n_in + (n_out if has_bias else 0)


# --- the edits ----------------------------------------------------------------------


@dataclass
class SetParameter(Edit):
    """Set w_jk^l (``k`` given) or b_j^l (``k`` None) to ``value``."""

    layer: int
    j: int
    k: int | None
    value: float
    _old: float = field(default=0.0, init=False, repr=False)

    @property
    def name(self) -> str:
        return bias_name(self.layer, self.j) if self.k is None else weight_name(self.layer, self.j, self.k)

    @property
    def text(self) -> str:
        return f"set {self.name} = {format_number(self.value, MAX_DIGITS)}"

    def check(self, session: Session) -> None:
        network = session.network
        _check_layer(network, self.layer)
        target = network.layer(self.layer)
        if not 0 <= self.j < target.size:
            raise ValueError(f"layer {self.layer} has no neuron {self.j + 1} (it has {target.size})")
        if self.k is None:
            if not target.has_bias:
                raise ValueError(
                    f"layer {self.layer} has no bias (b^{self.layer} is fixed at 0); turn its bias on first"
                )
        elif not 0 <= self.k < target.weights.shape[1]:
            raise ValueError(f"layer {self.layer - 1} has no neuron {self.k + 1} (it has {target.weights.shape[1]})")
        if not isinstance(self.value, int | float | np.number) or not math.isfinite(self.value):
            raise ValueError(f"{self.name} must be a finite number, got {self.value!r}")

    def _do(self, session: Session) -> None:
        target = session.network.layer(self.layer)
        if self.k is None:
            self._old = float(target.biases[self.j])
            target.biases = _with(target.biases, self.j, float(self.value))
        else:
            self._old = float(target.weights[self.j, self.k])
            target.weights = _with(target.weights, (self.j, self.k), float(self.value))

    def undo(self, session: Session) -> None:
        target = session.network.layer(self.layer)
        if self.k is None:
            target.biases = _with(target.biases, self.j, self._old)
        else:
            target.weights = _with(target.weights, (self.j, self.k), self._old)


def _with(array: np.ndarray, index: int | tuple[int, int], value: float) -> np.ndarray:
    new = array.copy()
    new[index] = value
    return new


@dataclass
class SetActivation(Edit):
    """Make ``activation`` the activation f_l of layer ``layer``."""

    layer: int
    activation: str
    _old: str = field(default="", init=False, repr=False)

    @property
    def text(self) -> str:
        return f"set activation of layer {self.layer} to {self.activation}"

    def check(self, session: Session) -> None:
        network = session.network
        _check_layer(network, self.layer)
        _check_activation(network, self.layer, self.activation, output=self.layer == network.depth)
        conflict = output_conflict(network.loss, self.activation) if self.layer == network.depth else None
        if conflict:
            raise ValueError(f"the loss {conflict}, not {self.activation}: change the loss first")

    def _do(self, session: Session) -> None:
        target = session.network.layer(self.layer)
        self._old, target.activation = target.activation, self.activation

    def undo(self, session: Session) -> None:
        session.network.layer(self.layer).activation = self._old


@dataclass
class SetLoss(Edit):
    """Make ``loss`` the network's loss C."""

    loss: str
    _old: str = field(default="", init=False, repr=False)

    @property
    def text(self) -> str:
        return f"set loss to {self.loss}"

    def check(self, session: Session) -> None:
        network = session.network
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r} (known: {', '.join(LOSSES)})")
        output = network.layers[-1].activation
        conflict = output_conflict(self.loss, output)
        if conflict:
            raise ValueError(f"{conflict}, but layer {network.depth} is {output}: change its activation first")

    def _do(self, session: Session) -> None:
        network = session.network
        self._old, network.loss = network.loss, self.loss

    def undo(self, session: Session) -> None:
        session.network.loss = self._old


@dataclass
class ToggleBias(Edit):
    """Switch layer ``layer``'s bias off (b^l fixed at 0) or back on (starting from 0)."""

    layer: int
    _old: np.ndarray | None = field(default=None, init=False, repr=False)
    _was_on: bool = field(default=True, init=False, repr=False)

    @property
    def text(self) -> str:
        return f"toggle bias of layer {self.layer}"

    def check(self, session: Session) -> None:
        _check_layer(session.network, self.layer)

    def _do(self, session: Session) -> None:
        target = session.network.layer(self.layer)
        self._was_on, self._old = target.has_bias, target.biases
        target.has_bias = not target.has_bias
        target.biases = np.zeros(target.size)

    def undo(self, session: Session) -> None:
        assert self._old is not None, "undo before do"
        target = session.network.layer(self.layer)
        target.has_bias, target.biases = self._was_on, self._old


@dataclass
class Reinitialise(Edit):
    """Draw every weight anew by ``init`` and ``seed`` and set every bias to 0."""

    init: str = "xavier"
    seed: int = 0
    _old: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list, init=False, repr=False)

    @property
    def text(self) -> str:
        return f"re-initialise weights ({self.init}, seed {self.seed})"

    def check(self, session: Session) -> None:
        _check_init(self.init, self.seed)

    def _do(self, session: Session) -> None:
        network = session.network
        self._old = [(layer.weights, layer.biases) for layer in network.layers]
        reinitialise(network, self.init, int(self.seed))

    def undo(self, session: Session) -> None:
        for layer, (weights, biases) in zip(session.network.layers, self._old, strict=True):
            layer.weights, layer.biases = weights, biases


@dataclass
class AddNeuron(Edit):
    """Append a neuron to hidden layer ``layer``: a new row of w^l, b = 0, a new column of w^{l+1}.

    The new weights are drawn by ``init`` from ``seed`` for the grown shapes.
    """

    layer: int
    init: str = "xavier"
    seed: int = 0

    @property
    def text(self) -> str:
        return f"add a neuron to layer {self.layer}"

    def check(self, session: Session) -> None:
        network = session.network
        _check_hidden(network, self.layer, "add a neuron")
        _check_init(self.init, self.seed)
        target, after = network.layer(self.layer), network.layer(self.layer + 1)
        _check_size(target.size + 1)
        _check_budget(network.num_parameters + target.weights.shape[1] + int(target.has_bias) + after.size)

    def _do(self, session: Session) -> None:
        network = session.network
        target, after = network.layer(self.layer), network.layer(self.layer + 1)
        n, n_in = target.size, target.weights.shape[1]
        rng = np.random.default_rng(int(self.seed))
        row = initial_weights(n + 1, n_in, self.init, rng)[-1:]
        column = initial_weights(after.size, n + 1, self.init, rng)[:, -1:]
        target.weights = np.vstack([target.weights, row])
        target.biases = np.append(target.biases, 0.0)
        after.weights = np.hstack([after.weights, column])

    def undo(self, session: Session) -> None:
        network = session.network
        target, after = network.layer(self.layer), network.layer(self.layer + 1)
        target.weights = target.weights[:-1].copy()
        target.biases = target.biases[:-1].copy()
        after.weights = after.weights[:, :-1].copy()


@dataclass
class RemoveNeuron(Edit):
    """Remove neuron ``j`` (0-based) of hidden layer ``layer``: row j of w^l, b_j^l, column j of w^{l+1}."""

    layer: int
    j: int
    _removed: tuple[np.ndarray, float, np.ndarray] | None = field(default=None, init=False, repr=False)

    @property
    def text(self) -> str:
        return f"remove neuron {self.j + 1} of layer {self.layer}"

    def check(self, session: Session) -> None:
        network = session.network
        _check_hidden(network, self.layer, "remove a neuron")
        target = network.layer(self.layer)
        if not 0 <= self.j < target.size:
            raise ValueError(f"layer {self.layer} has no neuron {self.j + 1} (it has {target.size})")
        if target.size == 1:
            raise ValueError(f"cannot remove the only neuron of layer {self.layer}: a layer needs at least 1 neuron")

    def _do(self, session: Session) -> None:
        network = session.network
        target, after = network.layer(self.layer), network.layer(self.layer + 1)
        self._removed = (target.weights[self.j].copy(), float(target.biases[self.j]), after.weights[:, self.j].copy())
        target.weights = np.delete(target.weights, self.j, axis=0)
        target.biases = np.delete(target.biases, self.j)
        after.weights = np.delete(after.weights, self.j, axis=1)

    def undo(self, session: Session) -> None:
        network = session.network
        assert self._removed is not None, "undo before do"
        row, bias, column = self._removed
        target, after = network.layer(self.layer), network.layer(self.layer + 1)
        target.weights = np.insert(target.weights, self.j, row, axis=0)
        target.biases = np.insert(target.biases, self.j, bias)
        after.weights = np.insert(after.weights, self.j, column, axis=1)


@dataclass
class AddLayer(Edit):
    """Insert a hidden layer of ``size`` neurons so that it becomes layer ``layer`` (1..L).

    Its weights, and those of the layer after it (whose input size changes), are drawn by
    ``init`` from ``seed``; its biases start at 0.
    """

    layer: int
    size: int
    activation: str = "sigmoid"
    init: str = "xavier"
    seed: int = 0
    _after_weights: np.ndarray | None = field(default=None, init=False, repr=False)

    @property
    def text(self) -> str:
        return f"add hidden layer {self.layer} ({self.size} {self.activation})"

    def check(self, session: Session) -> None:
        network = session.network
        if not 1 <= self.layer <= network.depth:
            raise ValueError(
                f"a hidden layer can be inserted as layer 1..{network.depth} (before the output layer), "
                f"not as layer {self.layer}"
            )
        _check_size(self.size)
        _check_activation(network, self.layer, self.activation, output=False)
        _check_init(self.init, self.seed)
        n_in = network.sizes[self.layer - 1]
        after = network.layer(self.layer)
        grown = network.num_parameters + _layer_parameters(self.size, n_in, True) + after.size * (self.size - n_in)
        _check_budget(grown)

    def _do(self, session: Session) -> None:
        network = session.network
        after = network.layer(self.layer)
        n_in = network.sizes[self.layer - 1]
        rng = np.random.default_rng(int(self.seed))
        new = Layer(initial_weights(self.size, n_in, self.init, rng), np.zeros(self.size), self.activation)
        self._after_weights = after.weights
        after.weights = initial_weights(after.size, self.size, self.init, rng)
        network.layers.insert(self.layer - 1, new)

    def undo(self, session: Session) -> None:
        network = session.network
        assert self._after_weights is not None, "undo before do"
        del network.layers[self.layer - 1]
        network.layer(self.layer).weights = self._after_weights


@dataclass
class RemoveLayer(Edit):
    """Remove hidden layer ``layer``; the layer after it gets new weights drawn by ``init`` from ``seed``."""

    layer: int
    init: str = "xavier"
    seed: int = 0
    _removed: Layer | None = field(default=None, init=False, repr=False)
    _after_weights: np.ndarray | None = field(default=None, init=False, repr=False)

    @property
    def text(self) -> str:
        return f"remove layer {self.layer}"

    def check(self, session: Session) -> None:
        _check_hidden(session.network, self.layer, "remove the layer")
        _check_init(self.init, self.seed)

    def _do(self, session: Session) -> None:
        network = session.network
        n_in = network.sizes[self.layer - 1]
        after = network.layer(self.layer + 1)
        self._after_weights = after.weights
        after.weights = initial_weights(after.size, n_in, self.init, np.random.default_rng(int(self.seed)))
        self._removed = network.layers.pop(self.layer - 1)

    def undo(self, session: Session) -> None:
        network = session.network
        assert self._removed is not None and self._after_weights is not None, "undo before do"
        network.layers.insert(self.layer - 1, self._removed)
        network.layer(self.layer + 1).weights = self._after_weights


# --- edits of a session: training settings and data ----------------------------------


# The settings SetTrainingSetting can change, with their names for people.
TRAINING_SETTINGS = {
    "learning_rate": "η",
    "batch_size": "batch size",
    "epochs": "epochs per run",
    "shuffle": "shuffle",
    "seed": "seed",
    "validation_fraction": "validation fraction",
    "test_fraction": "test fraction",
    "split_seed": "split seed",
}
# Settings that change the order of an epoch: setting one starts the epoch in progress afresh.
ORDER_SETTINGS = ("batch_size", "shuffle", "seed", "validation_fraction", "test_fraction", "split_seed")
DATA_SETTINGS = ("validation_fraction", "test_fraction", "split_seed")  # fields of session.data


@dataclass
class SetTrainingSetting(Edit):
    """Set one of ``TRAINING_SETTINGS``: a field of ``session.training``, or of the data's (``DATA_SETTINGS``:
    the validation fraction, the train/test split's test fraction and seed).

    A new η is marked in the loss history at the step it takes effect from (when steps were
    taken); a setting of ``ORDER_SETTINGS`` starts the epoch in progress afresh (batch 0).
    """

    name: str
    value: float | int | bool
    _old: Any = field(default=None, init=False, repr=False)
    _old_batch: int = field(default=0, init=False, repr=False)
    _old_rates: list[tuple[int, float]] = field(default_factory=list, init=False, repr=False)

    @property
    def text(self) -> str:
        if self.name == "shuffle":
            return f"turn shuffling {'on' if self.value else 'off'}"
        value = f"{self.value:.6g}" if isinstance(self.value, float) else str(self.value)
        return f"set {TRAINING_SETTINGS.get(self.name, self.name)} = {value}"

    def current(self, session: Session) -> Any:
        """The value the setting has in ``session`` now."""
        return getattr(session.data if self.name in DATA_SETTINGS else session.training, self.name)

    def check(self, session: Session) -> None:
        if self.name not in TRAINING_SETTINGS:
            raise ValueError(f"unknown training setting {self.name!r} (known: {', '.join(TRAINING_SETTINGS)})")
        label, value = TRAINING_SETTINGS[self.name], self.value
        if self.name == "shuffle":
            if not isinstance(value, bool | np.bool_):
                raise ValueError(f"shuffle must be on or off (true or false), got {value!r}")
            return
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise ValueError(f"{label} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{label} must be a finite number, got {value}")
        if self.name not in ("learning_rate", "validation_fraction", "test_fraction") and value != int(value):
            raise ValueError(f"{label} must be a whole number, got {value}")
        if self.name == "validation_fraction":
            if not 0 <= value <= MAX_VALIDATION_FRACTION:
                raise ValueError(f"the validation fraction must be in 0..{MAX_VALIDATION_FRACTION}, got {value}")
            return
        if self.name in DATA_SETTINGS:
            data = session.data
            if self.name == "test_fraction":
                check_split(float(value), data.split_seed)
            else:
                check_split(data.test_fraction, int(value))
            return
        changes: dict[str, Any] = {self.name: value}
        replace(session.training, **changes).validate()

    def _do(self, session: Session) -> None:
        self._old, self._old_batch = self.current(session), session.batch
        self._old_rates = list(session.history.rate_changes)
        if self.name in DATA_SETTINGS:
            setattr(session.data, self.name, int(self.value) if self.name == "split_seed" else float(self.value))
        else:
            kind = type(getattr(session.training, self.name))
            session.training = replace(session.training, **{self.name: kind(self.value)})
        if self.name == "learning_rate" and session.history.steps:
            rates, steps = session.history.rate_changes, session.history.steps
            if rates and rates[-1][0] == steps:
                rates.pop()
            rates.append((steps, float(self.value)))
        if self.name in ORDER_SETTINGS:
            session.batch = 0

    def undo(self, session: Session) -> None:
        if self.name in DATA_SETTINGS:
            setattr(session.data, self.name, self._old)
        else:
            session.training = replace(session.training, **{self.name: self._old})
        session.history.rate_changes[:] = self._old_rates
        session.batch = self._old_batch


def needs_fit(data: Dataset, network: Network) -> bool:
    """True when ``data``'s widths differ from the network's n_0 or n_L."""
    return data.input_size != network.raw_input_size or data.target_size != network.layers[-1].size


@dataclass
class SetData(Edit):
    """Make ``data`` the session's data set; the epoch in progress starts afresh (batch 0).

    With ``fit`` the network is first resized to the data's widths: a layer whose shape
    changes (layer 1 for n_0, layer L for n_L) gets fresh xavier weights drawn from ``seed``,
    and layer L zero biases (a network with input features whose data is not 2-D takes the raw
    inputs instead). Without it the data must fit the network as it is.
    """

    data: Dataset
    fit: bool = False
    seed: int = 0
    label: str = ""  # what the edit did, for the Undo menu ("add a sample of class 1"); default: the data's source
    _old: tuple[Dataset, int, int, tuple[str, ...] | None, np.ndarray, np.ndarray, np.ndarray] | None = field(
        default=None, init=False, repr=False
    )  # data, batch, n_0, features, w^1, w^L, b^L

    @property
    def text(self) -> str:
        if self.label:
            return self.label
        if self.data.generator:
            return f"load data set {self.data.generator['name']}"
        return f"import data ({len(self.data):,} samples)"

    def check(self, session: Session) -> None:
        if not self.fit:
            check_fits(self.data, session.network)
            return
        _check_init("xavier", self.seed)
        _check_size(self.data.input_size)
        _check_size(self.data.target_size)
        fitted = session.network.copy()
        self._resize(fitted)
        _check_budget(fitted.num_parameters)
        fitted.validate()

    def _resize(self, network: Network) -> None:
        rng = np.random.default_rng(int(self.seed))
        first, last = network.layers[0], network.layers[-1]
        if self.data.input_size != network.raw_input_size:
            network.input_size, network.features = self.data.input_size, None
            first.weights = initial_weights(first.size, network.input_size, "xavier", rng)
        if self.data.target_size != last.size:
            last.weights = initial_weights(self.data.target_size, network.sizes[-2], "xavier", rng)
            last.biases = np.zeros(self.data.target_size)

    def _do(self, session: Session) -> None:
        network = session.network
        first, last = network.layers[0], network.layers[-1]
        n_0, features = network.input_size, network.features
        self._old = (session.data, session.batch, n_0, features, first.weights, last.weights, last.biases)
        if self.fit:
            self._resize(network)
        session.data, session.batch = self.data, 0

    def undo(self, session: Session) -> None:
        assert self._old is not None, "undo before do"
        network = session.network
        data, batch, n_0, features, weights, last_weights, last_biases = self._old
        session.data, session.batch, network.input_size, network.features = data, batch, n_0, features
        first, last = network.layers[0], network.layers[-1]
        first.weights = weights
        last.weights, last.biases = last_weights, last_biases


def _rule_change(old: UpdateRule, new: UpdateRule) -> str:
    """What changed from ``old`` to ``new``, for an Undo menu item: "optimizer adam", "L2 λ = 0.01"."""
    parts = []
    if new.optimizer.name != old.optimizer.name:
        parts.append(f"optimizer {new.optimizer.name}")
    for name in new.optimizer.rule.hyperparameters:
        value = getattr(new.optimizer, name)
        if value != getattr(old.optimizer, name):
            if isinstance(value, bool):
                parts.append(f"{name} {'on' if value else 'off'}")
            else:
                parts.append(f"{HYPERPARAMETERS[name][0]} = {value:g}")
    if new.regularization != old.regularization:
        reg = new.regularization
        parts.append("no regularization" if reg.kind == "none" else f"{reg.kind.upper()} λ = {reg.strength:g}")
    if new.schedule != old.schedule:
        parts.append(f"{new.schedule.kind} schedule")
    if new.clip_norm != old.clip_norm:
        parts.append("no clipping" if new.clip_norm is None else f"clipping at {new.clip_norm:g}")
    return ", ".join(parts) or "the same update rule"


@dataclass
class SetUpdateRule(Edit):
    """Replace the update rule (optimiser, hyperparameters, penalty, schedule, clipping). Another
    optimiser starts from a fresh state; undo puts the old rule and state back."""

    rule: UpdateRule
    _old: tuple[UpdateRule, OptimizerState] | None = field(default=None, init=False, repr=False)

    @property
    def text(self) -> str:
        return f"set {_rule_change(self._old[0] if self._old else UpdateRule(), self.rule)}"

    def check(self, session: Session) -> None:
        self.rule.validate()

    def _do(self, session: Session) -> None:
        self._old = (session.training.rule, session.optimizer_state.copy())
        if self.rule.optimizer.name != session.training.rule.optimizer.name:
            session.optimizer_state.reset()
        session.training = replace(session.training, rule=self.rule)

    def undo(self, session: Session) -> None:
        assert self._old is not None, "undo before do"
        rule, state = self._old
        session.training = replace(session.training, rule=rule)
        session.optimizer_state.assign(state)


@dataclass
class ResetOptimizerState(Edit):
    """Forget the optimiser's velocities, moments and update count t (undoable)."""

    _old: OptimizerState | None = field(default=None, init=False, repr=False)

    @property
    def text(self) -> str:
        return "reset the optimizer state"

    def check(self, session: Session) -> None:
        """Always possible."""

    def _do(self, session: Session) -> None:
        self._old = session.optimizer_state.copy()
        session.optimizer_state.reset()

    def undo(self, session: Session) -> None:
        assert self._old is not None, "undo before do"
        session.optimizer_state.assign(self._old)


@dataclass
class SetNote(Edit):
    """Replace the session's free-text note; a run of note edits merges into one undo step."""

    note: str
    _old: str = field(default="", init=False, repr=False)
    pauses_training: ClassVar[bool] = False

    @property
    def text(self) -> str:
        return "edit note"

    def check(self, session: Session) -> None:
        if not isinstance(self.note, str):
            raise ValueError(f"a note is text, got {self.note!r}")

    def _do(self, session: Session) -> None:
        self._old, session.note = session.note, self.note

    def undo(self, session: Session) -> None:
        session.note = self._old

    def merge(self, following: Edit) -> bool:
        if not isinstance(following, SetNote):
            return False
        self.note = following.note
        return True

    @property
    def changes_nothing(self) -> bool:
        return self.note == self._old


@dataclass
class SetFeatures(Edit):
    """Make the network's inputs a^0 the named ``features`` of the raw input (x1, x2), in that order,
    or the raw inputs themselves (None); n_0 becomes their number.

    The column of w^1 of a feature kept stays as it was (x1 and x2 are the raw inputs' columns); a new
    feature's column is drawn by ``init`` from ``seed``.
    """

    features: tuple[str, ...] | None
    init: str = "xavier"
    seed: int = 0
    _old: tuple[tuple[str, ...] | None, int, np.ndarray] | None = field(default=None, init=False, repr=False)

    @property
    def text(self) -> str:
        return (
            "use the raw inputs x1, x2" if self.features is None else f"use input features {', '.join(self.features)}"
        )

    def check(self, session: Session) -> None:
        network = session.network
        if session.data.input_size != RAW_INPUT_SIZE or network.raw_input_size != RAW_INPUT_SIZE:
            raise ValueError(
                f"input features are functions of 2 raw inputs (x1, x2); the data has {session.data.input_size}"
            )
        if self.features is not None:
            check_features(self.features)
        _check_init(self.init, self.seed)
        n_in = RAW_INPUT_SIZE if self.features is None else len(self.features)
        first = network.layer(1)
        _check_budget(network.num_parameters + first.size * (n_in - network.input_size))

    def _do(self, session: Session) -> None:
        network = session.network
        first = network.layer(1)
        self._old = (network.features, network.input_size, first.weights)
        old_names, new_names = _input_names(network.features), _input_names(self.features)
        drawn = initial_weights(first.size, len(new_names), self.init, np.random.default_rng(int(self.seed)))
        columns = [
            first.weights[:, old_names.index(name)] if name in old_names else drawn[:, k]
            for k, name in enumerate(new_names)
        ]
        first.weights = np.column_stack(columns)
        network.features = None if self.features is None else tuple(self.features)
        network.input_size = len(new_names)

    def undo(self, session: Session) -> None:
        assert self._old is not None, "undo before do"
        network = session.network
        network.features, network.input_size, network.layer(1).weights = self._old


def _input_names(features: tuple[str, ...] | None) -> tuple[str, ...]:
    """The names of a^0's entries: the features, or the raw inputs x1, x2."""
    return features if features is not None else FEATURES[:RAW_INPUT_SIZE]
