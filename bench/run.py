"""`invoke bench`: speed and memory of the build, as ratios against baselines measured in this run.

Everything talks to a local HTTPS stand-in for Google's TTS endpoint (tests/google_standin.py)
reached through https_proxy, answering real MP3 frames after a fixed latency (BENCH_LATENCY,
default 0.3 s). Figures are printed and written to bench/results.json. This is a benchmark,
not a test: it reports, and marks each target as met or not.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from google_standin import GoogleProxy, quick_google_mp3  # noqa: E402

from pipeline.text.article import read_article  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.text.script import build_script  # noqa: E402

LATENCY = float(os.environ.get("BENCH_LATENCY", "0.3"))
JOBS = 4
WORK = REPO / "bench" / "work"
SAMPLE = REPO / "episodes" / "otan-cheque-ukraine.txt"
BIN = Path(sys.executable).parent
# Twenty filler words, one per copy of the long read, so that no chunk repeats across copies
# (a repeated chunk is spoken once, which would flatter the figure).
FILLERS = ("vraiment encore aussi alors pourtant ensuite ainsi enfin toujours souvent déjà "
           "bientôt surtout parfois longtemps ailleurs certes néanmoins désormais autrement").split()


def run(args, cwd, env) -> tuple[float, subprocess.CompletedProcess, int]:
    """Run a command; return (seconds, result, its own peak RSS in KB, read with wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out_chunks = []

    readers = [threading.Thread(target=lambda s=s: out_chunks.append((s, s.read()))) for s in (process.stdout, process.stderr)]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    for reader in readers:
        reader.join()
    seconds = time.perf_counter() - started
    outputs = {id(stream): text for stream, text in out_chunks}
    code = os.waitstatus_to_exitcode(status)
    result = subprocess.CompletedProcess(args, code, outputs[id(process.stdout)], outputs[id(process.stderr)])
    if code != 0:
        raise SystemExit(f"bench: {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return seconds, result, usage.ru_maxrss


def fresh_project(name: str, article_text: str | None = None) -> Path:
    folder = WORK / name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "episodes").mkdir(parents=True)
    shutil.copy(REPO / "podcast.toml", folder / "podcast.toml")
    (folder / "episodes" / SAMPLE.name).write_text(article_text or SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def invoke(*args: str) -> list[str]:
    return [str(BIN / "invoke"), "--search-root", str(REPO), *args]


def build_figures(stdout: str) -> dict:
    """The built episode's figures from `invoke build-episode --json`."""
    built = [e for e in json.loads(stdout)["episodes"] if e["status"] == "built"]
    if len(built) != 1:
        raise SystemExit(f"bench: expected one built episode, got: {stdout}")
    [episode] = built
    return {"chunks": episode["chunks"], "requests": episode["requests"], "build_s": round(episode["seconds"], 2),
            "speaking_s": round(episode["synthesis_seconds"], 2)}


def long_read_text() -> str:
    article = read_article(SAMPLE)
    lines = [article.title]
    for copy, filler in enumerate(FILLERS):
        for passage in article.passages:
            words = passage.text.split()
            lines.append(" ".join(w + (f" {filler}" if i % 6 == 3 and w[-1].isalpha() else "") for i, w in enumerate(words)))
    return "\n".join(lines) + "\n"


def median_time(args, cwd, env, repeat=7) -> float:
    return statistics.median(run(args, cwd, env)[0] for _ in range(repeat))


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict = {"latency_s": LATENCY, "jobs": JOBS}
    with GoogleProxy(latency=LATENCY, audio=quick_google_mp3) as google:
        env = {**os.environ, **google.env(), "PYTHONPATH": str(REPO)}

        # 1. Baseline: gtts-cli on the sample's text, one request per gTTS token, in sequence.
        project = fresh_project("cold")
        article = read_article(project / "episodes" / SAMPLE.name)
        plain = project / "article.txt"
        plain.write_text(article.title + ".\n" + "\n".join(p.text for p in article.passages), encoding="utf-8")
        before = len(google.requests)
        cli_s, _, _ = run([str(BIN / "gtts-cli"), "-l", "fr", "--tld", "fr", "-f", str(plain), "-o",
                           str(project / "gtts-cli.mp3")], project, env)
        results["gtts_cli"] = {"seconds": round(cli_s, 2), "requests": len(google.requests) - before}

        # 2. Our cold build with gTTS, empty cache, forced.
        # Median of three cold builds (empty cache each time): one run on 2 busy cores is noisy.
        before = len(google.requests)
        colds = []
        for _ in range(3):
            shutil.rmtree(project / ".cache", ignore_errors=True)
            colds.append(run(invoke("build-episode", "--engine", "gtts", "--force", "--json"), project, env)[:2])
        cold_s, cold = sorted(colds, key=lambda c: c[0])[1]
        figures = build_figures(cold.stdout)
        floor = math.ceil(figures["requests"] / JOBS) * LATENCY
        results["cold_build"] = {"seconds": round(cold_s, 2), **figures, "requests_seen": (len(google.requests) - before) // 3,
                                 "runs_s": [round(c[0], 2) for c in colds],
                                 "synthesis_floor_s": round(floor, 2)}
        results["speedup_vs_gtts_cli"] = round(cli_s / cold_s, 2)
        results["synthesis_vs_floor"] = round(figures["speaking_s"] / floor, 2)

        # 3. No-op rebuild against the start-up floor.
        before = len(google.requests)
        noop_s = median_time(invoke("build-episode"), project, env)
        list_s = median_time(invoke("--list"), project, env)
        results["noop"] = {"seconds": round(noop_s, 3), "invoke_list_s": round(list_s, 3),
                           "requests": len(google.requests) - before}
        results["noop_vs_startup"] = round(noop_s / list_s, 2)

        # 4. Editing one passage re-speaks only that passage's chunks.
        config = load_config(project)
        source = project / "episodes" / SAMPLE.name
        old = build_script(read_article(source), config, article.date or _manifest_date(project))
        source.write_text(source.read_text(encoding="utf-8").replace(
            "Le Canada a de son côté promis", "Le Canada a pour sa part promis"), encoding="utf-8")
        new = build_script(read_article(source), config, article.date or _manifest_date(project))
        expected = set(new.chunks()) - set(old.chunks())
        before = len(google.requests)
        run(invoke("build-episode", "--engine", "gtts"), project, env)
        sent = google.requests[before:]
        results["one_passage_edit"] = {"requests": len(sent), "expected_chunks": len(expected),
                                       "only_that_passage": set(sent) == expected}

        # 5. Long read: the sample's passages ~20 times over, every chunk distinct.
        sample_chars = sum(len(p.text) for p in article.passages)
        long_project = fresh_project("long", long_read_text())
        shutil.rmtree(long_project / ".cache", ignore_errors=True)
        short_project = fresh_project("short")
        short_s, short, short_rss = run(invoke("build-episode", "--engine", "gtts", "--json"), short_project, env)
        long_s, long, long_rss = run(invoke("build-episode", "--engine", "gtts", "--json"), long_project, env)
        long_chars = sum(len(p.text) for p in read_article(long_project / "episodes" / SAMPLE.name).passages)
        duration = json.loads((long_project / "public/episodes/otan-cheque-ukraine.json").read_text())["duration_seconds"]
        results["long_read"] = {
            "chars": long_chars, "sample_chars": sample_chars, "seconds": round(long_s, 2),
            "sample_seconds": round(short_s, 2), "audio_minutes": round(duration / 60, 1),
            "peak_rss_mb": round(long_rss / 1024, 1), "sample_peak_rss_mb": round(short_rss / 1024, 1),
            **{f"long_{k}": v for k, v in build_figures(long.stdout).items()},
        }
        results["long_read_cost_per_char_ratio"] = round((long_s / long_chars) / (short_s / sample_chars), 2)

        # 6. 20 % of requests answered 429: completes, with < 2x the requests of a clean run.
    with GoogleProxy(latency=LATENCY, audio=quick_google_mp3, throttle_every=5) as google:
        env = {**os.environ, **google.env(), "PYTHONPATH": str(REPO)}
        project = fresh_project("throttled")
        throttled_s, throttled, _ = run(invoke("build-episode", "--engine", "gtts"), project, env)
        clean_requests = results["cold_build"]["requests"]
        results["throttled"] = {"seconds": round(throttled_s, 2), "requests": len(google.requests),
                                "answered_429": google.throttled, "clean_run_requests": clean_requests}
        results["throttled_requests_ratio"] = round(len(google.requests) / clean_requests, 2)

    targets = {
        "cold build ≥ 4x faster than gtts-cli": results["speedup_vs_gtts_cli"] >= 4,
        "synthesis within 1.25x of the floor": results["synthesis_vs_floor"] <= 1.25,
        "no-op within 1.5x of invoke --list, zero requests": results["noop_vs_startup"] <= 1.5 and results["noop"]["requests"] == 0,
        "one-passage edit requests only that passage": results["one_passage_edit"]["only_that_passage"],
        "long read ≤ 1.3x cost per character": results["long_read_cost_per_char_ratio"] <= 1.3,
        "long read peak RSS < 500 MB": results["long_read"]["peak_rss_mb"] < 500,
        "20% 429s: completes with < 2x requests": results["throttled_requests_ratio"] < 2,
    }
    results["targets"] = targets
    (REPO / "bench" / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "targets"}, indent=2, ensure_ascii=False))
    print()
    for name, met in targets.items():
        print(f"{'met    ' if met else 'MISSED '} {name}")
    print(f"\nresults: {REPO / 'bench' / 'results.json'}")


def _manifest_date(project: Path):
    from datetime import datetime

    manifest = json.loads((project / "public/episodes/otan-cheque-ukraine.json").read_text())
    return datetime.fromisoformat(manifest["pub_date"])


if __name__ == "__main__":
    main()
