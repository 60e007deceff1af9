"""What a field audit found: the offline voice that stuck, a folder that is not a show, time
zones, and errors that must stay one line."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
import responses

from _helpers_project import SHORT_ARTICLE, published, run_invoke
from google_standin import google_responses
from pipeline import cli
from pipeline.build import build
from pipeline.config import load_config
from pipeline.errors import UserError
from pipeline.text.article import read_article


# --- the offline voice must not stick ----------------------------------------------------------
def offline_build(config):
    with responses.RequestsMock(assert_all_requests_are_fired=False):  # no route to Google
        return build(config, warn=lambda message: None)


def test_an_episode_spoken_offline_is_spoken_again_by_google_when_it_answers(project, short_article):
    config = load_config(project)
    [first] = offline_build(config).episodes
    assert first.engine == "espeak"
    manifest = json.loads((project / "public/episodes/otan-bref.json").read_text())
    assert manifest["engine_choice"] == "auto"
    old_audio = published(project / "public", "otan-bref")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as google:
        google.seen = []
        google_responses(google, seen=google.seen)
        warnings = []
        report = build(config, warn=warnings.append)
    [episode] = report.episodes
    assert (episode.status, episode.engine, episode.voice_restored) == ("built", "gtts", True)
    assert warnings == []
    again = json.loads((project / "public/episodes/otan-bref.json").read_text())
    assert (again["guid"], again["episode_number"], again["pub_date"]) == \
        (manifest["guid"], manifest["episode_number"], manifest["pub_date"])
    assert again["engine"] == "gtts" and not old_audio.exists()
    feed = (project / "public/feed.xml").read_text()
    assert published(project / "public", "otan-bref").name in feed and old_audio.name not in feed


def test_an_episode_the_user_asked_to_speak_offline_stays_offline(project, short_article, google):
    config = load_config(project)
    build(config, engine="espeak")
    google.seen.clear()
    report = build(config)  # auto, with Google answering
    assert report.episodes == [] and report.unchanged == 1 and google.seen == []


def test_the_cli_says_when_the_voice_came_back(project, short_article, capsys):
    offline_build(load_config(project))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as google:
        google_responses(google)
        cli.build_episode(root=str(project))
    out = capsys.readouterr().out
    assert "otan-bref: re-spoken with gtts (it had the offline voice)" in out
    assert re.search(r"with gtts — \d+ chunks \(.*retried, [1-9]\d* requests\)", out), out


def test_the_cli_counts_no_requests_for_the_offline_voice(project, short_article, capsys):
    cli.build_episode(root=str(project), engine="espeak")
    out = capsys.readouterr().out
    assert "with espeak — " in out and "requests" not in out, out


# --- a folder that is not a show ---------------------------------------------------------------
def test_invoke_init_sets_up_a_show_that_builds(tmp_path):
    result = run_invoke(tmp_path, "init", "--title", "La Gazette du soir", "--base-url", "https://gazette.example/podcast/",
                        "--owner-email", "podcast@gazette.example")
    assert result.returncode == 0, result.stderr
    config = load_config(tmp_path)
    assert config.show.title == "La Gazette du soir" and config.show.base_url == "https://gazette.example/podcast"
    assert config.show.owner_email == "podcast@gazette.example" and (tmp_path / "episodes").is_dir()
    assert "public/" in (tmp_path / ".gitignore").read_text()
    assert config.audio.transition_sting == "sounds/sting.wav"  # a sting the project made itself
    assert (tmp_path / "sounds" / "sting.wav").read_bytes().startswith(b"RIFF")
    assert "# " in (tmp_path / "podcast.toml").read_text()  # commented for a reader
    (tmp_path / "episodes" / "bref.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
    built = run_invoke(tmp_path, "build-episode", "--engine", "espeak")
    assert built.returncode == 0, built.stderr
    again = run_invoke(tmp_path, "init", "--title", "Autre", "--base-url", "https://x.example", "--owner-email", "a@b.c")
    assert again.returncode == 1 and "already set up" in again.stderr and len(again.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("task", [["build-episode"], ["feed"], ["validate"], ["serve", "--port", "0"],
                                  ["clean", "--cache"], ["script", "--source", "episodes/x.txt"]])
def test_every_task_in_a_folder_without_a_show_says_to_run_init(tmp_path, task):
    result = run_invoke(tmp_path, *task)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: {tmp_path}: not in a show (no podcast.toml here or in any folder above); "
                                     "run `balado init` to set one up, or give --show PATH")
    assert not (tmp_path / "public").exists()


# --- time zones --------------------------------------------------------------------------------
def zoned(project, zone: str):
    toml = project / "podcast.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('language = "fr"', f'language = "fr"\ntimezone = "{zone}"'),
                    encoding="utf-8")
    return load_config(project)


@pytest.mark.parametrize("zone, written, utc", [
    ("Europe/Paris", "2025-12-03T00:30:00", "2025-12-02T23:30:00+00:00"),
    ("Europe/Paris", "2025-07-14T08:00:00", "2025-07-14T06:00:00+00:00"),  # summer time
    ("America/Montreal", "2025-12-03T00:30:00", "2025-12-03T05:30:00+00:00"),
    ("Europe/Paris", "2025-12-03T00:30:00+00:00", "2025-12-03T00:30:00+00:00"),  # a zone given wins
    ("Europe/Paris", "2025-12-03", "2025-12-02T23:00:00+00:00"),  # a bare date: midnight where the show is
])
def test_naive_front_matter_times_are_read_in_the_shows_time_zone(project, zone, written, utc):
    config = zoned(project, zone)
    path = project / "episodes" / "a.txt"
    path.write_text(f'+++\ndate = "{written}"\n+++\n{SHORT_ARTICLE}', encoding="utf-8")
    assert read_article(path, tz=config.tz).date == datetime.fromisoformat(utc)


def test_the_intro_and_the_page_say_the_date_where_the_show_is(project, offline):
    config = zoned(project, "America/Montreal")
    (project / "episodes" / "a.txt").write_text(f'+++\ndate = 2025-12-03T02:00:00Z\n+++\n{SHORT_ARTICLE}',
                                                encoding="utf-8")  # still the 2nd in Montreal
    build(config, engine="espeak")
    page = (project / "public/episodes/a.html").read_text()
    assert "2 décembre 2025" in page and "3 décembre 2025" not in page
    from pipeline.text.script import build_script

    script = build_script(read_article(project / "episodes" / "a.txt", tz=config.tz), config,
                          datetime(2025, 12, 3, 2, tzinfo=timezone.utc))
    assert "deux décembre" in " ".join(script.sections[0].paragraphs[0].sentences[0].chunks)


# --- one line, whatever failed ----------------------------------------------------------------
def failing(exception):
    def fail(*args, **kwargs):
        raise exception
    return fail


FAILURES = {
    "ffmpeg": RuntimeError("ffmpeg failed (1): [mp3 @ 0x55] Failed to find two consecutive MPEG audio frames.\n"
                           "Error opening input: Invalid data found when processing input\n" + "x" * 400),
    "lxml": __import__("lxml.etree").etree.XMLSyntaxError("Opening and ending tag mismatch: a line 1 and b", 1, 1, 1),
    "requests": __import__("requests").exceptions.ConnectionError(
        "HTTPSConnectionPool(host='translate.google.fr', port=443): Max retries exceeded with url: /_/Translate"
        "WebserverUi/data/batchexecute (Caused by NameResolutionError(\"<urllib3.connection.HTTPSConnection object "
        "at 0x7f>: Failed to resolve 'translate.google.fr'\"))"),
    "a long user error": UserError("episodes/x.txt: " + "très long message " * 40),
}


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_every_failure_is_one_short_line_and_verbose_shows_the_details(project, short_article, kind, capsys,
                                                                        monkeypatch):
    import pipeline.build as build_module

    monkeypatch.setattr(build_module, "publish_site", failing(FAILURES[kind]))
    with pytest.raises(SystemExit) as caught:
        cli.build_episode(root=str(project), engine="espeak")
    assert caught.value.code == 1
    err = capsys.readouterr().err
    limit = cli.MAX_USER_ERROR_CHARS if isinstance(FAILURES[kind], UserError) else cli.MAX_ERROR_CHARS
    assert len(err.strip().splitlines()) == 1 and len(err.strip()) <= limit and err.startswith("error: "), err
    assert "Traceback" not in err
    with pytest.raises(SystemExit):
        cli.build_episode(root=str(project), engine="espeak", verbose=True)
    detailed = capsys.readouterr().err
    assert detailed.splitlines()[0] == err.strip().replace(cli.VERBOSE_HINT, "") and "Traceback" in detailed


def test_a_synthesis_that_gives_up_is_one_line(project, short_article, capsys):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as google:
        google_responses(google, status_for=lambda index: 403)
        with pytest.raises(SystemExit):
            cli.build_episode(root=str(project), engine="gtts")
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and len(err) <= 200 and "re-run the same command to resume" in err
