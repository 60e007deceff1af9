"""Whole sentences: requests of up to 200 characters, and a lower limit on Google's side survived."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import responses

from _helpers_project import SAMPLE, published
from google_standin import google_responses
from pipeline.build import build
from pipeline.config import load_config
from pipeline.publish.site import read_vtt_cues
from pipeline.sound.limits import RETRY_AFTER, RequestLimits
from pipeline.text.article import read_article
from pipeline.text.script import build_script


@pytest.fixture
def strict_google():
    """A Google that speaks at most 100 characters a request (a 200 with no audio beyond)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.seen = []
        google_responses(mock, seen=mock.seen, max_chars=100)
        yield mock


def sample_project(project):
    (project / "episodes" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    return load_config(project)


def test_the_sample_is_spoken_in_whole_sentences_with_a_cue_each(project, google):
    config = sample_project(project)
    report = build(config, engine="gtts")
    assert len(google.seen) == report.episodes[0].requests <= 24
    assert all(len(text) <= 200 for text in google.seen)
    manifest = json.loads((project / "public/episodes/otan-cheque-ukraine.json").read_text())
    script = build_script(read_article(SAMPLE), config, datetime.fromisoformat(manifest["pub_date"]))
    sentences = [s for section in script.sections for p in section.paragraphs for s in p.sentences]
    cues = read_vtt_cues(published(project / "public", "otan-cheque-ukraine", "vtt").read_text())
    assert [text for _, text in cues] == [s.written for s in sentences]  # each cue starts a sentence
    assert sum(len(s.chunks) > 1 for s in sentences) <= 2


def test_a_google_that_speaks_only_100_characters_costs_one_request_per_refused_chunk(project, strict_google):
    config = sample_project(project)
    warnings = []
    report = build(config, engine="gtts", warn=warnings.append)
    [episode] = report.episodes
    long_chunks = [t for t in strict_google.seen if len(t) > 100]
    # Only the first long chunk can be refused: the lower limit holds for the rest of the build.
    assert 1 <= len(long_chunks) <= config.synthesis.jobs
    assert episode.requests == len(strict_google.seen)
    assert [w for w in warnings if "refused a request" in w] == [warnings[0]] and "at most 100" in warnings[0]
    limits = json.loads((project / ".cache" / "request-limits.json").read_text())
    [record] = limits.values()
    assert record["limit"] == 100
    assert datetime.fromisoformat(record["retry_after"]) > datetime.now(timezone.utc) + timedelta(days=6)

    # The next build knows: no request over 100 characters, no refusal, no warning.
    strict_google.seen.clear()
    article = project / "episodes" / SAMPLE.name
    article.write_text(article.read_text(encoding="utf-8").replace("Canada", "Japon"), encoding="utf-8")
    warnings.clear()
    build(config, engine="gtts", warn=warnings.append)
    assert strict_google.seen and all(len(t) <= 100 for t in strict_google.seen)
    assert not [w for w in warnings if "refused" in w]


def test_a_remembered_limit_is_tried_upward_again_after_a_week(tmp_path):
    then = datetime(2026, 11, 1, tzinfo=timezone.utc)
    RequestLimits(tmp_path, "gtts fr fr", now=then).lower(100)
    assert RequestLimits(tmp_path, "gtts fr fr", now=then + timedelta(days=3)).current(200) == 100
    assert RequestLimits(tmp_path, "gtts fr ca", now=then + timedelta(days=3)).current(200) == 200  # another accent
    assert RequestLimits(tmp_path, "gtts fr fr", now=then + RETRY_AFTER + timedelta(minutes=1)).current(200) == 200
