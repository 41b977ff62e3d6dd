"""The value tables: per layer z^l, a^l, δ^l, ∂C/∂b^l, b^l and the matrices w^l, ∂C/∂w^l; the sample's x, t, output, C.

Qt model/view: each table is a ``QAbstractTableModel`` over numbers the stepper reveals
(cached per change, so wide layers scroll smoothly). Unknown cells are empty; numbers are
shown at the model's precision, right-aligned in a fixed-width font, with full precision
in the tooltip. Selecting a cell selects the neuron or edge in the session model, and the
model's selection selects the cell. Double-clicking a weight w_jk^l or a bias b_j^l asks for
it to be edited (``SessionModel.edit_requested``). Following a formula panel
(``ValuesPanel.follow_reveal``), the numbers it holds back show as a muted "?" until revealed.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from backprop_gui.core.debugger_state import Event, Field, Selection
from backprop_gui.core.features import feature_text
from backprop_gui.core.formatting import INPUT_NAMES, TARGET_NAMES, data_label, format_number, short_label
from backprop_gui.core.formatting import subscript as subscript_digits
from backprop_gui.core.formulas import Sym
from backprop_gui.core.formulas import index as subscript
from backprop_gui.core.optimizers import parameter_layout
from backprop_gui.core.stepper import Phase, PhaseStep, Quantity, Stepper
from backprop_gui.ui.common.colors import is_dark, mix
from backprop_gui.ui.common.rich_text import number_font, sup, sym_html
from backprop_gui.ui.common.scrolling import scrolling
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.common.shown import ShownRefresh
from backprop_gui.ui.stepping.cut_columns import CutColumnCovers
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.pass_page import PASS_CHANGES

MAX_VISIBLE_ROWS = 10
_MATRICES = (Quantity.GRAD_WEIGHTS, Quantity.NEW_WEIGHTS)  # (n_l, n_{l-1}), shown whole
MAX_MEASURED_CELLS = 4000  # tables up to this size fit each column to its numbers
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" for a widget's size
SHORTEST_ROW_NAME = 8  # characters of a row's name a narrow table still shows (``fit_row_names``)
EDIT_HINT = "<br/><i>Double-click to edit</i>"
HELD = "?"  # a known value held back until the formula panel reveals it
Getter = Callable[[Stepper], tuple[np.ndarray, np.ndarray]]  # (values, known rows)
ModelIndex = QModelIndex | QPersistentModelIndex
_ZEROS = str.maketrans("123456789", "000000000")  # a number's shape: the numbers' font has equal-width digits
# The roles a cell answers, as the numbers Qt passes (a view asks for more, an icon, a check state,
# for every cell it paints: seven calls a cell, so the constants below are worked out once).
_DISPLAY, _TOOLTIP, _ALIGNMENT, _FONT, _BACKGROUND, _FOREGROUND = (
    role.value
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
    )
)
_ROLES = frozenset((_DISPLAY, _TOOLTIP, _ALIGNMENT, _FONT, _BACKGROUND, _FOREGROUND))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


@cache
def _numbers_font(bold: bool) -> QFont:
    """``number_font(bold)``, made once: a view asks for it for every cell it paints."""
    return number_font(bold)


def full_precision(value: float) -> str:
    """``value`` with every digit it has (shortest round-trip form), with a true minus sign."""
    if not math.isfinite(value):
        return format_number(value)
    return repr(float(value)).replace("-", "−")


@dataclass(frozen=True)
class StepperValue:
    """A getter of ``quantity`` in ``layer`` as the stepper reveals it: the first sample's column
    (the whole (n_l, n_{l-1}) matrix for weights and their gradients) and its known rows."""

    quantity: Quantity
    layer: int = 0

    def __call__(self, stepper: Stepper) -> tuple[np.ndarray, np.ndarray]:
        revealed = stepper.value(self.quantity, self.layer)
        values = revealed.values
        if values.ndim == 2 and self.quantity not in _MATRICES:
            values = values[:, 0]
        return values, revealed.known


def _optimizer_buffer(layer: int, key: str, biases: bool, after: bool = False) -> Getter:
    """The optimiser's buffer ``key`` (v or m) of b^l (``biases``) or w^l, as the pass started, or
    (``after``) after its Update, known only at Update; zeros for a fresh optimiser."""

    def get(stepper: Stepper) -> tuple[np.ndarray, np.ndarray]:
        state = stepper.update.state if after else stepper.state_before
        layout = parameter_layout(stepper.network)
        buffer = state.buffers.get(key) if state.name == stepper.rule.optimizer.name else None
        if buffer is None or len(buffer) != layout.size:
            buffer = np.zeros(layout.size)
        weights, bias_values = layout.split(buffer)
        values = (bias_values if biases else weights)[layer]
        return values, np.full(values.shape[0], stepper.at_end or not after)

    return get


BUFFER_NAMES = {
    "m": "first moment",
    "v": "second moment",
}  # Adam's; momentum's v is a velocity, RMSprop's a mean square


def _parameters(layer: int, biases: bool) -> Getter:
    """w^l or b^l as they were when the pass started (always known)."""

    def get(stepper: Stepper) -> tuple[np.ndarray, np.ndarray]:
        values = stepper.weights_before(layer)[1 if biases else 0]
        return values, np.ones(values.shape[0], dtype=bool)

    return get


@dataclass(frozen=True)
class Column:
    """One column of a neuron table: its header, each row's name, its values, the phase computing it.

    ``after``, when given and known, is shown next to the value as "old → new" (Update).
    ``parameter``: the column is the bias b^l, which a double-click edits.
    """

    header: str
    symbol: Callable[[int], Sym]
    values: Getter
    phase: PhaseStep | None = None
    after: Getter | None = None
    parameter: bool = False


class _ValueModel(QAbstractTableModel):
    """Shared behaviour: cached arrays, formatting, fonts, alignment, emphasis of the current phase,
    and the values ``reveal`` (the formula panel followed, if any) holds back shown as "?"."""

    def __init__(self, model: SessionModel, layer: int) -> None:
        super().__init__()
        self.model = model
        self.layer = layer
        self.reveal: FormulaView | None = None
        self._tint = QColor()
        self._muted = QColor()

    def set_colors(self, tint: QColor, muted: QColor) -> None:
        """``tint``: the background of the current phase's cells; ``muted``: the text of held-back ones."""
        self._tint = tint
        self._muted = muted

    def _held(self, getter: Getter | None) -> bool:
        """Whether the values ``getter`` reads are held back until the formula panel reveals them."""
        return (
            self.reveal is not None
            and isinstance(getter, StepperValue)
            and self.reveal.holds_back(getter.quantity, getter.layer)
        )

    def refresh(self) -> bool:
        """Re-read the stepper's numbers; if any cell may show otherwise, tell the views and return True
        (a step leaves most tables as they were, and they are not repainted then)."""
        shape = (self.rowCount(), self.columnCount())
        shown = self._shown()
        self._load()
        if shape != (self.rowCount(), self.columnCount()):
            self.beginResetModel()
            self.endResetModel()
            return True
        if not shape[0] or not shape[1] or _same(shown, self._shown()):
            return False
        self.dataChanged.emit(self.index(0, 0), self.index(shape[0] - 1, shape[1] - 1))
        return True

    def _load(self) -> None:
        raise NotImplementedError

    def _numbers(self) -> tuple:
        """The arrays and flags the cells are drawn from (``_shown``)."""
        raise NotImplementedError

    def _shown(self) -> tuple:
        """Everything the cells' look depends on: the numbers loaded (copied: a getter may hand out an
        array that changes in place later), the precision and the colours."""
        numbers = tuple(np.array(part) if isinstance(part, np.ndarray) else part for part in _flat(self._numbers()))
        return numbers, self.model.precision, self._tint.rgba(), self._muted.rgba()

    def column_texts(self, column: int) -> list[str]:
        """The texts of the cells of ``column``, as ``data`` shows them (read straight from the cache)."""
        raise NotImplementedError

    def current_columns(self) -> list[int]:
        """The columns of what the current phase computed (emphasised), left to right."""
        raise NotImplementedError

    def _cell(self, value: float, known: bool, new: float | None, held: bool = False, new_held: bool = False) -> str:
        """The cell's text: "" unknown, the value, or "old → new" at Update; "?" for what is held back."""
        if not known:
            return ""
        text = HELD if held else self.model.format(value)
        return text if new is None else f"{text} → {HELD if new_held else self.model.format(new)}"

    def _tooltip(
        self,
        sym: Sym,
        value: float,
        known: bool,
        new: float | None,
        pending: str,
        held: bool = False,
        new_held: bool = False,
    ) -> str:
        name = sym_html(sym)
        if not known:
            return f"{name}: not yet known — {html.escape(pending)}"
        shown = self._held_text() if held else html.escape(full_precision(value))
        if new is None:
            return f"{name} = {shown}"
        after = self._held_text() if new_held else html.escape(full_precision(new))
        return f"{name} = {shown} before Update<br/>{name} = {after} after Update"

    def _held_text(self) -> str:
        key = self.reveal.reveal_shortcut if self.reveal is not None else ""
        return f"<i>{HELD} — not revealed yet" + (f" (press {html.escape(key)})" if key else "") + "</i>"

    def _style(self, role: int, current: bool, known: bool, held: bool = False) -> object:
        """A cell's font, background or text colour (``role``); its alignment is always ``_RIGHT``."""
        if role == _FONT:
            return _numbers_font(current and known and not held)
        if role == _BACKGROUND and current and known and self._tint.isValid():
            return self._tint
        if role == _FOREGROUND and held and known and self._muted.isValid():
            return self._muted
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        return _CELL_FLAGS

    def to_selection(self, index: ModelIndex) -> Selection:
        raise NotImplementedError

    def index_of(self, selection: Selection | None) -> QModelIndex:
        raise NotImplementedError

    def parameter_at(self, index: ModelIndex) -> Selection | None:
        """The weight or bias a double-click on ``index`` edits, if the cell shows one."""
        return None


def _data_labels(labels: list[str], symbols: tuple[str, ...]) -> list[str]:
    """The data set's column names for the rows' headers, leaving out those that only repeat the course name."""
    return [data_label(labels, i, symbols, whole=True) for i in range(len(labels))]  # (cut short as shown)


class NeuronTableModel(_ValueModel):
    """Rows are the neurons j of one layer; columns are quantities (z, a, δ, …) from ``columns``.

    ``selection_layer`` is the layer a row selects (0 for the inputs).
    """

    def __init__(
        self, model: SessionModel, layer: int, columns: list[Column], row_labels: list[str] | None = None
    ) -> None:
        super().__init__(model, layer)
        self.columns = columns
        self.row_labels = row_labels or []
        self._rows = 0
        self._cache: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []
        self._held_columns: list[tuple[bool, bool]] = []  # per column: (values held back, new values held back)
        self._load()

    def _load(self) -> None:
        stepper = self.model.stepper
        self._cache = []
        for column in self.columns:
            values, known = column.values(stepper)
            after = None
            if column.after is not None:
                new, new_known = column.after(stepper)
                after = np.where(new_known, new, np.nan)
            self._cache.append((values, known, after))
        self._held_columns = [(self._held(column.values), self._held(column.after)) for column in self.columns]
        self._rows = len(self._cache[0][0]) if self._cache else 0

    def _numbers(self) -> tuple:
        return (*self._cache, *self._held_columns, tuple(self.current_columns()))

    def current_columns(self) -> list[int]:
        current = self.model.stepper.current
        return [i for i, column in enumerate(self.columns) if current is not None and column.phase == current]

    def rowCount(self, parent: ModelIndex | None = None) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent is not None and parent.isValid() else self._rows

    def column_texts(self, column: int) -> list[str]:
        values, known, after = self._cache[column]
        held, new_held = self._held_columns[column]
        return [
            self._cell(
                float(values[row]),
                bool(known[row]),
                None if after is None or not math.isfinite(after[row]) else float(after[row]),
                held,
                new_held,
            )
            for row in range(self._rows)
        ]

    def columnCount(self, parent: ModelIndex | None = None) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent is not None and parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        rows = orientation == Qt.Orientation.Vertical
        label = self.row_labels[section] if rows and section < len(self.row_labels) else ""
        if role == Qt.ItemDataRole.ToolTipRole and len(label) > SHORTEST_ROW_NAME:
            return label  # the whole of a name the header may show cut short
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section].header
        return f"{section + 1}  {short_label(label)}" if label else str(section + 1)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in _ROLES or not index.isValid():
            return None
        if role == _ALIGNMENT:
            return _RIGHT
        column_number, row = index.column(), index.row()
        column = self.columns[column_number]
        values, known, after = self._cache[column_number]
        held, new_held = self._held_columns[column_number]
        is_known = bool(known[row])
        new = None if after is None or not math.isfinite(after[row]) else float(after[row])
        if role == _DISPLAY:
            return self._cell(float(values[row]), is_known, new, held, new_held)
        if role == _TOOLTIP:
            pending = f"computed in {column.phase.label}" if column.phase else ""
            tip = self._tooltip(column.symbol(row), float(values[row]), is_known, new, pending, held, new_held)
            return tip + EDIT_HINT if column.parameter else tip
        current = column.phase is not None and column.phase == self.model.stepper.current
        return self._style(role, current, is_known, held or (new is not None and new_held))

    def to_selection(self, index: ModelIndex) -> Selection:
        return Selection(self.layer, index.row())

    def parameter_at(self, index: ModelIndex) -> Selection | None:
        return self.to_selection(index) if index.isValid() and self.columns[index.column()].parameter else None

    def index_of(self, selection: Selection | None) -> QModelIndex:
        if selection is None or selection.is_edge or selection.layer != self.layer or selection.j >= self._rows:
            return QModelIndex()
        return self.index(selection.j, 0)


class MatrixTableModel(_ValueModel):
    """w^l or ∂C/∂w^l of one layer: rows j, columns k; cell (j, k) is the edge w_jk^l."""

    def __init__(
        self,
        model: SessionModel,
        layer: int,
        symbol: str,
        values: Getter,
        phase: PhaseStep,
        after: Getter | None = None,
        parameter: bool = False,
    ) -> None:
        super().__init__(model, layer)
        self.symbol = symbol
        self.getter = values
        self.phase = phase
        self.after = after
        self.parameter = parameter  # the cells are the weights w_jk^l, which a double-click edits
        self._values = np.zeros((0, 0))
        self._known = np.zeros(0, dtype=bool)
        self._new: np.ndarray | None = None
        self._held_values = self._held_new = False
        self._load()

    def _load(self) -> None:
        stepper = self.model.stepper
        self._values, self._known = self.getter(stepper)
        self._new = None
        if self.after is not None:
            new, known = self.after(stepper)
            self._new = new if known.all() else None
        self._held_values, self._held_new = self._held(self.getter), self._held(self.after)

    def _numbers(self) -> tuple:
        current = self.phase == self.model.stepper.current
        return self._values, self._known, self._new, self._held_values, self._held_new, current

    def current_columns(self) -> list[int]:
        return list(range(self.columnCount())) if self.phase == self.model.stepper.current else []

    def rowCount(self, parent: ModelIndex | None = None) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent is not None and parent.isValid() else self._values.shape[0]

    def column_texts(self, column: int) -> list[str]:
        held, new_held = self._held_values, self._held_new
        return [
            self._cell(
                float(self._values[j, column]),
                bool(self._known[j]),
                None if self._new is None else float(self._new[j, column]),
                held,
                new_held,
            )
            for j in range(self._values.shape[0])
        ]

    def columnCount(self, parent: ModelIndex | None = None) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent is not None and parent.isValid() else self._values.shape[1]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            return f"k = {section + 1}" if orientation == Qt.Orientation.Horizontal else f"j = {section + 1}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if orientation == Qt.Orientation.Horizontal:
                return f"column k = {section + 1}: from neuron {section + 1} of layer {self.layer - 1}"
            return f"row j = {section + 1}: into neuron {section + 1} of layer {self.layer}"
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in _ROLES or not index.isValid():
            return None
        if role == _ALIGNMENT:
            return _RIGHT
        j, k = index.row(), index.column()
        known = bool(self._known[j])
        value = float(self._values[j, k])
        new = None if self._new is None else float(self._new[j, k])
        held, new_held = self._held_values, self._held_new
        if role == _DISPLAY:
            return self._cell(value, known, new, held, new_held)
        if role == _TOOLTIP:
            sym = Sym(self.symbol, subscript(j, k), str(self.layer))
            tip = self._tooltip(sym, value, known, new, f"computed in {self.phase.label}", held, new_held)
            return tip + EDIT_HINT if self.parameter else tip
        current = self.phase == self.model.stepper.current
        return self._style(role, current, known, held or (new is not None and new_held))

    def to_selection(self, index: ModelIndex) -> Selection:
        return Selection(self.layer, index.row(), index.column())

    def parameter_at(self, index: ModelIndex) -> Selection | None:
        return self.to_selection(index) if index.isValid() and self.parameter else None

    def index_of(self, selection: Selection | None) -> QModelIndex:
        if selection is None or selection.k is None or selection.layer != self.layer:
            return QModelIndex()
        if selection.j >= self.rowCount() or selection.k >= self.columnCount():
            return QModelIndex()
        return self.index(selection.j, selection.k)


def _flat(parts: tuple) -> list:
    """``parts`` with the tuples in it opened, once: (a, (b, c)) → [a, b, c]."""
    return [item for part in parts for item in (part if isinstance(part, tuple) else (part,))]


def _same(a: tuple, b: tuple) -> bool:
    """Whether two ``_shown`` tuples are equal, arrays compared by value (NaN equal to NaN)."""
    (left, *rest_a), (right, *rest_b) = a, b
    if rest_a != rest_b or len(left) != len(right):
        return False
    for x, y in zip(left, right, strict=True):
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape == y.shape):
                return False
            if not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
                return False
        elif x != y:
            return False
    return True


# --- the views ------------------------------------------------------------------------------


class ValueTable(QTableView):
    """A table of one ``_ValueModel``: compact rows, fixed-width numbers, one selection at a time."""

    def __init__(self, table_model: _ValueModel, rows: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(table_model)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        behaviour = QAbstractItemView.SelectionBehavior
        self.setSelectionBehavior(behaviour.SelectRows if rows else behaviour.SelectItems)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setCornerButtonEnabled(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a data set's long row names
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setAutoFillBackground(True)  # (``ValuesPanel``: a page shown repaints once)
        for corner in self.findChildren(QAbstractButton):  # the corner button, drawn as a header
            corner.setAutoFillBackground(True)
        self._row_height = 0
        self._widths: tuple[str, dict[str, int]] = ("", {})  # (font key, width of each shape of text measured)
        self._fitted_in = ""  # the font key the columns were last fitted in
        self._columns_in_view: list[int] = []  # the columns ``show_columns`` keeps in view
        self.caption: QWidget | None = None  # the caption above it on its page
        self._has_scrolled_sideways = False  # once it has, the room for its scroll bar stays (``fit_height``)
        self._covers = CutColumnCovers(self)  # no digits of a number cut by the edge read as another number
        self._size_rows()

    def numbers_font(self, bold: bool = False) -> QFont:
        """The font the cells' numbers are drawn in: ``number_font`` in this table's font."""
        return number_font(bold).resolve(self.font())

    def _size_rows(self) -> None:
        """Rows as tall as the numbers' font, and no column narrower than a number."""
        metrics = QFontMetrics(self.numbers_font())
        self._row_height = metrics.height() + 8
        self.verticalHeader().setDefaultSectionSize(self._row_height)
        self.horizontalHeader().setMinimumSectionSize(metrics.horizontalAdvance("−0.0000") + 12)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presenting, or a new application font
            self._size_rows()
            self._has_scrolled_sideways = False  # the columns are fitted to the new font, then it is seen again
            self.fit_height()  # the columns follow at the next refresh (``fitted``)

    def fit_row_names(self) -> None:
        """Row names (a data set's names for its targets) no wider than the room the columns leave, cut
        in the middle (the whole name is the row's tooltip), but never to fewer than about
        ``SHORTEST_ROW_NAME`` characters: the columns scroll sideways beside those."""
        header = self.verticalHeader()
        room = self.width() - 2 * self.frameWidth() - self.horizontalHeader().length() - self._row_bar_width()
        natural = header.sizeHint().width()
        shortest = min(natural, header.fontMetrics().horizontalAdvance("1 W" + "w" * (SHORTEST_ROW_NAME - 1) + "…"))
        limit = max(shortest, room) if room < natural else QWIDGETSIZE_MAX
        if limit != header.maximumWidth():
            header.setMaximumWidth(limit)
            self.updateGeometries()  # the header's new width, and the room it leaves the columns

    def fit_height(self) -> None:
        """As tall as its rows (at most MAX_VISIBLE_ROWS; more scroll) and its header, and the scroll bar
        under them once its columns have been wider than it at this width (an empty band under a table
        that fits read as a row without numbers). The room stays until the width changes, so that the
        tables below do not move at every Update, where "old → new" widens the columns."""
        rows = min(self.model().rowCount(), MAX_VISIBLE_ROWS)
        height = rows * self._row_height + self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        # (columns not yet fitted to their numbers, at Qt's default widths, do not count)
        self._has_scrolled_sideways = self._has_scrolled_sideways or (self.fitted() and self.scrolls_sideways())
        if self._has_scrolled_sideways:
            height += self.horizontalScrollBar().sizeHint().height()
        if height != self.minimumHeight() or height != self.maximumHeight():
            self.setFixedHeight(height)

    def scrolls_sideways(self) -> bool:
        """Whether its columns are wider than the room beside its row numbers (and its own scroll bar, when
        it has more rows than it shows)."""
        return self.horizontalHeader().length() > self.maximumViewportSize().width() - self._row_bar_width()

    def _row_bar_width(self) -> int:
        """The width of its own vertical scroll bar, which it has when it has more rows than it shows."""
        return self.verticalScrollBar().sizeHint().width() if self.model().rowCount() > MAX_VISIBLE_ROWS else 0

    def _fit_around_columns(self) -> None:
        """The row names and the height, for the columns' widths as they are now."""
        self.fit_row_names()
        self.fit_height()

    def table_model(self) -> _ValueModel:
        return self.model()  # type: ignore[return-value]

    def fitted(self) -> bool:
        """Whether the columns were fitted in the numbers' font as it is now (else they must be again)."""
        return self._fitted_in == self.numbers_font(bold=True).key()

    def fit_columns(self, digits: int, updating: bool) -> None:
        """Columns as wide as their numbers; a large matrix gets one width for ``digits`` digits instead."""
        font = self.numbers_font(bold=True)
        self._fitted_in = font.key()
        model = self.table_model()
        if model.rowCount() * model.columnCount() <= MAX_MEASURED_CELLS:
            metrics = QFontMetrics(font)
            if self._widths[0] != font.key():  # text widths measured before, in this font
                self._widths = (font.key(), {})
            widths = self._widths[1]
            if len(widths) > MAX_MEASURED_CELLS:
                widths.clear()
            header, header_metrics = self.horizontalHeader(), QFontMetrics(self.horizontalHeader().font())
            for column in range(model.columnCount()):
                texts = {text.translate(_ZEROS) for text in model.column_texts(column)}  # as wide as their digits
                texts.discard("")
                for text in texts - widths.keys():
                    widths[text] = metrics.horizontalAdvance(text)
                title = str(model.headerData(column, Qt.Orientation.Horizontal))
                width = max([widths[t] for t in texts] + [header.minimumSectionSize() - 16])
                header.resizeSection(column, max(width + 16, header_metrics.horizontalAdvance(title) + 20))
        else:
            sample = format_number(-0.000123456789, digits)
            text = f"{sample} → {sample}" if updating else sample
            self.horizontalHeader().setDefaultSectionSize(QFontMetrics(font).horizontalAdvance(text) + 16)
        self._fit_around_columns()

    def show_columns(self, columns: list[int]) -> None:
        """Scroll sideways to bring ``columns`` (side by side, the current phase's) into view: all of
        them if they fit, else from the first when none is in view; and again whenever the table is
        resized (its page laid out after it was filled, a scroll bar beside it, a dock dragged)."""
        self._columns_in_view = columns
        self._scroll_to_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():  # the room for a scroll bar measured anew
            self._has_scrolled_sideways = False
            self._fit_around_columns()
        self._scroll_to_columns()

    def _scroll_to_columns(self) -> None:
        columns = [column for column in self._columns_in_view if column < self.model().columnCount()]
        if not columns:
            return
        header, bar = self.horizontalHeader(), self.horizontalScrollBar()
        left = header.sectionPosition(columns[0])
        right = header.sectionPosition(columns[-1]) + header.sectionSize(columns[-1])
        shown = bar.value()
        scroll_to = scroll_target(left, right, shown, self.viewport().width())
        if scroll_to != shown:
            self.updateGeometries()  # the scroll range of the widths fitted just now
            bar.setValue(scroll_to)


def scroll_target(start: int, end: int, shown: int, length: int) -> int:
    """Where a scroll bar at ``shown`` goes (px) to bring the span ``start``–``end`` into a view
    ``length`` long: all of it if it fits, moving as little as it can; else nowhere while some of it
    is in view, and to its start when none of it is."""
    if end - start > length:
        return start if end <= shown or start >= shown + length else shown
    return start if start < shown else end - length if end > shown + length else shown


class Caption(QLabel):
    """A table's caption: rich text, wrapped to the panel's width, that remembers its height at each
    width. A page shown again (the tabs follow the phase) is laid out again, and a wrapped label lays
    its text out again for every height it is asked for: a sixth of the time of showing the page."""

    def __init__(self, rich_text: str) -> None:
        super().__init__(rich_text)
        self._heights: dict[int, int] = {}  # by width, for the text and font as they are
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setAutoFillBackground(True)  # (``ValuesPanel``: a page shown repaints once)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        if text != self.text():
            self._heights.clear()
            super().setText(text)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt's name)
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._heights.clear()
        super().changeEvent(event)


def neuron_columns(model: SessionModel, l: int) -> list[Column]:
    """The neuron table of layer ``l``: z, a, δ and, with a bias, ∂C/∂b and b (old → new at Update)."""
    layer = model.session.network.layer(l)
    forward, backward = PhaseStep(Phase.FORWARD, l), PhaseStep(Phase.BACKWARD, l)
    top = str(l)
    columns = [
        Column(f"z{sup(l)}", lambda j: Sym("z", subscript(j), top), StepperValue(Quantity.WEIGHTED_INPUT, l), forward),
        Column(f"a{sup(l)}", lambda j: Sym("a", subscript(j), top), StepperValue(Quantity.ACTIVATION, l), forward),
        Column(f"δ{sup(l)}", lambda j: Sym("δ", subscript(j), top), StepperValue(Quantity.DELTA, l), backward),
    ]
    if layer.has_bias:
        columns += [
            Column(
                f"∂C/∂b{sup(l)}", lambda j: Sym("∂C/∂b", subscript(j), top),
                StepperValue(Quantity.GRAD_BIASES, l), backward,
            ),
            Column(
                f"b{sup(l)}", lambda j: Sym("b", subscript(j), top), _parameters(l, biases=True),
                PhaseStep(Phase.UPDATE), after=StepperValue(Quantity.NEW_BIASES, l), parameter=True,
            ),
        ]  # fmt: skip
        for key in model.session.training.rule.optimizer.rule.buffers:
            columns.append(_buffer_column(l, key))
    return columns


def _buffer_column(l: int, key: str) -> Column:
    """The optimiser's buffer ``key`` of b^l, old → new at Update."""

    def symbol(j: int) -> Sym:
        return Sym(key, subscript(j), str(l))

    after = _optimizer_buffer(l, key, biases=True, after=True)
    return Column(f"{key}{sup(l)} of b", symbol, _optimizer_buffer(l, key, biases=True), PhaseStep(Phase.UPDATE), after)


class ValuesPanel(QWidget):
    """Tabs "Sample", "Layer 1" … "Layer L" of value tables, kept in step with the session model
    (and, after ``follow_reveal``, with the numbers a formula panel holds back).

    The panel fills itself with its tabs without a layout: raising a tab hides one page and shows
    another, and a layout would pass that up as a change of size, so that every step that follows the
    phase to another tab laid out the whole window again. Its size hints are the tabs'; it says they
    changed itself (a rebuild, a new font or style).

    The captions, tables and tab bar fill their own backgrounds: Qt paints an opaque widget once when
    its page is shown, where it painted one that lets the page show through twice (with the page, then
    again with the window behind it), and a tab bar that lets the dock show through repainted the dock."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.tabBar().setAutoFillBackground(True)
        self.tables: list[ValueTable] = []
        self._pages: list[list[ValueTable]] = []
        self._dirty: set[int] = set()
        self._syncing = False
        self._own_selection = False
        self._architecture: tuple = ()
        self._reveal: FormulaView | None = None
        self._pending_drawn = False  # whether the pages were drawn while the formula panel held numbers back
        self._phase_moved = False  # the pass moved since the panel last followed it to the phase's tab
        self._pass_followed: object = model.stepper.record  # the pass (its record) the tabs followed last
        self._shown = ShownRefresh(self, self._catch_up)  # a closed or tabbed-away panel draws once seen
        self._muted = QColor()
        self.loss_label: Caption
        self.sample_label: QLabel
        self.tabs.currentChanged.connect(self._refresh_page)
        model.changed.connect(self._on_changed)
        self._build()

    # --- building -----------------------------------------------------------------

    def _architecture_key(self) -> tuple:
        session = self.model.session
        network = session.network
        return (
            tuple(network.sizes),
            tuple((layer.activation, layer.has_bias) for layer in network.layers),
            tuple(session.data.input_labels),
            tuple(session.data.target_labels),
            session.training.rule.optimizer.name,
        )

    def _build(self) -> None:
        current = self.tabs.currentIndex()
        self._architecture = self._architecture_key()
        self.tabs.blockSignals(True)
        while self.tabs.count():
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if page is not None:
                page.deleteLater()
        self.tables, self._pages = [], []
        self.loss_label = Caption("")
        self.sample_label = QLabel()
        self.sample_label.setTextFormat(Qt.TextFormat.PlainText)
        self.sample_label.setAutoFillBackground(True)
        self._add_sample_page()
        for l in range(1, self.model.session.network.depth + 1):
            self._add_layer_page(l)
        self.tabs.blockSignals(False)
        self.tabs.setCurrentIndex(max(0, min(current, self.tabs.count() - 1)))
        self._dirty = set(range(self.tabs.count()))
        self._restyle()
        self._refresh_page(self.tabs.currentIndex())
        self._sync_selection(switch_tab=False)
        self.updateGeometry()  # the new tables' sizes

    def _add_table(
        self, page_tables: list[ValueTable], table_model: _ValueModel, rows: bool, caption: QWidget
    ) -> ValueTable:
        table_model.reveal = self._reveal
        table = ValueTable(table_model, rows)
        table.caption = caption
        table.selectionModel().currentChanged.connect(
            lambda current, _previous, t=table: self._table_clicked(t, current)
        )
        table.doubleClicked.connect(lambda index, t=table: self._double_clicked(t, index))
        table.fit_height()
        page_tables.append(table)
        self.tables.append(table)
        return table

    def _add_sample_page(self) -> None:
        model, session = self.model, self.model.session
        L = session.network.depth
        tables: list[ValueTable] = []
        features = session.network.features
        inputs = NeuronTableModel(
            model,
            0,
            [Column("x", lambda k: Sym("x", subscript(k)), StepperValue(Quantity.INPUT))]
            if features is None
            else [Column("a⁰", lambda k: Sym("a", subscript(k), "0"), StepperValue(Quantity.INPUT))],
            _data_labels(session.data.input_labels, INPUT_NAMES)
            if features is None
            else [f"a{subscript_digits(k + 1)}⁰ = {feature_text(n)}" for k, n in enumerate(features)],
        )
        top = str(L)
        outputs = NeuronTableModel(
            model,
            L,
            [
                Column(
                    f"a{sup(L)} = y", lambda j: Sym("a", subscript(j), top), StepperValue(Quantity.ACTIVATION, L),
                    PhaseStep(Phase.FORWARD, L),
                ),
                Column("t", lambda j: Sym("t", subscript(j)), StepperValue(Quantity.TARGET)),
                Column(
                    f"∂C/∂a{sup(L)}", lambda j: Sym("∂C/∂a", subscript(j), top), StepperValue(Quantity.OUTPUT_GRADIENT),
                    PhaseStep(Phase.LOSS),
                ),
            ],
            _data_labels(session.data.target_labels, TARGET_NAMES),
        )  # fmt: skip
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.sample_label)
        layout.addWidget(self.loss_label)
        for title, table_model in (
            (f"<b>Input</b> {sym_html(Sym('x'))} = {sym_html(Sym('a', '', '0'))} (rows k)", inputs),
            (f"<b>Output</b> {sym_html(Sym('a', '', top))} and target {sym_html(Sym('t'))} (rows j)", outputs),
        ):  # fmt: skip
            layout.addSpacing(6)
            layout.addWidget(caption := Caption(title))
            layout.addWidget(self._add_table(tables, table_model, rows=True, caption=caption))
        layout.addStretch(1)
        self._pages.append(tables)
        self.tabs.addTab(scrolling(page), "Sample")

    def _add_layer_page(self, l: int) -> None:
        model = self.model
        network = model.session.network
        layer = network.layer(l)
        tables: list[ValueTable] = []
        neurons = NeuronTableModel(model, l, neuron_columns(model, l))
        backward = PhaseStep(Phase.BACKWARD, l)
        weights = MatrixTableModel(
            model,
            l,
            "w",
            _parameters(l, biases=False),
            PhaseStep(Phase.UPDATE),
            after=StepperValue(Quantity.NEW_WEIGHTS, l),
            parameter=True,
        )
        gradients = MatrixTableModel(model, l, "∂C/∂w", StepperValue(Quantity.GRAD_WEIGHTS, l), backward)
        kind = "output layer" if l == network.depth else "hidden layer"
        bias = "" if layer.has_bias else ", no bias"
        w, dw = sym_html(Sym("w", "jk", str(l))), sym_html(Sym("∂C/∂w", "jk", str(l)))
        prev = "inputs x" if l == 1 else f"layer {l - 1}"
        captions: tuple[str, ...] = (
            f"<b>Neurons of layer {l}</b> (rows j) — {kind}, {html.escape(layer.activation)}{bias}",
            f"<b>Weights</b> {w}: row j, column k, from neuron k of {prev} to neuron j",
            f"<b>Weight gradients</b> {dw} = {sym_html(Sym('a', 'k', str(l - 1)))} {sym_html(Sym('δ', 'j', str(l)))}",
        )
        optimizer = model.session.training.rule.optimizer
        buffers = [
            MatrixTableModel(model, l, key, _optimizer_buffer(l, key, False), PhaseStep(Phase.UPDATE),
                             after=_optimizer_buffer(l, key, False, after=True))
            for key in optimizer.rule.buffers
        ]  # fmt: skip
        names = {"momentum": {"v": "velocity"}, "rmsprop": {"v": "mean square"}}.get(optimizer.name, BUFFER_NAMES)
        captions += tuple(
            f"<b>{optimizer.rule.title} state</b> {sym_html(Sym(key, 'jk', str(l)))}: the {names[key]} of "
            f"{dw} (old → new at Update)"
            for key in optimizer.rule.buffers
        )
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(6, 6, 6, 6)
        for caption, table_model, rows in zip(
            captions,
            (neurons, weights, gradients, *buffers),
            (True, False, False, *[False] * len(buffers)),
            strict=True,
        ):
            layout.addSpacing(6)
            layout.addWidget(title := Caption(caption))
            layout.addWidget(self._add_table(tables, table_model, rows, title))
        layout.addStretch(1)
        self._pages.append(tables)
        self.tabs.addTab(scrolling(page), f"Layer {l}")
        self.tabs.setTabToolTip(self.tabs.count() - 1, f"z, a, δ, gradients, weights and biases of layer {l}")

    # --- keeping up with the model ------------------------------------------------

    def follow_reveal(self, source: FormulaView) -> None:
        """Show what ``source`` holds back (``holds_back``: numbers on request) as a muted "?", and at
        Update the held-back new weights and biases as "old → ?", until ``source`` reveals them."""
        self._reveal = source
        for table in self.tables:
            table.table_model().reveal = source
        source.revealChanged.connect(self._reveal_changed)
        self._redraw_all()

    def _reveal_changed(self, pending: bool) -> None:
        if pending != self._pending_drawn:  # a step that already redrew the page needs no second refresh
            self._redraw_all()

    def _redraw_all(self) -> None:
        self._dirty = set(range(self.tabs.count()))
        self._shown.request()

    def _holds_back(self, quantity: Quantity) -> bool:
        return self._reveal is not None and self._reveal.holds_back(quantity)

    def page_of(self, selection: Selection) -> int:
        """The tab that shows ``selection``: Sample for inputs, else its layer's tab."""
        return 0 if selection.layer == 0 else selection.layer

    def _on_changed(self, event: Event) -> None:
        if event.field not in PASS_CHANGES:
            return
        if event.field in (Field.NETWORK, Field.SESSION) and self._architecture_key() != self._architecture:
            self._build()
            return
        if event.field == Field.SELECTION:
            self._sync_selection(switch_tab=not self._own_selection)
            return
        if event.field == Field.SESSION:
            self._sync_selection(switch_tab=False)
        self._dirty = set(range(self.tabs.count()))
        self._phase_moved |= event.field == Field.PASS
        self._shown.request()  # now if seen, else once it is

    def _catch_up(self) -> None:
        """Draw what changed since the panel last drew: the tab of the phase, scrolled to its tables."""
        if self._phase_moved:
            self._phase_moved = False
            self._follow_phase()  # a tab it raises is drawn as it shows (``currentChanged``), once
            QTimer.singleShot(0, self, self._show_phase_tables)  # once a tab shown anew is laid out
        self._refresh_page(self.tabs.currentIndex())

    def _show_phase_tables(self) -> None:
        """Scroll the current tab up or down to the tables (with their captions) that hold what the
        phase computed: all of them if they fit, else from the first."""
        page = self.tabs.currentIndex()
        area = self.tabs.widget(page)
        if page < 0 or not isinstance(area, QScrollArea):
            return
        tables = [table for table in self._pages[page] if table.table_model().current_columns()]
        if not tables:
            return
        top = min((table.caption or table).geometry().top() for table in tables)
        bottom = max(table.geometry().bottom() + 1 for table in tables)
        bar = area.verticalScrollBar()
        bar.setValue(scroll_target(top, bottom, bar.value(), area.viewport().height()))

    def _follow_phase(self) -> None:
        """Show the tab of the layer the phase just computed (Forward l, Backward l); Loss, and the
        Start of a new pass (the next sample's x and t), show the sample's tab; Update, and a step
        back to the Start of the same pass, stay where they are (old and new weights side by side)."""
        stepper = self.model.stepper
        current = stepper.current
        new_pass, self._pass_followed = stepper.record is not self._pass_followed, stepper.record
        if current is None:
            if not new_pass:
                return
            page = 0
        elif current.phase is Phase.UPDATE:
            return
        else:
            page = current.layer if current.phase in (Phase.FORWARD, Phase.BACKWARD) else 0
        if page < self.tabs.count():
            self.tabs.setCurrentIndex(page)

    def _refresh_page(self, page: int) -> None:
        if page < 0 or page not in self._dirty:
            return
        self._dirty.discard(page)
        self._pending_drawn = self._reveal is not None and self._reveal.reveal_pending
        stepper = self.model.stepper
        updating = stepper.at_end
        for table in self._pages[page]:
            if table.table_model().refresh() or not table.fitted():  # columns follow what changed
                table.fit_columns(self.model.precision, updating)
            table.show_columns(table.table_model().current_columns())  # what the phase computed, in view
        if page == 0:
            self._refresh_sample_labels()

    def _refresh_sample_labels(self) -> None:
        stepper = self.model.stepper
        count = stepper.batch_count
        self.sample_label.setText(f"Sample {stepper.batch + 1} of {count}")
        loss = stepper.value(Quantity.LOSS)
        name = sym_html(Sym("C"))
        if loss.known[0] and self._holds_back(Quantity.LOSS):
            key = self._reveal.reveal_shortcut if self._reveal is not None else ""
            press = f" (press {html.escape(key)})" if key else ""
            text = f'<b>Loss</b> {name} = <b style="color:{self._muted.name()}">{HELD}</b>'
            self.loss_label.setToolTip(f"{name} = <i>{HELD} — not revealed yet{press}</i>")
        elif loss.known[0]:
            value = float(loss.values[0, 0])
            text = f"<b>Loss</b> {name} = <b>{html.escape(self.model.format(value))}</b>"
            self.loss_label.setToolTip(f"{name} = {html.escape(full_precision(value))}")
        else:
            text = f"<b>Loss</b> {name}: not yet known — computed in Loss"
            self.loss_label.setToolTip("")
        self.loss_label.setText(text)

    def _restyle(self) -> None:
        palette = self.palette()
        tint = QColor(palette.color(QPalette.ColorRole.Highlight))
        tint.setAlphaF(0.28 if is_dark(palette) else 0.16)
        self._muted = mix(palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text), 0.55)
        for table in self.tables:
            table.table_model().set_colors(tint, self._muted)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.tables:
            self._restyle()
            self._redraw_all()
        if event.type() == QEvent.Type.FontChange and self.tables:  # the tables' rows are sized already
            self._redraw_all()  # their columns fitted to the numbers in the new font
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.tabs.setGeometry(self.rect())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self.tabs.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self.tabs.minimumSizeHint()

    def _table_clicked(self, table: ValueTable, current: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        self._own_selection = True
        try:
            self.model.set_selection(table.table_model().to_selection(current))
        finally:
            self._own_selection = False

    def _double_clicked(self, table: ValueTable, index: QModelIndex) -> None:
        selection = table.table_model().parameter_at(index)
        if selection is not None:
            self.model.edit_requested.emit(selection)

    def _sync_selection(self, switch_tab: bool) -> None:
        selection = self.model.selection
        self._syncing = True
        try:
            for table in self.tables:
                found = table.table_model().index_of(selection)
                chooser = table.selectionModel()
                if found.isValid():
                    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
                    if table.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows:
                        flags |= QItemSelectionModel.SelectionFlag.Rows
                    sideways = table.horizontalScrollBar().value()
                    chooser.setCurrentIndex(found, flags)  # (which scrolls to it, as does scrollTo)
                    table.scrollTo(found)
                    if flags & QItemSelectionModel.SelectionFlag.Rows:  # a row: up or down only, the
                        table.horizontalScrollBar().setValue(sideways)  # phase's columns stay in view
                else:
                    chooser.clearSelection()
                    chooser.clearCurrentIndex()
            if switch_tab and selection is not None:
                self.tabs.setCurrentIndex(self.page_of(selection))
        finally:
            self._syncing = False

    def table_for(self, page: int, position: int) -> ValueTable:
        """Table ``position`` of tab ``page``: (inputs, outputs) on Sample; (neurons, w^l, ∂C/∂w^l) on a layer."""
        return self._pages[page][position]
