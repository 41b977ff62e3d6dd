"""Helpers shared by the core and UI tests (no Qt here: the core tests run without it)."""

from __future__ import annotations

import itertools
import json
import os
import time

import numpy as np
import pytest
from hypothesis import strategies as st

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.geometry import Size
from backprop_gui.core.graph_layout import MAX_SHOWN, GraphTexts, shown_neurons
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.network import PROBABILITY_OUTPUTS, Layer, Network, build_network, output_conflict
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import SessionError, loads
from backprop_gui.core.stepper import Stepper
from backprop_gui.core.training import TrainingSettings
from backprop_gui.core.training_worker import Snapshot, TrainingWorker


def snapshot(network: Network) -> tuple:
    """Everything about a network, bit for bit."""
    return (
        network.input_size,
        network.loss,
        tuple(
            (layer.weights.shape, layer.weights.tobytes(), layer.biases.tobytes(), layer.activation, layer.has_bias)
            for layer in network.layers
        ),
    )


def session_of(network: Network) -> Session:
    """A session around ``network`` (one zero sample of its widths), for edits that act on ``session.network``."""
    data = Dataset(np.zeros((1, network.input_size)), np.zeros((1, network.layers[-1].size)))
    return Session("edited", network, data)


def error_of(doc: dict) -> str:
    """The message of the ``SessionError`` that reading ``doc`` (a session file as a dict) raises."""
    with pytest.raises(SessionError) as caught:
        loads(json.dumps(doc))
    return str(caught.value)


def forward_widths(monkeypatch) -> list[int]:
    """The number of grid points in each forward pass ``core.decision`` makes from now on (its chunks)."""
    from backprop_gui.core import decision

    widths: list[int] = []
    real_forward = decision.forward

    def counting_forward(network, x):
        widths.append(x.shape[1])
        return real_forward(network, x)

    monkeypatch.setattr(decision, "forward", counting_forward)
    return widths


@st.composite
def small_sessions(draw, rates: tuple[float, ...] = (0.1, 0.5, 1.7, 3.0)) -> Session:
    """A random small network (1–3 layers, 1–3 neurons each, some without bias), 1–4 samples of
    data and a learning rate η from ``rates``."""
    depth = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 3)) for _ in range(depth)]
    inputs = draw(st.integers(1, 3))
    activations = [draw(st.sampled_from(("sigmoid", "tanh", "relu", "linear"))) for _ in range(depth)]
    biases = [draw(st.booleans()) for _ in range(depth)]
    seed = draw(st.integers(0, 2**32 - 1))
    network = build_network(inputs, sizes, activations, seed=seed, has_bias=biases)
    rng = np.random.default_rng(seed)
    samples = draw(st.integers(1, 4))
    data = Dataset(rng.normal(size=(samples, inputs)), rng.uniform(size=(samples, sizes[-1])))
    rate = draw(st.sampled_from(rates))
    return Session("random", network, data, TrainingSettings(learning_rate=rate))


def activation_loss_sessions() -> list[tuple[str, Session]]:
    """("activation-loss", session) of a random 2-3-n_L network for every activation and every loss:
    the activation on the hidden layer (tanh there for softmax) and on the output layer where the loss
    allows it (sigmoid otherwise); layer 1 with bias, layer 2 without; 3 samples with random targets
    (probabilities for the cross-entropies)."""
    sessions = []
    for seed, (activation, loss) in enumerate(itertools.product(ACTIVATIONS, LOSSES)):
        hidden = "tanh" if ACTIVATIONS[activation].output_only else activation
        output = activation if output_conflict(loss, activation) is None else "sigmoid"
        network = build_network(2, [3, 3], [hidden, output], loss, seed=seed, has_bias=[True, False])
        rng = np.random.default_rng(seed)
        network.layers[0].biases = rng.normal(size=3)
        probabilities = "cross_entropy" in loss
        targets = rng.uniform(size=(3, 3)) if probabilities else rng.normal(size=(3, 3))
        data = Dataset(rng.normal(size=(3, 2)), targets)
        sessions.append((f"{activation}-{loss}", Session(f"{activation} with {loss}", network, data)))
    return sessions


def stepper_of(session: Session, sample: int = 0) -> Stepper:
    """A stepper at the start of the pass of ``sample`` (0-based) on the session's own network."""
    data = session.data
    return Stepper(session.network, data.inputs, data.targets, session.training.learning_rate, batch=sample)


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, ended but not yet reaped, counts as ended)."""
    if os.path.isdir("/proc"):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return stat.read().rsplit(") ", 1)[1][0] != "Z"
        except FileNotFoundError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


HIDDEN = [name for name, act in ACTIVATIONS.items() if not act.output_only]  # activations any layer may have
OUTPUTS = {loss: list(PROBABILITY_OUTPUTS.get(loss, ACTIVATIONS)) for loss in LOSSES}  # output activations per loss


@st.composite
def random_problems(
    draw: st.DrawFn, depths: tuple[int, int] = (1, 3), max_width: int = 5
) -> tuple[Network, np.ndarray, np.ndarray]:
    """A random network (``depths`` layers of 1–``max_width`` neurons, any loss and an output that
    suits it), a batch x (n_0, B) with B 1 or 3, and valid targets t (n_L, B)."""
    loss = draw(st.sampled_from(list(LOSSES)))
    depth = draw(st.integers(*depths))
    sizes = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    activations = draw(st.lists(st.sampled_from(HIDDEN), min_size=depth - 1, max_size=depth - 1))
    activations.append(draw(st.sampled_from(OUTPUTS[loss])))
    biases = draw(st.lists(st.booleans(), min_size=depth, max_size=depth))
    batch = draw(st.sampled_from([1, 3]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layers = []
    for n_in, n_out, activation, has_bias in zip(sizes[:-1], sizes[1:], activations, biases, strict=True):
        # modest weights keep z out of the flat, saturated parts of sigmoid and tanh
        weights = rng.uniform(-1.5, 1.5, size=(n_out, n_in)) / np.sqrt(n_in)
        b = rng.uniform(-0.5, 0.5, size=n_out) if has_bias else np.zeros(n_out)
        layers.append(Layer(weights, b, activation, has_bias))
    network = Network(sizes[0], layers, loss)
    network.validate()
    x = rng.uniform(-1.0, 1.0, size=(sizes[0], batch))
    n_out = sizes[-1]
    if loss == "cross_entropy":
        t = rng.dirichlet(np.ones(n_out), size=batch).T  # probabilities
    elif loss == "binary_cross_entropy":
        t = rng.uniform(0.0, 1.0, size=(n_out, batch))
    else:
        t = rng.normal(size=(n_out, batch))
    return network, x, t


LEGEND = Size(284, 80)  # the colour legend at 10 pt, for the graph layout tests


def graph_texts(sizes: list[int], number: float = 64.6, font_points: float = 10.0) -> GraphTexts:
    """Text sizes as a 10 pt font measures them: a line 15 px high, a number at 4 digits 65 px wide."""
    shown = [shown_neurons(n) for n in sizes]
    last = len(sizes) - 1
    return GraphTexts(
        line=15.125,
        number=number,
        font_points=font_points,
        title=Size(195, 24),
        captions=[Size(60, 24), *[Size(120 if l < last else 175, 24) for l in range(1, last + 1)]],
        elisions={l: Size(110, 24) for l, n in enumerate(sizes) if n > MAX_SHOWN},
        inputs={j: Size(21, 24) for j in shown[0]},
        outputs={j: Size(46, 40) for j in shown[last]},
        outputs_one_line={j: Size(110, 24) for j in shown[last]},
    )


def until_final(worker: TrainingWorker, timeout: float = 60) -> list[Snapshot]:
    """The snapshots of ``worker``'s run until its final one, each acknowledged as the window does."""
    end = time.monotonic() + timeout
    snapshots: list[Snapshot] = []
    while worker.running and time.monotonic() < end:
        snapshots += worker.poll()
        worker.acknowledge()
        time.sleep(0.005)
    assert snapshots and snapshots[-1].final
    return snapshots
