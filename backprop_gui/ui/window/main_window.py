"""The debugger window: menus, toolbar and shortcuts, the phase bar above the graph, docks, status bar.

The window owns no numbers: every view reads the ``SessionModel`` and every action calls
one of its methods. Dock layout, window geometry and view settings are kept in QSettings.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from functools import partial
from typing import TypeVar

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QResizeEvent
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
from backprop_gui.core.notes import caret_html
from backprop_gui.core.session import EDGE_MODE_NAMES, EDGE_MODES, NEURON_VALUE_NAMES, NeuronValue
from backprop_gui.core.stepper import Quantity
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.actions import ActionId, ActionKey, ActionSpec, make_action
from backprop_gui.ui.common.elided_label import ElidedLabel
from backprop_gui.ui.common.icons import IconRecolorer, app_icon
from backprop_gui.ui.common.plain_messages import PlainTextMessages
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.status_field import StatusField
from backprop_gui.ui.diagnostics.controller import DiagnosticsController, install_diagnostics
from backprop_gui.ui.sessions.controller import SessionController, install_session_features
from backprop_gui.ui.sessions.note_panel import NotePanel, install_note_panel
from backprop_gui.ui.stepping.chain_view import ChainRuleView, install_chain_rule
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.network_view import NetworkView
from backprop_gui.ui.stepping.neuron_map_items import maps_unavailable
from backprop_gui.ui.stepping.phase_bar import PhaseBar
from backprop_gui.ui.stepping.values_panel import ValuesPanel
from backprop_gui.ui.stepping.worked_view import install_worked_solution
from backprop_gui.ui.training.controller import TrainingController, install_training
from backprop_gui.ui.window.export import ExportController, install_export
from backprop_gui.ui.window.imports import ImportController, install_import
from backprop_gui.ui.window.layouts import LayoutController, install_layouts
from backprop_gui.ui.window.presentation import PresentationMode
from backprop_gui.ui.window.theme import install_theme_menu

APP_NAME = "backprop-gui"
PRECISIONS = range(2, 9)
MAPS_TIP = caret_html(
    "Fill each hidden and output neuron with its a_j^l over the input plane (x_1, x_2), the sample marked"
)
A, S = ActionId, ActionSpec
STEP_ACTIONS = (  # each id is the SessionModel method the action calls
    S(A.STEP, "&Step", ("F10", "Right", "PgDown"), "step", "Step: complete the next phase"),
    S(A.STEP_BACK, "Step &Back", ("Shift+F10", "Left", "PgUp"), "step-back", "Step back: undo the last step"),
    S(A.STEP_INTO, "Step &Into", ("F11",), "step-into", "Step into: compute the next single neuron"),
    S(A.FINISH_PHASE, "&Finish Phase", ("Shift+F11",), "step-out", "Finish the phase in progress (step out)"),
    S(A.RUN_TO_END, "&Run to End of Pass", ("Ctrl+F10",), "run-to-end", "Run to the end of the pass, Update included"),
    S(A.RESET_PASS, "Rese&t Pass", ("Ctrl+R",), "reset", "Reset the pass: nothing computed, weights as before"),
    S(A.NEXT_SAMPLE, "&Next Sample", ("Ctrl+Right",), "next-sample", "Next sample: start its pass"),
    S(A.PREVIOUS_SAMPLE, "&Previous Sample", ("Ctrl+Left",), "previous-sample", "Previous sample: start its pass"),
)
# With the NetworkView.move_selection direction each calls: the keyboard's way to select
SELECT_ACTIONS = (
    (S(A.SELECT_UP, "Neuron &Above", ("Alt+Up",), tip="Select the neuron above (on an edge: the edge from above)"),
     "up"),
    (S(A.SELECT_DOWN, "Neuron &Below", ("Alt+Down",), tip="Select the neuron below (on an edge: the edge from below)"),
     "down"),
    (S(A.SELECT_LEFT, "&Layer to the Left", ("Alt+Left",), tip="Select in the previous layer (an edge: its start)"),
     "left"),
    (S(A.SELECT_RIGHT, "La&yer to the Right", ("Alt+Right",), tip="Select in the next layer (an edge: its end)"),
     "right"),
)  # fmt: skip
VIEW_ACTIONS = (
    S(A.ZOOM_IN, "Zoom &In", ("Ctrl+=", "Ctrl++"), "zoom-in", "Zoom into the graph"),
    S(A.ZOOM_OUT, "Zoom &Out", ("Ctrl+-",), "zoom-out", "Zoom out of the graph"),
    S(A.RESET_ZOOM, "&Fit Graph", ("Ctrl+0",), "zoom-fit", "Fit the whole graph in view"),
    S(A.CLEAR_SELECTION, "&Clear Selection", ("Esc",),
      tip="Select nothing (in presentation mode, Esc leaves it first)"),
    S(A.PRESENTATION, "&Presentation Mode", ("F7",), "presentation",
      "Presentation mode: large type, thick lines, high contrast, full screen; Esc leaves it", checkable=True),
    S(A.BLANK, "&Blank Screen", ("B",), tip="Blank the screen; any key brings it back"),
    S(A.ASK_FIRST, "Formula: &Numbers on Request",
      tip="Show the general equation first, its numbers one keypress (Reveal) later", checkable=True),
    S(A.REVEAL, "&Reveal Numbers", ("R",), tip="Show the numbers and result the formula panel is holding back"),
    S(A.QUIT, "&Quit", ("Ctrl+Q",)),
    S(A.SHORTCUTS, "&Keyboard Shortcuts", ("F1",)),
    S(A.ABOUT, "&About backprop-gui"),
)  # fmt: skip
Key = TypeVar("Key", bound=ActionKey)
Choice = TypeVar("Choice", bound=Hashable)  # one choice of a group of actions (a precision, an EdgeMode, …)


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    """A modal error box whose text is shown literally (never as markup)."""
    plain_messages.critical(parent, title, text)


def window_title(name: str) -> str:
    """The title for ``name`` with Qt's "[*]" modified mark; a "[*]" in the name is doubled to show literally."""
    return f"{name.replace('[*]', '[*][*]')}[*] — {APP_NAME}"


SHOWN_VALUES = 6  # of x and of t in the Sample dock's readout, at most; "…" stands for the rest


def _readout(x: tuple[str, ...], x_size: int, t: tuple[str, ...], t_size: int, x_shown: int, t_shown: int) -> str:
    """The readout "x = (0, 1)    t = (1)": the first ``x_shown`` and ``t_shown`` of the numbers, "…"
    for the rest; a wrapped line breaks between x and t, or inside a long vector, never at "="."""
    nbsp = "\u00a0"

    def vector(values: tuple[str, ...], size: int, shown: int) -> str:
        return ", ".join(values[:shown]) + (", …" if size > shown else "")

    return f"x{nbsp}={nbsp}({vector(x, x_size, x_shown)})    t{nbsp}={nbsp}({vector(t, t_size, t_shown)})"


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
        self._vectors: tuple = ((0, ()), (0, ()))  # (size, its first numbers as shown) of x and of t
        self.session_label = ElidedLabel()  # one line: a long name wrapped pushed the sample's row out of the dock
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
        if (self.spin.minimum(), self.spin.maximum()) != (1, count):  # setRange lays the whole window out again
            self.spin.setRange(1, count)
        if self.spin.value() != stepper.batch + 1:  # (the same value still rewrites and repaints the box)
            self.spin.setValue(stepper.batch + 1)
        self.spin.blockSignals(False)
        self.count.setText(f"of {count}")
        self.session_label.setText(f"Session: {self.model.session.name}")
        vectors = tuple(
            (len(values), tuple(self.model.format(float(v)) for v in values[:SHOWN_VALUES]))
            for values in (stepper.value(Quantity.INPUT).values[:, 0], stepper.value(Quantity.TARGET).values[:, 0])
        )
        if vectors != self._vectors:
            self._vectors = vectors
            self._fit_readout()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_readout()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presenting: the numbers take more room
            self._fit_readout()

    def _fit_readout(self) -> None:
        """x and t on one line, with as many of their values as fit the readout's width (up to
        SHOWN_VALUES each; a long vector gives way first); wrapped between them when even one each
        does not fit, as in a narrow dock."""
        (x_size, x), (t_size, t) = self._vectors
        shown = [min(len(x), SHOWN_VALUES), min(len(t), SHOWN_VALUES)]
        room, metrics = self.readout.contentsRect().width(), self.readout.fontMetrics()
        text = _readout(x, x_size, t, t_size, *shown)
        while metrics.horizontalAdvance(text) > room and max(shown) > 1:
            shown[shown[1] > shown[0]] -= 1  # the longer vector gives way
            text = _readout(x, x_size, t, t_size, *shown)
        if metrics.horizontalAdvance(text) > room:
            text = _readout(x, x_size, t, t_size, min(len(x), SHOWN_VALUES), min(len(t), SHOWN_VALUES))
        self.readout.setText(text)

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
    """The debugger window over ``model``: ``menus`` and ``toolbar`` are public for extension; every
    feature's actions are found by id with ``action``."""

    # The features' controllers, made and held by ``install_features``.
    session_controller: SessionController
    training_controller: TrainingController
    diagnostics_controller: DiagnosticsController
    export_controller: ExportController
    import_controller: ImportController
    note_panel: NotePanel
    layout_controller: LayoutController

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.step_key: Callable[[], object] = model.step  # what F10 does: in quiz mode the quiz asks first
        self._actions: dict[ActionKey, QAction] = {}  # every feature's actions, by id (``action``)
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
        self.sample_picker = SamplePicker(model, self.action(A.PREVIOUS_SAMPLE), self.action(A.NEXT_SAMPLE))
        self.docks: dict[str, QDockWidget] = {}
        # no scroll area: the form is three short rows, and its height is the dock's least (a share of the side
        # that a dock shown below took from had cut it, with a scroll bar)
        self._add_dock("sample", "Sample", self.sample_picker, Qt.DockWidgetArea.RightDockWidgetArea)
        self._add_dock("values", "Values", self.values_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self._add_dock("formula", "Formula", self.formula_view, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.network_view.follow_reveal(self.formula_view)
        self.values_panel.follow_reveal(self.formula_view)
        self.formula_view.revealChanged.connect(lambda _pending: self._update_status())
        self.toolbar = QToolBar("Debugger", self)
        self.toolbars = [self.toolbar]  # every toolbar of the window, the features' too
        self.presentation = PresentationMode(
            self, model, self.network_view, self.phase_bar, self.formula_view, self.docks, self.toolbars
        )
        self._connect_presentation()
        self._create_menus()
        self._create_toolbar()
        self._create_status_bar()

        model.changed.connect(self._on_changed)
        self.restore_settings()
        self._on_changed(Event(Field.SESSION, model.session))

    # --- building -------------------------------------------------------------------

    def action(self, id: ActionId, choice: Hashable = None) -> QAction:
        """The window's action ``id`` (any feature's), or the one for ``choice`` of the group ``id``."""
        return self._actions[id if choice is None else (id, choice)]

    def add_actions(self, actions: Mapping[Key, QAction]) -> None:
        """Hold a feature's ``actions`` by id; their shortcuts work even while a menu or toolbar is hidden."""
        for key, action in actions.items():
            self._actions[key] = action
        self.addActions(list(actions.values()))

    def registered_actions(self) -> list[QAction]:
        """Every action the window holds, in the order they were added."""
        return list(self._actions.values())

    def _choices(self, id: ActionId, texts: Mapping[Choice, str], chosen: Callable[[Choice], object]) -> QActionGroup:
        """A group of checkable actions, one per choice of ``texts``, each calling ``chosen(choice)``."""
        group = QActionGroup(self)
        for choice, text in texts.items():
            action = make_action(self, ActionSpec(id, text, checkable=True), partial(chosen, choice))
            group.addAction(action)
            self.add_actions({(id, choice): action})
        return group

    def _create_actions(self) -> None:
        m, view = self.model, self.network_view
        slots: dict[ActionId, Callable[[], object]] = {
            A.ZOOM_IN: view.zoom_in, A.ZOOM_OUT: view.zoom_out, A.RESET_ZOOM: view.reset_zoom,
            A.CLEAR_SELECTION: self.escape, A.PRESENTATION: lambda: self.presentation.toggle(),
            A.BLANK: lambda: self.presentation.blank(), A.REVEAL: lambda: self.formula_view.reveal(),
            A.ASK_FIRST: lambda: self.formula_view.set_ask_first(self.action(A.ASK_FIRST).isChecked()),
            A.QUIT: self.close, A.SHORTCUTS: self.show_shortcuts, A.ABOUT: self.show_about,
        }  # fmt: skip
        for spec in STEP_ACTIONS:
            slots[spec.id] = getattr(m, spec.id)
        slots[A.STEP] = lambda: self.step_key()
        for spec, direction in SELECT_ACTIONS:
            slots[spec.id] = partial(view.move_selection, direction)
        specs = [*STEP_ACTIONS, *(spec for spec, _ in SELECT_ACTIONS), *VIEW_ACTIONS]
        self.add_actions({spec.id: make_action(self, spec, slots[spec.id]) for spec in specs})
        self.precision_group = self._choices(A.PRECISION, {d: f"{d} significant digits" for d in PRECISIONS},
                                             m.set_precision)  # fmt: skip
        self.neuron_group = self._choices(A.NEURON_VALUE, NEURON_VALUE_NAMES, m.set_neuron_value)
        self.edge_group = self._choices(A.EDGE_MODE, EDGE_MODE_NAMES, m.set_edge_mode)
        self.edge_label_group = self._choices(A.EDGE_LABELS, EDGE_LABEL_MODE_NAMES, m.state.set_edge_label_mode)
        scale_texts = {mode: text + ("…" if mode is ScaleMode.FIXED else "") for mode, text in SCALE_MODE_NAMES.items()}
        self.colour_scale_group = self._choices(A.COLOUR_SCALE, scale_texts, self.choose_colour_scale)

    def _connect_presentation(self) -> None:
        self.formula_view.reveal_shortcut = (
            self.action(A.REVEAL).shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        )
        self.presentation.toggled.connect(self._presentation_toggled)
        self._presentation_toggled(False)

    def _presentation_toggled(self, on: bool) -> None:
        self.action(A.PRESENTATION).setChecked(on)
        self.action(A.BLANK).setEnabled(on)
        self.action(A.ASK_FIRST).setChecked(self.formula_view.ask_first)

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
        a = self.action
        file = self._menu("&File")
        file.addAction(a(A.QUIT))
        self._menu("&Edit")  # the features' menus, in menu-bar order: each is given its own

        step = self._menu("&Step")
        step.addActions([a(spec.id) for spec in STEP_ACTIONS[:6]])
        step.addSeparator()
        step.addAction(a(A.NEXT_SAMPLE))
        step.addAction(a(A.PREVIOUS_SAMPLE))

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
        view.addActions([a(A.ZOOM_IN), a(A.ZOOM_OUT), a(A.RESET_ZOOM)])
        select = view.addMenu("&Select")
        self.menus["Select"] = select
        select.addActions([a(spec.id) for spec, _ in SELECT_ACTIONS])
        select.addSeparator()
        select.addAction(a(A.CLEAR_SELECTION))
        view.addSeparator()
        view.addActions([a(A.PRESENTATION), a(A.BLANK), a(A.ASK_FIRST), a(A.REVEAL)])
        view.addSeparator()
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())

        self._menu("&Train")
        self._menu("&Debug")
        help_menu = self._menu("&Help")
        help_menu.addAction(a(A.SHORTCUTS))
        help_menu.addAction(a(A.ABOUT))

    def _create_toolbar(self) -> None:
        self.toolbar.setObjectName("debuggerToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for key in (A.RESET_PASS, A.STEP_BACK, A.STEP, A.STEP_INTO, A.FINISH_PHASE, A.RUN_TO_END, None,
                    A.PREVIOUS_SAMPLE, A.NEXT_SAMPLE, None, A.ZOOM_OUT, A.ZOOM_IN, A.RESET_ZOOM, None,
                    A.PRESENTATION):  # fmt: skip
            if key is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(self.action(key))
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.menus["View"].addAction(self.toolbar.toggleViewAction())

    def install_features(
        self,
        *,
        file_path: str | None = None,
        settings: QSettings | None = None,
        autosave_dir: str | None = None,
        offer_restore: bool = False,
    ) -> None:
        """Put every feature into the window and hold its controller: training, sessions (files, undo,
        autosave; ``file_path`` and the rest are ``install_session_features``'), diagnostics, export and
        import, the note, the worked solution and chain rule, the layouts and the theme. Each feature
        gets the widgets and callbacks it uses, and the window holds its actions by id."""
        model, graph = self.model, self.network_view
        PlainTextMessages(self)  # names and paths in message boxes never render as HTML
        menus = self.menus
        training = self.training_controller = install_training(self, model, menus["Train"])
        sessions = self.session_controller = install_session_features(
            self, model, menus["File"], menus["Edit"],
            file_path=file_path, settings=settings, autosave_dir=autosave_dir, offer_restore=offer_restore,
        )  # fmt: skip
        diagnostics = self.diagnostics_controller = install_diagnostics(
            self, model, menus["Debug"], self.formula_view.reveal
        )
        exports = self.export_controller = install_export(
            self, model, graph, training.loss_plot, menus["File"], self.action(A.QUIT)
        )
        self.import_controller = install_import(self, model, sessions, menus["File"], exports.menu)
        for actions in (training.actions, sessions.actions, diagnostics.actions, self.import_controller.actions):
            self.add_actions(actions)
        self.add_actions(exports.actions)
        self.step_key = diagnostics.quiz_panel.step_pressed
        self.note_panel, note_dock = install_note_panel(self, model)
        worked_dock = install_worked_solution(self, model, self.formula_view)
        chain_dock = install_chain_rule(self, model, self.formula_view)
        menus["View"].addActions([dock.toggleViewAction() for dock in (note_dock, worked_dock, chain_dock)])
        self.tabifyDockWidget(worked_dock, chain_dock)
        chain_view = chain_dock.widget()
        if isinstance(chain_view, ChainRuleView):
            chain_view.pathHovered.connect(graph.highlight_path)
        worked_dock.raise_()
        self.docks.update({"note": note_dock, "worked": worked_dock, "chain": chain_dock})
        first = self.toolbar.actions()[0]  # opening leads the toolbar; the session controller owns it
        self.toolbar.insertAction(first, self.action(A.OPEN))
        self.toolbar.insertSeparator(first)
        self.menus.update({"Open Example": sessions.examples_menu, "Export": exports.menu})
        self.menus["Import"] = self.import_controller.menu
        self.restore_settings()  # the docks added above get their saved layout
        self.docks.update({**training.docks, **diagnostics.docks})
        shown_when = {"note": lambda: bool(model.session.note), "quiz": lambda: diagnostics.quiz_panel.active}
        layouts = self.layout_controller = install_layouts(
            self, model, self.docks, self.presentation, shown_when, menus["View"]
        )
        self.toolbars += [bar for bar in (training.toolbar, layouts.toolbar) if bar is not None]
        self.add_actions({(A.LAYOUT, name): action for name, action in layouts.actions.items()})
        self.add_actions({A.RESET_LAYOUT: layouts.reset_action})
        self.add_actions({(A.THEME, name): action for name, action in install_theme_menu(self, menus["View"]).items()})
        IconRecolorer(self, self.registered_actions)

    def _create_status_bar(self) -> None:
        self.status_labels: dict[str, StatusField] = {}  # rewritten at every step: fields, not QLabels
        bar = self.statusBar()
        for key, tip in (
            ("phase", "The phase shown, and how far into it"),
            ("sample", "The sample stepped through"),
            ("loss", "The loss C of this sample (known after the Loss phase)"),
            ("rate", "The learning rate η used at Update"),
        ):
            field = StatusField(tip, elide=key == "phase")
            bar.addPermanentWidget(field, 1 if key == "phase" else 0)
            self.status_labels[key] = field

    # --- keeping up with the model -------------------------------------------------

    def _on_changed(self, event: Event) -> None:
        if event.field == Field.SELECTION:
            return
        stepper = self.model.stepper
        if event.field in (Field.SESSION, Field.NETWORK):
            self.setWindowTitle(window_title(self.model.session.name))
            unavailable = maps_unavailable(self.model.session)
            self.action(A.NEURON_VALUE, NeuronValue.MAPS).setEnabled(unavailable is None)
            self.action(A.NEURON_VALUE, NeuronValue.MAPS).setToolTip(unavailable or MAPS_TIP)
        self.action(A.STEP_BACK).setEnabled(stepper.can_step_back)
        self.action(A.RESET_PASS).setEnabled(bool(stepper.position or stepper.revealed))
        self.action(A.FINISH_PHASE).setEnabled(True)
        self.action(A.PRECISION, self.model.precision).setChecked(True)
        self.action(A.NEURON_VALUE, self.model.neuron_value).setChecked(True)
        self.action(A.EDGE_MODE, self.model.edge_mode).setChecked(True)
        self.action(A.EDGE_LABELS, self.model.state.edge_label_mode).setChecked(True)
        self.action(A.COLOUR_SCALE, self.model.state.colour_scale.mode).setChecked(True)
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
                self.action(A.COLOUR_SCALE, scale.mode).setChecked(True)
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
        ShortcutsDialog(self.registered_actions(), self).exec()

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
