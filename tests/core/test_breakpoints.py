"""Breakpoints: each condition stops a core Trainer at the right step, in a clean state."""

import numpy as np
import pytest

from backprop_gui.core import breakpoints
from backprop_gui.core.backprop import run_pass
from backprop_gui.core.breakpoints import (
    BreakpointHit,
    BreakpointMonitor,
    BreakpointSettings,
    Condition,
    hit_from_divergence,
    monitor_for,
    next_stop,
)
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.network import Layer, Network, build_network
from backprop_gui.core.stepper import Phase, PhaseStep, phase_sequence
from backprop_gui.core.training import Divergence, Trainer, TrainingSettings


def xor_trainer(seed: int = 3, shuffle: bool = True, batch_size: int = 1) -> Trainer:
    network = build_network(2, [3, 1], ["tanh", "sigmoid"], init="xavier", seed=seed)
    inputs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    targets = np.array([[0.0], [1.0], [1.0], [0.0]])
    settings = TrainingSettings(learning_rate=2.0, batch_size=batch_size, shuffle=shuffle, seed=1)
    return Trainer(network, Dataset(inputs, targets), settings)


def run_until_hit(trainer: Trainer, settings: BreakpointSettings, epochs: int = 400):
    monitor = monitor_for(trainer, settings)
    with pytest.raises(BreakpointHit) as caught:
        trainer.train(epochs)
    monitor.detach()
    return caught.value.hit


def linear_trainer(inputs, targets, weights, hidden="linear", batch_size=1) -> Trainer:
    w1, w2 = (np.array(w, dtype=float) for w in weights)
    network = Network(
        w1.shape[1],
        [Layer(w1, np.zeros(w1.shape[0]), hidden), Layer(w2, np.zeros(w2.shape[0]), "linear")],
    )
    data = Dataset(np.array(inputs, dtype=float), np.array(targets, dtype=float))
    return Trainer(network, data, TrainingSettings(learning_rate=0.01, batch_size=batch_size, shuffle=False))


# --- loss below a target -------------------------------------------------------------


def test_loss_below_target_stops_at_the_end_of_the_first_epoch_whose_mean_is_below():
    reference = xor_trainer()
    reference.train(60)
    losses = reference.history.epoch_losses
    target = (losses[29] + losses[30]) / 2
    first = next(e for e, loss in enumerate(losses) if loss < target)

    trainer = xor_trainer()
    hit = run_until_hit(trainer, BreakpointSettings(loss_below=True, loss_target=target))

    assert hit.condition is Condition.LOSS_BELOW
    assert hit.step == reference.history.epoch_ends[first]
    assert trainer.history.steps == hit.step  # stopped right after the step that hit, recorded
    assert trainer.epoch == first + 1 and trainer.batch == 0
    assert hit.phase == PhaseStep(Phase.LOSS)
    assert f"epoch {first + 1}" in hit.reason and "below the target" in hit.reason


def test_loss_below_per_step_stops_at_the_first_step_below():
    reference = xor_trainer()
    reference.train(20)
    steps = list(reference.history.step_losses)
    target = float(np.median(steps))
    first = next(i for i, loss in enumerate(steps) if loss < target) + 1

    trainer = xor_trainer()
    hit = run_until_hit(trainer, BreakpointSettings(loss_below=True, loss_target=target, loss_scope="step"))

    assert hit.step == first == trainer.history.steps
    assert trainer.history.step_losses[-1] < target


# --- NaN or infinity -----------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_divergence_becomes_a_hit_naming_the_step_neuron_and_sample():
    # sample 3 (row 2) overflows z_2^1 = 10 · 1e308; the two before are harmless
    trainer = linear_trainer(
        [[1.0, 0.0], [0.5, 0.0], [1e308, 0.0]], [[0.0], [0.0], [0.0]], [[[0.0, 0.0], [10.0, 0.0]], [[1.0, 1.0]]]
    )
    monitor_for(trainer, BreakpointSettings(non_finite=True))
    with pytest.raises(Divergence) as caught:
        trainer.train(1)
    hit = hit_from_divergence(caught.value, trainer)

    assert hit.condition is Condition.NON_FINITE
    assert hit.step == 3 and trainer.history.steps == 2
    assert (hit.layer, hit.neuron, hit.sample) == (1, 1, 2)
    assert hit.phase == PhaseStep(Phase.FORWARD, 1)
    assert "z_2^1" in hit.reason and hit.where == "neuron 2 of layer 1"


def test_monitor_reports_a_non_finite_pass_from_the_stepper_or_any_caller():
    network = build_network(2, [2, 1], ["sigmoid", "linear"], seed=0)
    network.layers[1].weights[0, 1] = np.inf
    result = run_pass(network, np.array([[1.0], [2.0]]), np.array([[0.0]]))
    monitor = BreakpointMonitor(BreakpointSettings(non_finite=True), network)

    hit = monitor.observe(result, step=7, samples=np.array([4]), next_sample=5)

    assert hit is not None and hit.condition is Condition.NON_FINITE
    assert (hit.step, hit.layer, hit.neuron, hit.sample) == (7, 2, 0, 4)


def hidden_infinity_trainer() -> Trainer:
    """z_1^1 = 1e308 · 10 overflows to +inf, tanh turns it into 1 and f'(z) into 0: the loss and the
    update stay finite, so only the monitor's own look at z catches it."""
    network = Network(
        1,
        [
            Layer(np.array([[1e308], [0.5]]), np.zeros(2), "tanh"),
            Layer(np.array([[1.0, 1.0]]), np.zeros(1), "linear"),
        ],
        loss="half_squared_error",
    )
    return Trainer(network, Dataset(np.array([[10.0]]), np.array([[0.0]])), TrainingSettings(learning_rate=0.1))


def test_training_stops_at_an_infinite_z_that_a_saturating_activation_hides_from_the_loss():
    with np.errstate(over="ignore"):
        hit = run_until_hit(hidden_infinity_trainer(), BreakpointSettings(non_finite=True))

    assert hit.condition is Condition.NON_FINITE and hit.step == 1
    assert (hit.layer, hit.neuron, hit.sample) == (1, 0, 0) and "z_1^1" in hit.reason


@pytest.mark.parametrize("settings", [BreakpointSettings(), BreakpointSettings(loss_below=True, loss_target=1e-9)])
def test_the_step_that_hits_is_handed_over_before_the_run_stops_whatever_is_watched(settings):
    trainer, handed = hidden_infinity_trainer(), []
    BreakpointMonitor(settings, trainer.network).attach(trainer, lambda result, step: handed.append((result, step)))
    with np.errstate(over="ignore"), pytest.raises(BreakpointHit) as caught:
        trainer.train(3)
    assert caught.value.hit.condition is Condition.NON_FINITE
    assert [step for _, step in handed] == [1] and handed[0][0].z[1][0, 0] == np.inf


def test_nothing_watched_attaches_nothing():
    trainer = hidden_infinity_trainer()
    BreakpointMonitor(BreakpointSettings(non_finite=False), trainer.network).attach(trainer)
    assert trainer.observers == []


# --- vanishing and exploding gradients -----------------------------------------------


def saturated_trainer() -> Trainer:
    """Layer 1 is sigmoid with |z| ≈ 40: σ'(z) ≈ 4e−18, so δ^1 vanishes from the first step."""
    network = Network(
        1,
        [
            Layer(np.array([[40.0], [-40.0]]), np.zeros(2), "sigmoid"),
            Layer(np.array([[1.0, 1.0]]), np.zeros(1), "linear"),
        ],
    )
    data = Dataset(np.array([[1.0], [1.0], [1.0]]), np.array([[0.5], [0.0], [2.0]]))
    return Trainer(network, data, TrainingSettings(learning_rate=0.1, shuffle=False))


def test_vanishing_gradients_stop_at_the_end_of_the_first_whole_epoch():
    trainer = saturated_trainer()
    hit = run_until_hit(trainer, BreakpointSettings(vanishing=True, vanishing_threshold=1e-9), epochs=5)

    assert hit.condition is Condition.VANISHING
    assert hit.step == 3 == trainer.history.steps and trainer.epoch == 1
    assert hit.layer == 1 and hit.neuron in (0, 1)
    assert hit.phase == PhaseStep(Phase.BACKWARD, 1)
    assert "max |δ^1| over epoch 1 (steps 1–3)" in hit.reason and "sigmoid" in hit.reason


def test_vanishing_is_not_judged_on_an_epoch_watched_only_in_part():
    trainer = saturated_trainer()
    trainer.step()  # the first epoch is under way before the monitor attaches
    hit = run_until_hit(trainer, BreakpointSettings(vanishing=True, vanishing_threshold=1e-9), epochs=5)
    assert hit.step == 6 and "epoch 2 (steps 4–6)" in hit.reason


def test_exploding_gradients_stop_at_the_step_that_exceeds_the_threshold():
    # sample 4's target 100 makes δ^2 = a − t ≈ −100 at step 4; the others stay small
    trainer = linear_trainer(
        [[1.0], [1.0], [0.5], [1.0], [1.0]],
        [[0.0], [0.5], [0.0], [100.0], [0.0]],
        [[[1.0]], [[1.0]]],
    )
    hit = run_until_hit(trainer, BreakpointSettings(exploding=True, exploding_threshold=50.0))

    assert hit.condition is Condition.EXPLODING
    assert hit.step == 4 == trainer.history.steps
    assert (hit.layer, hit.neuron, hit.sample) == (2, 0, 3)
    assert "max |δ^2| = 99" in hit.reason


# --- dead ReLU -----------------------------------------------------------------------


def test_dead_relu_neuron_stops_at_the_end_of_the_epoch_it_never_fired():
    # inputs are positive: neuron 2 (weights −1, −1) never fires; neuron 3 fires once (sample 3)
    trainer = linear_trainer(
        [[1.0, 2.0], [0.5, 0.5], [2.0, -1.0], [1.0, 1.0]],
        [[0.0], [1.0], [0.0], [1.0]],
        [[[1.0, 1.0], [-1.0, -1.0], [1.0, -1.5]], [[0.1, 0.1, 0.1]]],
        hidden="relu",
    )
    hit = run_until_hit(trainer, BreakpointSettings(dead_relu=True))

    assert hit.condition is Condition.DEAD_RELU
    assert hit.step == 4 == trainer.history.steps
    assert (hit.layer, hit.neuron) == (1, 1)
    assert hit.phase == PhaseStep(Phase.FORWARD, 1)
    assert "a_2^1 = 0 for all 4 samples of epoch 1" in hit.reason
    assert "1 of 3 neurons" in hit.reason


def test_a_relu_that_fires_once_per_epoch_is_alive():
    trainer = linear_trainer(
        [[1.0, 2.0], [2.0, -1.0]], [[0.0], [1.0]], [[[1.0, 1.0], [1.0, -1.5]], [[0.1, 0.1]]], hidden="relu"
    )
    monitor_for(trainer, BreakpointSettings(dead_relu=True))
    trainer.train(3)
    assert trainer.epoch == 3


# --- phase breakpoints ---------------------------------------------------------------


def test_a_phase_breakpoint_stops_training_after_one_step_and_lands_on_the_next_sample():
    trainer = xor_trainer(shuffle=False)
    backward_1 = phase_sequence(2).index(PhaseStep(Phase.BACKWARD, 1))
    hit = run_until_hit(trainer, BreakpointSettings(phases={backward_1}))

    assert hit.condition is Condition.PHASE and hit.step == 1 == trainer.history.steps
    assert hit.phase == PhaseStep(Phase.BACKWARD, 1) and hit.layer == 1
    assert hit.sample == 1  # the next sample the trainer will take


def test_phase_breakpoints_out_of_range_are_ignored():
    trainer = xor_trainer()
    monitor_for(trainer, BreakpointSettings(phases={99}))
    trainer.train(2)
    assert trainer.epoch == 2


@pytest.mark.parametrize(
    ("phases", "position", "expected"),
    [
        (set(), 0, None),
        ({2, 5}, 0, (False, 2)),
        ({2, 5}, 2, (False, 2)),
        ({2, 5}, 3, (False, 5)),
        ({2, 5}, 6, (True, 2)),
        ({2, 9}, 7, (True, 2)),  # 9 is past the end of a 7-phase pass
    ],
)
def test_continue_stops_at_the_next_breakpoint(phases, position, expected):
    assert next_stop(phases, position, 7) == expected


# --- a clean stop, and the hook itself -----------------------------------------------


def test_training_resumes_after_a_hit_exactly_as_if_it_had_not_stopped():
    reference = xor_trainer()
    reference.train(3)
    trainer = xor_trainer()
    monitor = monitor_for(trainer, BreakpointSettings(phases={0}))
    with pytest.raises(BreakpointHit):
        trainer.train(3)
    monitor.detach()
    assert trainer.observers == []
    trainer.train(3)
    assert list(trainer.history.step_losses) == list(reference.history.step_losses)


def test_hit_message_says_which_where_when_and_why():
    trainer = saturated_trainer()
    hit = run_until_hit(trainer, BreakpointSettings(vanishing=True, vanishing_threshold=1e-9), epochs=5)
    assert hit.message.startswith(f"Vanishing gradients at step 3 in neuron {hit.neuron + 1} of layer 1: max |δ^1|")


# --- settings ------------------------------------------------------------------------


def test_settings_round_trip_through_plain_json_types():
    import json

    settings = BreakpointSettings(
        phases={3, 1},
        loss_below=True,
        loss_target=0.05,
        loss_scope="step",
        non_finite=False,
        vanishing=True,
        vanishing_threshold=1e-8,
        exploding=True,
        exploding_threshold=500.0,
        dead_relu=True,
    )
    data = json.loads(json.dumps(settings.to_dict()))
    assert data["phases"] == [1, 3]
    assert BreakpointSettings.from_dict(data) == settings
    assert BreakpointSettings.from_dict({}) == BreakpointSettings()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"vanishing": {"threshold": -1}}, "breakpoints.vanishing.threshold: must be a positive number"),
        ({"exploding": {"enabled": "yes"}}, "breakpoints.exploding.enabled: must be true or false"),
        ({"loss_below": {"scope": "batch"}}, "breakpoints.loss_below.scope: must be one of epoch, step"),
        ({"phases": [1, "two"]}, "breakpoints.phases: must be a list of phase numbers"),
        ({"phases": [-1]}, "breakpoints.phases: phase numbers start at 0"),
        ({"nan": {}}, "breakpoints.nan: unknown entry"),
        ([], "breakpoints: must be an object"),
    ],
)
def test_bad_settings_name_the_entry(data, message):
    with pytest.raises(ValueError, match=message.replace("|", r"\|").replace(".", r"\.")):
        BreakpointSettings.from_dict(data)


def test_a_trainer_knows_the_square_sum_of_the_parameters_each_pass_used():
    trainer = xor_trainer()
    squares = [sum(float(np.sum(p * p)) for p in trainer.network.parameters())]
    for _ in range(3):
        trainer.step()
        squares.append(sum(float(np.sum(p * p)) for p in trainer.network.parameters()))
        assert trainer.pass_parameter_squares == pytest.approx(squares[-2], rel=1e-12)
        assert trainer.parameter_squares == pytest.approx(squares[-1], rel=1e-12)
    trainer.record_step(0.5)  # a step taken elsewhere: its parameters are not known here
    assert trainer.parameter_squares == float("inf")


@pytest.mark.parametrize(("scale", "looks"), [(1.0, False), (1e100, False), (1e160, True)])
def test_the_non_finite_watch_looks_at_every_z_only_when_the_parameters_could_overflow_one(monkeypatch, scale, looks):
    trainer = xor_trainer()
    for layer in trainer.network.layers:
        layer.weights = layer.weights * scale
    trainer = Trainer(trainer.network, trainer.data, trainer.settings)  # knows the parameters it starts from
    looked = []
    real = breakpoints.all_finite
    monkeypatch.setattr(breakpoints, "all_finite", lambda arrays: looked.append(1) or real(arrays))
    monitor = monitor_for(trainer, BreakpointSettings(non_finite=True))
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            trainer.train(2)
        except (BreakpointHit, Divergence):
            pass
    monitor.detach()
    assert bool(looked) == looks
    assert trainer.safe_parameter_squares > 1e10  # the xor data and a 2-3-1 network leave plenty of room


def test_data_with_an_input_that_is_not_finite_leaves_no_parameters_safe():
    trainer = xor_trainer()
    inputs = trainer.data.inputs.copy()
    inputs[2, 1] = np.inf
    trainer = Trainer(trainer.network, Dataset(inputs, trainer.data.targets), trainer.settings)
    assert trainer.safe_parameter_squares == 0.0  # every z is looked at
