"""The data dock: a table of the samples, a scatter plot of them, and the built-in data-set dialog."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from dataclasses import replace
from html import escape
from typing import Any, Protocol

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt, SignalInstance
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from backprop_gui.core.datasets import GENERATORS, MAX_VALIDATION_FRACTION, Dataset, DatasetError, generate
from backprop_gui.core.debugger_state import DISPLAY, Event, Field
from backprop_gui.core.decision import is_classification, target_classes
from backprop_gui.core.editing import needs_fit
from backprop_gui.core.formatting import INPUT_NAMES, TARGET_NAMES, counted, data_label, subscript
from backprop_gui.core.network import Network
from backprop_gui.core.training import data_split
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.actions import ActionId, ActionSpec, make_action
from backprop_gui.ui.common.colors import is_dark, mix
from backprop_gui.ui.common.number_boxes import ExactSpinBox, NumberBox, SeedBox, param_box
from backprop_gui.ui.common.plot_theme import FollowPalette, style_plot
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.shown import ShownRefresh


class DataTarget(Protocol):
    """What the data view uses of the training controller."""

    @property
    def running(self) -> bool: ...
    @property
    def progressed(self) -> SignalInstance: ...
    def set_data(self, data: Dataset, fit: bool = False, label: str = "") -> bool: ...
    def set_setting(self, name: str, value: float | int | bool) -> bool: ...
    def edit_samples(self, data: Dataset, label: str) -> bool: ...


# Class colours (Tableau 10): class c is drawn in CLASS_COLORS[c % 10].
CLASS_COLORS = [
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
]  # fmt: skip
ModelIndex = QModelIndex | QPersistentModelIndex
SET_NAMES = ("training", "validation", "test")  # the "set" column's words
SET_COLORS = (None, QColor(200, 90, 20), QColor(170, 30, 60))
MAX_TEST_FRACTION = 0.99  # the test fraction box's top: the largest two-decimal share below 1 (the file's limit)
MAX_FITTED_COLUMNS = 64  # a wider table's columns get one width
MIN_PLOT_WIDTH = 160  # px: the scatter plot's least width beside the table
MAX_DRAWN_SAMPLES = 5000  # scatter plots draw every k-th sample beyond this
TEST_FILL = pg.mkBrush(255, 255, 255, 235)  # the white middle of a test sample's ring: hollow on any colour


def drawn_rows(count: int) -> slice:
    """The samples a scatter plot draws: all of them, or an even subset of at most MAX_DRAWN_SAMPLES."""
    return slice(None, None, max(1, -(-count // MAX_DRAWN_SAMPLES)))


def draw_samples(
    filled: pg.ScatterPlotItem, hollow: pg.ScatterPlotItem, data: Dataset, points: np.ndarray, brushes: list
) -> None:
    """The samples a scatter plot draws (``drawn_rows`` of ``data``) at ``points`` (n, 2) with ``brushes``:
    training samples filled in ``filled``, test samples in ``hollow`` as white rings in their colour."""
    drawn = np.arange(len(data))[drawn_rows(len(data))]
    test = np.isin(drawn, data.split()[1])
    kept = [b for b, t in zip(brushes, test, strict=True) if not t]
    filled.setData(points[~test, 0], points[~test, 1], brush=kept)
    rings = [pg.mkPen(b.color(), width=2.5) for b, t in zip(brushes, test, strict=True) if t]
    hollow.setData(points[test, 0], points[test, 1], pen=rings)


def sample_brushes(targets: np.ndarray) -> list:
    """A brush per sample: its class colour, or a blue–red scale of t for regression targets (N, n_L)."""
    if is_classification(targets):
        return [pg.mkBrush(*CLASS_COLORS[c % len(CLASS_COLORS)], 230) for c in target_classes(targets)]
    t = targets[:, 0]
    span = float(t.max() - t.min()) or 1.0
    cmap = pg.colormap.get("CET-D1")
    return [pg.mkBrush(cmap.map((v - t.min()) / span, mode="qcolor")) for v in t]


def offer_to_fit(parent: QWidget, data: Dataset, network: Network) -> bool | None:
    """Whether ``data`` needs ``network``'s input/output layer resized (``core.editing.SetData``'s
    ``fit``): False if it fits as it is, True if it does not and the user agreed to the resize,
    None if the user declined."""
    if not needs_fit(data, network):
        return False
    n_in, n_out = data.input_size, data.target_size
    changes = []
    if n_in != network.raw_input_size:
        changes.append(f"the input layer from n₀ = {network.input_size} to {n_in}")
    if n_out != network.layers[-1].size:
        changes.append(f"the output layer from {counted(network.layers[-1].size, 'neuron')} to {n_out}")
    answer = plain_messages.question(
        parent,
        "The data does not fit the network",
        f"The data has {counted(n_in, 'input')} and {counted(n_out, 'target')} per sample.\n"
        f"Resize {' and '.join(changes)}? The resized layers get new random weights.",
    )
    return True if answer == QMessageBox.StandardButton.Yes else None


class SamplesModel(QAbstractTableModel):
    """The samples as rows: inputs x_k, targets t_j, and the set each belongs to (training, validation
    or test)."""

    def __init__(self, model: SessionModel) -> None:
        super().__init__()
        self.model = model
        self.sets = np.zeros(0, dtype=np.int8)  # per sample: an index into SET_NAMES
        self.target_tint = QColor(240, 244, 250)  # behind the targets' columns; the view sets it for its palette
        self._widest = np.zeros((4, 0))  # per column, the values ``column_texts`` shows (inf: none such)
        self._titles: list[str] = []  # the columns' titles, a data set's long names cut short
        self._whole_titles: list[str] = []  # ... and in whole, for their tooltips
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        data = self.model.session.data
        split = data_split(data, self.model.session.training.seed)
        self.sets = np.zeros(len(data), dtype=np.int8)
        self.sets[split.validation] = SET_NAMES.index("validation")
        self.sets[split.test] = SET_NAMES.index("test")
        self._widest = np.hstack([_widest(data.inputs), _widest(data.targets)])
        self._titles, self._whole_titles = (
            [column_name("x", k, data.input_labels, INPUT_NAMES, whole) for k in range(data.input_size)]
            + [column_name("t", j, data.target_labels, TARGET_NAMES, whole) for j in range(data.target_size)]
            + ["set"]
            for whole in (False, True)
        )
        self.endResetModel()

    def column_texts(self, column: int) -> list[str]:
        """Texts as wide as the widest of ``column`` (about: the least and greatest of its values, and
        those nearest 0 on each side, as shown), or the set names."""
        if column == self.columnCount() - 1:
            return list(SET_NAMES)
        return [self.model.format(float(v)) for v in self._widest[:, column] if np.isfinite(v)]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.model.session.data)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._titles)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            whole = self._whole_titles[section]
            return whole if whole != self._titles[section] else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._titles[section] if orientation == Qt.Orientation.Horizontal else str(section + 1)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        data, row, col = self.model.session.data, index.row(), index.column()
        n_in = data.inputs.shape[1]
        if col == n_in + data.targets.shape[1]:
            if role == Qt.ItemDataRole.DisplayRole:
                return SET_NAMES[self.sets[row]]
            if role == Qt.ItemDataRole.ForegroundRole and self.sets[row]:
                return SET_COLORS[self.sets[row]]
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = float(data.inputs[row, col] if col < n_in else data.targets[row, col - n_in])
            return self.model.format(value) if role == Qt.ItemDataRole.DisplayRole else repr(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and col >= n_in:
            return self.target_tint
        return None


def _widest(values: np.ndarray) -> np.ndarray:
    """Per column of ``values`` (N, n), shape (4, n): the values longest when shown, about: the least,
    the greatest, and those nearest 0 on each side (the most zeros after the point); ±inf where none."""
    if not len(values):
        return np.full((4, values.shape[1]), np.inf)
    return np.stack(
        [
            values.min(0),
            values.max(0),
            values.min(0, where=values > 0, initial=np.inf),
            values.max(0, where=values < 0, initial=-np.inf),
        ]
    )


def column_name(symbol: str, i: int, labels: list[str], course_names: tuple[str, ...], whole: bool = False) -> str:
    """The course's name of column ``i`` (``x₁``, ``t₂``), after the data set's name for it when that
    says more (``petal length x₃``), cut short unless ``whole``."""
    label, name = data_label(labels, i, course_names, whole), symbol + subscript(i + 1)
    return f"{label} {name}" if label else name


ARRAYS = ("inputs", "targets")  # the data set's fields compared by identity, not by value
GENERATE_DATA = ActionSpec(
    ActionId.GENERATE_DATA, "&Data set…", tip="Choose a built-in data set: XOR, AND, OR, moons, circles, spirals, …"
)
IMPORT_DATA = ActionSpec(
    ActionId.IMPORT_DATA, "&Import data from CSV…", tip="Read samples from a CSV file: choose input and target columns",
    short="Import CSV…",
)  # fmt: skip


class DataView(QWidget):
    """The session's samples: a table, and a scatter plot (x_1, x_2 coloured by target; or t against x)."""

    def __init__(self, model: SessionModel, controller: DataTarget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.controller = controller
        self.generate_action = make_action(self, GENERATE_DATA, self.choose_generated)
        self.import_action = make_action(self, IMPORT_DATA, self.import_csv)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        for action in (self.generate_action, self.import_action):
            button = QToolButton()
            button.setDefaultAction(action)
            top.addWidget(button)
        top.addStretch(1)
        settings = QHBoxLayout()  # the data's own settings, on a line of their own (the dock can be narrow)
        self.noise_label = QLabel("Noise")
        self.noise = ExactSpinBox(0.0, 1.0)  # its range follows the generator
        self.noise.valueChanged.connect(self.set_noise)
        self.noise_label.setBuddy(self.noise)
        settings.addWidget(self.noise_label)
        settings.addWidget(self.noise)
        self.test_fraction = ExactSpinBox(0.0, MAX_TEST_FRACTION, step=0.05)
        self.test_fraction.setToolTip(
            "Test fraction: the share of samples held out of training as test data, drawn hollow on the "
            "decision map; their loss and accuracy are measured each epoch"
        )
        self.split_seed = SeedBox()
        self.split_seed.setToolTip("Split seed: which samples are test samples (the same seed, the same split)")
        for name, box in (("test_fraction", self.test_fraction), ("split_seed", self.split_seed)):
            box.valueChanged.connect(lambda value, name=name: self.controller.set_setting(name, value))
        test_label, seed_label = QLabel("Test"), QLabel("Seed")
        test_label.setBuddy(self.test_fraction)
        seed_label.setBuddy(self.split_seed)
        for widget in (test_label, self.test_fraction, seed_label, self.split_seed):
            settings.addWidget(widget)
        settings.addStretch(1)

        self.samples = SamplesModel(model)
        self.table = QTableView()
        self.table.setModel(self.samples)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.horizontalHeader().setDefaultSectionSize(72)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.doubleClicked.connect(lambda index: model.select_sample(index.row()))
        self.table.setToolTip("Double-click a sample to step through it")
        FollowPalette(self.table, self._tint_targets)

        self.plot = pg.PlotWidget()
        self.plot.setMinimumWidth(MIN_PLOT_WIDTH)
        self.plot.getPlotItem().setMenuEnabled(False)
        self.scatter = pg.ScatterPlotItem(size=7, pen=pg.mkPen(60, 60, 60, 150))
        self.test_scatter = pg.ScatterPlotItem(size=8, brush=TEST_FILL)  # test samples: hollow
        for scatter in (self.scatter, self.test_scatter):
            self.plot.addItem(scatter)
        self.plot.getPlotItem().showGrid(x=True, y=True, alpha=0.2)
        FollowPalette(self.plot, lambda: style_plot(self.plot, self.plot.getAxis("bottom"), self.plot.getAxis("left")))
        self.no_plot = QLabel()
        self.no_plot.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_plot.setWordWrap(True)

        self.splitter = splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.plot)
        splitter.addWidget(self.no_plot)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self._split_moved = False  # by the user: the table's share is then theirs
        splitter.splitterMoved.connect(self._split_was_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(settings)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self._listed: tuple[Any, ...] | None = None  # what the table lists: ``_listing``
        self._plot = ShownRefresh(self, self._draw_plot)  # the scatter is drawn only when seen
        model.changed.connect(self._model_changed)
        controller.progressed.connect(self._settings_maybe_changed)
        self.refresh()

    def _tint_targets(self) -> None:
        """The targets' columns a shade towards the highlight colour, on the table's light or dark base."""
        palette = self.table.palette()
        base = palette.color(QPalette.ColorRole.Base)
        self.samples.target_tint = mix(
            base, palette.color(QPalette.ColorRole.Highlight), 0.18 if is_dark(palette) else 0.07
        )
        self.table.viewport().update()

    def _listing(self) -> tuple[Any, ...]:
        """What the view shows: the data set and its arrays, then every other field of the data set
        (labels, the held-out fractions and seeds of its split) and the training seed."""
        data = self.model.session.data
        values = ((f.name, getattr(data, f.name)) for f in dataclass_fields(data) if not f.name.startswith("_"))
        kept = tuple((name, tuple(v) if isinstance(v, list) else v) for name, v in values if name not in ARRAYS)
        return data, data.inputs, data.targets, kept, self.model.session.training.seed

    def _refresh_if_changed(self) -> None:
        listed, now = self._listed, self._listing()
        if listed is None or any(a is not b for a, b in zip(listed[:3], now[:3], strict=True)) or listed[3:] != now[3:]:
            self.refresh()

    def refresh(self) -> None:
        """Show the session's data: the table and the summary at once, the scatter now if it is seen,
        else once it is."""
        self._listed = self._listing()
        data = self.model.session.data
        self.samples.reload()
        n_in, n_out = data.inputs.shape[1], data.targets.shape[1]
        source = data.generator["name"] if data.generator else "imported"
        validation, test = (
            int(np.count_nonzero(self.samples.sets == SET_NAMES.index(n))) for n in ("validation", "test")
        )
        split = f" · {validation:,} held out for validation" if validation else ""
        split += f" · {test:,} test (drawn hollow)" if test else ""
        counts = f"{counted(len(data), 'sample')} ({source}) · {counted(n_in, 'input')} · {counted(n_out, 'target')}"
        self.summary.setText(counts + split)
        self.plot.setVisible(n_in <= 2)
        self.no_plot.setVisible(n_in > 2)
        self.no_plot.setText(f"No scatter plot: the samples have {n_in} inputs (it needs 1 or 2).")
        self._fit_columns()  # (after the plot or the note shows: the table shares the width with it)
        self._show_noise()
        for box in (self.test_fraction, self.split_seed):
            box.blockSignals(True)
        self.test_fraction.setValue(data.test_fraction)
        self.split_seed.setValue(data.split_seed)
        for box in (self.test_fraction, self.split_seed):
            box.blockSignals(False)
        if n_in <= 2:
            self._plot.request()

    def _draw_plot(self) -> None:
        """The scatter: x_1 against x_2 coloured by target, or t_1 against x_1; test samples hollow."""
        data = self.model.session.data
        n_in = data.inputs.shape[1]
        item = self.plot.getPlotItem()
        rows = drawn_rows(len(data))
        inputs, targets = data.inputs[rows], data.targets[rows]
        if n_in == 2:
            draw_samples(self.scatter, self.test_scatter, data, inputs, sample_brushes(targets))
            item.setLabel("left", "x<sub>2</sub>")
        elif n_in == 1:
            points = np.column_stack([inputs[:, 0], targets[:, 0]])
            draw_samples(self.scatter, self.test_scatter, data, points, [pg.mkBrush(31, 119, 180, 200)] * len(points))
            item.setLabel("left", "t<sub>1</sub>")
        item.setLabel("bottom", "x<sub>1</sub>")
        self.plot.autoRange()

    def _show_noise(self) -> None:
        """The noise box shows the generator's noise, or is disabled (saying why) when there is none."""
        data = self.model.session.data
        recipe = data.generator or {}
        name = recipe.get("name", "")
        generator = GENERATORS.get(name)
        param = next((p for p in generator.params if p.name == "noise"), None) if generator else None
        self.noise.blockSignals(True)
        if param is not None:
            self.noise.setRange(float(param.low), float(param.high))
            self.noise.setValue(float(recipe.get("noise", param.default)))
            self.noise.setToolTip(f"{name}: {param.help} (the data is drawn again; undoable)")
        else:
            self.noise.setValue(0.0)
            why = "samples edited by hand" if data.generator is None else f"{recipe.get('name')} has no noise"
            self.noise.setToolTip(f"The noise of a built-in data set's generator (not for {why})")
        self.noise.setEnabled(param is not None)
        self.noise_label.setEnabled(param is not None)
        self.noise.blockSignals(False)

    def set_noise(self, noise: float) -> bool:
        """Draw the built-in data set again with ``noise`` (its other settings and the split kept);
        one undoable data edit. True if the data was replaced."""
        data = self.model.session.data
        if data.generator is None or data.generator.get("noise") == noise:
            return False
        recipe = {**data.generator, "noise": float(noise)}
        name = recipe.pop("name")
        try:
            fresh = generate(name, **recipe)
        except DatasetError as error:
            QMessageBox.warning(self, "Cannot change the noise", str(error))
            self._show_noise()
            return False
        redrawn = replace(data, inputs=fresh.inputs, targets=fresh.targets, generator=fresh.generator)
        return self.controller.edit_samples(redrawn, label=f"set the {name} noise = {noise:g}")

    def resizeEvent(self, event) -> None:
        """Table beside the scatter plot when there is room, else above it."""
        super().resizeEvent(event)
        wide = event.size().width() >= 1.4 * event.size().height()
        self.splitter.setOrientation(Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical)
        self._share_width()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presenting, or a new application font
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Each column as wide as its title and its widest value; then the table's share of the width."""
        header = self.table.horizontalHeader()
        cells, titles = QFontMetrics(self.table.font()), QFontMetrics(header.font())
        widths = []
        for column in range(self.samples.columnCount()):
            title = str(self.samples.headerData(column, Qt.Orientation.Horizontal))
            numbers = [cells.horizontalAdvance(text) + 10 for text in self.samples.column_texts(column)]
            widths.append(max([titles.horizontalAdvance(title) + 16, *numbers]))
        if len(widths) > MAX_FITTED_COLUMNS:  # one width for all: each resize lays out every section
            widths = [max(widths)] * len(widths)
            header.setDefaultSectionSize(widths[0])  # (sections resized before keep their sizes)
        for column, width in enumerate(widths):
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
        self._share_width()

    def table_width(self) -> int:
        """The width that shows every column of the table, its row numbers and its scroll bar."""
        table = self.table
        rows = table.verticalHeader().sizeHint().width()
        bar = table.verticalScrollBar().sizeHint().width()
        return rows + table.horizontalHeader().length() + bar + 2 * table.frameWidth()

    def _share_width(self) -> None:
        """Beside the scatter plot, the table takes the width its columns need, leaving the plot at
        least its least width (until the user moves the splitter)."""
        splitter = self.splitter
        if self._split_moved or splitter.orientation() != Qt.Orientation.Horizontal:
            return
        room = splitter.width() - splitter.handleWidth()
        beside = self.no_plot if self.plot.isHidden() else self.plot
        table = max(0, min(self.table_width(), room - max(MIN_PLOT_WIDTH, beside.minimumSizeHint().width())))
        splitter.setSizes([table, room - table, room - table])  # (the plot or the note in its place)

    def _split_was_moved(self) -> None:
        self._split_moved = True

    def choose_generated(self) -> None:
        """Open the built-in data-set dialog and use its data if accepted."""
        dialog = GenerateDialog(self.model, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_data is not None:
            self.use(dialog.result_data)

    def import_csv(self) -> None:
        from backprop_gui.ui.training.csv_import_dialog import CsvImportDialog

        dialog = CsvImportDialog(self.model, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_data is not None:
            self.use(dialog.result_data)

    def use(self, data: Dataset) -> bool:
        """Make ``data`` the session's data (one undoable edit), resizing the network's input/output
        layer with it if the data needs that and the user agrees. True if the data was replaced."""
        fit = offer_to_fit(self, data, self.model.session.network)
        return fit is not None and self.controller.set_data(data, fit=fit)

    def _model_changed(self, event: Event) -> None:
        if event.field in (Field.SESSION, Field.NETWORK) and not self.controller.running:
            self._refresh_if_changed()
        elif event.field in DISPLAY:  # the numbers' precision: their widths
            self.samples.reload()
            self._fit_columns()

    def _settings_maybe_changed(self) -> None:
        if not self.controller.running:
            self._refresh_if_changed()


class GenerateDialog(QDialog):
    """Choose a built-in data set and its settings; ``result_data`` is the generated set once accepted."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Built-in data set")
        self.setMinimumWidth(420)
        self.model = model
        self.result_data: Dataset | None = None
        self.fields: dict[str, NumberBox] = {}
        self.choice = QComboBox()
        for name, generator in GENERATORS.items():
            self.choice.addItem(name, name)
            self.choice.setItemData(self.choice.count() - 1, generator.description, Qt.ItemDataRole.ToolTipRole)
        self.description = QLabel()
        self.description.setTextFormat(Qt.TextFormat.RichText)  # n with real subscripts
        self.description.setWordWrap(True)
        self.form = QFormLayout()
        self.validation = ExactSpinBox(0.0, MAX_VALIDATION_FRACTION, step=0.05)
        self.validation.setValue(model.session.data.validation_fraction)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer = QFormLayout()
        outer.addRow("Data set", self.choice)
        outer.addRow("", self.description)
        layout = QVBoxLayout(self)
        layout.addLayout(outer)
        layout.addLayout(self.form)
        extra = QFormLayout()
        extra.addRow("Validation fraction", self.validation)
        layout.addLayout(extra)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.choice.currentIndexChanged.connect(self._chosen)
        current = (model.session.data.generator or {}).get("name")
        self.choice.setCurrentIndex(max(0, self.choice.findData(current)))
        self._chosen()

    def _chosen(self) -> None:
        name = self.choice.currentData()
        generator = GENERATORS[name]
        current = self.model.session.data.generator or {}
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        for param in generator.params:
            value = current.get(param.name, param.default) if current.get("name") == name else param.default
            box = param_box(param, value)
            self.form.addRow(param.name.capitalize(), box)
            self.fields[param.name] = box
        out = generator.target_size({k: b.value() for k, b in self.fields.items()})
        sizes = f"n<sub>0</sub> = {counted(generator.input_size, 'input')}, n<sub>L</sub> = {counted(out, 'output')}"
        self.description.setText(f"{escape(generator.description)}<br>{sizes}")
        self.error.clear()

    def settings(self) -> dict[str, Any]:
        return {name: box.value() for name, box in self.fields.items()}

    def accept(self) -> None:
        try:
            data = generate(self.choice.currentData(), **self.settings())
        except DatasetError as error:
            self.error.setText(str(error))
            return
        data.validation_fraction = self.validation.value()
        self.result_data = data
        super().accept()
