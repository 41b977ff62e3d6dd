"""Keeping a run for comparison and starting again from its weights, and clearing the kept runs:
each edit is checked first and taken back exactly."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_gui.core.compare import MAX_REFERENCES, keep_run
from backprop_gui.core.editing import AddNeuron
from backprop_gui.core.presets import load_example
from backprop_gui.core.run_edits import ClearReferences, KeepReference, fits, parameters_of
from backprop_gui.core.training import Trainer


def trained(epochs: int = 3):
    session = load_example("xor")
    start = parameters_of(session.network)
    trainer = Trainer(session.network, session.data, session.training, session.history, 0, 0, session.optimizer_state)
    trainer.train(epochs)
    session.epoch, session.batch = trainer.epoch, trainer.batch
    return session, start


def test_keeping_a_run_restarts_it_from_its_starting_weights_and_undo_takes_both_back():
    session, start = trained()
    before = [a.copy() for pair in parameters_of(session.network) for a in pair]
    history, losses = session.history, list(session.history.epoch_losses)
    edit = KeepReference(keep_run(session, "run 1"), start)
    edit.do(session)
    assert [r.name for r in session.references] == ["run 1"] and session.references[0].train_losses == losses
    assert session.history.steps == 0 and (session.epoch, session.batch) == (0, 0)
    for (w, b), (w0, b0) in zip(parameters_of(session.network), start, strict=True):
        assert w is w0 and b is b0
    edit.undo(session)
    assert session.references == [] and session.history is history and session.epoch == 3
    after = [a for pair in parameters_of(session.network) for a in pair]
    for mine, old in zip(after, before, strict=True):
        np.testing.assert_array_equal(mine, old)
    assert edit.text == "keep run 1 for comparison and start again from its starting weights"


def test_keeping_without_starting_weights_only_keeps_the_curves():
    session, _ = trained()
    weights = session.network.layers[0].weights
    edit = KeepReference(keep_run(session, "run 1"))
    edit.do(session)
    assert session.network.layers[0].weights is weights and session.history.steps == 12
    assert edit.text == "keep run 1 for comparison"


def test_a_fifth_reference_and_weights_of_another_shape_are_refused():
    session, start = trained(1)
    for i in range(MAX_REFERENCES):
        KeepReference(keep_run(session, f"run {i + 1}")).do(session)
    with pytest.raises(ValueError, match=f"at most {MAX_REFERENCES} runs"):
        KeepReference(keep_run(session, "run 5")).check(session)
    session.references.clear()
    AddNeuron(1).do(session)
    assert not fits(start, session.network)
    with pytest.raises(ValueError, match="starting weights do not fit the network"):
        KeepReference(keep_run(session, "run 1"), start).check(session)


def test_clearing_the_references_is_undone_exactly_and_needs_something_to_clear():
    session, _ = trained(1)
    with pytest.raises(ValueError, match="no compared runs"):
        ClearReferences().check(session)
    for name in ("run 1", "run 2"):
        KeepReference(keep_run(session, name)).do(session)
    kept = list(session.references)
    edit = ClearReferences()
    edit.do(session)
    assert session.references == []
    edit.undo(session)
    assert session.references == kept and all(a is b for a, b in zip(session.references, kept, strict=True))
