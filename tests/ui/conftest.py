"""UI tests: autosaves go to Qt's test folders, never the user's, and a window still holding unsaved
changes when its test ends closes without the Save / Discard / Cancel question (no one would answer it).

Fixtures: ``private_places`` (QSettings and autosaves in the test's temporary folder; a module asks for
it with ``pytestmark = pytest.mark.usefixtures("private_places")``) and ``window`` (the full window
over the xor example, shown and active; a module may define its own)."""

import weakref

import pytest
import shiboken6
from PySide6.QtCore import QSettings, QStandardPaths

from backprop_gui.core.presets import load_example
from backprop_gui.ui.sessions import autosave as autosave_module
from backprop_gui.ui.window.main_window import MainWindow

from window_helpers import discard_changes, open_window

QStandardPaths.setTestModeEnabled(True)


# Every full window a test makes, kept weakly. The teardown below walks these rather than
# QApplication.topLevelWidgets(): wrapping every top-level widget (popups, tooltips, widgets being
# destroyed) for Python at teardown crashed natively now and then.
_windows: "weakref.WeakSet[MainWindow]" = weakref.WeakSet()
_main_window_init = MainWindow.__init__


def _tracked_init(self, *args, **kwargs):
    _main_window_init(self, *args, **kwargs)
    _windows.add(self)


MainWindow.__init__ = _tracked_init


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item):
    """Before pytest-qt closes the test's widgets: forget unsaved changes of full windows."""
    for window in list(_windows):
        controller = getattr(window, "session_controller", None) if shiboken6.isValid(window) else None
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
