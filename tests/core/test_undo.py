"""The Qt-free undo stack: every kind of edit is undone and redone bit for bit, in order, with
QUndoStack's rules for redo, merging, texts and the clean state."""

from __future__ import annotations

from dataclasses import replace

import pytest

from backprop_gui.core.datasets import generate
from backprop_gui.core.editing import (
    AddLayer,
    AddNeuron,
    Edit,
    Reinitialise,
    RemoveLayer,
    RemoveNeuron,
    ResetOptimizerState,
    SetActivation,
    SetData,
    SetLoss,
    SetNote,
    SetParameter,
    SetTrainingSetting,
    SetUpdateRule,
    ToggleBias,
)
from backprop_gui.core.npz import ImportWeights, weight_arrays
from backprop_gui.core.optimizers import OptimizerSettings, UpdateRule
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import dumps
from backprop_gui.core.training import Trainer
from backprop_gui.core.undo import UndoStack

from helpers import snapshot


def trained() -> Session:
    """The xor example with an Adam rule after a few steps: optimiser state, history and batch are not empty."""
    session = load_example("xor")
    session.training = replace(session.training, rule=UpdateRule(OptimizerSettings("adam")))
    trainer = Trainer(
        session.network, session.data, session.training, session.history, optimizer_state=session.optimizer_state
    )
    for _ in range(3):
        trainer.step()
    session.epoch, session.batch = trainer.epoch, trainer.batch
    session.note = "homework 3"
    return session


def state(session: Session) -> tuple:
    """Everything an edit may touch, bit for bit: the file's text, the arrays' bytes, the data object."""
    return dumps(session), snapshot(session.network), id(session.data), session.data.validation_fraction


def every_edit(session: Session) -> list[Edit]:
    """One edit of every kind, each valid on ``session`` as it stands after the ones before it."""
    other = session.network.copy()
    other.layer(1).weights = other.layer(1).weights + 0.5
    return [
        ImportWeights(weight_arrays(other), "other.npz"),
        ResetOptimizerState(),
        SetParameter(1, 0, 1, 0.25),
        SetParameter(2, 0, None, -1.5),
        SetActivation(1, "relu"),
        SetLoss("mean_squared_error"),
        ToggleBias(1),
        Reinitialise("he", 4),
        AddNeuron(1, "uniform", 2),
        RemoveNeuron(1, 0),
        AddLayer(2, 3, "tanh", "xavier", 5),
        RemoveLayer(2, "he", 6),
        SetTrainingSetting("learning_rate", 0.05),
        SetTrainingSetting("batch_size", 2),
        SetTrainingSetting("validation_fraction", 0.25),
        SetUpdateRule(UpdateRule(OptimizerSettings("momentum"))),
        SetData(generate("blobs", samples=30, classes=3, seed=1), fit=True, seed=3),
        SetNote("a new note"),
    ]


def test_every_kind_of_edit_undoes_and_redoes_exactly() -> None:
    session = trained()
    stack = UndoStack(session)
    states = [state(session)]
    for edit in every_edit(session):
        stack.push(edit)
        states.append(state(session))
        assert states[-1] != states[-2], edit.text
    for before in reversed(states[:-1]):
        stack.undo()
        assert state(session) == before
    assert not stack.can_undo and stack.can_redo
    for after in states[1:]:
        stack.redo()
        assert state(session) == after
    assert stack.can_undo and not stack.can_redo


def test_a_refused_edit_changes_nothing_and_is_not_pushed() -> None:
    session = trained()
    stack = UndoStack(session)
    before = state(session)
    with pytest.raises(ValueError, match="layer 3 does not exist"):
        stack.push(SetParameter(3, 0, 0, 1.0))
    assert state(session) == before and not stack.can_undo and stack.is_clean


def test_a_new_edit_drops_the_undone_ones_and_the_texts_follow() -> None:
    stack = UndoStack(trained())
    assert (stack.undo_text, stack.redo_text) == ("", "")
    stack.push(SetParameter(1, 0, 0, 0.5))
    stack.push(SetLoss("mean_squared_error"))
    assert stack.undo_text == "set loss to mean_squared_error"
    stack.undo()
    assert (stack.undo_text, stack.redo_text) == ("set w_11^1 = 0.5", "set loss to mean_squared_error")
    stack.push(SetTrainingSetting("learning_rate", 0.2))
    assert not stack.can_redo and [e.text for e in stack.edits] == ["set w_11^1 = 0.5", "set η = 0.2"]


def test_the_clean_state_follows_undo_and_is_lost_with_the_edits_it_stood_on() -> None:
    stack = UndoStack(trained())
    assert stack.is_clean
    stack.push(SetParameter(1, 0, 0, 0.5))
    assert not stack.is_clean
    stack.set_clean()
    stack.push(SetParameter(1, 0, 0, 0.75))
    stack.undo()
    assert stack.is_clean
    stack.undo()
    assert not stack.is_clean
    stack.push(SetLoss("mean_squared_error"))  # the saved state can no longer be reached
    stack.undo()
    assert not stack.is_clean
    stack.clear()
    assert stack.is_clean and not stack.can_undo and not stack.can_redo


def test_a_run_of_note_edits_is_one_step_and_typing_it_back_leaves_none() -> None:
    session = trained()
    stack = UndoStack(session)
    for note in ("homework 3.", "homework 3.1", "homework 3.12"):
        stack.push(SetNote(note))
    assert len(stack.edits) == 1 and session.note == "homework 3.12" and stack.undo_text == "edit note"
    stack.undo()
    assert session.note == "homework 3"
    stack.redo()
    stack.push(SetNote("homework 3"))  # typed back to where it began: nothing to undo
    assert not stack.edits and session.note == "homework 3"


def test_note_edits_do_not_merge_across_the_saved_state_or_other_edits() -> None:
    session = trained()
    stack = UndoStack(session)
    stack.push(SetNote("a"))
    stack.set_clean()
    stack.push(SetNote("ab"))
    stack.push(SetParameter(1, 0, 0, 0.5))
    stack.push(SetNote("abc"))
    assert [e.text for e in stack.edits] == ["edit note", "edit note", "set w_11^1 = 0.5", "edit note"]
    stack.undo()
    stack.undo()
    stack.undo()
    assert stack.is_clean and session.note == "a"


def test_only_the_note_leaves_a_running_training_alone() -> None:
    assert not SetNote("x").pauses_training
    assert all(edit.pauses_training for edit in every_edit(trained()) if not isinstance(edit, SetNote))
