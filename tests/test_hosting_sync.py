"""The publish guarantees, on both targets (a real S3 API server and a web root behind a real
HTTP server): sync not copy, the feed last, stale files deleted only after it, an interruption at
any point leaves a whole remote feed, re-running completes, and a dry run changes nothing."""
from __future__ import annotations

import pytest

from _helpers_s3 import (Show, aws_env, check_remote_feed, http, make_show, moto_server, s3,  # noqa: F401
                         web_root)
from pipeline import layout
from pipeline.errors import UserError
from pipeline.hosting import publish
from pipeline.hosting.plan import publish_order
from pipeline.hosting.targets import open_target


@pytest.fixture(params=["s3", "folder"])
def remote(request):
    return request.getfixturevalue("s3" if request.param == "s3" else "web_root")


def publish_to(remote, show: Show, **kwargs):
    return publish(show.config, open_target(remote.spec, show.config), **kwargs)


def feed_url(remote) -> str:
    return layout.feed_url(remote.public_url)


def test_first_publish_puts_every_file_there_in_order_with_the_feed_last(remote, tmp_path):
    show = make_show(tmp_path / "show", remote.public_url)
    report = publish_to(remote, show)
    assert remote.published() == show.files()
    assert list(report.uploaded) == sorted(show.files(), key=publish_order)
    assert report.uploaded[-1] == layout.FEED and report.uploaded[-2] == layout.INDEX
    ranks = [layout.publish_rank(r) for r in report.uploaded]
    assert ranks == sorted(ranks) and ranks[0] == 0
    assert not report.skipped and not report.deleted
    check_remote_feed(feed_url(remote))


def test_a_second_publish_uploads_nothing(remote, tmp_path):
    show = make_show(tmp_path / "show", remote.public_url)
    publish_to(remote, show)
    before = remote.published()
    again = publish_to(remote, show)
    assert again.uploaded == () and again.deleted == () and sorted(again.skipped) == sorted(show.files())
    assert again.bytes_sent == 0 and remote.published() == before


def test_an_edited_episode_uploads_only_its_changed_files_and_removes_the_old_ones_after_the_feed(remote, tmp_path):
    show = make_show(tmp_path / "show", remote.public_url, episodes=(1, 2))
    publish_to(remote, show)
    before = show.files()
    show.add(2, volume_db=0.0)  # re-spoken: new audio, so new names for it
    show.render()
    after = show.files()
    changed = {r for r in after if before.get(r) != after[r]}
    report = publish_to(remote, show)
    assert set(report.uploaded) == changed
    assert {r for r in changed if r.endswith(".mp3")} and not any("episode-1" in r for r in report.uploaded)
    assert set(report.deleted) == set(before) - set(after) and report.deleted
    assert remote.published() == after
    check_remote_feed(feed_url(remote))


def test_a_removed_episode_is_deleted_once_the_feed_no_longer_lists_it(remote, tmp_path):
    show = make_show(tmp_path / "show", remote.public_url, episodes=(1, 2))
    publish_to(remote, show)
    gone = {r for r in show.files() if "episode-1." in r}
    show.remove(1)
    show.render()
    report = publish_to(remote, show)
    assert set(report.deleted) == gone
    assert remote.published() == show.files()
    assert len(check_remote_feed(feed_url(remote))) == 1


def test_objects_the_show_never_published_are_left_alone(remote, tmp_path):
    show = make_show(tmp_path / "show", remote.public_url, episodes=(1,))
    remote.plant("old-site/index.html", b"<p>not ours</p>")
    report = publish_to(remote, show)
    assert report.foreign == ("old-site/index.html",)
    show.remove(1)
    show.add(2)
    show.render()
    report = publish_to(remote, show)
    assert report.foreign == ("old-site/index.html",) and report.deleted
    assert remote.published()["old-site/index.html"] == b"<p>not ours</p>"


def test_a_dry_run_lists_what_a_publish_would_do_and_changes_nothing(remote, tmp_path):
    show = make_show(tmp_path / "show", remote.public_url, episodes=(1, 2))
    publish_to(remote, show)
    show.remove(1)
    show.add(3)
    show.render()
    before = remote.published()
    state = snapshot_state(remote)
    dry = publish_to(remote, show, dry_run=True)
    assert remote.published() == before and snapshot_state(remote) == state
    assert dry.dry_run and dry.uploaded and dry.deleted
    real = publish_to(remote, show)
    assert (real.uploaded, real.skipped, real.deleted) == (dry.uploaded, dry.skipped, dry.deleted)


def snapshot_state(remote) -> bytes:
    """The publish state as stored on the target."""
    from pipeline.hosting.plan import STATE_NAME

    if hasattr(remote, "client"):
        from _helpers_s3 import PREFIX

        return remote.client.get_object(Bucket=remote.bucket, Key=f"{PREFIX}/{STATE_NAME}")["Body"].read()
    return (remote.folder / STATE_NAME).read_bytes()


# --- interruption -------------------------------------------------------------------------------
class CutBefore:
    """The target, but the publish is stopped (Ctrl-C) before its operation number ``n``."""

    OPERATIONS = {"list", "load_state", "save_state", "stored_digest", "put", "delete"}

    def __init__(self, target, n: int):
        self._target, self._left, self.count = target, n, 0

    def __getattr__(self, name):
        value = getattr(self._target, name)
        if name not in self.OPERATIONS:
            return value

        def operation(*args, **kwargs):
            if self._left == self.count:
                raise KeyboardInterrupt
            self.count += 1
            return value(*args, **kwargs)
        return operation


def two_versions(tmp_path, public_url) -> tuple[Show, Show]:
    """A show of episodes 1-3, then the same show with 1 removed, 2 re-spoken and 4 new."""
    old = make_show(tmp_path / "old", public_url, episodes=(1, 2, 3))
    new = Show(tmp_path / "new", public_url)
    new.add(2, volume_db=0.0)
    new.add(3)
    new.add(4)
    return old, new.render()


def test_a_publish_interrupted_at_every_point_leaves_a_whole_feed_and_rerunning_completes(remote, tmp_path):
    old, new = two_versions(tmp_path, remote.public_url)
    feeds = {old.files()[layout.FEED], new.files()[layout.FEED]}
    # One target each, reused: a target keeps nothing between publishes but its connection.
    old_target, new_target = open_target(remote.spec, old.config), open_target(remote.spec, new.config)
    publish(old.config, old_target)
    counting = CutBefore(new_target, 10**6)
    publish(new.config, counting)
    assert counting.count > 10
    for n in range(counting.count):
        # Cut at n, then re-run the same publish; cut at n again, then go back to the old show.
        for finish, target in ((new, new_target), (old, old_target)):
            publish(old.config, old_target)
            assert remote.fingerprint() == old.fingerprint(), n
            with pytest.raises(KeyboardInterrupt):
                publish(new.config, CutBefore(new_target, n))
            assert http(feed_url(remote))[2] in feeds, n
            check_remote_feed(feed_url(remote))
            publish(finish.config, target)
            assert remote.fingerprint() == finish.fingerprint(), n  # nothing missing, nothing left over
            assert publish(finish.config, target).uploaded == (), n


class Lossy:
    """A provider that answers every upload with success but silently drops the audio."""

    def __init__(self, target):
        self._target = target

    def __getattr__(self, name):
        return getattr(self._target, name)

    def put(self, file):
        if not file.relative.endswith(".mp3"):
            self._target.put(file)


def test_a_file_that_did_not_arrive_stops_the_publish_before_anything_is_deleted(remote, tmp_path):
    old, new = two_versions(tmp_path, remote.public_url)
    publish_to(remote, old)
    with pytest.raises(UserError, match=r"after the upload episodes/episode-2\.[0-9a-f]{10}\.mp3 is missing; "
                                        "nothing was deleted"):
        publish(new.config, Lossy(open_target(remote.spec, new.config)))
    assert set(old.fingerprint()) <= set(remote.fingerprint())
    publish_to(remote, new)
    assert remote.fingerprint() == new.fingerprint()


def test_a_broken_public_folder_is_refused_before_anything_is_sent(remote, tmp_path):
    show = make_show(tmp_path / "show", remote.public_url, episodes=(1,))
    audio = next(p for p in show.public.rglob("*.mp3"))
    audio.write_bytes(audio.read_bytes()[:-100])  # the feed now states the wrong length
    with pytest.raises(UserError, match="refusing to publish.*enclosure length"):
        publish_to(remote, show)
    assert remote.fingerprint() == {}
