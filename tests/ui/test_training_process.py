"""The window's training process: freed when the window closes, reused by the next window, and
never outliving a window process that is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from backprop_gui.core.presets import load_example
from backprop_gui.ui.training.controller import PAUSED

from helpers import alive
from window_helpers import discard_changes, open_window

TIMEOUT = 60_000  # ms: starting a process is slow on a busy machine

WINDOW_THAT_TRAINS = """
import sys
from PySide6.QtCore import QTimer
from backprop_gui.core.presets import load_example
from backprop_gui.ui.window.app import application, create_window

app = application()
session = load_example("xor")
session.training.epochs = 1_000_000
window = create_window(session, autosave_dir=sys.argv[1])
window.show()
controller = window.training_controller
controller.continue_training()

def report():
    if session.history.steps:
        print(controller.worker.pid, flush=True)
    else:
        QTimer.singleShot(20, report)

QTimer.singleShot(0, report)
app.exec()
"""


@pytest.mark.usefixtures("private_places")
def test_closing_the_window_stops_training_and_the_next_window_reuses_the_process(qtbot):
    window = open_window(qtbot, load_example("xor"))
    controller = window.training_controller
    controller.panel.epochs.setValue(100_000)
    controller.continue_training()
    qtbot.waitUntil(lambda: window.model.session.history.steps > 10, timeout=TIMEOUT)
    pid = controller.worker.pid
    discard_changes(window.session_controller)
    window.close()
    assert controller.state == PAUSED and not controller.running
    assert controller.worker.pid is None and alive(pid)  # freed, waiting for the next window

    second = open_window(qtbot, load_example("xor"))
    again = second.training_controller
    again.train_one_epoch()
    qtbot.waitUntil(lambda: not again.running, timeout=TIMEOUT)
    assert again.worker.pid == pid and second.model.session.history.steps == 4
    discard_changes(second.session_controller)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killing_the_window_process_ends_its_training_process(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    window = subprocess.Popen(
        [sys.executable, "-c", WINDOW_THAT_TRAINS, str(tmp_path / "autosave")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        pid = int(window.stdout.readline())
        assert alive(pid)
    finally:
        window.send_signal(signal.SIGKILL)
        window.wait()
    end = time.monotonic() + 30
    while alive(pid) and time.monotonic() < end:
        time.sleep(0.05)
    assert not alive(pid)
