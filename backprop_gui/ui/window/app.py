"""Starting the window: the QApplication, the first session (file, example or default), error dialogs,
and ``create_window``, which makes the window with every feature in it and connects the features.
"""

from __future__ import annotations

import gc
import sys
from typing import cast

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.presets import default_session, load_example
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import SessionError, load_session
from backprop_gui.ui.common.actions import ActionId
from backprop_gui.ui.common.icons import app_icon
from backprop_gui.ui.common.screen_fit import fit_dialogs_on_screen, fit_on_screen
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.diagnostics.controller import DiagnosticsController
from backprop_gui.ui.training.controller import TRAINING, TrainingController
from backprop_gui.ui.window.layouts import LayoutController
from backprop_gui.ui.window.main_window import APP_NAME, MainWindow, show_error
from backprop_gui.ui.window.theme import apply_theme, saved_theme

ORGANISATION = "backprop-gui"


def application() -> QApplication:
    """The running QApplication (created if there is none), named so QSettings finds its file."""
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(app_icon())
    return app


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


def create_window(
    session: Session,
    *,
    file_path: str | None = None,
    settings: QSettings | None = None,
    autosave_dir: str | None = None,
    offer_restore: bool = False,
) -> MainWindow:
    """The full window over ``session`` (not shown yet), standing where ``session.view`` says.

    ``file_path``: the file ``session`` was read from (None for an example or a new session).
    ``settings`` keeps the recent files (default: the application's QSettings), ``autosave_dir``
    the autosaves (default: the application's data folder); ``offer_restore`` offers the
    autosaves a crash left behind once the event loop runs. The window holds every feature's
    controller (``MainWindow.install_features``); here they are connected to each other.
    """
    model = SessionModel(session)
    window = MainWindow(model)
    fit_dialogs_on_screen(window)
    window.install_features(
        file_path=file_path, settings=settings, autosave_dir=autosave_dir, offer_restore=offer_restore
    )
    training, diagnostics = window.training_controller, window.diagnostics_controller
    _connect_training(training, diagnostics, window.session_controller.autosave_now)
    training.state_changed.connect(lambda state: window.network_view.hold_label_places(state == TRAINING))
    _follow_use(window.layout_controller, training, diagnostics)
    model.apply_view_state()  # the file's display settings win over the saved preferences
    return window


def _follow_use(layouts: LayoutController, training: TrainingController, diagnostics: DiagnosticsController) -> None:
    """A run started by F5 or Train N Epochs… (once its dialog is accepted) switches the Step layout
    to Train (in Present, it brings the loss plot to the front); Train One Epoch, a step-sized run,
    keeps the layout. Landing on a breakpoint switches back to Step."""

    def started(*_checked: bool) -> None:
        if not training.running:  # F5 paused, or the dialog was cancelled
            return
        if layouts.current == LayoutName.STEP:
            layouts.set_layout(LayoutName.TRAIN)
        elif layouts.current == LayoutName.PRESENT:
            layouts.show_dock("loss")

    for action in (ActionId.TRAIN, ActionId.N_EPOCHS):  # after the controller's own slot: the run has started
        training.actions[action].triggered.connect(started)
    diagnostics.hit.connect(lambda _hit: layouts.set_layout(LayoutName.STEP))


def _connect_training(training: TrainingController, diagnostics: DiagnosticsController, autosave) -> None:
    """Breakpoints watch every run; a run that ends lands on its breakpoint and is autosaved."""
    training.watch_source = diagnostics.run_watch
    training.run_ended.connect(diagnostics.training_stopped)
    training.run_ended.connect(lambda _error, _trainer: autosave())


def run(path: str | None = None, example: str | None = None, theme: str | None = None) -> int:
    """Open the window on ``path``, the example ``example`` or the default session; returns the exit code.

    ``theme`` ("system", "light" or "dark") is used for this run instead of the one saved in the settings.

    A file that cannot be opened is reported in an error box and the default session opens
    instead; autosaves left by a crash are offered for restoring once the window shows."""
    app = application()
    apply_theme(theme or saved_theme())
    session, problem = initial_session(path, example)
    opened = path if path is not None and problem is None else None
    window = create_window(session, file_path=opened, offer_restore=True)
    window.show()
    fit_on_screen(window)  # a saved geometry from a larger screen is clamped to this one
    # Take the keyboard focus at start, so the stepping keys work at once even where no
    # window manager hands it over (a bare X server, some kiosk set-ups for projectors).
    window.raise_()
    window.activateWindow()
    if problem:
        show_error(window, "Cannot open session", problem)
    keep_start_up_objects()
    return app.exec()


def keep_start_up_objects() -> None:
    """Collect start-up's garbage once, then exempt every object alive now (modules, Qt wrappers, the
    window's views: some 100,000) from the garbage collector. Its full collections then walk only the
    objects made since: each took ~70 ms of the event loop on a laptop, and a fifth of the window's
    processor time while training."""
    gc.collect()
    gc.freeze()
