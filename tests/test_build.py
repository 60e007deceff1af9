"""End to end: articles in, a podcast feed out, read back as podcast apps read it."""
from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from pathlib import Path

import feedparser
import podcastparser
import pytest
from mutagen.mp3 import MP3

from _helpers_project import REPO, SAMPLE, invoke_command, invoke_env, published, run_invoke, snapshot
from pipeline.build import build
from pipeline.config import load_config
from pipeline.errors import SynthesisError, UserError


def parse_feed(public: Path):
    url = (public / "feed.xml").as_uri()
    with open(public / "feed.xml", "rb") as stream:
        gpodder = podcastparser.parse(url, stream)
    return gpodder, feedparser.parse(str(public / "feed.xml"))


def decode_seconds(path: Path) -> float:
    from pipeline.sound.assembly import decode_to_pcm, RATE

    return len(decode_to_pcm(path.read_bytes(), "mp3")) / 2 / RATE


def test_build_short_article_with_gtts_then_read_it_as_podcast_apps_do(project, short_article, google):
    config = load_config(project)
    report = build(config, engine="gtts")
    [episode] = report.episodes
    assert episode.status == "built" and episode.engine == "gtts"
    assert episode.requests == len(google.seen) == episode.chunks
    public = project / "public"
    gpodder, parsed = parse_feed(public)
    [item] = gpodder["episodes"]
    [enclosure] = item["enclosures"]
    audio = published(public, "otan-bref")
    assert enclosure["url"] == "https://balado.example/podcast/episodes/" + audio.name
    assert re.fullmatch(r"otan-bref\.[0-9a-f]{10}\.mp3", audio.name)
    assert enclosure["file_size"] == audio.stat().st_size
    assert enclosure["mime_type"] == "audio/mpeg"
    seconds = decode_seconds(audio)
    assert abs(item["total_time"] - seconds) <= 1.0
    assert abs(MP3(audio).info.length - seconds) <= 1.0
    assert parsed.bozo == 0 and parsed.feed.language == "fr"
    assert parsed.entries[0].enclosures[0].length == str(audio.stat().st_size)
    manifest = json.loads((public / "episodes" / "otan-bref.json").read_text())
    assert manifest["engine"] == "gtts" and manifest["guid"] == item["guid"]
    assert manifest["audio_bytes"] == audio.stat().st_size


def test_rebuild_keeps_guid_and_pubdate_and_adds_no_item(project, short_article, google):
    config = load_config(project)
    build(config, engine="gtts")
    first, _ = parse_feed(project / "public")
    build(config, engine="gtts", force=True)
    second, _ = parse_feed(project / "public")
    assert len(second["episodes"]) == 1
    assert [(e["guid"], e["published"]) for e in first["episodes"]] == \
        [(e["guid"], e["published"]) for e in second["episodes"]]


def test_nothing_changed_sends_nothing_and_writes_nothing(project, short_article, google):
    config = load_config(project)
    build(config, engine="gtts")
    before, calls = snapshot(project / "public"), len(google.calls)
    report = build(config, engine="gtts")
    assert report.episodes == [] and report.unchanged == 1 and report.published == []
    assert len(google.calls) == calls and snapshot(project / "public") == before


@pytest.mark.parametrize("damage", ["deleted", "truncated", "transcript deleted"])
def test_a_damaged_published_episode_is_made_again(project, short_article, google, damage):
    """The feed must never name a file that is missing, nor audio of another length than it states:
    an episode whose published files went away or were cut short is not current, whatever its recipe."""
    config = load_config(project)
    build(config, engine="gtts")
    public = project / "public"
    audio, manifest = published(public, "otan-bref"), json.loads((public / "episodes/otan-bref.json").read_text())
    if damage == "deleted":
        audio.unlink()
    elif damage == "transcript deleted":
        published(public, "otan-bref", "vtt").unlink()
    else:
        audio.write_bytes(audio.read_bytes()[:1000])
    # Naming the article skips the no-op fingerprint: the check itself is what is under test.
    [episode] = build(config, sources=[short_article], engine="gtts").episodes
    assert episode.status == "built"
    again = published(public, "otan-bref")
    after = json.loads((public / "episodes/otan-bref.json").read_text())
    assert after["audio_bytes"] == again.stat().st_size == manifest["audio_bytes"]
    assert (after["guid"], after["pub_date"]) == (manifest["guid"], manifest["pub_date"])
    gpodder, _ = parse_feed(public)
    assert [e["enclosures"][0]["file_size"] for e in gpodder["episodes"]] == [again.stat().st_size]
    assert published(public, "otan-bref", "vtt").is_file()


def test_audio_far_shorter_than_its_text_is_refused_and_nothing_is_published(project, short_article):
    """Google answering a sliver of audio for each sentence (a truncated answer that still decodes):
    the episode would skip most of its text, so the build refuses it by name and publishes nothing."""
    import responses

    from google_standin import google_responses, quick_google_mp3

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        google_responses(mock, audio_for=lambda index, text: quick_google_mp3(text, chars_per_second=300))
        with pytest.raises(UserError, match=r"otan-bref\.txt: the synthesised audio lasts .* dropped audio"):
            build(load_config(project), engine="gtts")
    public = project / "public"
    assert not (public / "feed.xml").exists()
    assert not public.exists() or not list(public.rglob("*.mp3"))


def test_editing_one_passage_respeaks_only_that_passage(project, google):
    source = project / "episodes" / SAMPLE.name
    source.write_bytes(SAMPLE.read_bytes())
    config = load_config(project)
    build(config, engine="gtts")
    guid = json.loads((project / "public/episodes/otan-cheque-ukraine.json").read_text())
    google.seen.clear()
    text = SAMPLE.read_text(encoding="utf-8").replace("Le Canada a de son côté promis", "Le Canada a pour sa part promis")
    source.write_text(text, encoding="utf-8")
    build(config, engine="gtts")
    assert google.seen and all("Canada" in t or "pour sa part" in t for t in google.seen), google.seen
    after = json.loads((project / "public/episodes/otan-cheque-ukraine.json").read_text())
    assert (after["guid"], after["pub_date"]) == (guid["guid"], guid["pub_date"])


def test_auto_falls_back_to_espeak_with_one_warning(project, short_article, offline):
    warnings = []
    report = build(load_config(project), engine="auto", warn=warnings.append)
    assert report.episodes[0].engine == "espeak"
    assert len(warnings) == 1 and "espeak-ng" in warnings[0] and "unreachable" in warnings[0]
    manifest = json.loads((project / "public/episodes/otan-bref.json").read_text())
    assert manifest["engine"] == "espeak"


def test_failed_build_leaves_the_published_site_exactly_as_it_was(project, short_article, google):
    config = load_config(project)
    build(config, engine="gtts")
    before = snapshot(project / "public")
    short_article.write_text(short_article.read_text() + "Une nouvelle phrase ajoutée au texte.\n")
    google.replace("POST", google.registered()[0].url, status=403)
    with pytest.raises(SynthesisError):
        build(config, engine="gtts")
    assert snapshot(project / "public") == before
    assert not [p for p in (project / "public").iterdir() if p.name.startswith(".staging")]


def test_two_new_articles_get_distinct_numbers_and_newest_first(project, short_article, google):
    (project / "episodes" / "b.md").write_text(
        '+++\ndate = 2025-01-02\n+++\n# Deuxième\n\nLes Pays-Bas ont annoncé un engagement supplémentaire.\n')
    build(load_config(project), engine="gtts")
    gpodder, parsed = parse_feed(project / "public")
    # otan-bref has no date: it is published now, so it is newer than b's 2 January 2025.
    assert [e["title"] for e in gpodder["episodes"]] == ["L'Otan promet un milliard pour l'Ukraine", "Deuxième"]
    assert [e.title for e in parsed.entries] == ["L'Otan promet un milliard pour l'Ukraine", "Deuxième"]
    numbers = {json.loads(p.read_text())["episode_number"] for p in (project / "public/episodes").glob("*.json")
               if not p.name.endswith(".chapters.json")}
    assert numbers == {1, 2}


@pytest.mark.parametrize("content, problem", [
    (b"", "the file is empty"),
    (b"   \n\n  ", "only whitespace"),
    (b"\x00\x01\x02binary\x00", "not text"),
    (b"Titre\n\nL'accueil\n", "no article text left"),
])
def test_bad_input_from_the_command_line(project, content, problem):
    bad = project / "episodes" / "bad.txt"
    bad.write_bytes(content)
    result = run_invoke(project, "build-episode", "--source", str(bad))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and problem in lines[0] and "bad.txt" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "public").exists() and not (project / ".cache").exists()


@pytest.mark.slow
def test_full_sample_offline_through_invoke(project):
    """The README's first command on the sample, with no network: a 2-4 minute French episode."""
    (project / "episodes" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    env_offline = {"https_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}
    os.environ.update(env_offline)
    try:
        result = run_invoke(project, "build-episode")
    finally:
        for key in env_offline:
            os.environ.pop(key, None)
    assert result.returncode == 0, result.stderr
    assert "espeak-ng" in result.stderr and "built" in result.stdout
    public = project / "public"
    gpodder, parsed = parse_feed(public)
    [item] = gpodder["episodes"]
    audio = published(public, "otan-cheque-ukraine")
    assert item["enclosures"][0]["file_size"] == audio.stat().st_size
    seconds = decode_seconds(audio)
    assert 120 <= seconds <= 240, seconds
    assert abs(item["total_time"] - seconds) <= 1.0
    validate = run_invoke(project, "validate")
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_built_episode_chapters_transcript_and_tags_agree(project, google):
    from pipeline.sound.tags import read_chapters
    from pipeline.publish.site import read_vtt_cues
    from mutagen.id3 import ID3

    (project / "episodes" / "a.md").write_text(
        "# Réunion à Bruxelles\n\nLes États membres de l'Otan ont durci le ton mardi.\n\n"
        "## Les montants\n\nLe Canada a promis deux cents millions d'euros. Les Pays-Bas suivent.\n",
        encoding="utf-8")
    build(load_config(project), engine="gtts")
    public = project / "public" / "episodes"
    audio = published(project / "public", "a")
    chapters = read_chapters(audio)
    json_chapters = json.loads(published(project / "public", "a", "chapters").read_text())["chapters"]
    assert [c.title for c in chapters] == [c["title"] for c in json_chapters] == [
        "Introduction", "Les États membres de l'Otan ont durci…", "Les montants", "Conclusion"]
    assert [round(c.start, 2) for c in chapters] == [round(c["startTime"], 2) for c in json_chapters]
    tags = ID3(audio)
    assert tags.version[:2] == (2, 3) and tags["TIT2"].text[0] == "Réunion à Bruxelles" and tags.getall("APIC")
    cues = read_vtt_cues(published(project / "public", "a", "vtt").read_text())
    starts = [start for start, _ in cues]
    assert starts == sorted(starts) and len(cues) == 5  # intro (one breath), passage, two sentences, outro
    assert any("Le Canada a promis deux cents millions d'euros." == t for _, t in cues)
    last_end = json.loads(published(project / "public", "a", "chapters").read_text())["chapters"][-1].get("endTime")
    assert abs(MP3(audio).info.length - last_end) <= 1.0


def test_invoke_validate_names_a_broken_enclosure(project, short_article, google):
    build(load_config(project), engine="gtts")
    assert run_invoke(project, "validate").returncode == 0
    audio = published(project / "public", "otan-bref")
    audio.write_bytes(audio.read_bytes()[:-1000])
    result = run_invoke(project, "validate")
    assert result.returncode == 1 and audio.name in result.stdout and "length" in result.stdout


def _staged_wav_bytes(public: Path) -> int:
    return sum(p.stat().st_size for p in public.glob(".staging-*/.work/*.wav"))


# The moments a Ctrl-C can land in, each awaited by what the build leaves on disk.
MOMENTS = {
    "staging": lambda public: any(public.glob(".staging-*")),
    "assembling": lambda public: _staged_wav_bytes(public) > 2_000_000,  # ~40 s of the episode in
}


def await_moment(process: subprocess.Popen, public: Path, moment: str, limit: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + limit
    while not MOMENTS[moment](public):
        if process.poll() is not None:
            pytest.fail(f"the build ended before the {moment} moment: {process.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the build never reached the {moment} moment")
        time.sleep(0.01)  # polling the folder: the event is a file appearing


@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_ctrl_c_mid_build_leaves_the_published_site_as_it_was(project, short_article, moment):
    import signal

    first = run_invoke(project, "build-episode", "--engine", "espeak")
    assert first.returncode == 0, first.stderr
    before = snapshot(project / "public")
    sample = SAMPLE.read_text(encoding="utf-8")
    longer = sample + "\n" + sample.split("\n", 1)[1].replace(" la ", " cette ").replace(" les ", " ces ")
    short_article.write_text(longer, encoding="utf-8")  # about five minutes: the interrupt lands mid-build
    process = subprocess.Popen(invoke_command("build-episode", "--engine", "espeak"), cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=invoke_env())
    await_moment(process, project / "public", moment)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert snapshot(project / "public") == before
    assert not [p for p in (project / "public").iterdir() if p.name.startswith(".")]


def test_invoke_feed_rebuilds_from_manifests_and_clean_empties_the_cache(project, short_article, offline):
    assert run_invoke(project, "build-episode", "--engine", "espeak").returncode == 0
    feed = project / "public" / "feed.xml"
    published = feed.read_bytes()
    feed.unlink()
    result = run_invoke(project, "feed")
    assert result.returncode == 0, result.stderr
    assert feed.read_bytes() == published  # same manifests, same feed, byte for byte
    cleaned = run_invoke(project, "clean", "--cache")
    assert cleaned.returncode == 0 and "chunk(s) removed" in cleaned.stdout
    assert not list((project / ".cache").rglob("*.wav"))


def test_auto_uses_gtts_when_google_answers_and_says_nothing(project, short_article, google):
    warnings = []
    report = build(load_config(project), engine="auto", warn=warnings.append)
    assert report.episodes[0].engine == "gtts" and warnings == []
    assert len(google.seen) == report.episodes[0].chunks  # the probe's answer is kept, not asked twice



@pytest.mark.parametrize("jobs", ["abc", "0", "-3"])
def test_bad_jobs_value_gets_one_line(project, short_article, jobs):
    result = run_invoke(project, "build-episode", "--jobs", jobs)
    assert result.returncode == 1 and "--jobs takes a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_damaged_manifest_gets_one_line(project, short_article, offline):
    (project / "public" / "episodes").mkdir(parents=True)
    (project / "public" / "episodes" / "otan-bref.json").write_text("[]")
    with pytest.raises(UserError, match="damaged episode manifest"):
        build(load_config(project), engine="espeak")


def test_rebuild_keeps_the_manifests_guid_and_pubdate_not_fresh_ones(project, short_article, google):
    config = load_config(project)
    build(config, engine="gtts")
    path = project / "public/episodes/otan-bref.json"
    manifest = json.loads(path.read_text())
    manifest["guid"], manifest["pub_date"] = "urn:balado:kept-guid", "2025-01-02T03:04:05+00:00"
    path.write_text(json.dumps(manifest))
    build(config, engine="gtts", force=True)
    gpodder, _ = parse_feed(project / "public")
    [item] = gpodder["episodes"]
    assert item["guid"] == "urn:balado:kept-guid"
    assert item["published"] == 1735787045  # 2025-01-02 03:04:05 UTC


def test_a_second_build_of_the_same_project_waits_then_says_so_and_touches_nothing(project, short_article,
                                                                                  monkeypatch):
    from filelock import FileLock

    import pipeline.build

    monkeypatch.setattr(pipeline.build, "LOCK_WAIT_SECONDS", 0.2)
    (project / ".cache").mkdir(exist_ok=True)
    with FileLock(str(project / ".cache" / "build.lock")):  # another build holds the project
        with pytest.raises(UserError, match=r": another build is running \(lock .*build\.lock\)$"):
            build(load_config(project), engine="espeak")
    assert not (project / "public").exists()
