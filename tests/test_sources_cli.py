"""The tasks as a user and cron run them: build-episode --url, update, remove. Real invoke, real
espeak-ng audio of short articles, a French news site on loopback."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from filelock import FileLock

from _helpers_newsroom import (ENQUETE, FURNITURE, MUSEE, STORIES, SUMMIT, TRAMWAY, configure, newsroom,
                               stalled_server, wordpress_rss)
from _helpers_project import run_invoke
from pipeline import cli, layout
from pipeline.retired import load_retired
from pipeline.sources.state import STATE_FILE

SLUG = "metropole-budget-transports"
FEED_URL = "https://balado.example/podcast/feed.xml"


@pytest.fixture
def site():
    with newsroom() as running:
        yield running


def manifest(project: Path, slug: str = SLUG) -> dict:
    return json.loads((project / "public" / "episodes" / f"{slug}.json").read_text(encoding="utf-8"))


def transcript(project: Path, slug: str = SLUG) -> str:
    """What was spoken, as the published WebVTT transcript says it (cue lines joined)."""
    text = (project / "public" / manifest(project, slug)["files"]["vtt"]).read_text(encoding="utf-8")
    return " ".join(line for line in text.splitlines() if line and "-->" not in line and line != "WEBVTT")


def test_build_episode_url_turns_a_page_into_an_episode_with_none_of_its_furniture_spoken(project, site):
    configure(project)
    url = site.url(TRAMWAY.path)
    first = run_invoke(project, "build-episode", "--url", url, "--engine", "espeak")
    assert first.returncode == 0, first.stderr
    assert f"episodes/{SLUG}.md: new from {url}" in first.stderr and f"✓ {SLUG}: built" in first.stdout
    spoken = transcript(project)
    assert "310 millions" in spoken and TRAMWAY.paragraphs[-1] in spoken
    assert "Un chantier de trois ans" in [c["title"] for c in manifest(project)["chapters"]]
    assert not [f for f in FURNITURE if f.lower() in spoken.lower()], spoken
    assert manifest(project)["source_url"] == url and manifest(project)["title"] == TRAMWAY.title
    # The same article again, even through a short link that redirects to it: the same file.
    site.redirect("/t/budget", url)
    again = run_invoke(project, "build-episode", "--url", site.url("/t/budget"), "--engine", "espeak")
    assert again.returncode == 0, again.stderr
    assert f"episodes/{SLUG}.md: unchanged" in again.stderr and f"✓ {SLUG}: up to date" in again.stdout
    # The article, what ingest remembers, and the ledger of the number it was given: nothing more.
    assert sorted(p.name for p in (project / "episodes").iterdir()) == sorted([STATE_FILE, "numbers.json", f"{SLUG}.md"])


@pytest.mark.parametrize("path, problem", [
    ("/disparu/", "HTTP 404 Not Found"),
    ("/documents/rapport.pdf", "not an HTML page (application/pdf)"),
    (ENQUETE.path, "for subscribers only (the page says isAccessibleForFree: false)"),
    (SUMMIT.path, "the text does not look French (the voice only speaks French)"),
    ("/endless", "too large: more than 5,000,000 bytes"),
])
def test_build_episode_url_refuses_with_one_line(project, site, capsys, path, problem):
    site.put("/documents/rapport.pdf", b"%PDF-1.7\n", "application/pdf")
    configure(project)
    with pytest.raises(SystemExit) as exited:
        cli.build_episode(str(project), url=site.url(path), engine="espeak")
    err = capsys.readouterr().err
    assert exited.value.code == 1 and err == f"error: {site.url(path)}: {problem}\n"
    assert not list((project / "episodes").glob("*.md"))


def test_build_episode_url_gives_up_on_a_stalled_server_with_one_line(project, capsys):
    configure(project, fetch={"retries": 0})
    with stalled_server() as url, pytest.raises(SystemExit) as exited:
        cli.build_episode(str(project), url=url + "/article", engine="espeak")
    assert exited.value.code == 1 and capsys.readouterr().err == f"error: {url}/article: no answer within 1 s\n"


def test_update_for_cron_publishes_then_stays_silent_then_republishes_an_update_as_the_same_episode(project, site):
    configure(project, {"name": "Courrier", "url": site.url("/feed/"), "include_urls": ["*/politique/*"]})
    first = run_invoke(project, "update", "--engine", "espeak")
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"published 1 episode(s) (1 new, 0 updated): {SLUG} → {FEED_URL}\n" and first.stderr == ""
    identity = {k: manifest(project)[k] for k in ("guid", "episode_number", "pub_date")}

    hits = len(site.hits)
    quiet = run_invoke(project, "update", "--engine", "espeak")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    assert [h.path for h in site.hits[hits:]] == ["/feed/"]  # one request, answered 304

    corrected = replace(TRAMWAY, paragraphs=("Correctif : la séance a duré sept heures, et non six.",
                                             *TRAMWAY.paragraphs))
    site.put("/feed/", wordpress_rss([corrected, *STORIES[1:]], site.base), "application/rss+xml; charset=UTF-8")
    updated = run_invoke(project, "update", "--engine", "espeak")
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout == f"published 1 episode(s) (0 new, 1 updated): {SLUG} → {FEED_URL}\n"
    assert "sept heures" in transcript(project)
    assert {k: manifest(project)[k] for k in identity} == identity  # same GUID, number and pubDate
    assert [p.stem for p in layout.manifest_paths(project / "public")] == [SLUG]


def test_update_says_one_line_per_problem_exits_1_and_still_builds_what_it_could(project, site):
    configure(project, {"name": "Disparu", "url": site.url("/disparu.xml")},
              {"name": "Cassé", "url": site.url(TRAMWAY.path)},
              {"name": "Courrier", "url": site.url("/feed/"), "include_urls": ["*/culture/*"]})
    result = run_invoke(project, "update", "--engine", "espeak")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["source Disparu: HTTP 404 Not Found",
                                          "source Cassé: not an RSS, Atom or JSON feed"]
    assert result.stdout == f"published 1 episode(s) (1 new, 0 updated): musee-confluences-galerie → {FEED_URL}\n"
    assert "Traceback" not in result.stderr


def test_update_reports_skipped_entries_once_and_exits_0(project, site):
    configure(project, {"url": site.url("/feed/"), "include_urls": [f"*{ENQUETE.path}"]})
    first = run_invoke(project, "update", "--engine", "espeak")
    assert first.returncode == 0 and first.stderr == ""
    assert first.stdout == f"skipped {site.url(ENQUETE.path)}: for subscribers only (the page says " \
                           "isAccessibleForFree: false)\n"
    site.put("/feed/", wordpress_rss(STORIES, site.base) + "\n", "application/rss+xml")
    second = run_invoke(project, "update", "--engine", "espeak")
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")


def test_overlapping_updates_do_not_collide(project, site):
    configure(project, {"url": site.url("/feed/")})
    (project / ".cache").mkdir()
    with FileLock(str(project / ".cache" / "update.lock")):
        result = run_invoke(project, "update", "--engine", "espeak")
    assert result.returncode == 1 and result.stdout == "" and site.hits == []
    assert re.fullmatch(r"error: .*: another update is still running \(lock .*update\.lock\)\n", result.stderr)


def test_remove_takes_the_episode_out_for_good(project, site, capsys):
    configure(project, {"url": site.url("/feed/"), "include_urls": ["*/politique/*", "*/culture/*"]})
    assert run_invoke(project, "update", "--engine", "espeak").returncode == 0
    published = manifest(project)
    script = project / "episodes" / f"{SLUG}.script.json"
    assert run_invoke(project, "script", "--source", f"episodes/{SLUG}.md", "--write").returncode == 0
    result = run_invoke(project, "remove", SLUG, "--engine", "espeak")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (f"removed {SLUG}: deleted episodes/{SLUG}.md, episodes/{SLUG}.script.json; "
                                            "its GUID and number kept in episodes/retired.json; ingest will not "
                                            "bring it back")
    assert not (project / "episodes" / f"{SLUG}.md").exists() and not script.exists()
    # Out of the feed and the page, its files gone once the new feed was in place.
    assert published["guid"] not in (project / "public/feed.xml").read_text()
    assert not list((project / "public/episodes").glob(f"{SLUG}.*"))
    record = load_retired(project / "episodes")[SLUG]
    assert (record.guid, record.episode_number, record.pub_date) == \
        (published["guid"], published["episode_number"], published["pub_date"])
    assert record.entry_id == site.url("/?p=101") and record.source_url == site.url(TRAMWAY.path)
    site.put("/feed/", wordpress_rss([replace(TRAMWAY, title="Budget : le vote"), *STORIES[1:]], site.base),
             "application/rss+xml")
    again = run_invoke(project, "update", "--engine", "espeak")
    assert again.returncode == 0, again.stderr
    assert not (project / "episodes" / f"{SLUG}.md").exists()
    with pytest.raises(SystemExit):  # nor does --url, without a word
        cli.build_episode(str(project), url=site.url(TRAMWAY.path), engine="espeak")
    assert "was taken out of the show (episodes/retired.json)" in capsys.readouterr().err


def test_remove_an_unknown_episode_is_one_line(project):
    result = run_invoke(project, "remove", "inconnu")
    assert result.returncode == 1 and result.stderr.startswith("error: inconnu: no such episode")
    assert len(result.stderr.splitlines()) == 1


def test_ingest_without_sources_says_how_to_add_one(project):
    result = run_invoke(project, "ingest")
    assert result.returncode == 1 and "no [[sources]] to ingest" in result.stderr


def test_ingest_prints_one_line_per_file_and_per_problem(project, site):
    configure(project, {"url": site.url("/feed/"), "include_urls": ["*/culture/*", "*/english/*"]},
              {"name": "Disparu", "url": site.url("/disparu.xml")})
    result = run_invoke(project, "ingest")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "new: episodes/musee-confluences-galerie.md",
        f"skipped {site.url(SUMMIT.path)}: the text does not look French (the voice only speaks French)"]
    assert result.stderr == "source Disparu: HTTP 404 Not Found\n"
    assert not (project / "public").exists()  # ingest alone speaks nothing
    again = run_invoke(project, "ingest")
    assert again.stdout == "" and again.stderr == "source Disparu: HTTP 404 Not Found\n"
    assert MUSEE.title in (project / "episodes" / "musee-confluences-galerie.md").read_text(encoding="utf-8")
