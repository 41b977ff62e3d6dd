"""Atomic file writing (the session file's own atomic saves are tested with the format)."""

from __future__ import annotations

from backprop_gui.core import files


def test_write_text_is_atomic_and_utf8(tmp_path):
    path = tmp_path / "out.md"
    path.write_text("old")
    files.write_text(path, "δ = 1\n")
    assert path.read_bytes() == "δ = 1\n".encode() and [p.name for p in tmp_path.iterdir()] == ["out.md"]
