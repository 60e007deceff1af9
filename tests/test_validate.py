"""``validate_public`` passes a good build and names each kind of broken one."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest
from lxml import etree
from PIL import Image

from _helpers_audio import sine_mp3
from _helpers_feed import BASE_URL, build_public, make_config, write_episode, write_feed
from pipeline.config import SiteConfig
from pipeline.manifest import manifest_json, read_manifest
from pipeline.publish.validate import validate_public


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    root = tmp_path_factory.mktemp("good")
    return build_public(root, episodes=2)


@pytest.fixture
def site(good, tmp_path):
    """A private copy of the good build to break."""
    config, public = good
    copy = tmp_path / "public"
    shutil.copytree(public, copy)
    return config, copy


def problems(site, **kwargs):
    config, public = site
    kwargs.setdefault("check_loudness", False)
    return validate_public(config, public, **kwargs)


def only(found: list[str], *fragments: str) -> None:
    """Exactly one problem per fragment, each naming it."""
    assert len(found) == len(fragments), found
    for fragment in fragments:
        assert any(fragment in line for line in found), (fragment, found)


def edit_feed(public, change) -> None:
    path = public / "feed.xml"
    root = etree.fromstring(path.read_bytes())
    change(root)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


# --- the good build --------------------------------------------------------------------------
def test_a_good_build_passes_every_check_including_loudness(good):
    config, public = good
    assert validate_public(config, public) == []  # loudness measured for real


def test_loudness_out_of_target_is_reported(site):
    config, public = site
    write_episode(public, 1, volume_db=-10.0)  # 16 dB too quiet
    write_feed(config, public)
    only(problems(site, check_loudness=True), "episode-1.mp3 loudness is -32.2 LUFS, target -16")


# --- each kind of breakage -------------------------------------------------------------------
def test_wrong_enclosure_length(site):
    _, public = site
    audio = public / "episodes/episode-2.mp3"
    expected = audio.stat().st_size
    with audio.open("ab") as f:
        f.write(b"\0" * 10)
    only(problems(site), f"<enclosure length> is {expected} but {audio} is {expected + 10} bytes")


def test_missing_files(site):
    _, public = site
    (public / "episodes/episode-1.vtt").unlink()
    (public / "episodes/episode-2.mp3").unlink()
    found = problems(site)
    only([line for line in found if "feed.xml" in line],
         f"<podcast:transcript> URL '{BASE_URL}/episodes/episode-1.vtt' has no file",
         f"<enclosure> URL '{BASE_URL}/episodes/episode-2.mp3' has no file")
    # The pages that play or offer those files say so too.
    pages = sorted({line.split(": ")[0].rsplit("/", 1)[-1] for line in found if "feed.xml" not in line})
    assert pages == ["episode-1.html", "episode-2.html", "index.html"], found
    assert all("which is missing" in line for line in found if "feed.xml" not in line)


def test_bad_cover(site):
    _, public = site
    Image.new("RGB", (1000, 800), "red").save(public / "cover.png")
    found = problems(site)
    only(found, "cover is 1000x800 px, must be square", "each side must be 1400-3000 px")
    assert all(line.startswith(f"{public / 'feed.xml'}: channel: ") for line in found)


def test_wrong_duration(site):
    config, public = site
    manifest = read_manifest(public / "episodes/episode-1.json")
    late = manifest.__class__(**{**manifest.__dict__, "duration_seconds": 9.0})
    (public / "episodes/episode-1.json").write_text(manifest_json(late), "utf-8")
    write_feed(config, public)
    only(problems(site), "item 2 (l'OTAN et l'Ukraine): <itunes:duration> is 9 s "
                         f"but {public / 'episodes/episode-1.mp3'} lasts 3.0 s")


def test_duplicate_guid_in_the_feed(site):
    _, public = site

    def duplicate(root):
        first, second = root.findall("channel/item")
        second.find("guid").text = first.find("guid").text
    edit_feed(public, duplicate)
    only(problems(site), "GUID 'urn:balado:episode-2' appears more than once",
         "episode episode-1 (GUID 'urn:balado:episode-1') is not in the feed")


def test_an_episode_number_given_twice_in_the_feed_or_its_archives(tmp_path):
    """Apps sort and de-duplicate by <itunes:episode>: one line per number on two episodes, within a
    document or across the feed and its archives (a digest feed of its own numbers its own)."""
    config = replace(make_config(tmp_path), site=SiteConfig(feed_items=2, archive_items=2))
    public = tmp_path / "public"
    for slug_number, number in ((1, 1), (2, 1), (3, 3), (4, 4), (5, 4), (6, 6)):
        write_episode(public, slug_number, episode_number=number)
    write_feed(config, public)
    assert (public / "archive/feed-1.xml").is_file() and (public / "archive/feed-2.xml").is_file()
    only(validate_public(config, public, check_loudness=False),
         f"{public / 'feed.xml'}: items: <itunes:episode> 1 is given to 2 episodes (\"Épisode 2 : l'OTAN et "
         "l'Ukraine\" in archive/feed-1.xml; \"l'OTAN et l'Ukraine\" in archive/feed-1.xml)",
         # the feed lists a title without the number mark its own <itunes:episode> carries
         "<itunes:episode> 4 is given to 2 episodes (\"Épisode 5 : l'OTAN et l'Ukraine\" in feed.xml; "
         "\"l'OTAN et l'Ukraine\" in archive/feed-2.xml)")


def test_guids_must_match_the_manifests(site):
    config, public = site
    manifest = read_manifest(public / "episodes/episode-2.json")
    changed = manifest.__class__(**{**manifest.__dict__, "guid": "urn:balado:renamed"})
    (public / "episodes/episode-2.json").write_text(manifest_json(changed), "utf-8")
    only(problems(site), "episode episode-2 (GUID 'urn:balado:renamed') is not in the feed",
         "GUID 'urn:balado:episode-2' matches no episode manifest")


def test_two_manifests_sharing_a_guid(site):
    _, public = site
    manifest = read_manifest(public / "episodes/episode-2.json")
    copy = manifest.__class__(**{**manifest.__dict__, "slug": "episode-2-copie"})
    (public / "episodes/episode-2-copie.json").write_text(manifest_json(copy), "utf-8")
    only(problems(site), "episodes episode-2, episode-2-copie share the GUID",
         "episodes/episode-2-copie.html: missing", "embed/episode-2-copie.html: missing")


def test_malformed_xml(site):
    _, public = site
    feed = public / "feed.xml"
    feed.write_bytes(feed.read_bytes()[:-40])
    (line,) = problems(site)
    assert line.startswith(f"{feed}: not well-formed XML (")
    feed.write_text("<html><body>Not Found</body></html>")
    assert problems(site) == [f"{feed}: not an RSS 2.0 feed (found <html version=None> "
                              "without <channel>)"]


def test_missing_feed(site):
    _, public = site
    (public / "feed.xml").unlink()
    assert problems(site) == [f"{public / 'feed.xml'}: missing (build an episode or run invoke feed)"]


def test_damaged_manifest(site):
    _, public = site
    (public / "episodes/episode-1.json").write_text("{", "utf-8")
    found = problems(site)
    assert any("episode-1.json: damaged episode manifest" in line for line in found)


def test_type_mismatches(site):
    _, public = site

    def retype(root):
        item = root.find("channel/item")
        item.find("enclosure").set("type", "audio/x-m4a")
    edit_feed(public, retype)
    (public / "episodes/episode-1.vtt").write_text("1\nnot webvtt\n", "utf-8")
    (public / "episodes/episode-1.chapters.json").write_text(
        json.dumps({"version": "1.2.0", "chapters": [{"startTime": 5}, {"startTime": 1}]}))
    only(problems(site),
         "<enclosure type> is 'audio/x-m4a', expected 'audio/mpeg'",
         "<enclosure> has an unexpected type 'audio/x-m4a'",
         "episode-1.vtt: not a WebVTT file",
         "episode-1.chapters.json: chapters are not sorted by startTime")


def test_audio_that_is_not_mp3(site):
    config, public = site
    audio = public / "episodes/episode-1.mp3"
    size = audio.stat().st_size
    audio.write_bytes(b"RIFF" + b"\0" * (size - 4))  # same length, not MP3
    (line,) = problems(site)
    assert "episode-1.mp3 is not an MP3 file" in line


def test_urls_outside_the_base_url(site):
    config, public = site
    write_feed(config, public, base_url="http://127.0.0.1:8000")
    found = problems(site)
    assert any("URL 'http://127.0.0.1:8000/episodes/episode-1.mp3' is not under" in line
               for line in found)
    assert any("<atom:link rel=\"self\"> is 'http://127.0.0.1:8000/feed.xml'" in line
               for line in found)
    # The same site checked against the URL it was built for is fine.
    assert problems(site, base_url="http://127.0.0.1:8000/") == []


def test_apple_tags(site):
    _, public = site

    def spoil(root):
        channel = root.find("channel")
        channel.find(f"{ITUNES}explicit").text = "yes"
        channel.remove(channel.find(f"{ITUNES}owner"))
        channel.find(f"{ITUNES}category").set("text", "Nouvelles")
        channel.find("language").text = ""
        item = channel.find("item")
        item.remove(item.find(f"{ITUNES}duration"))
        item.find("pubDate").text = "hier"
    edit_feed(public, spoil)
    only(problems(site),
         "channel: <itunes:explicit> is 'yes', must be true or false",
         "channel: <itunes:owner><itunes:email> is missing",
         "channel: <itunes:category> 'Nouvelles' is not in Apple's list",
         "channel: <language> is missing or empty",
         "<itunes:duration> is missing",
         "<pubDate> 'hier' is not an RFC 2822 date")


def test_path_traversal_is_not_followed(site, tmp_path):
    _, public = site
    (tmp_path / "secret.mp3").write_bytes(sine_mp3())

    def escape(root):
        root.find("channel/item/enclosure").set("url", BASE_URL + "/../secret.mp3")
    edit_feed(public, escape)
    only(problems(site), "points outside public/")


def test_a_new_episode_keeps_the_site_valid(site):
    config, public = site
    write_episode(public, 3)
    assert problems(site) != []  # manifest present, feed not yet rebuilt
    write_feed(config, public)
    assert problems(site) == []


def test_podcast_guid_must_be_the_shows(site):
    _, public = site

    def regenerate(root):
        root.find("channel/{https://podcastindex.org/namespace/1.0}guid").text = (
            "9b024349-ccf0-5f69-a609-6b82873eab3c")
    edit_feed(public, regenerate)
    only(problems(site), "<podcast:guid> is '9b024349-ccf0-5f69-a609-6b82873eab3c', expected")


def test_dates_in_the_future_or_out_of_order(site):
    _, public = site

    def redate(root):
        first, second = root.findall("channel/item")
        first.find("pubDate").text = "Tue, 01 Jan 2999 10:00:00 +0000"
        second.find("pubDate").text = "Wed, 01 Jan 2998 10:00:00 +0000"
    edit_feed(public, redate)
    only(problems(site), "<pubDate> 'Tue, 01 Jan 2999 10:00:00 +0000' is in the future",
         "<pubDate> 'Wed, 01 Jan 2998 10:00:00 +0000' is in the future")

    def reorder(root):
        first, second = root.findall("channel/item")
        first.find("pubDate").text = "Mon, 01 Jan 2024 10:00:00 +0000"
        second.find("pubDate").text = "Tue, 02 Jan 2024 10:00:00 +0000"
    edit_feed(public, reorder)
    only(problems(site), "items: not in newest-first order")


def test_podcast_guid_type_and_locked_must_be_present(site):
    _, public = site
    podcast = "{https://podcastindex.org/namespace/1.0}"

    def strip(root):
        channel = root.find("channel")
        channel.remove(channel.find(f"{podcast}guid"))
        channel.remove(channel.find(f"{podcast}locked"))
        channel.find(f"{ITUNES}type").text = "weekly"
    edit_feed(public, strip)
    only(problems(site),
         "<podcast:guid> is missing",
         "<itunes:type> must be episodic or serial",
         "<podcast:locked> must be yes or no")
