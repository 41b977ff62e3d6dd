"""The Qt face of the window's state (``core.debugger_state.DebuggerState``).

The state is Qt-free and owns everything the window shows; this adapter forwards each of its
events as ``changed`` (a ``core.debugger_state.Event``: the ``Field`` that changed and its new
value) and each user action to it. Views never own data: they read it here and redraw on
the fields they show.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from backprop_gui.core.debugger_state import DebuggerState, Selection
from backprop_gui.core.editing import Edit
from backprop_gui.core.session import EdgeMode, NeuronValue, Session
from backprop_gui.core.stepper import Stepper


class SessionModel(QObject):
    """``state`` and its events as Qt signals; reads and actions pass straight through to ``state``."""

    changed = Signal(object)  # core.debugger_state.Event, after the state changed
    # Emitted before every stepping move and before a new session replaces this one; listeners may
    # restart the pass (network_changed) first.
    about_to_move = Signal()
    # A view asks to edit the weight or bias of a Selection (a double-click); the session controller edits it.
    edit_requested = Signal(object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state = DebuggerState(session)
        state.subscribe(self.changed.emit)
        state.before_move(self.about_to_move.emit)
        # Makes ``push_edit``'s edits undoable (the session controller sets it): called with (edit, notify),
        # True if the edit was made. None: edits are made directly.
        self.edit_handler: Callable[[Edit, Callable[[], None] | None], bool] | None = None
        self.set_session, self.network_changed = state.set_session, state.network_changed
        self.step, self.step_into, self.step_back = state.step, state.step_into, state.step_back
        self.finish_phase, self.run_to_end, self.run_to = state.finish_phase, state.run_to_end, state.run_to
        self.reset_pass, self.select_sample = state.reset_pass, state.select_sample
        self.next_sample, self.previous_sample = state.next_sample, state.previous_sample
        self.set_selection, self.set_precision = state.set_selection, state.set_precision
        self.set_neuron_value, self.set_edge_mode = state.set_neuron_value, state.set_edge_mode
        self.format, self.snapshot, self.apply_view_state = state.format, state.snapshot, state.apply_view

    @property
    def session(self) -> Session:
        return self.state.session

    @property
    def stepper(self) -> Stepper:
        return self.state.stepper

    @property
    def selection(self) -> Selection | None:
        return self.state.selection

    @property
    def precision(self) -> int:
        return self.state.precision

    @property
    def neuron_value(self) -> NeuronValue:
        return self.state.neuron_value

    @property
    def edge_mode(self) -> EdgeMode:
        return self.state.edge_mode

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
            self.state.about_to_move()
        if undo:
            edit.undo(self.session)
        else:
            edit.do(self.session)
        notify()
