"""The update rule: optimisers, regularisation, gradient clipping and learning-rate schedules.

``compute_update`` is the only place that turns a pass's gradients into new parameters; the
stepper's Update and the trainer both call it, as both call ``backprop.run_pass``. The rules
are torch.optim's, as its documentation writes them (g is the gradient, θ a parameter, t the
number of the update, counted from 1):

    sgd        θ ← θ − η g
    momentum   v ← μ v + g  (v = g at t = 1);   θ ← θ − η v,  or with Nesterov θ ← θ − η (g + μ v)
    rmsprop    v ← α v + (1 − α) g²;            θ ← θ − η g / (√v + ε)
    adam       m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;
               m̂ = m / (1 − β₁ᵗ);  v̂ = v / (1 − β₂ᵗ);    θ ← θ − η m̂ / (√v̂ + ε)

Regularisation adds a penalty to the loss, C = C₀ + (λ/2)‖w‖² (l2) or C₀ + λ‖w‖₁ (l1), so
g = ∂C₀/∂θ + λθ or + λ sign(θ) (sign(0) = 0); biases are left out unless asked for. Clipping
scales g by min(1, max_norm / (‖g‖₂ + 10⁻⁶)) over all parameters together (torch's
``clip_grad_norm_``), after the penalty's gradient is added. A schedule sets η for update
t + 1 from the base η and the t updates made: constant, step decay η γ^⌊t / step_size⌋, or
exponential η γᵗ.

Every optimiser works on all parameters as one flat vector θ = (w^1, b^1, w^2, b^2, …), each
w^l row by row, every layer's n_l biases included (a bias-free layer's stay 0). Its state —
the update count t and the flat buffers v, m — is never changed in place: an update makes new
arrays, so the stepper's history can keep old states as they were.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from backprop_gui.core.backprop import PassResult, updated_parameters
from backprop_gui.core.network import Layer, Network

Array = np.ndarray
CLIP_EPSILON = 1e-6  # torch's clip_grad_norm_ adds it to ‖g‖ before dividing
FLAT_SGD_SIZE = 4096  # plain SGD of at most this many parameters: one flat vector, fewer numpy calls
MAX_STRENGTH = 1e6
MAX_STEP_SIZE = 2**31 - 1  # updates between two decays of η (more than any run takes)


@dataclass(frozen=True)
class Rule:
    """One optimiser: its hyperparameters (fields of ``OptimizerSettings``) and state buffers."""

    name: str
    title: str
    hyperparameters: tuple[str, ...]
    buffers: tuple[str, ...]


OPTIMIZERS: dict[str, Rule] = {
    "sgd": Rule("sgd", "SGD", (), ()),
    "momentum": Rule("momentum", "SGD with momentum", ("momentum", "nesterov"), ("v",)),
    "rmsprop": Rule("rmsprop", "RMSprop", ("alpha", "epsilon"), ("v",)),
    "adam": Rule("adam", "Adam", ("beta1", "beta2", "epsilon"), ("m", "v")),
}
REGULARIZATIONS = ("none", "l1", "l2")
SCHEDULES = ("constant", "step", "exponential")

# Names and ranges the messages use; each range is (low, high, low included, high included).
HYPERPARAMETERS: dict[str, tuple[str, float, float, bool, bool]] = {
    "momentum": ("momentum μ", 0.0, 1.0, True, False),
    "alpha": ("α", 0.0, 1.0, True, False),
    "beta1": ("β₁", 0.0, 1.0, True, False),
    "beta2": ("β₂", 0.0, 1.0, True, False),
    "epsilon": ("ε", 0.0, 1.0, False, True),
}


def check_range(value: float, path: str, low: float, high: float, low_in: bool, high_in: bool) -> None:
    """Raise ValueError naming ``path`` unless ``value`` is a finite number in the range."""
    inside = (
        math.isfinite(value)
        and (low <= value if low_in else low < value)
        and (value <= high if high_in else value < high)
    )
    if not inside:
        interval = f"{'[' if low_in else '('}{low:g}, {high:g}{']' if high_in else ')'}"
        raise ValueError(f"{path}: must be in {interval}, got {value}")


@dataclass(frozen=True)
class OptimizerSettings:
    """Which optimiser and its hyperparameters; torch.optim's defaults, except μ = 0.9."""

    name: str = "sgd"
    momentum: float = 0.9
    nesterov: bool = False
    alpha: float = 0.99
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8

    @property
    def rule(self) -> Rule:
        return OPTIMIZERS[self.name]

    def validate(self, path: str = "training.optimizer") -> None:
        """Raise ValueError naming the first field out of range."""
        if self.name not in OPTIMIZERS:
            raise ValueError(f"{path}.name: unknown optimizer {self.name!r} (known: {', '.join(OPTIMIZERS)})")
        for name, (_, low, high, low_in, high_in) in HYPERPARAMETERS.items():
            check_range(getattr(self, name), f"{path}.{name}", low, high, low_in, high_in)
        if self.name == "momentum" and self.nesterov and self.momentum == 0:
            raise ValueError(f"{path}.nesterov: Nesterov momentum needs a momentum μ above 0")

    def applicable(self) -> dict[str, float | bool]:
        """The hyperparameters this optimiser uses, by name."""
        return {name: getattr(self, name) for name in self.rule.hyperparameters}


@dataclass(frozen=True)
class Regularization:
    """A penalty on the weights: ``kind`` none, l1 or l2, its strength λ, and whether biases count."""

    kind: str = "none"
    strength: float = 0.0
    biases: bool = False

    @property
    def active(self) -> bool:
        return self.kind != "none" and self.strength > 0

    def validate(self, path: str = "training.regularization") -> None:
        if self.kind not in REGULARIZATIONS:
            raise ValueError(f"{path}.kind: unknown regularization {self.kind!r} (known: {', '.join(REGULARIZATIONS)})")
        check_range(self.strength, f"{path}.lambda", 0.0, MAX_STRENGTH, True, True)


@dataclass(frozen=True)
class Schedule:
    """How η changes with the number t of updates made: constant, step (×γ every ``step_size``) or exponential."""

    kind: str = "constant"
    step_size: int = 100
    gamma: float = 0.5

    def validate(self, path: str = "training.schedule") -> None:
        if self.kind not in SCHEDULES:
            raise ValueError(f"{path}.kind: unknown schedule {self.kind!r} (known: {', '.join(SCHEDULES)})")
        if not 1 <= self.step_size <= MAX_STEP_SIZE:
            raise ValueError(f"{path}.step_size: must be in 1..{MAX_STEP_SIZE:,}, got {self.step_size:,}")
        check_range(self.gamma, f"{path}.gamma", 0.0, 1.0, False, True)

    def rate(self, learning_rate: float, t: int) -> float:
        """η for the update after ``t`` updates, from the base ``learning_rate``."""
        if self.kind == "constant":
            return learning_rate
        power = t // self.step_size if self.kind == "step" else t
        return learning_rate * self.gamma**power


@dataclass(frozen=True)
class UpdateRule:
    """Everything but η that decides an update: the optimiser, the penalty, η's schedule, clipping.

    ``clip_norm`` is the largest ‖g‖₂ let through, or None for no clipping.
    """

    optimizer: OptimizerSettings = OptimizerSettings()
    regularization: Regularization = Regularization()
    schedule: Schedule = Schedule()
    clip_norm: float | None = None

    @cached_property
    def plain_sgd(self) -> bool:
        """SGD without penalty or clipping: θ ← θ − η ∂C₀/∂θ, layer by layer."""
        return self.optimizer.name == "sgd" and not self.regularization.active and self.clip_norm is None

    def validate(self, path: str = "training") -> None:
        """Raise ValueError naming the first field out of range."""
        self.optimizer.validate(f"{path}.optimizer")
        self.regularization.validate(f"{path}.regularization")
        self.schedule.validate(f"{path}.schedule")
        if self.clip_norm is not None:
            check_range(self.clip_norm, f"{path}.clip_norm", 0.0, math.inf, False, False)


@dataclass
class OptimizerState:
    """What an optimiser remembers: whose state it is, the update count t and its flat buffers.

    The holder is shared (session, stepper, trainer) and changes by ``assign``; the buffers
    themselves are never written into. ``buffers[name]`` has one entry per flat parameter.
    """

    name: str = "sgd"
    t: int = 0
    buffers: dict[str, Array] = field(default_factory=dict)

    def copy(self) -> OptimizerState:
        """A snapshot: a new holder sharing the (never changed) arrays."""
        return OptimizerState(self.name, self.t, dict(self.buffers))

    def assign(self, other: OptimizerState) -> None:
        """Take over ``other``'s state."""
        self.name, self.t, self.buffers = other.name, other.t, dict(other.buffers)

    def reset(self) -> None:
        """Forget everything: the next update is update 1 of a fresh optimiser."""
        self.assign(OptimizerState())

    def same(self, other: OptimizerState) -> bool:
        """Whether ``other`` holds exactly the same state, bit for bit."""
        return (
            self.name == other.name
            and self.t == other.t
            and self.buffers.keys() == other.buffers.keys()
            and all(np.array_equal(a, other.buffers[k]) and a.dtype == other.buffers[k].dtype
                    for k, a in self.buffers.items())
        )  # fmt: skip


@dataclass(frozen=True)
class ParameterLayout:
    """Where each layer's parameters sit in the flat vector: ``spans[l - 1]`` = (w start, b start, b end)."""

    shapes: tuple[tuple[int, int], ...]
    spans: tuple[tuple[int, int, int], ...]

    @property
    def size(self) -> int:
        return self.spans[-1][2]

    def flatten(self, weights: list[Array], biases: list[Array]) -> Array:
        """One vector of ``weights[i]`` (n_l, n_{l-1}) and ``biases[i]`` (n_l,), layer by layer."""
        return np.concatenate([part for w, b in zip(weights, biases, strict=True) for part in (w.ravel(), b)])

    def split(self, flat: Array) -> tuple[dict[int, Array], dict[int, Array]]:
        """(w^l, b^l) by layer l as views of ``flat``."""
        weights, biases = {}, {}
        for l, (shape, (w0, b0, b1)) in enumerate(zip(self.shapes, self.spans, strict=True), start=1):
            weights[l] = flat[w0:b0].reshape(shape)
            biases[l] = flat[b0:b1]
        return weights, biases

    def index(self, l: int, j: int, k: int | None) -> int:
        """Flat index of w_jk^l (``k`` given, 0-based j, k) or of b_j^l."""
        w0, b0, _ = self.spans[l - 1]
        return b0 + j if k is None else w0 + j * self.shapes[l - 1][1] + k

    def weight_mask(self) -> Array:
        """1 for each weight, 0 for each bias: the penalty's reach when biases are left out."""
        mask = np.ones(self.size)
        for _, b0, b1 in self.spans:
            mask[b0:b1] = 0.0
        return mask


@lru_cache(maxsize=64)
def _layout(shapes: tuple[tuple[int, int], ...]) -> tuple[ParameterLayout, Array]:
    """The layout of layers with weight matrices of ``shapes``, and its weight mask (read-only)."""
    spans, start = [], 0
    for n_out, n_in in shapes:
        spans.append((start, start + n_out * n_in, start + n_out * n_in + n_out))
        start = spans[-1][2]
    layout = ParameterLayout(shapes, tuple(spans))
    mask = layout.weight_mask()
    mask.flags.writeable = False
    return layout, mask


def parameter_layout(network: Network) -> ParameterLayout:
    """The flat-vector layout of ``network``'s parameters."""
    return _layout(tuple(layer.weights.shape for layer in network.layers))[0]


def _flat_parameters(layers: list[Layer], layout: ParameterLayout) -> Array:
    """θ as one vector. Parameters that are still the views ``split`` made of one vector (the
    last update's) are that vector itself, with no copying."""
    base = layers[0].weights.base
    if (
        base is not None
        and base.ndim == 1
        and len(base) == layout.size
        and all(layer.weights.base is base and layer.biases.base is base for layer in layers)
    ):
        return base
    return layout.flatten([layer.weights for layer in layers], [layer.biases for layer in layers])


def _flat_gradient(result: PassResult, layout: ParameterLayout) -> Array:
    """∂C/∂θ of ``result`` as one vector in ``layout``'s order."""
    layers = range(1, len(layout.shapes) + 1)
    return layout.flatten([result.grad_w[l] for l in layers], [result.grad_b[l] for l in layers])


def penalty(network: Network, regularization: Regularization) -> float:
    """The regularisation term of C: (λ/2)‖w‖² for l2, λ‖w‖₁ for l1, 0 for none (biases as set)."""
    return penalty_of([layer.weights for layer in network.layers], [layer.biases for layer in network.layers],
                      regularization)  # fmt: skip


def penalty_of(weights: list[Array], biases: list[Array], regularization: Regularization) -> float:
    """The regularisation term of C for the arrays w^l (n_l, n_{l-1}) and b^l (n_l,) of every layer."""
    if not regularization.active:
        return 0.0
    arrays = list(weights) + (list(biases) if regularization.biases else [])
    lam = regularization.strength
    if regularization.kind == "l2":
        return lam / 2 * sum(float(np.vdot(a, a)) for a in arrays)
    return lam * sum(float(np.abs(a).sum()) for a in arrays)


@dataclass(slots=True)  # read-only by convention: not frozen, since that makes every step slower
class Update:
    """One update's outcome and, for showing it, its intermediate numbers.

    ``weights``/``biases``: the new w^l (n_l, n_{l-1}) and b^l (n_l,) by layer; ``state``: the
    optimiser's state after it; ``learning_rate``: the η it used (after the schedule). On the flat
    path (anything but plain SGD) ``terms`` holds flat vectors: "g0" ∂C₀/∂θ, "g" the gradient the
    optimiser used (penalty added, clipped), with clipping "penalised" (before it), "step" the
    direction d of θ ← θ − η d, and the optimiser's "m", "v", "m_hat", "v_hat"; ``flat`` is the
    new θ whose views ``weights`` and ``biases`` are; ``norm`` is ‖g‖ before clipping and
    ``clip_scale`` the factor applied (1 when not clipped).
    """

    weights: dict[int, Array]
    biases: dict[int, Array]
    state: OptimizerState
    learning_rate: float
    terms: dict[str, Array]
    norm: float
    clip_scale: float
    layout: ParameterLayout | None
    flat: Array | None

    @property
    def arrays(self) -> list[Array]:
        """Every new parameter array (one flat vector when there is one)."""
        return [self.flat] if self.flat is not None else [*self.weights.values(), *self.biases.values()]


def _direction(settings: OptimizerSettings, g: Array, buffers: dict[str, Array], t: int) -> dict[str, Array]:
    """The optimiser's new buffers and its step direction d ("step"), for update number ``t`` (≥ 1).

    Each result is a fresh array that the in-place operations below fill; ``buffers`` stay as they were.
    """
    name = settings.name
    if name == "sgd":
        return {"step": g}
    if name == "momentum":
        mu = settings.momentum
        v = g
        if "v" in buffers:  # v ← μ v + g
            v = mu * buffers["v"]
            v += g
        if not settings.nesterov:
            return {"v": v, "step": v}
        step = mu * v  # g + μ v
        step += g
        return {"v": v, "step": step}
    if name == "rmsprop":
        alpha = settings.alpha
        v = _moving_average(g * g, alpha, buffers.get("v"))
        step = np.sqrt(v)
        step += settings.epsilon
        return {"v": v, "step": np.divide(g, step, out=step)}
    b1, b2 = settings.beta1, settings.beta2
    m = _moving_average(g.copy(), b1, buffers.get("m"))
    v = _moving_average(g * g, b2, buffers.get("v"))
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    step = np.sqrt(v_hat)
    step += settings.epsilon
    return {"m": m, "v": v, "m_hat": m_hat, "v_hat": v_hat, "step": np.divide(m_hat, step, out=step)}


def _moving_average(fresh: Array, decay: float, previous: Array | None) -> Array:
    """decay · previous + (1 − decay) · fresh, written into ``fresh`` (a new array); previous = 0 if None."""
    fresh *= 1 - decay
    if previous is not None:
        fresh += decay * previous
    return fresh


def current_state(state: OptimizerState, settings: OptimizerSettings, size: int) -> OptimizerState:
    """``state`` if it belongs to this optimiser and these parameters, else a fresh one."""
    if state.name == settings.name and all(len(b) == size for b in state.buffers.values()):
        return state
    return OptimizerState(settings.name)


def compute_update(
    network: Network, result: PassResult, learning_rate: float, rule: UpdateRule, state: OptimizerState
) -> Update:
    """The update of ``network``'s parameters by ``rule`` from the gradients of ``result`` with base η
    ``learning_rate``; nothing is changed. ``state`` is the optimiser's state before the update (a
    state of another optimiser or of other parameters counts as fresh); ``Update.state`` the one after.
    """
    if rule.plain_sgd:
        t = (state.t if state.name == "sgd" else 0) + 1
        eta = rule.schedule.rate(learning_rate, t - 1)
        sgd, layout = OptimizerState("sgd", t), parameter_layout(network)
        if layout.size > FLAT_SGD_SIZE:
            weights, biases = updated_parameters(network, result, eta)
            return Update(weights, biases, sgd, eta, {}, math.nan, 1.0, None, None)
        flat = _flat_parameters(network.layers, layout) - eta * _flat_gradient(result, layout)  # (bias-free: g = 0)
        weights, biases = layout.split(flat)
        return Update(weights, biases, sgd, eta, {}, math.nan, 1.0, layout, flat)
    optimizer, regularization, clip_norm = rule.optimizer, rule.regularization, rule.clip_norm
    layers = network.layers
    layout, mask = _layout(tuple(layer.weights.shape for layer in layers))
    state = current_state(state, optimizer, layout.size)
    eta = rule.schedule.rate(learning_rate, state.t)
    theta = _flat_parameters(layers, layout)
    g0 = _flat_gradient(result, layout)
    g = g0
    if regularization.active:
        term = theta if regularization.kind == "l2" else np.sign(theta)
        if not regularization.biases:
            term = term * mask
        g = g0 + regularization.strength * term
    norm, scale, terms = math.nan, 1.0, {}
    if clip_norm is not None:
        terms["penalised"] = g
        norm = math.sqrt(float(np.dot(g, g)))
        scale = min(1.0, clip_norm / (norm + CLIP_EPSILON))
        if scale < 1.0:
            g = g * scale
    t = state.t + 1
    terms |= _direction(optimizer, g, state.buffers, t)
    flat = theta - eta * terms["step"]
    weights, biases = layout.split(flat)  # a bias-free layer's stay 0: its g is 0
    buffers = {name: terms[name] for name in optimizer.rule.buffers}
    terms["g0"], terms["g"] = g0, g
    state = OptimizerState(optimizer.name, t, buffers)
    return Update(weights, biases, state, eta, terms, norm, scale, layout, flat)
