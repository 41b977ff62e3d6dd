"""Without PyTorch: import-torch says how to install it and exits 2; nothing else ever imports torch.

PyTorch's absence is simulated in a child process by ``sys.modules["torch"] = None``, which makes
every ``import torch`` fail whether or not PyTorch is installed here.
"""

from __future__ import annotations

import subprocess
import sys

BLOCK_TORCH = "import sys; sys.modules['torch'] = None\n"


def python(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_import_torch_without_torch_exits_2_with_one_line_saying_how_to_install(tmp_path):
    (tmp_path / "model.pt").write_bytes(b"anything")
    code = (
        BLOCK_TORCH
        + "from backprop_gui.cli import main\nsys.exit(main(['import-torch', 'model.pt', '--out', 'out.json']))"
    )
    done = python(code, tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "backprop-gui: reading a PyTorch model needs PyTorch, which is not installed: "
        'pip install "backprop-gui[torch]"\n'
    )
    assert not (tmp_path / "out.json").exists()


def test_core_cli_and_window_never_import_torch(tmp_path):
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "import backprop_gui.cli, backprop_gui.torch_import, backprop_gui.core.scripts, backprop_gui.core.npz\n"
        "from backprop_gui.cli import main\n"
        "assert main(['export', '--example', 'xor', '--torch', 't.py', '--numpy', 'n.py', '--npz', 'w.npz']) == 0\n"
        "from PySide6.QtCore import QSettings\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from backprop_gui.core.presets import load_example\n"
        "from backprop_gui.ui.window.app import create_window\n"
        "app = QApplication([])\n"
        "settings = QSettings('settings.ini', QSettings.Format.IniFormat)\n"
        "window = create_window(load_example('xor'), settings=settings, autosave_dir='autosave')\n"
        "window.show()\n"
        "print(sorted(name for name in sys.modules if name == 'torch' or name.startswith('torch.')))\n"
    )
    done = python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
