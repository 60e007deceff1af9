"""invoke ingest against a French news site on loopback: each new entry becomes one article file,
exactly once; an unchanged feed costs one request answered 304; what is not an article, or fails,
gets one line."""
from __future__ import annotations

import json
import time
import tomllib
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from _helpers_newsroom import (ENQUETE, FURNITURE, GREVE, MUSEE, SECHERESSE, STORIES, SUMMIT, TRAMWAY, BREVE, Story,
                               atom_feed, configure, json_feed, many_stories, newsroom, stalled_server,
                               wordpress_rss)
from _helpers_project import snapshot
from pipeline.config import load_config
from pipeline.retired import RetiredEpisode, save_retired
from pipeline.sources import ingest as ingest_module
from pipeline.sources.feeds import parse_feed
from pipeline.sources.ingest import ingest
from pipeline.sources.state import STATE_FILE

FRENCH = (TRAMWAY, SECHERESSE, MUSEE, GREVE)
SLUGS = {TRAMWAY: "metropole-budget-transports", SECHERESSE: "secheresse-agriculteurs-drome",
         MUSEE: "musee-confluences-galerie", GREVE: "greve-trains-region"}


@pytest.fixture
def site():
    with newsroom() as running:
        yield running


def run(project: Path):
    return ingest(load_config(project))


def articles(project: Path) -> set[str]:
    return {p.stem for p in (project / "episodes").glob("*.md")}


def article_files(project: Path) -> dict:
    return {name: stat for name, stat in snapshot(project / "episodes").items() if name.endswith(".md")}


def front(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8").split("+++")[1])


def page_hits(site) -> list[str]:
    return [h.path for h in site.hits if h.path != "/feed/" and not h.path.endswith((".xml", ".json"))]


def test_a_wordpress_feed_with_whole_articles_writes_them_without_fetching_their_pages(project, site):
    configure(project, {"name": "Courrier", "url": site.url("/feed/")})
    report = run(project)
    assert articles(project) == set(SLUGS.values())
    assert sorted(p.name for p in report.new) == sorted(f"{s}.md" for s in SLUGS.values())
    # Only the entries whose feed content is too short to be the article were looked up on the site.
    assert sorted(page_hits(site)) == sorted([ENQUETE.path, BREVE.path])
    path = project / "episodes" / "metropole-budget-transports.md"
    meta = front(path)
    assert meta == {"title": TRAMWAY.title, "slug": "metropole-budget-transports", "author": "Claire Dubreuil",
                    "source_url": site.url(TRAMWAY.path), "entry_id": site.url("/?p=101"),
                    "date": datetime(2025, 12, 1, 8, 30, tzinfo=timezone.utc)}
    text = path.read_text(encoding="utf-8")
    assert all(p in text for p in TRAMWAY.paragraphs) and "## Un chantier de trois ans" in text
    assert not [f for f in FURNITURE if f in text]


def test_an_atom_feed_of_summaries_brings_each_article_from_its_page(project, site):
    configure(project, {"url": site.url("/atom.xml")})
    run(project)
    assert articles(project) == set(SLUGS.values())
    assert sorted(page_hits(site)) == sorted(s.path for s in STORIES)
    text = (project / "episodes" / "greve-trains-region.md").read_text(encoding="utf-8")
    meta = front(project / "episodes" / "greve-trains-region.md")
    assert meta["title"] == GREVE.title and meta["author"] == GREVE.author
    assert meta["date"] == datetime(2025, 12, 2, 10, 20, tzinfo=timezone.utc)  # the page's own, to the minute
    assert meta["entry_id"] == "tag:courrier-du-rhone.example,2025:104" and meta["description"] == GREVE.lead
    assert all(p in text for p in GREVE.paragraphs) and not [f for f in FURNITURE if f in text]


def test_a_json_feed_is_ingested_like_the_others(project, site):
    configure(project, {"url": site.url("/feed.json")})
    run(project)
    assert articles(project) == set(SLUGS.values())


def test_a_second_ingest_sends_the_validators_gets_304_and_writes_nothing(project, site):
    configure(project, {"url": site.url("/feed/")}, {"url": site.url("/atom.xml")})
    run(project)
    before, hits = snapshot(project / "episodes"), len(site.hits)
    report = run(project)
    assert snapshot(project / "episodes") == before  # same files, same times, same inodes
    assert [h.path for h in site.hits[hits:]] == ["/feed/", "/atom.xml"]
    assert all(h.headers.get("If-None-Match") and h.headers.get("If-Modified-Since") for h in site.hits[hits:])
    assert not (report.new or report.updated or report.notices or report.problems) and report.requests == 2


def test_a_feed_without_validators_that_did_not_change_is_not_read_again(project, site, monkeypatch):
    site.put("/fil.xml", wordpress_rss(FRENCH, site.base), "application/rss+xml", validators=False)
    configure(project, {"url": site.url("/fil.xml")})
    run(project)
    before = snapshot(project / "episodes")
    parsed = []
    monkeypatch.setattr(ingest_module, "parse_feed", lambda *args: parsed.append(args) or parse_feed(*args))
    report = run(project)
    assert snapshot(project / "episodes") == before and report.requests == 1
    assert parsed == []  # the same bytes as last time: not even parsed


def test_the_same_entry_twice_or_in_two_feeds_makes_one_file(project, site):
    site.put("/doublon.xml", wordpress_rss([TRAMWAY, TRAMWAY, MUSEE], site.base), "application/rss+xml")
    configure(project, {"url": site.url("/doublon.xml")}, {"url": site.url("/atom.xml"), "include_urls": ["*/politique/*"]})
    run(project)
    assert articles(project) == {SLUGS[TRAMWAY], SLUGS[MUSEE]}
    assert page_hits(site) == []  # the Atom entry is the same article: not fetched again
    run(project)  # and the two representations do not take turns rewriting it
    site.put("/doublon.xml", wordpress_rss([TRAMWAY, MUSEE, GREVE], site.base), "application/rss+xml")
    report = run(project)
    assert [p.stem for p in report.new] == [SLUGS[GREVE]] and report.updated == []


def test_an_updated_entry_updates_its_own_file_in_place(project, site):
    configure(project, {"url": site.url("/feed/")})
    run(project)
    path = project / "episodes" / "metropole-budget-transports.md"
    corrected = replace(TRAMWAY, paragraphs=(TRAMWAY.paragraphs[0].replace("six heures", "sept heures"),
                                             *TRAMWAY.paragraphs[1:]))
    site.put("/feed/", wordpress_rss([corrected, *STORIES[1:]], site.base), "application/rss+xml")
    report = run(project)
    assert report.updated == [path] and report.new == [] and not report.notices
    assert "sept heures" in path.read_text(encoding="utf-8") and articles(project) == set(SLUGS.values())
    before = article_files(project)
    site.put("/feed/", wordpress_rss([corrected, *STORIES[1:]], site.base) + "\n", "application/rss+xml")
    assert run(project).updated == [] and article_files(project) == before  # same entries: no article written


@pytest.mark.parametrize("options, expected", [
    ({"include_categories": ["transports"]}, {TRAMWAY, GREVE}),  # any case
    ({"exclude_categories": ["economie", "Culture"]}, {TRAMWAY, GREVE}),  # with or without accents
    ({"include_urls": ["*/culture/*"]}, {MUSEE}),
    ({"exclude_urls": ["re:/(politique|societe)/"]}, {SECHERESSE, MUSEE}),
    ({"since": datetime(2025, 12, 2, tzinfo=timezone.utc)}, {MUSEE, GREVE}),
    ({"include_categories": ["Transports"], "exclude_urls": ["re:societe"]}, {TRAMWAY}),
])
def test_filters(project, site, options, expected):
    site.put("/fil.xml", wordpress_rss(FRENCH, site.base), "application/rss+xml")
    configure(project, {"url": site.url("/fil.xml"), **options})
    run(project)
    assert articles(project) == {SLUGS[s] for s in expected}


def test_max_new_takes_the_newest_first_and_leaves_the_rest_for_the_next_runs(project, site):
    site.put("/fil.xml", wordpress_rss(FRENCH, site.base), "application/rss+xml")
    configure(project, {"url": site.url("/fil.xml"), "max_new": 3})
    assert {p.stem for p in run(project).new} == {SLUGS[GREVE], SLUGS[MUSEE], SLUGS[SECHERESSE]}
    report = run(project)  # the feed has not changed, but an entry is still waiting: read it in full
    assert [p.stem for p in report.new] == [SLUGS[TRAMWAY]]
    assert site.requests_to("/fil.xml")[1].headers.get("If-None-Match") is None
    hits = len(site.hits)
    assert run(project).new == [] and [h.path for h in site.hits[hits:]] == ["/fil.xml"]
    assert site.requests_to("/fil.xml")[2].headers.get("If-None-Match")  # all settled: 304 from now on


def test_full_text_page_always_reads_the_page(project, site):
    site.put("/fil.xml", wordpress_rss(FRENCH, site.base), "application/rss+xml")
    configure(project, {"url": site.url("/fil.xml"), "full_text": "page"})
    run(project)
    assert sorted(page_hits(site)) == sorted(s.path for s in FRENCH)
    assert front(project / "episodes" / "musee-confluences-galerie.md")["description"] == MUSEE.lead  # the page's


def test_full_text_feed_never_reads_the_page(project, site):
    configure(project, {"url": site.url("/atom.xml"), "full_text": "feed"})
    report = run(project)
    assert page_hits(site) == [] and articles(project) == set()
    assert len(report.notices) == len(STORIES) and all("too short" in line for line in report.notices)


PDF = Story(path="/documents/rapport-annuel-2025.pdf", title="Rapport annuel 2025 de la rédaction",
            author="La rédaction", published=datetime(2025, 12, 2, 15, 0, tzinfo=timezone.utc),
            lead="Le rapport annuel.", paragraphs=(), post_id=108)


def test_entries_that_are_not_articles_get_one_line_once_and_are_not_tried_again(project, site):
    site.put(PDF.path, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
    site.put("/feed/", wordpress_rss([*STORIES, PDF], site.base), "application/rss+xml")
    configure(project, {"url": site.url("/feed/")})
    report = run(project)
    notices = sorted(report.notices)
    assert len(notices) == 4 and report.problems == []
    assert notices == sorted([
        f"skipped {site.url(BREVE.path)}: too short for an episode (16 words, at least 120): a brief or a stub",
        f"skipped {site.url(ENQUETE.path)}: for subscribers only (the page says isAccessibleForFree: false)",
        f"skipped {site.url(PDF.path)}: not an HTML page (application/pdf)",
        f"skipped {site.url(SUMMIT.path)}: the text does not look French (the voice only speaks French)",
    ])
    hits = len(site.hits)
    site.put("/feed/", wordpress_rss([*STORIES, PDF, replace(MUSEE, post_id=200, path="/culture/bis/")],
                                     site.base), "application/rss+xml")
    report = run(project)
    assert report.notices == [] and [h.path for h in site.hits[hits:]] == ["/feed/"]


def test_a_failing_source_gets_one_line_and_the_others_still_run(project, site):
    site.put("/casse.xml", wordpress_rss(STORIES, site.base)[:3000], "application/rss+xml")
    site.put("/panne.xml", "<h1>Erreur</h1>", status=500)
    with stalled_server() as stalled:
        configure(project, {"name": "Disparu", "url": site.url("/disparu.xml")},
                  {"name": "En panne", "url": site.url("/panne.xml")},
                  {"name": "Cassé", "url": site.url("/casse.xml")},
                  {"name": "Page", "url": site.url(TRAMWAY.path)},
                  {"name": "Muet", "url": stalled + "/feed/"},
                  {"name": "Absent", "url": "archives/absent.xml"},
                  {"name": "Courrier", "url": site.url("/feed/")})
        report = run(project)
    assert articles(project) == set(SLUGS.values())
    assert [line.split(":")[0] for line in report.problems] == [
        "source Disparu", "source En panne", "source Cassé", "source Page", "source Muet", "source Absent"]
    assert report.problems[0] == "source Disparu: HTTP 404 Not Found"
    assert report.problems[1] == "source En panne: HTTP 500 Internal Server Error (after 2 attempts)"
    assert report.problems[2].startswith("source Cassé: malformed feed XML (")
    assert report.problems[3] == "source Page: not an RSS, Atom or JSON feed"
    assert report.problems[4] == "source Muet: no answer within 1 s (after 2 attempts)"
    assert all("\n" not in line for line in report.problems)


BUDGET = 2.0
PATIENT = {"read_timeout_seconds": 20, "total_timeout_seconds": BUDGET, "retries": 2, "retry_backoff_seconds": 1}


def test_a_source_that_stalls_costs_its_budget_then_is_skipped_and_the_others_run(project, site):
    with stalled_server() as stalled:
        configure(project, {"name": "Muet", "url": stalled + "/feed/"},
                  {"name": "Goutte", "url": site.url("/trickle-headers")},
                  {"name": "Courrier", "url": site.url("/feed/")}, fetch=PATIENT)
        started = time.monotonic()
        report = run(project)
        elapsed = time.monotonic() - started
    assert report.problems == ["source Muet: out of time: no complete answer within 2 s",
                               "source Goutte: out of time: no complete answer within 2 s"]
    assert articles(project) == set(SLUGS.values())
    assert elapsed <= 3 * (BUDGET + 1), elapsed  # the budget plus a second, per source


def test_the_budget_covers_a_sources_pages_too(project, site):
    # Every entry's page trickles: the first one spends the source's time, the others wait.
    slow = [replace(s, path=f"/trickle?{s.post_id}") for s in STORIES]
    site.put("/slow.xml", atom_feed(slow, site.base), "application/atom+xml")
    configure(project, {"name": "Lent", "url": site.url("/slow.xml")}, fetch=PATIENT)
    started = time.monotonic()
    report = run(project)
    elapsed = time.monotonic() - started
    newest = max(slow, key=lambda s: s.published)
    assert report.problems == [
        f"Lent: {site.url(newest.path)}: out of time: no complete answer within 2 s; will try again on the next run",
        f"source Lent: out of time (2 s); {len(slow) - 1} entries wait for the next run"]
    assert elapsed <= BUDGET + 1, elapsed
    assert [h.path for h in site.hits if h.path.startswith("/trickle")] == [newest.path]
    assert articles(project) == set()
    second = run(project)  # nothing was settled: the same entries are looked at again
    assert second.problems[0].startswith(f"Lent: {site.url(newest.path)}: out of time")


def test_an_entry_whose_page_fails_is_tried_again_on_the_next_runs_then_given_up(project, site):
    site.put(MUSEE.path, "<h1>Erreur</h1>", status=503)
    configure(project, {"url": site.url("/atom.xml"), "include_urls": ["*/culture/*"]})
    lines = [run(project).problems for _ in range(4)]
    assert lines[0] == lines[1] == [f"{site.url('/atom.xml')}: {site.url(MUSEE.path)}: HTTP 503 Service Unavailable "
                                    "(after 2 attempts); will try again on the next run"]
    assert lines[2] == [f"{site.url('/atom.xml')}: {site.url(MUSEE.path)}: HTTP 503 Service Unavailable "
                        "(after 2 attempts); gave up after 3 runs"]
    assert lines[3] == [] and len(site.requests_to(MUSEE.path)) == 3 * 2  # 3 runs, 2 attempts each
    assert [h.headers.get("If-None-Match") is not None for h in site.requests_to("/atom.xml")] == \
        [False, False, False, True]  # not 304'd while an entry was waiting
    site.publish()  # the page is back, and the newsroom updates the entry: worth another look
    site.put("/atom.xml", atom_feed([replace(MUSEE, title=MUSEE.title + " (mis à jour)")], site.base),
             "application/atom+xml")
    assert [p.stem for p in run(project).new] == [SLUGS[MUSEE]]


def test_retired_entries_and_hand_deleted_articles_never_come_back(project, site):
    configure(project, {"url": site.url("/feed/")})
    save_retired(project / "episodes", {
        "metropole-budget-transports": RetiredEpisode(
            slug="metropole-budget-transports", guid="g1", episode_number=1, pub_date="2025-12-01T08:30:00+00:00",
            title=TRAMWAY.title, retired_at="2025-12-03T00:00:00+00:00", entry_id=site.url("/?p=101")),
        "vieux": RetiredEpisode(slug="vieux", guid="g2", episode_number=2, pub_date="2025-12-01T00:00:00+00:00",
                                title=MUSEE.title, retired_at="2025-12-03T00:00:00+00:00",
                                source_url=site.url(MUSEE.path))})
    run(project)
    assert articles(project) == {SLUGS[SECHERESSE], SLUGS[GREVE]}
    (project / "episodes" / "greve-trains-region.md").unlink()  # by hand
    site.put("/feed/", wordpress_rss([replace(s, title=s.title + " (mis à jour)") for s in STORIES], site.base),
             "application/rss+xml")
    report = run(project)
    assert articles(project) == {SLUGS[SECHERESSE]} and report.new == []
    state = json.loads((project / "episodes" / STATE_FILE).read_text())
    assert state["entries"][site.url("/?p=104")]["status"] == "removed"


def test_a_lost_record_does_not_duplicate_articles(project, site):
    configure(project, {"url": site.url("/feed/")}, {"url": site.url("/atom.xml")})
    run(project)
    before = article_files(project)
    (project / "episodes" / STATE_FILE).unlink()  # or a run cut short between an article and its record
    report = run(project)
    assert report.new == [] and report.updated == [] and article_files(project) == before


def test_a_run_interrupted_after_writing_articles_still_records_them(project, site, monkeypatch):
    configure(project, {"url": site.url("/feed/")}, {"url": site.url("/feed.json")})
    calls = []

    def parse_then_interrupt(*args):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the second source is read
        return parse_feed(*args)

    monkeypatch.setattr(ingest_module, "parse_feed", parse_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        run(project)
    state = json.loads((project / "episodes" / STATE_FILE).read_text())
    assert {e["file"] for e in state["entries"].values() if e.get("file")} == {f"{s}.md" for s in SLUGS.values()}


def test_a_file_edited_by_hand_is_kept_when_the_newsroom_updates_the_entry(project, site):
    configure(project, {"url": site.url("/feed/")})
    run(project)
    path = project / "episodes" / "musee-confluences-galerie.md"
    path.write_text(path.read_text(encoding="utf-8").replace("météorites", "météorites (des pierres du ciel)"),
                    encoding="utf-8")
    edited = path.read_bytes()
    site.put("/feed/", wordpress_rss([*STORIES[:2], replace(MUSEE, title="Nouveau titre du musée"), *STORIES[3:]],
                                     site.base), "application/rss+xml")
    report = run(project)
    assert path.read_bytes() == edited and report.updated == []
    assert report.notices == [f"kept episodes/musee-confluences-galerie.md: edited by hand, so the newsroom's "
                              f"update of {site.url(MUSEE.path)} was not applied"]
    site.put("/feed/", wordpress_rss([*STORIES[:2], replace(MUSEE, title="Nouveau titre du musée"), *STORIES[3:]],
                                     site.base) + " ", "application/rss+xml")
    assert run(project).notices == []  # said once


def test_local_feed_files_by_path_and_by_file_url(project, site):
    (project / "archives").mkdir()
    (project / "archives" / "fil.xml").write_text(wordpress_rss([TRAMWAY], site.base), encoding="utf-8")
    (project / "archives" / "fil.json").write_text(json_feed([MUSEE], site.base), encoding="utf-8")
    configure(project, {"url": "archives/fil.xml"}, {"url": (project / "archives" / "fil.json").as_uri()})
    assert len(run(project).new) == 2
    before = snapshot(project / "episodes")
    assert run(project).new == [] and snapshot(project / "episodes") == before


def test_a_new_article_never_takes_the_name_of_another(project, site):
    (project / "episodes" / "metropole-budget-transports.txt").write_text("Titre\nTexte.\n", encoding="utf-8")
    (project / "episodes" / "autre.md").write_text('+++\nslug = "greve-trains-region"\n+++\n# T\n\nTexte.\n',
                                                   encoding="utf-8")
    configure(project, {"url": site.url("/feed/")})
    run(project)
    assert {"metropole-budget-transports-2", "greve-trains-region-2"} <= articles(project)
    assert front(project / "episodes" / "greve-trains-region-2.md")["slug"] == "greve-trains-region-2"


def test_fifty_entries_then_an_unchanged_feed_costs_one_request_and_writes_nothing(project, site):
    site.put("/archives.xml", wordpress_rss(many_stories(50), site.base), "application/rss+xml")
    configure(project, {"url": site.url("/archives.xml"), "max_new": 50})
    assert len(run(project).new) == 50 and page_hits(site) == []
    before, hits = snapshot(project / "episodes"), len(site.hits)
    report = run(project)
    assert report.requests == 1 and len(site.hits) == hits + 1 and snapshot(project / "episodes") == before


def _age_the_record(project: Path, days: int) -> None:
    """As if the last runs had been ``days`` ago: every entry last seen then."""
    path = project / "episodes" / STATE_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    long_ago = (datetime.now(timezone.utc) - timedelta(days=days)).date().isoformat()
    for record in data["entries"].values():
        record["seen"] = long_ago
    path.write_text(json.dumps(data), encoding="utf-8")


def test_the_record_forgets_entries_long_gone_from_their_feed_and_never_brings_one_back(project, site):
    start = datetime(2025, 9, 1, 8, tzinfo=timezone.utc)
    stories = [replace(s, published=start + timedelta(hours=n)) for n, s in enumerate(many_stories(31))]
    feed = lambda part: site.put("/archives.xml", wordpress_rss(part, site.base), "application/rss+xml")  # noqa: E731
    configure(project, {"url": site.url("/archives.xml"), "max_new": 10})
    feed(stories[:10])
    assert len(run(project).new) == 10
    removed = sorted((project / "episodes").glob("*.md"))[0]
    removed.unlink()  # an article taken out by hand, while its entry is still in the feed
    feed(stories[:10] + stories[10:11])
    assert len(run(project).new) == 1
    state = json.loads((project / "episodes" / STATE_FILE).read_text(encoding="utf-8"))
    assert [r["status"] for r in state["entries"].values()].count("removed") == 1

    _age_the_record(project, days=91)
    feed(stories[20:30])  # the first ones left the feed long ago: forgotten, the record stays small
    assert len(run(project).new) == 10
    state = json.loads((project / "episodes" / STATE_FILE).read_text(encoding="utf-8"))
    # ... but for the removed one: only its record keeps its name from another article
    assert sorted(r["status"] for r in state["entries"].values()) == ["removed"] + ["written"] * 10
    save_retired(project / "episodes", {removed.stem: RetiredEpisode(  # as the next build records it
        slug=removed.stem, guid="g1", episode_number=1, pub_date="2025-09-01T08:00:00+00:00", title="Retiré",
        retired_at="2025-09-02T00:00:00+00:00")})
    feed(stories[20:31])
    run(project)
    state = json.loads((project / "episodes" / STATE_FILE).read_text(encoding="utf-8"))
    assert sorted(r["status"] for r in state["entries"].values()) == ["written"] * 11
    assert set(state["forgotten_before"].values()) == {stories[10].published.isoformat()}

    before = article_files(project)
    feed(stories[:11] + stories[20:31])  # all listed again: the forgotten ones are not new, the removed one stays out
    report = run(project)
    assert report.new == [] and report.updated == [] and article_files(project) == before
    assert not removed.exists()


def test_entries_gone_for_less_than_the_delay_are_remembered(project, site):
    configure(project, {"url": site.url("/feed/")})
    run(project)
    _age_the_record(project, days=89)
    site.put("/feed/", wordpress_rss(STORIES[:1], site.base), "application/rss+xml")
    run(project)
    state = json.loads((project / "episodes" / STATE_FILE).read_text(encoding="utf-8"))
    assert len(state["entries"]) == len(STORIES) and "forgotten_before" not in state
