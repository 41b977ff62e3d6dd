"""Losses: C per sample, ∂C/∂a^L, finite at outputs of exactly 0 or 1, the minibatch mean."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from backprop_gui.core.backprop import output_delta, run_pass
from backprop_gui.core.losses import LOSSES, get_loss
from backprop_gui.core.network import Layer, Network


def test_registry_has_the_course_losses() -> None:
    assert set(LOSSES) == {"half_squared_error", "mean_squared_error", "cross_entropy", "binary_cross_entropy"}
    with pytest.raises(KeyError, match="unknown loss 'hinge'.*half_squared_error"):
        get_loss("hinge")


def test_values_by_hand() -> None:
    a = np.array([[0.2], [0.7]])
    t = np.array([[0.0], [1.0]])
    # ½ ((0.2 − 0)² + (0.7 − 1)²) = ½ (0.04 + 0.09) = 0.065
    assert get_loss("half_squared_error").value(a, t)[0] == pytest.approx(0.065, rel=1e-15)
    # (1/2) (0.04 + 0.09) = 0.065 as well for two outputs; the gradient differs by the factor 2/n_L
    assert get_loss("mean_squared_error").value(a, t)[0] == pytest.approx(0.065, rel=1e-15)
    # −(0 · log 0.2 + 1 · log 0.7)
    assert get_loss("cross_entropy").value(a, t)[0] == pytest.approx(-np.log(0.7), rel=1e-15)
    # −[log(1 − 0.2) + log 0.7]
    assert get_loss("binary_cross_entropy").value(a, t)[0] == pytest.approx(-np.log(0.8) - np.log(0.7), rel=1e-15)
    np.testing.assert_allclose(get_loss("half_squared_error").gradient(a, t), [[0.2], [-0.3]])
    np.testing.assert_allclose(get_loss("mean_squared_error").gradient(a, t), [[0.2], [-0.3]])  # 2/2 · (a − t)


@pytest.mark.parametrize("name", list(LOSSES))
def test_gradient_matches_central_differences(name: str) -> None:
    rng = np.random.default_rng(4)
    a = rng.uniform(0.1, 0.9, size=(3, 2))
    t = rng.dirichlet(np.ones(3), size=2).T if name == "cross_entropy" else rng.uniform(0, 1, size=(3, 2))
    loss = get_loss(name)
    h = 1e-6
    numerical = np.empty_like(a)
    for index in np.ndindex(a.shape):
        step = np.zeros_like(a)
        step[index] = h
        numerical[index] = (loss.value(a + step, t)[index[1]] - loss.value(a - step, t)[index[1]]) / (2 * h)
    np.testing.assert_allclose(loss.gradient(a, t), numerical, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", list(LOSSES))
def test_outputs_of_exactly_zero_or_one_stay_finite(name: str) -> None:
    a = np.array([[0.0, 1.0, 0.0, 1.0]])
    t = np.array([[0.0, 1.0, 1.0, 0.0]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        values = get_loss(name).value(a, t)
        gradient = get_loss(name).gradient(a, t)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(gradient))
    assert values[0] == 0.0 and values[1] == 0.0  # right answers cost nothing
    assert values[2] > 0  # t = 1 but a = 0
    if name != "cross_entropy":  # −Σ t_j log a_j ignores outputs whose target is 0
        assert values[3] > 0


def test_log_losses_of_a_certain_wrong_answer_are_large_not_infinite() -> None:
    a, t = np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]])
    assert 700 < get_loss("cross_entropy").value(a, t)[0] < 710
    assert 1400 < get_loss("binary_cross_entropy").value(a, t)[0] < 1420


@pytest.mark.parametrize(
    ("activation", "loss"),
    [("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy"), ("softmax", "half_squared_error")],
)
def test_saturated_outputs_give_finite_deltas(activation: str, loss: str) -> None:
    z = np.array([[800.0, -800.0], [-800.0, 800.0]])
    a = {"softmax": np.array([[1.0, 0.0], [0.0, 1.0]]), "sigmoid": np.array([[1.0, 0.0], [0.0, 1.0]])}[activation]
    t = np.array([[0.0, 0.0], [1.0, 1.0]])
    network = Network(2, [Layer(np.eye(2), np.zeros(2), activation)], loss)
    losses, grad_a, delta = output_delta(network, z, a, t)
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(grad_a)) and np.all(np.isfinite(delta))
    if loss != "half_squared_error":
        np.testing.assert_array_equal(delta, a - t)  # the exact simplified form a − t


@pytest.mark.parametrize("name", list(LOSSES))
def test_minibatch_loss_is_the_mean_of_the_samples(name: str) -> None:
    rng = np.random.default_rng(5)
    network = Network(2, [Layer(rng.normal(size=(3, 2)), rng.normal(size=3), "softmax")], name)
    x = rng.normal(size=(2, 4))
    t = rng.dirichlet(np.ones(3), size=4).T
    whole = run_pass(network, x, t)
    singles = [run_pass(network, x[:, [i]], t[:, [i]]).loss for i in range(4)]
    assert whole.losses.shape == (4,)
    np.testing.assert_allclose(whole.losses, singles, rtol=1e-15)
    assert whole.loss == pytest.approx(np.mean(singles), rel=1e-15)


def test_binary_cross_entropy_gradient_keeps_its_digits_when_a_is_near_t():
    # −t/a + (1 − t)/(1 − a) is two terms near ±2 that cancel to 4·10⁻⁵; the chain rule's path for δ^L
    # multiplies it by σ′(z) = a(1 − a) and must give back a − t to 1e-12 (a hypothesis example lost 5e-12).
    t = np.array([[0.52535432], [0.88948783]])
    a = t + np.array([[1e-5], [-3e-6]])
    gradient = LOSSES["binary_cross_entropy"].gradient(a, t)
    np.testing.assert_allclose(gradient * a * (1 - a), a - t, rtol=1e-13)
    np.testing.assert_allclose(gradient, -t / a + (1 - t) / (1 - a), rtol=1e-9)  # the same number


def test_binary_cross_entropy_gradient_at_a_saturated_output_is_the_terms_as_written():
    a, t = np.array([[1.0], [0.0], [1.0]]), np.array([[1.0], [0.0], [0.0]])
    gradient = LOSSES["binary_cross_entropy"].gradient(a, t)
    assert gradient[0, 0] == -1.0 and gradient[1, 0] == 1.0  # −t/a at a = 1; (1 − t)/(1 − a) at a = 0
    assert np.isfinite(gradient[2, 0]) and gradient[2, 0] > 1e300  # a = 1, t = 0: as steep as a float goes
