"""The landing page's HTML, read back with lxml as a browser's parser would see it."""
from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest

from pipeline.model import Chapter
from pipeline.text.dates import french_date
from pipeline.publish.paging import PageDocument
from pipeline.publish.site import (clock, french_duration, read_vtt_cues, render_archive_page, render_episode_page,
                                   render_index, subscribe_links)

from _helpers_site import CHAPTERS, VTT, make_config, make_manifest

BASE = "https://balado.example/podcast"
APP_SCHEMES = ("podcast:", "antennapod-subscribe:", "overcast:", "pktc:", "castro:",
               "podcastaddict:")


def manifests():
    newer = make_manifest("otan-ukraine", number=2, duration=192.4,
                          pub_date="2026-11-26T08:30:00+00:00",
                          source_url="https://journal.example/otan")
    older = replace(make_manifest("budget", number=1, duration=45.0,
                                  pub_date="2026-11-01T07:00:00+00:00",
                                  chapters=(Chapter("Le budget", 0.0, 45.0),)),
                    title="Le budget & la dette")
    return [older, newer]  # given oldest first: the page must reorder


def parse(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def render(episodes=None, **kwargs) -> tuple[str, lxml.html.HtmlElement]:
    """The landing page."""
    kwargs.setdefault("cover_path", "cover.png")
    html = render_index(make_config("/x", BASE), manifests() if episodes is None else episodes, **kwargs)
    return html, parse(html)


def render_page(manifest=None, vtt=VTT, **kwargs) -> tuple[str, lxml.html.HtmlElement]:
    """An episode's own page."""
    kwargs.setdefault("cover_path", "cover.png")
    html = render_episode_page(make_config("/x", BASE), manifest or manifests()[1], vtt=vtt, **kwargs)
    return html, parse(html)


def render_archive(number=1, pages=2, episodes=None) -> tuple[str, lxml.html.HtmlElement]:
    page = PageDocument(f"archive/page-{number}.html", tuple(manifests() if episodes is None else episodes),
                        number, pages)
    html = render_archive_page(make_config("/x", BASE), page, cover_path="cover.png")
    return html, parse(html)


ALL_PAGES = {"index": lambda: render(), "episode": lambda: render_page(), "archive": lambda: render_archive()}


@pytest.mark.parametrize("kind", sorted(ALL_PAGES))
def test_page_structure_is_french_and_accessible(kind):
    _, doc = ALL_PAGES[kind]()
    assert doc.get("lang") == "fr"
    for landmark in ("header", "main", "footer"):
        assert len(doc.findall(f".//{landmark}")) == 1, landmark
    assert len(doc.findall(".//h1")) == 1
    assert doc.find(".//meta[@name='viewport']") is not None
    cover = doc.find(".//header//img")
    assert cover.get("alt") and cover.get("src").endswith("cover.png")
    # Every form control has a label, every button says what it does.
    for control in doc.iter("input"):
        assert doc.xpath(f"//label[@for='{control.get('id')}']"), control.get("id")
    for button in doc.iter("button"):
        assert button.get("type") == "button"
        assert button.text_content().strip()
    # Sections are named by their headings; the skip link lands on something that exists.
    for section in doc.iter("section", "article"):
        labelled = section.get("aria-labelledby")
        assert labelled and doc.get_element_by_id(labelled).text_content().strip()
    skip = doc.find(".//a[@class='skip']").get("href")
    assert doc.get_element_by_id(skip[1:]) is not None


def test_landing_page_lists_the_newest_episodes_with_french_dates_and_durations():
    _, doc = render()
    assert doc.find(".//header//h1").text_content() == "Balado — l'actualité à écouter"
    articles = doc.findall(".//article")
    titles = [a.find(".//h3").text_content() for a in articles]
    assert titles == ["L'OTAN et l'Ukraine : ce qui change", "Le budget & la dette"]
    assert [a.find(".//h3/a").get("href") for a in articles] == ["episodes/otan-ukraine.html", "episodes/budget.html"]
    first, second = (" ".join(a.find(".//p[@class='meta']").text_content().split()) for a in articles)
    assert "26 novembre 2026" in first and "3 min 12 s" in first and "Épisode 2" in first
    assert "1er novembre 2026" in second and "45 s" in second
    assert articles[0].find(".//time").get("datetime") == "2026-11-26T08:30:00Z"
    # The transcript lives on the episode's page, not here: the landing page stays small.
    assert doc.find(".//details") is None and "ont tranché" not in doc.text_content()


def test_landing_page_players_and_chapters():
    _, doc = render()
    article = doc.findall(".//article")[0]
    audio = article.find(".//audio")
    assert audio.get("controls") is not None and audio.get("preload") == "none"
    assert audio.get("src") == "episodes/otan-ukraine.mp3" and audio.get("aria-label")
    buttons = article.findall(".//button[@data-start]")
    assert [float(b.get("data-start")) for b in buttons] == [c.start for c in CHAPTERS]
    assert all(b.get("data-audio") == audio.get("id") for b in buttons)
    assert [b.find(".//span[@class='chapter-title']").text for b in buttons] == [c.title for c in CHAPTERS]
    assert buttons[1].find(".//span[@class='time']").text == "0:02"


def test_landing_page_links_every_archive_page_newest_first():
    _, doc = render(archive_pages=3)
    links = [a.get("href") for a in doc.findall(".//nav[@class='archives']//a")]
    assert links == ["archive/page-3.html", "archive/page-2.html", "archive/page-1.html"]
    _, without = render()
    assert without.find(".//nav[@class='archives']") is None


def test_episode_page_has_the_player_chapters_whole_transcript_files_and_share_link():
    _, doc = render_page()
    article = doc.find(".//article")
    assert article.find(".//h1").text_content() == "L'OTAN et l'Ukraine : ce qui change"
    assert article.find(".//audio").get("src") == "../episodes/otan-ukraine.mp3"
    assert len(article.findall(".//button[@data-start]")) == len(CHAPTERS)
    section = article.find(".//section[@class='transcript']")
    text = " ".join(section.text_content().split())
    # Tags of the cue removed, its entity decoded, each cue under its chapter.
    assert "Les ministres se sont réunis à Bruxelles & ont tranché." in text
    assert "<b>" not in text and "-->" not in text and "WEBVTT" not in text
    headings = [" ".join(h.text_content().split()) for h in section.findall("h3")]
    assert headings == ["0:00 Introduction", "0:02 Le cœur du sujet", "0:04 Conclusion"]
    assert [p.text_content() for p in section.findall("p")][2] == "Merci de votre écoute."
    files = {a.text_content().strip(): a.get("href") for a in article.findall(".//p[@class='files']/a")}
    assert files == {"Télécharger le MP3": "../episodes/otan-ukraine.mp3",
                     "Transcription WebVTT": "../episodes/otan-ukraine.vtt",
                     "Sous-titres SRT": "../episodes/otan-ukraine.srt",
                     "Lire l’article d’origine": "https://journal.example/otan"}
    canonical = BASE + "/episodes/otan-ukraine.html"
    assert doc.find(".//link[@rel='canonical']").get("href") == canonical
    assert doc.get_element_by_id("share-url").get("value") == canonical
    assert doc.find(".//button[@data-copy='share-url']") is not None
    assert doc.find(".//title").text_content() == "L'OTAN et l'Ukraine : ce qui change · Balado — l'actualité à écouter"


def test_archive_page_lists_its_episodes_and_links_its_neighbours():
    _, doc = render_archive(number=2, pages=3)
    items = doc.findall(".//ol[@class='archive-list']/li")
    assert [li.find("a").get("href") for li in items] == ["../episodes/budget.html", "../episodes/otan-ukraine.html"]
    pager = {a.text_content(): a.get("href") for a in doc.findall(".//nav[@class='pager']/a")}
    assert pager == {"Derniers épisodes": "../index.html",
                     "Page suivante (plus récente)": "../archive/page-3.html",
                     "Page précédente (plus ancienne)": "../archive/page-1.html"}
    _, oldest = render_archive(number=1, pages=1)
    assert [a.text_content() for a in oldest.findall(".//nav[@class='pager']/a")] == ["Derniers épisodes"]


@pytest.mark.parametrize("kind", sorted(ALL_PAGES))
def test_no_external_resources_and_relative_links(kind):
    html, doc = ALL_PAGES[kind]()
    allowed_http = {BASE + "/feed.xml", "https://journal.example/otan", BASE + "/episodes/otan-ukraine.html",
                    BASE + "/embed/otan-ukraine.oembed.json"}  # oEmbed discovery: consumers want it absolute
    for element in doc.iter():
        for attribute in ("src", "href", "value", "action", "poster", "data"):
            value = element.get(attribute)
            if value is None:
                continue
            if attribute == "src":
                assert "://" not in value and not value.startswith(("/", "data:")), value
            if value.startswith(APP_SCHEMES) or value in allowed_http:
                continue
            assert "://" not in value and not value.startswith("//"), (element.tag, value)
            if attribute == "href" and not value.startswith("#"):
                assert not value.startswith("/"), value  # relative: works under any base URL
    assert not doc.xpath("//script[@src] | //link[@rel='stylesheet'] | //iframe")
    assert "@import" not in html and "url(" not in html and "@font-face" not in html


@pytest.mark.parametrize("kind", sorted(ALL_PAGES))
def test_content_security_policy_allows_exactly_the_inline_assets(kind):
    _, doc = ALL_PAGES[kind]()
    csp = doc.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    rules = dict(rule.strip().split(" ", 1) for rule in csp.split(";"))
    assert rules["default-src"] == "'none'"

    def digest(text):
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    [script] = doc.findall(".//script")
    [style] = doc.findall(".//style")
    assert rules["script-src"] == digest(script.text)
    assert rules["style-src"] == digest(style.text)


def test_subscribe_block_uses_the_feed_url_and_app_links():
    _, doc = render(base_url="http://192.168.1.20:8000/")
    feed = doc.get_element_by_id("feed-url")
    assert feed.get("value") == "http://192.168.1.20:8000/feed.xml"
    assert feed.get("readonly") is not None
    copy = doc.find(".//button[@data-copy]")
    assert copy.get("data-copy") == "feed-url" and copy.text_content() == "Copier"
    links = {a.text_content(): a.get("href") for a in doc.findall(".//ul[@class='apps']//a")}
    assert links["AntennaPod"] == "antennapod-subscribe://192.168.1.20:8000/feed.xml"
    assert links["Apple Podcasts"] == "podcast://192.168.1.20:8000/feed.xml"
    assert links["Overcast"] == \
        "overcast://x-callback-url/add?url=http%3A%2F%2F192.168.1.20%3A8000%2Ffeed.xml"
    assert links["Autre application (flux RSS)"] == "feed.xml"
    assert doc.find(".//link[@rel='alternate']").get("href") == "feed.xml"
    assert dict(subscribe_links("https://a.example/f.xml"))["Pocket Casts"] == \
        "pktc://subscribe/a.example/f.xml"


def hostile_manifest():
    # Each string survives plain_text: entities decode to markup-looking text, chapter titles and
    # URLs are not plain_text'ed at all. Only the template's escaping stands between them and the page.
    return replace(make_manifest("x<y", number=3, source_url='https://journal.example/a"onmouseover="alert(3)',
                                 chapters=(Chapter('<img src=x onerror="alert(2)">Les montants', 0.0, 6.0),)),
                   title="Tom &amp; &quot;Jerry&quot; &lt;script&gt;alert(1)&lt;/script&gt;",
                   description="&lt;img src=x onerror=&quot;alert(4)&quot;&gt;Résumé")


HOSTILE_PAGES = {"index": lambda: render([hostile_manifest()]),
                 "episode": lambda: render_page(hostile_manifest(), vtt=VTT.replace("Bruxelles", "&lt;script&gt;alert(5)&lt;/script&gt;")),
                 "archive": lambda: render_archive(episodes=[hostile_manifest()])}


@pytest.mark.parametrize("kind", sorted(HOSTILE_PAGES))
def test_text_is_escaped_and_markup_cannot_get_in(kind):
    html, doc = HOSTILE_PAGES[kind]()
    assert len(doc.findall(".//img")) == 1  # the cover only
    assert len(doc.findall(".//script")) == 1  # the page's own
    assert not [e for e in doc.iter() if any(name.startswith("on") for name in e.attrib)]
    title = 'Tom & "Jerry" <script>alert(1)</script>'
    assert title in doc.text_content()
    if kind != "archive":
        assert doc.find(".//span[@class='chapter-title']").text_content() == '<img src=x onerror="alert(2)">Les montants'
    if kind == "episode":
        assert doc.find(".//article").get("id") == "episode-x-y"
        assert doc.find(".//audio").get("src") == "../episodes/x%3Cy.mp3"
        source = [a for a in doc.iter("a") if "origine" in a.text_content()]
        assert [a.get("href") for a in source] == ['https://journal.example/a"onmouseover="alert(3)']
        assert "<script>alert(5)</script>" in doc.find(".//section[@class='transcript']").text_content()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "//evil.example/x"])
def test_a_source_link_is_only_ever_http(url):
    _, doc = render_page(make_manifest("x", source_url=url))
    assert not [a for a in doc.iter("a") if "origine" in a.text_content()]


def test_missing_pieces_still_give_a_page():
    bare = make_manifest("sans-texte", chapters=(), vtt="episodes/absent.vtt")
    _, doc = render([bare], cover_path=None)
    assert doc.find(".//img") is None
    article = doc.find(".//article")
    assert article.find(".//audio") is not None
    assert article.find(".//button") is None
    _, page = render_page(bare, vtt=None, cover_path=None)
    assert page.find(".//section[@class='transcript']") is None and page.find(".//audio") is not None
    _, empty = render([])
    assert "Aucun épisode" in empty.find(".//main").text_content()


def test_rendering_is_deterministic_across_processes():
    """Same manifests, same bytes, whatever the process (hash seeds, dict orders)."""
    import os
    import subprocess
    import sys

    code = ("import sys; sys.path.insert(0, 'tests'); import test_site as t;\n"
            "sys.stdout.write(t.render()[0] + t.render_page()[0] + t.render_archive()[0])")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert outputs == {render()[0] + render_page()[0] + render_archive()[0]}


@pytest.mark.parametrize("pub_date, shown", [
    ("2026-11-26T08:30:00+00:00", "26 novembre 2026"),
    ("2026-12-01T10:00:00+00:00", "1er décembre 2026"),
    ("2026-11-25T23:30:00+00:00", "26 novembre 2026"),  # 00:30 in Paris
    ("2026-08-15T12:00:00+00:00", "15 août 2026"),
    ("2027-02-03T12:00:00", "3 février 2027"),  # naive: read as UTC
])
def test_dates_as_a_french_listener_reads_them(pub_date, shown):
    _, doc = render([make_manifest("d", pub_date=pub_date)])
    assert doc.find(".//article//time").text_content() == shown


def test_french_date_has_no_locale_dependency():
    from datetime import date

    assert [french_date(date(2026, m, 2)).split()[1] for m in range(1, 13)] == [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre"]


@pytest.mark.parametrize("seconds, expected", [
    (192.4, "3 min 12 s"), (45, "45 s"), (0, "0 s"), (180, "3 min"), (59.6, "1 min"),
    (3725, "1 h 02 min 05 s"), (3600, "1 h 00 min"), (605, "10 min 5 s"),
])
def test_durations(seconds, expected):
    assert french_duration(seconds) == expected


@pytest.mark.parametrize("seconds, expected", [
    (0, "0:00"), (12.9, "0:12"), (185, "3:05"), (3723, "1:02:03")])
def test_clock(seconds, expected):
    assert clock(seconds) == expected


def test_vtt_reader_skips_headers_notes_and_settings():
    text = ("\ufeffWEBVTT - Balado\r\nKind: captions\r\n\r\nNOTE écrit par balado\r\n\r\n"
            "STYLE\r\n::cue { color: red }\r\n\r\n"
            "intro\r\n00:01.500 --> 00:03.000 align:start line:0\r\n<v Voix>Première</v>\r\n"
            "ligne &lt;3\r\n\r\n01:00:00.000 --> 01:00:01.000\r\nTard.\r\n\r\n"
            "00:00:05.000 --> 00:00:06.000\r\n\r\n")
    assert read_vtt_cues(text) == [(1.5, "Première ligne <3"), (3600.0, "Tard.")]


def test_vtt_reader_reads_back_what_the_pipeline_writes():
    from pipeline.model import Timeline, TimedSection, TimedSentence
    from pipeline.publish.sidecars import to_webvtt

    long = ("Les ministres se sont réunis à Bruxelles & ont tranché, après une très longue nuit "
            "de négociations <difficiles> et --> tendues.")
    timeline = Timeline(sections=(TimedSection("intro", "Introduction", 0, 5000, (
        TimedSentence(long, 0, 4000), TimedSentence("Fin.", 4200, 5000))),), duration_ms=5000)
    assert read_vtt_cues(to_webvtt(timeline)) == [(0.0, long), (4.2, "Fin.")]


def test_cue_at_a_chapter_start_belongs_to_that_chapter():
    """00:01:35.808 parsed as a float is 95.80799…, which must not fall in the previous chapter."""
    from pipeline.publish.site import transcript_parts

    vtt = "WEBVTT\n\n00:01:30.000 --> 00:01:35.000\nAvant.\n\n00:01:35.808 --> 00:01:40.000\nAprès.\n"
    manifest = make_manifest("e", chapters=(Chapter("Un", 0.0, 95.808), Chapter("Deux", 95.808, 100.0)))
    parts = transcript_parts(manifest, vtt)
    assert [(p.title, p.text) for p in parts] == [("Un", "Avant."), ("Deux", "Après.")]
