"""A throwaway project and the ways tests drive it: the repository's paths, a short article,
`invoke` run as a user runs it, and snapshots of what was published."""
from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "episodes" / "otan-cheque-ukraine.txt"

SHORT_ARTICLE = """L'Otan promet un milliard pour l'Ukraine
Les États membres de l'Otan ont durci le ton mardi à Bruxelles.
La Norvège et la Pologne ont annoncé l'achat d'armes américaines.
"""


def invoke_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "invoke", "--search-root", str(REPO), *args]


def invoke_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), **extra}


def run_invoke(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`invoke ARGS` in ``project``, as a user types it (output captured, ten minutes at most)."""
    return subprocess.run(invoke_command(*args), cwd=project, capture_output=True, text=True,
                          env=invoke_env(**env), timeout=600)


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under ``folder`` with its size, modification time (ns) and inode."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def published(public: Path, slug: str, kind: str = "audio") -> Path:
    """An episode's published file of ``kind`` (audio, vtt, srt, chapters), as its manifest names it
    (the names carry a digest of the content)."""
    import json

    manifest = json.loads((public / "episodes" / f"{slug}.json").read_text(encoding="utf-8"))
    return public / manifest["files"][kind]


def cut_at_every_rename(monkeypatch, attempt, check) -> int:
    """Run ``attempt()`` with the publishing commit cut (``OSError``) after 1, 2, 3… renames, calling
    ``check(cut)`` on what each cut left, until one goes through; return how many cuts that took."""
    import pipeline.publish.staging as staging

    move_in, cut = staging.StagedSite._move_in, 0
    while True:
        cut += 1
        calls = {"n": 0}

        def failing_move_in(site, relative, cut=cut):
            calls["n"] += 1
            if calls["n"] > cut:
                raise OSError("disk full")
            return move_in(site, relative)

        monkeypatch.setattr(staging.StagedSite, "_move_in", failing_move_in)
        try:
            attempt()
        except OSError:
            check(cut)
            continue
        monkeypatch.setattr(staging.StagedSite, "_move_in", move_in)
        return cut


@contextlib.contextmanager
def serving(server):
    """``server`` answering from a thread until the block ends (a short poll: shutdown waits for it)."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
