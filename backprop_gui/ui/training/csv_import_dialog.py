"""Import samples from a CSV file: pick the file, say which columns are inputs, targets or a class.

The dialog previews the first rows and gives every column a role; ``core.datasets.read_csv``
does the reading and its errors (ragged rows, non-numeric cells, empty files, …) are shown
in the dialog, which stays open until the import succeeds or is cancelled.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backprop_gui.core.datasets import (
    MAX_VALIDATION_FRACTION,
    Dataset,
    DatasetError,
    looks_like_header,
    read_csv,
    text_columns,
)
from backprop_gui.core.files import FileRefused, open_regular_file
from backprop_gui.ui.common.number_boxes import ExactSpinBox
from backprop_gui.ui.common.session_model import SessionModel

PREVIEW_ROWS = 12
PREVIEW_BYTES = 64 * 1024
ROLES = ("input", "target", "class (one-hot)", "ignore")
DELIMITERS = {"comma ,": ",", "semicolon ;": ";", "tab": "\t"}


def default_role(k: int, width: int, text: bool) -> str:
    """The role column ``k`` of ``width`` starts with: the last is the target, or with names in it the
    class; another is an input, or ignored when it holds text (a name or an id cannot be an input)."""
    if k == width - 1 and width > 1:
        return ROLES[2] if text else "target"
    return "ignore" if text else "input"


class CsvImportDialog(QDialog):
    """Choose a CSV file and the role of each column; ``result_data`` holds the samples once accepted."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import data from CSV")
        self.resize(640, 520)
        self.model = model
        self.result_data: Dataset | None = None
        self.role_boxes: list[QComboBox] = []

        self.path = QLineEdit()
        self.path.setPlaceholderText("a .csv file")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)

        self.header = QCheckBox("First row is a header")
        self.delimiter = QComboBox()
        self.delimiter.addItems(list(DELIMITERS))
        self.standardise = QCheckBox("Standardise inputs (mean 0, standard deviation 1)")
        self.validation = ExactSpinBox(0.0, MAX_VALIDATION_FRACTION, step=0.05)
        self.validation.setValue(model.session.data.validation_fraction)

        self.preview = QTableWidget()
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        self.error = QLabel()
        self.error.setObjectName("csv_error")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # it quotes the file's own text
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("File", file_row)
        form.addRow("Separator", self.delimiter)
        form.addRow("", self.header)
        form.addRow("", self.standardise)
        form.addRow("Validation fraction", self.validation)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Preview — choose each column's role in the first row:"))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        self.path.editingFinished.connect(self.load_preview)
        self.header.toggled.connect(lambda _: self._show_preview(keep_header=True))
        self.delimiter.currentIndexChanged.connect(lambda _: self.load_preview())
        self._rows: list[list[str]] = []

    # --- preview and roles -------------------------------------------------------------

    def set_path(self, path: str | Path) -> None:
        """Choose ``path`` and preview it."""
        self.path.setText(str(path))
        self.load_preview()

    def load_preview(self) -> None:
        """Read the first rows of the file for the preview (errors shown in the dialog)."""
        self.error.clear()
        self._rows = []
        text = self.path.text().strip()
        if text:
            try:
                with open_regular_file(text) as file:
                    head = io.TextIOWrapper(file, encoding="utf-8-sig", newline="").read(PREVIEW_BYTES)
            except FileRefused as error:
                self.error.setText(f"{text}: {error}")
            except OSError as error:
                self.error.setText(f"{text}: cannot read the file ({error.strerror or error})")
            except UnicodeDecodeError:
                self.error.setText(f"{text}: not a text file (expected UTF-8 CSV)")
            else:
                reader = csv.reader(io.StringIO(head), delimiter=self._delimiter())
                self._rows = [row for row, _ in zip(reader, range(PREVIEW_ROWS + 1), strict=False) if row]
                if not self._rows:
                    self.error.setText(f"{text}: the file is empty (no rows of data)")
        self._show_preview(keep_header=False)

    def _show_preview(self, keep_header: bool) -> None:
        rows = self._rows
        if not keep_header:
            self.header.blockSignals(True)
            self.header.setChecked(looks_like_header(rows[:2]))
            self.header.blockSignals(False)
        width = max((len(row) for row in rows), default=0)
        names = self.column_names(width)
        body = rows[1:] if self.header.isChecked() else rows
        previous = [box.currentText() for box in self.role_boxes]
        text = text_columns(body[:PREVIEW_ROWS])
        self.preview.clear()
        self.preview.setColumnCount(width)
        self.preview.setRowCount(1 + min(len(body), PREVIEW_ROWS))
        self.preview.setHorizontalHeaderLabels(names)
        self.role_boxes = []
        for k in range(width):
            box = QComboBox()
            box.addItems(ROLES)
            box.setCurrentText(previous[k] if k < len(previous) else default_role(k, width, k in text))
            self.preview.setCellWidget(0, k, box)
            self.role_boxes.append(box)
        for i, row in enumerate(body[:PREVIEW_ROWS], start=1):
            for k, cell in enumerate(row):
                self.preview.setItem(i, k, QTableWidgetItem(cell))
        self.preview.resizeColumnsToContents()

    def column_names(self, width: int) -> list[str]:
        if self.header.isChecked() and self._rows:
            first = self._rows[0]
            return [first[k] if k < len(first) and first[k] else f"column {k + 1}" for k in range(width)]
        return [f"column {k + 1}" for k in range(width)]

    def set_roles(self, roles: list[str]) -> None:
        """Give column k the role ``roles[k]`` (one of ROLES)."""
        for box, role in zip(self.role_boxes, roles, strict=False):
            box.setCurrentText(role)

    def _delimiter(self) -> str:
        return DELIMITERS[self.delimiter.currentText()]

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import data from CSV", "", "CSV files (*.csv);;All files (*)")
        if path:
            self.set_path(path)

    # --- import ------------------------------------------------------------------------

    def read(self) -> Dataset:
        """The samples as the dialog describes them; DatasetError names what is wrong and where."""
        if not self.path.text().strip():
            raise DatasetError("choose a CSV file first")
        roles = [box.currentText() for box in self.role_boxes]
        classes = [k for k, role in enumerate(roles) if role == ROLES[2]]
        if len(classes) > 1:
            raise DatasetError("only one column can be the class column")
        data = read_csv(
            Path(self.path.text().strip()),
            [k for k, role in enumerate(roles) if role == "input"],
            [k for k, role in enumerate(roles) if role == "target"],
            header=self.header.isChecked(),
            standardise=self.standardise.isChecked(),
            one_hot_column=classes[0] if classes else None,
            delimiter=self._delimiter(),
        )
        data.validation_fraction = self.validation.value()
        return data

    def accept(self) -> None:
        try:
            self.result_data = self.read()
        except DatasetError as error:
            self.error.setText(str(error))
            return
        except MemoryError:
            self.error.setText(f"{self.path.text().strip()}: not enough memory to import this data set")
            return
        super().accept()
