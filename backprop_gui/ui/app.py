"""Starting the window: the QApplication, the first session (file, example or default), error dialogs."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from backprop_gui.core.presets import default_session, load_example
from backprop_gui.core.session import Session, SessionError, load_session
from backprop_gui.ui.icons import app_icon
from backprop_gui.ui.main_window import APP_NAME, MainWindow, show_error
from backprop_gui.ui.session_model import SessionModel

ORGANISATION = "backprop-gui"


def application() -> QApplication:
    """The running QApplication (created if there is none), named so QSettings finds its file."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(app_icon())
    return app  # type: ignore[return-value]


def initial_session(path: str | None, example: str | None) -> tuple[Session, str | None]:
    """The session to open first and, if the requested one could not be opened, why (plain text)."""
    try:
        if path is not None:
            return load_session(path), None
        if example is not None:
            return load_example(example), None
    except SessionError as error:
        what = f"the file {path}" if path is not None else f"the example {example}"
        problem = f"Could not open {what}:\n\n{error.message}\n\nThe course's simple network is open instead."
        return default_session(), problem
    return default_session(), None


def create_window(session: Session) -> MainWindow:
    """A window over ``session`` (not shown yet)."""
    return MainWindow(SessionModel(session))


def run(path: str | None = None, example: str | None = None) -> int:
    """Open the window on ``path``, the example ``example`` or the default session; returns the exit code."""
    app = application()
    session, problem = initial_session(path, example)
    window = create_window(session)
    window.show()
    if problem:
        show_error(window, "Cannot open session", problem)
    return app.exec()
