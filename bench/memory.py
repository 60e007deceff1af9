"""Peak memory of a build: the whole process tree, children included.

Two figures per build: the largest single process (``ru_maxrss`` from wait4, which covers the
build and every child it waited for) and the peak of the tree's total, sampled every 50 ms as the
sum of each process's PSS (shared pages split between the processes that map them, so ffmpeg's
binary is not counted once per ffmpeg).
"""
from __future__ import annotations

import os
import subprocess
import threading


def _read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


def _children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                parent = int(_read(f"/proc/{name}/stat").rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            found.setdefault(parent, []).append(int(name))
    return found


def tree_pss_kb(root: int) -> int:
    """The PSS of ``root`` and its descendants; a child forked but not yet exec'd (it shares its
    parent's memory, and would count it twice) is left out."""
    children, total, todo = _children(), 0, [(root, None)]
    while todo:
        pid, parent_command = todo.pop()
        try:
            command = _read(f"/proc/{pid}/cmdline")
            rollup = _read(f"/proc/{pid}/smaps_rollup")
            if command == parent_command or command != _read(f"/proc/{pid}/cmdline"):
                continue
        except OSError:
            continue
        todo.extend((child, command) for child in children.get(pid, ()))
        total += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith(b"Pss:")), 0)
    return total


def peak_memory(args, cwd, env) -> tuple[float, float]:
    """Run a build; (its largest process's peak RSS, its tree's sampled peak PSS), in MB."""
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], tree_pss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    errors = threading.Thread(target=lambda: peak.append(process.stderr.read()), daemon=True)
    errors.start()
    _, status, usage = os.wait4(process.pid, 0)
    done.set()
    sampler.join()
    errors.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {' '.join(map(str, args))} failed:\n{peak[-1][-2000:].decode(errors='replace')}")
    return round(usage.ru_maxrss / 1024, 1), round(peak[0] / 1024, 1)
