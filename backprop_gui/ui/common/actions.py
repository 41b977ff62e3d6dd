"""The window's actions, declared as data: each has an id (``ActionId``), and a feature declares
its own as ``ActionSpec``s (text, keys, icon, tip) and makes them with ``make_action``.

The window keeps every feature's actions by id and finds them there: ``window.action(ActionId.SAVE)``,
or for one choice of a group ``window.action(ActionId.PRECISION, 6)``. No feature looks another's
actions up by text or object name.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from backprop_gui.ui.common.icons import ICON_PROPERTY, icon


class ActionId(StrEnum):
    """Every action of the window, by menu; a choice group's id is shared by its choices."""

    # File
    NEW = "new"
    OPEN = "open"
    SAVE = "save"
    SAVE_AS = "save_as"
    REVERT = "revert"
    EXPORT_GRAPH_PNG = "graph_png"  # choice: the scale 1..4
    EXPORT_GRAPH_SVG = "graph_svg"
    EXPORT_LOSS_PNG = "loss_png"  # choice: the scale 1..4
    EXPORT_LOSS_SVG = "loss_svg"
    EXPORT_PASS_CSV = "pass_csv"
    EXPORT_PASS_JSON = "pass_json"
    EXPORT_HISTORY_CSV = "history_csv"
    EXPORT_SOLUTION_MARKDOWN = "solution_markdown"
    EXPORT_SOLUTION_LATEX = "solution_latex"
    EXPORT_PYTORCH_SCRIPT = "pytorch_script"
    EXPORT_NUMPY_SCRIPT = "numpy_script"
    EXPORT_WEIGHTS_NPZ = "weights_npz"
    IMPORT_PYTORCH_MODEL = "import_pytorch_model"
    IMPORT_WEIGHTS_NPZ = "import_weights_npz"
    QUIT = "quit"
    # Edit
    UNDO = "undo"
    REDO = "redo"
    SET_VALUE = "set_value"
    CHANGE_ACTIVATION = "change_activation"
    CHANGE_LOSS = "change_loss"
    INPUT_FEATURES = "input_features"
    ADD_LAYER = "add_layer"
    REMOVE_LAYER = "remove_layer"
    ADD_NEURON = "add_neuron"
    REMOVE_NEURON = "remove_neuron"
    TOGGLE_BIAS = "toggle_bias"
    REINITIALISE = "reinitialise"
    # Step: each id is the SessionModel method the action calls
    STEP = "step"
    STEP_BACK = "step_back"
    STEP_INTO = "step_into"
    FINISH_PHASE = "finish_phase"
    RUN_TO_END = "run_to_end"
    RESET_PASS = "reset_pass"
    NEXT_SAMPLE = "next_sample"
    PREVIOUS_SAMPLE = "previous_sample"
    # View
    PRECISION = "precision"  # choice: significant digits
    NEURON_VALUE = "neuron_value"  # choice: a NeuronValue
    EDGE_MODE = "edge_mode"  # choice: an EdgeMode
    EDGE_LABELS = "edge_labels"  # choice: an EdgeLabelMode
    COLOUR_SCALE = "colour_scale"  # choice: a ScaleMode
    ZOOM_IN = "zoom_in"
    ZOOM_OUT = "zoom_out"
    RESET_ZOOM = "reset_zoom"
    SELECT_UP = "select_up"
    SELECT_DOWN = "select_down"
    SELECT_LEFT = "select_left"
    SELECT_RIGHT = "select_right"
    CLEAR_SELECTION = "clear_selection"
    PRESENTATION = "presentation"
    BLANK = "blank"
    ASK_FIRST = "ask_first"
    REVEAL = "reveal"
    LAYOUT = "layout"  # choice: a LayoutName
    RESET_LAYOUT = "reset_layout"
    THEME = "theme"  # choice: a theme's name
    # Train
    TRAIN = "train"
    PAUSE = "pause"
    ONE_EPOCH = "one_epoch"
    N_EPOCHS = "n_epochs"
    GENERATE_DATA = "generate_data"
    IMPORT_DATA = "import_data"
    RESET_HISTORY = "reset"
    RESET_OPTIMIZER = "reset_optimizer"
    COMPARE = "compare"
    CLEAR_REFERENCES = "clear_references"
    CONFUSION_MATRIX = "confusion_matrix"
    # Debug
    TOGGLE_BREAKPOINT = "toggle_breakpoint"
    CONTINUE = "continue"
    CONDITIONS = "conditions"
    GRADCHECK = "gradcheck"
    HEALTH = "health"
    QUIZ = "quiz"
    HINT = "hint"
    # Help
    SHORTCUTS = "shortcuts"
    ABOUT = "about"


# An action's key in the window: its id, or (id, choice) for one choice of a group.
ActionKey = ActionId | tuple[ActionId, Hashable]


@dataclass(frozen=True)
class ActionSpec:
    """An action as data: ``id``, menu ``text`` (with its "&" mnemonic), shortcut ``keys`` (the
    first is the one menus show), ``icon`` name, ``tip`` (default: the text), ``checkable``, and
    the ``short`` text a toolbar button shows beside its icon."""

    id: ActionId
    text: str
    keys: tuple[str | QKeySequence.StandardKey, ...] = ()
    icon: str | None = None
    tip: str = ""
    checkable: bool = False
    short: str = ""


def make_action(window: QWidget, spec: ActionSpec, slot: Callable[[], object] | None) -> QAction:
    """The action ``spec`` describes, owned by ``window`` and calling ``slot()`` when triggered (a
    checkable one without a slot is wired through its ``toggled`` signal by its feature). Its tool
    tip names its keys; the keys work anywhere in the window once the window holds the action."""
    action = QAction(spec.text, window)
    action.setObjectName(spec.id)
    action.setCheckable(spec.checkable)
    if spec.keys:
        action.setShortcuts([QKeySequence(key) for key in spec.keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if spec.icon:
        action.setIcon(icon(spec.icon, window.palette()))
        action.setProperty(ICON_PROPERTY, spec.icon)  # redrawn in the new colours when the palette changes
    if spec.short:
        action.setIconText(spec.short)
    keys = ", ".join(QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) for key in spec.keys)
    tip = spec.tip or spec.text.replace("&", "").rstrip("…")
    action.setToolTip(f"{tip} ({keys})" if keys else tip)
    action.setStatusTip(tip)
    if slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    return action
