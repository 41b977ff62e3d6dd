"""The core and the headless commands never import Qt (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_core_and_headless_cli_import_no_qt(tmp_path):
    out = tmp_path / "trained.json"
    script = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys
        import backprop_gui.core
        for module in pkgutil.iter_modules(backprop_gui.core.__path__):
            importlib.import_module("backprop_gui.core." + module.name)
        from backprop_gui.cli import main
        assert main(["examples"]) == 0
        assert main(["trace", "--example", "xor"]) == 0
        assert main(["trace", "--example", "course_simple", "--text"]) == 0
        assert main(["gradcheck", "--example", "xor"]) == 0
        assert main(["train", "--example", "xor", "--epochs", "1", "--out", {str(out)!r}]) == 0
        assert main(["trace", "no-such-file.json"]) == 2
        qt_packages = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")
        qt = sorted(m for m in sys.modules if m.split(".")[0] in qt_packages)
        print("QT:", qt)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "QT: []" in done.stdout
    assert out.exists()
