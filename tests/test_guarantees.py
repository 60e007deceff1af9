"""The guarantees a listener relies on, each tested where it would break: the publish order,
staged files never touching published ones, the cache identity, chapter starts, the no-op
build under the default engine, and a forced rebuild that replaces nothing."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from _helpers_project import SHORT_ARTICLE, cut_at_every_rename, published, snapshot
from pipeline import layout
from pipeline.build import build
from pipeline.config import load_config
from pipeline.errors import UserError
from pipeline.publish.validate import validate_public
from pipeline.sound.cache import chunk_key
from pipeline.sound.engines import EspeakEngine, GttsEngine
from pipeline.publish.site import read_vtt_cues


def contents(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def second_article(project: Path) -> Path:
    path = project / "episodes" / "pologne.md"
    path.write_text("+++\ndate = 2025-01-02\n+++\n# La Pologne s'équipe\n\n"
                    "La Pologne a annoncé mardi l'achat de nouveaux systèmes de défense aérienne.\n",
                    encoding="utf-8")
    return path


# --- the publish order ------------------------------------------------------------------------
def test_commit_renames_episode_files_then_the_page_then_the_feed(project, short_article, google, monkeypatch):
    import pipeline.publish.staging as staging

    renamed: list[str] = []
    move_in = staging.StagedSite._move_in

    def recording_move_in(site, relative):
        renamed.append(relative)
        return move_in(site, relative)

    monkeypatch.setattr(staging.StagedSite, "_move_in", recording_move_in)
    build(load_config(project), engine="gtts")
    assert renamed[-2:] == [layout.INDEX, layout.FEED]
    assert {r.split("/")[0] for r in renamed[:-2]} <= {layout.EPISODES, "cover.png", layout.EMBED, *layout.EMBED_ASSETS}
    audio = published(project / "public", "otan-bref").relative_to(project / "public").as_posix()
    assert audio in renamed[:-2]
    # The player's files name the audio: it is in place before any of them.
    embedded = [i for i, relative in enumerate(renamed) if layout.is_embed(relative)]
    assert embedded and renamed.index(audio) < min(embedded)


def test_a_commit_cut_short_at_any_rename_leaves_a_feed_whose_files_all_exist(project, short_article, google,
                                                                            monkeypatch):
    """Every published document names only files that exist with the length it states, at every
    moment of a commit that replaces an episode and adds another."""
    config = load_config(project)
    build(config, engine="gtts")
    # One episode changes (new audio of another length), one is new.
    short_article.write_text(SHORT_ARTICLE + "Une phrase de plus change la durée de l'épisode.\n", encoding="utf-8")
    second_article(project)
    def no_broken_link(cut):
        assert broken_links(project / "public") == [], f"cut after {cut} rename(s)"

    cut = cut_at_every_rename(monkeypatch, lambda: build(config, engine="gtts"), no_broken_link)
    assert cut > 3  # the loop really cut the commit at several places before it went through
    assert validate_public(config, project / "public", check_loudness=False) == []


def broken_links(public: Path) -> list[str]:
    """What a subscriber would trip on: a file the published feed names that is missing or not
    of the length it states."""
    from lxml import etree

    base = load_config(public.parent).show.base_url.rstrip("/") + "/"
    root = etree.parse(str(public / layout.FEED)).getroot()
    problems = []
    for element in root.iter("enclosure", "{*}transcript", "{*}chapters", "{*}image"):
        url = element.get("url") or element.get("href")
        if url is None:
            continue  # RSS's own <image> holds its URL in a child element
        path = public / url.removeprefix(base)
        if not path.is_file():
            problems.append(f"{url}: missing")
        elif element.tag == "enclosure" and int(element.get("length")) != path.stat().st_size:
            problems.append(f"{url}: {path.stat().st_size} bytes, the feed says {element.get('length')}")
    return problems


# --- staged files never touch published ones ---------------------------------------------------
def test_a_refused_build_leaves_public_byte_identical_with_the_same_inodes(project, short_article, google,
                                                                          monkeypatch):
    import pipeline.build as build_module

    config = load_config(project)
    build(config, engine="gtts")
    before, before_bytes = snapshot(project / "public"), contents(project / "public")
    short_article.write_text(SHORT_ARTICLE + "Une phrase de plus pour changer l'épisode.\n", encoding="utf-8")

    def refuse(*args, **kwargs):
        raise UserError("refusing to publish: the check said no")

    # The check runs after every episode file, the feed and the page were written in the stage.
    monkeypatch.setattr(build_module, "check_before_publishing", refuse)
    with pytest.raises(UserError, match="the check said no"):
        build(config, engine="gtts")
    assert snapshot(project / "public") == before
    assert contents(project / "public") == before_bytes


def test_the_loudness_gate_refuses_before_anything_is_published(project, short_article, google, monkeypatch):
    import pipeline.episode as episode

    config = load_config(project)
    build(config, engine="gtts")
    before, before_bytes = snapshot(project / "public"), contents(project / "public")
    short_article.write_text(SHORT_ARTICLE + "Une phrase de plus pour changer l'épisode.\n", encoding="utf-8")
    monkeypatch.setattr(episode, "meets_loudness_norm", lambda integrated, true_peak: False)
    with pytest.raises(UserError, match="refusing to publish audio"):
        build(config, engine="gtts")
    assert snapshot(project / "public") == before and contents(project / "public") == before_bytes


def test_a_forced_rebuild_of_unchanged_inputs_replaces_nothing(project, short_article, google):
    config = load_config(project)
    build(config, engine="gtts")
    before = snapshot(project / "public")
    report = build(config, engine="gtts", force=True)
    assert report.episodes[0].status == "built"
    assert report.published == []
    assert snapshot(project / "public") == before  # same sizes, times and inodes


# --- the cache identity -----------------------------------------------------------------------
def test_cache_keys_change_with_the_accent_the_voice_and_every_character():
    long_sentence = ("Les ministres de la Défense des pays membres se sont réunis mardi à Bruxelles "
                     "pour parler de l'aide à l'Ukraine et des commandes d'armes.")
    edited = long_sentence[:-7] + "obus."
    france, canada = GttsEngine(tld="fr").cache_identity(), GttsEngine(tld="ca").cache_identity()
    keys = {chunk_key(france, long_sentence), chunk_key(canada, long_sentence), chunk_key(france, edited),
            chunk_key(EspeakEngine(wpm=165).cache_identity(), long_sentence),
            chunk_key(EspeakEngine(wpm=180).cache_identity(), long_sentence)}
    assert len(keys) == 5


def test_switching_the_accent_speaks_everything_again(project, short_article, google):
    config = load_config(project)
    build(config, engine="gtts")
    google.seen.clear()
    toml = project / "podcast.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('tld = "fr"', 'tld = "ca"'), encoding="utf-8")
    report = build(load_config(project), engine="gtts")
    assert report.episodes[0].status == "built"
    assert len(google.seen) == report.episodes[0].chunks > 0
    assert all(call.request.url.startswith("https://translate.google.ca/") for call in google.calls[-2:])


def test_an_edit_at_the_end_of_a_long_sentence_is_spoken_again(project, google):
    source = project / "episodes" / "long.txt"
    sentence = ("Les ministres de la Défense des pays membres de l'Alliance se sont réunis mardi à Bruxelles "
                "pour parler longuement de l'aide militaire à l'Ukraine et des commandes de munitions")
    source.write_text(f"Une longue phrase\n{sentence} d'artillerie.\n", encoding="utf-8")
    config = load_config(project)
    build(config, engine="gtts")
    google.seen.clear()
    source.write_text(f"Une longue phrase\n{sentence} de drones.\n", encoding="utf-8")
    build(config, engine="gtts")
    assert any(text.endswith("de drones.") for text in google.seen), google.seen


# --- chapters start where their section starts --------------------------------------------------
def test_each_chapter_starts_at_its_sections_first_cue(project, google):
    (project / "episodes" / "a.md").write_text(
        "# Réunion à Bruxelles\n\nLes États membres de l'Otan ont durci le ton mardi. Ils veulent agir vite.\n\n"
        "## Les montants\n\nLe Canada a promis deux cents millions d'euros. Les Pays-Bas suivent. "
        "La Norvège aussi.\n\n## La suite\n\nUne réunion est prévue en janvier. Elle sera décisive.\n",
        encoding="utf-8")
    build(load_config(project), engine="gtts")
    public = project / "public" / "episodes"
    chapters = json.loads(published(project / "public", "a", "chapters").read_text())["chapters"]
    cues = read_vtt_cues(published(project / "public", "a", "vtt").read_text())
    starts = {text: start for start, text in cues}
    firsts = ["Les États membres de l'Otan ont durci le ton mardi.", "Le Canada a promis deux cents millions d'euros.",
              "Une réunion est prévue en janvier."]
    assert [c["title"] for c in chapters[1:4]] == ["Les États membres de l'Otan ont durci…", "Les montants", "La suite"]
    for chapter, first in zip(chapters[1:4], firsts):
        assert chapter["startTime"] == pytest.approx(starts[first], abs=0.001), chapter["title"]


# --- the no-op build under the default engine ----------------------------------------------------
def test_an_unchanged_auto_build_sends_nothing_and_writes_nothing(project, short_article, google):
    config = load_config(project)
    assert config.voice.engine == "auto"
    build(config)
    before, calls = snapshot(project / "public"), len(google.calls)
    report = build(config)
    assert report.episodes == [] and report.unchanged == 1 and report.published == []
    assert len(google.calls) == calls and snapshot(project / "public") == before


def test_an_unchanged_auto_build_after_an_offline_one_writes_nothing(project, short_article, offline):
    config = load_config(project)
    build(config, warn=lambda message: None)
    before = snapshot(project / "public")
    warnings = []
    report = build(config, warn=warnings.append)
    [episode] = report.episodes
    assert episode.status == "up to date" and episode.engine == "espeak" and report.published == []
    assert snapshot(project / "public") == before
    # It keeps the offline voice only until Google answers: every build looks, and says so.
    assert len(warnings) == 1 and "keep the offline voice" in warnings[0]
