"""The one source of truth for the window: a session, its stepper, the selection, display settings.

Views never own data: they read it from here and redraw when ``changed`` names what
changed. Every user action that moves the stepper goes through a method here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum

from PySide6.QtCore import QObject, Signal

from backprop_gui.core.debugger_state import Selection, stepper_for
from backprop_gui.core.editing import Edit
from backprop_gui.core.formatting import MAX_DIGITS, MIN_DIGITS, format_number
from backprop_gui.core.session import EDGE_MODES, EdgeMode, NeuronValue, Session, SessionView, StepperPosition
from backprop_gui.core.stepper import batch_holding


class Change(StrEnum):
    """What ``SessionModel.changed`` says has changed."""

    PASS = "pass"  # the stepper moved: phase, revealed values, maybe the sample and weights
    NETWORK = "network"  # parameters or architecture changed outside the stepper
    SELECTION = "selection"
    DISPLAY = "display"  # precision or what neurons show
    SESSION = "session"  # a whole new session: redraw everything


class SessionModel(QObject):
    changed = Signal(str)
    # Emitted before every stepping move; listeners may restart the pass (network_changed) first.
    about_to_move = Signal()
    # True when a move applied the pass's Update to the weights, False when a move took it back.
    update_applied = Signal(bool)
    # A view asks to edit the weight or bias of a Selection (a double-click); the session controller edits it.
    edit_requested = Signal(object)
    # The session's note changed (a ``SetNote`` edit); views of the graph and values need not redraw.
    note_changed = Signal()
    # A SessionView was applied (a session opened): window parts outside the model apply theirs
    # (presentation, quiz, breakpoints); its None fields mean "keep yours".
    view_applied = Signal(object)
    # ``view_state`` is being collected: window parts outside the model fill their fields of the SessionView.
    collecting_view = Signal(object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.precision = 4
        self.neuron_value = NeuronValue.AUTO
        self.edge_mode = EdgeMode.WEIGHTS
        self.selection: Selection | None = None
        self.session = session
        self.stepper = stepper_for(session)
        self.opened_view: SessionView | None = None
        self._take_view(session)
        # Makes ``push_edit``'s edits undoable (the session controller sets it): called with (edit, notify),
        # True if the edit was made. None: edits are made directly.
        self.edit_handler: Callable[[Edit, Callable[[], None] | None], bool] | None = None

    # --- the session ---------------------------------------------------------------

    def set_session(self, session: Session) -> None:
        """Show ``session``, standing where its file says (``session.view``), else at the start."""
        self.session = session
        self.stepper = stepper_for(session)
        self.selection = None
        self._take_view(session)
        self.changed.emit(Change.SESSION)
        if self.opened_view is not None:
            self.view_applied.emit(self.opened_view)

    # --- saving and reopening where the window stood ---------------------------------

    def _take_view(self, session: Session) -> None:
        """Move ``session.view`` into ``opened_view`` (so a stale one is never written again) and
        apply its stepper position, selection and display settings, without signals."""
        view, session.view = session.view, None
        self.opened_view = view
        if view is None:
            return
        if view.position is not None:
            p = view.position
            self.stepper.restore(p.sample, p.position, p.revealed, p.before_update, p.state_before)
        self._apply_display(view)

    def _apply_display(self, view: SessionView) -> None:
        if view.selection is not None:
            self.selection = Selection(*view.selection)
        if view.precision is not None:
            self.precision = max(MIN_DIGITS, min(MAX_DIGITS, int(view.precision)))
        if view.neuron_value is not None:
            self.neuron_value = NeuronValue(view.neuron_value)
        if view.edge_mode is not None:
            self.edge_mode = EdgeMode(view.edge_mode)

    def apply_view_state(self, view: SessionView | None = None) -> None:
        """Apply the selection and display settings of ``view`` (default: the one the session was
        opened with) again, e.g. after the window restored the user's preferences; then
        ``view_applied`` lets the window apply its own parts. The stepper is not moved."""
        view = view if view is not None else self.opened_view
        if view is None:
            return
        self._apply_display(view)
        self.changed.emit(Change.DISPLAY)
        self.changed.emit(Change.SELECTION)
        self.view_applied.emit(view)

    def view_state(self) -> SessionView:
        """Where the window stands now: the stepper's position (with the pass-start weights at
        Update), the selection and display settings, and what ``collecting_view`` listeners add."""
        stepper = self.stepper
        before = None
        if stepper.at_end:
            before = (
                {l: stepper.weights_before(l)[0] for l in range(1, self.session.network.depth + 1)},
                {l: stepper.weights_before(l)[1] for l in range(1, self.session.network.depth + 1)},
            )
        selection = self.selection
        view = SessionView(
            position=StepperPosition(
                stepper.batch, stepper.position, stepper.revealed, before, stepper.state_before if before else None
            ),
            selection=None if selection is None else (selection.layer, selection.j, selection.k),
            precision=self.precision,
            neuron_value=self.neuron_value.value,
            edge_mode=self.edge_mode.value,
        )
        self.collecting_view.emit(view)
        return view

    def snapshot(self) -> Session:
        """The session as it should be saved: a shallow copy carrying ``view_state()``."""
        return replace(self.session, view=self.view_state())

    def push_edit(self, edit: Edit, notify: Callable[[], None] | None = None) -> bool:
        """Make ``edit`` through ``edit_handler``, so it can be undone, or directly when none is set;
        ``notify`` (default: ``network_changed``) runs after every change it makes (do, undo, redo).
        True if it was made; a direct edit raises ValueError if invalid."""
        if self.edit_handler is not None:
            return self.edit_handler(edit, notify)
        self.run_edit(edit, notify or self.network_changed)
        return True

    def run_edit(self, edit: Edit, notify: Callable[[], None], undo: bool = False) -> None:
        """Do (or ``undo``) ``edit`` on the session, then ``notify``; a running trainer pauses first
        and hands its weights over, unless the edit leaves the network, training and data alone."""
        if edit.pauses_training:
            self.about_to_move.emit()
        if undo:
            edit.undo(self.session)
        else:
            edit.do(self.session)
        notify()

    def network_changed(self, sample: int | None = None) -> None:
        """Call after anything outside the stepper changed the parameters or architecture
        (training, an edit): the pass restarts from the network as it is now, on ``sample``
        (0-based data row; a test sample: the training sample after it) if given, else on the current one."""
        batch = self.stepper.batch if sample is None else batch_holding(self.session.data.split()[0], sample)
        self.stepper = stepper_for(self.session, batch)
        self.changed.emit(Change.NETWORK)

    # --- stepping ----------------------------------------------------------------

    def step(self) -> None:
        self._moved(lambda: self.stepper.step())

    def step_into(self) -> None:
        self._moved(lambda: self.stepper.step_into())

    def finish_phase(self) -> None:
        self._moved(lambda: self.stepper.finish_phase())

    def run_to_end(self) -> None:
        self._moved(lambda: self.stepper.run_to_end())

    def run_to(self, index: int) -> None:
        self._moved(lambda: self.stepper.run_to(index))

    def step_back(self) -> None:
        self._moved(lambda: self.stepper.step_back())

    def reset_pass(self) -> None:
        self._moved(lambda: self.stepper.reset_pass())

    def next_sample(self) -> None:
        self._moved(lambda: self.stepper.next_batch())

    def previous_sample(self) -> None:
        self._moved(lambda: self.stepper.previous_batch())

    def select_sample(self, index: int) -> None:
        self._moved(lambda: self.stepper.select_batch(index))

    def _moved(self, move) -> None:
        self.about_to_move.emit()  # a running trainer pauses here, so the move starts from its weights
        record, applied = self.stepper.record, self.stepper.at_end
        move()
        if self.stepper.record is record and self.stepper.at_end != applied:
            self.update_applied.emit(self.stepper.at_end)
        self.changed.emit(Change.PASS)

    # --- selection and display ---------------------------------------------------

    def set_selection(self, selection: Selection | None) -> None:
        if selection != self.selection:
            self.selection = selection
            self.changed.emit(Change.SELECTION)

    def set_precision(self, digits: int) -> None:
        digits = max(MIN_DIGITS, min(MAX_DIGITS, int(digits)))
        if digits != self.precision:
            self.precision = digits
            self.changed.emit(Change.DISPLAY)

    def set_neuron_value(self, value: NeuronValue) -> None:
        if value != self.neuron_value:
            self.neuron_value = NeuronValue(value)
            self.changed.emit(Change.DISPLAY)

    def set_edge_mode(self, mode: EdgeMode | str) -> None:
        """Show ``mode`` on the graph's edges: "weights" (w_jk^l) or "gradients" (∂C/∂w_jk^l where known)."""
        if mode not in EDGE_MODES:
            raise ValueError(f"edge mode must be one of {', '.join(EDGE_MODES)}, got {mode!r}")
        if mode != self.edge_mode:
            self.edge_mode = EdgeMode(mode)
            self.changed.emit(Change.DISPLAY)

    def format(self, value: float) -> str:
        """``value`` at the chosen precision."""
        return format_number(value, self.precision)
