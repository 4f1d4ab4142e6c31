"""Files the page hands to the browser (generated images, speech, exported demo scripts), each
written fresh where Gradio can serve it.

The file name is never influenced by the model or the visitor: a random name from `tempfile` (after
a fixed prefix), in a directory of our own, with an extension from a fixed table. Files older than
an hour are removed.
"""
from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

__all__ = ["write_media"]

_EXTENSIONS = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
    "audio/flac": ".flac", "audio/mpeg": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav",
    "audio/ogg": ".ogg", "audio/webm": ".webm", "application/json": ".json",
}
MAX_AGE_SECONDS = 3600
_lock = threading.Lock()
_directory: Path | None = None


def _media_directory() -> Path:
    # Inside the system temp directory, which Gradio allows serving from.
    global _directory
    with _lock:
        if _directory is None:
            _directory = Path(tempfile.mkdtemp(prefix="hf-playground-media-"))
        return _directory


def _remove_old(directory: Path, now: float) -> None:
    for path in directory.iterdir():
        try:
            if now - path.stat().st_mtime > MAX_AGE_SECONDS:
                path.unlink()
        except OSError:
            pass  # another thread removed it first


def write_media(data: bytes, media_type: str, prefix: str = "tmp") -> str:
    """Write `data` to a new file and return its path; `prefix` starts the name a download gets."""
    directory = _media_directory()
    _remove_old(directory, time.time())
    suffix = _EXTENSIONS.get(media_type.split(";")[0].strip().lower(), ".bin")
    with tempfile.NamedTemporaryFile(dir=directory, prefix=prefix, suffix=suffix, delete=False) as handle:
        handle.write(data)
        return handle.name
