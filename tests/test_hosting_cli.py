"""``invoke publish`` as a user runs it: a real build, then a publish to the S3 server, and a
podcast app's parser reading the feed from there; a kill -9 mid-publish; one line on failure."""
from __future__ import annotations

import signal
import subprocess
import time

from _helpers_project import invoke_command, invoke_env, run_invoke
from _helpers_s3 import (PREFIX, Show, aws_env, check_remote_feed, http, long_mp3, make_show,  # noqa: F401
                         moto_server, parse_with_podcastparser, s3)
from pipeline import layout
from pipeline.hosting import publish
from pipeline.hosting.targets import open_target


def point_at(project, s3) -> None:
    """The project's podcast.toml, its base_url the bucket's public address, publishing there."""
    toml = project / "podcast.toml"
    text = toml.read_text(encoding="utf-8").replace(
        'base_url = "https://balado.example/podcast"', f'base_url = "{s3.public_url}"')
    toml.write_text(text + f'\n[publish]\nto = "{s3.spec}"\npublic_url = "{s3.public_url}"\n', encoding="utf-8")


def test_a_built_episode_is_subscribable_from_the_bucket_and_downloads_byte_exact(project, short_article, s3):
    point_at(project, s3)
    built = run_invoke(project, "build-episode", "--engine", "espeak")
    assert built.returncode == 0, built.stderr
    first = run_invoke(project, "publish")
    assert first.returncode == 0, first.stderr
    files = [p for p in (project / "public").rglob("*") if p.is_file() and ".staging" not in str(p)]
    assert f"{s3.spec}: uploaded {len(files)}, skipped 0, deleted 0" in first.stdout
    assert f"feed: {layout.feed_url(s3.public_url)}" in first.stdout

    feed = parse_with_podcastparser(layout.feed_url(s3.public_url))  # as gPodder reads it
    [episode] = feed["episodes"]
    assert episode["title"].startswith("L'Otan promet un milliard")
    [enclosure] = episode["enclosures"]
    status, headers, audio = http(enclosure["url"])
    local = project / "public" / enclosure["url"][len(s3.public_url) + 1:]
    assert status == 200 and audio == local.read_bytes() and enclosure["file_size"] == len(audio)
    assert headers["Content-Type"] == "audio/mpeg"
    status, _, part = http(enclosure["url"], headers={"Range": "bytes=0-99"})
    assert status == 206 and part == audio[:100]

    again = run_invoke(project, "publish", "--dry-run", "--verbose")
    assert again.returncode == 0, again.stderr
    assert f"would upload 0, would skip {len(files)}, would delete 0 (2 requests" in again.stdout
    assert f"  = {layout.FEED}" in again.stdout and "dry run: nothing was changed" in again.stdout


def test_a_failed_publish_prints_one_line_and_no_traceback(project, short_article, s3):
    point_at(project, s3)
    assert run_invoke(project, "build-episode", "--engine", "espeak").returncode == 0
    missing = run_invoke(project, "publish", "--to", "s3://no-such-bucket/podcast")
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.splitlines() == [
        f"error: s3://no-such-bucket/podcast: bucket 'no-such-bucket' does not exist at {s3.endpoint}"]
    (project / "podcast.toml").write_text((project / "podcast.toml").read_text().split("[publish]")[0])
    nowhere = run_invoke(project, "publish")
    assert nowhere.returncode == 1 and len(nowhere.stderr.splitlines()) == 1 and "no target" in nowhere.stderr


def test_a_publish_killed_at_any_moment_leaves_a_whole_feed_and_rerunning_completes(s3, tmp_path):
    old = make_show(tmp_path / "old", s3.public_url, episodes=(1, 2))
    new = Show(tmp_path / "new", s3.public_url, publish=f'to = "{s3.spec}"\npublic_url = "{s3.public_url}"\n')
    new.add(2, audio=long_mp3())  # re-spoken, and big enough to be caught mid-upload
    new.add(3)
    new.render()
    feeds = {old.files()[layout.FEED], new.files()[layout.FEED]}
    stopped_while_running = set()
    for stop, delay in ((signal.SIGKILL, 0.0), (signal.SIGINT, 0.03), (signal.SIGKILL, 0.15)):
        s3.clear()
        publish(old.config, open_target(s3.spec, old.config))
        online = set(s3.objects())
        process = subprocess.Popen(invoke_command("publish"), cwd=new.root, env=invoke_env(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        while process.poll() is None and set(s3.objects()) == online:
            time.sleep(0.005)  # until its first object lands
        time.sleep(delay)
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=60)
        if process.returncode != 0:  # it was stopped mid-publish, not after
            stopped_while_running.add(stop)
            expected = -signal.SIGKILL if stop == signal.SIGKILL else 130
            assert process.returncode == expected, stderr
            if stop == signal.SIGINT:
                assert stderr.splitlines() == ["interrupted: the remote feed is still whole (the old one or the "
                                               "new one); run invoke publish again to finish"]
        assert http(layout.feed_url(s3.public_url))[2] in feeds
        check_remote_feed(layout.feed_url(s3.public_url))
        publish(new.config, open_target(s3.spec, new.config))  # re-running completes
        # The bytes themselves: polling raced the killed process on the server, so ETags prove nothing here.
        assert s3.published() == new.files()
    assert signal.SIGKILL in stopped_while_running
