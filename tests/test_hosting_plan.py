"""The publish plan, the headers and the [publish] settings, without a server."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import UserError
from pipeline.hosting import publish_configured
from pipeline.hosting.headers import LONG, SHORT, cache_control, content_type
from pipeline.hosting.plan import LocalFile, Recorded, RemoteFile, is_published, make_plan, publish_order

VERSIONED_MP3 = "episodes/otan.3f9a0c1b2d.mp3"


def local(relative: str, content: str = "x") -> LocalFile:
    return LocalFile(relative, Path("/nowhere") / relative, len(content), f"sha-{content}")


def test_publish_order_puts_what_documents_link_to_first_and_the_feed_last():
    names = ["feed.xml", "index.html", "archive/2024.xml", "episodes/otan.json", VERSIONED_MP3,
             "episodes/otan.3f9a0c1b2d.chapters.json", "cover.png", "episodes/old.mp3"]
    ordered = sorted(names, key=publish_order)
    assert ordered[-1] == "feed.xml" and ordered[-2] == "archive/2024.xml" and ordered[-3] == "index.html"
    assert set(ordered[:3]) == {VERSIONED_MP3, "episodes/otan.3f9a0c1b2d.chapters.json", "cover.png"}


@pytest.mark.parametrize("relative, published", [
    ("feed.xml", True), ("episodes/a.mp3", True), (".staging-1/feed.xml", False),
    ("episodes/.a.mp3.tmp", False), (".work/x", False), (".balado-publish.json", False), ("folder/", False),
])
def test_hidden_names_are_never_published(relative, published):
    assert is_published(relative) is published


@pytest.mark.parametrize("relative, kind, cache", [
    ("feed.xml", "application/rss+xml", SHORT),
    ("archive/2024.xml", "application/rss+xml", SHORT),
    ("index.html", "text/html; charset=utf-8", SHORT),
    (VERSIONED_MP3, "audio/mpeg", LONG),
    ("episodes/otan.mp3", "audio/mpeg", SHORT),  # not versioned yet: it may change under this name
    ("episodes/otan.3f9a0c1b2d.vtt", "text/vtt; charset=utf-8", LONG),
    ("episodes/otan.3f9a0c1b2d.srt", "application/x-subrip", LONG),
    ("episodes/otan.3f9a0c1b2d.chapters.json", "application/json", LONG),
    ("episodes/otan.json", "application/json", SHORT),
    ("cover.png", "image/png", SHORT),
    ("cover.jpg", "image/jpeg", SHORT),
])
def test_headers_follow_the_name(relative, kind, cache):
    assert content_type(relative) == kind and cache_control(relative) == cache


class Asked:
    """stored_digest that records what it was asked."""

    def __init__(self, answers: dict[str, str | None]):
        self.answers, self.asked = answers, []

    def __call__(self, relative):
        self.asked.append(relative)
        return self.answers.get(relative)


def test_a_trusted_state_answers_without_asking_the_target():
    files = {r: local(r) for r in ("feed.xml", VERSIONED_MP3)}
    remote = {r: RemoteFile(1, f"etag-{r}") for r in files}
    state = {r: Recorded("sha-x", 1, f"etag-{r}") for r in files}
    ask = Asked({})
    plan = make_plan(files, remote, state, ask)
    assert plan.upload == () and set(plan.skip) == set(files) and ask.asked == []


def test_an_entry_whose_tag_changed_is_checked_against_the_target():
    files = {VERSIONED_MP3: local(VERSIONED_MP3)}
    remote = {VERSIONED_MP3: RemoteFile(1, "new-etag")}
    state = {VERSIONED_MP3: Recorded("sha-x", 1, "old-etag")}
    assert make_plan(files, remote, state, Asked({VERSIONED_MP3: "sha-x"})).skip == (VERSIONED_MP3,)
    assert [f.relative for f in make_plan(files, remote, state, Asked({VERSIONED_MP3: "sha-y"})).upload] == \
        [VERSIONED_MP3]


def test_a_claimed_entry_is_never_trusted_and_a_size_change_is_an_upload_without_asking():
    files = {"index.html": local("index.html", "xy")}
    ask = Asked({"index.html": "sha-xy"})
    claimed = make_plan(files, {"index.html": RemoteFile(2, "t")}, {"index.html": Recorded("sha-xy", 2, None)}, ask)
    assert claimed.skip == ("index.html",) and ask.asked == ["index.html"]
    resized = make_plan(files, {"index.html": RemoteFile(5, "t")}, {}, Asked({}))
    assert [f.relative for f in resized.upload] == ["index.html"]


def test_only_what_the_state_names_is_deleted():
    remote = {"episodes/gone.mp3": RemoteFile(1, "a"), "someone-else.txt": RemoteFile(1, "b")}
    state = {"episodes/gone.mp3": Recorded("sha", 1, None)}
    plan = make_plan({}, remote, state, Asked({}))
    assert plan.delete == ("episodes/gone.mp3",) and plan.foreign == ("someone-else.txt",)


def test_an_unversioned_file_overwritten_is_reported_and_a_versioned_or_a_page_is_not():
    names = ["episodes/otan.mp3", VERSIONED_MP3, "index.html", "feed.xml"]
    files = {r: local(r, "new") for r in names}
    remote = {r: RemoteFile(3, "t") for r in names}
    plan = make_plan(files, remote, {}, Asked({}))
    assert plan.replaced_in_place == ("episodes/otan.mp3",) and len(plan.upload) == 4


# --- [publish] settings ------------------------------------------------------------------------
@pytest.mark.parametrize("toml, problem", [
    ("[publish]\naws_secret_access_key = 'x'\n", "credentials never go in podcast.toml"),
    ("[publish]\naccess_key = 'x'\n", "credentials never go in podcast.toml"),
    ("[publish]\nbucket = 'x'\n", "unknown setting(s) in [publish]: bucket"),
    ("[publish]\npublic_url = 'cdn.example'\n", "[publish] public_url must be an http(s) URL"),
    ("[publish]\nendpoint_url = 'r2.example'\n", "[publish] endpoint_url must be an http(s) URL"),
    ("[publish]\nattempts = 0\n", "[publish] attempts must be at least 1"),
    ("[publish]\ntimeout_seconds = 0\n", "[publish] timeout_seconds must be more than 0"),
    ("[publish]\nto = 3\n", "[publish] to = 3 is not a valid str"),
    ("[publish]\npublic_read = 'yes'\n", "public_read = 'yes' is not a valid bool"),
])
def test_bad_publish_settings_get_one_line(tmp_path, toml, problem):
    (tmp_path / "podcast.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_config(tmp_path)
    assert problem in str(caught.value) and "podcast.toml" in str(caught.value) and "\n" not in str(caught.value)


def test_publish_settings_load(tmp_path):
    (tmp_path / "podcast.toml").write_text(
        "[publish]\nto = 's3://show/podcast'\npublic_url = 'https://cdn.example/podcast'\nregion = 'auto'\n"
        "endpoint_url = 'https://x.r2.cloudflarestorage.com'\npublic_read = true\nattempts = 2\n", encoding="utf-8")
    publish = load_config(tmp_path).publish
    assert (publish.to, publish.region, publish.public_read, publish.attempts) == ("s3://show/podcast", "auto", True, 2)
    (tmp_path / "nothing").mkdir()
    (tmp_path / "nothing" / "podcast.toml").write_text("[show]\ntitle = 'x'\n", encoding="utf-8")
    assert load_config(tmp_path / "nothing").publish.to is None


def test_no_configured_target_means_no_publish(tmp_path):
    (tmp_path / "podcast.toml").write_text("[show]\ntitle = 'x'\n", encoding="utf-8")
    assert publish_configured(load_config(tmp_path)) is None
