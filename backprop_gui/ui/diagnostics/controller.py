"""Diagnostics in the window: breakpoints, the gradient check, layer health and the quiz.

``install_diagnostics(window, model, menu)`` fills the Debug menu and adds three docks (Gradient check,
Layer health, Quiz) to any QMainWindow and returns the ``DiagnosticsController``.

Training integration: whoever runs a core ``Trainer`` (the training process) watches it with
``run_watch()`` — the breakpoint conditions, and the layer-health recorder, whose copy in the
training process is loaded back into this one as snapshots come — stops on
``core.breakpoints.BreakpointHit`` like on ``Divergence`` (the trainer's state is clean after the
step that hit), and once the session holds the run's final weights calls
``training_stopped(error, trainer)``. A hit is then shown (status bar and a non-modal message:
which, where, why) and the stepper lands on its sample and phase with its neuron selected.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDockWidget, QMainWindow, QMenu, QMessageBox, QStyle, QWidget

from backprop_gui.core.breakpoints import (
    BreakpointHit,
    BreakpointSettings,
    Hit,
    hit_from_divergence,
    next_stop,
)
from backprop_gui.core.debugger_state import Event, Field, Selection
from backprop_gui.core.health import HealthRecorder
from backprop_gui.core.quiz import QuizSettings
from backprop_gui.core.stepper import batch_holding
from backprop_gui.core.training import Divergence, Trainer
from backprop_gui.core.training_worker import RunWatch
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.actions import ActionId, ActionSpec, make_action
from backprop_gui.ui.common.docks import docks_in
from backprop_gui.ui.common.scrolling import scrolling
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.shown import is_shown
from backprop_gui.ui.diagnostics.breakpoint_dialog import BreakpointDialog
from backprop_gui.ui.diagnostics.gradcheck_panel import GradcheckPanel
from backprop_gui.ui.diagnostics.health_view import HealthView
from backprop_gui.ui.diagnostics.quiz_panel import QuizPanel

# key: (text, shortcut, tip)
A = ActionId
ACTIONS = (
    ActionSpec(A.TOGGLE_BREAKPOINT, "Toggle &Breakpoint", ("F9",), tip="Set or remove a breakpoint on the next phase"),
    ActionSpec(A.CONTINUE, "&Continue to Breakpoint", ("Ctrl+F9",),
               tip="Step on until the next phase with a breakpoint"),
    ActionSpec(A.CONDITIONS, "Breakpoint &Conditions…", ("Ctrl+Shift+F9",),
               tip="Phase breakpoints and conditions that stop training"),
    ActionSpec(A.GRADCHECK, "&Gradient Check", ("Ctrl+Shift+G",),
               tip="Compare backprop with finite differences for this sample"),
    ActionSpec(A.HEALTH, "Layer &Health", tip="Show the size of δˡ and ∂C/∂wˡ of every layer over training"),
    ActionSpec(A.QUIZ, "&Quiz Mode", ("F6",), tip="Predict each value before the stepper reveals it", checkable=True),
    ActionSpec(A.HINT, "&Hint", ("Ctrl+H",), tip="Show the general formula of the value the quiz asks for"),
)  # fmt: skip
DOCK_SIZES = {"gradcheck": (640, 300), "health": (640, 300), "quiz": (380, 260)}  # on first showing, in pixels
# The least a panel keeps beside a diagnostic dock opened in its row, in average characters of its own font
# (about 340 px at the usual size, more in presentation mode); else the dock opens in a tab.
BESIDE_CHARS = 56
# Training steps per layer-health measurement: squaring every step's δ^l and ∂C/∂w^l cost a network as
# small as 2-8-8-1 a sixth of its speed in the training process; one step in four costs it a twentieth.
HEALTH_MEASURE_EVERY = 4


class DiagnosticsController(QObject):
    """Owns the breakpoint settings, the health recorder and the diagnostic docks of one window."""

    hit = Signal(object)  # core.breakpoints.Hit, after the window has landed on it

    def __init__(self, window: QMainWindow, model: SessionModel) -> None:
        super().__init__(window)
        self.window = window
        self.model = model
        model.changed.connect(self._model_changed)  # before the quiz panel's: its dock shows before it asks
        self.recorder = HealthRecorder(model.session.network.depth, measure_every=HEALTH_MEASURE_EVERY)
        self.last_hit: Hit | None = None
        self.message_box: QMessageBox | None = None
        self.gradcheck_panel = GradcheckPanel(model)
        self.health_view = HealthView(self.recorder)
        self.quiz_panel = QuizPanel(model)
        self.docks: dict[str, QDockWidget] = {}
        self._sized: set[str] = set()
        self.actions = self._make_actions()

    # --- breakpoints ---------------------------------------------------------------

    @property
    def settings(self) -> BreakpointSettings:
        """The phase breakpoints and conditions (the model's)."""
        return self.model.state.breakpoints

    @property
    def phase_breakpoints(self) -> set[int]:
        """Indices into the phase bar (``model.stepper.phases``) with a breakpoint."""
        return self.settings.phases

    def toggle_breakpoint(self, index: int | None = None) -> None:
        """Set or remove the breakpoint on phase ``index`` (default: the next phase, or the one in progress)."""
        index = self.model.state.toggle_breakpoint(index)
        label = self.model.stepper.phases[index].label
        if index in self.settings.phases:
            self._status(f"Breakpoint set on {label}: Continue (Ctrl+F9) and training stop there")
        else:
            self._status(f"Breakpoint removed from {label}")

    def set_settings(self, settings: BreakpointSettings) -> None:
        """Use ``settings`` (e.g. loaded with a session)."""
        self.model.state.set_breakpoints(settings)

    def edit_conditions(self) -> None:
        """The breakpoint dialog; OK applies its settings."""
        network = self.model.session.network
        has_relu = any(layer.activation == "relu" for layer in network.layers)
        dialog = BreakpointDialog(self.settings, self.model.stepper.phases, has_relu, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_settings(dialog.result_settings())

    def continue_to_breakpoint(self) -> None:
        """Step on until the next phase with a breakpoint (into the next pass if none is left in this one)."""
        stepper = self.model.stepper
        stop = next_stop(self.settings.phases, stepper.position, len(stepper.phases))
        if stop is None:
            self._status("No breakpoint is set: F9 sets one on the next phase")
            return
        new_pass, index = stop
        if new_pass:
            self.model.run_to_end()
            self.model.step()  # the next sample's pass
        self.model.run_to(index)
        self._status(f"Stopped at the breakpoint on {self.model.stepper.phases[index].label}")

    # --- training ------------------------------------------------------------------

    def run_watch(self) -> RunWatch:
        """What the next training run watches: these breakpoint conditions, and the layer-health
        recorder of the session's network (a run records into a copy; ``HealthRecorder.load`` takes it back)."""
        depth = self.model.session.network.depth
        if self.recorder.depth != depth:
            self._new_recorder(depth)
        return RunWatch(self.settings, self.recorder)

    def training_stopped(self, error: BaseException | None, trainer: Trainer | None = None) -> Hit | None:
        """Call when a run ended: shows and lands on a ``BreakpointHit`` or a ``Divergence``
        (when the NaN condition is on; ``trainer`` is needed to locate it). Returns the hit, if any."""
        if isinstance(error, BreakpointHit):
            hit = error.hit
        elif isinstance(error, Divergence) and self.settings.non_finite and trainer is not None:
            hit = hit_from_divergence(error, trainer)
        else:
            return None
        self.show_hit(hit)
        return hit

    def show_hit(self, hit: Hit) -> None:
        """Land on ``hit`` in the stepper and say which, where and why (status bar and a message)."""
        self.last_hit = hit
        self._land(hit)
        stepper = self.model.stepper
        shown = f"The stepper shows {hit.phase.label} of sample {stepper.batch + 1}" if hit.phase else ""
        self._status(f"{hit.title}: {hit.where or 'training stopped'} at step {hit.step}")
        box = plain_messages.message_box(QMessageBox.Icon.Information, hit.title, hit.message, self.window)
        box.setInformativeText(shown + (f"; {hit.where} is selected." if hit.where else "."))
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if self.message_box is not None:
            self.message_box.close()
        self.message_box = box
        box.finished.connect(lambda *_: setattr(self, "message_box", None))
        box.show()
        self.hit.emit(hit)

    def _land(self, hit: Hit) -> None:
        stepper = self.model.stepper
        if hit.sample is not None and 0 <= hit.sample < len(stepper.inputs):  # a data row: land on its batch
            self.model.select_sample(batch_holding(stepper.samples, hit.sample, stepper.batch_size))
        if hit.phase is not None and hit.phase in self.model.stepper.phases:
            self.model.run_to(self.model.stepper.phases.index(hit.phase))
        if hit.layer is not None:
            self.model.set_selection(Selection(hit.layer, hit.neuron or 0))

    # --- panels ----------------------------------------------------------------------

    def run_gradient_check(self) -> None:
        """Show the gradient-check dock and check the current sample."""
        self._show_dock("gradcheck")
        self.gradcheck_panel.run()

    def show_health(self) -> None:
        self._show_dock("health")

    def set_quiz_mode(self, on: bool) -> None:
        """Quiz mode: the quiz dock asks for each value before the stepper reveals it."""
        self.model.state.set_quiz_mode(on)

    def _quiz_mode_changed(self, on: bool) -> None:
        self.actions[A.QUIZ].setChecked(on)
        self.actions[A.HINT].setEnabled(on)
        if on:
            self._show_dock("quiz")
        self._status("Quiz mode: predict each value, then press Enter" if on else "Quiz mode off")

    @property
    def quiz_settings(self) -> QuizSettings:
        return self.quiz_panel.settings

    def show_hint(self) -> None:
        if self.quiz_panel.active:
            self._show_dock("quiz")
            self.quiz_panel.show_hint()

    def _show_dock(self, key: str) -> None:
        dock = self.docks.get(key)
        if dock is None:
            return
        if key in self._sized or dock.isFloating():
            dock.show()
            dock.raise_()
            return
        self._sized.add(key)
        self._show_first(dock, *DOCK_SIZES.get(key, (0, 0)))

    def _show_first(self, dock: QDockWidget, width: int, height: int) -> None:
        """Show ``dock`` for the first time with room for its table or plot, ``width`` × ``height`` px: as a
        column of its own in the bottom row, whose panels share the rest as they shared the row, or in a tab
        of the row's widest panel when the rest would leave one narrower than ``least_beside`` (a 1024-px
        projector has no room for a third plot beside the loss plot and the decision map)."""
        window = self.window
        row = self._bottom_row(dock)
        widths = [other.width() for other in row]
        least = [least_beside(other) for other in row]
        tabbed = bool(row) and sum(widths) < width + sum(least)
        if tabbed:
            window.tabifyDockWidget(row[widths.index(max(widths))], dock)
        dock.show()
        dock.raise_()
        window.resizeDocks([dock], [max(dock.height(), height)], Qt.Orientation.Vertical)
        if tabbed:
            return
        if not row:
            window.resizeDocks([dock], [max(dock.width(), width)], Qt.Orientation.Horizontal)
            return
        share = (sum(widths) - width) / sum(widths)
        others = [max(low, round(w * share)) for w, low in zip(widths, least, strict=True)]
        separator = window.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent)
        sizes = [sum(widths) - sum(others) - separator, *others]  # (the new column brings a separator)
        window.resizeDocks([dock, *row], sizes, Qt.Orientation.Horizontal)  # all at once: Qt keeps them exactly

    def _bottom_row(self, dock: QDockWidget) -> list[QDockWidget]:
        """The panels in front in the bottom row that ``dock``, about to show, would join as a column of its
        own; none when it is not a bottom dock or joins a tab group shown already."""
        window, bottom = self.window, Qt.DockWidgetArea.BottomDockWidgetArea
        if window.dockWidgetArea(dock) != bottom:
            return []
        row = [other for other in docks_in(window, bottom) if other is not dock and is_shown(other)]
        group = window.tabifiedDockWidgets(dock)
        return [] if any(other in group for other in row) else row

    # --- plumbing ----------------------------------------------------------------------

    def _new_recorder(self, depth: int) -> None:
        self.recorder.detach()
        self.recorder = HealthRecorder(depth, measure_every=HEALTH_MEASURE_EVERY)
        self.health_view.set_recorder(self.recorder)

    def _model_changed(self, event: Event) -> None:
        depth = self.model.session.network.depth
        if event.field == Field.SESSION or (event.field == Field.NETWORK and depth != self.recorder.depth):
            self._new_recorder(depth)
        elif event.field == Field.QUIZ_MODE:
            self._quiz_mode_changed(bool(event.value))

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 0)

    def _make_actions(self) -> dict[ActionId, QAction]:
        slots: dict[ActionId, Callable[[], object] | None] = {
            A.TOGGLE_BREAKPOINT: lambda: self.toggle_breakpoint(), A.CONTINUE: self.continue_to_breakpoint,
            A.CONDITIONS: self.edit_conditions, A.GRADCHECK: self.run_gradient_check, A.HEALTH: self.show_health,
            A.QUIZ: None, A.HINT: self.show_hint,
        }  # fmt: skip
        actions = {spec.id: make_action(self.window, spec, slots[spec.id]) for spec in ACTIONS}
        actions[A.QUIZ].toggled.connect(self.set_quiz_mode)
        actions[A.HINT].setEnabled(False)
        return actions


def least_beside(panel: QWidget) -> int:
    """The least width in px ``panel`` keeps beside a diagnostic dock opened in its row (``BESIDE_CHARS``)."""
    return BESIDE_CHARS * panel.fontMetrics().averageCharWidth()


def install_diagnostics(
    window: QMainWindow, model: SessionModel, menu: QMenu, reveal: Callable[[], object] | None = None
) -> DiagnosticsController:
    """Fill the Debug ``menu`` and add the Gradient check, Layer health and Quiz docks to ``window``; return
    the controller, whose ``actions`` the window is to hold. ``reveal`` shows the formula's numbers
    once a quiz question is answered (also in presentation mode)."""
    controller = DiagnosticsController(window, model)
    area = Qt.DockWidgetArea
    specs = {
        "gradcheck": ("Gradient check", controller.gradcheck_panel, area.BottomDockWidgetArea),
        "health": ("Layer health", controller.health_view, area.BottomDockWidgetArea),
        "quiz": ("Quiz", scrolling(controller.quiz_panel), area.RightDockWidgetArea),
    }
    for key, (title, widget, where) in specs.items():
        dock = QDockWidget(title, window)
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        window.addDockWidget(where, dock)
        dock.hide()
        controller.docks[key] = dock
    window.tabifyDockWidget(controller.docks["gradcheck"], controller.docks["health"])

    actions = controller.actions
    menu.addActions([actions[A.TOGGLE_BREAKPOINT], actions[A.CONTINUE], actions[A.CONDITIONS]])
    menu.addSeparator()
    menu.addActions([actions[A.GRADCHECK], actions[A.HEALTH]])
    menu.addSeparator()
    menu.addActions([actions[A.QUIZ], actions[A.HINT]])
    if reveal is not None:
        controller.quiz_panel.revealed.connect(reveal)
    return controller
