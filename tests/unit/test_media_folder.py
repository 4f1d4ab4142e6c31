"""The folder of files served to the page stays under its cap (oldest out first) and is gone when the
app exits (issue 13, part 2)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from components.handlers.media import MediaFolder

ROOT = Path(__file__).resolve().parents[2]


def test_the_folder_stays_under_its_cap_while_200_runs_write_files(tmp_path) -> None:
    folder = MediaFolder(cap_bytes=1_000_000, parent=str(tmp_path))
    written = []
    for n in range(200):
        written.append(folder.write(bytes([n % 256]) * (30_000 + 997 * (n % 40)), "video/mp4"))
        assert folder.total_bytes() <= 1_000_000
    assert Path(written[-1]).exists() and Path(written[-1]).suffix == ".mp4", "the newest file is kept"
    assert not Path(written[0]).exists(), "the oldest went first"


def test_old_files_go_even_under_the_cap(tmp_path) -> None:
    folder = MediaFolder(cap_bytes=10**9, max_age=60, parent=str(tmp_path))
    old = Path(folder.write(b"x", "image/png"))
    os.utime(old, (old.stat().st_atime - 120, old.stat().st_mtime - 120))
    folder.write(b"y", "image/png")
    assert not old.exists()


def test_a_file_larger_than_the_whole_folder_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="over the media folder"):
        MediaFolder(cap_bytes=10, parent=str(tmp_path)).write(b"x" * 11, "image/png")


def test_the_folder_is_removed_when_the_process_exits(tmp_path) -> None:
    code = ("from components.handlers.media import write_media\n"
            "print(write_media(b'\\x89PNG', 'image/png'))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "TMPDIR": str(tmp_path)})
    path = Path(done.stdout.strip())
    assert done.returncode == 0 and path.parent.parent == tmp_path
    assert not path.parent.exists()
