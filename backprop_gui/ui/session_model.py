"""The one source of truth for the window: a session, its stepper, the selection, display settings.

Views never own data: they read it from here and redraw when ``changed`` names what
changed. Every user action that moves the stepper goes through a method here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QObject, Signal

from backprop_gui.core.formatting import MAX_DIGITS, MIN_DIGITS, format_number
from backprop_gui.core.session import Session
from backprop_gui.core.stepper import Stepper


class Change(StrEnum):
    """What ``SessionModel.changed`` says has changed."""

    PASS = "pass"  # the stepper moved: phase, revealed values, maybe the sample and weights
    NETWORK = "network"  # parameters or architecture changed outside the stepper
    SELECTION = "selection"
    DISPLAY = "display"  # precision or what neurons show
    SESSION = "session"  # a whole new session: redraw everything


class NeuronValue(StrEnum):
    """What the graph fills neurons with: the current phase's value, or always one quantity."""

    AUTO = "auto"
    Z = "z"
    A = "a"
    DELTA = "delta"


@dataclass(frozen=True)
class Selection:
    """A neuron (``k`` None) or an edge w_jk^l. ``layer`` 0 is the input layer; j, k are 0-based."""

    layer: int
    j: int
    k: int | None = None

    @property
    def is_edge(self) -> bool:
        return self.k is not None


class SessionModel(QObject):
    changed = Signal(str)
    # Emitted before every stepping move; listeners may restart the pass (network_changed) first.
    about_to_move = Signal()
    # True when a move applied the pass's Update to the weights, False when a move took it back.
    update_applied = Signal(bool)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.precision = 4
        self.neuron_value = NeuronValue.AUTO
        self.selection: Selection | None = None
        self.session = session
        self.stepper = self._stepper_for(session)

    # --- the session ---------------------------------------------------------------

    def set_session(self, session: Session) -> None:
        self.session = session
        self.stepper = self._stepper_for(session)
        self.selection = None
        self.changed.emit(Change.SESSION)

    def network_changed(self, sample: int | None = None) -> None:
        """Call after anything outside the stepper changed the parameters or architecture
        (training, an edit): the pass restarts from the network as it is now, on ``sample``
        (0-based) if given, else on the current one."""
        self.stepper = self._stepper_for(self.session, self.stepper.batch if sample is None else sample)
        self.changed.emit(Change.NETWORK)

    @staticmethod
    def _stepper_for(session: Session, batch: int = 0) -> Stepper:
        return Stepper(
            session.network,
            session.data.inputs,
            session.data.targets,
            session.training.learning_rate,
            batch_size=1,
            batch=batch,
        )

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

    def format(self, value: float) -> str:
        """``value`` at the chosen precision."""
        return format_number(value, self.precision)
