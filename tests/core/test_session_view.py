"""Where the window stood, in the session file: the stepper's position (with the pass-start weights at
Update), the selection, display settings, breakpoints and quiz settings — read, checked, written, and
read back so the stepper shows exactly the same numbers."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_gui.cli import main
from backprop_gui.core.breakpoints import BreakpointSettings
from backprop_gui.core.quiz import QuizSettings
from backprop_gui.core.session import EDGE_MODES, NEURON_VALUES, Session, SessionView, StepperPosition
from backprop_gui.core.session_format import SessionError, dumps, load_session, loads, save_session
from backprop_gui.core.stepper import Quantity, Stepper

from helpers import error_of, small_sessions

FIRST_BEFORE = {"weights": [[1, 2]] * 3, "biases": [0] * 3}  # a valid position.before_update[0]


def document() -> dict:
    """A hand-written file: 2 inputs, 3 tanh neurons, 2 sigmoid outputs, 2 samples; phases
    0 Forward 1, 1 Forward 2, 2 Loss, 3 Backward 2, 4 Backward 1, 5 Update."""
    return {
        "format": "backprop-gui-session",
        "version": 1,
        "name": "small",
        "network": {
            "input_size": 2,
            "layers": [
                {"size": 3, "activation": "tanh", "weights": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]},
                {"size": 2, "activation": "sigmoid", "weights": [[1, 2, 3], [4, 5, 6]], "biases": [0.5, -0.5]},
            ],
        },
        "data": {"inputs": [[0, 1], [1, 0]], "targets": [[1, 0], [0, 1]]},
    }


def with_sections(**sections) -> dict:
    doc = document()
    doc.update(sections)
    return doc


def stepper_for(session: Session) -> Stepper:
    """A stepper over ``session`` standing where its file says, as the window builds it."""
    data, view = session.data, session.view
    stepper = Stepper(session.network, data.inputs, data.targets, session.training.learning_rate)
    if view is not None and view.position is not None:
        p = view.position
        stepper.restore(p.sample, p.position, p.revealed, p.before_update)
    return stepper


def position_of(stepper: Stepper) -> StepperPosition:
    """The stepper's place as the window saves it (with the pass-start weights at Update)."""
    depth = stepper.network.depth
    before = None
    if stepper.at_end:
        pairs = {l: stepper.weights_before(l) for l in range(1, depth + 1)}
        before = ({l: w for l, (w, _) in pairs.items()}, {l: b for l, (_, b) in pairs.items()})
    return StepperPosition(stepper.batch, stepper.position, stepper.revealed, before)


def shown(stepper: Stepper) -> list[bytes]:
    """Every value the stepper reveals, NaN where unknown, as raw bytes (bit-for-bit comparison)."""
    values = [stepper.value(q).values.tobytes() for q in (Quantity.INPUT, Quantity.TARGET, Quantity.LOSS)]
    values.append(stepper.value(Quantity.OUTPUT_GRADIENT).values.tobytes())
    for l in range(1, stepper.network.depth + 1):
        for q in Quantity:
            if q not in (Quantity.INPUT, Quantity.TARGET, Quantity.LOSS, Quantity.OUTPUT_GRADIENT):
                values.append(stepper.value(q, l).values.tobytes() + stepper.known(q, l).tobytes())
        values.append(b"".join(a.tobytes() for a in stepper.weights_before(l)))
    values += [layer.weights.tobytes() + layer.biases.tobytes() for layer in stepper.network.layers]
    return values


# --- reading a hand-written file ----------------------------------------------------------------


def test_a_file_without_these_sections_opens_at_the_start():
    session = loads(json.dumps(document()))
    assert session.view is None
    assert stepper_for(session).position == 0


def test_every_section_is_read_with_neurons_and_samples_numbered_from_1():
    doc = with_sections(
        position={"sample": 2, "phase": "Backward 2", "neurons": 1},
        view={
            "selection": {"layer": 2, "j": 2, "k": 3},
            "precision": 6,
            "neuron_value": "delta",
            "edge_mode": "gradients",
            "presentation": True,
            "quiz_mode": True,
        },
        breakpoints={"phases": [2, 5], "loss_below": {"enabled": True, "target": 0.05}},
        quiz={"quantities": ["z", "a"], "tolerance_mode": "absolute", "tolerance": 0.001},
    )
    view = loads(json.dumps(doc)).view
    assert view.position == StepperPosition(sample=1, position=3, revealed=1)
    assert view.selection == (2, 1, 2)
    assert (view.precision, view.neuron_value, view.edge_mode) == (6, "delta", "gradients")
    assert view.presentation is True and view.quiz_mode is True
    assert view.breakpoints.phases == {2, 5} and view.breakpoints.loss_below and view.breakpoints.loss_target == 0.05
    assert [str(q) for q in view.quiz.quantities] == ["z", "a"] and view.quiz.tolerance == 0.001


def test_a_phase_without_neurons_is_complete_and_all_its_neurons_count_as_complete():
    session = loads(json.dumps(with_sections(position={"phase": "Forward 1"})))
    assert session.view.position == StepperPosition(0, 1, 0)
    session = loads(json.dumps(with_sections(position={"phase": "Forward 1", "neurons": 3})))
    assert session.view.position == StepperPosition(0, 1, 0)
    stepper = stepper_for(loads(json.dumps(with_sections(position={"phase": "Forward 1", "neurons": 2}))))
    assert stepper.known(Quantity.WEIGHTED_INPUT, 1).tolist() == [True, True, False]


def test_at_update_the_network_holds_the_new_weights_and_the_old_come_from_the_file():
    reference = loads(json.dumps(document()))
    old = [layer.weights.copy() for layer in reference.network.layers]
    old_biases = [layer.biases.tolist() for layer in reference.network.layers]
    stepper = stepper_for(reference)
    stepper.run_to_end()
    new = [layer.weights.copy() for layer in reference.network.layers]
    doc = document()
    for spec, layer in zip(doc["network"]["layers"], reference.network.layers, strict=True):
        spec["weights"], spec["biases"] = layer.weights.tolist(), layer.biases.tolist()
    before = [{"weights": w.tolist(), "biases": b} for w, b in zip(old, old_biases, strict=True)]
    doc["position"] = {"phase": "Update", "before_update": before}
    session = loads(json.dumps(doc))
    restored = stepper_for(session)
    assert restored.at_end
    for l in (1, 2):
        assert restored.weights_before(l)[0].tobytes() == old[l - 1].tobytes()
        assert restored.value(Quantity.NEW_WEIGHTS, l).values.tobytes() == new[l - 1].tobytes()
        assert session.network.layer(l).weights.tobytes() == new[l - 1].tobytes()


def test_a_file_trained_on_after_it_was_saved_at_update_starts_that_pass_again():
    doc = document()
    weights = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    doc["position"] = {"sample": 2, "phase": "Update", "before_update": [
        {"weights": weights, "biases": [0, 0, 0]}, {"weights": [[1, 2, 3], [4, 5, 6]], "biases": [0.5, -0.5]}
    ]}  # fmt: skip
    session = loads(json.dumps(doc))  # the network still holds the old weights: no Update gives them
    assert session.view.position == StepperPosition(sample=1)
    stepper = stepper_for(session)
    assert stepper.position == 0 and session.network.layer(1).weights.tolist() == weights


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"position": {"sample": 3}}, "position.sample: must be in 1..2, got 3"),
        ({"position": {"sample": 0}}, "position.sample: must be in 1..2, got 0"),
        ({"position": {"phase": "Forward 3"}}, "position.phase: this network has no phase 'Forward 3' (phases: "),
        ({"position": {"phase": "Loss", "neurons": 2}}, "position.neurons: must be in 1..1, got 2"),
        ({"position": {"phase": "Backward 1", "neurons": 4}}, "position.neurons: must be in 1..3, got 4"),
        ({"position": {"neurons": 1}}, 'position.neurons: give the "phase"'),
        ({"position": {"phase": "Update"}}, "position.before_update: missing; at phase"),
        (
            {"position": {"phase": "Loss", "before_update": []}},
            'position.before_update: only allowed at phase "Update"',
        ),
        ({"position": {"phase": "Update", "before_update": [{}]}}, "expected one entry per layer (2), got 1"),
        (
            {"position": {"phase": "Update", "before_update": [FIRST_BEFORE, {"weights": [[1, 2]] * 2}]}},
            "position.before_update[1].weights: expected 2×3, got 2×2",
        ),
        (
            {"position": {"phase": "Update", "before_update": [FIRST_BEFORE, {"weights": [[1] * 3] * 2}]}},
            'position.before_update[1]: missing field "biases"',
        ),
        ({"position": []}, "position: expected an object {…}, got a list"),
        ({"view": {"selection": {"layer": 3, "j": 1}}}, "view.selection.layer: must be in 0..2, got 3"),
        ({"view": {"selection": {"layer": 1, "j": 4}}}, "view.selection.j: must be in 1..3, got 4"),
        ({"view": {"selection": {"layer": 1}}}, 'view.selection: missing field "j"'),
        ({"view": {"selection": {"layer": 0, "j": 1, "k": 1}}}, "view.selection.k: the inputs (layer 0) have no"),
        ({"view": {"selection": {"layer": 2, "j": 1, "k": 4}}}, "view.selection.k: must be in 1..3, got 4"),
        ({"view": {"precision": 12}}, "view.precision: must be in 2..8, got 12"),
        ({"view": {"neuron_value": "b"}}, "view.neuron_value: unknown neuron value 'b' (known: auto, z, a, delta, map"),
        ({"view": {"edge_mode": "both"}}, "view.edge_mode: unknown edge mode 'both' (known: weights, gradients)"),
        ({"view": {"presentation": "yes"}}, 'view.presentation: expected true or false, got "yes"'),
        ({"breakpoints": {"phases": [6]}}, "breakpoints.phases: phase 6 does not exist; this network's phases are"),
        ({"breakpoints": {"vanishing": {"threshold": -1}}}, "breakpoints.vanishing.threshold: must be a positive"),
        ({"breakpoints": {"colour": 1}}, "breakpoints.colour: unknown entry"),
        ({"quiz": {"quantities": ["q"]}}, "quiz.quantities: unknown quantity 'q'"),
        ({"quiz": "all"}, "quiz: must be an object, got str"),
    ],
)
def test_each_bad_field_is_named(sections, message):
    assert message in error_of(with_sections(**sections))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "1e999"])
def test_non_finite_settings_are_refused_with_their_path(literal):
    text = json.dumps(with_sections(breakpoints={"exploding": {"threshold": 1.5}})).replace("1.5", literal)
    with pytest.raises(SessionError, match=r"breakpoints\.exploding\.threshold: expected a number"):
        loads(text)


def test_unknown_extra_fields_in_the_new_sections_still_open():
    doc = with_sections(position={"sample": 2, "cursor_blink": True}, view={"theme": "dark", "precision": 3})
    view = loads(json.dumps(doc)).view
    assert view.position.sample == 1 and view.precision == 3


# --- writing and reading back ----------------------------------------------------------------


def full_view(stepper: Stepper) -> SessionView:
    return SessionView(
        position=position_of(stepper),
        selection=(2, 1, 0),
        precision=5,
        neuron_value="z",
        edge_mode="gradients",
        presentation=False,
        quiz_mode=True,
        breakpoints=BreakpointSettings(phases={1, 4}, exploding=True, exploding_threshold=250.0),
        quiz=QuizSettings(tolerance_mode="relative", tolerance=0.02),
    )


def test_the_written_sections_read_back_the_same():
    session = loads(json.dumps(document()))
    stepper = stepper_for(session)
    for _ in range(3):
        stepper.step()
    stepper.step_into()
    session.view = full_view(stepper)
    text = dumps(session)
    written = json.loads(text)
    assert written["position"] == {"sample": 1, "phase": "Backward 2", "neurons": 1}
    assert written["view"]["selection"] == {"layer": 2, "j": 2, "k": 1}
    assert written["breakpoints"]["phases"] == [1, 4] and written["quiz"]["tolerance_mode"] == "relative"
    again = loads(text)
    assert again.view == session.view
    assert dumps(again) == text


MOVES = ("step", "step_into", "step_back", "run_to_end", "reset_pass", "next_batch")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(session=small_sessions(), moves=st.lists(st.sampled_from(MOVES), max_size=14), data=st.data())
def test_save_open_save_is_identical_and_every_shown_value_is_restored(session, moves, data):
    stepper = stepper_for(session)
    for move in moves:
        getattr(stepper, move)()
    sizes = session.network.sizes
    layer = data.draw(st.integers(0, session.network.depth))
    j = data.draw(st.integers(0, sizes[layer] - 1))
    k = data.draw(st.none() | st.integers(0, sizes[layer - 1] - 1)) if layer else None
    session.view = SessionView(position=position_of(stepper), selection=(layer, j, k), precision=3, edge_mode="weights")
    text = dumps(session)
    reopened = loads(text)
    restored = stepper_for(reopened)
    assert (restored.batch, restored.position, restored.revealed) == (stepper.batch, stepper.position, stepper.revealed)
    assert shown(restored) == shown(stepper)
    assert reopened.view.selection == (layer, j, k) and reopened.view.precision == 3
    reopened.view.position = position_of(restored)
    assert dumps(reopened) == text


# --- the stepper's restore ------------------------------------------------------------------------


def test_restore_refuses_places_that_do_not_exist():
    stepper = stepper_for(loads(json.dumps(document())))
    with pytest.raises(IndexError):
        stepper.restore(2, 0)
    with pytest.raises(IndexError):
        stepper.restore(0, 7)
    with pytest.raises(ValueError):
        stepper.restore(0, 2, 1)  # Loss has no single neurons
    stepper.restore(1, 4, 2)
    assert not stepper.can_step_back and stepper.done(stepper.phases[4]) == 2


# --- the command line on extended files ----------------------------------------------------------


def test_the_cli_traces_trains_and_checks_a_file_saved_mid_pass(tmp_path, capsys):
    session = loads(json.dumps(document()))
    stepper = stepper_for(session)
    stepper.run_to_end()
    session.view = full_view(stepper)
    path = tmp_path / "saved.json"
    save_session(session, path)
    expected_weights = copy.deepcopy([layer.weights for layer in session.network.layers])
    assert main(["trace", str(path), "--sample", "1"]) == 0
    trace = json.loads(capsys.readouterr().out)
    assert trace["input"] == [1.0, 0.0]
    assert main(["gradcheck", str(path)]) == 0
    assert "max relative error" in capsys.readouterr().out.lower()
    out = tmp_path / "trained.json"
    assert main(["train", str(path), "--epochs", "1", "--out", str(out)]) == 0
    capsys.readouterr()
    trained = load_session(out)
    assert trained.history.steps == 2
    weights = trained.network.layer(1).weights.copy()
    assert not np.array_equal(weights, expected_weights[0])
    # saved at Update, then trained on: the pass starts again from the trained weights, which are kept
    assert trained.view.position == StepperPosition(sample=session.view.position.sample)
    assert stepper_for(trained).position == 0 and trained.network.layer(1).weights.tobytes() == weights.tobytes()


def test_the_display_names_match_the_window():
    from backprop_gui.core.formatting import MAX_DIGITS, MIN_DIGITS

    assert NEURON_VALUES == ("auto", "z", "a", "delta", "maps") and EDGE_MODES == ("weights", "gradients")
    assert (MIN_DIGITS, MAX_DIGITS) == (2, 8)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
SECTION_KEYS = {
    "position": ["sample", "phase", "neurons", "before_update"],
    "view": ["selection", "precision", "neuron_value", "edge_mode", "presentation", "quiz_mode"],
    "breakpoints": ["phases", "loss_below", "non_finite", "vanishing", "exploding", "dead_relu"],
    "quiz": ["quantities", "tolerance_mode", "tolerance"],
}


@settings(max_examples=300, deadline=None)
@given(section=st.sampled_from(sorted(SECTION_KEYS)), data=st.data())
def test_fuzz_the_new_sections_only_raise_session_error(section, data):
    key = data.draw(st.sampled_from(SECTION_KEYS[section]) | st.text(max_size=8))
    value = data.draw(json_values)
    whole = data.draw(st.booleans())
    doc = with_sections(**{section: value if whole else {key: value}})
    try:
        loads(json.dumps(doc))
    except SessionError:
        pass


def test_a_deeply_nested_setting_is_refused_with_a_short_message():
    nested = "[" * 900 + "]" * 900
    for section in ("quiz", "breakpoints"):
        doc = json.dumps(with_sections(**{section: {"tolerance": 1}})).replace(
            '"tolerance": 1', '"tolerance": ' + nested
        )
        with pytest.raises(SessionError) as caught:
            loads(doc)
        assert str(caught.value).startswith(f"{section}.") and len(str(caught.value)) <= 200
