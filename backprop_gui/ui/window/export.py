"""File ▸ Export: the graph and the loss plot as PNG or SVG, the pass as CSV or JSON, the loss
history as CSV, and the pass as a worked solution in Markdown or LaTeX.

The text formats come from ``core.export`` and ``core.worked`` (the whole pass of the current
sample, never the user's stepper moved); pictures are drawn from the views as they are on
screen. Every file is written through QSaveFile, so a failed export never leaves half a file
behind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QDir, QIODevice, QObject, QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QWidget

from backprop_gui.core import export, npz, scripts, worked
from backprop_gui.core.debugger_state import Event, Field
from backprop_gui.core.session import Session
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.actions import ActionId, ActionKey, ActionSpec, make_action
from backprop_gui.ui.common.saving import save_bytes
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.stepping.network_view import NetworkView
from backprop_gui.ui.training.loss_plot import LossPlot

SCALES = (1, 2, 3, 4)
GRAPH_SIZE = QSize(1000, 620)  # the graph's size (at 1×) when drawn without a window, by the CLI
FILTERS = {
    "png": "PNG images (*.png)",
    "svg": "SVG drawings (*.svg)",
    "csv": "CSV tables (*.csv)",
    "json": "JSON files (*.json)",
    "md": "Markdown (*.md)",
    "tex": "LaTeX documents (*.tex)",
    "py": "Python scripts (*.py)",
    "npz": "NumPy archives (*.npz)",
}


# --- pictures -------------------------------------------------------------------------------


def _paint_graph(view: NetworkView, painter: QPainter, scale: float) -> None:
    """The whole graph (not only the part scrolled into view) with its colour legend, at ``scale``."""
    rect = view.sceneRect()
    target = QRectF(0, 0, rect.width() * scale, rect.height() * scale)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.fillRect(target, view.backgroundBrush())
    with view.drawn_directly():
        view.scene().render(painter, target, rect)
    legend = view.legend
    painter.save()
    painter.scale(scale, scale)
    legend.render(painter, QPoint(10, round(rect.height()) - legend.height() - 10))
    painter.restore()


def graph_size(view: NetworkView, scale: float = 1.0) -> QSize:
    """The pixel size of ``graph_image(view, scale)``."""
    rect = view.sceneRect()
    return QSize(max(1, round(rect.width() * scale)), max(1, round(rect.height() * scale)))


def graph_image(view: NetworkView, scale: float = 1.0) -> QImage:
    """The graph drawn at ``scale`` times its on-screen size."""
    image = QImage(graph_size(view, scale), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        _paint_graph(view, painter, scale)
    finally:
        painter.end()
    return image


def graph_svg(view: NetworkView, title: str = "") -> bytes:
    """The graph as an SVG drawing (text stays text)."""
    return _svg(graph_size(view), title, lambda painter: _paint_graph(view, painter, 1.0))


def widget_size(widget: QWidget, scale: float = 1.0) -> QSize:
    return QSize(max(1, round(widget.width() * scale)), max(1, round(widget.height() * scale)))


def widget_image(widget: QWidget, scale: float = 1.0) -> QImage:
    """``widget`` (a plot) drawn at ``scale`` times its on-screen size."""
    image = QImage(widget_size(widget, scale), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        painter.scale(scale, scale)
        _render_widget(widget, painter)
    finally:
        painter.end()
    return image


def widget_svg(widget: QWidget, title: str = "") -> bytes:
    """``widget`` (a plot) as an SVG drawing."""
    return _svg(widget_size(widget), title, lambda painter: _render_widget(widget, painter))


def _render_widget(widget: QWidget, painter: QPainter) -> None:
    QWidget.render(widget, painter, QPoint(0, 0))  # QWidget's own: a QGraphicsView overloads render


def _svg(size: QSize, title: str, paint: Callable[[QPainter], None]) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    generator.setDescription("exported by backprop-gui")
    painter = QPainter(generator)
    try:
        paint(painter)
    finally:
        painter.end()
    return bytes(buffer.data().data())


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stub says bytes; PySide6 wants str
        raise OSError("the PNG encoder failed")
    return bytes(data.data())


# --- the command line's pictures ------------------------------------------------------------


def session_graph(session: Session, sample: int) -> NetworkView:
    """A graph of ``session`` at the end of the pass of sample ``sample`` (0-based), laid out at
    ``GRAPH_SIZE`` without showing a window. Needs a QApplication."""
    model = SessionModel(session)
    model.select_sample(sample)
    model.run_to_end()
    view = NetworkView(model)
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)  # laid out as if shown, never on screen
    view.resize(GRAPH_SIZE)
    view.show()
    return view


# --- the menu -------------------------------------------------------------------------------


A = ActionId
SCALE_MENUS = ((A.EXPORT_GRAPH_PNG, "&Graph as PNG"), (A.EXPORT_LOSS_PNG, "&Loss Plot as PNG"))  # choice: scale
ACTIONS = (
    ActionSpec(A.EXPORT_GRAPH_SVG, "Graph as &SVG…", tip="The network graph as a scalable drawing"),
    ActionSpec(A.EXPORT_LOSS_SVG, "Loss Plot as S&VG…", tip="The loss plot as a scalable drawing"),
    ActionSpec(A.EXPORT_PASS_CSV, "Current Pass as &CSV…", tip="Every number of this sample's pass"),
    ActionSpec(A.EXPORT_PASS_JSON, "Current Pass as &JSON…", tip="The pass as the trace command's JSON"),
    ActionSpec(A.EXPORT_HISTORY_CSV, "Loss &History as CSV…", tip="The loss of every training step"),
    ActionSpec(A.EXPORT_SOLUTION_MARKDOWN, "Worked Solution as &Markdown…",
               tip="Every z, a, δ and gradient of this pass with its formula and numbers"),
    ActionSpec(A.EXPORT_SOLUTION_LATEX, "Worked Solution as La&TeX…",
               tip="The worked solution as a LaTeX document (amsmath)"),
    ActionSpec(A.EXPORT_PYTORCH_SCRIPT, "&PyTorch Script…", tip="A script that redoes this pass with PyTorch's "
               "autograd; run it with --check to compare every number"),
    ActionSpec(A.EXPORT_NUMPY_SCRIPT, "&NumPy Script…",
               tip="This pass in plain numpy, the δ recursion written out line by line; runs with --check too"),
    ActionSpec(A.EXPORT_WEIGHTS_NPZ, "&Weights (.npz)…", tip="The weights alone as a numpy archive: w1, b1, w2, b2, …"),
)  # fmt: skip
# A separator goes before each of these in the menu (and the loss plot's PNG sizes before its SVG)
SEPARATED = (A.EXPORT_LOSS_SVG, A.EXPORT_PASS_CSV, A.EXPORT_SOLUTION_MARKDOWN, A.EXPORT_PYTORCH_SCRIPT)


class ExportController(QObject):
    """The File ▸ Export menu of ``window`` over ``model``, exporting the ``graph`` and, when the window
    has one, the ``loss_plot``; ``actions`` by id (the PNG sizes as (id, scale) choices)."""

    def __init__(
        self, window: QMainWindow, model: SessionModel, graph: NetworkView, loss_plot: LossPlot | None
    ) -> None:
        super().__init__(window)
        self.window = window
        self.model = model
        self.graph = graph
        self.loss_plot = loss_plot.plot if loss_plot is not None else None
        self.folder = QDir.homePath()
        self.actions: dict[ActionKey, QAction] = {}
        self.menu = QMenu("E&xport", window)
        self.menu.setToolTipsVisible(True)
        slots: dict[ActionId, Callable[[], object]] = {
            A.EXPORT_GRAPH_SVG: self.export_graph_svg, A.EXPORT_LOSS_SVG: self.export_loss_svg,
            A.EXPORT_PASS_CSV: self.export_pass_csv, A.EXPORT_PASS_JSON: self.export_pass_json,
            A.EXPORT_HISTORY_CSV: self.export_history_csv, A.EXPORT_SOLUTION_MARKDOWN: self.export_markdown,
            A.EXPORT_SOLUTION_LATEX: self.export_latex, A.EXPORT_PYTORCH_SCRIPT: self.export_pytorch_script,
            A.EXPORT_NUMPY_SCRIPT: self.export_numpy_script, A.EXPORT_WEIGHTS_NPZ: self.export_weights_npz,
        }  # fmt: skip
        self.graph_png_menu = self._scale_menu(*SCALE_MENUS[0], self.export_graph_png)
        for spec in ACTIONS:
            if spec.id in SEPARATED:
                self.menu.addSeparator()
            if spec.id == A.EXPORT_LOSS_SVG:
                self.loss_png_menu = self._scale_menu(*SCALE_MENUS[1], self.export_loss_png)
            self.actions[spec.id] = make_action(window, spec, slots[spec.id])
            self.menu.addAction(self.actions[spec.id])
        self.menu.aboutToShow.connect(self.update_actions)
        model.changed.connect(self._model_changed)
        self.update_actions()

    def _scale_menu(self, id: ActionId, title: str, slot: Callable[[int], object]) -> QMenu:
        menu = self.menu.addMenu(title)
        menu.setToolTipsVisible(True)
        for scale in SCALES:
            tip = f"{scale}× the size on screen" + (
                " (sharp on slides and high-resolution screens)" if scale > 1 else ""
            )
            action = make_action(self.window, ActionSpec(id, f"{scale}×…", tip=tip), partial(slot, scale))
            self.actions[id, scale] = action
            menu.addAction(action)
        menu.aboutToShow.connect(self.update_actions)
        return menu

    # --- state --------------------------------------------------------------------------

    def update_actions(self) -> None:
        """Enable what can be exported now; label the PNG sizes in pixels."""
        plot = self.loss_plot
        sizes: list[tuple[ActionId, QWidget | None, Callable[..., QSize]]] = [
            (A.EXPORT_GRAPH_PNG, self.graph, graph_size),
            (A.EXPORT_LOSS_PNG, plot, widget_size),
        ]
        for key, widget, size in sizes:
            for scale in SCALES:
                action = self.actions[key, scale]
                action.setEnabled(widget is not None)
                if widget is not None:
                    pixels = size(widget, scale)
                    action.setText(f"{scale}× ({pixels.width()} × {pixels.height()} px)…")
        self.loss_png_menu.setEnabled(plot is not None)
        self.actions[A.EXPORT_LOSS_SVG].setEnabled(plot is not None)
        for action in (self.actions[A.EXPORT_LOSS_SVG], self.actions[A.EXPORT_LOSS_PNG, 1]):
            action.setToolTip("The loss plot" if plot is not None else "There is no loss plot in this window")
        steps = self.model.session.history.steps
        history = self.actions[A.EXPORT_HISTORY_CSV]
        history.setEnabled(steps > 0)
        history.setToolTip(
            f"The loss of all {steps} training steps" if steps else "Nothing trained yet: no loss history"
        )

    def _model_changed(self, event: Event) -> None:
        if event.field in (Field.SESSION, Field.NETWORK):
            self.update_actions()

    # --- exports ------------------------------------------------------------------------

    def export_graph_png(self, scale: int, path: str | None = None) -> bool:
        view = self.graph
        return self._save("Export Graph as PNG", "graph", "png", path, lambda: png_bytes(graph_image(view, scale)))

    def export_graph_svg(self, path: str | None = None) -> bool:
        view = self.graph
        return self._save("Export Graph as SVG", "graph", "svg", path, lambda: graph_svg(view, self._title()))

    def export_loss_png(self, scale: int, path: str | None = None) -> bool:
        plot = self.loss_plot
        if plot is None:
            return False
        return self._save("Export Loss Plot as PNG", "loss", "png", path, lambda: png_bytes(widget_image(plot, scale)))

    def export_loss_svg(self, path: str | None = None) -> bool:
        plot = self.loss_plot
        if plot is None:
            return False
        return self._save("Export Loss Plot as SVG", "loss", "svg", path, lambda: widget_svg(plot, self._title()))

    def export_pass_csv(self, path: str | None = None) -> bool:
        return self._save_text("Export Current Pass as CSV", "pass", "csv", path, export.pass_csv)

    def export_pass_json(self, path: str | None = None) -> bool:
        return self._save_text("Export Current Pass as JSON", "pass", "json", path, export.pass_json)

    def export_history_csv(self, path: str | None = None) -> bool:
        history = self.model.session.history
        return self._save(
            "Export Loss History as CSV", "loss-history", "csv", path, lambda: _utf8(export.history_csv(history))
        )

    def export_markdown(self, path: str | None = None) -> bool:
        return self._save_text(
            "Export Worked Solution as Markdown", "solution", "md", path, worked.worked_solution_markdown, True
        )

    def export_latex(self, path: str | None = None) -> bool:
        return self._save_text(
            "Export Worked Solution as LaTeX", "solution", "tex", path, worked.worked_solution_latex, True
        )

    def export_pytorch_script(self, path: str | None = None) -> bool:
        stepper, title = self.model.stepper, self._title()
        return self._save(
            "Export PyTorch Script", "torch", "py", path, lambda: _utf8(scripts.torch_script(stepper, name=title))
        )

    def export_numpy_script(self, path: str | None = None) -> bool:
        stepper, title = self.model.stepper, self._title()
        return self._save(
            "Export NumPy Script", "numpy", "py", path, lambda: _utf8(scripts.numpy_script(stepper, name=title))
        )

    def export_weights_npz(self, path: str | None = None) -> bool:
        network = self.model.session.network
        return self._save("Export Weights", "weights", "npz", path, lambda: npz.npz_bytes(network))

    # --- writing ------------------------------------------------------------------------

    def _title(self) -> str:
        return self.model.session.name

    def _save_text(self, caption: str, what: str, ext: str, path: str | None, make, worked: bool = False) -> bool:
        stepper, digits, title = self.model.stepper, self.model.precision, self._title()
        if worked:
            return self._save(caption, what, ext, path, lambda: _utf8(make(stepper, digits=digits, title=title)))
        return self._save(caption, what, ext, path, lambda: _utf8(make(stepper)))

    def _save(self, caption: str, what: str, ext: str, path: str | None, make: Callable[[], bytes]) -> bool:
        """Ask where (unless ``path`` is given), make the bytes, write them; report a failure in a dialog."""
        if path is None:
            path = self._ask_path(caption, what, ext)
            if path is None:
                return False
        try:
            data = make()
        except export.ExportError as error:
            plain_messages.warning(
                self.window, "Cannot export", f"Cannot export the {what.replace('-', ' ')}: {error}."
            )
            return False
        try:
            save_bytes(path, data)
        except OSError as error:
            plain_messages.critical(self.window, "Cannot export", f"Cannot write {path}:\n\n{error}")
            return False
        self.folder = os.path.dirname(os.path.abspath(path))
        bar = self.window.statusBar() if isinstance(self.window, QMainWindow) else None
        if bar is not None:
            bar.showMessage(f"Exported to {path}", 5000)
        return True

    def _ask_path(self, caption: str, what: str, ext: str) -> str | None:
        sample = self.model.stepper.batch + 1
        stem = _safe_name(self._title())
        per_sample = what in ("pass", "solution", "graph", "torch", "numpy")
        name = f"{stem}-{what}" + (f"-sample{sample}" if per_sample else "") + f".{ext}"
        path, _ = QFileDialog.getSaveFileName(self.window, caption, os.path.join(self.folder, name), FILTERS[ext])
        if not path:
            return None
        return path if Path(path).suffix else f"{path}.{ext}"


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name).strip("-.") or "session"


def install_export(
    window: QMainWindow,
    model: SessionModel,
    graph: NetworkView,
    loss_plot: LossPlot | None,
    file_menu: QMenu,
    before: QAction | None,
) -> ExportController:
    """Add Export to ``file_menu`` (before the ``before`` item, e.g. Quit, else last) and return its
    controller, whose ``actions`` the window is to hold."""
    controller = ExportController(window, model, graph, loss_plot)
    if before is None:
        file_menu.addSeparator()
        file_menu.addMenu(controller.menu)
    else:
        file_menu.insertMenu(before, controller.menu)
        file_menu.insertSeparator(before)
    return controller
