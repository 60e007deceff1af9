"""The feed, read back the way podcast apps read it (podcastparser, feedparser) and with lxml."""
from __future__ import annotations

import io
import random
from dataclasses import replace
from email.utils import parsedate_to_datetime

import feedparser
import podcastparser
import pytest
from hypothesis import example, given, settings, strategies as st
from lxml import etree

from _helpers_feed import BASE_URL, build_public, make_config, make_manifest
from pipeline.errors import UserError
from pipeline.publish.feed import clean_xml_text, render_feed
from pipeline.manifest import load_manifests
from pipeline.publish.podcast_ns import PODCAST_NS, podcast_guid

NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": PODCAST_NS,
      "atom": "http://www.w3.org/2005/Atom"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A real public/ with three episodes; the feed as bytes and as an lxml tree."""
    root = tmp_path_factory.mktemp("site")
    config, public = build_public(root, episodes=3)
    xml = (public / "feed.xml").read_bytes()
    return config, public, xml, etree.fromstring(xml)


def manifests(n=2, **changes):
    return [make_manifest(i, audio_bytes=1000 + i, duration=61.6, **changes)
            for i in range(1, n + 1)]


def render(config=None, items=None, **kwargs):
    config = config or make_config("/nonexistent")
    kwargs.setdefault("cover_path", "cover.png")
    return render_feed(config, manifests() if items is None else items, **kwargs)


# --- podcast:guid ----------------------------------------------------------------------------
def test_podcast_guid_matches_the_specs_vector():
    assert podcast_guid("podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("https://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("https://podnews.net/other") != "9b024349-ccf0-5f69-a609-6b82873eab3c"


# --- as apps read it -------------------------------------------------------------------------
def test_podcastparser_reads_every_episode_with_exact_enclosures(built):
    config, public, xml, _ = built
    parsed = podcastparser.parse(BASE_URL + "/feed.xml", io.BytesIO(xml))
    assert parsed["title"] == "Balado — l'actualité à écouter"
    assert parsed["cover_url"] == BASE_URL + "/cover.png"
    episodes = parsed["episodes"]
    assert [e["guid"] for e in episodes] == [f"urn:balado:episode-{n}" for n in (3, 2, 1)]
    for episode in episodes:
        slug = episode["guid"].rsplit(":", 1)[1]
        audio = public / "episodes" / f"{slug}.mp3"
        (enclosure,) = episode["enclosures"]
        assert enclosure["url"] == f"{BASE_URL}/episodes/{slug}.mp3"
        assert enclosure["file_size"] == audio.stat().st_size
        assert enclosure["mime_type"] == "audio/mpeg"
        assert episode["total_time"] == 3  # whole seconds of a 3 s MP3
        assert episode["title"] == "l'OTAN et l'Ukraine"  # "Épisode N : " left to itunes:episode
        assert episode["episode_art_url"] == BASE_URL + "/cover.png"


def test_feedparser_reads_channel_and_items(built):
    _, public, xml, _ = built
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.language == "fr"
    assert parsed.feed.author_detail.name == "La rédaction Balado"
    assert parsed.feed.publisher_detail.email == "podcast@balado.example"
    assert parsed.feed.image.href == BASE_URL + "/cover.png"
    assert [t.term for t in parsed.feed.tags] == ["News", "Politics"]
    entry = parsed.entries[0]
    assert entry.id == "urn:balado:episode-3"
    assert entry.guidislink is False
    assert entry.itunes_duration == "3"
    assert entry.itunes_episode == "3"
    (enclosure,) = entry.enclosures
    assert int(enclosure.length) == (public / "episodes/episode-3.mp3").stat().st_size
    assert enclosure.type == "audio/mpeg"
    assert tuple(entry.published_parsed)[:6] == (2024, 3, 3, 8, 30, 0)


# --- what parsers drop or misread: checked in the XML itself ---------------------------------
def test_channel_tags(built):
    config, _, _, root = built
    channel = root.find("channel")
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:type", namespaces=NS) == "episodic"
    assert channel.findtext("itunes:summary", namespaces=NS) == (
        config.show.description + " Les articles sont lus par une voix de synthèse : espeak-ng.")
    assert channel.find("itunes:image", NS).get("href") == BASE_URL + "/cover.png"
    (category,) = channel.findall("itunes:category", NS)
    assert category.get("text") == "News"
    assert [c.get("text") for c in category.findall("itunes:category", NS)] == ["Politics"]
    self_link = channel.find("atom:link[@rel='self']", NS)
    assert self_link.get("href") == BASE_URL + "/feed.xml"
    assert channel.findtext("link") == "https://balado.example/"
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid(
        "balado.example/podcast/feed.xml")
    locked = channel.find("podcast:locked", NS)
    assert (locked.text, locked.get("owner")) == ("no", "podcast@balado.example")
    # Deterministic: the newest episode's date, not the clock.
    assert channel.findtext("lastBuildDate") == "Sun, 03 Mar 2024 08:30:00 +0000"
    assert channel.findtext("generator").startswith("balado")


def test_items_newest_first_with_podcasting20_side_files(built):
    _, _, _, root = built
    items = root.findall("channel/item")
    dates = [parsedate_to_datetime(i.findtext("pubDate")) for i in items]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == 3
    item = items[0]
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.findtext("itunes:explicit", namespaces=NS) == "false"
    assert item.findtext("itunes:episode", namespaces=NS) == "3"
    vtt, srt = item.findall("podcast:transcript", NS)
    assert dict(vtt.attrib) == {"url": BASE_URL + "/episodes/episode-3.vtt", "type": "text/vtt",
                                "language": "fr", "rel": "captions"}
    assert dict(srt.attrib) == {"url": BASE_URL + "/episodes/episode-3.srt",
                                "type": "application/x-subrip", "language": "fr"}
    chapters = item.find("podcast:chapters", NS)
    assert dict(chapters.attrib) == {"url": BASE_URL + "/episodes/episode-3.chapters.json",
                                     "type": "application/json+chapters"}


def test_side_files_absent_from_the_manifest_are_not_announced():
    (item,) = manifests(1)
    bare = replace(item, files={"audio": item.files["audio"]})
    root = etree.fromstring(render(items=[bare]))
    assert root.find("channel/item/podcast:transcript", NS) is None
    assert root.find("channel/item/podcast:chapters", NS) is None


def test_explicit_true_when_the_show_says_so():
    root = etree.fromstring(render(make_config("/x", explicit=True)))
    assert root.findtext("channel/itunes:explicit", namespaces=NS) == "true"
    assert root.findtext("channel/item/itunes:explicit", namespaces=NS) == "true"


@pytest.mark.parametrize("value, text", [(True, "true"), (False, "false"), ("yes", "true"),
                                         ("no", "false"), ("clean", "false")])
def test_explicit_setting_in_any_spelling_is_written_as_apple_wants(value, text):
    root = etree.fromstring(render(make_config("/x", explicit=value)))
    assert root.findtext("channel/itunes:explicit", namespaces=NS) == text


def test_explicit_setting_that_means_nothing_is_refused(tmp_path):
    from pipeline.config import load_config

    (tmp_path / "podcast.toml").write_text('[show]\nexplicit = "peut-être"\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"podcast.toml: \[show\] explicit = 'peut-être' is not a valid bool"):
        load_config(tmp_path)


def test_duration_is_rounded_to_whole_seconds():
    items = [make_manifest(1, audio_bytes=10, duration=125.5001),
             make_manifest(2, audio_bytes=10, duration=59.4)]
    root = etree.fromstring(render(items=items))
    assert [d.text for d in root.iterfind("channel/item/itunes:duration", NS)] == ["59", "126"]


# --- determinism -----------------------------------------------------------------------------
def test_rendering_is_byte_identical_and_independent_of_input_order(built):
    config, public, xml, _ = built
    found = load_manifests(public)
    random.Random(4).shuffle(found)
    assert render_feed(config, found, cover_path="cover.png") == xml
    assert render_feed(config, list(reversed(found)), cover_path="cover.png") == xml


def test_same_date_episodes_keep_a_stable_order():
    items = manifests(3, pub_date="2024-05-01T00:00:00+00:00")
    root = etree.fromstring(render(items=items))
    assert [g.text for g in root.iterfind("channel/item/guid")] == [
        "urn:balado:episode-3", "urn:balado:episode-2", "urn:balado:episode-1"]


def test_base_url_override_moves_urls_but_not_the_show_identity():
    local = "http://127.0.0.1:8000"
    root = etree.fromstring(render(base_url=local + "/"))
    channel = root.find("channel")
    assert channel.find("atom:link[@rel='self']", NS).get("href") == local + "/feed.xml"
    assert channel.find("itunes:image", NS).get("href") == local + "/cover.png"
    assert channel.find("item/enclosure").get("url") == local + "/episodes/episode-2.mp3"
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid(BASE_URL + "/feed.xml")


# --- hostile text ----------------------------------------------------------------------------
def test_control_characters_and_lone_surrogates_are_stripped():
    dirty = "Ti\x00tre\x0b \ud800final\x1f\ufffe"
    items = [make_manifest(1, audio_bytes=10, duration=1.0, title=dirty, description=dirty,
                           author="Au\x07teur")]
    config = make_config("/x", title="Sh\x01ow", description="De\x08sc")
    xml = render(config, items)
    parsed = feedparser.parse(xml)
    assert not parsed.bozo
    assert parsed.feed.title == "Show"
    assert parsed.entries[0].title == "Titre final"
    assert etree.fromstring(xml).findtext("channel/item/itunes:author", namespaces=NS) == "Auteur"
    assert clean_xml_text("a\tb\nc\rd") == "a\tb\nc\rd"  # allowed whitespace survives


def test_html_in_descriptions_never_reaches_the_app_as_markup():
    description = '<script>alert("x")</script><p>Le <b>budget</b> &amp; la <a href="#">dette</a>'
    items = [make_manifest(1, audio_bytes=10, duration=1.0, description=description,
                           title="L'<i>OTAN</i> & l'Ukraine")]
    xml = render(items=items)
    assert b"<script" not in xml and b"<b>" not in xml
    root = etree.fromstring(xml)
    assert root.findtext("channel/item/description") == (
        "Le budget & la dette Cet article est lu par une voix de synthèse : espeak-ng.")
    assert root.findtext("channel/item/title") == "L'OTAN & l'Ukraine"
    assert "alert" not in podcastparser.parse("x", io.BytesIO(xml))["episodes"][0]["description"]


def test_long_show_description_is_cut_to_apples_4000_bytes():
    config = make_config("/x", description="é" * 3000)  # 6000 bytes
    root = etree.fromstring(render(config))
    text = root.findtext("channel/description")
    assert len(text.encode("utf-8")) <= 4000 and text.endswith("é… Les articles sont lus par une voix de synthèse : espeak-ng.")
    assert root.findtext("channel/itunes:summary", namespaces=NS) == text


# --- refusals --------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [None, 0, "123", True])
def test_enclosure_without_a_byte_count_is_refused(size):
    (item,) = manifests(1)
    with pytest.raises(UserError, match="episode-1: audio size"):
        render(items=[replace(item, audio_bytes=size)])


def test_duplicate_guids_are_refused():
    a, b = manifests(2)
    with pytest.raises(UserError, match="share a GUID: urn:balado:episode-1"):
        render(items=[a, replace(b, guid=a.guid)])


@pytest.mark.parametrize("category, sub, message", [
    ("news", "Politics", "category 'news' is not one of Apple's"),
    ("News", "Politique", "subcategory 'Politique' is not under 'News'"),
])
def test_categories_outside_apples_list_are_refused(category, sub, message):
    config = make_config("/x", category=category, subcategory=sub)
    with pytest.raises(UserError, match=message):
        render(config)


def test_a_cover_that_is_not_jpg_or_png_is_refused_loudly():
    with pytest.raises(ValueError, match="must end in .jpg or .png"):
        render(cover_path="cover.gif")


def test_empty_show_still_renders_a_valid_feed():
    parsed = feedparser.parse(render(items=[]))
    assert not parsed.bozo and parsed.entries == []


# --- any text at all gives a well-formed feed ------------------------------------------------
any_text = st.text(st.characters(blacklist_categories=()))  # controls and lone surrogates too


@settings(max_examples=80, deadline=None)
@given(title=any_text, description=any_text, author=any_text, owner=any_text)
@example(title="<![0", description="a <![ b", author="<!", owner="<![CDATA[x")  # html.parser's AssertionError
def test_any_text_renders_a_well_formed_feed(title, description, author, owner):
    items = [make_manifest(1, audio_bytes=10, duration=1.0, title=title,
                           description=description, author=author)]
    config = make_config("/x", title=title, description=description, author=author,
                         owner_name=owner, owner_email=owner)
    root = etree.fromstring(render(config, items))  # raises if not well-formed
    assert root.findtext("channel/title") and root.findtext("channel/item/title")
    assert root.find("channel/item/enclosure").get("length") == "10"


@pytest.mark.parametrize("url, link", [("https://journal.example/otan", "https://journal.example/otan"),
                                       ("javascript:alert(1)", None), ("data:text/html,x", None)])
def test_an_items_link_is_only_ever_a_web_page(url, link):
    root = etree.fromstring(render(items=[make_manifest(1, audio_bytes=10, duration=1.0, source_url=url)]))
    assert root.findtext("channel/item/link") == link
