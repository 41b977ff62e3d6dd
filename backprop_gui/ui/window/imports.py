"""File ▸ Import: a PyTorch model as a new session, or weights from a ``.npz`` archive into this one.

A model opens through the session controller, so unsaved changes are asked about first; the
weights come in as one undoable edit. PyTorch is imported only when a model is read (and only if
installed: otherwise a dialog says how to install it). Every message is shown as plain text.
"""

from __future__ import annotations

import os
from typing import Protocol

from PySide6.QtCore import QDir, QObject
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.formatting import counted
from backprop_gui.core.npz import ImportWeights, WeightsError, read_npz
from backprop_gui.core.session import Session
from backprop_gui.torch_import import INSTALL, ModelError, NeedsActivations, TorchMissing, model_session, read_model
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.actions import ActionId, ActionSpec, make_action
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.sessions.edit_dialogs import as_sentence

MODEL_FILTER = "PyTorch models (*.pt *.pth);;All files (*)"
WEIGHTS_FILTER = "NumPy archives (*.npz);;All files (*)"


def show_message(parent: QMainWindow, icon: QMessageBox.Icon, title: str, text: str, detail: str = "") -> None:
    """A message box showing ``text`` (and ``detail`` below it) as plain text, never as HTML."""
    box = plain_messages.message_box(icon, title, text, parent)
    if detail:
        box.setInformativeText(detail)
    box.exec()


class SessionOpener(Protocol):
    """What importing uses of the session controller: asking about unsaved changes, and opening."""

    def maybe_save(self, doing: str = "closing") -> bool: ...
    def open_session(self, session: Session, path: str | None = None) -> None: ...


ACTIONS = (
    ActionSpec(ActionId.IMPORT_PYTORCH_MODEL, "&PyTorch Model…", tip="Open a torch.nn.Sequential of Linear layers, "
               "or its state_dict, saved with torch.save (needs PyTorch)"),
    ActionSpec(ActionId.IMPORT_WEIGHTS_NPZ, "&Weights (.npz)…",
               tip="Replace this network's weights by those of a numpy archive (w1, b1, w2, b2, …)"),
)  # fmt: skip


class ImportController(QObject):
    """File ▸ Import of ``window``; ``actions`` by id. A model opens through ``sessions``, weights
    are an undoable edit pushed through the model."""

    def __init__(self, window: QMainWindow, model: SessionModel, sessions: SessionOpener) -> None:
        super().__init__(window)
        self.window = window
        self.model = model
        self.sessions = sessions
        self.folder = QDir.homePath()
        self.menu = QMenu("&Import", window)
        self.menu.setToolTipsVisible(True)
        slots = {
            ActionId.IMPORT_PYTORCH_MODEL: self.import_pytorch_model,
            ActionId.IMPORT_WEIGHTS_NPZ: self.import_weights_npz,
        }
        self.actions = {spec.id: make_action(window, spec, slots[spec.id]) for spec in ACTIONS}
        self.menu.addActions(list(self.actions.values()))

    # --- a PyTorch model ---------------------------------------------------------------------

    def import_pytorch_model(self, path: str | None = None, activations: list[str] | None = None) -> bool:
        """Open the model at ``path`` (asking for one when None) as a new session; False if cancelled or refused.

        A state_dict needs ``activations``, one per Linear layer; they are asked for when not given."""
        if not self.sessions.maybe_save("importing a PyTorch model"):
            return False
        if path is None:
            path = self._ask_open("Import PyTorch Model", MODEL_FILTER)
            if path is None:
                return False
        try:
            network = read_model(path, activations)
        except TorchMissing:
            self._error(
                "PyTorch is needed",
                "Reading a PyTorch model needs PyTorch, which is not installed.",
                f"Install it with:\n{INSTALL}",
            )
            return False
        except NeedsActivations as needs:
            activations = self._ask_activations(path, needs.layers)
            if activations is None:
                return False
            return self.import_pytorch_model(path, activations)
        except ModelError as error:
            self._error("Cannot import the model", as_sentence(str(error)))
            return False
        self.sessions.open_session(model_session(path, network))
        self._status(
            f"Imported {path}: {counted(len(network.layers), 'layer')}, one sample x = 0 "
            "(import data with the Data menu)"
        )
        return True

    def _ask_activations(self, path: str, layers: int) -> list[str] | None:
        """Each layer's activation, asked for in one line; None if cancelled."""
        suggestion = ",".join(["relu"] * (layers - 1) + ["sigmoid"])
        text = plain_messages.text_input(
            self.window,
            "Name the activations",
            f"{os.path.basename(path)} holds the weights of {layers} Linear layers (a state_dict), not their "
            f"activations.\nName each layer's activation, separated by commas ({', '.join(ACTIVATIONS)}):",
            suggestion,
        )
        if text is None:
            return None
        return [name.strip() for name in text.split(",")]

    # --- weights -------------------------------------------------------------------------------

    def import_weights_npz(self, path: str | None = None) -> bool:
        """Put the weights of the archive at ``path`` (asking for one when None) into the network, undoably."""
        if path is None:
            path = self._ask_open("Import Weights", WEIGHTS_FILTER)
            if path is None:
                return False
        try:
            edit = ImportWeights(read_npz(path), path)
            edit.check(self.model.session)
        except WeightsError as error:
            self._error("Cannot import the weights", as_sentence(str(error)))
            return False
        self.model.push_edit(edit)
        self._status(f"Imported the weights of {path}")
        return True

    # --- helpers ---------------------------------------------------------------------------------

    def _ask_open(self, caption: str, filters: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.window, caption, self.folder, filters)
        if not path:
            return None
        self.folder = os.path.dirname(os.path.abspath(path))
        return path

    def _error(self, title: str, text: str, detail: str = "") -> None:
        show_message(self.window, QMessageBox.Icon.Warning, title, text, detail)

    def _status(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 8000)


def install_import(
    window: QMainWindow, model: SessionModel, sessions: SessionOpener, file_menu: QMenu, after: QMenu | None
) -> ImportController:
    """Add Import to ``file_menu``, right after the ``after`` menu (File ▸ Export) when given, else
    last; return its controller, whose ``actions`` the window is to hold."""
    controller = ImportController(window, model, sessions)
    actions = file_menu.actions()
    index = actions.index(after.menuAction()) + 1 if after is not None and after.menuAction() in actions else None
    if index is not None and index < len(actions):
        file_menu.insertMenu(actions[index], controller.menu)
    else:
        file_menu.addMenu(controller.menu)
    return controller
