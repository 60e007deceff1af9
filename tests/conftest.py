"""Shared fixtures: a throwaway project folder and the Google TTS double."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import responses

from _helpers_project import REPO, SHORT_ARTICLE
from google_standin import google_responses


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with the repository's podcast.toml and an empty episodes/."""
    shutil.copy(REPO / "podcast.toml", tmp_path / "podcast.toml")
    (tmp_path / "episodes").mkdir()
    return tmp_path


@pytest.fixture
def short_article(project: Path) -> Path:
    path = project / "episodes" / "otan-bref.txt"
    path.write_text(SHORT_ARTICLE, encoding="utf-8")
    return path


@pytest.fixture
def google():
    """Google's batchexecute endpoint, answered in its real wire format; ``google.seen`` lists texts."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.seen = []
        google_responses(mock, seen=mock.seen)
        yield mock


@pytest.fixture
def offline():
    """Every HTTP request fails as it does on this machine (no route to Google)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock  # responses answers unregistered URLs with ConnectionError
