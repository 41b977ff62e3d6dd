"""File ▸ Export in the window: each action writes a valid file of what the window shows."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from backprop_gui.cli import main
from backprop_gui.core import export, worked
from backprop_gui.core.presets import load_example
from backprop_gui.core.training import Trainer
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.training.controller import install_training
from backprop_gui.ui.window import export as export_ui
from backprop_gui.ui.window.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("private_places")


@pytest.fixture
def window(qtbot):
    session = load_example("xor")
    window = MainWindow(SessionModel(session))
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    qtbot.waitExposed(window)
    window.controller = export_ui.install_export(
        window, window.model, window.network_view, None, window.menus["File"], window.action(ActionId.QUIT)
    )
    window.add_actions(window.controller.actions)
    return window


@pytest.fixture
def save_to(monkeypatch):
    """Answer every save dialog with the path set in ``answer[0]``; record the suggested names."""
    answer: list[str] = [""]
    asked: list[str] = []

    def fake(_parent, _caption, suggested, _filter):
        asked.append(suggested)
        return answer[0], _filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return answer, asked


def trigger(window, id: ActionId, scale: int | None = None) -> None:
    window.controller.update_actions()
    action = window.action(id, scale)
    assert action.isEnabled()
    action.trigger()


def test_export_menu_sits_in_file_before_quit(window):
    file_menu = window.menus["File"]
    texts = [a.text() for a in file_menu.actions()]
    assert "E&xport" in texts and texts.index("E&xport") < texts.index("&Quit")
    export_menu = window.controller.menu
    labels = [a.text().replace("&", "") for a in export_menu.actions() if not a.isSeparator()]
    assert labels == [
        "Graph as PNG", "Graph as SVG…", "Loss Plot as PNG", "Loss Plot as SVG…", "Current Pass as CSV…",
        "Current Pass as JSON…", "Loss History as CSV…", "Worked Solution as Markdown…", "Worked Solution as LaTeX…",
        "PyTorch Script…", "NumPy Script…", "Weights (.npz)…",
    ]  # fmt: skip


def test_graph_png_at_each_scale_decodes_with_the_scaled_size(window, save_to, tmp_path):
    answer, asked = save_to
    view = window.network_view
    rect = view.sceneRect()
    for scale in (1, 3):
        answer[0] = str(tmp_path / f"graph{scale}")  # no suffix: .png is added
        trigger(window, ActionId.EXPORT_GRAPH_PNG, scale)
        image = QImage(str(tmp_path / f"graph{scale}.png"))
        assert not image.isNull()
        assert (image.width(), image.height()) == (round(rect.width() * scale), round(rect.height() * scale))
    assert asked[0].endswith("XOR-with-a-2-2-1-network-graph-sample1.png")
    assert "px)…" in window.action(ActionId.EXPORT_GRAPH_PNG, 2).text()


def test_graph_svg_parses_and_holds_the_neurons_text(window, save_to, tmp_path):
    window.model.run_to_end()
    answer, _ = save_to
    answer[0] = str(tmp_path / "graph.svg")
    trigger(window, ActionId.EXPORT_GRAPH_SVG)
    root = ET.parse(answer[0]).getroot()
    texts = "".join(e.text or "" for e in root.iter() if e.tag.endswith("text"))
    shown = [item.value_text() for item in window.network_view._neurons.values() if item.value_text()]
    assert shown and all(value in texts for value in shown)
    assert "XOR with a 2-2-1 network" in texts


def test_loss_plot_exports_need_a_loss_plot(qtbot, window, save_to, tmp_path):
    assert not window.action(ActionId.EXPORT_LOSS_SVG).isEnabled()
    assert not window.action(ActionId.EXPORT_LOSS_PNG, 1).isEnabled()
    controller = install_training(window, window.model, window.menus["Train"])
    window.controller = export_ui.install_export(
        window, window.model, window.network_view, controller.loss_plot, window.menus["File"], None
    )
    window.add_actions(window.controller.actions)
    session = window.model.session
    Trainer(session.network, session.data, session.training, session.history).train_epoch()
    window.model.network_changed()
    controller.loss_plot.refresh()
    plot = controller.loss_plot.plot
    qtbot.waitUntil(plot.isVisible)
    window.resizeDocks([controller.docks["loss"]], [460], Qt.Orientation.Vertical)  # room for the axis names
    qtbot.waitUntil(lambda: not controller.loss_plot.compact)
    answer, _ = save_to
    answer[0] = str(tmp_path / "loss.png")
    size = (2 * plot.width(), 2 * plot.height())
    trigger(window, ActionId.EXPORT_LOSS_PNG, 2)
    image = QImage(answer[0])
    assert (image.width(), image.height()) == size
    answer[0] = str(tmp_path / "loss.svg")
    trigger(window, ActionId.EXPORT_LOSS_SVG)
    root = ET.parse(answer[0]).getroot()
    assert "step" in "".join(e.text or "" for e in root.iter() if e.tag.endswith("text"))
    answer[0] = str(tmp_path / "history.csv")
    trigger(window, ActionId.EXPORT_HISTORY_CSV)
    lines = (tmp_path / "history.csv").read_text().splitlines()
    assert len(lines) == 1 + session.history.steps == 5


def test_pass_exports_cover_the_whole_pass_without_moving_the_stepper(window, save_to, tmp_path, capsys):
    model = window.model
    model.select_sample(2)
    model.step()
    answer, _ = save_to
    answer[0] = str(tmp_path / "pass.json")
    trigger(window, ActionId.EXPORT_PASS_JSON)
    assert main(["trace", "--example", "xor", "--sample", "2"]) == 0
    assert json.loads((tmp_path / "pass.json").read_text()) == json.loads(capsys.readouterr().out)
    answer[0] = str(tmp_path / "pass.csv")
    trigger(window, ActionId.EXPORT_PASS_CSV)
    assert (tmp_path / "pass.csv").read_text() == export.pass_csv(load_example("xor"), 2)
    assert model.stepper.position == 1 and model.stepper.batch == 2


def test_worked_solutions_use_the_windows_precision(window, save_to, tmp_path):
    window.model.set_precision(6)
    answer, _ = save_to
    answer[0] = str(tmp_path / "solution.md")
    trigger(window, ActionId.EXPORT_SOLUTION_MARKDOWN)
    markdown = (tmp_path / "solution.md").read_text()
    assert markdown == worked.worked_solution_markdown(
        load_example("xor"), 0, digits=6, title="XOR with a 2-2-1 network"
    )
    answer[0] = str(tmp_path / "solution.tex")
    trigger(window, ActionId.EXPORT_SOLUTION_LATEX)
    latex = (tmp_path / "solution.tex").read_text()
    assert latex.startswith(r"\documentclass") and "## Forward 1" not in latex and r"\subsection*{Forward 1" in latex


def test_cancelled_dialog_writes_nothing_and_a_failed_write_says_why(window, save_to, tmp_path, monkeypatch):
    trigger(window, ActionId.EXPORT_PASS_CSV)  # the dialog answers "" (cancelled)
    assert [p for p in tmp_path.iterdir() if p.name != "settings"] == []
    shown = []
    monkeypatch.setattr(plain_messages, "critical", lambda _p, title, text: shown.append((title, text)))
    answer, _ = save_to
    answer[0] = str(tmp_path / "missing" / "pass.csv")
    trigger(window, ActionId.EXPORT_PASS_CSV)
    assert shown and shown[0][0] == "Cannot export" and "missing" in shown[0][1]


def test_cli_draws_the_graph_as_png_and_svg(qapp, tmp_path, capsys):
    png, svg = tmp_path / "g.png", tmp_path / "g.svg"
    assert main(["export", "--example", "blobs_softmax", "--sample", "3", "--png", str(png), "--svg", str(svg),
                 "--scale", "2"]) == 0  # fmt: skip
    assert capsys.readouterr().out.splitlines() == [f"wrote {png}", f"wrote {svg}"]
    image = QImage(str(png))
    size = export_ui.GRAPH_SIZE
    assert (image.width(), image.height()) == (2 * size.width(), 2 * size.height())
    texts = "".join(e.text or "" for e in ET.parse(svg).getroot().iter() if e.tag.endswith("text"))
    assert "Softmax classifier on three blobs" in texts and "layer 2 (softmax)" in texts
