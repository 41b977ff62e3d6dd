"""Activations: f and f' of every registered activation, their stability and their special values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from backprop_gui.core.activations import ACTIVATIONS, LEAKY_SLOPE, get_activation

ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if act.derivative is not None]


def _away_from_kinks(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values in ±[0.05, 4]: no relu kink at 0, no saturation."""
    return rng.uniform(0.05, 4.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def test_registry_has_the_course_activations() -> None:
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "linear", "softplus", "softmax"}
    assert [name for name, act in ACTIVATIONS.items() if act.output_only] == ["softmax"]
    assert all(act.formula for act in ACTIVATIONS.values())


def test_unknown_activation_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown activation 'swish'.*sigmoid"):
        get_activation("swish")


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences(name: str) -> None:
    act = get_activation(name)
    z = _away_from_kinks(np.random.default_rng(1), (4, 3))
    h = 1e-6
    numerical = (act.f(z + h) - act.f(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z, act.f(z)), numerical, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_vjp_of_elementwise_activation_is_gradient_times_derivative(name: str) -> None:
    act = get_activation(name)
    rng = np.random.default_rng(2)
    z, g = _away_from_kinks(rng, (3, 2)), rng.normal(size=(3, 2))
    a = act.f(z)
    np.testing.assert_array_equal(act.vjp(z, a, g), g * act.derivative(z, a))


def test_softmax_columns_are_probabilities_and_vjp_is_its_jacobian() -> None:
    act = get_activation("softmax")
    rng = np.random.default_rng(3)
    z, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    a = act.f(z)
    np.testing.assert_allclose(a.sum(axis=0), 1.0, rtol=1e-15)
    h = 1e-6
    for column in range(3):
        # Jacobian by central differences: J[j, i] = ∂a_j / ∂z_i
        jacobian = np.empty((4, 4))
        for i in range(4):
            step = np.zeros((4, 1))
            step[i] = h
            zc = z[:, [column]]
            jacobian[:, i] = ((act.f(zc + step) - act.f(zc - step)) / (2 * h))[:, 0]
        np.testing.assert_allclose(act.vjp(z, a, g)[:, column], jacobian.T @ g[:, column], rtol=1e-7, atol=1e-10)


def test_softmax_is_stable_for_huge_inputs() -> None:
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        a = get_activation("softmax").f(np.array([[1000.0, -1000.0], [0.0, 1000.0]]))
    np.testing.assert_allclose(a, [[1.0, 0.0], [0.0, 1.0]])


def test_sigmoid_is_stable_for_large_inputs_without_warnings() -> None:
    z = np.array([[-1e4, -745.0, -40.0, -1.0, 0.0, 1.0, 40.0, 745.0, 1e4]])
    sigmoid = get_activation("sigmoid")
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        a = sigmoid.f(z)
        d = sigmoid.derivative(z, a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))
    assert np.all((a >= 0) & (a <= 1))
    assert a[0, 0] == 0.0 and a[0, -1] == 1.0
    assert a[0, 4] == 0.5
    np.testing.assert_allclose(a[0, 3], 1 / (1 + np.e), rtol=1e-15)
    np.testing.assert_allclose(a[0, 5], 1 / (1 + 1 / np.e), rtol=1e-15)
    np.testing.assert_allclose(a[0, 2], np.exp(-40.0), rtol=1e-12)  # small values keep their precision
    assert np.all(np.diff(a[0]) >= 0)


def test_softplus_is_stable_for_large_inputs_without_warnings() -> None:
    z = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]])
    softplus = get_activation("softplus")
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        a = softplus.f(z)
        d = softplus.derivative(z, a)
    np.testing.assert_allclose(a, [[0.0, np.exp(-50.0), np.log(2.0), 50.0, 1e4]], rtol=1e-12, atol=0)
    np.testing.assert_allclose(d, [[0.0, np.exp(-50.0), 0.5, 1.0, 1.0]], rtol=1e-12, atol=0)


def test_relu_derivative_at_zero_is_zero() -> None:
    relu = get_activation("relu")
    z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(relu.f(z), [[0.0, 0.0, 3.0]])
    np.testing.assert_array_equal(relu.derivative(z, relu.f(z)), [[0.0, 0.0, 1.0]])


def test_leaky_relu_has_slope_one_hundredth() -> None:
    assert LEAKY_SLOPE == 0.01
    leaky = get_activation("leaky_relu")
    z = np.array([[-200.0, -1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(leaky.f(z), [[-2.0, -0.01, 0.0, 2.0]])
    np.testing.assert_array_equal(leaky.derivative(z, leaky.f(z)), [[0.01, 0.01, 0.01, 1.0]])


def test_tanh_and_linear_values() -> None:
    z = np.array([[-1.5, 0.0, 2.0]])
    np.testing.assert_array_equal(get_activation("tanh").f(z), np.tanh(z))
    linear = get_activation("linear")
    a = linear.f(z)
    np.testing.assert_array_equal(a, z)
    assert a is not z  # the output never aliases z
    np.testing.assert_array_equal(linear.derivative(z, a), np.ones_like(z))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_activation_keeps_the_shape_and_float64(name: str) -> None:
    a = get_activation(name).f(np.linspace(-3, 3, 12).reshape(4, 3))
    assert a.shape == (4, 3) and a.dtype == np.float64
