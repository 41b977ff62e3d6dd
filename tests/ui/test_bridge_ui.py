"""File ▸ Export ▸ PyTorch Script… / NumPy Script… / Weights (.npz)… and File ▸ Import ▸ PyTorch Model… /
Weights (.npz)… in the full window: what they write, what they change, and their plain-text error dialogs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from backprop_gui.core.npz import weight_arrays, write_npz
from backprop_gui.core.presets import load_example
from backprop_gui.core.scripts import numpy_script
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.actions import ActionId

from window_helpers import open_window, press_undo

pytestmark = pytest.mark.usefixtures("private_places")


@pytest.fixture
def window(qtbot):
    return open_window(qtbot, load_example("xor"))


@pytest.fixture
def dialogs(monkeypatch):
    """Answer every save and open dialog with the path in ``answer[0]``."""
    answer: list[str] = [""]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args: (answer[0], "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *args: (answer[0], "")))
    return answer


def next_box() -> list[tuple[str, str, str, Qt.TextFormat]]:
    """(title, text, informative text, text format) of the next message box, closed with OK once shown."""
    seen: list[tuple[str, str, str, Qt.TextFormat]] = []

    def close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, close)
            return
        seen.append((box.windowTitle(), box.text(), box.informativeText(), box.textFormat()))
        box.button(QMessageBox.StandardButton.Ok).click()

    QTimer.singleShot(0, close)
    return seen


def menu_texts(window, name: str) -> list[str]:
    return [action.text() for action in window.menus[name].actions() if not action.isSeparator()]


def test_the_menus_offer_the_bridge_after_export(window):
    file_texts = [action.text() for action in window.menus["File"].actions()]
    assert file_texts.index("&Import") == file_texts.index("E&xport") + 1
    assert menu_texts(window, "Export")[-3:] == ["&PyTorch Script…", "&NumPy Script…", "&Weights (.npz)…"]
    assert menu_texts(window, "Import") == ["&PyTorch Model…", "&Weights (.npz)…"]


def test_numpy_script_of_the_sample_on_screen_runs_and_passes_its_check(window, dialogs, tmp_path, qtbot):
    window.model.stepper.select_batch(2)
    window.model.stepper.run_to_end()  # at Update: the network holds the new weights
    dialogs[0] = str(tmp_path / "pass.py")
    window.action(ActionId.EXPORT_NUMPY_SCRIPT).trigger()
    text = (tmp_path / "pass.py").read_text(encoding="utf-8")
    assert "SAMPLE = 2" in text
    assert text == numpy_script(window.model.stepper, name=window.model.session.name)
    done = subprocess.run([sys.executable, str(tmp_path / "pass.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert "Sample 2 of" in done.stdout and "agree with backprop-gui's" in done.stdout


def test_pytorch_script_and_weights_are_written(window, dialogs, tmp_path):
    dialogs[0] = str(tmp_path / "pass_torch")  # no suffix: .py is added
    window.action(ActionId.EXPORT_PYTORCH_SCRIPT).trigger()
    assert "model = nn.Sequential(" in (tmp_path / "pass_torch.py").read_text(encoding="utf-8")
    dialogs[0] = str(tmp_path / "weights.npz")
    window.action(ActionId.EXPORT_WEIGHTS_NPZ).trigger()
    with np.load(tmp_path / "weights.npz") as archive:
        assert archive["w1"].tolist() == window.model.session.network.layers[0].weights.tolist()


def test_imported_weights_replace_the_networks_in_one_undoable_step(window, dialogs, tmp_path, qtbot):
    network = window.model.session.network
    before = weight_arrays(network)
    other = load_example("xor").network
    for layer in other.layers:
        layer.weights = layer.weights * -2.0
        layer.biases = layer.biases + 0.5
    dialogs[0] = str(tmp_path / "w.npz")
    write_npz(other, dialogs[0])
    window.action(ActionId.IMPORT_WEIGHTS_NPZ).trigger()
    assert weight_arrays(window.model.session.network)["w1"].tolist() == other.layers[0].weights.tolist()
    assert window.model.stepper.position == 0  # the pass starts again on the new weights
    assert window.session_controller.modified
    press_undo(qtbot, window)
    after = weight_arrays(window.model.session.network)
    assert all(np.array_equal(after[name], before[name]) for name in before)


def test_weights_that_do_not_fit_are_refused_in_a_plain_text_dialog(window, dialogs, tmp_path):
    dialogs[0] = str(tmp_path / "blobs.npz")
    write_npz(load_example("blobs_softmax").network, dialogs[0])
    before = weight_arrays(window.model.session.network)
    seen = next_box()
    window.action(ActionId.IMPORT_WEIGHTS_NPZ).trigger()
    assert seen == [
        (
            "Cannot import the weights",
            f"{dialogs[0]}: w1: expected 2×2 (n_1 × n_0), got 4×2.",
            "",
            Qt.TextFormat.PlainText,
        )
    ]
    assert all(np.array_equal(weight_arrays(window.model.session.network)[n], v) for n, v in before.items())


def test_without_pytorch_the_model_import_says_how_to_install_it(window, dialogs, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # every `import torch` now fails
    dialogs[0] = str(tmp_path / "model.pt")
    (tmp_path / "model.pt").write_bytes(b"anything")
    seen = next_box()
    window.action(ActionId.IMPORT_PYTORCH_MODEL).trigger()
    assert seen == [
        (
            "PyTorch is needed",
            "Reading a PyTorch model needs PyTorch, which is not installed.",
            'Install it with:\npip install "backprop-gui[torch]"',
            Qt.TextFormat.PlainText,
        )
    ]
    assert window.model.session.name == load_example("xor").name


def test_a_pytorch_model_opens_as_a_new_session(window, dialogs, tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2), torch.nn.Softmax(dim=1))
    dialogs[0] = str(tmp_path / "classifier.pt")
    torch.save(model.double(), dialogs[0])
    window.action(ActionId.IMPORT_PYTORCH_MODEL).trigger()
    session = window.model.session
    assert session.name == "classifier" and session.network.sizes == [3, 4, 2]
    assert [layer.activation for layer in session.network.layers] == ["relu", "softmax"]
    assert session.network.layers[1].weights.tolist() == model[2].weight.tolist()
    assert window.network_view.isVisible()
    state = tmp_path / "state.pt"
    torch.save(model.state_dict(), state)
    monkeypatch.setattr(plain_messages, "text_input", lambda *args: "tanh, sigmoid")
    dialogs[0] = str(state)
    window.action(ActionId.IMPORT_PYTORCH_MODEL).trigger()
    assert [layer.activation for layer in window.model.session.network.layers] == ["tanh", "sigmoid"]
    conv = tmp_path / "conv.pt"
    torch.save(torch.nn.Sequential(torch.nn.Conv2d(1, 1, 3)), conv)
    dialogs[0] = str(conv)
    seen = next_box()
    window.action(ActionId.IMPORT_PYTORCH_MODEL).trigger()
    assert seen[0][0] == "Cannot import the model" and "Conv2d" in seen[0][1]
    assert seen[0][3] == Qt.TextFormat.PlainText
