"""What a publish does: public/ compared with what the target holds, in a safe order.

Every object this show puts on a target is recorded in the target's publish state
(:data:`STATE_NAME`, beside the objects) with the SHA-256 of its content and the change tag the
target showed for it (S3's ETag, a file's modification time). An entry is trusted only while the
target still lists that size and tag; otherwise the target's own stored hash is asked (S3 object
metadata, or the file hashed), so a state left stale by an interrupted publish costs a few
requests, never a wrong skip. Objects the state does not name were not published by this show
and are never deleted.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline import layout

# A name no published file can have (names starting with "." are never published).
STATE_NAME = ".balado-publish.json"


@dataclass(frozen=True)
class LocalFile:
    relative: str
    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class RemoteFile:
    size: int
    tag: str  # changes whenever the object does: S3's ETag, a file's mtime in ns


@dataclass(frozen=True)
class Recorded:
    """One entry of the publish state: an object this show published."""

    sha256: str
    size: int
    tag: str | None  # None: claimed just before its upload, not confirmed yet


@dataclass(frozen=True)
class Plan:
    upload: tuple[LocalFile, ...]  # in publish order: files, pages, archive feeds, the feed last
    skip: tuple[str, ...]
    delete: tuple[str, ...]  # ours, no longer in public/: removed only after the feed is in place
    foreign: tuple[str, ...]  # on the target, never published by this show: left alone
    replaced_in_place: tuple[str, ...]  # names without a content digest, overwritten under the live feed


def is_published(relative: str) -> bool:
    """Staging folders, temporary files and the publish state (names starting with ".") never are."""
    return bool(relative) and not any(not part or part.startswith(".") for part in relative.split("/"))


def publish_order(relative: str) -> tuple:
    """Whatever a document links to goes before it (see pipeline.layout.publish_key)."""
    return layout.publish_key(relative)


def file_sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def local_files(public_dir: Path) -> dict[str, LocalFile]:
    """Every file public/ publishes, with its size and content hash."""
    public = Path(public_dir)
    files = {}
    for path in sorted(public.rglob("*")):
        relative = path.relative_to(public).as_posix()
        if is_published(relative) and path.is_file():
            files[relative] = LocalFile(relative, path, path.stat().st_size, file_sha256(path))
    return files


def trusted_entries(remote: dict[str, RemoteFile], state: dict[str, Recorded]) -> dict[str, Recorded]:
    """The state's entries the target still shows unchanged (same size, same tag)."""
    return {relative: entry for relative, entry in state.items()
            if relative in remote and entry.tag is not None
            and (entry.size, entry.tag) == (remote[relative].size, remote[relative].tag)}


def make_plan(local: dict[str, LocalFile], remote: dict[str, RemoteFile], state: dict[str, Recorded],
              stored_digest: Callable[[str], str | None]) -> Plan:
    """``stored_digest(relative)`` asks the target for an object's hash when the state cannot say."""
    trusted = trusted_entries(remote, state)
    upload, skip, in_place = [], [], []
    for relative, file in local.items():
        held = remote.get(relative)
        if held is not None and held.size == file.size:
            digest = trusted[relative].sha256 if relative in trusted else stored_digest(relative)
            if digest == file.sha256:
                skip.append(relative)
                continue
        upload.append(file)
        if held is not None and not (layout.is_immutable(relative) or layout.is_feed(relative) or relative == layout.INDEX):
            in_place.append(relative)
    gone = sorted(relative for relative in remote if relative not in local)
    return Plan(upload=tuple(sorted(upload, key=lambda f: publish_order(f.relative))), skip=tuple(skip),
                delete=tuple(r for r in gone if r in state), foreign=tuple(r for r in gone if r not in state),
                replaced_in_place=tuple(in_place))


def recorded_state(local: dict[str, LocalFile], remote: dict[str, RemoteFile]) -> dict[str, Recorded]:
    """The state after a complete publish: every published file, with the tag the target shows."""
    return {relative: Recorded(file.sha256, file.size, remote[relative].tag)
            for relative, file in local.items() if relative in remote}
