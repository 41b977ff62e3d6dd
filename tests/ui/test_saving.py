"""Saving through QSaveFile: all or nothing, and a save killed midway leaves no file behind."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from backprop_gui.ui.common.saving import save_bytes

KILLED_SAVE = textwrap.dedent(
    """
    import sys, time
    from backprop_gui.ui.common import saving

    class Paused(saving.QSaveFile):  # a save caught with every byte written, before commit()
        def commit(self):
            print("written", flush=True)
            time.sleep(60)
            return super().commit()

    saving.QSaveFile = Paused
    saving.save_bytes(sys.argv[1], b"new" * 100_000)
    """
)


def test_a_failed_save_leaves_the_file_untouched(tmp_path):
    path = tmp_path / "s.json"
    save_bytes(str(path), b"old")
    with pytest.raises(OSError):
        save_bytes(str(tmp_path / "missing" / "s.json"), b"new")
    assert path.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


@pytest.mark.skipif(sys.platform != "linux", reason="Qt saves through an unnamed O_TMPFILE on Linux only")
@pytest.mark.parametrize("existing", [False, True])
def test_a_save_killed_before_commit_leaves_no_temporary_file(tmp_path, existing):
    path = tmp_path / "s.json"
    if existing:
        path.write_bytes(b"old")
    child = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "written"
    finally:
        child.kill()
        child.wait()
    assert [p.name for p in tmp_path.iterdir()] == (["s.json"] if existing else [])
    assert not existing or path.read_bytes() == b"old"
