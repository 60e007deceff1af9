"""A show with thousands of episodes, made in seconds for the benchmark.

One short episode is built for real (through the Google stand-in); its published files are then cloned under
other slugs, each with an article of its own in ``episodes/`` and a manifest whose recipe is the
one the build computes for that article, so the build finds every clone current. The first build
after that reads every article once (the index); the benchmark times what comes after.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pipeline import layout
from pipeline.build import _cover_hash, recipe_hash, recipe_settings
from pipeline.config import load_config
from pipeline.inputs import SourceRecord
from pipeline.manifest import manifest_from_dict, manifest_json, new_guid, podcast_guid

EPOCH = datetime(2019, 1, 1, 6, tzinfo=timezone.utc)
ARTICLE = ("+++\ndate = {date}\n+++\nBrève numéro {n} de la rédaction\n"
           "Les ministres se sont réunis à Bruxelles pour la {n}e fois afin de parler de l'aide à l'Ukraine.\n")


def _article(n: int) -> str:
    return ARTICLE.format(n=n, date=(EPOCH + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%SZ"))


def make_show(folder: Path, episodes: int, *, repo: Path, invoke: list[str], env: dict) -> Path:
    """A project at ``folder`` with ``episodes`` published episodes, ready for timed builds."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "episodes").mkdir(parents=True)
    shutil.copy(repo / "podcast.toml", folder / "podcast.toml")
    (folder / "episodes" / "e1.txt").write_text(_article(1), encoding="utf-8")
    subprocess.run([*invoke, "build-episode", "--engine", "gtts"], cwd=folder, env=env, check=True,
                   capture_output=True)
    config = load_config(folder)
    template = json.loads(layout.manifest_path(config.public_dir, "e1").read_text(encoding="utf-8"))
    settings = recipe_settings(config, _cover_hash(config))
    for n in range(2, episodes + 1):
        _clone(config, template, settings, n)
    subprocess.run([*invoke, "feed"], cwd=folder, env=env, check=True, capture_output=True)
    subprocess.run([*invoke, "build-episode"], cwd=folder, env=env, check=True, capture_output=True)
    return folder


def _clone(config, template: dict, settings: dict, n: int) -> None:
    """Episode ``n``: its article, its files (hard links to the template's) and its manifest."""
    slug = f"e{n}"
    source = config.episodes_dir / f"{slug}.txt"
    text = _article(n)
    source.write_text(text, encoding="utf-8")
    record = SourceRecord(stamp=(0, 0), source_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(), slug=slug)
    files = {}
    for kind, relative in template["files"].items():
        files[kind] = relative.replace("episodes/e1.", f"episodes/{slug}.", 1)
        target = config.public_dir / files[kind]
        if not target.exists():
            os.link(config.public_dir / relative, target)
    manifest = manifest_from_dict({
        **template, "slug": slug, "guid": new_guid(podcast_guid(config.feed_url), slug), "episode_number": n,
        "title": f"Brève numéro {n} de la rédaction", "pub_date": (EPOCH + timedelta(hours=n)).isoformat(),
        "source": f"episodes/{slug}.txt", "source_hash": record.source_hash, "files": files,
        "recipe_hash": recipe_hash(settings, record)})
    layout.manifest_path(config.public_dir, slug).write_text(manifest_json(manifest), encoding="utf-8")


def copy_show(source: Path, target: Path) -> Path:
    """A throwaway copy of a show for one timed build (published files hard-linked: cheap)."""
    shutil.rmtree(target, ignore_errors=True)
    # Every file the build writes is written to a new inode and renamed: sharing is safe.
    subprocess.run(["cp", "-al", str(source), str(target)], check=True)
    return target
