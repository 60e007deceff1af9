"""Publishing without ever exposing a broken site.

A build writes a complete candidate of ``public/`` in a hidden staging folder beside it
(unchanged files are hard links, so this costs nothing), validates the candidate, and only then
moves the new files into place with ``os.replace``: episode files first, the feed last, with
Ctrl-C held back for those few renames. A crash before the commit leaves ``public/`` untouched.
"""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from pipeline.fsutil import atomic_write_bytes
from pipeline.layout import PUBLISH_LAST, STAGING_PREFIX



@contextmanager
def interrupts_deferred():
    """Hold SIGINT until the block ends (only possible in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda *args: received.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


WORK_FOLDER = ".work"


class StagedSite:
    def __init__(self, public_dir: Path):
        self.public = Path(public_dir)
        self.root: Path | None = None

    def __enter__(self) -> "StagedSite":
        self.public.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.public))
        for source in self._published_files():
            target = self.root / source.relative_to(self.public)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _published_files(self):
        for path in sorted(self.public.rglob("*")):
            relative = path.relative_to(self.public)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                yield path

    def path(self, relative: str) -> Path:
        return self.root / relative

    def work_path(self, name: str) -> Path:
        """A scratch file inside the staging folder (never published, removed with it)."""
        folder = self.root / WORK_FOLDER
        folder.mkdir(exist_ok=True)
        return folder / name

    def write(self, relative: str, data: bytes | str) -> None:
        """Write a file in the candidate (a new inode: the published file is never touched)."""
        atomic_write_bytes(self.path(relative), data.encode("utf-8") if isinstance(data, str) else data)

    def changed(self) -> list[str]:
        """Files of the candidate that differ from what is published (new inode, not a link)."""
        result = []
        for path in sorted(self.root.rglob("*")):
            if not path.is_file():
                continue
            relative = path.relative_to(self.root).as_posix()
            published = self.public / relative
            if not published.exists() or not os.path.samestat(path.stat(), published.stat()):
                if not (published.exists() and published.read_bytes() == path.read_bytes()):
                    result.append(relative)
        return sorted(result, key=lambda r: (r in PUBLISH_LAST, PUBLISH_LAST.index(r) if r in PUBLISH_LAST else 0, r))

    def commit(self) -> list[str]:
        changed = self.changed()
        with interrupts_deferred():
            for relative in changed:
                self._move_in(relative)
        return changed

    def _move_in(self, relative: str) -> None:
        """Replace one published file with its candidate, atomically."""
        target = self.public / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.root / relative, target)
