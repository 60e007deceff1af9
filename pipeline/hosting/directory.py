"""A web server's document root as the target: the same sync, each file replaced atomically.

Each file is copied beside its destination under a hidden temporary name and renamed into place,
so the web server always serves a whole file, old or new. Headers are the web server's job here
(the README shows nginx's lines).
"""
from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

from pipeline.errors import UserError
from pipeline.fsutil import atomic_path, atomic_write_bytes
from pipeline.hosting.plan import STATE_NAME, LocalFile, Recorded, RemoteFile, file_sha256, is_published
from pipeline.hosting.targets import parse_state, state_json


def _one_line(method):
    """A file system error (permission, full disk) becomes one line naming the folder."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise UserError(f"{self.name}: {exc.strerror or exc}{where}") from None
    return wrapper


class DirectoryTarget:
    requests = None  # no network

    def __init__(self, folder: Path, public_dir: Path):
        self.root = Path(folder).resolve()
        self.name = str(self.root)
        self.bytes_sent = self.bytes_received = 0
        public = Path(public_dir).resolve()
        if self.root == public or self.root.is_relative_to(public) or public.is_relative_to(self.root):
            raise UserError(f"{self.name}: the target folder must be outside {public}, and not contain it")
        if not self.root.is_dir():
            raise UserError(f"{self.name}: no such folder (create the web root first)")

    @_one_line
    def list(self) -> dict[str, RemoteFile]:
        found = {}
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root).as_posix()
            if is_published(relative) and path.is_file():
                stat = path.stat()
                found[relative] = RemoteFile(stat.st_size, str(stat.st_mtime_ns))
        return found

    @_one_line
    def load_state(self) -> dict[str, Recorded]:
        path = self.root / STATE_NAME
        return parse_state(path.read_bytes()) if path.is_file() else {}

    @_one_line
    def save_state(self, state: dict[str, Recorded]) -> None:
        atomic_write_bytes(self.root / STATE_NAME, state_json(state))

    @_one_line
    def stored_digest(self, relative: str) -> str | None:
        return file_sha256(self.root / relative)

    @_one_line
    def put(self, file: LocalFile) -> None:
        with atomic_path(self.root / file.relative) as temporary:
            shutil.copyfile(file.path, temporary)
        self.bytes_sent += file.size

    @_one_line
    def delete(self, relatives: list[str]) -> None:
        for relative in relatives:
            path = self.root / relative
            path.unlink(missing_ok=True)
            # Folders left empty go too (episodes/ stays while it holds anything).
            for folder in path.parents:
                if folder == self.root or not folder.is_relative_to(self.root) or any(folder.iterdir()):
                    break
                os.rmdir(folder)
