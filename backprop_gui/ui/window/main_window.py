"""The debugger window: menus, toolbar and shortcuts, the phase bar above the graph, docks, status bar.

The window owns no numbers: every view reads the ``SessionModel`` and every action calls
one of its methods. Dock layout, window geometry and view settings are kept in QSettings.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from backprop_gui import __version__
from backprop_gui.core.colour_scale import SCALE_MODE_NAMES, ColourScale, ScaleMode
from backprop_gui.core.debugger_state import Event, Field
from backprop_gui.core.edge_labels import EDGE_LABEL_MODE_NAMES
from backprop_gui.core.session import EDGE_MODES, EdgeMode, NeuronValue
from backprop_gui.core.stepper import Quantity
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.icons import ICON_PROPERTY, app_icon, icon
from backprop_gui.ui.common.scrolling import scrolling
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.diagnostics.controller import DiagnosticsController
from backprop_gui.ui.sessions.controller import SessionController
from backprop_gui.ui.sessions.note_panel import NotePanel
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.network_view import NetworkView
from backprop_gui.ui.stepping.neuron_map_items import maps_unavailable
from backprop_gui.ui.stepping.phase_bar import PhaseBar
from backprop_gui.ui.stepping.values_panel import ValuesPanel
from backprop_gui.ui.training.controller import TrainingController
from backprop_gui.ui.window.export import ExportController
from backprop_gui.ui.window.imports import ImportController
from backprop_gui.ui.window.layouts import LayoutController
from backprop_gui.ui.window.presentation import PresentationMode

APP_NAME = "backprop-gui"
PRECISIONS = range(2, 9)
NEURON_VALUE_TEXTS = {
    NeuronValue.AUTO: "Auto (the phase's value)",
    NeuronValue.Z: "Weighted input z",
    NeuronValue.A: "Activation a",
    NeuronValue.DELTA: "Error δ",
    NeuronValue.MAPS: "Maps of a over the input plane",
}
MAPS_TIP = "Fill each hidden and output neuron with its a_j^l over the input plane (x₁, x₂), the sample marked"
# (key = the SessionModel method, menu text, shortcuts, icon, tooltip)
STEP_ACTIONS = (
    ("step", "&Step", ("F10", "Right", "PgDown"), "step", "Step: complete the next phase"),
    ("step_back", "Step &Back", ("Shift+F10", "Left", "PgUp"), "step-back", "Step back: undo the last step"),
    ("step_into", "Step &Into", ("F11",), "step-into", "Step into: compute the next single neuron"),
    ("finish_phase", "&Finish Phase", ("Shift+F11",), "step-out", "Finish the phase in progress (step out)"),
    ("run_to_end", "&Run to End of Pass", ("Ctrl+F10",), "run-to-end", "Run to the end of the pass, Update included"),
    ("reset_pass", "Rese&t Pass", ("Ctrl+R",), "reset", "Reset the pass: nothing computed, weights as before"),
    ("next_sample", "&Next Sample", ("Ctrl+Right",), "next-sample", "Next sample: start its pass"),
    ("previous_sample", "&Previous Sample", ("Ctrl+Left",), "previous-sample", "Previous sample: start its pass"),
)
# (key, menu text, shortcut, NetworkView.move_selection direction, tooltip): the keyboard's way to select
SELECT_ACTIONS = (
    ("select_up", "Neuron &Above", "Alt+Up", "up", "Select the neuron above (on an edge: the edge from above)"),
    ("select_down", "Neuron &Below", "Alt+Down", "down", "Select the neuron below (on an edge: the edge from below)"),
    ("select_left", "&Layer to the Left", "Alt+Left", "left", "Select in the previous layer (an edge: its start)"),
    ("select_right", "La&yer to the Right", "Alt+Right", "right", "Select in the next layer (an edge: its end)"),
)  # fmt: skip


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    """A modal error box whose text is shown literally (never as markup)."""
    plain_messages.critical(parent, title, text)


def window_title(name: str) -> str:
    """The title for ``name`` with Qt's "[*]" modified mark; a "[*]" in the name is doubled to show literally."""
    return f"{name.replace('[*]', '[*][*]')}[*] — {APP_NAME}"


class SamplePicker(QWidget):
    """ "Sample i of N" with a spin box and previous/next buttons; picks the sample of the pass."""

    def __init__(self, model: SessionModel, previous: QAction, following: QAction, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.spin = QSpinBox()
        self.spin.setAccelerated(True)
        self.spin.setKeyboardTracking(False)
        self.spin.setToolTip("The sample stepped through (a fresh pass starts on it)")
        self.count = QLabel()
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.readout = QLabel()
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setWordWrap(True)
        self.session_label = QLabel()
        self.session_label.setTextFormat(Qt.TextFormat.PlainText)
        self.session_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sample"))
        row.addWidget(self.spin)
        row.addWidget(self.count)
        row.addStretch(1)
        for action in (previous, following):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.session_label)
        layout.addLayout(row)
        layout.addWidget(self.readout)
        self.spin.valueChanged.connect(self._picked)
        model.changed.connect(lambda _what: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        stepper = self.model.stepper
        count = stepper.batch_count
        self.spin.blockSignals(True)
        self.spin.setRange(1, count)
        self.spin.setValue(stepper.batch + 1)
        self.spin.blockSignals(False)
        self.count.setText(f"of {count}")
        self.session_label.setText(f"Session: {self.model.session.name}")
        x = stepper.value(Quantity.INPUT).values[:, 0]
        t = stepper.value(Quantity.TARGET).values[:, 0]
        self.readout.setText(f"x = ({self._vector(x)})    t = ({self._vector(t)})")

    def _vector(self, values) -> str:
        shown = [self.model.format(float(v)) for v in values[:6]]
        return ", ".join(shown + (["…"] if len(values) > 6 else []))

    def _picked(self, value: int) -> None:
        if value - 1 != self.model.stepper.batch:
            self.model.select_sample(value - 1)


class ShortcutsDialog(QDialog):
    """Every action that has a shortcut, with all of its keys."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = [(a.text().replace("&", ""), a.shortcuts()) for a in actions if a.shortcuts()]
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels(["Action", "Keys"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        for row, (text, keys) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(text))
            native = ",  ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
            table.setItem(row, 1, QTableWidgetItem(native))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.table = table
        self.resize(520, 460)


class MainWindow(QMainWindow):
    """The debugger window over ``model``: ``menus``, ``toolbar`` and ``actions`` are public for extension."""

    # The features' controllers: ui.window.app.create_window installs them and hands them over.
    session_controller: SessionController
    training_controller: TrainingController
    diagnostics_controller: DiagnosticsController
    export_controller: ExportController
    import_controller: ImportController
    note_panel: NotePanel
    layout_controller: LayoutController
    theme_actions: dict[str, QAction]  # View ▸ Theme's choices by name

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.actions: dict[str, QAction] = {}  # type: ignore[assignment]  # by id; QWidget.actions() is unused
        self.menus: dict[str, QMenu] = {}
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
        )

        self.phase_bar = PhaseBar(model)
        self.network_view = NetworkView(model)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.phase_bar)
        layout.addWidget(self.network_view, 1)
        self.setCentralWidget(central)

        self._create_actions()
        self.values_panel = ValuesPanel(model)
        self.formula_view = FormulaView(model)
        self.sample_picker = SamplePicker(model, self.actions["previous_sample"], self.actions["next_sample"])
        self.docks: dict[str, QDockWidget] = {}
        self._add_dock("sample", "Sample", scrolling(self.sample_picker), Qt.DockWidgetArea.RightDockWidgetArea)
        self._add_dock("values", "Values", self.values_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self._add_dock("formula", "Formula", self.formula_view, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.network_view.follow_reveal(self.formula_view)
        self.values_panel.follow_reveal(self.formula_view)
        self.formula_view.revealChanged.connect(lambda _pending: self._update_status())
        self.toolbar = QToolBar("Debugger", self)
        self.presentation = PresentationMode(
            self, model, self.network_view, self.phase_bar, self.formula_view, self.docks["formula"], self.toolbar
        )
        self._create_presentation_actions()
        self._create_menus()
        self._create_toolbar()
        self._create_status_bar()

        model.changed.connect(self._on_changed)
        self.restore_settings()
        self._on_changed(Event(Field.SESSION, model.session))

    # --- building -------------------------------------------------------------------

    def _action(
        self,
        key: str,
        text: str,
        slot: Callable[[], object],
        shortcuts: list[str] = (),  # type: ignore[assignment]
        icon_name: str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(key)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if icon_name:
            action.setIcon(icon(icon_name, self.palette()))
            action.setProperty(ICON_PROPERTY, icon_name)  # redrawn in the new colours when the palette changes
        keys = ", ".join(QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts)
        plain = text.replace("&", "").rstrip("…")
        action.setToolTip(f"{tip or plain} ({keys})" if keys else tip or plain)
        action.setStatusTip(tip or plain)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even while the toolbar or a menu is hidden
        self.actions[key] = action
        return action

    def _create_actions(self) -> None:
        m = self.model
        self._action("quit", "&Quit", self.close, ["Ctrl+Q"])
        for key, text, keys, icon_name, tip in STEP_ACTIONS:
            self._action(key, text, getattr(m, key), list(keys), icon_name, tip)
        view = self.network_view
        self._action("zoom_in", "Zoom &In", view.zoom_in, ["Ctrl+=", "Ctrl++"], "zoom-in", "Zoom into the graph")
        self._action("zoom_out", "Zoom &Out", view.zoom_out, ["Ctrl+-"], "zoom-out", "Zoom out of the graph")
        self._action("reset_zoom", "&Fit Graph", view.reset_zoom, ["Ctrl+0"], "zoom-fit", "Fit the whole graph in view")
        for select_key, select_text, shortcut, move, select_tip in SELECT_ACTIONS:
            self._action(select_key, select_text, partial(view.move_selection, move), [shortcut], tip=select_tip)
        self._action(
            "clear_selection", "&Clear Selection", self.escape, ["Esc"],
            tip="Select nothing (in presentation mode, Esc leaves it first)",
        )  # fmt: skip
        self._action("shortcuts", "&Keyboard Shortcuts", self.show_shortcuts, ["F1"])
        self._action("about", "&About backprop-gui", self.show_about)

        self.precision_group = QActionGroup(self)
        for digits in PRECISIONS:
            action = QAction(f"{digits} significant digits", self, checkable=True)
            action.setData(digits)
            action.triggered.connect(lambda _checked, d=digits: self.model.set_precision(d))
            self.precision_group.addAction(action)
            self.actions[f"precision_{digits}"] = action
        self.neuron_group = QActionGroup(self)
        for value, text in NEURON_VALUE_TEXTS.items():
            action = QAction(text, self, checkable=True)
            action.triggered.connect(lambda _checked, v=value: self.model.set_neuron_value(v))
            self.neuron_group.addAction(action)
            self.actions[f"neuron_{value.value}"] = action
        self.edge_group = QActionGroup(self)
        for mode, text in ((EdgeMode.WEIGHTS, "Weights w"), (EdgeMode.GRADIENTS, "Gradients ∂C/∂w")):
            action = QAction(text, self, checkable=True)
            action.triggered.connect(lambda _checked, m=mode: self.model.set_edge_mode(m))
            self.edge_group.addAction(action)
            self.actions[f"edges_{mode}"] = action
        self.edge_label_group = QActionGroup(self)
        for label_mode, text in EDGE_LABEL_MODE_NAMES.items():
            action = QAction(text, self, checkable=True)
            action.triggered.connect(lambda _checked, m=label_mode: self.model.state.set_edge_label_mode(m))
            self.edge_label_group.addAction(action)
            self.actions[f"edge_labels_{label_mode.value}"] = action
        self.colour_scale_group = QActionGroup(self)
        for scale_mode, text in SCALE_MODE_NAMES.items():
            action = QAction(text + ("…" if scale_mode is ScaleMode.FIXED else ""), self, checkable=True)
            action.triggered.connect(lambda _checked, m=scale_mode: self.choose_colour_scale(m))
            self.colour_scale_group.addAction(action)
            self.actions[f"colour_scale_{scale_mode.value}"] = action

    def _create_presentation_actions(self) -> None:
        mode = self.presentation
        toggle = self._action(
            "presentation", "&Presentation Mode", mode.toggle, ["F7"], "presentation",
            "Presentation mode: large type, thick lines, high contrast, full screen; Esc leaves it",
        )  # fmt: skip
        toggle.setCheckable(True)
        self._action("blank", "&Blank Screen", mode.blank, ["B"], tip="Blank the screen; any key brings it back")
        ask = self._action(
            "ask_first", "Formula: &Numbers on Request", lambda: self.formula_view.set_ask_first(ask.isChecked()),
            tip="Show the general equation first, its numbers one keypress (Reveal) later",
        )  # fmt: skip
        ask.setCheckable(True)
        reveal = self._action(
            "reveal", "&Reveal Numbers", self.formula_view.reveal, ["R"],
            tip="Show the numbers and result the formula panel is holding back",
        )  # fmt: skip
        self.formula_view.reveal_shortcut = reveal.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        mode.toggled.connect(self._presentation_toggled)
        self._presentation_toggled(False)

    def _presentation_toggled(self, on: bool) -> None:
        self.actions["presentation"].setChecked(on)
        self.actions["blank"].setEnabled(on)
        self.actions["ask_first"].setChecked(self.formula_view.ask_first)

    def escape(self) -> None:
        """Esc: leave presentation mode if it is on, else clear the selection."""
        if self.presentation.active:
            self.presentation.set_active(False)
        else:
            self.model.set_selection(None)

    def _add_dock(self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{key}Dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        self.docks[key] = dock

    def _menu(self, title: str) -> QMenu:
        menu = self.menuBar().addMenu(title)
        self.menus[title.replace("&", "")] = menu
        return menu

    def _create_menus(self) -> None:
        a = self.actions
        file = self._menu("&File")
        file.addAction(a["quit"])

        step = self._menu("&Step")
        for key in ("step", "step_back", "step_into", "finish_phase", "run_to_end", "reset_pass"):
            step.addAction(a[key])
        step.addSeparator()
        step.addAction(a["next_sample"])
        step.addAction(a["previous_sample"])

        view = self._menu("&View")
        precision = view.addMenu("Number &Precision")
        precision.addActions(self.precision_group.actions())
        neurons = view.addMenu("&Neurons Show")
        neurons.setToolTipsVisible(True)  # why Maps is disabled
        neurons.addActions(self.neuron_group.actions())
        edges = view.addMenu("&Edges Show")
        edges.addActions(self.edge_group.actions())
        edge_labels = view.addMenu("Edge &Labels")
        edge_labels.addActions(self.edge_label_group.actions())
        colour_scale = view.addMenu("&Colour Scale")
        colour_scale.addActions(self.colour_scale_group.actions())
        view.addSeparator()
        for key in ("zoom_in", "zoom_out", "reset_zoom"):
            view.addAction(a[key])
        select = view.addMenu("&Select")
        self.menus["Select"] = select
        select.addActions([a[key] for key, *_ in SELECT_ACTIONS])
        select.addSeparator()
        select.addAction(a["clear_selection"])
        view.addSeparator()
        for key in ("presentation", "blank", "ask_first", "reveal"):
            view.addAction(a[key])
        view.addSeparator()
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())

        help_menu = self._menu("&Help")
        help_menu.addAction(a["shortcuts"])
        help_menu.addAction(a["about"])

    def _create_toolbar(self) -> None:
        self.toolbar.setObjectName("debuggerToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for key in ("reset_pass", "step_back", "step", "step_into", "finish_phase", "run_to_end", None,
                    "previous_sample", "next_sample", None, "zoom_out", "zoom_in", "reset_zoom", None,
                    "presentation"):  # fmt: skip
            if key is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(self.actions[key])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.menus["View"].addAction(self.toolbar.toggleViewAction())

    def show_opening(self, open_action: QAction, examples: QMenu) -> None:
        """Lead the toolbar with the session controller's ``open_action`` and list it and its
        ``examples`` menu with the window's own: opening has one owner, the session controller."""
        open_action.setIcon(icon("open", self.palette()))
        first = self.toolbar.actions()[0]
        self.toolbar.insertAction(first, open_action)
        self.toolbar.insertSeparator(first)
        self.actions["open"] = open_action
        self.menus["Open Example"] = examples

    def _create_status_bar(self) -> None:
        self.status_labels: dict[str, QLabel] = {}
        bar = self.statusBar()
        for key, tip in (
            ("phase", "The phase shown, and how far into it"),
            ("sample", "The sample stepped through"),
            ("loss", "The loss C of this sample (known after the Loss phase)"),
            ("rate", "The learning rate η used at Update"),
        ):
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setToolTip(tip)
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label, 1 if key == "phase" else 0)
            self.status_labels[key] = label

    # --- keeping up with the model -------------------------------------------------

    def _on_changed(self, event: Event) -> None:
        if event.field == Field.SELECTION:
            return
        stepper = self.model.stepper
        if event.field in (Field.SESSION, Field.NETWORK):
            self.setWindowTitle(window_title(self.model.session.name))
            unavailable = maps_unavailable(self.model.session)
            self.actions["neuron_maps"].setEnabled(unavailable is None)
            self.actions["neuron_maps"].setToolTip(unavailable or MAPS_TIP)
        self.actions["step_back"].setEnabled(stepper.can_step_back)
        self.actions["reset_pass"].setEnabled(bool(stepper.position or stepper.revealed))
        self.actions["finish_phase"].setEnabled(True)
        for digits in PRECISIONS:
            self.actions[f"precision_{digits}"].setChecked(digits == self.model.precision)
        for value in NEURON_VALUE_TEXTS:
            self.actions[f"neuron_{value.value}"].setChecked(value == self.model.neuron_value)
        self.actions[f"edges_{self.model.edge_mode.value}"].setChecked(True)
        self.actions[f"edge_labels_{self.model.state.edge_label_mode.value}"].setChecked(True)
        self.actions[f"colour_scale_{self.model.state.colour_scale.mode.value}"].setChecked(True)
        self._update_status()

    def choose_colour_scale(self, mode: ScaleMode) -> None:
        """Colour by ``mode``; Fixed ±v first asks for v (keeping the scale as it was if cancelled)."""
        scale = self.model.state.colour_scale
        fixed = scale.fixed
        if mode is ScaleMode.FIXED:
            fixed, ok = QInputDialog.getDouble(
                self, "Fixed colour scale", "Colour values from −v to +v, v =", fixed, 1e-6, 1e9, 4
            )
            if not ok:
                self.actions[f"colour_scale_{scale.mode.value}"].setChecked(True)
                return
        self.model.state.set_colour_scale(ColourScale(mode, fixed))

    def phase_text(self) -> str:
        """The status bar's phase: what is shown and what comes next."""
        stepper = self.model.stepper
        current = stepper.current
        if current is None:
            return "Start: only the input is known — press F10 to run Forward 1"
        text = f"Phase: {current.label}"
        if stepper.revealed:
            text += f" (neuron {stepper.revealed} of {stepper.neuron_count(current)})"
        if stepper.at_end:
            return text + " — weights updated; F10: next sample"
        following = stepper.next_phase
        return text + (f"   next: {following.label}" if following else "")

    def _update_status(self) -> None:
        stepper = self.model.stepper
        labels = self.status_labels
        labels["phase"].setText(self.phase_text())
        labels["sample"].setText(f"Sample {stepper.batch + 1} of {stepper.batch_count}")
        loss = stepper.value(Quantity.LOSS)
        if not loss.known[0]:
            labels["loss"].setText("C = —")
        elif self.formula_view.holds_back(Quantity.LOSS):
            labels["loss"].setText(f"C = ? (press {self.formula_view.reveal_shortcut})")
        else:
            labels["loss"].setText(f"C = {self.model.format(float(loss.values[0, 0]))}")
        labels["rate"].setText(f"η = {self.model.format(stepper.learning_rate)}")

    # --- help ---------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        ShortcutsDialog(list(self.actions.values()), self).exec()

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("About backprop-gui")
        box.setIconPixmap(app_icon().pixmap(64, 64))
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(
            f"<h3>backprop-gui {__version__}</h3>"
            "<p>A step-through debugger for backpropagation: walk one sample through the network "
            "phase by phase, Forward 1 … Forward L, Loss, Backward L … Backward 1, Update, and see "
            "every z, a, δ and gradient with the equation that produced it.</p>"
        )
        box.exec()

    # --- settings -----------------------------------------------------------------------

    def restore_settings(self) -> None:
        """Geometry, dock layout and view settings from QSettings; call again after adding docks or toolbars."""
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self._default_geometry()
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        precision = settings.value("view/precision")
        if precision is not None:
            self.model.set_precision(int(precision))
        neuron_value = settings.value("view/neuron_value")
        if neuron_value in {v.value for v in NeuronValue}:
            self.model.set_neuron_value(NeuronValue(neuron_value))
        edge_mode = settings.value("view/edge_mode")
        if edge_mode in EDGE_MODES:
            self.model.set_edge_mode(edge_mode)

    def _default_geometry(self) -> None:
        screen = self.screen() or QApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        width = min(1600, int(available.width() * 0.9)) if available else 1280
        height = min(1000, int(available.height() * 0.9)) if available else 800
        self.resize(width, height)
        right = max(420, width // 3)
        self.resizeDocks([self.docks["values"]], [right], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["formula"]], [max(200, height // 4)], Qt.Orientation.Vertical)

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("view/precision", self.model.precision)
        settings.setValue("view/neuron_value", self.model.neuron_value.value)
        settings.setValue("view/edge_mode", self.model.edge_mode.value)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.presentation.set_active(False)  # the settings keep the everyday layout, not the lecture one
        self.save_settings()
        super().closeEvent(event)
