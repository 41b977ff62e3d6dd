"""The window the benchmarks measure: the full one from ``create_window``, shown at a laptop's size
as ``app.run`` shows it, with private settings (so the first-start layout shows the loss plot and
the decision map) and private autosaves, closed without the unsaved-changes question."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from backprop_gui.core.session import Session  # noqa: E402
from backprop_gui.ui.window.app import application, create_window, keep_start_up_objects  # noqa: E402
from backprop_gui.ui.window.main_window import MainWindow  # noqa: E402
from backprop_gui.ui.window.theme import apply_theme, saved_theme  # noqa: E402

SIZE = (1366, 768)


@contextmanager
def private_settings() -> Iterator[str]:
    """QSettings in a fresh folder (the app's first start) and a folder for autosaves, both removed after."""
    with tempfile.TemporaryDirectory() as folder:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, os.path.join(folder, "settings"))
        yield os.path.join(folder, "autosave")


@contextmanager
def shown_window(session: Session, autosave_dir: str, size: tuple[int, int] = SIZE) -> Iterator[MainWindow]:
    """The full window over ``session``, shown at ``size`` with its first paint done; closed after."""
    app = application()
    apply_theme(saved_theme())  # as the app starts
    window = create_window(session, autosave_dir=autosave_dir)
    window.resize(*size)
    window.show()
    settle(app, 0.3)
    keep_start_up_objects()  # as the app does once its window shows
    try:
        yield window
    finally:
        window.training_controller.stop()
        window.session_controller.mark_unmodified()  # close without the unsaved-changes question
        window.close()
        window.deleteLater()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # gone now: processEvents leaves it for the loop


def settle(app: QApplication, seconds: float) -> None:
    """Let the event loop run for ``seconds`` (the first paints, layouts and timers)."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
