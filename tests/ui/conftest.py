"""UI tests: autosaves go to Qt's test folders, never the user's, and a window still holding unsaved
changes when its test ends closes without the Save / Discard / Cancel question (no one would answer it).

Fixtures: ``private_places`` (QSettings and autosaves in the test's temporary folder; a module asks for
it with ``pytestmark = pytest.mark.usefixtures("private_places")``) and ``window`` (the full window
over the xor example, shown and active; a module may define its own)."""

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

from backprop_gui.core.presets import load_example
from backprop_gui.ui.sessions import autosave as autosave_module
from backprop_gui.ui.window.main_window import MainWindow

from window_helpers import discard_changes, open_window

QStandardPaths.setTestModeEnabled(True)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item):
    """Before pytest-qt closes the test's widgets: forget unsaved changes of full windows."""
    if QApplication.instance() is not None:
        for widget in QApplication.topLevelWidgets():
            controller = getattr(widget, "session_controller", None) if isinstance(widget, MainWindow) else None
            if controller is not None:
                discard_changes(controller)
    yield


@pytest.fixture
def private_places(tmp_path, monkeypatch):
    """QSettings and autosaves in a temporary folder, never the user's."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    monkeypatch.setattr(autosave_module, "default_directory", lambda: str(tmp_path / "autosave"))


@pytest.fixture
def window(qtbot) -> MainWindow:
    return open_window(qtbot, load_example("xor"))
