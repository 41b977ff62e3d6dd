"""Backprop's numbers: random networks against finite differences, and two cases worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backprop_gui.core.backprop import (
    SAFE_SIZE,
    first_non_finite,
    run_pass,
    safe_parameter_squares,
    square_sum,
    updated_parameters,
    weighted_input_bound,
)
from backprop_gui.core.gradcheck import gradient_check
from backprop_gui.core.network import Layer, Network, build_network
from backprop_gui.core.stepper import Quantity, Stepper

from helpers import random_problems

KINKED = {"relu", "leaky_relu"}


def _clear_of_kinks(network: Network, x: np.ndarray, t: np.ndarray) -> bool:
    """No relu or leaky-relu neuron sits so near z = 0 that a finite difference could cross the kink."""
    result = run_pass(network, x, t)
    return all(
        np.abs(result.z[l]).min() > 1e-3 for l, layer in enumerate(network.layers, 1) if layer.activation in KINKED
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problems())
def test_gradients_match_central_differences(problem: tuple[Network, np.ndarray, np.ndarray]) -> None:
    network, x, t = problem
    assume(_clear_of_kinks(network, x, t))
    before = [p.copy() for p in network.parameters()]
    check = gradient_check(network, x, t)
    # relative to max(|backprop|, |numerical|, 1e-3·max(1, |C|)): see gradcheck.MIN_SCALE
    for c in check.checks:
        assert c.relative_error <= 1e-6, f"{c.name}: backprop {c.backprop!r}, numerical {c.numerical!r}"
    # every weight is checked, and every bias of a layer that has biases
    expected = sum(layer.weights.size + (layer.size if layer.has_bias else 0) for layer in network.layers)
    assert len(check.checks) == expected
    for p, q in zip(before, network.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)  # the check leaves the network exactly as it was


@settings(max_examples=100, deadline=None)
@given(random_problems())
def test_stepper_reveals_exactly_the_full_pass(problem: tuple[Network, np.ndarray, np.ndarray]) -> None:
    network, x, t = problem
    result = run_pass(network, x, t)
    new_w, new_b = updated_parameters(network, result, 0.1)
    stepper = Stepper(network, x.T, t.T, learning_rate=0.1, batch_size=x.shape[1])
    stepper.run_to_end()

    def shown(q: Quantity, l: int = 0) -> np.ndarray:
        revealed = stepper.value(q, l)
        assert revealed.known.all()
        return revealed.values

    np.testing.assert_array_equal(shown(Quantity.INPUT), x)
    np.testing.assert_array_equal(shown(Quantity.TARGET), t)
    np.testing.assert_array_equal(shown(Quantity.LOSS)[0], result.losses)
    np.testing.assert_array_equal(shown(Quantity.OUTPUT_GRADIENT), result.grad_a)
    for l in range(1, network.depth + 1):
        np.testing.assert_array_equal(shown(Quantity.WEIGHTED_INPUT, l), result.z[l])
        np.testing.assert_array_equal(shown(Quantity.ACTIVATION, l), result.a[l])
        np.testing.assert_array_equal(shown(Quantity.DELTA, l), result.delta[l])
        np.testing.assert_array_equal(shown(Quantity.GRAD_WEIGHTS, l), result.grad_w[l])
        np.testing.assert_array_equal(shown(Quantity.NEW_WEIGHTS, l), new_w[l])
        np.testing.assert_array_equal(shown(Quantity.NEW_BIASES, l), new_b[l])
        np.testing.assert_array_equal(network.layer(l).weights, new_w[l])
        if network.layer(l).has_bias:
            np.testing.assert_array_equal(shown(Quantity.GRAD_BIASES, l), result.grad_b[l])
        else:
            assert not stepper.value(Quantity.GRAD_BIASES, l).known.any()
            assert not network.layer(l).biases.any()


def _course_network() -> Network:
    return Network(
        1,
        [
            Layer(np.array([[0.01]]), np.zeros(1), "relu", has_bias=False),
            Layer(np.array([[-5.0]]), np.array([-1.0]), "sigmoid"),
        ],
        "half_squared_error",
    )


def test_course_simple_network_by_hand() -> None:
    network = _course_network()
    r = run_pass(network, np.array([[3.0]]), np.array([[1.0]]))
    # Forward 1: z^1 = w^1 x = 0.01 · 3 = 0.03;  a^1 = relu(0.03) = 0.03
    assert r.z[1][0, 0] == pytest.approx(0.03, rel=1e-15)
    assert r.a[1][0, 0] == pytest.approx(0.03, rel=1e-15)
    # Forward 2: z^2 = w^2 a^1 + b^2 = −5 · 0.03 − 1 = −1.15
    #            a^2 = σ(−1.15) = 1 / (1 + e^1.15) = 1 / (1 + 3.1581929096897676) = 0.24048908305088893
    assert r.z[2][0, 0] == pytest.approx(-1.15, rel=1e-15)
    assert r.a[2][0, 0] == pytest.approx(0.24048908305088893, rel=1e-14)
    # Loss: C = ½ (a^2 − t)² = ½ (0.24048908305088893 − 1)² = ½ · 0.57685683296487950 = 0.28842841648243975
    assert r.loss == pytest.approx(0.28842841648243975, rel=1e-14)
    # ∂C/∂a^2 = a^2 − t = −0.75951091694911107
    assert r.grad_a[0, 0] == pytest.approx(-0.75951091694911107, rel=1e-14)
    # Backward 2: σ'(z^2) = a^2 (1 − a^2) = 0.24048908305088893 · 0.75951091694911107 = 0.18265408398423157
    #             δ^2 = ∂C/∂a^2 · σ'(z^2) = −0.75951091694911107 · 0.18265408398423157 = −0.13872777081136367
    #             ∂C/∂w^2 = a^1 δ^2 = 0.03 · −0.13872777081136367 = −0.0041618331243409101;  ∂C/∂b^2 = δ^2
    assert r.delta[2][0, 0] == pytest.approx(-0.13872777081136367, rel=1e-14)
    assert r.grad_w[2][0, 0] == pytest.approx(-0.0041618331243409101, rel=1e-14)
    assert r.grad_b[2][0] == pytest.approx(-0.13872777081136367, rel=1e-14)
    # Backward 1: δ^1 = w^2 δ^2 relu'(z^1) = −5 · −0.13872777081136367 · 1 = 0.69363885405681833
    #             ∂C/∂w^1 = x δ^1 = 3 · 0.69363885405681833 = 2.0809165621704550;  no bias, so no ∂C/∂b^1
    assert r.delta[1][0, 0] == pytest.approx(0.69363885405681833, rel=1e-14)
    assert r.grad_w[1][0, 0] == pytest.approx(2.0809165621704550, rel=1e-14)
    assert r.grad_b[1][0] == 0.0
    # Update with η = 0.5: w^1 = 0.01 − 0.5 · 2.0809165621704550 = −1.0304582810852275
    #                      w^2 = −5 − 0.5 · −0.0041618331243409101 = −4.9979190834378295
    #                      b^2 = −1 − 0.5 · −0.13872777081136367 = −0.93063611459431817;  b^1 stays 0
    weights, biases = updated_parameters(network, r, 0.5)
    assert weights[1][0, 0] == pytest.approx(-1.0304582810852275, rel=1e-14)
    assert weights[2][0, 0] == pytest.approx(-4.9979190834378295, rel=1e-14)
    assert biases[2][0] == pytest.approx(-0.93063611459431817, rel=1e-14)
    assert biases[1][0] == 0.0


def test_mazur_two_two_two_sigmoid_network_by_hand() -> None:
    # Matt Mazur's "A Step by Step Backpropagation Example": inputs 0.05, 0.10; targets 0.01, 0.99.
    # w^1 = [[w1, w2], [w3, w4]] = [[0.15, 0.20], [0.25, 0.30]], b^1 = [0.35, 0.35];
    # w^2 = [[w5, w6], [w7, w8]] = [[0.40, 0.45], [0.50, 0.55]], b^2 = [0.60, 0.60]; C = ½ Σ_j (a_j^2 − t_j)².
    network = Network(
        2,
        [
            Layer(np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([0.35, 0.35]), "sigmoid"),
            Layer(np.array([[0.40, 0.45], [0.50, 0.55]]), np.array([0.60, 0.60]), "sigmoid"),
        ],
        "half_squared_error",
    )
    r = run_pass(network, np.array([[0.05], [0.10]]), np.array([[0.01], [0.99]]))
    tol = {"rel": 1e-12, "abs": 1e-15}
    # z_1^1 = 0.15·0.05 + 0.20·0.10 + 0.35 = 0.3775;  z_2^1 = 0.25·0.05 + 0.30·0.10 + 0.35 = 0.3925
    assert r.z[1][:, 0] == pytest.approx([0.3775, 0.3925], **tol)
    # a^1 = σ(z^1) = [1 / (1 + e^−0.3775), 1 / (1 + e^−0.3925)]
    assert r.a[1][:, 0] == pytest.approx([0.59326999210718726, 0.59688437825976706], **tol)
    # z_1^2 = 0.40·0.59326999210718726 + 0.45·0.59688437825976706 + 0.60 = 1.1059059670597701
    # z_2^2 = 0.50·0.59326999210718726 + 0.55·0.59688437825976706 + 0.60 = 1.2249214040964655
    assert r.z[2][:, 0] == pytest.approx([1.1059059670597701, 1.2249214040964655], **tol)
    assert r.a[2][:, 0] == pytest.approx([0.75136506955231571, 0.77292846532146259], **tol)
    # C = ½ (0.75136506955231571 − 0.01)² + ½ (0.77292846532146259 − 0.99)² = 0.27481108 + 0.02356003 = 0.29837111
    assert r.loss == pytest.approx(0.29837110876000269, **tol)
    # δ_1^2 = (0.75136506955231571 − 0.01) · 0.75136506955231571 · (1 − 0.75136506955231571) = 0.13849856162855697
    # δ_2^2 = (0.77292846532146259 − 0.99) · 0.77292846532146259 · (1 − 0.77292846532146259) = −0.038098236516556217
    assert r.delta[2][:, 0] == pytest.approx([0.13849856162855697, -0.038098236516556217], **tol)
    # ∂C/∂w_jk^2 = a_k^1 δ_j^2, e.g. ∂C/∂w5 = 0.59326999210718726 · 0.13849856162855697 = 0.082167040564230779
    assert r.grad_w[2] == pytest.approx(
        np.array([[0.082167040564230779, 0.082667627847533255], [-0.02260254047747506, -0.022740242215978211]]), **tol
    )
    # δ_1^1 = (0.40 δ_1^2 + 0.50 δ_2^2) σ'(z_1^1) = 0.036350306 · 0.24130070857232525 = 0.0087713546894869345
    # δ_2^1 = (0.45 δ_1^2 + 0.55 δ_2^2) σ'(z_2^1) = 0.041370196 · 0.24061342 = 0.0099542547052172014
    assert r.delta[1][:, 0] == pytest.approx([0.0087713546894869345, 0.0099542547052172014], **tol)
    # ∂C/∂w_jk^1 = x_k δ_j^1, e.g. ∂C/∂w1 = 0.05 · 0.0087713546894869345 = 0.00043856773447434673
    assert r.grad_w[1] == pytest.approx(
        np.array([[0.00043856773447434673, 0.00087713546894869345], [0.00049771273526086007, 0.00099542547052172014]]),
        **tol,
    )
    # Update with η = 0.5, e.g. w5 ← 0.40 − 0.5 · 0.082167040564230779 = 0.35891647971788461 (Mazur: 0.35891648)
    # and w1 ← 0.15 − 0.5 · 0.00043856773447434673 = 0.14978071613276283 (Mazur: 0.149780716)
    weights, biases = updated_parameters(network, r, 0.5)
    assert weights[2] == pytest.approx(
        np.array([[0.35891647971788461, 0.40866618607623337], [0.51130127023873753, 0.56137012110798911]]), **tol
    )
    assert weights[1] == pytest.approx(
        np.array([[0.14978071613276283, 0.19956143226552565], [0.24975114363236957, 0.29950228726473914]]), **tol
    )
    # Mazur keeps the biases fixed; here they learn too: b^l ← b^l − η δ^l
    assert biases[1] == pytest.approx([0.34561432265525653, 0.3450228726473914], **tol)
    assert biases[2] == pytest.approx([0.53075071918572152, 0.61904911825827811], **tol)


def test_minibatch_gradient_is_the_mean_of_the_samples() -> None:
    rng = np.random.default_rng(11)
    network = Network(
        3,
        [
            Layer(rng.normal(size=(4, 3)), rng.normal(size=4), "tanh"),
            Layer(rng.normal(size=(2, 4)), np.zeros(2), "softmax", has_bias=False),
        ],
        "cross_entropy",
    )
    x, t = rng.normal(size=(3, 5)), rng.dirichlet(np.ones(2), size=5).T
    whole = run_pass(network, x, t)
    singles = [run_pass(network, x[:, [i]], t[:, [i]]) for i in range(5)]
    for l in (1, 2):
        np.testing.assert_allclose(whole.grad_w[l], np.mean([s.grad_w[l] for s in singles], axis=0), rtol=1e-13)
        np.testing.assert_allclose(whole.grad_b[l], np.mean([s.grad_b[l] for s in singles], axis=0), rtol=1e-13)
        np.testing.assert_allclose(whole.delta[l], np.hstack([s.delta[l] for s in singles]), rtol=1e-13)
    assert not whole.grad_b[2].any()  # a bias-free layer gets no gradient
    weights, biases = updated_parameters(network, whole, 0.3)
    assert biases[2] is network.layer(2).biases and not biases[2].any()


def test_softmax_delta_without_the_cross_entropy_shortcut_uses_its_jacobian() -> None:
    # With ½ Σ (a − t)², δ^L = J_softmaxᵀ (a − t), not (a − t) ⊙ f'.
    network = Network(2, [Layer(np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]]), np.zeros(3), "softmax")])
    x, t = np.array([[0.3], [0.7]]), np.array([[0.0], [1.0], [0.0]])
    r = run_pass(network, x, t)
    a = r.a[1][:, 0]
    jacobian = np.diag(a) - np.outer(a, a)
    np.testing.assert_allclose(r.delta[1][:, 0], jacobian.T @ (a - t[:, 0]), rtol=1e-14)


def test_first_non_finite_names_the_quantity_and_layer() -> None:
    network = _course_network()
    r = run_pass(network, np.array([[3.0]]), np.array([[1.0]]))
    assert first_non_finite(r) is None
    r.z[2][0, 0] = np.nan
    assert first_non_finite(r) == ("z", 2)
    r = run_pass(network, np.array([[3.0]]), np.array([[1.0]]))
    r.grad_w[1][0, 0] = np.inf
    assert first_non_finite(r) == ("gradient", 1)


# --- the bound on z that lets training skip looking at every z for ±inf ------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problems(depths=(1, 4)), st.floats(-3.0, 3.0))
def test_the_weighted_input_bound_holds_for_every_layer(problem, log_scale: float) -> None:
    network, x, t = problem
    for layer in network.layers:  # parameters from a thousandth to a thousand times their size
        layer.weights = layer.weights * 10.0**log_scale
        layer.biases = layer.biases * 10.0**log_scale
    squares = sum(float(np.sum(p * p)) for p in network.parameters())
    input_norm = float(np.sqrt((x * x).sum(axis=0)).max())
    result = run_pass(network, x, t)
    bound = weighted_input_bound(network, squares, input_norm, x.shape[1])
    for l, z in result.z.items():
        assert np.sqrt(np.sum(z * z)) <= bound * (1 + 1e-12), f"‖z^{l}‖ above the bound {bound}"
    assert weighted_input_bound(network, squares, input_norm, x.shape[1] + 1) >= bound  # a larger batch: no smaller


@pytest.mark.parametrize("hidden", ["relu", "linear", "softplus"])
def test_safe_parameter_squares_is_the_largest_sum_whose_bound_stays_below_overflow(hidden: str) -> None:
    network = build_network(3, [4, 4, 2], [hidden, hidden, "linear"], seed=0)
    safe = safe_parameter_squares(network, input_norm=5.0, batch=8)
    assert 0 < safe < 1e300
    below, above = (weighted_input_bound(network, squares, 5.0, 8) for squares in (safe, safe * 1.0001))
    assert below < SAFE_SIZE <= above


def test_bounded_hidden_activations_keep_z_finite_up_to_the_largest_sum_looked_at() -> None:
    network = build_network(3, [4, 4, 2], ["tanh", "sigmoid", "linear"], seed=0)  # ‖z^l‖ ≤ √Σθ² · const
    assert safe_parameter_squares(network, input_norm=5.0, batch=8) == 1e300


def test_no_parameters_are_safe_for_an_input_that_is_not_finite() -> None:
    network = build_network(2, [3, 1], ["tanh", "sigmoid"], seed=0)
    assert safe_parameter_squares(network, float("nan"), 1) == 0.0
    assert safe_parameter_squares(network, float("inf"), 1) == 0.0


def test_square_sum_is_the_sum_of_every_square_and_not_finite_with_a_nan() -> None:
    arrays = [np.array([[1.0, -2.0]]), np.array([3.0])]
    assert square_sum(arrays) == 14.0
    assert not np.isfinite(square_sum([*arrays, np.array([np.nan])]))
