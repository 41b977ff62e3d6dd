"""UI tests: autosaves go to Qt's test folders, never the user's, and a window still holding unsaved
changes when its test ends closes without the Save / Discard / Cancel question (no one would answer it)."""

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication

from backprop_gui.ui.main_window import MainWindow

QStandardPaths.setTestModeEnabled(True)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item):
    """Before pytest-qt closes the test's widgets: forget unsaved changes of full windows."""
    if QApplication.instance() is not None:
        for widget in QApplication.topLevelWidgets():
            controller = getattr(widget, "session_controller", None) if isinstance(widget, MainWindow) else None
            if controller is not None:
                controller._changed_outside = False
                controller.undo_stack.setClean()
    yield
