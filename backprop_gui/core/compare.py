"""Runs side by side: a finished run's loss curves kept as a named reference, and what differs
between the settings two runs were trained with, in the course's notation ("η 0.5 → 2").

A session keeps at most ``MAX_REFERENCES`` references; the file stores their curves only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.features import formula
from backprop_gui.core.formatting import subscript
from backprop_gui.core.network import Network
from backprop_gui.core.optimizers import HYPERPARAMETERS, Regularization, UpdateRule
from backprop_gui.core.training import LossHistory, TrainingSettings

MAX_REFERENCES = 4
MAX_NAME_LENGTH = 200  # characters of a reference's name or label


class Run(Protocol):
    """What a comparison reads of a session (``core.session.Session`` is one)."""

    network: Network
    training: TrainingSettings
    data: Dataset
    history: LossHistory


@dataclass(frozen=True)
class RunSettings:
    """What a run was trained with, as far as a comparison names it: the architecture (sizes
    n_0 … n_L, each layer's f_l and bias, the loss, the input features), η, the minibatch size,
    the update rule, shuffling, the train/test split, the data's generator recipe, and the
    initialisation scheme when it is known (``init``, None otherwise)."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    biases: tuple[bool, ...]
    loss: str
    features: tuple[str, ...] | None
    learning_rate: float
    batch_size: int
    rule: UpdateRule
    shuffle: bool
    seed: int
    test_fraction: float
    split_seed: int
    data: tuple[tuple[str, object], ...] | None
    init: str | None = None

    @classmethod
    def of(cls, session: Run, init: str | None = None) -> RunSettings:
        """The settings ``session`` trains with now (``init``: the scheme its weights were drawn by, if known)."""
        network, training, data = session.network, session.training, session.data
        recipe = None if data.generator is None else tuple(sorted(data.generator.items()))
        return cls(
            tuple(network.sizes),
            tuple(layer.activation for layer in network.layers),
            tuple(layer.has_bias for layer in network.layers),
            network.loss,
            network.features,
            training.learning_rate,
            training.batch_size,
            training.rule,
            training.shuffle,
            training.seed,
            data.test_fraction,
            data.split_seed,
            recipe,
            init,
        )


@dataclass
class Reference:
    """A run kept for comparison: its ``name``, a ``label`` naming what differs ("η 0.5 → 2"), and
    its loss curves: ``train_losses`` (mean C of each epoch) and ``test_losses`` (test C of its last
    epochs, as ``LossHistory.test_losses``). ``settings`` are what it was trained with (not saved:
    a file keeps the curves only)."""

    name: str
    label: str
    train_losses: list[float] = field(default_factory=list)
    test_losses: list[float] = field(default_factory=list)
    settings: RunSettings | None = None

    def validate(self, where: str = "reference") -> None:
        """Raise ValueError naming ``where`` and the field that is wrong."""
        if not self.name.strip():
            raise ValueError(f"{where}.name: a reference needs a name")
        for key in ("name", "label"):
            text = getattr(self, key)
            if len(text) > MAX_NAME_LENGTH:
                raise ValueError(f"{where}.{key}: at most {MAX_NAME_LENGTH} characters, got {len(text)}")
        if len(self.test_losses) > len(self.train_losses):
            raise ValueError(
                f"{where}.test_losses: more values ({len(self.test_losses)}) than epochs ({len(self.train_losses)})"
            )
        for key in ("train_losses", "test_losses"):
            bad = next((i for i, v in enumerate(getattr(self, key)) if not math.isfinite(v)), None)
            if bad is not None:
                raise ValueError(f"{where}.{key}[{bad}]: contains NaN or infinity")


def keep_run(session: Run, name: str, label: str = "", init: str | None = None) -> Reference:
    """``session``'s loss curves as a reference named ``name``, with the settings it trained with."""
    history = session.history
    return Reference(name, label, list(history.epoch_losses), list(history.test_losses), RunSettings.of(session, init))


def check_count(count: int, where: str = "references") -> None:
    """Raise ValueError naming ``where`` when ``count`` references are more than ``MAX_REFERENCES``."""
    if count > MAX_REFERENCES:
        raise ValueError(
            f"{where}: at most {MAX_REFERENCES} runs can be kept for comparison, got {count}; remove one first"
        )


def check_references(references: list[Reference], where: str = "references") -> None:
    """Raise ValueError for more than ``MAX_REFERENCES`` references or a bad one (named by its index)."""
    check_count(len(references), where)
    for i, reference in enumerate(references):
        reference.validate(f"{where}[{i}]")


def add_reference(references: list[Reference], reference: Reference) -> None:
    """Append ``reference``; ValueError (and nothing added) when there are ``MAX_REFERENCES`` already."""
    check_references([*references, reference])
    references.append(reference)


def describe_differences(before: RunSettings, after: RunSettings) -> str:
    """What changed from ``before`` to ``after``, in the course's notation, e.g.
    "η 0.5 → 2, f₁ sigmoid → relu, adam → sgd"; "same settings" when nothing did."""
    parts: list[str] = []
    if before.sizes != after.sizes:
        parts.append(f"{_sizes(before.sizes)} → {_sizes(after.sizes)}")
    if before.features != after.features:
        parts.append(f"inputs {_inputs(before.features)} → {_inputs(after.features)}")
    if len(before.activations) == len(after.activations):
        for l, (old, new) in enumerate(zip(before.activations, after.activations, strict=True), start=1):
            if old != new:
                parts.append(f"f{subscript(l)} {old} → {new}")
        for l, (had, has) in enumerate(zip(before.biases, after.biases, strict=True), start=1):
            _changed(parts, f"b{subscript(l)}", had, has)
    elif before.activations != after.activations:
        parts.append(f"f {', '.join(before.activations)} → {', '.join(after.activations)}")
    _changed(parts, "C", before.loss, after.loss)
    if before.init is not None and after.init is not None:
        _changed(parts, "init", before.init, after.init)
    _changed(parts, "η", before.learning_rate, after.learning_rate)
    _changed(parts, "batch", before.batch_size, after.batch_size)
    parts += _rule_differences(before.rule, after.rule)
    _changed(parts, "shuffle", before.shuffle, after.shuffle)
    _changed(parts, "seed", before.seed, after.seed)
    _changed(parts, "test", before.test_fraction, after.test_fraction)
    _changed(parts, "split seed", before.split_seed, after.split_seed)
    if before.data != after.data:
        parts += _data_differences(before.data, after.data)
    return ", ".join(parts) if parts else "same settings"


def _rule_differences(before: UpdateRule, after: UpdateRule) -> list[str]:
    parts: list[str] = []
    old, new = before.optimizer, after.optimizer
    if old.name != new.name:
        parts.append(f"{old.name} → {new.name}")
    else:
        for name in old.rule.hyperparameters:
            label = HYPERPARAMETERS[name][0].split()[-1] if name in HYPERPARAMETERS else name
            _changed(parts, label, getattr(old, name), getattr(new, name))
    penalty_old, penalty_new = before.regularization, after.regularization
    if (penalty_old.active, penalty_old.kind, penalty_old.strength) != (
        penalty_new.active,
        penalty_new.kind,
        penalty_new.strength,
    ):
        parts.append(f"{_penalty(penalty_old)} → {_penalty(penalty_new)}")
    if before.schedule != after.schedule:
        parts.append(f"schedule {before.schedule.kind} → {after.schedule.kind}")
    if before.clip_norm != after.clip_norm:
        parts.append(f"clip {_value(before.clip_norm)} → {_value(after.clip_norm)}")
    return parts


def _data_differences(
    before: tuple[tuple[str, object], ...] | None, after: tuple[tuple[str, object], ...] | None
) -> list[str]:
    if before is None or after is None:
        return ["data changed"]
    old, new = dict(before), dict(after)
    if old.get("name") != new.get("name"):
        return [f"data {old.get('name')} → {new.get('name')}"]
    return [f"{key} {_value(old.get(key))} → {_value(new.get(key))}" for key in new if old.get(key) != new.get(key)]


def _changed(parts: list[str], name: str, old: object, new: object) -> None:
    if old != new:
        parts.append(f"{name} {_value(old)} → {_value(new)}")


def _value(value: object) -> str:
    """A setting as the legend shows it: 0.5, 2 (not 2.0), on/off, none."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _sizes(sizes: tuple[int, ...]) -> str:
    return "-".join(map(str, sizes))


def _inputs(features: tuple[str, ...] | None) -> str:
    return "raw x" if features is None else ", ".join(formula(name) for name in features)


def _penalty(regularization: Regularization) -> str:
    if not regularization.active:
        return "no penalty"
    return f"{regularization.kind.upper()} λ {regularization.strength:g}"
