"""Atomic file writing (the session file's own atomic saves are tested with the format)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from backprop_gui.core import files


def test_write_text_is_atomic_and_utf8(tmp_path):
    path = tmp_path / "out.md"
    path.write_text("old")
    files.write_text(path, "δ = 1\n")
    assert path.read_bytes() == "δ = 1\n".encode() and [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_a_symbolic_link_is_written_through_to_its_target(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    files.write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


@pytest.mark.parametrize("kind", ["folder", "fifo", "empty", "missing folder"])
def test_folders_pipes_and_bad_names_are_refused_before_writing(tmp_path, kind):
    path = {"folder": tmp_path, "fifo": tmp_path / "pipe", "empty": "", "missing folder": tmp_path / "no" / "x"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    with pytest.raises(OSError) as caught:
        files.write_text(path, "x")
    assert caught.value.strerror in (
        "is a folder, not a file",
        "is a device, pipe or socket, not a regular file",
        "no file name given",
        f"the folder {tmp_path / 'no'} does not exist",
    )
    if kind == "fifo":
        assert stat.S_ISFIFO(os.stat(path).st_mode)  # not replaced by a regular file


def test_stale_temporary_files_of_dead_writers_are_removed_on_the_next_save(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    path = tmp_path / "s.json"
    stale = tmp_path / f".s.json.{dead_pid}.0123abcd.tmp"
    alive = tmp_path / f".s.json.{os.getppid()}.0123abcd.tmp"  # a live writer's file stays
    other = tmp_path / f".t.json.{dead_pid}.0123abcd.tmp"  # another file's temporaries stay
    for p in (stale, alive, other):
        p.write_text("partial")
    files.write_text(path, "new")
    assert not stale.exists() and alive.exists() and other.exists() and path.read_text() == "new"


@pytest.mark.parametrize("special", ["fifo", "folder"])
def test_only_regular_files_are_read_and_a_fifo_never_blocks(tmp_path, special):
    path = tmp_path / "special"
    if special == "fifo":
        os.mkfifo(path)  # no writer: a plain open() would wait for ever
    else:
        path.mkdir()
    with pytest.raises(files.FileRefused, match="not a regular file|is a folder"):
        files.read_regular_file(path, 100)


def test_reads_are_capped_even_when_the_size_reads_as_zero(tmp_path, monkeypatch):
    path = tmp_path / "grows.bin"
    path.write_bytes(b"x" * 101)
    real_fstat = os.fstat

    class ZeroSize:  # like /dev/zero or a file in /proc: the size says 0
        def __init__(self, info):
            self.st_mode, self.st_size = info.st_mode, 0

    monkeypatch.setattr(files.os, "fstat", lambda fd: ZeroSize(real_fstat(fd)))
    with pytest.raises(files.FileRefused, match="files larger than"):
        files.read_regular_file(path, 100)
    assert files.read_regular_file(path, 101) == b"x" * 101
