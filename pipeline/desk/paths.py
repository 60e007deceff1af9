"""Where the desk keeps what is never published: all of it under ``review/`` beside ``public/``
(git-ignored; ``invoke publish`` syncs ``public/`` alone)."""
from __future__ import annotations

from pathlib import Path

REVIEW = "review"
DRAFTS = "drafts"  # drafts' episodes, laid out as public/ is
SAID = "say"  # what `invoke say` and the review pages' "hear it" wrote
APPROVALS = "approved.json"  # in episodes/, committed with the articles


def review_dir(root: Path) -> Path:
    return Path(root) / REVIEW


def drafts_dir(root: Path) -> Path:
    return review_dir(root) / DRAFTS


def drafts_cache(cache_dir: Path) -> Path:
    return Path(cache_dir) / DRAFTS


def said_dir(root: Path) -> Path:
    return review_dir(root) / SAID


def review_page(root: Path, slug: str) -> Path:
    return review_dir(root) / f"{slug}.html"


def approvals_path(episodes_dir: Path) -> Path:
    return Path(episodes_dir) / APPROVALS
