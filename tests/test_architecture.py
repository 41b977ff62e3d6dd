"""The architecture is checked by tools: the import contracts in pyproject.toml hold (and each one
catches a module that breaks it), mypy passes --strict on the core and the command line, and its
default checks on the window."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_NO_QT = "core imports no Qt and nothing of the window"
LAYERS = "window on top of the features, the features independent, common at the bottom"
NO_CYCLES = "no import cycles between sibling modules or packages"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the package under ``root`` with the contracts of its pyproject.toml."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())",
            "--no-cache",
        ],  # fmt: skip
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},  # the copy under test comes first
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in (CORE_NO_QT, LAYERS, NO_CYCLES):
        assert f"{name} KEPT" in result.stdout


@pytest.mark.parametrize(
    ("contract", "modules"),
    [
        (CORE_NO_QT, {"core/probe.py": "import PySide6.QtCore\n"}),
        (CORE_NO_QT, {"core/probe.py": "import pyqtgraph\n"}),
        (CORE_NO_QT, {"core/probe.py": "import shiboken6\n"}),
        (CORE_NO_QT, {"core/probe.py": "from backprop_gui.ui.common import colors\n"}),
        (LAYERS, {"ui/stepping/probe.py": "from backprop_gui.ui.training import loss_plot\n"}),
        (LAYERS, {"ui/common/probe.py": "from backprop_gui.ui.window import main_window\n"}),
        (LAYERS, {"ui/diagnostics/probe.py": "from backprop_gui.ui.window import presentation\n"}),
        (LAYERS, {"ui/common/probe.py": "from backprop_gui.ui.sessions import controller\n"}),
        (
            NO_CYCLES,
            {
                "core/probe_a.py": "from backprop_gui.core import probe_b\n",
                "core/probe_b.py": "from backprop_gui.core import probe_a\n",
            },
        ),  # fmt: skip
    ],
)
def test_each_contract_catches_a_module_that_breaks_it(tmp_path: Path, contract: str, modules: dict[str, str]) -> None:
    """A copy of the package gains modules that break ``contract``; the linter names it broken."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(ROOT / "backprop_gui", tmp_path / "backprop_gui", ignore=shutil.ignore_patterns("__pycache__"))
    for path, text in modules.items():
        (tmp_path / "backprop_gui" / path).write_text(text)
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout, result.stdout + result.stderr
    assert "probe" in result.stdout


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mypy", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)


def test_core_and_the_command_line_pass_mypy_strict() -> None:
    # the window's modules that cli.py imports are checked on their own terms (not strict)
    result = mypy("--strict", "--follow-imports=silent", "backprop_gui/core", "backprop_gui/cli.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_window_passes_mypy() -> None:
    result = mypy("backprop_gui/ui")
    assert result.returncode == 0, result.stdout + result.stderr
