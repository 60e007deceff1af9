"""Atomic writes (a reader sees the old file or the new one, never half of one), and the lock files
that keep two runs of a task apart."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pipeline.errors import UserError


@contextmanager
def atomic_path(target: Path | str):
    """Yield a temporary path beside ``target``; on success it replaces ``target``.

    On any exception (Ctrl-C included) the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(target: Path | str, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: Path | str, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


@contextmanager
def held_lock(path: Path, *, wait_seconds: float, busy: str) -> Iterator[None]:
    """Hold the lock file at ``path``; after ``wait_seconds`` give up with ``busy`` (one line)."""
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise UserError(f"{busy} (lock {lock.lock_file})") from None
    try:
        yield
    finally:
        lock.release()


class FileSizes:
    """Sizes of the files under a folder, one directory listing per subfolder: checking that
    thousands of published files are in place costs a few ``scandir`` calls, not a ``stat`` each."""

    def __init__(self, root: Path | str):
        self.root = str(root)
        self._listings: dict[str, dict[str, int]] = {}

    def size(self, relative: str) -> int | None:
        """The size of ``root/relative`` if it is a regular file, else None."""
        folder, _, name = relative.rpartition("/")
        listing = self._listings.get(folder)
        if listing is None:
            listing = self._listings[folder] = self._list(os.path.join(self.root, folder))
        return listing.get(name)

    @staticmethod
    def _list(folder: str) -> dict[str, int]:
        try:
            with os.scandir(folder) as entries:
                return {e.name: e.stat().st_size for e in entries if e.is_file()}
        except (FileNotFoundError, NotADirectoryError):
            return {}
