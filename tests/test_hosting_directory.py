"""Publishing to a web server's document root: how the target is named, files replaced whole,
and one line for every way it can fail (the shared guarantees are in test_hosting_sync)."""
from __future__ import annotations

import os

import pytest

from _helpers_s3 import check_remote_feed, make_show, web_root  # noqa: F401
from pipeline import layout
from pipeline.errors import UserError
from pipeline.hosting import publish
from pipeline.hosting.plan import STATE_NAME
from pipeline.hosting.targets import open_target
from test_hosting_s3 import assert_one_line, run_cli

BASE_URL = "https://balado.example/podcast"


@pytest.mark.parametrize("spec", ["{folder}", "file://{folder}", "file://localhost{folder}", "../www"])
def test_a_folder_is_named_by_path_or_file_url(tmp_path, spec):
    folder = tmp_path / "www"
    folder.mkdir()
    show = make_show(tmp_path / "show", BASE_URL)
    report = publish(show.config, open_target(spec.format(folder=folder), show.config))
    assert report.target == str(folder) and report.requests is None
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == \
        set(show.files()) | {STATE_NAME}


def test_the_published_site_is_served_whole_over_http(web_root, tmp_path):
    show = make_show(tmp_path / "show", web_root.public_url, episodes=(1, 2))
    publish(show.config, open_target(web_root.spec, show.config))
    check_remote_feed(layout.feed_url(web_root.public_url))


def test_each_file_is_replaced_by_a_rename_and_no_temporary_file_is_left(tmp_path):
    folder = tmp_path / "www"
    folder.mkdir()
    show = make_show(tmp_path / "show", BASE_URL, episodes=(1,))
    publish(show.config, open_target(str(folder), show.config))
    feed = folder / layout.FEED
    before = feed.stat().st_ino
    show.add(2)
    show.render()
    publish(show.config, open_target(str(folder), show.config))
    assert feed.stat().st_ino != before  # a new file renamed in: a reader never sees half of one
    assert feed.read_bytes() == show.files()[layout.FEED]
    assert not [p for p in folder.rglob(".*") if p.name != STATE_NAME]
    assert oct(feed.stat().st_mode & 0o777) == oct(0o644)


def test_emptied_folders_are_removed_with_their_last_file(tmp_path):
    folder = tmp_path / "www"
    folder.mkdir()
    show = make_show(tmp_path / "show", BASE_URL, episodes=(1,))
    (show.public / "extra").mkdir()
    (show.public / "extra" / "notes.txt").write_text("à lire")
    publish(show.config, open_target(str(folder), show.config))
    (show.public / "extra" / "notes.txt").unlink()
    (show.public / "extra").rmdir()
    assert publish(show.config, open_target(str(folder), show.config)).deleted == ("extra/notes.txt",)
    assert not (folder / "extra").exists() and (folder / "episodes").is_dir()


@pytest.mark.parametrize("spec, words", [
    ("{root}/nowhere", "no such folder"),
    ("{root}/show/public", "must be outside"),
    ("{root}/show/public/episodes", "must be outside"),
    ("{root}", "must be outside"),
    ("ftp://example.org/podcast", "not a target"),
    ("file://server/share", "must be on this machine"),
    ("s3://a/podcast", "is not a bucket name"),
])
def test_a_bad_target_is_one_line(tmp_path, capsys, spec, words):
    show = make_show(tmp_path / "show", BASE_URL, episodes=(1,))
    status, lines, _ = run_cli(show.root, capsys, to=spec.format(root=tmp_path))
    assert_one_line(status, lines, words)


def test_a_write_that_fails_is_one_line_and_deletes_nothing(tmp_path, capsys):
    folder = tmp_path / "www"
    folder.mkdir()
    show = make_show(tmp_path / "show", BASE_URL, episodes=(1, 2))
    publish(show.config, open_target(str(folder), show.config))
    online = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    show.remove(1)
    show.add(3)
    show.render()
    os.chmod(folder / "episodes", 0o500)  # a folder the publisher may not write in
    (folder / "index.html").unlink()
    (folder / "index.html").mkdir()  # and, for root who may write anywhere, a folder where a file goes
    try:
        status, lines, _ = run_cli(show.root, capsys, to=str(folder))
    finally:
        os.chmod(folder / "episodes", 0o755)
    assert_one_line(status, lines, str(folder))
    kept = {path for path in online if path.name not in ("index.html", STATE_NAME)}
    assert all(path.read_bytes() == online[path] for path in kept)  # every file is there, the feed unchanged


def test_the_folders_public_url_must_be_base_url(tmp_path, capsys):
    folder = tmp_path / "www"
    folder.mkdir()
    show = make_show(tmp_path / "show", BASE_URL, publish='public_url = "http://192.168.1.20/podcast"\n')
    with pytest.raises(UserError, match="is not \\[show\\] base_url"):
        publish(show.config, open_target(str(folder), show.config))
    assert not any(folder.iterdir())
