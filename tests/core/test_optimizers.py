"""Optimisers, regularisation, clipping and schedules against hand-written references.

Each reference is written from torch.optim's published update rule, one parameter array at a
time, step by step (no flat vector, no shared code with ``core.optimizers``); the gradients
come from ``run_pass``, which is checked against finite differences elsewhere.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from backprop_gui.core.backprop import run_pass, updated_parameters
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.network import Network, build_network
from backprop_gui.core.optimizers import (
    FLAT_SGD_SIZE,
    OPTIMIZERS,
    OptimizerSettings,
    OptimizerState,
    Regularization,
    Schedule,
    UpdateRule,
    compute_update,
    penalty,
)
from backprop_gui.core.stepper import Stepper
from backprop_gui.core.training import Trainer, TrainingSettings

STEPS = 20
REGULARIZATIONS = [
    Regularization(),
    Regularization("l2", 0.05),
    Regularization("l1", 0.02),
    Regularization("l2", 0.05, biases=True),
    Regularization("l1", 0.02, biases=True),
]
OPTIMIZER_SETTINGS = [
    OptimizerSettings("sgd"),
    OptimizerSettings("momentum"),
    OptimizerSettings("momentum", momentum=0.7, nesterov=True),
    OptimizerSettings("rmsprop"),
    OptimizerSettings("rmsprop", alpha=0.9, epsilon=1e-6),
    OptimizerSettings("adam"),
    OptimizerSettings("adam", beta1=0.8, beta2=0.99, epsilon=1e-7),
]


class Reference:
    """torch.optim's rules written out for one parameter array ``p``, with its own state."""

    def __init__(self, settings: OptimizerSettings, lr: float) -> None:
        self.s, self.lr, self.t = settings, lr, 0
        self.state: dict[int, dict[str, np.ndarray]] = {}

    def step(self, key: int, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        s, lr, t = self.s, self.lr, self.t
        st = self.state.setdefault(key, {})
        if s.name == "sgd":
            return p - lr * g
        if s.name == "momentum":
            # torch.optim.SGD: b_t = g_t at t = 1, else μ b_{t−1} + g_t; nesterov: g_t + μ b_t
            st["b"] = g.copy() if t == 1 else s.momentum * st["b"] + g
            d = g + s.momentum * st["b"] if s.nesterov else st["b"]
            return p - lr * d
        if s.name == "rmsprop":
            # v_0 = 0; v_t = α v_{t−1} + (1 − α) g_t²; θ_t = θ_{t−1} − γ g_t / (√v_t + ε)
            st["v"] = s.alpha * st.get("v", np.zeros_like(p)) + (1 - s.alpha) * g**2
            return p - lr * (g / (np.sqrt(st["v"]) + s.epsilon))
        # Adam: m_0 = v_0 = 0; m_t = β1 m + (1 − β1) g; v_t = β2 v + (1 − β2) g²; bias-corrected
        st["m"] = s.beta1 * st.get("m", np.zeros_like(p)) + (1 - s.beta1) * g
        st["v"] = s.beta2 * st.get("v", np.zeros_like(p)) + (1 - s.beta2) * g**2
        m_hat = st["m"] / (1 - s.beta1**t)
        v_hat = st["v"] / (1 - s.beta2**t)
        return p - lr * (m_hat / (np.sqrt(v_hat) + s.epsilon))


def reference_training(
    network: Network, data: Dataset, lr: float, rule: UpdateRule, batch_size: int, steps: int
) -> Network:
    """``steps`` updates over ``data`` in data order, minibatches of ``batch_size``, by the reference."""
    network = network.copy()
    ref = Reference(rule.optimizer, lr)
    reg = rule.regularization
    batches = -(-len(data) // batch_size)
    for step in range(steps):
        start = (step % batches) * batch_size
        rows = slice(start, min(start + batch_size, len(data)))
        r = run_pass(network, data.inputs[rows].T, data.targets[rows].T)
        ref.t = step + 1
        sched = rule.schedule  # StepLR: η γ^⌊t/step_size⌋; ExponentialLR: η γ^t, after t updates
        ref.lr = {"constant": lr, "step": lr * sched.gamma ** (step // sched.step_size)}.get(
            sched.kind, lr * sched.gamma**step
        )
        params, grads = [], []
        for l, layer in enumerate(network.layers, start=1):
            for kind, p, g in (("w", layer.weights, r.grad_w[l]), ("b", layer.biases, r.grad_b[l])):
                if kind == "b" and not layer.has_bias:
                    continue
                if reg.kind != "none" and (kind == "w" or reg.biases):
                    g = g + reg.strength * (p if reg.kind == "l2" else np.sign(p))
                params.append((layer, kind, p))
                grads.append(g)
        if rule.clip_norm is not None:
            total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
            coef = min(1.0, rule.clip_norm / (total + 1e-6))
            grads = [g * coef for g in grads]
        for key, ((layer, kind, p), g) in enumerate(zip(params, grads, strict=True)):
            setattr(layer, "weights" if kind == "w" else "biases", ref.step(key, p, g))
    return network


def random_problem(seed: int) -> tuple[Network, Dataset]:
    """A random 2- or 3-layer network and 7 samples (as rows) for it."""
    rng = np.random.default_rng(seed)
    depth = 2 + seed % 2
    sizes = [int(n) for n in rng.integers(2, 5, size=depth)]
    activations = [str(rng.choice(["sigmoid", "tanh", "relu"])) for _ in range(depth - 1)] + ["sigmoid"]
    has_bias = [bool(b) for b in rng.integers(0, 2, size=depth)]
    has_bias[-1] = True
    n_in = int(rng.integers(1, 4))
    network = build_network(n_in, sizes, activations, init="uniform", seed=seed, has_bias=has_bias)
    for layer in network.layers:
        if layer.has_bias:
            layer.biases = rng.normal(0, 0.5, size=layer.size)
    data = Dataset(rng.normal(size=(7, n_in)), rng.uniform(0, 1, size=(7, sizes[-1])))
    return network, data


def assert_close(got: Network, want: Network) -> None:
    for g, w in zip(got.layers, want.layers, strict=True):
        np.testing.assert_allclose(g.weights, w.weights, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(g.biases, w.biases, rtol=1e-12, atol=1e-300)


def train(network: Network, data: Dataset, settings: TrainingSettings, steps: int) -> Trainer:
    trainer = Trainer(network, data, settings)
    for _ in range(steps):
        trainer.step()
    return trainer


@pytest.mark.parametrize("optimizer", OPTIMIZER_SETTINGS, ids=lambda s: f"{s.name}-{s.nesterov}-{s.epsilon:g}")
@pytest.mark.parametrize("regularization", REGULARIZATIONS, ids=lambda r: f"{r.kind}-{r.biases}")
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_twenty_steps_equal_the_reference(
    optimizer: OptimizerSettings, regularization: Regularization, seed: int
) -> None:
    network, data = random_problem(seed)
    batch_size = 1 + seed  # per sample, and minibatches of 2 and 3
    lr = 0.05 if optimizer.name in ("rmsprop", "adam") else 0.3
    rule = UpdateRule(optimizer, regularization)
    settings = TrainingSettings(learning_rate=lr, batch_size=batch_size, shuffle=False, rule=rule)
    trainer = train(network.copy(), data, settings, STEPS)
    assert_close(trainer.network, reference_training(network, data, lr, rule, batch_size, STEPS))
    assert trainer.optimizer_state.t == STEPS
    assert trainer.optimizer_state.name == optimizer.name
    assert sorted(trainer.optimizer_state.buffers) == sorted(optimizer.rule.buffers)


@pytest.mark.parametrize("clip", [0.05, 100.0])
@pytest.mark.parametrize("schedule", [Schedule(), Schedule("step", 6, 0.5), Schedule("exponential", gamma=0.9)])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_clipping_and_schedules_equal_the_reference(name: str, schedule: Schedule, clip: float) -> None:
    network, data = random_problem(3)
    rule = UpdateRule(OptimizerSettings(name), Regularization("l2", 0.01), schedule, clip)
    settings = TrainingSettings(learning_rate=0.1, batch_size=2, shuffle=False, rule=rule)
    trainer = train(network.copy(), data, settings, STEPS)
    assert_close(trainer.network, reference_training(network, data, 0.1, rule, 2, STEPS))


def test_clipping_scales_the_gradient_to_the_norm() -> None:
    network, data = random_problem(0)
    r = run_pass(network, data.inputs[:1].T, data.targets[:1].T)
    norm = math.sqrt(sum(float(np.sum(r.grad_w[l] ** 2) + np.sum(r.grad_b[l] ** 2)) for l in r.grad_w))
    update = compute_update(network, r, 1.0, UpdateRule(clip_norm=norm / 4), OptimizerState())
    assert update.norm == pytest.approx(norm, rel=1e-12)
    assert update.clip_scale == pytest.approx((norm / 4) / (norm + 1e-6), rel=1e-12)
    assert np.linalg.norm(update.terms["g"]) == pytest.approx(norm / 4, rel=1e-5)
    unclipped = compute_update(network, r, 1.0, UpdateRule(clip_norm=norm * 2), OptimizerState())
    assert unclipped.clip_scale == 1.0


def test_schedules_set_eta_from_the_update_count() -> None:
    assert Schedule().rate(0.5, 1000) == 0.5
    assert Schedule("step", 10, 0.5).rate(0.8, 9) == 0.8
    assert Schedule("step", 10, 0.5).rate(0.8, 10) == 0.4
    assert Schedule("step", 10, 0.5).rate(0.8, 25) == 0.2
    assert Schedule("exponential", gamma=0.9).rate(1.0, 3) == pytest.approx(0.729, rel=1e-15)


def test_default_sgd_is_todays_update_bit_for_bit() -> None:
    network, data = random_problem(1)
    r = run_pass(network, data.inputs[:3].T, data.targets[:3].T)
    update = compute_update(network, r, 0.37, UpdateRule(), OptimizerState())
    weights, biases = updated_parameters(network, r, 0.37)
    for l in weights:
        assert np.array_equal(update.weights[l], weights[l])
        assert np.array_equal(update.biases[l], biases[l])
    assert update.state.t == 1 and not update.state.buffers


@pytest.mark.parametrize("sizes", [[3, 4, 2], [3, 80, 60, 2]], ids=["flat", "per layer"])
def test_plain_sgd_of_a_small_network_is_one_flat_vector_and_the_same_numbers(sizes: list[int]) -> None:
    """A network of at most FLAT_SGD_SIZE parameters is updated as one vector (fewer numpy calls a step);
    a larger one layer by layer (no copy of its parameters). Both are θ − η ∂C/∂θ to the last bit."""
    network = build_network(sizes[0], sizes[1:], ["tanh"] * (len(sizes) - 2) + ["sigmoid"], seed=2,
                            has_bias=[True] * (len(sizes) - 2) + [False])  # fmt: skip
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(sizes[0], 4)), rng.uniform(size=(sizes[-1], 4))
    r = run_pass(network, x, t)
    update = compute_update(network, r, 0.37, UpdateRule(), OptimizerState())
    weights, biases = updated_parameters(network, r, 0.37)
    for l in weights:
        assert np.array_equal(update.weights[l], weights[l]) and np.array_equal(update.biases[l], biases[l])
    small = sum(layer.weights.size + layer.biases.size for layer in network.layers) <= FLAT_SGD_SIZE
    assert (update.flat is not None) == small
    if small:
        assert all(w.base is update.flat for w in update.weights.values())
        assert np.array_equal(update.biases[len(sizes) - 1], np.zeros(sizes[-1]))  # bias-free: stays 0


def test_bias_free_layers_keep_zero_biases_with_every_rule() -> None:
    network = build_network(2, [3, 1], ["tanh", "sigmoid"], seed=4, has_bias=[False, True])
    data = Dataset(np.array([[0.5, -1.0], [1.0, 2.0]]), np.array([[1.0], [0.0]]))
    for name in OPTIMIZERS:
        rule = UpdateRule(OptimizerSettings(name), Regularization("l1", 0.1, biases=True))
        trainer = train(network.copy(), data, TrainingSettings(learning_rate=0.1, rule=rule), 5)
        assert trainer.network.layers[0].biases is not None
        assert np.array_equal(trainer.network.layers[0].biases, np.zeros(3))
        trainer.network.validate()


def test_l1_subgradient_of_zero_is_zero() -> None:
    network = build_network(1, [2], ["sigmoid"], init="zeros")
    data = Dataset(np.array([[0.0]]), np.array([[0.5, 0.5]]))  # a = t: no gradient from C₀
    rule = UpdateRule(OptimizerSettings("momentum"), Regularization("l1", 0.5))
    trainer = train(network, data, TrainingSettings(learning_rate=1.0, rule=rule), 3)
    assert np.array_equal(trainer.network.layers[0].weights, np.zeros((2, 1)))


def test_penalty_is_the_regularisation_term_of_the_loss() -> None:
    network = build_network(1, [2, 1], ["tanh", "sigmoid"], seed=2)
    network.layers[0].biases = np.array([0.5, -2.0])
    w = np.concatenate([layer.weights.ravel() for layer in network.layers])
    assert penalty(network, Regularization()) == 0.0
    assert penalty(network, Regularization("l2", 0.1)) == pytest.approx(0.05 * np.sum(w**2), rel=1e-14)
    assert penalty(network, Regularization("l1", 0.1)) == pytest.approx(0.1 * np.sum(np.abs(w)), rel=1e-14)
    with_biases = penalty(network, Regularization("l1", 0.1, biases=True))
    assert with_biases == pytest.approx(0.1 * (np.sum(np.abs(w)) + 2.5), rel=1e-14)


def test_a_state_of_another_optimiser_or_shape_starts_afresh() -> None:
    network, data = random_problem(2)
    r = run_pass(network, data.inputs[:1].T, data.targets[:1].T)
    adam = UpdateRule(OptimizerSettings("adam"))
    fresh = compute_update(network, r, 0.1, adam, OptimizerState())
    stale = OptimizerState("momentum", 40, {"v": np.ones(fresh.layout.size)})
    assert _same_update(compute_update(network, r, 0.1, adam, stale), fresh)
    wrong_size = OptimizerState("adam", 40, {"m": np.ones(3), "v": np.ones(3)})
    assert _same_update(compute_update(network, r, 0.1, adam, wrong_size), fresh)


def _same_update(a, b) -> bool:  # noqa: ANN001
    return a.state.same(b.state) and all(np.array_equal(a.weights[l], b.weights[l]) for l in a.weights)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_stepper_and_trainer_make_the_same_updates(name: str) -> None:
    network, data = random_problem(0)
    rule = UpdateRule(OptimizerSettings(name), Regularization("l2", 0.03), Schedule("exponential", gamma=0.95))
    settings = TrainingSettings(learning_rate=0.1, batch_size=1, shuffle=False, rule=rule)
    trainer = train(network.copy(), data, settings, 9)
    stepped = network.copy()
    stepper = Stepper(stepped, data.inputs, data.targets, 0.1, rule=rule)
    for _ in range(9):
        stepper.run_to_end()
        stepper.step()
    for a, b in zip(stepped.layers, trainer.network.layers, strict=True):
        assert np.array_equal(a.weights, b.weights) and np.array_equal(a.biases, b.biases)
    assert stepper.optimizer_state.same(trainer.optimizer_state)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_step_back_over_update_restores_weights_and_state_bit_for_bit(name: str) -> None:
    network, data = random_problem(1)
    state = OptimizerState()
    rule = UpdateRule(OptimizerSettings(name), Regularization("l1", 0.01))
    stepper = Stepper(network, data.inputs, data.targets, 0.2, rule=rule, optimizer_state=state)
    for _ in range(3):
        stepper.run_to_end()
        stepper.step()
    stepper.run_to(len(stepper.phases) - 2)
    before = [(layer.weights.copy(), layer.biases.copy()) for layer in network.layers]
    state_before = OptimizerState(state.name, state.t, {k: v.copy() for k, v in state.buffers.items()})
    stepper.step()  # Update
    assert state.t == state_before.t + 1
    assert not all(np.array_equal(layer.weights, w) for layer, (w, _) in zip(network.layers, before, strict=True))
    stepper.step_back()
    for layer, (w, b) in zip(network.layers, before, strict=True):
        assert np.array_equal(layer.weights, w) and np.array_equal(layer.biases, b)
    assert state.same(state_before)
    while stepper.can_step_back:  # back to the start: a fresh optimiser again
        stepper.step_back()
    assert state.same(OptimizerState())


def test_restore_at_update_starts_from_the_state_before() -> None:
    network, data = random_problem(2)
    rule = UpdateRule(OptimizerSettings("adam"))
    first = Stepper(network.copy(), data.inputs, data.targets, 0.1, rule=rule)
    first.run_to_end()
    first.step()
    before = first.optimizer_state.copy()
    weights = ({l: x.weights for l, x in enumerate(first.network.layers, 1)},
               {l: x.biases for l, x in enumerate(first.network.layers, 1)})  # fmt: skip
    first.run_to_end()
    again = Stepper(first.network.copy(), data.inputs, data.targets, 0.1, rule=rule)
    again.restore(first.batch, len(again.phases), before_update=weights, state_before=before)
    assert again.optimizer_state.same(first.optimizer_state)
    for a, b in zip(again.network.layers, first.network.layers, strict=True):
        assert np.array_equal(a.weights, b.weights)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (UpdateRule(OptimizerSettings("nadam")), "training.optimizer.name: unknown optimizer 'nadam'"),
        (UpdateRule(OptimizerSettings("adam", beta1=1.0)), r"training.optimizer.beta1: must be in \[0, 1\)"),
        (UpdateRule(OptimizerSettings("rmsprop", epsilon=0.0)), r"training.optimizer.epsilon: must be in \(0, 1\]"),
        (UpdateRule(OptimizerSettings("momentum", momentum=math.nan)), "training.optimizer.momentum"),
        (UpdateRule(OptimizerSettings("momentum", momentum=0.0, nesterov=True)), "Nesterov momentum needs"),
        (UpdateRule(regularization=Regularization("l3", 0.1)), "training.regularization.kind: unknown"),
        (UpdateRule(regularization=Regularization("l2", -1.0)), "training.regularization.lambda: must be in"),
        (UpdateRule(schedule=Schedule("cosine")), "training.schedule.kind: unknown schedule 'cosine'"),
        (UpdateRule(schedule=Schedule("step", 0)), "training.schedule.step_size: must be in 1..2,147,483,647, got 0"),
        (UpdateRule(schedule=Schedule("step", 2**31)), "training.schedule.step_size: must be in 1..2,147,483,647"),
        (UpdateRule(schedule=Schedule("step", 5, 0.0)), r"training.schedule.gamma: must be in \(0, 1\]"),
        (UpdateRule(clip_norm=0.0), "training.clip_norm: must be in"),
        (UpdateRule(clip_norm=math.inf), "training.clip_norm: must be in"),
    ],
)
def test_bad_settings_are_named(rule: UpdateRule, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainingSettings(rule=rule).validate()


def test_applicable_hyperparameters() -> None:
    assert OptimizerSettings("sgd").applicable() == {}
    assert OptimizerSettings("momentum").applicable() == {"momentum": 0.9, "nesterov": False}
    assert OptimizerSettings("adam").applicable() == {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
    assert replace(OptimizerSettings("rmsprop"), alpha=0.5).applicable() == {"alpha": 0.5, "epsilon": 1e-8}
