"""Files the page hands to the browser (generated images, speech, video, exported demo scripts), each
written fresh where Gradio can serve it.

The file name is never influenced by the model or the visitor: a random name from `tempfile` (after
a fixed prefix), in a directory of our own, with an extension from a fixed table. The directory is
bounded: files older than an hour go, and the oldest go first whenever a new file would take it past
its size cap (PLAYGROUND_MEDIA_DISK_MB); it is removed when the app exits.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import time
from pathlib import Path

__all__ = ["write_media", "MediaFolder", "configure_media", "DEFAULT_CAP_BYTES"]

_EXTENSIONS = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
    "audio/flac": ".flac", "audio/x-flac": ".flac", "audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/wav": ".wav",
    "audio/x-wav": ".wav", "audio/wave": ".wav", "audio/ogg": ".ogg", "audio/webm": ".webm", "audio/mp4": ".m4a",
    "audio/aac": ".aac", "video/mp4": ".mp4", "video/webm": ".webm",
    "video/quicktime": ".mov", "application/json": ".json",
}
MAX_AGE_SECONDS = 3600
DEFAULT_CAP_BYTES = 1024 * 2**20


class MediaFolder:
    """One directory of served files, kept under `cap_bytes` (oldest out first) and `max_age` seconds."""

    def __init__(self, cap_bytes: int = DEFAULT_CAP_BYTES, max_age: float = MAX_AGE_SECONDS,
                 parent: str | None = None) -> None:
        self.cap_bytes, self.max_age, self._parent = cap_bytes, max_age, parent
        self._lock = threading.Lock()
        self._directory: Path | None = None

    @property
    def directory(self) -> Path:
        # Inside the system temp directory, which Gradio allows serving from.
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="hf-playground-media-", dir=self._parent))
            atexit.register(self.remove)
        return self._directory

    def write(self, data: bytes, media_type: str, prefix: str = "tmp") -> str:
        """Write `data` to a new file and return its path; raises ValueError when it alone is over the cap."""
        if len(data) > self.cap_bytes:
            raise ValueError(f"a {len(data) / 2**20:.0f} MB file is over the media folder's "
                             f"{self.cap_bytes / 2**20:.0f} MB cap")
        suffix = _EXTENSIONS.get(media_type.split(";")[0].strip().lower(), ".bin")
        with self._lock:
            self._make_room(self.directory, len(data), time.time())
            with tempfile.NamedTemporaryFile(dir=self.directory, prefix=prefix, suffix=suffix, delete=False) as handle:
                handle.write(data)
                return handle.name

    def total_bytes(self) -> int:
        return sum(size for _, size, _ in self._files(self.directory))

    def remove(self) -> None:
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)

    def _make_room(self, directory: Path, incoming: int, now: float) -> None:
        files = sorted(self._files(directory), key=lambda item: item[2])  # oldest first
        total = sum(size for _, size, _ in files)
        for path, size, modified in files:
            if now - modified <= self.max_age and total + incoming <= self.cap_bytes:
                break
            try:
                path.unlink()
                total -= size
            except OSError:
                pass  # already gone

    @staticmethod
    def _files(directory: Path) -> list[tuple[Path, int, float]]:
        found = []
        for path in directory.iterdir():
            try:
                info = path.stat()
            except OSError:
                continue
            found.append((path, info.st_size, info.st_mtime))
        return found


_folder = MediaFolder()


def configure_media(cap_bytes: int) -> None:
    """Set the folder's cap from the settings (the app does this once, before any file is written)."""
    _folder.cap_bytes = cap_bytes


def write_media(data: bytes, media_type: str, prefix: str = "tmp") -> str:
    """Write `data` to a new file in the app's media folder and return its path."""
    return _folder.write(data, media_type, prefix)
