"""Where ``invoke publish`` puts public/: the interface every target offers, and the parser of
``--to`` / ``[publish] to`` (``s3://bucket/prefix``, ``file:///var/www/podcast`` or a folder)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.hosting.plan import LocalFile, Recorded, RemoteFile

# S3's rule, with the upper case and underscores that old buckets and other providers allow.
_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]")


class Target(Protocol):
    name: str  # how messages name it: s3://bucket/prefix, or the folder
    requests: int | None  # requests sent so far (None: a folder, no network)
    bytes_sent: int
    bytes_received: int

    def list(self) -> dict[str, RemoteFile]:
        """Every published object the target holds, by path relative to the show's root."""

    def load_state(self) -> dict[str, Recorded]:
        """The publish state; empty when there is none yet (or it is unreadable)."""

    def save_state(self, state: dict[str, Recorded]) -> None: ...

    def stored_digest(self, relative: str) -> str | None:
        """The SHA-256 of an object's content as the target knows it, or None."""

    def put(self, file: LocalFile) -> None:
        """Store one file, whole or not at all, with its headers."""

    def delete(self, relatives: list[str]) -> None: ...


def state_json(state: dict[str, Recorded]) -> bytes:
    entries = {relative: {"sha256": e.sha256, "size": e.size, "tag": e.tag} for relative, e in sorted(state.items())}
    # One line per file (a person can still read it), no indentation: an unchanged publish reads it whole.
    lines = ",\n".join(json.dumps(relative) + ":" + json.dumps(entry, separators=(",", ":"))
                        for relative, entry in entries.items())
    return ('{"version":1,"files":{\n' + lines + "\n}}\n").encode("utf-8")


def parse_state(data: bytes) -> dict[str, Recorded]:
    """A damaged or foreign state counts as none: every object is then checked against the target."""
    try:
        files = json.loads(data.decode("utf-8"))["files"]
        return {str(relative): Recorded(str(e["sha256"]), int(e["size"]), None if e["tag"] is None else str(e["tag"]))
                for relative, e in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def open_target(spec: str, config: Config) -> Target:
    """The target ``spec`` names; one line when it names none."""
    spec = spec.strip()
    if spec.startswith("s3://"):
        from pipeline.hosting.s3 import S3Target

        bucket, _, prefix = spec[len("s3://"):].partition("/")
        if not _BUCKET.fullmatch(bucket):
            raise UserError(f"{spec}: {bucket!r} is not a bucket name (3 to 63 letters, digits, dots or hyphens)")
        return S3Target(bucket, prefix.strip("/"), config.publish)
    if spec.startswith("file://"):
        parts = urlsplit(spec)
        if parts.netloc not in ("", "localhost"):
            raise UserError(f"{spec}: a file:// target must be on this machine (file:///path/to/folder)")
        folder = Path(unquote(parts.path))
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", spec) or not spec:
        raise UserError(f"{spec or '(empty)'}: not a target; publish to s3://bucket/prefix or a folder "
                        "(/var/www/podcast or file:///var/www/podcast)")
    else:
        folder = Path(spec).expanduser()
    from pipeline.hosting.directory import DirectoryTarget

    return DirectoryTarget(config.root / folder, config.public_dir)
