"""Sessions in a window: New / Open / Open Recent / Save / Save As / Revert, drag-and-drop,
the title with its modified mark, the unsaved-changes prompt, autosave with a restore offer
after a crash, and the Edit menu whose edits are undoable commands.

``install_session_features(window, model, file_menu, edit_menu)`` adds all of it to any QMainWindow and returns
the ``SessionController`` that does the work. Files are read and written by
``core.session_format``; saves go through QSaveFile (``ui.common.saving``), so a failed or interrupted
save never damages the file on disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QGridLayout,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSpacerItem,
)

from backprop_gui.core.debugger_state import Event, Field, Selection
from backprop_gui.core.editing import (
    AddNeuron,
    Edit,
    RemoveLayer,
    RemoveNeuron,
    ToggleBias,
    bias_name,
    weight_name,
)
from backprop_gui.core.features import RAW_INPUT_SIZE
from backprop_gui.core.files import writable_target
from backprop_gui.core.presets import list_examples, load_example
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import SessionError, dumps, load_session, session_from_dict, session_to_dict
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.actions import ActionId, ActionSpec, make_action
from backprop_gui.ui.common.saving import save_bytes
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.sessions.autosave import Autosave, decode, encode_pieces
from backprop_gui.ui.sessions.commands import EditCommand
from backprop_gui.ui.sessions.edit_dialogs import (
    ActivationDialog,
    AddLayerDialog,
    EditDialog,
    FeaturesDialog,
    LossDialog,
    ParameterDialog,
    ReinitialiseDialog,
    as_sentence,
)
from backprop_gui.ui.sessions.new_session_dialog import NewSessionDialog
from backprop_gui.ui.sessions.recent_files import RecentFiles, fill_recent_menu

APP_NAME = "backprop-gui"
FILE_FILTER = "backprop-gui sessions (*.json);;All files (*)"
SETTLE_MS = 2000  # autosave this long after the network last changed outside an edit (training stopped)
STATUS_MS = 5000
A = ActionId
ACTIONS = (
    ActionSpec(A.NEW, "&New…", (QKeySequence.StandardKey.New,), tip="Build a new network"),
    ActionSpec(A.OPEN, "&Open…", (QKeySequence.StandardKey.Open,), "open", "Open a session file"),
    ActionSpec(A.SAVE, "&Save", (QKeySequence.StandardKey.Save,), tip="Save the session to its file"),
    ActionSpec(A.SAVE_AS, "Save &As…", ("Ctrl+Shift+S",), tip="Save the session to a new file"),
    ActionSpec(A.REVERT, "Re&vert", tip="Discard the changes since the last save"),
    ActionSpec(A.SET_VALUE, "Set &Value…", ("F2",), tip="Set the selected weight w or bias b"),
    ActionSpec(A.CHANGE_ACTIVATION, "Change &Activation…", tip="Choose a layer's f"),
    ActionSpec(A.CHANGE_LOSS, "Change &Loss…", tip="Choose the loss C"),
    ActionSpec(A.INPUT_FEATURES, "Input &Features…", tip="Choose the inputs a⁰: features of x₁, x₂"),
    ActionSpec(A.ADD_LAYER, "Add &Hidden Layer…", tip="Insert a hidden layer"),
    ActionSpec(A.REMOVE_LAYER, "&Remove Layer"),
    ActionSpec(A.ADD_NEURON, "Add &Neuron"),
    ActionSpec(A.REMOVE_NEURON, "Remove Ne&uron"),
    ActionSpec(A.TOGGLE_BIAS, "&Bias in Layer", tip="Give the selected layer a bias bˡ, or none", checkable=True),
    ActionSpec(A.REINITIALISE, "Re-&initialise Weights…", tip="Draw every weight anew"),
)


def _insert_block(menu: QMenu, items: Sequence[QAction | QMenu | None]) -> None:
    """Put ``items`` (None = separator) at the top of ``menu``, before what it already holds
    (an item already in the menu moves into the block)."""
    actions = [item.menuAction() if isinstance(item, QMenu) else item for item in items]
    existing = [action for action in menu.actions() if action not in actions]
    before = existing[0] if existing else None
    for action in actions + ([None] if existing else []):
        if action is None:
            action = QAction(menu)
            action.setSeparator(True)
        if before is None:
            menu.addAction(action)
        else:
            menu.insertAction(before, action)


class SessionController(QObject):
    """Keeps the window's session in step with its file, its autosave and its undo stack.

    ``modified`` is true after an edit not undone, or after the network changed outside an
    edit (training), until the session is saved or replaced.
    """

    modified_changed = Signal(bool)

    def __init__(
        self,
        window: QMainWindow,
        model: SessionModel,
        file_menu: QMenu,
        edit_menu: QMenu,
        settings: QSettings | None = None,
        autosave_dir: str | None = None,
        file_path: str | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.model = model
        self.file_path = os.path.abspath(file_path) if file_path else None
        self.undo_stack = QUndoStack(self)
        self.recent = RecentFiles(settings if settings is not None else QSettings())
        self.autosave = Autosave(autosave_dir, parent=self)
        self.actions: dict[ActionId, QAction] = {}
        self._changed_outside = False
        self._in_command = False
        self._replacing = False
        self._was_modified = False
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.autosave_now)

        self._make_actions()
        self._build_file_menu(file_menu)
        self._build_edit_menu(edit_menu)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        model.changed.connect(self._on_model_changed)
        model.edit_requested.connect(self.edit_parameter)
        model.edit_handler = self.push
        self.autosave.due.connect(self.autosave_now)
        self.autosave.problem.connect(self._status)
        self.autosave.start()
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        self._update_title()
        self._refresh_actions()

    # --- state --------------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        return self._changed_outside or not self.undo_stack.isClean()

    @property
    def session(self) -> Session:
        return self.model.session

    def _clean_changed(self, _clean: bool) -> None:
        self._update_modified()

    def _update_modified(self) -> None:
        modified = self.modified
        self.window.setWindowModified(modified)
        self.actions[A.REVERT].setEnabled(modified and self.file_path is not None)
        if modified != self._was_modified:
            self._was_modified = modified
            self.modified_changed.emit(modified)

    def _update_title(self) -> None:
        name = self.session.name.strip() or "Untitled"
        if self.file_path:
            base = os.path.basename(self.file_path)
            if os.path.splitext(base)[0] != name:
                name = f"{name} ({base})"
        # "[*]" in a name would be taken for the modified mark; Qt shows "[*][*]" as a literal "[*]".
        self.window.setWindowTitle(f"{name.replace('[*]', '[*][*]')}[*] — {APP_NAME}")
        self._update_modified()

    def _on_model_changed(self, event: Event) -> None:
        if event.field == Field.WEIGHTS:
            self._update_applied(bool(event.value))
        elif event.field == Field.NETWORK and not self._in_command:
            self._changed_outside = True  # training changed the weights
            self._settle.start()
        elif event.field == Field.SESSION and not self._replacing:
            self._reset(None)  # someone else put a new session in the model (an example, say)
        self._update_title()
        self._refresh_actions()

    def _update_applied(self, _applied: bool) -> None:
        """The stepper's Update changed the weights (and the history counts it): unsaved changes."""
        self._changed_outside = True
        self._update_modified()
        self._settle.start()

    def _reset(self, path: str | None) -> None:
        self.file_path = os.path.abspath(path) if path else None
        self.undo_stack.clear()
        self._changed_outside = False
        self.autosave.remove()

    def mark_unmodified(self) -> None:
        """Count the session as it stands as saved: no modified mark, no question on closing."""
        self._changed_outside = False
        self.undo_stack.setClean()

    def _status(self, message: str) -> None:
        self.window.statusBar().showMessage(message, STATUS_MS)

    # --- opening and saving ---------------------------------------------------------------

    def open_session(self, session: Session, path: str | None = None) -> None:
        """Show ``session`` (read from ``path``, or new when None): unmodified, with an empty undo history."""
        self.model.about_to_move.emit()  # a running trainer pauses while the old session is still there
        self._replacing = True
        try:
            self._reset(path)
            self.model.set_session(session)
        finally:
            self._replacing = False
        self._update_title()
        self._refresh_actions()

    def new_session(self) -> bool:
        """Ask for unsaved changes, then build a session with the New Session dialog."""
        if not self.maybe_save("creating a new session"):
            return False
        dialog = NewSessionDialog(self.session.data, self.window)
        session = dialog.session() if dialog.exec() == QDialog.DialogCode.Accepted else None
        if session is None:
            return False
        self.open_session(session)
        return True

    def open_example(self, name: str) -> bool:
        """Open the built-in example ``name`` as a new, unsaved session (asking about unsaved changes first)."""
        if not self.maybe_save("opening an example"):
            return False
        try:
            session = load_example(name)
        except SessionError as error:
            plain_messages.critical(self.window, "Cannot open example", as_sentence(str(error)))
            return False
        self.open_session(session)
        self._status(f"Opened the example {session.name}")
        return True

    def open_file(self, path: str | None = None) -> bool:
        """Open the session file at ``path`` (asking for one when None); False if cancelled or unreadable."""
        if not self.maybe_save("opening another session"):
            return False
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, "Open Session", self._folder(), FILE_FILTER)
            if not path:
                return False
        session = self._load(path)
        if session is None:
            return False
        self.open_session(session, path)
        self.recent.add(path)
        self._status(f"Opened {path}")
        return True

    def _load(self, path: str) -> Session | None:
        """The session in ``path``, or None after saying why it cannot be read."""
        try:
            return load_session(path)
        except SessionError as error:
            if not os.path.exists(path):
                self.recent.remove(path)
            plain_messages.critical(self.window, "Cannot open session", as_sentence(str(error)))
            return None

    def revert(self) -> bool:
        """Throw away the changes and reload the file as last saved."""
        if self.file_path is None or not self.modified:
            return False
        answer = plain_messages.question(
            self.window,
            "Revert session",
            f"Discard your changes to “{self.session.name}” and reopen {os.path.basename(self.file_path)} "
            "as it was last saved?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Discard:
            return False
        session = self._load(self.file_path)
        if session is None:
            return False
        self.open_session(session, self.file_path)
        self._status(f"Reverted to {self.file_path}")
        return True

    def save(self) -> bool:
        """Save to the session's file, or ask where if it has none. False if not saved."""
        if self.file_path is None:
            return self.save_as()
        return self._write(self.file_path)

    def save_as(self, path: str | None = None) -> bool:
        """Save to ``path`` (asking for one when None) and make it the session's file."""
        if path is None:
            suggested = os.path.join(self._folder(), _file_name(self.session.name))
            path, _ = QFileDialog.getSaveFileName(self.window, "Save Session As", suggested, FILE_FILTER)
            if not path:
                return False
            if not os.path.splitext(path)[1]:
                path += ".json"
        return self._write(path)

    def _write(self, path: str) -> bool:
        problem = ""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # after a long run, a few tenths of a second
        try:
            writable_target(path)  # a folder, device or pipe is refused; a symbolic link is written through
            save_bytes(path, dumps(self.model.snapshot()).encode("utf-8"))
        except OSError as error:
            problem = error.strerror or str(error)
        except SessionError as error:
            problem = str(error)
        finally:
            QApplication.restoreOverrideCursor()
        if problem:
            return self._save_failed(path, problem)
        self.file_path = os.path.abspath(path)
        self.mark_unmodified()
        self.autosave.remove()
        self.recent.add(path)
        self._update_title()
        self._status(f"Saved to {path}")
        return True

    def _save_failed(self, path: str, reason: str) -> bool:
        plain_messages.critical(
            self.window,
            "Cannot save session",
            f"“{self.session.name}” could not be saved to {path}:\n{as_sentence(reason)}\n\n"
            "The session is still open with its changes; save it somewhere else.",
        )
        return False

    def maybe_save(self, doing: str = "closing") -> bool:
        """If there are unsaved changes ask Save / Discard / Cancel; True if it is fine to go on."""
        if not self.modified:
            return True
        box = plain_messages.message_box(
            QMessageBox.Icon.Warning,
            "Unsaved changes",
            f"“{self.session.name}” has unsaved changes.",
            self.window,
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        )
        box.setInformativeText(f"Save them before {doing}?")
        _roomy(box)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _folder(self) -> str:
        if self.file_path:
            return os.path.dirname(self.file_path)
        recent = self.recent.paths()
        return os.path.dirname(recent[0]) if recent else os.path.expanduser("~")

    # --- autosave -----------------------------------------------------------------------

    def autosave_now(self) -> None:
        """Write the autosave if there are unsaved changes (else delete it), on the autosave's own
        thread (``Autosave.write_later``). Call after training stops."""
        if not self.modified:
            self.autosave.remove()
            return
        session, file_path = self.model.snapshot().detached(), self.file_path  # what the writer's thread reads
        self.autosave.write_later(lambda: encode_pieces(session_to_dict(session, deferred=True), file_path))

    def offer_restore(self) -> bool:
        """After a crash, offer each autosave left behind (newest first): Restore, Discard or Later."""
        for orphan in self.autosave.orphans():
            try:
                document, path = decode(orphan.read())
                session = session_from_dict(document)
            except (OSError, ValueError, RecursionError, MemoryError) as error:  # SessionError is a ValueError
                moved = orphan.move_aside()
                why = as_sentence(str(error) or type(error).__name__)
                where = f"It was moved to {moved}." if moved else "It was removed."
                plain_messages.warning(
                    self.window, "Autosave damaged", f"An autosave could not be restored: {why}\n\n{where}"
                )
                continue
            no_buttons = QMessageBox.StandardButton.NoButton  # Restore, Discard and Later only
            box = plain_messages.message_box(
                QMessageBox.Icon.Question, "Restore unsaved session", "", self.window, no_buttons
            )
            box.setText(f"{APP_NAME} did not close properly. “{session.name}” had unsaved changes.")
            source = f" of {path}" if path else ""
            box.setInformativeText(
                f"An autosave{source} from {orphan.saved_at:%Y-%m-%d %H:%M} holds them. Restore it, discard it, "
                "or decide later (asked again at the next start)?"
            )
            restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
            discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
            box.setEscapeButton(box.addButton("Later", QMessageBox.ButtonRole.RejectRole))
            box.setDefaultButton(restore)
            _roomy(box)
            box.exec()
            if box.clickedButton() is restore:
                self.open_session(session, path)
                self._changed_outside = True  # not saved to its file yet
                self._update_title()
                orphan.discard()
                self.autosave_now()
                return True
            if box.clickedButton() is discard:
                orphan.discard()
            else:
                orphan.close()  # asked again next time
        return False

    # --- events: close, drag and drop -----------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is not self.window:
            return False
        kind = event.type()
        if kind == QEvent.Type.Close:
            if not self.maybe_save("closing"):
                event.ignore()
                return True
            self.autosave.close()
            return False
        if not isinstance(event, QDragEnterEvent | QDropEvent):
            return False
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and _dropped_path(event):
            event.acceptProposedAction()
            return True
        if kind == QEvent.Type.Drop and (path := _dropped_path(event)):
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.open_file(path))  # not inside the drop: it may show dialogs
            return True
        return False

    # --- editing --------------------------------------------------------------------------

    def push(self, edit: Edit, notify: Callable[[], None] | None = None) -> bool:
        """Make ``edit`` an undoable command (``notify``, default ``model.network_changed``, runs after
        each change it makes), or say why it cannot be made; True if it was made."""
        try:
            edit.check(self.session)
        except ValueError as error:
            plain_messages.warning(self.window, "Cannot make this change", as_sentence(str(error)))
            return False
        tell = notify or self.model.network_changed

        def changed() -> None:
            self._in_command = True
            try:
                if not _selection_fits(self.model.selection, self.session):
                    self.model.set_selection(None)
                tell()
            finally:
                self._in_command = False

        self.undo_stack.push(EditCommand(self.model, edit, changed))
        return True

    def edit_parameter(self, selection: Selection | None = None) -> bool:
        """Edit the weight w_jk^l (an edge) or bias b_j^l (a neuron) of ``selection`` (default: the selected one).

        For the tables and the graph to call on a double-click. True if a value was set.
        """
        selection = selection if selection is not None else self.model.selection
        if selection is None or selection.layer < 1:
            self._status("Inputs x come from the data set; select a weight or a neuron of layer 1 or later")
            return False
        layer = self.session.network.layer(selection.layer)
        if selection.k is None and not layer.has_bias:
            plain_messages.information(
                self.window,
                "No bias to edit",
                f"Layer {selection.layer} has no bias ({bias_name(selection.layer, selection.j)} is fixed at 0). "
                "Turn its bias on with Edit ▸ Bias in Layer first.",
            )
            return False
        dialog = ParameterDialog(self.session, selection.layer, selection.j, selection.k, self.window)
        return self._run(dialog)

    def _run(self, dialog: EditDialog) -> bool:
        edit = dialog.edit() if dialog.exec() == QDialog.DialogCode.Accepted else None
        return edit is not None and self.push(edit)

    def _selected_layer(self) -> int | None:
        selection = self.model.selection
        return selection.layer if selection is not None and selection.layer >= 1 else None

    def change_activation(self) -> bool:
        layer = self._selected_layer() or self.session.network.depth
        return self._run(ActivationDialog(self.session, layer, self.window))

    def change_loss(self) -> bool:
        return self._run(LossDialog(self.session, self.window))

    def add_layer(self) -> bool:
        network = self.session.network
        layer = self._selected_layer()
        position = layer + 1 if layer is not None and layer < network.depth else network.depth
        return self._run(AddLayerDialog(self.session, position, self.window))

    def edit_features(self) -> bool:
        """Choose the network's input features (Edit ▸ Input Features…); True if they changed."""
        return self._run(FeaturesDialog(self.session, self.window))

    def reinitialise(self) -> bool:
        return self._run(ReinitialiseDialog(self.session, seed=self.session.training.seed, parent=self.window))

    def remove_layer(self) -> bool:
        layer = self._selected_layer()
        return layer is not None and self.push(RemoveLayer(layer, seed=self.session.training.seed))

    def add_neuron(self) -> bool:
        layer = self._selected_layer()
        return layer is not None and self.push(AddNeuron(layer, seed=self.session.training.seed))

    def remove_neuron(self) -> bool:
        selection = self.model.selection
        if selection is None or selection.layer < 1 or selection.is_edge:
            return False
        return self.push(RemoveNeuron(selection.layer, selection.j))

    def toggle_bias(self) -> bool:
        layer = self._selected_layer()
        done = layer is not None and self.push(ToggleBias(layer))
        self._refresh_actions()  # the check mark follows the network, also when refused
        return done

    # --- menus ------------------------------------------------------------------------------

    def _make_actions(self) -> None:
        slots = {
            A.NEW: self.new_session, A.OPEN: self.open_file, A.SAVE: self.save, A.SAVE_AS: self.save_as,
            A.REVERT: self.revert, A.SET_VALUE: self.edit_parameter, A.CHANGE_ACTIVATION: self.change_activation,
            A.CHANGE_LOSS: self.change_loss, A.INPUT_FEATURES: self.edit_features, A.ADD_LAYER: self.add_layer,
            A.REMOVE_LAYER: self.remove_layer,
            A.ADD_NEURON: self.add_neuron, A.REMOVE_NEURON: self.remove_neuron, A.TOGGLE_BIAS: self.toggle_bias,
            A.REINITIALISE: self.reinitialise,
        }  # fmt: skip
        self.actions.update({spec.id: make_action(self.window, spec, slots[spec.id]) for spec in ACTIONS})

    def _build_file_menu(self, menu: QMenu) -> None:
        self.recent_menu = QMenu("Open &Recent", self.window)
        self.recent_menu.aboutToShow.connect(lambda: fill_recent_menu(self.recent_menu, self.recent, self.open_file))
        fill_recent_menu(self.recent_menu, self.recent, self.open_file)
        a = self.actions
        self.examples_menu = self._examples_menu()
        items = [a[A.NEW], a[A.OPEN], self.examples_menu, self.recent_menu, None, a[A.SAVE], a[A.SAVE_AS], a[A.REVERT]]
        _insert_block(menu, items)
        self.file_menu = menu

    def _examples_menu(self) -> QMenu:
        """File ▸ Open Example: every built-in example, opened through ``open_example``."""
        menu = QMenu("Open &Example", self.window)
        menu.setObjectName("examplesMenu")
        menu.setToolTipsVisible(True)
        for name, description in list_examples():
            action = menu.addAction(name.replace("_", " "))
            action.setToolTip(description)
            action.setStatusTip(description)
            action.setData(name)
            action.triggered.connect(lambda _=False, n=name: self.open_example(n))
        return menu

    def _build_edit_menu(self, menu: QMenu) -> None:
        undo = self.undo_stack.createUndoAction(self.window, "Undo")
        undo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        redo = self.undo_stack.createRedoAction(self.window, "Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.actions[A.UNDO], self.actions[A.REDO] = undo, redo
        undo.setObjectName(A.UNDO)
        redo.setObjectName(A.REDO)
        a = self.actions
        items = [undo, redo, None, a[A.SET_VALUE], a[A.CHANGE_ACTIVATION], a[A.CHANGE_LOSS], a[A.INPUT_FEATURES],
                 None, a[A.ADD_LAYER], a[A.REMOVE_LAYER], a[A.ADD_NEURON], a[A.REMOVE_NEURON], a[A.TOGGLE_BIAS], None,
                 a[A.REINITIALISE]]  # fmt: skip
        _insert_block(menu, items)
        menu.setToolTipsVisible(True)
        self.edit_menu = menu

    def _refresh_actions(self) -> None:
        """Enable and name the Edit items for the selection; say why one is unavailable."""
        network = self.session.network
        selection = self.model.selection
        layer = self._selected_layer()
        hidden = layer is not None and layer < network.depth
        why_hidden = (
            "Select a neuron or weight of a hidden layer first"
            if layer is None
            else f"Layer {layer} is the output layer: its size is fixed by the data's targets"
        )

        def put(key: ActionId, text: str, enabled: bool, tip: str) -> None:
            action = self.actions[key]
            action.setText(text)
            action.setEnabled(enabled)
            action.setToolTip(tip)
            action.setStatusTip(tip)

        if selection is not None and selection.layer >= 1:
            name = (
                bias_name(selection.layer, selection.j)
                if selection.k is None
                else weight_name(selection.layer, selection.j, selection.k)
            )
            put(A.SET_VALUE, f"Set &Value of {name}…", True, f"Type a new value for {name}")
        else:
            put(A.SET_VALUE, "Set &Value…", False, "Select a weight (edge) or a neuron of layer 1 or later first")
        suffix = f" {layer}" if layer is not None else ""
        put(A.REMOVE_LAYER, f"&Remove Layer{suffix}", hidden, "Remove this hidden layer" if hidden else why_hidden)
        put(A.ADD_NEURON, f"Add &Neuron to Layer{suffix}", hidden, "Append a neuron" if hidden else why_hidden)
        j = selection.j if selection is not None and hidden and not selection.is_edge else None
        can_remove = j is not None and layer is not None and network.layer(layer).size > 1
        if j is not None and not can_remove:
            tip = f"Neuron {j + 1} is the only neuron of layer {layer}"
        elif j is None:
            tip = "Select a neuron of a hidden layer first"
        else:
            tip = "Remove this neuron and its weights"
        text = f"Remove Ne&uron {j + 1} of Layer {layer}" if j is not None else "Remove Ne&uron"
        put(A.REMOVE_NEURON, text, can_remove, tip)
        raw = self.session.data.input_size
        put(
            A.INPUT_FEATURES, "Input &Features…", raw == RAW_INPUT_SIZE,
            "Choose the inputs a⁰: features of x₁, x₂ (x₁², x₁·x₂, sin x₁, …)" if raw == RAW_INPUT_SIZE
            else f"Input features are functions of 2 raw inputs (x₁, x₂); this data has {raw}",
        )  # fmt: skip
        bias = self.actions[A.TOGGLE_BIAS]
        bias.setText(f"&Bias in Layer{suffix}")
        bias.setEnabled(layer is not None)
        bias.setChecked(layer is not None and network.layer(layer).has_bias)
        bias.setToolTip("Select a neuron or weight first" if layer is None else "Switch bˡ on or off (off: bˡ = 0)")


def _roomy(box: QMessageBox) -> None:
    """Give a message box's text room to breathe (Qt sizes it to the shortest line otherwise): about
    60 characters wide, never more than half the screen; Qt still wraps longer text."""
    screen = box.screen().availableGeometry().width() if box.screen() is not None else 1024
    width = min(round(60 * box.fontMetrics().averageCharWidth()), screen // 2)
    layout = box.layout()
    assert isinstance(layout, QGridLayout)  # QMessageBox lays itself out on a grid
    spacer = QSpacerItem(width, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)
    layout.addItem(spacer, layout.rowCount(), 0, 1, layout.columnCount())


def _selection_fits(selection: Selection | None, session: Session) -> bool:
    if selection is None:
        return True
    sizes = session.network.sizes
    if not 0 <= selection.layer < len(sizes) or not 0 <= selection.j < sizes[selection.layer]:
        return False
    return selection.k is None or (selection.layer >= 1 and 0 <= selection.k < sizes[selection.layer - 1])


def _dropped_path(event: QDragEnterEvent | QDropEvent) -> str | None:
    mime = event.mimeData()
    urls = [url for url in mime.urls() if url.isLocalFile()] if mime is not None and mime.hasUrls() else []
    return urls[0].toLocalFile() if len(urls) == 1 else None


def _file_name(name: str) -> str:
    safe = "".join(c if c.isalnum() or c in " -_." else "_" for c in name).strip(" .") or "session"
    return safe + ".json"


def install_session_features(
    window: QMainWindow,
    model: SessionModel,
    file_menu: QMenu,
    edit_menu: QMenu,
    *,
    file_path: str | None = None,
    settings: QSettings | None = None,
    autosave_dir: str | None = None,
    offer_restore: bool = True,
) -> SessionController:
    """Add the items of ``file_menu`` and ``edit_menu``, drag-and-drop, title, close prompt and autosave
    to ``window``.

    ``file_path`` is the file the model's session was read from, if any. ``settings`` holds
    the recent files (default: the application's QSettings); ``autosave_dir`` defaults to
    QStandardPaths' AppDataLocation. With ``offer_restore`` the autosaves a crash left
    behind are offered once the event loop runs.
    """
    controller = SessionController(window, model, file_menu, edit_menu, settings, autosave_dir, file_path)
    if file_path:
        controller.recent.add(file_path)
    if offer_restore:
        QTimer.singleShot(0, controller.offer_restore)
    return controller
