"""Publishing without ever exposing a broken site.

A build writes what it changes into a hidden staging folder beside the published files (an
overlay: what it does not write is read from ``public/`` itself, so a show of thousands of
episodes costs nothing to stage), the candidate is checked, and only then :meth:`commit` moves
the new files into place with ``os.replace`` in publishing order (media, then pages, then the
archive feeds, the feed last), with Ctrl-C held back for those few renames; files the new site
no longer names are deleted only after that. A crash before the commit leaves ``public/``
untouched; one during it leaves every published document pointing at files that exist.
"""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline import layout
from pipeline.fsutil import FileSizes, atomic_write_bytes

WORK_FOLDER = ".work"


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


@dataclass(frozen=True)
class Commit:
    published: list[str]  # files replaced or added in public/, in the order they were moved in
    deleted: list[str]  # files removed after the new documents were in place


class StagedSite:
    def __init__(self, public_dir: Path):
        self.public = Path(public_dir)
        self.root: Path | None = None
        self._doomed: set[str] = set()

    def __enter__(self) -> "StagedSite":
        self.public.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=layout.STAGING_PREFIX, dir=self.public))
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    # --- writing the candidate ----------------------------------------------------------------
    def path(self, relative: str) -> Path:
        """Where the candidate's ``relative`` is written (the staging folder)."""
        return self.root / relative

    def write(self, relative: str, data: bytes | str) -> None:
        """Write a file of the candidate; the published file is never touched."""
        self._doomed.discard(relative)
        atomic_write_bytes(self.path(relative), data.encode("utf-8") if isinstance(data, str) else data)

    def remove(self, relative: str) -> None:
        """The new site no longer has ``relative``: delete it once the new documents are in place."""
        staged = self.path(relative)
        if staged.exists():
            staged.unlink()
        self._doomed.add(relative)

    def work_path(self, name: str) -> Path:
        """A scratch file inside the staging folder (never published, removed with it)."""
        folder = self.root / WORK_FOLDER
        folder.mkdir(exist_ok=True)
        return folder / name

    # --- reading the candidate ----------------------------------------------------------------
    def resolve(self, relative: str) -> Path:
        """The file the candidate has at ``relative``: staged if written, else the published one."""
        staged = self.path(relative)
        if staged.exists() or relative in self._doomed:
            return staged
        return self.public / relative

    def is_staged(self, relative: str) -> bool:
        return self.path(relative).exists()

    def snapshot(self) -> "CandidateFiles":
        """The candidate's files as they are now, read with one listing per folder: what checking
        a feed of hundreds of items against thousands of published files needs."""
        return CandidateFiles(FileSizes(self.root), FileSizes(self.public), frozenset(self._doomed))

    # --- committing ---------------------------------------------------------------------------
    def staged(self) -> list[str]:
        """Every file written into the candidate (scratch files aside)."""
        files = []
        for folder, dirs, names in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            files += [(Path(folder) / n).relative_to(self.root).as_posix() for n in names if not n.startswith(".")]
        return files

    def changed(self) -> list[str]:
        """Staged files that differ from what is published, in publishing order."""
        result = []
        for relative in self.staged():
            published = self.public / relative
            if not (published.exists() and _same_bytes(published, self.path(relative))):
                result.append(relative)
        return layout.publish_order(result)

    def commit(self) -> Commit:
        changed = self.changed()
        doomed = sorted(r for r in self._doomed if (self.public / r).exists())
        with interrupts_deferred():
            for relative in changed:
                self._move_in(relative)
            for relative in doomed:
                (self.public / relative).unlink(missing_ok=True)
        return Commit(published=changed, deleted=doomed)

    def _move_in(self, relative: str) -> None:
        """Replace one published file with its candidate, atomically."""
        target = self.public / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.root / relative, target)


@dataclass(frozen=True)
class CandidateFiles:
    staged: FileSizes
    published: FileSizes
    doomed: frozenset[str]

    def size(self, relative: str) -> int | None:
        """The size of the candidate's file at ``relative``, or None when it has none."""
        found = self.staged.size(relative)
        if found is not None or relative in self.doomed:
            return found
        return self.published.size(relative)

    def is_staged(self, relative: str) -> bool:
        return self.staged.size(relative) is not None


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as left, open(b, "rb") as right:
        while True:
            x, y = left.read(1 << 20), right.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True
