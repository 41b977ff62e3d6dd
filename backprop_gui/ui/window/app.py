"""Starting the window: the QApplication, the first session (file, example or default), error dialogs,
and ``create_window``, which puts every feature into the window: training, sessions (files, undo,
autosave), diagnostics, export, the note, and the glue between them.
"""

from __future__ import annotations

import sys
from typing import cast

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from backprop_gui.core.layouts import LayoutName
from backprop_gui.core.presets import default_session, load_example
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import SessionError, load_session
from backprop_gui.ui.common.icons import IconRecolorer, app_icon
from backprop_gui.ui.common.plain_messages import PlainTextMessages
from backprop_gui.ui.common.screen_fit import DialogsOnScreen, fit_on_screen
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.diagnostics.controller import DiagnosticsController, install_diagnostics
from backprop_gui.ui.sessions.controller import install_session_features
from backprop_gui.ui.sessions.note_panel import install_note_panel
from backprop_gui.ui.stepping.chain_view import ChainRuleView, install_chain_rule
from backprop_gui.ui.stepping.worked_view import install_worked_solution
from backprop_gui.ui.training.controller import TrainingController, install_training
from backprop_gui.ui.window.export import install_export
from backprop_gui.ui.window.imports import install_import
from backprop_gui.ui.window.layouts import LayoutController, install_layouts
from backprop_gui.ui.window.main_window import APP_NAME, MainWindow, show_error
from backprop_gui.ui.window.theme import apply_theme, install_theme_menu, saved_theme

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
    autosaves a crash left behind once the event loop runs. The window gains
    ``session_controller``, ``training_controller``, ``diagnostics_controller``, ``export_controller``,
    ``import_controller`` and ``note_panel``.
    """
    app = QApplication.instance()
    if app is not None and app.findChild(DialogsOnScreen) is None:  # every dialog fits its screen
        app.installEventFilter(DialogsOnScreen(app))
    model = SessionModel(session)
    window = MainWindow(model)
    PlainTextMessages(window)  # names and paths in message boxes never render as HTML
    training = install_training(window, model)
    sessions = install_session_features(
        window, model, file_path=file_path, settings=settings, autosave_dir=autosave_dir, offer_restore=offer_restore
    )
    diagnostics = install_diagnostics(window, model)
    exports = install_export(window, model)
    imports = install_import(window, model, sessions)
    note_panel, note_dock = install_note_panel(window, model)
    worked_dock = install_worked_solution(window, model, window.formula_view)
    chain_dock = install_chain_rule(window, model, window.formula_view)
    window.tabifyDockWidget(worked_dock, chain_dock)
    chain_view = chain_dock.widget()
    if isinstance(chain_view, ChainRuleView):
        chain_view.pathHovered.connect(window.network_view.highlight_path)
    worked_dock.raise_()
    _connect_training(training, diagnostics, sessions.autosave_now)
    window.show_opening(sessions.actions["open"], sessions.examples_menu)
    window.session_controller = sessions
    window.training_controller = training
    window.diagnostics_controller = diagnostics
    window.export_controller = exports
    window.import_controller = imports
    window.note_panel = note_panel
    window.restore_settings()  # the docks added above get their saved layout
    docks = {**window.docks, "note": note_dock, **training.docks, **diagnostics.docks}
    shown_when = {"note": lambda: bool(model.session.note), "quiz": lambda: diagnostics.quiz_panel.active}
    window.layout_controller = install_layouts(window, model, docks, window.presentation, shown_when)
    window.theme_actions = install_theme_menu(window)
    IconRecolorer(window)
    _follow_use(window.layout_controller, training, diagnostics)
    model.apply_view_state()  # the file's display settings win over the saved preferences
    return window


def _follow_use(layouts: LayoutController, training: TrainingController, diagnostics: DiagnosticsController) -> None:
    """F5 in the Step layout switches to Train; landing on a breakpoint switches back to Step."""

    def started(checked: bool) -> None:
        if checked and layouts.current == LayoutName.STEP:
            layouts.set_layout(LayoutName.TRAIN)

    training.actions["train"].triggered.connect(started)
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
    return app.exec()
