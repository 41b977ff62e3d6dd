"""Everything the debugger window shows, without Qt: one ``DebuggerState`` per window.

It holds the session and its stepper (the pass and where it stands), the selection, the
display settings (precision, what neurons, edges and edge labels show, the colour scale), the layout,
presentation mode (with numbers on request: what is held back and what revealed), quiz mode and
its settings, and the breakpoints. Every setter checks its
value and, when the value changes, calls each subscriber with an ``Event`` naming the
``Field`` that changed and carrying its new value. Views read the state and redraw on the
events; they keep no state of their own.

``view`` and ``apply_view`` turn the state into the ``SessionView`` a session file stores
(where the window stood) and back.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeVar

from backprop_gui.core.breakpoints import BreakpointSettings
from backprop_gui.core.colour_scale import ColourScale
from backprop_gui.core.edge_labels import EdgeLabelMode
from backprop_gui.core.formatting import MAX_DIGITS, MIN_DIGITS, format_number
from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.phase_display import computed_in
from backprop_gui.core.quiz import QuizSettings
from backprop_gui.core.session import EdgeMode, NeuronValue, Session, SessionView, StepperPosition
from backprop_gui.core.stepper import Quantity, Stepper, batch_holding

_Choice = TypeVar("_Choice", NeuronValue, EdgeMode, EdgeLabelMode, LayoutName)


class Field(StrEnum):
    """What an ``Event`` says has changed, and the type of its value."""

    SESSION = "session"  # a whole new session (Session): redraw everything
    NETWORK = "network"  # parameters or architecture changed outside the stepper; the pass restarted (Stepper)
    PASS = "pass"  # the stepper moved: phase, revealed values, maybe the sample and weights (Stepper)
    WEIGHTS = "weights"  # a move applied the pass's Update to the weights (True) or took it back (False)
    SELECTION = "selection"  # Selection | None
    PRECISION = "precision"  # significant digits (int)
    NEURON_VALUE = "neuron_value"  # NeuronValue
    EDGE_MODE = "edge_mode"  # EdgeMode
    EDGE_LABEL_MODE = "edge_label_mode"  # EdgeLabelMode
    COLOUR_SCALE = "colour_scale"  # ColourScale
    LAYOUT = "layout"  # the window's layout: Step, Train or Present (LayoutName)
    PRESENTATION = "presentation"  # presentation mode on (bool)
    NUMBERS_ON_REQUEST = "numbers_on_request"  # a step's new numbers wait for reveal() (bool)
    HELD_BACK = "held_back"  # whether the current phase's new numbers are held back now (bool)
    QUIZ_MODE = "quiz_mode"  # quiz mode on (bool)
    QUIZ_SETTINGS = "quiz_settings"  # QuizSettings
    BREAKPOINTS = "breakpoints"  # BreakpointSettings
    NOTE = "note"  # the session's free-text note (str)


# The settings that change which numbers the views print and how: precision, what neurons and edges show.
DISPLAY = frozenset({Field.PRECISION, Field.NEURON_VALUE, Field.EDGE_MODE})


@dataclass(frozen=True)
class Event:
    """``field`` changed; ``value`` is its new value (see ``Field`` for the types)."""

    field: Field
    value: object


@dataclass(frozen=True)
class Selection:
    """A neuron (``k`` None) or an edge w_jk^l. ``layer`` 0 is the input layer; j, k are 0-based."""

    layer: int
    j: int
    k: int | None = None

    @property
    def is_edge(self) -> bool:
        return self.k is not None


class DebuggerState:
    """The state of one debugger window over ``session`` (standing where ``session.view`` says).

    ``session.view`` is taken (so a stale one is never written again) into ``opened_view``: its
    stepper position, selection and display settings apply at once; ``apply_view()`` applies the
    rest (presentation, quiz, breakpoints) once the window that shows them is built.
    """

    def __init__(self, session: Session) -> None:
        self._subscribers: list[Callable[[Event], None]] = []
        self._before_move: list[Callable[[], None]] = []
        self.precision = 4
        self.neuron_value = NeuronValue.AUTO
        self.edge_mode = EdgeMode.WEIGHTS
        self.edge_label_mode = EdgeLabelMode.AUTO
        self.colour_scale = ColourScale()
        self.layout = LayoutName.STEP
        self.presentation = False
        self.numbers_on_request = False
        self._revealed_at: tuple[Stepper, int, int, int] | None = None  # where reveal() was last called
        self._held_back = False  # as last announced with Field.HELD_BACK
        self.quiz_mode = False
        self.quiz_settings = QuizSettings()
        self.breakpoints = BreakpointSettings()
        self.selection: Selection | None = None
        self.session = session
        self.stepper = stepper_for(session)
        self.opened_view = self._take_view(session)

    # --- events ----------------------------------------------------------------------

    def subscribe(self, callback: Callable[[Event], None]) -> None:
        """Call ``callback`` with every ``Event``, after the state has changed."""
        self._subscribers.append(callback)

    def before_move(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` before every move of the stepper and before a new session replaces
        this one (a running trainer pauses there, so the move starts from its weights)."""
        self._before_move.append(callback)

    def _emit(self, field: Field, value: object) -> None:
        event = Event(field, value)
        for callback in list(self._subscribers):
            callback(event)

    def _set(self, field: Field, value: object) -> None:
        """Set the attribute named ``field`` to ``value`` and emit, if it differs."""
        if getattr(self, field.value) != value:
            setattr(self, field.value, value)
            self._emit(field, value)

    def about_to_move(self) -> None:
        """Tell the ``before_move`` callbacks that the stepper or the session is about to change."""
        for callback in list(self._before_move):
            callback()

    # --- the session ----------------------------------------------------------------------

    def set_session(self, session: Session) -> None:
        """Show ``session``, standing where its file says (``session.view``), else at the start.
        Breakpoints on phases do not carry over: phase numbers belong to one network's phase bar."""
        self.session = session
        self.stepper = stepper_for(session)
        self.selection = None
        self.opened_view = self._take_view(session)
        if self.breakpoints.phases:
            self._set(Field.BREAKPOINTS, replace(self.breakpoints, phases=set()))
        self._emit(Field.SESSION, session)
        self._announce_held_back()
        if self.opened_view is not None:
            self._apply_window_parts(self.opened_view)

    def note_changed(self) -> None:
        """Call after the session's free-text note changed (a ``SetNote`` edit)."""
        self._emit(Field.NOTE, self.session.note)

    def network_changed(self, sample: int | None = None) -> None:
        """Call after anything outside the stepper changed the parameters or architecture
        (training, an edit): the pass restarts from the network as it is now, on ``sample``
        (0-based data row; a test sample: the training sample after it) if given, else on the
        current one. Breakpoints on phases the network no longer has are dropped."""
        batch = self.stepper.batch if sample is None else batch_holding(self.session.data.split()[0], sample)
        self.stepper = stepper_for(self.session, batch)
        count = len(self.stepper.phases)
        if self.breakpoints.phases and max(self.breakpoints.phases) >= count:
            kept = {p for p in self.breakpoints.phases if p < count}
            self._set(Field.BREAKPOINTS, replace(self.breakpoints, phases=kept))
        self._emit(Field.NETWORK, self.stepper)
        self._announce_held_back()

    # --- stepping --------------------------------------------------------------------------

    def step(self) -> None:
        self._move(Stepper.step)

    def step_into(self) -> None:
        self._move(Stepper.step_into)

    def finish_phase(self) -> None:
        self._move(Stepper.finish_phase)

    def run_to_end(self) -> None:
        self._move(Stepper.run_to_end)

    def run_to(self, index: int) -> None:
        """Run to the end of phase ``index`` of ``stepper.phases`` (back, if it is behind)."""
        self._move(lambda stepper: stepper.run_to(index))

    def step_back(self) -> None:
        self._move(Stepper.step_back)

    def reset_pass(self) -> None:
        self._move(Stepper.reset_pass)

    def next_sample(self) -> None:
        self._move(Stepper.next_batch)

    def previous_sample(self) -> None:
        self._move(Stepper.previous_batch)

    def select_sample(self, index: int) -> None:
        """Start the pass of sample ``index`` (0-based)."""
        self._move(lambda stepper: stepper.select_batch(index))

    def _move(self, move: Callable[[Stepper], None]) -> None:
        self.about_to_move()  # may restart the pass (network_changed) on a trainer's weights
        stepper = self.stepper
        record, applied = stepper.record, stepper.at_end
        move(stepper)
        if stepper.record is record and stepper.at_end != applied:
            self._emit(Field.WEIGHTS, stepper.at_end)
        self._emit(Field.PASS, stepper)
        self._announce_held_back()

    # --- selection and display --------------------------------------------------------------

    def set_selection(self, selection: Selection | None) -> None:
        """Select a neuron or an edge of the network (None: nothing); ValueError if there is none such."""
        if selection is not None:
            sizes = self.session.network.sizes
            layer, j, k = selection.layer, selection.j, selection.k
            if not (0 <= layer < len(sizes) and 0 <= j < sizes[layer]) or (
                k is not None and not (layer >= 1 and 0 <= k < sizes[layer - 1])
            ):
                raise ValueError(f"selection {selection} is not a neuron or edge of a network of sizes {sizes}")
        self._set(Field.SELECTION, selection)

    def set_precision(self, digits: int) -> None:
        """Show numbers to ``digits`` significant digits, clamped to MIN_DIGITS..MAX_DIGITS."""
        self._set(Field.PRECISION, max(MIN_DIGITS, min(MAX_DIGITS, int(digits))))

    def set_neuron_value(self, value: NeuronValue | str) -> None:
        """Fill neurons with ``value`` (see ``NeuronValue``); ValueError names the choices."""
        self._set(Field.NEURON_VALUE, _choice(NeuronValue, value, "neuron value"))

    def set_edge_mode(self, mode: EdgeMode | str) -> None:
        """Show ``mode`` on the graph's edges: "weights" (w_jk^l) or "gradients" (∂C/∂w_jk^l where known)."""
        self._set(Field.EDGE_MODE, _choice(EdgeMode, mode, "edge mode"))

    def set_edge_label_mode(self, mode: EdgeLabelMode | str) -> None:
        """What the numbers on the edges show (see ``core.edge_labels``): auto, weights, gradients or off."""
        self._set(Field.EDGE_LABEL_MODE, _choice(EdgeLabelMode, mode, "edge label mode"))

    def set_colour_scale(self, scale: ColourScale) -> None:
        """How the colours' ±limit is chosen: per pass, per phase or fixed ±v."""
        if not isinstance(scale, ColourScale):
            raise ValueError(f"colour scale must be a ColourScale, got {scale!r}")
        self._set(Field.COLOUR_SCALE, scale)

    def format(self, value: float) -> str:
        """``value`` at the chosen precision."""
        return format_number(value, self.precision)

    # --- layout, presentation, quiz and breakpoints --------------------------------------------

    def set_layout(self, name: LayoutName | str) -> None:
        """Show the window's ``name`` layout (``core.layouts``): step, train or present."""
        self._set(Field.LAYOUT, _choice(LayoutName, name, "layout"))

    def set_presentation(self, on: bool) -> None:
        """Presentation (lecture) mode on or off."""
        self._set(Field.PRESENTATION, bool(on))

    def set_numbers_on_request(self, on: bool) -> None:
        """Numbers on request: the numbers new in each step stay hidden until ``reveal()``, so a
        lecturer can ask the room first."""
        if bool(on) != self.numbers_on_request:
            self._revealed_at = None
            self._set(Field.NUMBERS_ON_REQUEST, bool(on))
            self._announce_held_back()

    @property
    def held_back(self) -> bool:
        """Whether the numbers new in the current phase are hidden, waiting for ``reveal()``. A reveal
        lasts until the pass moves (a step, step back, another sample, an edit); choosing another
        neuron or edge does not hide the step's numbers again."""
        return self.numbers_on_request and self.stepper.current is not None and self._revealed_at != self._where()

    def holds_back(self, quantity: Quantity, layer: int = 0) -> bool:
        """Whether views show ``quantity`` of ``layer`` as not yet revealed: it is new in the current
        phase and ``held_back``."""
        return self.held_back and computed_in(quantity, layer) == self.stepper.current

    def reveal(self) -> None:
        """Show the numbers held back (until the pass moves on)."""
        if self.held_back:
            self._revealed_at = self._where()
            self._announce_held_back()

    def _where(self) -> tuple[Stepper, int, int, int]:
        stepper = self.stepper
        return stepper, stepper.batch, stepper.position, stepper.revealed

    def _announce_held_back(self) -> None:
        """Emit Field.HELD_BACK if ``held_back`` differs from what was last announced."""
        if self._revealed_at is not None and self._revealed_at[0] is not self.stepper:
            self._revealed_at = None  # a new pass (edit, session): keep no reference to the old stepper
        if self.held_back != self._held_back:
            self._held_back = not self._held_back
            self._emit(Field.HELD_BACK, self._held_back)

    def set_quiz_mode(self, on: bool) -> None:
        """Quiz mode: each value is to be predicted before the stepper reveals it."""
        self._set(Field.QUIZ_MODE, bool(on))

    def set_quiz_settings(self, settings: QuizSettings) -> None:
        """Which quantities the quiz asks about, and how close an answer must be."""
        if not isinstance(settings, QuizSettings):
            raise ValueError(f"quiz settings must be QuizSettings, got {settings!r}")
        self._set(Field.QUIZ_SETTINGS, settings)

    def set_breakpoints(self, settings: BreakpointSettings) -> None:
        """Phase breakpoints and conditions; ValueError names a phase this network does not have."""
        count = len(self.stepper.phases)
        wrong = sorted(p for p in settings.phases if not 0 <= p < count)
        if wrong:
            raise ValueError(f"breakpoint phase {wrong[0]} does not exist: phases are numbered 0..{count - 1}")
        self._set(Field.BREAKPOINTS, settings)

    def toggle_breakpoint(self, index: int | None = None) -> int:
        """Set or remove the breakpoint on phase ``index`` of ``stepper.phases`` (default: the
        next phase, or the one in progress); returns that index."""
        if index is None:
            index = min(self.stepper.position, len(self.stepper.phases) - 1)
        self.set_breakpoints(replace(self.breakpoints, phases=set(self.breakpoints.phases) ^ {index}))
        return index

    # --- saving and reopening where the window stood -------------------------------------------

    def view(self) -> SessionView:
        """Where the window stands now, as a session file stores it: the stepper's position (with
        the pass-start weights at Update), the selection, display settings, presentation, quiz
        and breakpoints."""
        stepper = self.stepper
        before = None
        if stepper.at_end:
            layers = range(1, self.session.network.depth + 1)
            before = (
                {l: stepper.weights_before(l)[0] for l in layers},
                {l: stepper.weights_before(l)[1] for l in layers},
            )
        selection = self.selection
        return SessionView(
            position=StepperPosition(
                stepper.batch, stepper.position, stepper.revealed, before, stepper.state_before if before else None
            ),
            selection=None if selection is None else (selection.layer, selection.j, selection.k),
            precision=self.precision,
            neuron_value=self.neuron_value.value,
            edge_mode=self.edge_mode.value,
            presentation=self.presentation,
            quiz_mode=self.quiz_mode,
            breakpoints=copy.deepcopy(self.breakpoints),
            quiz=copy.deepcopy(self.quiz_settings),
        )

    def snapshot(self) -> Session:
        """The session as it should be saved: a shallow copy carrying ``view()``."""
        return replace(self.session, view=self.view())

    def apply_view(self, view: SessionView | None = None) -> None:
        """Apply what ``view`` states (default: the view the session was opened with), e.g. after
        the window restored the user's preferences; its None fields keep the current settings.
        The stepper is not moved."""
        view = view if view is not None else self.opened_view
        if view is None:
            return
        if view.selection is not None:
            self.set_selection(Selection(*view.selection))
        if view.precision is not None:
            self.set_precision(view.precision)
        if view.neuron_value is not None:
            self.set_neuron_value(view.neuron_value)
        if view.edge_mode is not None:
            self.set_edge_mode(view.edge_mode)
        self._apply_window_parts(view)

    def _apply_window_parts(self, view: SessionView) -> None:
        if view.breakpoints is not None:
            self.set_breakpoints(copy.deepcopy(view.breakpoints))
        if view.quiz is not None:
            self.set_quiz_settings(copy.deepcopy(view.quiz))
        if view.quiz_mode is not None:
            self.set_quiz_mode(view.quiz_mode)
        if view.presentation is not None:
            self.set_presentation(view.presentation)

    def _take_view(self, session: Session) -> SessionView | None:
        """Move ``session.view`` out of the session and apply its stepper position, selection and
        display settings without events (a new session redraws everything anyway)."""
        view, session.view = session.view, None
        if view is None:
            return None
        if view.position is not None:
            p = view.position
            self.stepper.restore(p.sample, p.position, p.revealed, p.before_update, p.state_before)
        if view.selection is not None:
            self.selection = Selection(*view.selection)
        if view.precision is not None:
            self.precision = max(MIN_DIGITS, min(MAX_DIGITS, int(view.precision)))
        if view.neuron_value is not None:
            self.neuron_value = NeuronValue(view.neuron_value)
        if view.edge_mode is not None:
            self.edge_mode = EdgeMode(view.edge_mode)
        return view


def stepper_for(session: Session, batch: int = 0) -> Stepper:
    """A fresh pass through ``session``'s network on batch ``batch`` (0-based) of its training rows,
    one sample at a time."""
    return Stepper(
        session.network,
        session.data.inputs,
        session.data.targets,
        session.training.learning_rate,
        batch_size=1,
        batch=batch,
        rule=session.training.rule,
        optimizer_state=session.optimizer_state,
        samples=session.data.split()[0],
    )


def _choice(kind: type[_Choice], value: _Choice | str, what: str) -> _Choice:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise ValueError(f"{what} must be one of {choices}, got {value!r}") from None
