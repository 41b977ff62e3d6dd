"""The window's state without Qt: each setter checks its value and emits one event naming the field
and carrying the new value; stepping, new sessions and edits of the network say what they changed;
the SessionView a file stores is written from the state and applied back to it."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_gui.core.breakpoints import BreakpointSettings
from backprop_gui.core.colour_scale import ColourScale, ScaleMode
from backprop_gui.core.debugger_state import DISPLAY, DebuggerState, Event, Field, Selection
from backprop_gui.core.edge_labels import EdgeLabelMode
from backprop_gui.core.editing import SetNote
from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.network import build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.quiz import QuizSettings
from backprop_gui.core.session import EdgeMode, NeuronValue
from backprop_gui.core.session_format import dumps, loads
from backprop_gui.core.stepper import Quantity


@pytest.fixture
def state() -> DebuggerState:
    return DebuggerState(load_example("course_simple"))  # 1-1-1: phases Forward 1, 2, Loss, Backward 2, 1, Update


def recorded(state: DebuggerState) -> list[Event]:
    events: list[Event] = []
    state.subscribe(events.append)
    return events


SETTERS = [
    ("set_selection", Selection(1, 0), Field.SELECTION),
    ("set_precision", 6, Field.PRECISION),
    ("set_neuron_value", NeuronValue.DELTA, Field.NEURON_VALUE),
    ("set_edge_mode", EdgeMode.GRADIENTS, Field.EDGE_MODE),
    ("set_edge_label_mode", EdgeLabelMode.OFF, Field.EDGE_LABEL_MODE),
    ("set_colour_scale", ColourScale(ScaleMode.FIXED, 0.5), Field.COLOUR_SCALE),
    ("set_presentation", True, Field.PRESENTATION),
    ("set_quiz_mode", True, Field.QUIZ_MODE),
    ("set_quiz_settings", QuizSettings(tolerance_mode="absolute", tolerance=0.1), Field.QUIZ_SETTINGS),
    ("set_breakpoints", BreakpointSettings(phases={2}, dead_relu=True), Field.BREAKPOINTS),
]


@pytest.mark.parametrize(("setter", "value", "field"), SETTERS, ids=[s[0] for s in SETTERS])
def test_each_setter_emits_one_event_with_its_field_and_value_and_none_when_unchanged(state, setter, value, field):
    events = recorded(state)
    getattr(state, setter)(value)
    assert events == [Event(field, value)]
    assert getattr(state, field.value) == value
    getattr(state, setter)(value)
    assert len(events) == 1  # the same value again changes nothing


@pytest.mark.parametrize(
    ("setter", "value", "message"),
    [
        ("set_selection", Selection(3, 0), "is not a neuron or edge"),
        ("set_selection", Selection(1, 1), "is not a neuron or edge"),
        ("set_selection", Selection(0, 0, 0), "is not a neuron or edge"),
        ("set_neuron_value", "sigma", "neuron value must be one of auto, z, a, delta, maps"),
        ("set_edge_mode", "both", "edge mode must be one of weights, gradients"),
        ("set_edge_label_mode", "all", "edge label mode must be one of auto, weights, gradients, off"),
        ("set_colour_scale", "per pass", "colour scale must be a ColourScale"),
        ("set_quiz_settings", {"tolerance": 1}, "quiz settings must be QuizSettings"),
        (
            "set_breakpoints",
            BreakpointSettings(phases={6}),
            "breakpoint phase 6 does not exist: phases are numbered 0..5",
        ),
    ],
)
def test_a_bad_value_is_refused_by_name_and_changes_nothing(state, setter, value, message):
    events = recorded(state)
    before = state.view()
    with pytest.raises(ValueError, match=message):
        getattr(state, setter)(value)
    assert events == [] and state.view() == before


def test_precision_is_clamped_to_what_can_be_shown(state):
    state.set_precision(20)
    assert state.precision == 8 and state.format(1 / 3) == "0.33333333"
    state.set_precision(0)
    assert state.precision == 2 and state.format(1 / 3) == "0.33"


def test_display_names_the_settings_that_change_the_numbers_shown():
    assert DISPLAY == {Field.PRECISION, Field.NEURON_VALUE, Field.EDGE_MODE}


def test_stepping_emits_the_pass_and_the_update_says_the_weights_changed(state):
    events = recorded(state)
    moves: list[int] = []
    state.before_move(lambda: moves.append(state.stepper.position))
    state.step()
    assert events == [Event(Field.PASS, state.stepper)] and moves == [0]
    state.run_to_end()  # Update applied: w and b of both layers change
    assert [e.field for e in events[1:]] == [Field.WEIGHTS, Field.PASS] and events[1].value is True
    assert state.session.network.layer(1).weights[0, 0] != 0.01
    state.step_back()  # the Update taken back, with the whole move that made it
    assert events[-2] == Event(Field.WEIGHTS, False) and state.session.network.layer(1).weights[0, 0] == 0.01
    state.reset_pass()
    assert events[-1].field == Field.PASS and state.stepper.position == 0 and moves == [0, 1, 6, 1]


def test_a_move_starts_from_what_the_before_move_callbacks_left(state):
    """A running trainer pauses on ``before_move`` and restarts the pass on its weights; the move
    then steps that new pass."""

    def pause_trainer() -> None:
        state.session.network.layer(1).weights = np.array([[0.5]])
        state.network_changed()

    state.before_move(pause_trainer)
    events = recorded(state)
    state.step()
    assert [e.field for e in events] == [Field.NETWORK, Field.PASS]
    assert events[-1].value is state.stepper and state.stepper.position == 1
    assert state.stepper.record.z[1][0, 0] == 0.5 * 3  # z = w x + b with x = 3, b = 0 in the course example


def test_breakpoints_toggle_and_follow_the_network(state):
    state.run_to(1)  # Forward 1, 2 done: Loss next
    events = recorded(state)
    assert state.toggle_breakpoint() == 2 and state.breakpoints.phases == {2}
    assert state.toggle_breakpoint(5) == 5 and state.breakpoints.phases == {2, 5}
    assert [e.field for e in events] == [Field.BREAKPOINTS, Field.BREAKPOINTS]
    session = state.session
    session.network = build_network(1, [1], ["sigmoid"], seed=0)  # one layer: Forward 1, Loss, Backward 1, Update
    state.network_changed()
    assert state.breakpoints.phases == {2} and [e.field for e in events[2:]] == [Field.BREAKPOINTS, Field.NETWORK]
    state.set_session(load_example("xor"))  # phase numbers belong to one network: a new session has none
    assert state.breakpoints.phases == set() and events[-1] == Event(Field.SESSION, state.session)


def test_the_view_is_written_from_the_state_and_reopens_exactly(state):
    state.run_to(3)  # Backward 2
    state.set_selection(Selection(2, 0, 0))
    for setter, value, _field in SETTERS[1:]:
        getattr(state, setter)(value)
    text = dumps(state.snapshot())
    reopened = DebuggerState(loads(text))
    assert reopened.session.view is None  # taken, so a stale view is never written again
    assert reopened.stepper.position == 4 and reopened.selection == Selection(2, 0, 0)
    assert (reopened.precision, reopened.neuron_value, reopened.edge_mode) == (6, NeuronValue.DELTA, EdgeMode.GRADIENTS)
    assert not reopened.presentation and not reopened.quiz_mode  # the window applies these once built
    events = recorded(reopened)
    reopened.apply_view()
    assert {e.field for e in events} == {Field.BREAKPOINTS, Field.QUIZ_SETTINGS, Field.QUIZ_MODE, Field.PRESENTATION}
    assert reopened.breakpoints == BreakpointSettings(phases={2}, dead_relu=True) and reopened.quiz_mode
    assert dumps(reopened.snapshot()) == text


def test_a_new_session_with_a_view_stands_where_it_says_and_applies_the_rest(state):
    other = DebuggerState(load_example("xor"))
    other.run_to(2)
    other.set_quiz_mode(True)
    saved = loads(dumps(other.snapshot()))
    events = recorded(state)
    state.set_precision(3)
    state.set_session(saved)
    assert state.stepper.position == 3 and state.precision == 4 and state.quiz_mode
    assert [e.field for e in events] == [Field.PRECISION, Field.SESSION, Field.QUIZ_MODE]


def test_a_note_edit_says_the_note_changed_and_what_it_is_now(state):
    events = recorded(state)
    SetNote("check δ² by hand").do(state.session)
    state.note_changed()
    assert events == [Event(Field.NOTE, "check δ² by hand")]


def test_numbers_on_request_hold_back_the_new_phase_until_revealed_and_a_move_asks_again(state):
    events = recorded(state)
    state.set_numbers_on_request(True)
    assert not state.held_back and events == [Event(Field.NUMBERS_ON_REQUEST, True)]  # nothing computed yet
    state.run_to(2)  # Loss
    assert state.held_back and events[-1] == Event(Field.HELD_BACK, True)
    assert state.holds_back(Quantity.LOSS) and not state.holds_back(Quantity.ACTIVATION, 2)
    state.reveal()
    assert not state.held_back and events[-1] == Event(Field.HELD_BACK, False)
    state.set_selection(Selection(1, 0))  # choosing another neuron hides nothing again
    assert not state.held_back
    state.step()  # Backward 2
    assert state.holds_back(Quantity.DELTA, 2) and events[-1] == Event(Field.HELD_BACK, True)
    state.set_numbers_on_request(False)
    assert events[-2:] == [Event(Field.NUMBERS_ON_REQUEST, False), Event(Field.HELD_BACK, False)]


def test_the_layout_is_state_too(state):
    events = recorded(state)
    state.set_layout("train")
    assert state.layout is LayoutName.TRAIN and events == [Event(Field.LAYOUT, LayoutName.TRAIN)]
    with pytest.raises(ValueError, match="layout must be one of step, train, present, got 'slides'"):
        state.set_layout("slides")
