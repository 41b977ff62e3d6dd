"""Exports of one pass and of training as CSV and JSON data (the worked solution is ``core.worked``).

Every number of a pass comes from ``full_pass``: a fresh stepper on a copy of the network,
run to the end of the pass, so an export always covers the whole pass of one sample and
never moves the stepper the user is looking at.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

import numpy as np

from backprop_gui.core.backprop import first_non_finite, set_parameters
from backprop_gui.core.formatting import counted
from backprop_gui.core.formulas import Sym, index, token_text
from backprop_gui.core.optimizers import penalty_of
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import format_json
from backprop_gui.core.stepper import Quantity, Stepper
from backprop_gui.core.trace import trace_dict
from backprop_gui.core.training import LossHistory

PASS_COLUMNS = ("phase", "quantity", "layer", "j", "k", "name", "value")
HISTORY_COLUMNS = (
    "step",
    "epoch",
    "loss",
    "epoch_mean_loss",
    "validation_loss",
    "test_loss",
    "train_accuracy",
    "test_accuracy",
)


class ExportError(ValueError):
    """Something cannot be exported; the message says what and why."""


class NonFinitePass(ExportError):
    """The pass met a NaN or infinity, so it has no numbers worth exporting."""


# --- the pass ---------------------------------------------------------------------------


def full_pass(source: Stepper | Session, sample: int | None = None) -> Stepper:
    """A new stepper at the end of the pass of sample ``sample`` (0-based), on a copy of the network.

    From a ``Stepper`` the pass uses its weights and optimiser state from before its Update (its
    current sample by default); from a ``Session`` the session's network and optimiser state as
    they are (sample 0 by default). Either way with its update rule.
    Raises ExportError for a sample that does not exist, NonFinitePass for a pass with NaN or ±inf.
    """
    if isinstance(source, Stepper):
        network = source.network.copy()
        old = {l: source.weights_before(l) for l in range(1, network.depth + 1)}
        set_parameters(network, {l: w.copy() for l, (w, _) in old.items()}, {l: b.copy() for l, (_, b) in old.items()})
        inputs, targets, rate = source.inputs, source.targets, source.learning_rate
        rule, state = source.rule, source.state_before.copy()
        sample = int(source.sample_indices[0]) if sample is None else sample
    else:
        network = source.network.copy()
        inputs, targets, rate = source.data.inputs, source.data.targets, source.training.learning_rate
        rule, state = source.training.rule, source.optimizer_state.copy()
        sample = 0 if sample is None else sample
    count = len(inputs)
    if not 0 <= sample < count:
        raise ExportError(
            f"sample {sample} does not exist (the data set has {counted(count, 'sample')}, 0..{count - 1})"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        stepper = Stepper(network, inputs, targets, rate, batch_size=1, batch=sample, rule=rule, optimizer_state=state)
    stepper.run_to_end()
    bad = first_non_finite(stepper.record)
    if bad is not None:
        raise NonFinitePass(f"{bad[0]} of layer {bad[1]} is NaN or infinite for sample {sample}: nothing to export")
    return stepper


@dataclass(frozen=True)
class PassValue:
    """One number of a pass: the phase that computes it, its quantity and indices (1-based, None where
    the course's name has none), its name in the course notation (z_1^2, ∂C/∂w_12^1) and its value."""

    phase: str
    quantity: str
    layer: int | None
    j: int | None
    k: int | None
    name: str
    value: float


def pass_values(stepper: Stepper) -> list[PassValue]:
    """Every number of ``stepper``'s pass in pass order: given x, t, η, w, b; then z, a; C, ∂C/∂a;
    δ, ∂C/∂b, ∂C/∂w; and at Update, with an optimiser other than plain SGD, the gradient g it used and
    its buffers (m, v, m̂, v̂ "of w" and "of b"), then the new w, b; with a penalty, the penalty and
    C + penalty at Loss. ``stepper`` must be at the end of its pass."""
    if not stepper.at_end:
        raise ExportError("the pass is not complete: run it to the end first")
    network, L = stepper.network, stepper.network.depth
    out: list[PassValue] = []

    def column(q: Quantity, l: int = 0) -> np.ndarray:
        values = stepper.value(q, l).values
        return values[:, 0] if values.ndim == 2 and q not in (Quantity.GRAD_WEIGHTS, Quantity.NEW_WEIGHTS) else values

    def vector(phase: str, symbol: str, values: np.ndarray, layer: int | None, sup: str = "") -> None:
        for j, value in enumerate(values):
            name = token_text(Sym(symbol, index(j), sup), 4)
            out.append(PassValue(phase, symbol, layer, j + 1, None, name, float(value)))

    def matrix(phase: str, symbol: str, values: np.ndarray, layer: int) -> None:
        for (j, k), value in np.ndenumerate(values):
            name = token_text(Sym(symbol, index(j, k), str(layer)), 4)
            out.append(PassValue(phase, symbol, layer, j + 1, k + 1, name, float(value)))

    vector("Given", "x", column(Quantity.INPUT), 0)
    vector("Given", "t", column(Quantity.TARGET), None)
    out.append(PassValue("Given", "η", None, None, None, "η", stepper.learning_rate))
    for l in range(1, L + 1):
        weights, biases = stepper.weights_before(l)
        matrix("Given", "w", weights, l)
        if network.layer(l).has_bias:
            vector("Given", "b", biases, l, str(l))
    for l in range(1, L + 1):
        vector(f"Forward {l}", "z", column(Quantity.WEIGHTED_INPUT, l), l, str(l))
        vector(f"Forward {l}", "a", column(Quantity.ACTIVATION, l), l, str(l))
    loss = float(stepper.value(Quantity.LOSS).values[0, 0])
    out.append(PassValue("Loss", "C", None, None, None, "C", loss))
    regularization = stepper.rule.regularization
    if regularization.active:
        before = [stepper.weights_before(l) for l in range(1, L + 1)]
        penalty = penalty_of([w for w, _ in before], [b for _, b in before], regularization)
        out.append(PassValue("Loss", "penalty", None, None, None, "penalty", penalty))
        out.append(PassValue("Loss", "C + penalty", None, None, None, "C + penalty", loss + penalty))
    vector("Loss", "∂C/∂a", column(Quantity.OUTPUT_GRADIENT), L, str(L))
    for l in range(L, 0, -1):
        vector(f"Backward {l}", "δ", column(Quantity.DELTA, l), l, str(l))
        if network.layer(l).has_bias:
            vector(f"Backward {l}", "∂C/∂b", column(Quantity.GRAD_BIASES, l), l, str(l))
        matrix(f"Backward {l}", "∂C/∂w", column(Quantity.GRAD_WEIGHTS, l), l)
    update = stepper.update
    if update.layout is not None:  # the optimiser's numbers: the gradient it used, its buffers
        for key, symbol in (("g", "g"), ("m", "m"), ("v", "v"), ("m_hat", "m̂"), ("v_hat", "v̂")):
            if key in update.terms:
                buffer_w, buffer_b = update.layout.split(update.terms[key])
                for l in range(1, L + 1):
                    matrix("Update", f"{symbol} of w", buffer_w[l], l)
                    if network.layer(l).has_bias:
                        vector("Update", f"{symbol} of b", buffer_b[l], l, str(l))
    for l in range(1, L + 1):
        matrix("Update", "w", column(Quantity.NEW_WEIGHTS, l), l)
        if network.layer(l).has_bias:
            vector("Update", "b", column(Quantity.NEW_BIASES, l), l, str(l))
    return out


def pass_csv(source: Stepper | Session, sample: int | None = None) -> str:
    """The whole pass of one sample (see ``full_pass``) as CSV, one row per number.

    Columns ``phase, quantity, layer, j, k, name, value``: layer, j and k count from 1 (empty
    where the course's name has none, as for C and η); ``value`` carries every digit.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PASS_COLUMNS)
    for v in pass_values(full_pass(source, sample)):
        writer.writerow([v.phase, v.quantity, _cell(v.layer), _cell(v.j), _cell(v.k), v.name, repr(v.value)])
    return buffer.getvalue()


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


def pass_json(source: Stepper | Session, sample: int | None = None) -> str:
    """The whole pass of one sample as the ``trace`` command's JSON, with a final newline.

    With an optimiser other than plain SGD or a penalty, ``optimizer`` lists the numbers the CSV
    adds for them (the penalty, the gradient g used and the buffers m, v, m̂, v̂), one object per
    number with the CSV's columns; plain SGD gives exactly the trace.
    """
    stepper = full_pass(source, sample)
    document = trace_dict(stepper.network, stepper.record)
    extra = [asdict(v) for v in pass_values(stepper) if v.quantity not in _PLAIN_SGD_QUANTITIES]
    if extra:
        document["optimizer"] = extra
    return format_json(document) + "\n"


# what a pass of plain SGD without a penalty computes (the trace holds these)
_PLAIN_SGD_QUANTITIES = frozenset({"x", "t", "η", "w", "b", "z", "a", "C", "∂C/∂a", "δ", "∂C/∂b", "∂C/∂w"})


def history_csv(history: LossHistory) -> str:
    """The loss history as CSV: one row per SGD step whose loss is kept (``step`` from 1, its ``epoch``
    from 1, its ``loss``; of the steps before ``history.dropped`` only the early points), and a row
    for the step that ends each epoch, holding the epoch's mean loss, validation loss, and with a
    train/test split its test loss and accuracies (where measured)."""
    ends = np.asarray(history.epoch_ends, dtype=np.int64)
    dropped = history.dropped
    early = dict(zip(history.early_steps, history.early_losses, strict=True))
    before = np.union1d(np.frombuffer(history.early_steps, dtype=np.int64), ends[(ends >= 1) & (ends <= dropped)])
    steps = np.concatenate([before, np.arange(dropped + 1, history.steps + 1)])
    epochs = np.searchsorted(ends, steps, side="left") + 1
    means = {int(end): e for e, end in enumerate(ends)}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    measurements = (history.test_losses, history.train_accuracies, history.test_accuracies)
    for step, epoch in zip(steps.tolist(), epochs.tolist(), strict=True):
        loss = history.step_losses[step - dropped - 1] if step > dropped else early.get(step)
        e = means.get(step)
        mean = repr(history.epoch_losses[e]) if e is not None and e < len(history.epoch_losses) else ""
        validation = repr(history.validation_losses[e]) if e is not None and e < len(history.validation_losses) else ""
        measured = [_measured(history, values, e) for values in measurements]
        writer.writerow([step, epoch, "" if loss is None else repr(loss), mean, validation, *measured])
    return buffer.getvalue()


def _measured(history: LossHistory, values: list[float], epoch: int | None) -> str:
    """The measurement ``values`` (of the last epochs) of epoch ``epoch`` (0-based), or "" if none."""
    i = None if epoch is None else epoch - history.measured_from(values) + 1
    return repr(values[i]) if i is not None and 0 <= i < len(values) else ""
