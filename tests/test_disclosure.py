"""The disclosure in the audio: the intro says once that a synthetic voice reads, naming the
voice that really speaks (espeak-ng when auto falls back), and rewording it re-speaks the
intro only, every other chunk from the cache, the episode keeping its GUID and number."""
from __future__ import annotations

import json

import feedparser

from _helpers_project import published
from pipeline.build import build
from pipeline.config import load_config
from pipeline.publish.site import read_vtt_cues

SAID = "voix de synthèse"


def manifest(project) -> dict:
    return json.loads((project / "public/episodes/otan-bref.json").read_text(encoding="utf-8"))


def test_the_intro_names_google_once_and_rewording_respeaks_only_the_intro(project, short_article, google):
    first = build(load_config(project), engine="auto").episodes[0]
    assert first.engine == "gtts"
    said = [text for text in google.seen if SAID in text]
    assert len(said) == 1 and "Cet article est lu par une voix de synthèse : Google Traduction." in said[0]
    # In the intro: before the first passage starts (requests leave from a pool, in no set order).
    cues = read_vtt_cues(published(project / "public", "otan-bref", "vtt").read_text(encoding="utf-8"))
    passage = sorted(c["start"] for c in manifest(project)["chapters"])[1]
    assert [start < passage for start, text in cues if SAID in text] == [True]
    before, identity = len(google.seen), (manifest(project)["guid"], manifest(project)["episode_number"])

    noop = build(load_config(project), engine="auto")
    assert noop.episodes == [] and noop.unchanged == 1
    assert len(google.seen) == before  # idempotent: nothing asked again

    toml = project / "podcast.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[disclosure]\nepisode = "Une voix de synthèse, {voice}, '
                    'vous lit cet article."\n', encoding="utf-8")
    again = build(load_config(project), engine="auto").episodes[0]
    new = google.seen[before:]
    assert again.status == "built" and len(new) == 1 and "Une voix de synthèse, Google Traduction, vous lit" in new[0]
    assert (manifest(project)["guid"], manifest(project)["episode_number"]) == identity
    [entry] = feedparser.parse((project / "public/feed.xml").read_bytes()).entries
    assert entry.summary.endswith("Une voix de synthèse, Google Traduction (gTTS), vous lit cet article.")


def test_an_offline_fallback_names_the_offline_voice_in_the_intro_and_the_description(project, short_article,
                                                                                      offline):
    report = build(load_config(project), engine="auto", warn=lambda line: None)
    assert report.episodes[0].engine == "espeak" == manifest(project)["engine"]
    transcript = published(project / "public", "otan-bref", "vtt").read_text(encoding="utf-8")
    assert transcript.count(SAID) == 1 and "Cet article est lu par une voix de synthèse : eSpeak." in transcript
    assert "Google" not in transcript
    [entry] = feedparser.parse((project / "public/feed.xml").read_bytes()).entries
    assert entry.summary.endswith("Cet article est lu par une voix de synthèse : espeak-ng.")
