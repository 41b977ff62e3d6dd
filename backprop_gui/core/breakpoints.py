"""Breakpoints: where stepping and training stop, and the conditions that stop training.

A *phase breakpoint* is an index into the phase bar (``stepper.phase_sequence``). The
stepper's "continue" runs to the next one; training stops after the step in progress and
lands in the stepper at that phase of the next sample.

A *condition* watches training: the loss below a target, a NaN or ±inf anywhere,
vanishing gradients (max |δ^l| of a layer below a threshold for a whole epoch), exploding
gradients (max |δ^l| above a threshold at any step), a dead ReLU neuron (a_j^l = 0 for every
sample of an epoch). A ``BreakpointMonitor`` is fed each step's ``PassResult`` and each
epoch's end, and returns a ``Hit`` saying which condition, where, at which step and why.
Attached to a ``Trainer`` it raises ``BreakpointHit`` from the trainer's observer hook,
after the step is recorded, so training stops in a clean state.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from backprop_gui.core.backprop import PassResult, all_finite, first_non_finite, run_pass
from backprop_gui.core.formatting import format_number
from backprop_gui.core.network import Network
from backprop_gui.core.optimizers import compute_update
from backprop_gui.core.stepper import Phase, PhaseStep, phase_sequence
from backprop_gui.core.training import Divergence, Trainer, TrainerHook


class Condition(StrEnum):
    PHASE = "phase"
    LOSS_BELOW = "loss_below"
    NON_FINITE = "non_finite"
    VANISHING = "vanishing"
    EXPLODING = "exploding"
    DEAD_RELU = "dead_relu"


TITLES = {
    Condition.PHASE: "Phase breakpoint",
    Condition.LOSS_BELOW: "Loss below target",
    Condition.NON_FINITE: "NaN or infinity",
    Condition.VANISHING: "Vanishing gradients",
    Condition.EXPLODING: "Exploding gradients",
    Condition.DEAD_RELU: "Dead ReLU neuron",
}

LOSS_SCOPES = ("epoch", "step")


def _n(value: float) -> str:
    return format_number(value, 3)


@dataclass(frozen=True)
class Hit:
    """A breakpoint that stopped a run.

    ``step``: the training step (1-based) after which training stopped (0 when not training);
    ``layer`` 1..L and ``neuron`` j (0-based) say where, when it is one place; ``sample``
    (a data row) and ``phase`` are where to land in the stepper; ``reason`` says why, with numbers.
    """

    condition: Condition
    step: int
    reason: str
    layer: int | None = None
    neuron: int | None = None
    sample: int | None = None
    phase: PhaseStep | None = None

    @property
    def title(self) -> str:
        return TITLES[self.condition]

    @property
    def where(self) -> str:
        """Where, 1-based as users read it: "neuron 2 of layer 1", "layer 3" or "" (nowhere in particular)."""
        if self.layer is None:
            return ""
        if self.neuron is None:
            return f"layer {self.layer}"
        return f"neuron {self.neuron + 1} of layer {self.layer}"

    @property
    def message(self) -> str:
        """One paragraph: which, where, at which step, and why."""
        at = f" at step {self.step}" if self.step else ""
        where = f" in {self.where}" if self.where else ""
        return f"{self.title}{at}{where}: {self.reason}"


class BreakpointHit(Exception):
    """Raised by a training observer to stop training; ``hit`` says why."""

    def __init__(self, hit: Hit) -> None:
        super().__init__(hit.message)
        self.hit = hit

    def __reduce__(self) -> tuple[Any, ...]:  # pickled by its hit (it travels from a training process)
        return BreakpointHit, (self.hit,)


@dataclass
class BreakpointSettings:
    """Phase breakpoints and conditions. ``loss_scope`` "epoch" compares the mean loss of each
    epoch with ``loss_target``, "step" the loss of every step."""

    phases: set[int] = field(default_factory=set)
    loss_below: bool = False
    loss_target: float = 0.01
    loss_scope: str = "epoch"
    non_finite: bool = True
    vanishing: bool = False
    vanishing_threshold: float = 1e-6
    exploding: bool = False
    exploding_threshold: float = 1e3
    dead_relu: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types, grouped by condition."""
        return {
            "phases": sorted(self.phases),
            "loss_below": {"enabled": self.loss_below, "target": self.loss_target, "scope": self.loss_scope},
            "non_finite": {"enabled": self.non_finite},
            "vanishing": {"enabled": self.vanishing, "threshold": self.vanishing_threshold},
            "exploding": {"enabled": self.exploding, "threshold": self.exploding_threshold},
            "dead_relu": {"enabled": self.dead_relu},
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "breakpoints") -> BreakpointSettings:
        """Settings from ``to_dict``'s form; missing entries take defaults. ValueError names
        the first bad entry, e.g. ``breakpoints.vanishing.threshold``."""
        group = _mapping(data, where, {"phases", *TITLES} - {Condition.PHASE})
        settings = cls()
        phases = group.get("phases", [])
        if not isinstance(phases, list) or not all(isinstance(p, int) and not isinstance(p, bool) for p in phases):
            raise ValueError(f"{where}.phases: must be a list of phase numbers (0, 1, …), got {phases!r}")
        if any(p < 0 for p in phases):
            raise ValueError(f"{where}.phases: phase numbers start at 0, got {min(phases)}")
        settings.phases = set(phases)
        keys = {"enabled", "target", "scope", "threshold"}
        loss = _mapping(group.get("loss_below", {}), f"{where}.loss_below", keys - {"threshold"})
        settings.loss_below = _flag(loss, "enabled", settings.loss_below, f"{where}.loss_below")
        settings.loss_target = _positive(loss, "target", settings.loss_target, f"{where}.loss_below")
        scope = loss.get("scope", settings.loss_scope)
        if scope not in LOSS_SCOPES:
            raise ValueError(f"{where}.loss_below.scope: must be one of {', '.join(LOSS_SCOPES)}, got {scope!r}")
        settings.loss_scope = scope
        for name in ("non_finite", "dead_relu"):
            entry = _mapping(group.get(name, {}), f"{where}.{name}", {"enabled"})
            setattr(settings, name, _flag(entry, "enabled", getattr(settings, name), f"{where}.{name}"))
        for name in ("vanishing", "exploding"):
            entry = _mapping(group.get(name, {}), f"{where}.{name}", {"enabled", "threshold"})
            setattr(settings, name, _flag(entry, "enabled", getattr(settings, name), f"{where}.{name}"))
            threshold = _positive(entry, "threshold", getattr(settings, f"{name}_threshold"), f"{where}.{name}")
            setattr(settings, f"{name}_threshold", threshold)
        return settings


def _mapping(data: Any, where: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: must be an object, got {type(data).__name__}")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(f"{where}.{unknown[0]}: unknown entry (known: {', '.join(sorted(allowed))})")
    return data


def _flag(data: dict[str, Any], key: str, default: bool, where: str) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"{where}.{key}: must be true or false, got {value!r}")
    return value


def _positive(data: dict[str, Any], key: str, default: float, where: str) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{where}.{key}: must be a positive number, got {value!r}")
    return float(value)


def next_stop(phases: set[int], position: int, count: int) -> tuple[bool, int] | None:
    """Where "continue" stops: ``(new_pass, index)`` of the first breakpoint not yet completed
    at ``position`` (phases done) in a pass of ``count`` phases, or of the first one in the
    next pass; None when there is no breakpoint in range."""
    valid = sorted(p for p in phases if 0 <= p < count)
    if not valid:
        return None
    ahead = [p for p in valid if p >= position]
    return (False, ahead[0]) if ahead else (True, valid[0])


def _phase(phase: Phase, layer: int = 0) -> PhaseStep:
    return PhaseStep(phase, layer)


class BreakpointMonitor:
    """Watches training for ``settings``' conditions on ``network``.

    Feed it ``observe`` after every step and ``end_epoch`` when an epoch ends; each returns
    the first ``Hit`` or None. Epoch conditions are only judged on epochs seen from their
    first step (see ``start``).
    """

    def __init__(self, settings: BreakpointSettings, network: Network) -> None:
        self.settings = settings
        self.network = network
        self.phases = phase_sequence(network.depth)
        self._hook = TrainerHook()
        self.start(whole_epoch=True)

    def start(self, whole_epoch: bool) -> None:
        """Begin a new epoch; ``whole_epoch`` false when it is already under way (resumed training)."""
        self._whole = whole_epoch
        self._first_step = 0
        self._loss_sum = 0.0
        self._steps = 0
        self._samples = 0
        self._delta_max: dict[int, np.ndarray] = {}  # made when first needed: an epoch may be 4 steps long
        self._active: dict[int, np.ndarray] = {}

    def _epoch_maxima(self) -> dict[int, np.ndarray]:
        """max |δ_j^l| over the epoch's samples so far, per layer (zeros at first)."""
        if not self._delta_max:
            self._delta_max = {l: np.zeros(layer.size) for l, layer in enumerate(self.network.layers, start=1)}
        return self._delta_max

    def _epoch_activity(self) -> dict[int, np.ndarray]:
        """Whether each ReLU neuron's a_j^l was ever non-zero in the epoch so far, per ReLU layer."""
        if not self._active:
            layers = enumerate(self.network.layers, start=1)
            self._active = {l: np.zeros(layer.size, dtype=bool) for l, layer in layers if layer.activation == "relu"}
        return self._active

    # --- feeding -----------------------------------------------------------------

    def observe(self, result: PassResult, step: int, samples: np.ndarray, next_sample: int) -> Hit | None:
        """Judge one step. ``samples``: the data rows of its batch columns; ``next_sample``:
        the row the next step begins with (where a phase breakpoint lands)."""
        return self._judge(result, step, lambda: samples, lambda: next_sample, trainer=None)

    def _judge(
        self,
        result: PassResult,
        step: int,
        samples: Callable[[], np.ndarray],
        next_sample: Callable[[], int],
        trainer: Trainer | None,
    ) -> Hit | None:
        """``observe`` with the rows asked for only when a hit names them. ``trainer``: the one whose
        step the pass is, so its loss and update are known to be finite."""
        s = self.settings
        if not self._steps:
            self._first_step = step
        self._steps += 1
        self._samples += result.x.shape[1]
        self._loss_sum += result.loss
        if s.vanishing:
            maxima = self._epoch_maxima()
            for l, d in result.delta.items():
                np.maximum(maxima[l], np.abs(d).max(axis=1), out=maxima[l])
        if s.dead_relu:
            for l, active in self._epoch_activity().items():
                active |= (result.a[l] != 0).any(axis=1)
        if s.non_finite and (hit := self._non_finite(result, step, samples, trainer)):
            return hit
        if s.exploding and (hit := self._exploding(result, step, samples)):
            return hit
        if s.loss_below and s.loss_scope == "step" and result.loss < s.loss_target:
            reason = f"the loss of this step is {_n(result.loss)}, below the target {_n(s.loss_target)}"
            return Hit(Condition.LOSS_BELOW, step, reason, sample=int(samples()[0]), phase=_phase(Phase.LOSS))
        return self._phase_hit(step, next_sample) if s.phases else None

    def end_epoch(self, step: int, epoch: int, next_sample: int) -> Hit | None:
        """Judge epoch ``epoch`` (1-based) that ended with ``step``, then start the next one."""
        return self._end_epoch(step, epoch, lambda: next_sample)

    def _end_epoch(self, step: int, epoch: int, next_sample: Callable[[], int]) -> Hit | None:
        """``end_epoch`` with the next row asked for only when a hit names it."""
        try:
            if self._whole and self._steps:
                return self._epoch_hit(step, epoch, next_sample)
            return None
        finally:
            self.start(whole_epoch=True)

    # --- attaching to a trainer --------------------------------------------------

    def attach(self, trainer: Trainer, before_stop: Callable[[PassResult, int], None] | None = None) -> None:
        """Watch ``trainer``: raise ``BreakpointHit`` from its observer hook when a condition hits, after
        ``before_stop(result, step)`` if given (an observer after this one sees no step that hits)."""
        self.detach()  # before the counts the old observer feeds start again
        self.start(whole_epoch=trainer.batch == 0)

        def samples() -> np.ndarray:
            return last_step_rows(trainer)

        def next_sample() -> int:
            return int(trainer.next_samples()[0])

        def stop_at(hit: Hit | None, result: PassResult, step: int) -> None:
            if hit is not None:
                if before_stop is not None:
                    before_stop(result, step)
                raise BreakpointHit(hit)

        def observer(result: PassResult, step: int) -> None:
            ended = trainer.batch == 0
            hit = self._judge(result, step, samples, next_sample, trainer)
            if ended:
                hit = hit or self._end_epoch(step, trainer.epoch, next_sample)
            stop_at(hit, result, step)

        def non_finite_observer(result: PassResult, step: int) -> None:
            stop_at(self._non_finite(result, step, samples, trainer), result, step)

        s = self.settings
        if s.phases or s.loss_below or s.vanishing or s.exploding or s.dead_relu:
            self._hook.attach(trainer, observer)
        elif s.non_finite:  # NaN/±inf alone (the default) needs no counts: most steps cost one comparison
            self._hook.attach(trainer, non_finite_observer)

    def detach(self) -> None:
        """Stop watching the trainer attached last (if any)."""
        self._hook.detach()

    # --- the conditions ----------------------------------------------------------

    def _phase_hit(self, step: int, next_sample: Callable[[], int]) -> Hit | None:
        valid = sorted(p for p in self.settings.phases if 0 <= p < len(self.phases))
        if not valid:
            return None
        phase, sample = self.phases[valid[0]], next_sample()
        reason = (
            f"training reached the breakpoint on {phase.label}; the stepper shows it for sample "
            f"{sample + 1} (remove it with F9 to train without stopping)"
        )
        return Hit(Condition.PHASE, step, reason, layer=phase.layer or None, sample=sample, phase=phase)

    def _non_finite(
        self, result: PassResult, step: int, samples: Callable[[], np.ndarray], trainer: Trainer | None
    ) -> Hit | None:
        if trainer is not None and (
            trainer.pass_parameter_squares <= trainer.safe_parameter_squares or all_finite(result.z.values())
        ):
            # Trainer.step refuses a step whose loss or update is not finite, and a NaN or ±inf in a,
            # δ or a gradient always reaches one of them (NaN spreads, inf·0 is NaN, f(z) is finite for
            # a finite z). Only a z of ±inf can hide, turned finite by a saturating f (σ, tanh, ReLU),
            # and parameters this small cannot make one (a comparison instead of a look at every z).
            return None
        bad = first_non_finite(result)
        return None if bad is None else _non_finite_hit(result, bad, step, samples())

    def _exploding(self, result: PassResult, step: int, samples: Callable[[], np.ndarray]) -> Hit | None:
        threshold = self.settings.exploding_threshold
        sizes = {l: float(np.abs(d).max()) for l, d in result.delta.items()}
        l = max(sizes, key=sizes.__getitem__)
        if sizes[l] <= threshold:
            return None
        j, column = np.unravel_index(int(np.argmax(np.abs(result.delta[l]))), result.delta[l].shape)
        reason = f"max |δ^{l}| = {_n(sizes[l])} is above the threshold {_n(threshold)}"
        return Hit(Condition.EXPLODING, step, reason, l, int(j), int(samples()[column]), _phase(Phase.BACKWARD, l))

    def _epoch_hit(self, step: int, epoch: int, next_sample: Callable[[], int]) -> Hit | None:
        s = self.settings
        if not (s.loss_below and s.loss_scope == "epoch") and not s.vanishing and not s.dead_relu:
            return None  # no condition judged per epoch
        span = f"step {step}" if self._first_step == step else f"steps {self._first_step}–{step}"
        steps = f"epoch {epoch} ({span})"
        if s.loss_below and s.loss_scope == "epoch":
            mean = self._loss_sum / self._steps
            if mean < s.loss_target:
                reason = f"the mean loss of {steps} is {_n(mean)}, below the target {_n(s.loss_target)}"
                return Hit(Condition.LOSS_BELOW, step, reason, sample=next_sample(), phase=_phase(Phase.LOSS))
        if s.vanishing:
            largest = {l: float(m.max()) for l, m in self._epoch_maxima().items()}
            l = min(largest, key=largest.__getitem__)
            if largest[l] < s.vanishing_threshold:
                j = int(np.argmax(self._epoch_maxima()[l]))
                reason = (
                    f"max |δ^{l}| over {steps} is {_n(largest[l])}, below the threshold "
                    f"{_n(s.vanishing_threshold)}: the weights of layer {l} barely change"
                )
                if self.network.layer(l).activation in ("sigmoid", "tanh"):
                    reason += f" ({self.network.layer(l).activation}'s f'(z) is small where |z| is large)"
                return Hit(Condition.VANISHING, step, reason, l, j, next_sample(), _phase(Phase.BACKWARD, l))
        if s.dead_relu:
            for l, active in self._epoch_activity().items():
                dead = np.flatnonzero(~active)
                if len(dead):
                    j = int(dead[0])
                    reason = (
                        f"a_{j + 1}^{l} = 0 for all {self._samples} samples of {steps}, so δ_{j + 1}^{l} = 0 and "
                        f"its weights w_{j + 1}k^{l} no longer learn ({len(dead)} of {len(active)} neurons "
                        f"of layer {l} are dead)"
                    )
                    return Hit(Condition.DEAD_RELU, step, reason, l, j, next_sample(), _phase(Phase.FORWARD, l))
        return None


_BAD_PHASE = {"z": Phase.FORWARD, "a": Phase.FORWARD, "loss": Phase.LOSS, "delta": Phase.BACKWARD}
_NAMES = {"z": "z", "a": "a", "delta": "δ", "gradient": "∂C/∂w or ∂C/∂b", "weights": "the updated w or b"}


def _non_finite_hit(result: PassResult, bad: tuple[str, int], step: int, samples: np.ndarray) -> Hit:
    quantity, layer = bad
    arrays = {"z": result.z, "a": result.a, "delta": result.delta}
    neuron: int | None = None
    column = 0
    if quantity in arrays:
        rows, columns = np.nonzero(~np.isfinite(arrays[quantity][layer]))
        neuron, column = int(rows[0]), int(columns[0])
    elif quantity == "loss":
        column = int(np.flatnonzero(~np.isfinite(result.losses))[0])
    phase = _phase(_BAD_PHASE.get(quantity, Phase.BACKWARD), layer)
    if quantity == "loss":
        reason, phase = "the loss C became NaN or infinite", _phase(Phase.LOSS)
    elif quantity == "weights":
        reason, phase = f"the updated weights of layer {layer} became NaN or infinite", _phase(Phase.UPDATE)
    else:
        name = f"{_NAMES[quantity]}_{neuron + 1}^{layer}" if neuron is not None else f"{_NAMES[quantity]} of layer"
        reason = f"{name} became NaN or infinite"
    reason += " — the weights of the last finite step were kept (try a smaller learning rate η)"
    hit_layer = None if quantity == "loss" else layer  # the loss belongs to no layer
    return Hit(Condition.NON_FINITE, step, reason, hit_layer, neuron, int(samples[column]), phase)


def hit_from_divergence(error: Divergence, trainer: Trainer) -> Hit:
    """The ``Hit`` for a step that ``Trainer.step`` refused with ``Divergence``.

    The trainer still holds the last finite weights and points at the failing batch, so
    its pass is run again (by ``backprop.run_pass``) to find the neuron and the sample."""
    rows = trainer.next_samples()
    result = run_pass(trainer.network, trainer.data.inputs[rows].T, trainer.data.targets[rows].T)
    bad = first_non_finite(result)
    if bad is None:
        settings = trainer.settings
        update = compute_update(trainer.network, result, settings.learning_rate, settings.rule, trainer.optimizer_state)
        weights, biases = update.weights, update.biases
        layer = next(l for l in weights if not (np.isfinite(weights[l]).all() and np.isfinite(biases[l]).all()))
        bad = ("weights", layer)
    return _non_finite_hit(result, bad, error.step, rows)


def last_step_rows(trainer: Trainer) -> np.ndarray:
    """The data rows of the minibatch the trainer's last step trained on."""
    epoch, batch = trainer.epoch, trainer.batch - 1
    if batch < 0:
        epoch, batch = epoch - 1, trainer.batches_per_epoch - 1
    size = trainer.settings.batch_size
    return trainer.epoch_order(epoch)[batch * size : (batch + 1) * size]


def monitor_for(trainer: Trainer, settings: BreakpointSettings) -> BreakpointMonitor:
    """A monitor of ``settings`` watching ``trainer`` (call ``detach()`` to stop watching)."""
    monitor = BreakpointMonitor(settings, trainer.network)
    monitor.attach(trainer)
    return monitor
