"""A show of any size: the feed and its RFC 5005 archives read back as apps read them, documents
re-rendered only when their inputs change, pages for every episode, and retiring an episode."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from _helpers_feed import BASE_URL, make_config, write_episode
from _helpers_project import SHORT_ARTICLE, published, snapshot
from pipeline import layout
from pipeline.build import build, project_lock, publish_site, rebuild_feed
from pipeline.catalogue import load_catalogue
from pipeline.config import SiteConfig, load_config
from pipeline.publish.paging import feed_documents, page_documents
from pipeline.publish.validate import validate_public

SMALL = SiteConfig(feed_items=3, archive_items=2, latest_episodes=2)
HISTORY = "{http://purl.org/syndication/history/1.0}"


def small_show(root: Path, episodes: int):
    """``episodes`` real episodes (sine MP3s, transcripts, manifests) and every document rendered."""
    config = replace(make_config(root), site=SMALL)
    for number in range(1, episodes + 1):
        write_episode(config.public_dir, number)
    rebuild_feed(config)
    return config


def read(public: Path, url: str):
    """A feed document as feedparser reads it, fetched by its URL from public/."""
    assert url.startswith(BASE_URL + "/"), url
    return feedparser.parse((public / url[len(BASE_URL) + 1:]).read_bytes())


def links(parsed) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in parsed.feed.get("links", [])}


def follow(public: Path, rel: str) -> list[tuple[str, list[str]]]:
    """(URL, GUIDs) of every document met following ``rel`` from the feed, as a paging app does."""
    url, seen = BASE_URL + "/feed.xml", []
    while url and url not in [u for u, _ in seen]:
        parsed = read(public, url)
        assert parsed.bozo == 0, parsed.bozo_exception
        seen.append((url, [e.id for e in parsed.entries]))
        url = links(parsed).get(rel)
    return seen


# --- paging ------------------------------------------------------------------------------------
def test_every_episode_is_reached_exactly_once_by_following_either_kind_of_link(tmp_path):
    config = small_show(tmp_path, 9)
    everyone = {f"urn:balado:episode-{n}" for n in range(1, 10)}
    for rel in ("next", "prev-archive"):
        documents = follow(config.public_dir, rel)
        guids = [g for _, gs in documents for g in gs]
        assert len(guids) == len(set(guids)) == 9 and set(guids) == everyone, (rel, documents)
        assert [len(gs) for _, gs in documents] == [3, 2, 2, 2]
    first = follow(config.public_dir, "next")
    assert first[0][1] == ["urn:balado:episode-9", "urn:balado:episode-8", "urn:balado:episode-7"]
    assert [url.rsplit("/", 1)[1] for url, _ in first] == ["feed.xml", "feed-3.xml", "feed-2.xml", "feed-1.xml"]
    assert validate_public(config, config.public_dir, check_loudness=False) == []


def test_archives_say_they_are_archives_and_link_both_ways(tmp_path):
    config = small_show(tmp_path, 9)
    public = config.public_dir
    feed = links(read(public, BASE_URL + "/feed.xml"))
    assert feed["prev-archive"] == feed["next"] == BASE_URL + "/archive/feed-3.xml"
    assert feed["last"] == BASE_URL + "/archive/feed-1.xml" and "current" not in feed
    middle = links(read(public, BASE_URL + "/archive/feed-2.xml"))
    assert middle["current"] == middle["first"] == BASE_URL + "/feed.xml"
    assert middle["prev-archive"] == middle["next"] == BASE_URL + "/archive/feed-1.xml"
    assert middle["next-archive"] == middle["previous"] == BASE_URL + "/archive/feed-3.xml"
    assert links(read(public, BASE_URL + "/archive/feed-3.xml"))["previous"] == BASE_URL + "/feed.xml"
    assert "prev-archive" not in links(read(public, BASE_URL + "/archive/feed-1.xml"))
    for relative in ("archive/feed-1.xml", "archive/feed-2.xml"):
        assert etree.parse(str(public / relative)).find(f"channel/{HISTORY}archive") is not None
    assert etree.parse(str(public / "feed.xml")).find(f"channel/{HISTORY}archive") is None


def test_a_show_within_the_feed_size_has_no_archives():
    manifests = [object()] * 3
    [feed] = feed_documents(manifests, feed_items=3, archive_items=2)
    assert feed.relative == "feed.xml" and feed.links.prev_archive is None
    assert [p.relative for p in page_documents(manifests, latest=3, archive_items=2)] == ["index.html"]


def test_archives_fill_from_the_oldest_so_full_ones_never_change():
    def pages(count):
        newest_first = list(range(count, 0, -1))
        return {d.relative: d.episodes for d in feed_documents(newest_first, feed_items=3, archive_items=2)}

    before, after = pages(9), pages(10)
    assert before["archive/feed-1.xml"] == after["archive/feed-1.xml"] == (2, 1)
    assert before["archive/feed-3.xml"] == after["archive/feed-3.xml"] == (6, 5)
    assert after["archive/feed-4.xml"] == (7,) and after["feed.xml"] == (10, 9, 8)


def test_a_new_episode_re_renders_only_what_shows_it(tmp_path):
    config = small_show(tmp_path, 9)
    public = config.public_dir
    before = snapshot(public)
    write_episode(public, 10)
    with project_lock(config):
        _, commit = publish_site(config, load_catalogue(public, config.cache_dir))
    replaced = set(commit.published)
    # The feed, the newest archive (now with its neighbour) and the one it grew out of, the
    # landing page, the new HTML archive page and the one before it, the new episode's page.
    assert {"feed.xml", "archive/feed-4.xml", "archive/feed-3.xml", "index.html",
            "episodes/episode-10.html"} <= replaced
    untouched = ["archive/feed-1.xml", "archive/feed-2.xml", "archive/page-1.html", "archive/page-2.html",
                 *(f"episodes/episode-{n}.html" for n in range(1, 10))]
    assert all(snapshot(public)[name] == before[name] for name in untouched)
    guids = [g for _, gs in follow(public, "next") for g in gs]
    assert sorted(guids) == sorted(f"urn:balado:episode-{n}" for n in range(1, 11))
    assert validate_public(config, public, check_loudness=False) == []


def test_html_archive_pages_list_every_episode_not_on_the_landing_page(tmp_path):
    config = small_show(tmp_path, 7)
    public = config.public_dir
    import lxml.html

    def episode_links(relative):
        doc = lxml.html.fromstring((public / relative).read_bytes())
        return [a.get("href").rsplit("/", 1)[1] for a in doc.iter("a") if a.get("href", "").endswith(".html")
                and "/episodes/" in "/" + a.get("href") and "archive" not in a.get("href")]

    landing = episode_links("index.html")
    archives = [episode_links(f"archive/page-{n}.html") for n in (3, 2, 1)]
    everything = landing + [name for page in archives for name in page]
    assert landing == ["episode-7.html", "episode-6.html"]
    assert sorted(everything) == sorted(f"episode-{n}.html" for n in range(1, 8))
    assert len(everything) == len(set(everything))


# --- what validate sees -----------------------------------------------------------------------
def test_validate_follows_the_archives_and_checks_every_page(tmp_path):
    config = small_show(tmp_path, 9)
    public = config.public_dir
    (public / "archive/feed-2.xml").unlink()
    (public / "episodes/episode-4.html").unlink()
    problems = validate_public(config, public, check_loudness=False)
    assert any("archive/feed-2.xml: missing, yet an archive link names it" in p for p in problems), problems
    assert any("episodes/episode-4.html: missing" in p for p in problems), problems
    assert any("episode-4.html, which is missing" in p for p in problems), problems  # the archive page's link
    lost = sorted(p.split("episode ")[1].split(" ")[0] for p in problems if "is not in the feed" in p)
    # Those the missing archive held, and those older ones an app could only reach through it.
    assert lost == ["episode-1", "episode-2", "episode-3", "episode-4"]


def test_validate_names_an_episode_listed_in_two_documents(tmp_path):
    config = small_show(tmp_path, 9)
    path = config.public_dir / "archive/feed-1.xml"
    tree = etree.parse(str(path))
    channel = tree.find("channel")
    newest = etree.parse(str(config.public_dir / "feed.xml")).find("channel/item")
    channel.append(newest)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    problems = validate_public(config, config.public_dir, check_loudness=False)
    assert any("'urn:balado:episode-9' is in more than one feed document (feed.xml, archive/feed-1.xml)" in p
               for p in problems), problems


# --- retiring an episode --------------------------------------------------------------------
def two_articles(project: Path) -> Path:
    second = project / "episodes" / "pologne.txt"
    second.write_text("La Pologne s'équipe\nLa Pologne a annoncé mardi l'achat de nouveaux systèmes de défense.\n",
                      encoding="utf-8")
    return second


def test_an_article_removed_by_hand_retires_its_episode_and_keeps_its_identity(project, short_article, offline):
    config = load_config(project)
    second = two_articles(project)
    build(config, engine="espeak")
    public = project / "public"
    manifest = json.loads((public / "episodes/pologne.json").read_text())
    files = [public / relative for relative in manifest["files"].values()]
    text = second.read_text(encoding="utf-8")
    second.unlink()

    report = build(config, engine="espeak")
    assert report.retired == ["pologne"]
    parsed = feedparser.parse((public / "feed.xml").read_bytes())
    assert [e.title for e in parsed.entries] == ["L'Otan promet un milliard pour l'Ukraine"]
    assert not any(path.exists() for path in files)
    assert not (public / "episodes/pologne.json").exists() and not (public / "episodes/pologne.html").exists()
    record = json.loads((project / "episodes" / "retired.json").read_text())["pologne"]
    assert (record["guid"], record["episode_number"]) == (manifest["guid"], manifest["episode_number"])
    assert validate_public(config, public, check_loudness=False) == []

    # It comes back as the same episode, never as a new one.
    second.write_text(text, encoding="utf-8")
    report = build(config, engine="espeak")
    back = json.loads((public / "episodes/pologne.json").read_text())
    assert (back["guid"], back["episode_number"], back["pub_date"]) == \
        (manifest["guid"], manifest["episode_number"], manifest["pub_date"])
    assert "pologne" not in json.loads((project / "episodes" / "retired.json").read_text())
    assert len(feedparser.parse((public / "feed.xml").read_bytes()).entries) == 2


def test_a_respoken_episode_gets_new_file_names_and_the_old_ones_go(project, short_article, offline):
    config = load_config(project)
    build(config, engine="espeak")
    public = project / "public"
    old = {kind: published(public, "otan-bref", kind) for kind in ("audio", "vtt", "srt", "chapters")}
    short_article.write_text(SHORT_ARTICLE + "Une phrase de plus change tout l'épisode.\n", encoding="utf-8")
    report = build(config, engine="espeak")
    new = {kind: published(public, "otan-bref", kind) for kind in old}
    assert all(new[kind] != old[kind] and new[kind].exists() and not old[kind].exists() for kind in old)
    assert sorted(report.deleted) == sorted(p.relative_to(public).as_posix() for p in old.values())
    assert validate_public(config, public, check_loudness=False) == []


# --- the no-op and what wakes a build ----------------------------------------------------------
@pytest.mark.parametrize("change", ["feed deleted", "settings", "article touched", "page deleted"])
def test_what_the_fingerprint_notices(project, short_article, offline, change):
    config = load_config(project)
    build(config, engine="espeak")
    public = project / "public"
    if change == "feed deleted":
        (public / layout.FEED).unlink()
    elif change == "settings":
        toml = project / "podcast.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("Balado — l'actualité à écouter", "Autre titre"),
                        encoding="utf-8")
    elif change == "article touched":
        short_article.write_text(short_article.read_text(encoding="utf-8"), encoding="utf-8")
    elif change == "page deleted":
        (public / "episodes/otan-bref.html").unlink()
    report = build(load_config(project), engine="espeak")
    assert report.unchanged == 0  # the fast path was not taken
    if change == "article touched":
        assert report.published == [] and report.episodes[0].status == "up to date"
    else:
        assert report.published  # what was missing or changed is back
    assert validate_public(load_config(project), public, check_loudness=False) == []
    again = build(load_config(project), engine="espeak")
    assert again.unchanged == 1 and again.published == []
