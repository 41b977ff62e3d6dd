"""The update rule and the optimiser's state in session files (version 2) and the CLI."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from backprop_gui.cli import main
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.network import build_network
from backprop_gui.core.optimizers import (
    OPTIMIZERS,
    OptimizerSettings,
    OptimizerState,
    Regularization,
    Schedule,
    UpdateRule,
)
from backprop_gui.core.session import Session, SessionView, StepperPosition
from backprop_gui.core.session_format import VERSION, dumps, load_session, loads, session_to_dict
from backprop_gui.core.stepper import Stepper
from backprop_gui.core.training import Trainer, TrainingSettings
from tests.helpers import error_of, snapshot

RULES = [
    UpdateRule(OptimizerSettings("momentum", momentum=0.8, nesterov=True), Regularization("l2", 0.01)),
    UpdateRule(OptimizerSettings("rmsprop", alpha=0.9), Regularization("l1", 0.001, biases=True), clip_norm=2.0),
    UpdateRule(OptimizerSettings("adam", beta2=0.99), schedule=Schedule("step", 5, 0.5)),
    UpdateRule(OptimizerSettings("sgd"), schedule=Schedule("exponential", gamma=0.9)),
]


def make_session(rule: UpdateRule) -> Session:
    network = build_network(2, [3, 2], ["tanh", "sigmoid"], seed=3, has_bias=[False, True])
    rng = np.random.default_rng(5)
    data = Dataset(rng.normal(size=(6, 2)), rng.uniform(size=(6, 2)))
    return Session("optim", network, data, TrainingSettings(learning_rate=0.05, batch_size=2, rule=rule))


def stepper_of(session: Session) -> Stepper:
    d = session.data
    return Stepper(
        session.network, d.inputs, d.targets, session.training.learning_rate,
        rule=session.training.rule, optimizer_state=session.optimizer_state,
    )  # fmt: skip


def train_steps(session: Session, steps: int) -> Trainer:
    trainer = Trainer(
        session.network, session.data, session.training, session.history, session.epoch, session.batch,
        session.optimizer_state,
    )  # fmt: skip
    for _ in range(steps):
        trainer.step()
    session.epoch, session.batch = trainer.epoch, trainer.batch
    return trainer


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.optimizer.name)
def test_settings_and_state_survive_save_and_open_bit_for_bit(rule: UpdateRule) -> None:
    session = make_session(rule)
    train_steps(session, 4)  # mid-epoch: 3 minibatches an epoch
    again = loads(dumps(session))
    assert again.training == session.training
    assert again.optimizer_state.same(session.optimizer_state) or not session.optimizer_state.buffers
    assert dumps(again) == dumps(session)
    # training on from the file equals training on without it
    train_steps(session, 5)
    train_steps(again, 5)
    assert snapshot(again.network) == snapshot(session.network)
    assert again.optimizer_state.same(session.optimizer_state)


def test_the_file_names_the_update_rule_and_keeps_the_state_per_layer() -> None:
    session = make_session(RULES[2])
    train_steps(session, 2)
    doc = session_to_dict(session)
    assert doc["version"] == VERSION == 2
    assert doc["training"]["optimizer"] == {"name": "adam", "beta1": 0.9, "beta2": 0.99, "epsilon": 1e-8}
    assert doc["training"]["regularization"] == {"kind": "none", "lambda": 0.0, "biases": False}
    assert doc["training"]["schedule"] == {"kind": "step", "step_size": 5, "gamma": 0.5}
    state = doc["progress"]["optimizer"]
    assert state["name"] == "adam" and state["t"] == 2
    assert set(state["layers"][0]) == {"m", "v"}
    assert set(state["layers"][0]["m"]) == {"weights"}  # layer 1 has no bias
    assert np.array(state["layers"][1]["v"]["weights"]).shape == (2, 3)


@pytest.mark.parametrize("at", ["Loss", "Backward 1", "Update"])
@pytest.mark.parametrize("rule", RULES[:3], ids=lambda r: r.optimizer.name)
def test_save_and_open_in_the_middle_of_a_pass_restores_weights_and_state(rule: UpdateRule, at: str) -> None:
    session = make_session(rule)
    stepper = stepper_of(session)
    for _ in range(3):
        stepper.run_to_end()
        stepper.step()
    stepper.run_to([p.label for p in stepper.phases].index(at))
    before = None
    if stepper.at_end:
        depth = session.network.depth
        before = ({l: stepper.weights_before(l)[0] for l in range(1, depth + 1)},
                  {l: stepper.weights_before(l)[1] for l in range(1, depth + 1)})  # fmt: skip
    state_before = stepper.state_before if before else None
    session.view = SessionView(StepperPosition(stepper.batch, stepper.position, 0, before, state_before))
    again = loads(dumps(session))
    p = again.view.position
    assert p.position == stepper.position
    reopened = stepper_of(again)
    reopened.restore(p.sample, p.position, p.revealed, p.before_update, p.state_before)
    assert snapshot(again.network) == snapshot(session.network)
    assert again.optimizer_state.same(session.optimizer_state)
    assert reopened.state_before.same(stepper.state_before)
    for l in range(1, session.network.depth + 1):
        assert np.array_equal(reopened.update.weights[l], stepper.update.weights[l])
    reopened.step_back()  # nothing to undo after opening; stepping on agrees
    reopened.run_to_end()
    stepper.run_to_end()
    assert snapshot(again.network) == snapshot(session.network)
    assert again.optimizer_state.same(session.optimizer_state)


def test_a_version_1_file_opens_as_plain_sgd() -> None:
    doc = session_to_dict(make_session(UpdateRule()))
    for key in ("optimizer", "regularization"):
        del doc["training"][key]
    doc["version"] = 1
    session = loads(json.dumps(doc))
    assert session.training.rule == UpdateRule() and session.optimizer_state.same(OptimizerState())


def _doc(rule: UpdateRule, steps: int = 2) -> dict:
    session = make_session(rule)
    train_steps(session, steps)
    return session_to_dict(session)


def test_bad_update_rules_and_states_are_named() -> None:
    doc = _doc(RULES[2])
    doc["training"]["optimizer"]["momentum"] = 0.5
    assert "training.optimizer.momentum: adam has no such setting (its settings: beta1, beta2, epsilon)" in error_of(
        doc
    )
    doc = _doc(RULES[2])
    doc["training"]["optimizer"]["name"] = "rmsprop"
    del doc["training"]["optimizer"]["beta1"], doc["training"]["optimizer"]["beta2"]
    assert "progress.optimizer.name: the state is of optimizer 'adam' but training.optimizer is 'rmsprop'" in (
        error_of(doc)
    )
    doc = _doc(RULES[2])
    doc["progress"]["optimizer"]["layers"][1]["v"]["biases"][0] = -1.0
    assert "progress.optimizer.layers[1].v: a mean of squared gradients cannot be negative" in error_of(doc)
    doc = _doc(RULES[2])
    del doc["progress"]["optimizer"]["layers"][0]["m"]
    assert 'progress.optimizer.layers[0]: missing field "m"' in error_of(doc)
    doc = _doc(RULES[2])
    doc["progress"]["optimizer"]["layers"][0]["m"]["weights"] = [[1.0, 2.0]]
    assert "progress.optimizer.layers[0].m.weights: expected 3×2" in error_of(doc)
    doc = _doc(RULES[0])
    doc["training"]["regularization"]["kind"] = "l3"
    assert "training.regularization.kind: unknown regularization 'l3'" in error_of(doc)
    doc = _doc(RULES[0])
    doc["training"]["clip_norm"] = -1
    assert "training.clip_norm: must be in (0, inf)" in error_of(doc)
    doc = _doc(RULES[0])
    doc["position"] = {"sample": 1, "phase": "Loss", "optimizer_before": doc["progress"]["optimizer"]}
    assert 'position.optimizer_before: only allowed at phase "Update"' in error_of(doc)


def test_a_state_of_another_optimiser_is_not_written() -> None:
    session = make_session(RULES[2])
    train_steps(session, 2)
    session.training = replace(session.training, rule=RULES[0])  # changed, not trained since
    assert "optimizer" not in session_to_dict(session)["progress"]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_cli_train_with_an_optimiser_in_two_runs_equals_one_run(capsys, tmp_path, name: str) -> None:
    once, half, twice = tmp_path / "once.json", tmp_path / "half.json", tmp_path / "twice.json"
    flags = ["--optimizer", name, "--l2", "0.001", "--clip", "5", "--schedule", "step", "--step-size", "3"]
    assert main(["train", "--example", "xor", *flags, "--epochs", "4", "--out", str(once)]) == 0
    assert main(["train", "--example", "xor", *flags, "--epochs", "2", "--out", str(half)]) == 0
    assert main(["train", str(half), "--epochs", "2", "--out", str(twice)]) == 0
    capsys.readouterr()
    one, two = load_session(once), load_session(twice)
    assert snapshot(one.network) == snapshot(two.network)
    assert one.optimizer_state.same(two.optimizer_state) and one.optimizer_state.t == 16
    assert one.training.rule.optimizer.name == name and one.training.rule.regularization.kind == "l2"


@pytest.mark.parametrize(
    ("flags", "problem"),
    [
        (["--beta1", "0.5"], "--beta1: sgd has no such setting"),
        (["--optimizer", "adam", "--beta2", "1"], "training.optimizer.beta2: must be in [0, 1)"),
        (["--optimizer", "momentum", "--momentum", "0", "--nesterov"], "Nesterov momentum needs a momentum μ above 0"),
        (["--l1", "0.1", "--l2", "0.1"], "--l1 and --l2: give one of them"),
        (["--l2", "-1"], "training.regularization.lambda: must be in [0, 1e+06]"),
        (["--clip", "0"], "training.clip_norm: must be in (0, inf)"),
        (["--schedule", "step", "--step-size", "0"], "training.schedule.step_size: must be in 1..2,147,483,647, got 0"),
    ],
)
def test_cli_bad_update_rule_options_exit_2(capsys, tmp_path, flags: list[str], problem: str) -> None:
    assert main(["train", "--example", "xor", *flags, "--out", str(tmp_path / "x.json")]) == 2
    assert problem in capsys.readouterr().err


def test_setting_the_update_rule_is_undoable_with_the_state() -> None:
    from backprop_gui.core.editing import ResetOptimizerState, SetUpdateRule

    session = make_session(RULES[2])  # adam
    train_steps(session, 3)
    state = session.optimizer_state.copy()
    edit = SetUpdateRule(replace(RULES[2], regularization=Regularization("l2", 0.1)))
    edit.do(session)
    assert edit.text == "set L2 λ = 0.1"
    assert session.optimizer_state.same(state)  # the same optimiser keeps its state
    other = SetUpdateRule(RULES[0])
    other.do(session)
    assert other.text.startswith("set optimizer momentum, momentum μ = 0.8, nesterov on")
    assert session.optimizer_state.same(OptimizerState())  # another one starts afresh
    other.undo(session)
    edit.undo(session)
    assert session.training.rule == RULES[2] and session.optimizer_state.same(state)
    reset = ResetOptimizerState()
    reset.do(session)
    assert session.optimizer_state.t == 0 and reset.text == "reset the optimizer state"
    reset.undo(session)
    assert session.optimizer_state.same(state)
    with pytest.raises(ValueError, match="training.optimizer.beta1"):
        SetUpdateRule(UpdateRule(OptimizerSettings("adam", beta1=2.0))).do(session)


def test_spirals_example_learns_faster_with_adam_than_with_sgd() -> None:
    from backprop_gui.core.presets import load_example

    losses = {}
    for name in ("adam", "sgd"):
        session = load_example("spirals_adam")
        session.training.rule = replace(session.training.rule, optimizer=OptimizerSettings(name))
        trainer = train_steps(session, 0)
        trainer.train(20)
        losses[name] = trainer.history.epoch_losses
    assert losses["adam"][-1] == pytest.approx(0.0067, abs=5e-4)  # the numbers the example's note quotes
    assert losses["sgd"][-1] == pytest.approx(0.208, abs=5e-4)


def test_a_worker_run_carries_the_optimizer_state_both_ways() -> None:
    import time

    from backprop_gui.core.training_worker import RunRequest, RunWatch, TrainingWorker, append_history

    session, headless = make_session(RULES[2]), make_session(RULES[2])
    train_steps(session, 2)  # mid-epoch, with Adam's m, v and t = 2
    train_steps(headless, 2)
    worker = TrainingWorker()
    try:
        request = RunRequest(
            0, session.network.copy(), session.data, 0.0, session.training, session.history, session.epoch,
            session.batch, 3, 0.0, RunWatch(), session.optimizer_state.copy(),
        )  # fmt: skip
        worker.start(request, session.data)
        snapshots, end = [], time.monotonic() + 60
        while worker.running and time.monotonic() < end:
            snapshots += worker.poll()
            worker.acknowledge()
            time.sleep(0.005)
    finally:
        worker.close()
    assert snapshots and snapshots[-1].final and snapshots[-1].error is None
    for s in snapshots:
        append_history(session.history, s.history)
        if s.state is not None:
            s.state.load_into(session, session.optimizer_state)
    trainer = train_steps(headless, 0)
    trainer.train(3 - headless.epoch)
    assert session.optimizer_state.t == headless.optimizer_state.t == 9
    assert session.optimizer_state.same(headless.optimizer_state)
    assert snapshot(session.network) == snapshot(headless.network)
