"""Autosave: written while there are unsaved changes, removed on save and clean exit, and offered
for restore after a crash (a child process killed while it held an autosave)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QMessageBox
from test_dialogs_fit import dialog_problems

from backprop_gui.core.datasets import generate
from backprop_gui.core.editing import SetParameter
from backprop_gui.core.network import build_network
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import dumps, session_to_dict
from backprop_gui.ui.sessions.autosave import AUTOSAVE_INTERVAL_MS, Autosave, decode, default_directory, encode
from backprop_gui.ui.sessions.controller import SessionController

from window_helpers import answer_box, bare_session_window, discard_changes, when_modal


def make_session(name: str = "xor", seed: int = 1) -> Session:
    return Session(name, build_network(2, [2, 1], ["sigmoid", "sigmoid"], seed=seed), generate("xor"))


@pytest.fixture
def folder(tmp_path) -> str:
    return str(tmp_path / "autosave")


@pytest.fixture
def controller(qtbot, tmp_path) -> Iterator[SessionController]:
    controller = bare_session_window(tmp_path, make_session())  # autosaves in ``folder``
    yield controller
    discard_changes(controller)
    controller.window.close()


def crash_with_autosave(folder: str, session: Session, file_path: str | None = None) -> None:
    """Run a child that writes an autosave and holds its lock, then kill it as a crash would."""
    data = encode(session_to_dict(session), file_path)
    script = textwrap.dedent(
        f"""
        import sys, time
        from backprop_gui.ui.sessions.autosave import Autosave
        autosave = Autosave({folder!r})
        data = sys.stdin.buffer.read()
        autosave.write_later(lambda: [data])
        assert autosave.wait(30)
        print("written", flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=os.environ
    )
    child.stdin.write(data)
    child.stdin.close()
    assert child.stdout.readline().strip() == b"written"
    child.send_signal(signal.SIGKILL)
    child.wait()


def test_envelope_round_trip_and_damage() -> None:
    document = session_to_dict(make_session())
    assert decode(encode(document, "/x/y.json")) == (document, "/x/y.json")
    with pytest.raises(ValueError, match="damaged"):
        decode(b"{not json")
    with pytest.raises(ValueError, match="not a backprop-gui autosave"):
        decode(b'{"format": "something else"}')
    with pytest.raises(ValueError, match="version 9"):
        decode(b'{"format": "backprop-gui-autosave", "version": 9}')


def test_default_location_is_the_application_data_folder(qapp) -> None:
    was_test_mode = QStandardPaths.isTestModeEnabled()
    QStandardPaths.setTestModeEnabled(True)
    try:
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
        assert default_directory() == os.path.join(base, "autosave")
        assert Autosave().directory == default_directory()
    finally:
        QStandardPaths.setTestModeEnabled(was_test_mode)  # the other UI tests keep Qt's test folders


def test_writes_while_modified_and_removes_when_saved(controller: SessionController, tmp_path) -> None:
    path = controller.autosave.path
    assert controller.autosave._timer.interval() == AUTOSAVE_INTERVAL_MS and controller.autosave._timer.isActive()
    controller.autosave_now()
    assert not os.path.exists(path)  # nothing unsaved, nothing to autosave
    controller.push(SetParameter(1, 0, 0, 0.25))
    controller.autosave.due.emit()  # the minute is up
    assert controller.autosave.wait(10)  # written on the autosave's thread
    document, file_path = decode(open(path, "rb").read())
    assert document["network"]["layers"][0]["weights"][0][0] == 0.25 and file_path is None
    assert controller.save_as(str(tmp_path / "saved.json"))
    assert not os.path.exists(path)


def test_network_change_from_training_autosaves_once_it_settles(controller: SessionController, qtbot) -> None:
    controller._settle.setInterval(10)
    controller.model.network_changed()  # what the training controller does when a run stops
    assert controller.modified
    qtbot.waitUntil(lambda: os.path.exists(controller.autosave.path), timeout=2000)


def test_clean_exit_removes_the_autosave_and_its_lock(controller: SessionController) -> None:
    controller.push(SetParameter(1, 0, 0, 0.25))
    controller.autosave_now()
    assert controller.autosave.wait(10) and os.path.exists(controller.autosave.path)
    controller.autosave.close()
    assert os.listdir(controller.autosave.directory) == []


def test_crash_leaves_an_orphan_that_a_living_process_does_not(folder: str, qapp) -> None:
    crash_with_autosave(folder, make_session("lost work"))
    mine = Autosave(folder)
    mine.write_later(lambda: [b"{}"])
    assert mine.wait(10) and os.path.exists(mine.path)
    orphans = mine.orphans()
    assert len(orphans) == 1 and orphans[0].path != mine.path
    assert decode(orphans[0].read())[0]["name"] == "lost work"
    assert Autosave(folder).orphans() == []  # while one start holds it, another is not offered it
    orphans[0].discard()
    assert not os.path.exists(orphans[0].path)
    mine.close()


def test_restore_after_crash_brings_the_session_back_modified(controller: SessionController, folder, qtbot) -> None:
    lost = make_session("lost work", seed=7)
    crash_with_autosave(folder, lost, "/lectures/week3.json")
    seen = answer_box("Restore")
    assert controller.offer_restore()
    assert "“lost work” had unsaved changes" in seen[0] and "/lectures/week3.json" in seen[0]
    assert dumps(controller.session) == dumps(lost)
    assert controller.file_path == "/lectures/week3.json"
    assert controller.modified and controller.window.isWindowModified()
    assert controller.autosave.orphans() == []
    assert controller.autosave.wait(10) and os.path.exists(controller.autosave.path)  # autosaved again at once


def test_discard_deletes_the_orphan(controller: SessionController, folder) -> None:
    crash_with_autosave(folder, make_session("lost work"))
    before = dumps(controller.session)
    answer_box("Discard")
    assert not controller.offer_restore()
    assert dumps(controller.session) == before and not controller.modified
    assert [name for name in os.listdir(folder) if name.endswith(".json")] == []


def test_the_restore_question_offers_restore_discard_and_later_only(controller: SessionController, folder) -> None:
    crash_with_autosave(folder, make_session("lost work"))
    offered: list[list[str]] = []

    def answer_later(box: QMessageBox) -> None:
        offered.append([button.text().replace("&", "") for button in box.buttons() if button.isVisible()])
        box.escapeButton().click()

    when_modal(answer_later, QMessageBox)
    assert not controller.offer_restore()
    assert sorted(offered[0]) == ["Discard", "Later", "Restore"]  # no stray OK
    assert len(controller.autosave.orphans()) == 1  # Later (and Esc) keeps it to be offered again


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"\x00garbage", "damaged"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"format": "backprop-gui-autosave", "format": "x"}', 'the key "format" appears twice'),
        (b'{"session": {"data": [' + b"[]," * 8_000_000 + b"[]]}}", "session.data: more than 8,000,000 lists"),
    ],
)
def test_a_damaged_autosave_is_reported_once_and_moved_aside(controller: SessionController, folder, content, why):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "session-999999.json"), "wb") as file:
        file.write(content)
    seen = answer_box(QMessageBox.StandardButton.Ok)
    assert not controller.offer_restore()
    assert len(seen) == 1 and "could not be restored" in seen[0] and why in seen[0] and ".damaged" in seen[0]
    assert os.listdir(folder) == ["session-999999.json.damaged"]
    assert controller.autosave.orphans() == []  # never offered again: the next start is quiet
    assert not controller.offer_restore()


def test_the_restore_question_fits_its_screen_with_every_sentence_whole(controller, folder, qtbot) -> None:
    crash_with_autosave(folder, make_session("a session with a rather long name"), "/lectures/week3/xor.json")
    problems: list[list[str]] = []

    def check(box: QMessageBox) -> None:
        problems.append(dialog_problems(box))
        next(b for b in box.buttons() if b.text() == "Discard").click()

    when_modal(check, QMessageBox)
    assert not controller.offer_restore()
    assert problems == [[]]


def paused_pieces(started: threading.Event, go_on: threading.Event, text: bytes) -> Iterator[bytes]:
    """``text`` in two pieces, with a pause between them until ``go_on`` is set."""
    yield text[:1]
    started.set()
    assert go_on.wait(10)
    yield text[1:]


def test_a_write_runs_on_its_own_thread_and_a_removal_cancels_it(folder: str, qapp) -> None:
    autosave = Autosave(folder)
    started, go_on = threading.Event(), threading.Event()
    threads: list[str] = []

    def pieces() -> Iterator[bytes]:
        threads.append(threading.current_thread().name)
        return paused_pieces(started, go_on, b'{"x": 1}')

    autosave.write_later(pieces)
    assert started.wait(10)  # the window's thread returned at once, the writer is mid-file
    autosave.remove()  # the session was saved meanwhile
    go_on.set()
    assert autosave.wait(10)
    assert threads == ["autosave"] and not os.path.exists(autosave.path)
    autosave.close()
    assert os.listdir(folder) == []


def test_a_write_asked_for_during_one_follows_it_the_newest_only(folder: str, qapp) -> None:
    autosave = Autosave(folder)
    started, go_on = threading.Event(), threading.Event()
    autosave.write_later(lambda: paused_pieces(started, go_on, b'{"x": 1}'))
    assert started.wait(10)
    autosave.write_later(lambda: [b'{"x": 2}'])
    autosave.write_later(lambda: [b'{"x": 3}'])
    go_on.set()
    assert autosave.wait(10)
    assert open(autosave.path, "rb").read() == b'{"x": 3}'  # the first was superseded, never committed
    autosave.close()


def test_a_session_that_cannot_be_written_is_reported_in_the_status_bar(controller: SessionController, qtbot) -> None:
    controller.push(SetParameter(1, 0, 0, 0.25))
    controller.session.history.epoch_losses.append(float("nan"))
    controller.autosave_now()
    assert controller.autosave.wait(10)
    status = controller.window.statusBar()
    qtbot.waitUntil(lambda: "Autosave skipped" in status.currentMessage(), timeout=2000)
    assert "history.epoch_losses: contains NaN" in status.currentMessage()
    assert not os.path.exists(controller.autosave.path)


def test_a_folder_that_cannot_be_made_is_reported_and_nothing_is_started(tmp_path, qapp) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    autosave = Autosave(str(blocked / "autosave"))
    problems: list[str] = []
    autosave.problem.connect(problems.append)
    autosave.write_later(lambda: [b"{}"])
    assert problems == [f"Autosave failed: cannot create the folder {blocked / 'autosave'}"]
    assert autosave.wait(0)  # no writer was started
    autosave.close()


def test_closing_the_window_during_a_write_cancels_it_and_leaves_nothing(
    controller: SessionController, folder: str, monkeypatch
) -> None:
    started, go_on = threading.Event(), threading.Event()
    monkeypatch.setattr(
        "backprop_gui.ui.sessions.controller.encode_pieces", lambda *_: paused_pieces(started, go_on, b'{"x": 1}')
    )
    controller.push(SetParameter(1, 0, 0, 0.25))
    controller.autosave_now()
    assert started.wait(10)  # the writer is mid-file
    threading.Timer(0.2, go_on.set).start()  # it goes on while the window closes
    answer_box("Discard")  # the unsaved-changes question
    assert controller.window.close()
    assert controller.autosave.wait(0)  # closing waited for it to give up
    assert os.listdir(folder) == []  # no autosave, no lock, no temporary file
