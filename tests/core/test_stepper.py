"""The phase machine: what is known at every position, and exact undo of every kind of move."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_gui.core.backprop import run_pass, updated_parameters
from backprop_gui.core.network import Layer, Network
from backprop_gui.core.stepper import Phase, PhaseStep, Quantity, Stepper, phase_sequence

LAYERED = [
    Quantity.WEIGHTED_INPUT,
    Quantity.ACTIVATION,
    Quantity.DELTA,
    Quantity.GRAD_WEIGHTS,
    Quantity.GRAD_BIASES,
    Quantity.NEW_WEIGHTS,
    Quantity.NEW_BIASES,
]
WHOLE = [Quantity.INPUT, Quantity.TARGET, Quantity.LOSS, Quantity.OUTPUT_GRADIENT]


def _network(output: str = "softmax", loss: str = "cross_entropy") -> Network:
    """2 → 3 (tanh) → 2 (no bias) → 2 (``output``): three layers, one of them bias-free."""
    rng = np.random.default_rng(21)
    return Network(
        2,
        [
            Layer(rng.normal(size=(3, 2)), rng.normal(size=3), "tanh"),
            Layer(rng.normal(size=(2, 3)), np.zeros(2), "sigmoid", has_bias=False),
            Layer(rng.normal(size=(2, 2)), rng.normal(size=2), output),
        ],
        loss,
    )


def _data() -> tuple[np.ndarray, np.ndarray]:
    """Three samples as rows: inputs (3, 2), one-hot targets (3, 2)."""
    return np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 0.8]]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])


def _stepper(batch_size: int = 1, output: str = "softmax", loss: str = "cross_entropy") -> Stepper:
    inputs, targets = _data()
    return Stepper(_network(output, loss), inputs, targets, learning_rate=0.5, batch_size=batch_size)


def _snapshot(s: Stepper) -> dict[str, Any]:
    """Everything a user could see, and the network's parameters as bytes."""
    shot: dict[str, Any] = {"cursor": (s.batch, s.position, s.revealed, s.current, s.at_end)}
    for q in WHOLE:
        r = s.value(q)
        shot[q.value] = (r.values, r.known)
    for l in range(1, s.network.depth + 1):
        for q in LAYERED:
            r = s.value(q, l)
            shot[f"{q.value}{l}"] = (r.values, r.known)
        layer = s.network.layer(l)
        shot[f"params{l}"] = (layer.weights.tobytes(), layer.biases.tobytes())
        shot[f"before{l}"] = tuple(p.tobytes() for p in s.weights_before(l))
    return shot


def _assert_same(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    assert expected.keys() == actual.keys()
    for key, value in expected.items():
        if key.startswith(("cursor", "params", "before")):
            assert actual[key] == value, key
        else:
            np.testing.assert_array_equal(actual[key][0], value[0], err_msg=key)  # NaNs compare equal here
            np.testing.assert_array_equal(actual[key][1], value[1], err_msg=key)


def _same(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    try:
        _assert_same(expected, actual)
    except AssertionError:
        return False
    return True


def _expected_known(s: Stepper, q: Quantity, l: int) -> np.ndarray:
    """What should be known, derived from the cursor alone, independently of Stepper.known."""
    L = s.network.depth
    position, revealed = s.position, s.revealed

    def done(index: int, n: int) -> int:
        return n if index < position else revealed if index == position else 0

    if q in (Quantity.INPUT, Quantity.TARGET):
        n = s.network.input_size if q is Quantity.INPUT else s.network.layers[-1].size
        return np.ones(n, dtype=bool)
    if q in (Quantity.LOSS, Quantity.OUTPUT_GRADIENT):
        n = 1 if q is Quantity.LOSS else s.network.layers[-1].size
        return np.full(n, position >= L + 1)
    layer = s.network.layer(l)
    n = layer.size
    if q in (Quantity.NEW_WEIGHTS, Quantity.NEW_BIASES):
        return np.full(n, position == 2 * L + 2)
    if q in (Quantity.WEIGHTED_INPUT, Quantity.ACTIVATION):
        k = done(l - 1, n)
        if q is Quantity.ACTIVATION and layer.activation == "softmax" and k < n:
            k = 0
    else:
        k = done(2 * L + 1 - l, n)
        if q is Quantity.GRAD_BIASES and not layer.has_bias:
            k = 0
    return np.arange(n) < k


def _raw(s: Stepper, q: Quantity, l: int) -> np.ndarray:
    r = s.record
    new_w, new_b = updated_parameters(_with_old_parameters(s), r, s.learning_rate)
    return {
        Quantity.INPUT: lambda: r.x,
        Quantity.TARGET: lambda: r.t,
        Quantity.LOSS: lambda: r.losses[None, :],
        Quantity.OUTPUT_GRADIENT: lambda: r.grad_a,
        Quantity.WEIGHTED_INPUT: lambda: r.z[l],
        Quantity.ACTIVATION: lambda: r.a[l],
        Quantity.DELTA: lambda: r.delta[l],
        Quantity.GRAD_WEIGHTS: lambda: r.grad_w[l],
        Quantity.GRAD_BIASES: lambda: r.grad_b[l],
        Quantity.NEW_WEIGHTS: lambda: new_w[l],
        Quantity.NEW_BIASES: lambda: new_b[l],
    }[q]()


def _with_old_parameters(s: Stepper) -> Network:
    network = s.network.copy()
    for l, layer in enumerate(network.layers, start=1):
        layer.weights, layer.biases = (p.copy() for p in s.weights_before(l))
    return network


def _check_invariants(s: Stepper) -> None:
    """Known masks follow the cursor; known values are the pass's; unknown values are NaN."""
    pairs = [(q, 0) for q in WHOLE] + [(q, l) for l in range(1, s.network.depth + 1) for q in LAYERED]
    for q, l in pairs:
        r = s.value(q, l)
        np.testing.assert_array_equal(r.known, _expected_known(s, q, l), err_msg=f"{q.value}{l}")
        np.testing.assert_array_equal(s.known(q, l), r.known)
        assert np.isnan(r.values[~r.known]).all(), f"{q.value}{l} shows an unknown value"
        np.testing.assert_array_equal(r.values[r.known], _raw(s, q, l)[r.known], err_msg=f"{q.value}{l}")
    # the network holds the new parameters exactly when Update is done, else the old ones
    for l in range(1, s.network.depth + 1):
        expected = (s.value(Quantity.NEW_WEIGHTS, l).values, s.value(Quantity.NEW_BIASES, l).values)
        if not s.at_end:
            expected = s.weights_before(l)
        np.testing.assert_array_equal(s.network.layer(l).weights, expected[0])
        np.testing.assert_array_equal(s.network.layer(l).biases, expected[1])


MOVES: dict[str, Callable[[Stepper], None]] = {
    "step": Stepper.step,
    "step_into": Stepper.step_into,
    "finish_phase": Stepper.finish_phase,
    "run_to_end": Stepper.run_to_end,
    "run_to_first": lambda s: s.run_to(0),
    "run_to_loss": lambda s: s.run_to(s.network.depth),
    "run_to_update": lambda s: s.run_to(len(s.phases) - 1),
    "reset_pass": Stepper.reset_pass,
    "next_sample": Stepper.next_batch,
    "previous_sample": Stepper.previous_batch,
    "select_last": lambda s: s.select_batch(s.batch_count - 1),
}


def _walk_to(s: Stepper, position: int, revealed: int) -> None:
    s.run_to(position - 1) if position else s.reset_pass()
    for _ in range(revealed):
        s.step_into()
    assert (s.position, s.revealed) == (position, revealed)


def test_phase_sequence_labels() -> None:
    labels = [step.label for step in phase_sequence(2)]
    assert labels == ["Forward 1", "Forward 2", "Loss", "Backward 2", "Backward 1", "Update"]


@pytest.mark.parametrize("batch_size", [1, 2])
@pytest.mark.parametrize("move", list(MOVES))
@pytest.mark.parametrize(("position", "revealed"), [(0, 0), (0, 2), (3, 0), (4, 0), (5, 1), (7, 0), (8, 0)])
def test_step_back_undoes_every_kind_of_move_exactly(batch_size: int, move: str, position: int, revealed: int) -> None:
    s = _stepper(batch_size)
    s.select_batch(s.batch_count - 1)  # the last batch, so that moving on wraps around to the first
    _walk_to(s, position, revealed)
    before = _snapshot(s)
    MOVES[move](s)
    _check_invariants(s)
    if _same(before, _snapshot(s)):
        return  # a move that changes nothing (reset at the start, run to where it is) leaves nothing to undo
    s.step_back()
    _assert_same(before, _snapshot(s))
    _check_invariants(s)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(list(MOVES)), min_size=1, max_size=30), st.sampled_from([1, 2]))
def test_any_walk_steps_back_to_every_earlier_state(moves: list[str], batch_size: int) -> None:
    s = _stepper(batch_size)
    shots = [_snapshot(s)]
    for move in moves:
        MOVES[move](s)
        _check_invariants(s)
        shot = _snapshot(s)
        if not _same(shots[-1], shot):  # moves that change nothing leave nothing to undo
            shots.append(shot)
    for shot in reversed(shots[:-1]):
        s.step_back()
        _assert_same(shot, _snapshot(s))
    assert not s.can_step_back


def test_step_into_reveals_one_neuron_at_a_time() -> None:
    s = _stepper()
    s.step_into()
    assert (s.position, s.revealed, s.current) == (0, 1, PhaseStep(Phase.FORWARD, 1))
    np.testing.assert_array_equal(s.known(Quantity.WEIGHTED_INPUT, 1), [True, False, False])
    np.testing.assert_array_equal(s.known(Quantity.ACTIVATION, 1), [True, False, False])
    s.step_into()
    np.testing.assert_array_equal(s.known(Quantity.ACTIVATION, 1), [True, True, False])
    s.step_into()  # the last neuron completes the phase
    assert (s.position, s.revealed, s.current) == (1, 0, PhaseStep(Phase.FORWARD, 1))
    s.run_to(1)
    s.step_into()  # softmax output: z_1^3 is known but a^3 needs every z^3 first
    np.testing.assert_array_equal(s.known(Quantity.WEIGHTED_INPUT, 3), [True, False])
    np.testing.assert_array_equal(s.known(Quantity.ACTIVATION, 3), [False, False])
    assert np.isnan(s.value(Quantity.ACTIVATION, 3).values).all()
    s.step_into()
    np.testing.assert_array_equal(s.known(Quantity.ACTIVATION, 3), [True, True])
    s.step_into()  # Loss is a single step
    assert s.position == 4 and s.known(Quantity.LOSS).all() and not s.known(Quantity.DELTA, 3).any()


def test_step_into_walks_the_whole_pass_neuron_by_neuron() -> None:
    s = _stepper()
    neurons = sum(s.neuron_count(step) for step in s.phases)
    for count in range(1, neurons + 1):
        s.step_into()
        _check_invariants(s)
        shown = sum(s.done(step) for step in s.phases)
        assert shown == count
    assert s.at_end


def test_sigmoid_output_reveals_a_with_z() -> None:
    s = _stepper(output="sigmoid", loss="binary_cross_entropy")
    s.run_to(1)
    s.step_into()
    np.testing.assert_array_equal(s.known(Quantity.ACTIVATION, 3), [True, False])


def test_nothing_is_known_at_the_start_but_input_and_target() -> None:
    s = _stepper()
    assert s.position == 0 and s.current is None and not s.can_step_back
    for l in (1, 2, 3):
        for q in LAYERED:
            r = s.value(q, l)
            assert not r.known.any() and np.isnan(r.values).all()
    assert np.isnan(s.value(Quantity.LOSS).values).all()
    np.testing.assert_array_equal(s.value(Quantity.INPUT).values, [[0.5], [-1.0]])


def test_update_applies_sgd_and_step_back_restores_the_weights_bit_for_bit() -> None:
    s = _stepper()
    old = [(layer.weights.copy(), layer.biases.copy()) for layer in s.network.layers]
    s.run_to(len(s.phases) - 2)  # everything but Update
    np.testing.assert_array_equal(s.network.layer(1).weights, old[0][0])
    s.step()  # Update: w ← w − η ∂C/∂w
    for l, (w, _) in enumerate(old, start=1):
        grad_w = s.value(Quantity.GRAD_WEIGHTS, l).values
        np.testing.assert_array_equal(s.network.layer(l).weights, w - 0.5 * grad_w)
        np.testing.assert_array_equal(s.weights_before(l)[0], w)
    np.testing.assert_array_equal(s.network.layer(2).biases, [0.0, 0.0])  # bias-free: never updated
    np.testing.assert_array_equal(s.network.layer(3).biases, old[2][1] - 0.5 * s.value(Quantity.GRAD_BIASES, 3).values)
    s.step_back()
    for layer, (w, b) in zip(s.network.layers, old, strict=True):
        assert layer.weights.tobytes() == w.tobytes() and layer.biases.tobytes() == b.tobytes()


def test_after_update_the_next_pass_starts_from_the_new_weights() -> None:
    s = _stepper()
    s.run_to_end()
    trained = s.network.copy()
    s.step()
    assert (s.batch, s.position) == (1, 0)
    inputs, targets = _data()
    expected = run_pass(trained, inputs[[1]].T, targets[[1]].T)
    np.testing.assert_array_equal(s.record.z[3], expected.z[3])
    np.testing.assert_array_equal(s.weights_before(1)[0], trained.layer(1).weights)


def test_reset_pass_puts_the_old_weights_back() -> None:
    s = _stepper()
    w = s.network.layer(1).weights.copy()
    s.run_to_end()
    assert not np.array_equal(s.network.layer(1).weights, w)
    s.reset_pass()
    assert (s.position, s.revealed) == (0, 0)
    np.testing.assert_array_equal(s.network.layer(1).weights, w)


def test_samples_wrap_around() -> None:
    s = _stepper()
    s.previous_batch()
    assert s.batch == 2 and list(s.sample_indices) == [2]
    s.next_batch()
    assert s.batch == 0
    s.select_batch(2)
    s.run_to_end()
    s.step()  # past the last sample's Update: the first sample's pass begins
    assert (s.batch, s.position) == (0, 0)
    with pytest.raises(IndexError, match=r"sample 3 does not exist \(0..2\)"):
        s.select_batch(3)
    with pytest.raises(IndexError, match=r"phase 8 does not exist \(0..7\)"):
        s.run_to(8)


def test_minibatch_pass_averages_the_gradients() -> None:
    s = _stepper(batch_size=2)
    assert s.batch_count == 2 and list(s.sample_indices) == [0, 1]
    s.run_to_end()
    inputs, targets = _data()
    network = _with_old_parameters(s)
    singles = [run_pass(network, inputs[[i]].T, targets[[i]].T) for i in (0, 1)]
    assert s.value(Quantity.ACTIVATION, 1).values.shape == (3, 2)  # one column per sample
    np.testing.assert_allclose(s.value(Quantity.LOSS).values[0], [singles[0].loss, singles[1].loss], rtol=1e-14)
    for l in (1, 2, 3):
        mean = (singles[0].grad_w[l] + singles[1].grad_w[l]) / 2
        np.testing.assert_allclose(s.value(Quantity.GRAD_WEIGHTS, l).values, mean, rtol=1e-14)
    s.next_batch()
    assert list(s.sample_indices) == [2]  # the last batch holds what is left


def test_bias_free_layer_never_shows_a_gradient_or_changes_its_bias() -> None:
    s = _stepper()
    for _ in range(3):
        s.run_to_end()
        assert not s.value(Quantity.GRAD_BIASES, 2).known.any()
        np.testing.assert_array_equal(s.value(Quantity.NEW_BIASES, 2).values, [0.0, 0.0])
        assert s.value(Quantity.GRAD_BIASES, 3).known.all()
        s.step()
    assert not s.network.layer(2).biases.any()


def test_restart_recomputes_after_an_edit_and_forgets_the_history() -> None:
    s = _stepper()
    s.run_to(2)
    s.network.layer(1).weights = s.network.layer(1).weights + 1.0
    s.restart()
    assert (s.position, s.can_step_back) == (0, False)
    inputs, targets = _data()
    np.testing.assert_array_equal(s.record.z[1], run_pass(s.network, inputs[[0]].T, targets[[0]].T).z[1])
    s.step_back()  # nothing to undo: no change
    assert s.position == 0


def test_moves_that_change_nothing_leave_no_history() -> None:
    s = _stepper()
    s.reset_pass()
    assert not s.can_step_back
    s.run_to(0)
    s.run_to(0)
    s.step_back()
    assert s.position == 0 and not s.can_step_back


def test_a_data_set_without_samples_is_refused_clearly() -> None:
    network = _network()
    with pytest.raises(ValueError, match="^the data set has no samples"):
        Stepper(network, np.zeros((0, 2)), np.zeros((0, 2)), learning_rate=0.5)
    inputs, targets = _data()
    with pytest.raises(ValueError, match="^the data set has 3 inputs but 2 targets$"):
        Stepper(network, inputs, targets[:2], learning_rate=0.5)


def test_a_pass_that_overflows_shows_inf_and_nan_without_numpy_warnings() -> None:
    network = Network(
        1, [Layer(np.full((2, 1), 1e200), np.zeros(2), "linear"), Layer(np.full((1, 2), 1e200), np.zeros(1), "linear")]
    )
    inputs, targets = np.array([[1e200]]), np.array([[0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning would fail the test
        s = Stepper(network, inputs, targets, learning_rate=0.5)
        s.run_to_end()
        s.step_back()
        s.restart()
    s.run_to_end()
    z = s.value(Quantity.WEIGHTED_INPUT, 1)
    assert z.known.all() and np.all(np.isinf(z.values))
    assert not np.all(np.isfinite(s.value(Quantity.GRAD_WEIGHTS, 1).values))
    assert s.value(Quantity.GRAD_WEIGHTS, 1).known.all()
