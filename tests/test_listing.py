"""How the feed says what the show is: the disclosure of the synthetic voice, the directory tags
(podcast:person, block, a moved feed, medium, schedule, licence, funding), titles without the
number or date other tags carry, and the opt-in [analytics] prefix on every enclosure, all read
back by podcastparser and feedparser; the prefix's redirect followed by invoke validate."""
from __future__ import annotations

import contextlib
import http.server
import io
import threading
from dataclasses import replace
from datetime import datetime

import feedparser
import podcastparser
import pytest
from lxml import etree

from _helpers_feed import BASE_URL, build_public, make_config, make_manifest
from pipeline import layout
from pipeline.config import AnalyticsConfig, AnnounceConfig, DirectoryConfig, DisclosureConfig, load_config
from pipeline.errors import UserError
from pipeline.publish.feed import listing_title, render_feed
from pipeline.publish.site import render_episode_page, render_index
from pipeline.publish.validate import check_prefix, validate_public

NS = {"podcast": "https://podcastindex.org/namespace/1.0", "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
      "atom": "http://www.w3.org/2005/Atom"}
PREFIX = "https://op3.dev/e/"
GOOGLE_SENTENCE = "Cet article est lu par une voix de synthèse : Google Traduction (gTTS)."
ESPEAK_SENTENCE = "Cet article est lu par une voix de synthèse : espeak-ng."


def listed_config(root="/x", **directory):
    settings = dict(itunes_block=True, podcast_block=True, new_feed_url="https://nouveau.example/feed.xml",
                    license="cc-by-4.0", license_url="https://creativecommons.org/licenses/by/4.0/",
                    funding_url="https://balado.example/soutenir", update_frequency="weekdays")
    settings.update(directory)
    return replace(make_config(root), directory=DirectoryConfig(**settings), analytics=AnalyticsConfig(prefix=PREFIX),
                   announce=AnnounceConfig(hubs=("https://hub.example/",)))


def two_episodes():
    google = make_manifest(2, audio_bytes=2000, duration=3.0, engine="gtts", author="Jeanne Martin",
                           author_url="https://journal.example/jeanne-martin")
    espeak = make_manifest(1, audio_bytes=1000, duration=3.0, author="Paul Durand et Léa Roy",
                           author_url="https://journal.example/paul-durand")
    return [google, espeak]


def test_every_directory_tag_is_written_and_read_back_by_both_parsers():
    config = listed_config()
    manifests = two_episodes()
    xml = render_feed(config, manifests, cover_path="cover.png")
    channel = etree.fromstring(xml).find("channel")

    fp = feedparser.parse(xml)
    assert fp.bozo == 0
    assert fp.feed.itunes_block == 1 and fp.feed["itunes_new-feed-url"] == "https://nouveau.example/feed.xml"
    assert fp.feed.podcast_medium == "podcast" and fp.feed.podcast_block == "yes"
    assert fp.feed.podcast_updatefrequency == {"rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}
    assert fp.feed.podcast_license == {"url": "https://creativecommons.org/licenses/by/4.0/"}
    assert fp.feed.podcast_funding == {"url": "https://balado.example/soutenir"}
    assert {"rel": "hub", "href": "https://hub.example/"} in [dict(rel=l.rel, href=l.href) for l in fp.feed.links]
    # feedparser keeps these tags' attributes, not their text: the text is read with lxml.
    assert [channel.findtext(f"podcast:{tag}", namespaces=NS) for tag in ("updateFrequency", "license", "funding")] \
        == ["Du lundi au vendredi", "cc-by-4.0", "Soutenir la rédaction"]
    assert fp.entries[0].podcast_person == {"role": "author", "group": "writing",
                                            "href": "https://journal.example/jeanne-martin"}
    persons = [[(p.text, p.get("href")) for p in item.findall("podcast:person", NS)] for item in channel.findall("item")]
    assert persons == [[("Jeanne Martin", "https://journal.example/jeanne-martin")],
                       [("Paul Durand", None), ("Léa Roy", None)]]  # two authors: no one href for both

    gp = podcastparser.parse(BASE_URL + "/feed.xml", io.BytesIO(xml))
    assert gp["new_url"] == "https://nouveau.example/feed.xml"
    for episode, manifest in zip(gp["episodes"], manifests):
        [enclosure] = episode["enclosures"]
        # Through the prefix; length, type and GUID as without it.
        assert enclosure["url"] == f"{PREFIX}balado.example/podcast/{manifest.files['audio']}"
        assert enclosure["file_size"] == manifest.audio_bytes and enclosure["mime_type"] == "audio/mpeg"
        assert episode["guid"] == manifest.guid
        assert episode["title"] == "l'OTAN et l'Ukraine"  # "Épisode N : " is itunes:episode's
    assert gp["episodes"][0]["description"].endswith(GOOGLE_SENTENCE)  # the voice that spoke each one
    assert gp["episodes"][1]["description"].endswith(ESPEAK_SENTENCE)
    assert gp["description"].endswith(
        "Les articles sont lus par une voix de synthèse : Google Traduction (gTTS) ou espeak-ng.")


def test_tags_are_off_until_asked_for_and_archives_declare_no_hub():
    xml = render_feed(make_config("/x"), two_episodes(), cover_path="cover.png")
    channel = etree.fromstring(xml).find("channel")
    for tag in ("itunes:block", "itunes:new-feed-url", "podcast:block", "podcast:license", "podcast:funding",
                "podcast:updateFrequency"):
        assert channel.find(tag, NS) is None, tag
    assert [l.get("rel") for l in channel.findall("atom:link", NS)] == ["self"]
    assert channel.findtext("podcast:medium", namespaces=NS) == "podcast"
    assert channel.find("item/enclosure").get("url") == BASE_URL + "/episodes/episode-2.mp3"


def test_a_daily_digest_sets_the_update_frequency():
    config = replace(make_config("/x"), digest=replace(make_config("/x").digest, schedule="daily"))
    channel = etree.fromstring(render_feed(config, two_episodes(), cover_path="cover.png")).find("channel")
    assert channel.find("podcast:updateFrequency", NS).get("rrule") == "FREQ=DAILY"


@pytest.mark.parametrize("title, expected", [
    ("Épisode 7 : La réforme des retraites", "La réforme des retraites"),
    ("#7 – La réforme", "La réforme"),
    ("La réforme (épisode 7)", "La réforme"),
    ("Le journal du 3 décembre 2026", "Le journal"),
    ("Le journal du jeudi 3 décembre 2026", "Le journal"),
    ("LE JOURNAL DU 3 DÉCEMBRE 2026", "LE JOURNAL"),  # capitals: the date is still found
    ("2026-12-03 : les marchés", "les marchés"),
    ("Épisode 8 : un autre numéro", "Épisode 8 : un autre numéro"),  # not this episode's number
    ("Épisode 70 : soixante-dix", "Épisode 70 : soixante-dix"),
    ("La réforme (épisode 17)", "La réforme (épisode 17)"),
    ("Épisode 7 : La réforme (épisode 7)", "La réforme"),
    ("Le journal du 2 décembre 2026", "Le journal du 2 décembre 2026"),  # not its date
    ("Le 1er mai, la fête", "Le 1er mai, la fête"),
    ("Le budget 2026", "Le budget 2026"),
    ("Épisode 7", "Épisode 7"),  # nothing would be left
])
def test_titles_do_not_repeat_the_number_or_date_of_their_tags(title, expected):
    assert listing_title(title, 7, datetime(2026, 12, 3, 9)) == expected


def test_the_disclosure_is_reworded_or_dropped_only_on_purpose(tmp_path):
    toml = tmp_path / "podcast.toml"
    toml.write_text('[disclosure]\nepisode = "Voix de synthèse ({voice})."\nshow = ""\n', encoding="utf-8")
    config = load_config(tmp_path)
    xml = render_feed(config, two_episodes(), cover_path="cover.png")
    channel = etree.fromstring(xml).find("channel")
    assert channel.findtext("description") == config.show.description  # dropped on purpose
    assert channel.findtext("item/description").endswith("Voix de synthèse (Google Traduction (gTTS)).")
    for bad, says in (('episode = "  "', 'to drop the sentence on purpose set it to ""'),
                      ('episode = "lu par {voix}"', "the only placeholder is {voice}")):
        toml.write_text(f"[disclosure]\n{bad}\n", encoding="utf-8")
        with pytest.raises(UserError, match=f"podcast.toml: .*{says}".replace("(", r"\(").replace(")", r"\)")
                           .replace("{", r"\{").replace("}", r"\}")):
            load_config(tmp_path)


def test_pages_play_the_audio_through_the_prefix_and_allow_it(tmp_path):
    config = listed_config()
    [manifest, _] = two_episodes()
    page = render_episode_page(config, manifest, vtt=None, cover_path="cover.png")
    index = render_index(config, [manifest], cover_path="cover.png")
    url = layout.enclosure_url(BASE_URL, manifest.files["audio"], PREFIX)
    assert url == "https://op3.dev/e/balado.example/podcast/episodes/episode-2.mp3"
    assert f'src="{url}"' in index and f'href="{url}"' in page
    assert "media-src &#39;self&#39; https://op3.dev https://balado.example;" in page  # the CSP meta tag
    plain = render_index(make_config("/x"), [manifest], cover_path="cover.png")
    assert 'src="episodes/episode-2.mp3"' in plain and "media-src &#39;self&#39;;" in plain


@contextlib.contextmanager
def redirector(status: int = 302, elsewhere: str = ""):
    """A prefix service on loopback: /e/<host/path> answers a redirect to https://<host/path>
    (or, with ``elsewhere``, to https://<elsewhere><path>)."""
    class Service(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(status)
            if status in (301, 302, 307, 308):
                self.send_header("Location", "https://" + elsewhere + self.path[len("/e/"):])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Service)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/e/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def public_site(tmp_path_factory):
    return build_public(tmp_path_factory.mktemp("listed"), episodes=1)


def test_validate_follows_the_prefix_redirect_or_says_it_could_not(public_site):
    config, public = public_site
    with redirector() as prefix:
        prefixed = replace(config, analytics=AnalyticsConfig(prefix=prefix))
        (public / "feed.xml").write_bytes(render_feed(prefixed, [make_manifest_from(public)], cover_path="cover.png"))
        assert validate_public(prefixed, public, check_loudness=False) == []  # the files behind the prefix
        assert check_prefix(prefixed, public) == ([], [f"[analytics] prefix {prefix} redirects to the audio "
                                                       f"({BASE_URL}/episodes/episode-1.mp3)"])
        assert validate_public(config, public, check_loudness=False)  # without the prefix set: not our URLs
    with redirector(status=200) as prefix:
        prefixed = replace(config, analytics=AnalyticsConfig(prefix=prefix))
        (public / "feed.xml").write_bytes(render_feed(prefixed, [make_manifest_from(public)], cover_path="cover.png"))
        [problem], [] = check_prefix(prefixed, public)
        assert f"answers 200 without a redirect for {prefix}balado.example/podcast/episodes/episode-1.mp3" in problem
    with redirector(elsewhere="pub.example/") as prefix:  # a redirect, but not to the file
        prefixed = replace(config, analytics=AnalyticsConfig(prefix=prefix))
        (public / "feed.xml").write_bytes(render_feed(prefixed, [make_manifest_from(public)], cover_path="cover.png"))
        [problem], [] = check_prefix(prefixed, public)
        assert "answers 302 to https://pub.example/balado.example/podcast/episodes/episode-1.mp3" in problem
    problems, [note] = check_prefix(prefixed, public, timeout=2)  # the service is gone now
    assert problems == [] and note.startswith(f"note: [analytics] prefix {prefix} could not be reached")


def make_manifest_from(public):
    from pipeline.manifest import read_manifest

    return read_manifest(public / "episodes/episode-1.json")


def test_the_listed_feed_keeps_the_rules_a_w3c_feed_validator_applies():
    """No W3C validator runs offline: the rules it applies that our tags touch, asserted here."""
    from email.utils import parsedate_to_datetime

    xml = render_feed(listed_config(), two_episodes(), cover_path="cover.png")
    root = etree.fromstring(xml)
    channel = root.find("channel")
    assert root.tag == "rss" and root.get("version") == "2.0" and xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    selfs = [l for l in channel.findall("atom:link", NS) if l.get("rel") == "self"]
    assert [l.get("href") for l in selfs] == [BASE_URL + "/feed.xml"]  # exactly one, the feed's own URL
    assert all(l.get("href") and l.get("rel") for l in channel.findall("atom:link", NS))
    for tag in ("title", "link", "description"):
        assert channel.findtext(tag)
    urls = [e.get(a) for e in root.iter() for a in ("url", "href") if e.get(a)]
    assert urls and all(u.isascii() and u.startswith("https://") for u in urls)  # absolute, ASCII
    for item in channel.findall("item"):
        assert item.findtext("title") and item.findtext("description") and item.findtext("guid")
        assert parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None  # RFC 2822 with a zone
        enclosure = item.find("enclosure")
        assert enclosure.get("length").isdigit() and enclosure.get("type") == "audio/mpeg"
        for person in item.findall("podcast:person", NS):  # Podcasting 2.0: lower-case taxonomy, ≤ 128 chars
            assert person.get("role").islower() and person.get("group").islower() and 0 < len(person.text) <= 128
    assert len({g.text for g in channel.iter("guid")}) == len(channel.findall("item"))
    assert channel.findtext("itunes:block", namespaces=NS).lower() in ("yes", "no")
    frequency = channel.find("podcast:updateFrequency", NS)
    assert frequency.get("rrule").startswith("FREQ=") and 0 < len(frequency.text) <= 128


def test_validate_wants_exactly_the_hubs_that_are_pinged(public_site):
    config, public = public_site
    hubbed = replace(config, announce=AnnounceConfig(hubs=("https://hub.example/",)))
    (public / "feed.xml").write_bytes(render_feed(hubbed, [make_manifest_from(public)], cover_path="cover.png"))
    try:
        assert validate_public(hubbed, public, check_loudness=False, pages=False) == []
        [problem] = validate_public(config, public, check_loudness=False, pages=False)  # declared, not pinged
        assert problem.endswith("channel: <atom:link rel=\"hub\"> declares ['https://hub.example/'], "
                                "but [announce] hubs pings none")
    finally:
        (public / "feed.xml").write_bytes(render_feed(config, [make_manifest_from(public)], cover_path="cover.png"))
