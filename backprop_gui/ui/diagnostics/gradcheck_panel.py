"""The gradient-check panel: backprop's ∂C/∂w and ∂C/∂b next to central finite differences.

On demand ("Check gradients") it runs ``core.gradcheck.gradient_check`` for the current
sample, on the weights the current pass started from (so the backprop column equals the
∂C/∂w the stepper shows). One row per parameter, sortable by any column; the relative error
is coloured green (< 1e−7), amber (< 1e−4) or red, and also named in words.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from backprop_gui.core.backprop import PassResult
from backprop_gui.core.debugger_state import DISPLAY, Event, Field
from backprop_gui.core.formatting import counted, format_number
from backprop_gui.core.formulas import index as subscript
from backprop_gui.core.gradcheck import EPSILON, MIN_SCALE, GradientCheck, ParameterCheck, gradient_check
from backprop_gui.core.notes import caret_html
from backprop_gui.core.stepper import Stepper
from backprop_gui.ui.common.rich_text import number_font, sup
from backprop_gui.ui.common.session_model import SessionModel

GOOD, DOUBTFUL = 1e-7, 1e-4
VERDICTS = (
    ("agrees", QColor(200, 235, 200)),
    ("doubtful", QColor(250, 225, 160)),
    ("disagrees", QColor(245, 180, 175)),
)
# The verdict and the relative error it comes from before the absolute error, so that on a 1024-pixel
# screen what matters is in view; short headers, each said in full in its tooltip.
COLUMNS = ("parameter", "backprop", "numerical", "relative", "verdict", "absolute")
COLUMN = {name: i for i, name in enumerate(COLUMNS)}
HEADERS = ("Param.", "Backprop", "Finite diff.", "Rel. error", "Verdict", "Abs. error")
VALUE_OF = {  # the ParameterCheck attribute each column of numbers shows
    "backprop": "backprop",
    "numerical": "numerical",
    "relative": "relative_error",
    "absolute": "absolute_error",
}
HEADER_TIPS = (
    "The parameter p: a weight w_jk^l or a bias b_j^l",
    "∂C/∂p as backprop computes it",
    f"∂C/∂p by central finite differences, (C(p + ε) − C(p − ε)) / 2ε, ε = {EPSILON:g}",
    f"Relative error: the absolute error over max(|backprop|, |finite difference|, {MIN_SCALE:g}·max(1, |C|))",
    "Whether backprop agrees, from the relative error",
    "Absolute error: |backprop − finite difference|",
)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


def verdict(relative_error: float) -> int:
    """0 agrees (< 1e−7), 1 doubtful (< 1e−4), 2 disagrees."""
    return 0 if relative_error < GOOD else 1 if relative_error < DOUBTFUL else 2


def parameter_name(c: ParameterCheck) -> str:
    """The parameter as printed in the course, with Unicode indices: w₁₂², b₃¹."""
    sub = subscript(c.j, c.k) if c.kind == "w" else subscript(c.j)
    return c.kind + sub.translate(_SUBSCRIPTS) + sup(c.layer)


_SUBSCRIPTS = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉﹐")


def network_at_pass_start(stepper: Stepper):
    """A copy of the stepper's network with the weights the current pass started from."""
    network = stepper.network.copy()
    for l, layer in enumerate(network.layers, start=1):
        weights, biases = stepper.weights_before(l)
        layer.weights, layer.biases = weights.copy(), biases.copy()
    return network


def name_font(base: QFont) -> QFont:
    """``base`` (the table's font), a quarter larger: Unicode sub- and superscripts are small."""
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * 1.25)
    return font


class GradcheckTable(QAbstractTableModel):
    """Rows of a ``GradientCheck``: name, backprop, finite difference, errors, verdict."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.checks: list[ParameterCheck] = []
        self.digits = 4
        self.name_font = name_font(QFont())

    def set_font(self, font: QFont) -> None:
        """Draw the parameters' names in ``font`` (the table's), a quarter larger (``name_font``)."""
        self.name_font = name_font(font)
        if self.checks:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.checks) - 1, 0))

    def set_checks(self, checks: list[ParameterCheck], digits: int) -> None:
        self.beginResetModel()
        self.checks, self.digits = list(checks), digits
        self.endResetModel()

    def set_digits(self, digits: int) -> None:
        self.digits = digits
        if self.checks:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self.checks) - 1, 2))

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.checks)

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return caret_html(HEADER_TIPS[section])
        return None

    @staticmethod
    def _value(c: ParameterCheck, column: str) -> float:
        return float(getattr(c, VALUE_OF[column]))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        c, column = self.checks[index.row()], COLUMNS[index.column()]
        number = column not in ("parameter", "verdict")
        if role == SORT_ROLE:
            if column == "parameter":
                return _name_key(c)
            return verdict(c.relative_error) if column == "verdict" else self._value(c, column)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "parameter":
                return parameter_name(c)
            if column == "verdict":
                return VERDICTS[verdict(c.relative_error)][0]
            return format_number(self._value(c, column), self.digits if column in ("backprop", "numerical") else 2)
        if role == Qt.ItemDataRole.ToolTipRole:
            return c.name if column == "parameter" else repr(self._value(c, column)) if number else None
        if role == Qt.ItemDataRole.FontRole and column != "verdict":
            return number_font() if number else self.name_font
        if role == Qt.ItemDataRole.BackgroundRole and column in ("relative", "verdict"):
            return VERDICTS[verdict(c.relative_error)][1]
        if role == Qt.ItemDataRole.ForegroundRole and column in ("relative", "verdict"):
            return QColor(30, 30, 30)  # dark text on the light verdict colours, in any theme
        if role == Qt.ItemDataRole.TextAlignmentRole and number:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _name_key(c: ParameterCheck) -> str:
    """Sorts w^1, b^1, w^2, b^2, … and within them by j, then k."""
    return f"{c.layer:06d}{int(c.kind == 'b')}{c.j:06d}{c.k:06d}"


class GradcheckPanel(QWidget):
    """Runs the gradient check on demand and shows it as a sortable, coloured table."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.result: GradientCheck | None = None
        self._record: PassResult | None = None  # the pass the result belongs to
        self.table = GradcheckTable(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.table)
        self.proxy.setSortRole(SORT_ROLE)

        self.run_button = QPushButton("Check gradients")
        self.run_button.setToolTip(
            "Compare backprop's ∂C/∂w and ∂C/∂b with central finite differences "
            f"(C(p + ε) − C(p − ε)) / 2ε, ε = {EPSILON:g}, for the current sample"
        )
        self.run_button.clicked.connect(self.run)
        self.summary = QLabel("Press “Check gradients” to compare backprop with finite differences.")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self._follow_font()
        model.changed.connect(self._model_changed)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presenting: the table's text grows with the rest
            self._follow_font()

    def _follow_font(self) -> None:
        """The names and numbers in the table's font, the rows tall enough for the names."""
        self.table.set_font(self.view.font())
        self.view.verticalHeader().setDefaultSectionSize(QFontMetrics(self.table.name_font).height() + 6)

    def run(self) -> GradientCheck:
        """Check every parameter for the current sample; fill the table and the summary."""
        stepper = self.model.stepper
        rows = stepper.sample_indices
        x, t = stepper.inputs[rows].T, stepper.targets[rows].T
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = gradient_check(network_at_pass_start(stepper), x, t)
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.result, self._record = result, stepper.record
        self.table.set_checks(result.checks, self.model.precision)
        self.view.resizeColumnsToContents()
        self._summarise()
        return result

    def _summarise(self, stale: bool = False) -> None:
        result = self.result
        if result is None:
            return
        worst = verdict(result.max_relative_error)
        sample = self.model.stepper.batch + 1
        words = (
            "backprop agrees with finite differences",
            "some gradients are doubtful (relative error ≥ 1e−7)",
            "backprop and finite differences disagree (relative error ≥ 1e−4)",
        )[worst]
        text = (
            f"{counted(len(result.checks), 'parameter')}, sample {sample}: {words}. "
            f"Max absolute error {format_number(result.max_absolute_error, 2)}, "
            f"max relative error {format_number(result.max_relative_error, 2)}."
        )
        bad = result.first_non_finite
        if bad is not None:
            text = (
                f"{counted(len(result.checks), 'parameter')}, sample {sample}: the check fails — the gradient "
                f"or finite difference of {parameter_name(bad)} is NaN or infinite (the pass overflows), so no error "
                "can be measured."
            )
        if stale:
            text = "These results are for an earlier pass or weights — press “Check gradients” again. " + text
        self.summary.setText(text)
        colour = VERDICTS[worst][1].darker(150 if not stale else 110).name()
        self.summary.setStyleSheet(f"QLabel {{ border-left: 6px solid {colour}; padding-left: 6px; }}")

    def _model_changed(self, event: Event) -> None:
        if event.field in DISPLAY:
            self.table.set_digits(self.model.precision)
        elif event.field == Field.SESSION:
            self.result = None
            self.table.set_checks([], self.model.precision)
            self.summary.setText("Press “Check gradients” to compare backprop with finite differences.")
            self.summary.setStyleSheet("")
        elif self.result is not None:
            self._summarise(stale=self._record is not self.model.stepper.record)
