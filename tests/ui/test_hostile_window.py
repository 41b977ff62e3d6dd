"""Hostile names, paths and files in the full window: message boxes show them as plain text,
Save refuses folders and pipes with a dialog and keeps the changes, a name with a lone surrogate
saves (also from the quit prompt), and seeds at the edge of their range reach the widgets."""

from __future__ import annotations

import json
import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from backprop_gui.core.network import MAX_SEED
from backprop_gui.core.presets import load_example
from backprop_gui.core.session_format import load_session, save_session
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.saving import save_bytes
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.sessions import controller as session_controller
from backprop_gui.ui.stepping.network_view import NetworkView
from backprop_gui.ui.window.app import initial_session
from backprop_gui.ui.window.export import install_export

from window_helpers import answer_box, open_window

HOSTILE = '<img src="x.png"><a href="https://example.com">click</a>'


def modified_window(qtbot, name: str):
    session = load_example("xor")
    session.name = name
    window = open_window(qtbot, session)
    controller = window.session_controller
    controller._update_applied(True)  # as after an Update: unsaved changes
    assert controller.modified
    return window, controller


def test_a_name_with_markup_is_shown_as_plain_text_in_the_unsaved_changes_box(qtbot):
    window, controller = modified_window(qtbot, HOSTILE)
    formats: list[Qt.TextFormat] = []
    seen = answer_box(QMessageBox.StandardButton.Cancel, formats)
    assert not controller.maybe_save("closing")
    assert formats == [Qt.TextFormat.PlainText] and HOSTILE in seen[0]
    controller.mark_unmodified()


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_save_refuses_a_folder_or_a_pipe_with_a_dialog_and_keeps_the_changes(qtbot, tmp_path, kind):
    window, controller = modified_window(qtbot, "lecture")
    target = tmp_path / "target.json"
    target.mkdir() if kind == "folder" else os.mkfifo(target)
    seen = answer_box(QMessageBox.StandardButton.Ok)
    assert not controller.save_as(str(target))
    assert "could not be saved" in seen[0] and ("folder" in seen[0] or "pipe" in seen[0])
    assert controller.modified and window.isVisible()
    assert target.is_dir() if kind == "folder" else not target.is_file()  # untouched
    controller.mark_unmodified()


def test_save_shows_a_wait_cursor_while_it_writes_and_none_over_its_error_box(qtbot, tmp_path, monkeypatch):
    window, controller = modified_window(qtbot, "lecture")
    cursors: list[Qt.CursorShape | None] = []
    writes = save_bytes

    def watched_save(path, data):
        cursors.append(QApplication.overrideCursor().shape() if QApplication.overrideCursor() else None)
        writes(path, data)

    monkeypatch.setattr(session_controller, "save_bytes", watched_save)
    assert controller.save_as(str(tmp_path / "saved.json"))
    assert cursors == [Qt.CursorShape.WaitCursor] and QApplication.overrideCursor() is None
    controller.session.history.epoch_losses.append(float("nan"))  # cannot be written
    controller._update_applied(True)
    under_box: list[object] = []
    monkeypatch.setattr(plain_messages, "critical", lambda *args: under_box.append(QApplication.overrideCursor()))
    assert not controller.save()
    assert under_box == [None] and QApplication.overrideCursor() is None
    controller.mark_unmodified()


def test_save_through_a_symbolic_link_writes_the_target(qtbot, tmp_path):
    window, controller = modified_window(qtbot, "lecture")
    target, link = tmp_path / "real.json", tmp_path / "link.json"
    save_session(load_example("xor"), target)
    link.symlink_to(target)
    assert controller.save_as(str(link))
    assert link.is_symlink() and load_session(target).name == "lecture"


def test_a_name_with_a_lone_surrogate_saves_from_the_quit_prompt(qtbot, tmp_path):
    window, controller = modified_window(qtbot, "bad \ud800 name")
    path = tmp_path / "s.json"
    controller.file_path = str(path)
    answer_box(QMessageBox.StandardButton.Save)
    assert controller.maybe_save("quitting")
    assert load_session(path).name == "bad \ud800 name" and not controller.modified


@pytest.mark.parametrize("seed", [0, MAX_SEED])
def test_seeds_at_the_edges_open_and_reach_the_seed_box(qtbot, tmp_path, seed):
    session = load_example("moons")
    session.training.seed = seed
    path = tmp_path / "s.json"
    save_session(session, path)
    window = open_window(qtbot, load_session(path), str(path))
    assert window.training_controller.panel.seed.value() == seed


def test_a_seed_beyond_the_range_is_a_message_and_the_window_still_opens(tmp_path):
    path = tmp_path / "s.json"
    save_session(load_example("moons"), path)
    document = json.loads(path.read_text())
    document["training"]["seed"] = MAX_SEED + 1
    path.write_text(json.dumps(document))
    session, problem = initial_session(str(path), None)
    assert session is not None and "training.seed: must be in 0..18,446,744,073,709,551,615" in problem


@pytest.mark.parametrize(
    ("early", "plotted", "unkept"),
    [
        ([], [], 5),  # the first steps were dropped: the curve starts where the losses are kept
        ([(1, 0.9), (40, 2.5), (41, 0.2), (100, 0.6)], [1.0, 40.0, 41.0, 100.0], 39),  # decimated, shown too
    ],
)
def test_a_long_history_is_plotted_from_its_early_points_and_kept_steps(qtbot, early, plotted, unkept):
    from array import array

    session = load_example("xor")
    h = session.history
    h.dropped, h.step_losses = 100, array("d", [0.5, 0.4, 0.3])
    h.early_steps, h.early_losses = array("q", [s for s, _ in early]), array("d", [c for _, c in early])
    h.epoch_losses, h.epoch_ends = [0.6, 0.35], [51, 103]
    session.epoch = 2
    window = open_window(qtbot, session)
    plot = window.training_controller.loss_plot
    plot.refresh()
    xs, _ = plot.step_curve.getData()
    assert list(xs) == [*plotted, 101.0, 102.0, 103.0]
    assert "not kept" in plot.describe_step(unkept) and "C = 0.3" in plot.describe_step(103)
    assert "C = 2.5" in plot.describe_step(40) if early else "not kept" in plot.describe_step(40)
    assert "103\u00a0steps" in plot.readout.text()


def test_an_export_path_with_markup_is_plain_text_in_the_failure_box(qtbot, tmp_path):
    window = QMainWindow()  # no window-wide filter: the export's own box must be plain
    qtbot.addWidget(window)
    model = SessionModel(load_example("xor"))
    controller = install_export(window, model, NetworkView(model), None, window.menuBar().addMenu("&File"), None)
    folder = tmp_path / '<img src="x.png"><b>bold'
    formats: list[Qt.TextFormat] = []
    seen = answer_box(QMessageBox.StandardButton.Ok, formats)
    assert not controller.export_pass_csv(str(folder / "missing" / "pass.csv"))
    assert formats == [Qt.TextFormat.PlainText] and '<img src="x.png"><b>bold' in seen[0]


@pytest.mark.parametrize("kind", ["critical", "warning", "information", "question"])
def test_every_message_helper_shows_markup_literally_even_without_a_window(qtbot, kind):
    formats: list[Qt.TextFormat] = []
    button = QMessageBox.StandardButton.Yes if kind == "question" else QMessageBox.StandardButton.Ok
    seen = answer_box(button, formats)
    answer = getattr(plain_messages, kind)(None, "Title", HOSTILE)
    assert formats == [Qt.TextFormat.PlainText] and HOSTILE in seen[0]
    assert kind != "question" or answer == QMessageBox.StandardButton.Yes
