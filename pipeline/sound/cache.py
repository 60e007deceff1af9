"""Content-addressed cache of spoken chunks, so no sentence is ever paid for twice.

The key hashes everything that changes the sound (engine, voice settings, engine version and the
exact chunk text). The file name also carries a digest of the audio itself, so a truncated or
damaged file is noticed, thrown away and spoken again. Writes are atomic.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from pipeline.fsutil import atomic_write_bytes
from pipeline.model import SpokenChunk


def chunk_key(identity: dict, text: str) -> str:
    blob = json.dumps({**identity, "text": text}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ChunkCache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _folder(self, key: str) -> Path:
        return self.root / "chunks" / key[:2]

    def get(self, key: str, text: str, engine: str) -> SpokenChunk | None:
        for path in self._folder(key).glob(f"{key}.*"):
            _, digest, fmt = path.name.split(".", 2)
            audio = path.read_bytes()
            if hashlib.sha256(audio).hexdigest()[:16] != digest:
                path.unlink(missing_ok=True)  # damaged: speak it again
                continue
            return SpokenChunk(text=text, audio=audio, format=fmt, engine=engine)
        return None

    def put(self, key: str, chunk: SpokenChunk) -> None:
        digest = hashlib.sha256(chunk.audio).hexdigest()[:16]
        atomic_write_bytes(self._folder(key) / f"{key}.{digest}.{chunk.format}", chunk.audio)

    def discard(self, key: str) -> None:
        for path in self._folder(key).glob(f"{key}.*"):
            path.unlink(missing_ok=True)

    def clear(self) -> int:
        """Empty the cache; returns how many chunks were removed."""
        chunks = self.root / "chunks"
        count = sum(1 for p in chunks.rglob("*") if p.is_file()) if chunks.exists() else 0
        shutil.rmtree(chunks, ignore_errors=True)
        return count
