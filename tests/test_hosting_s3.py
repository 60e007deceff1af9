"""Publishing to S3, against moto's S3 API server on loopback reached by boto3 over HTTP:
keys, headers, request counts, multipart, public-read, and one line for every way it can fail."""
from __future__ import annotations

import contextlib
import hashlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import socket
import threading

import pytest

from _helpers_s3 import (BUCKET, PREFIX, Show, aws_env, check_remote_feed, http, iam_enforced, iam_user,  # noqa: F401
                         long_mp3, make_show, moto_server, s3)
from pipeline import cli, layout
from pipeline.hosting import publish
from pipeline.hosting.headers import LONG, SHORT
from pipeline.hosting.plan import STATE_NAME
from pipeline.hosting.s3 import S3Target
from pipeline.hosting.targets import open_target

MIB = 1024 * 1024


def target_for(show: Show, spec: str, **kwargs) -> S3Target:
    bucket, _, prefix = spec[len("s3://"):].partition("/")
    return S3Target(bucket, prefix, show.config.publish, **kwargs)


def request_counter(target: S3Target) -> list[str]:
    """Every request the target's client sends, seen from botocore's own event (not our counter)."""
    seen = []
    target.client.meta.events.register("before-send.s3", lambda request, **_: seen.append(request.method))
    return seen


def test_first_publish_stores_every_file_under_the_prefix_with_its_type_cache_and_hash(s3, tmp_path):
    show = make_show(tmp_path / "show", s3.public_url)
    publish(show.config, open_target(s3.spec, show.config))
    keys = set(s3.objects())
    assert keys == {f"{PREFIX}/{r}" for r in show.files()} | {f"{PREFIX}/{STATE_NAME}"}
    expected_types = {".mp3": "audio/mpeg", ".vtt": "text/vtt; charset=utf-8", ".srt": "application/x-subrip",
                      ".json": "application/json", ".png": "image/png", ".html": "text/html; charset=utf-8",
                      ".xml": "application/rss+xml", ".js": "text/javascript; charset=utf-8",
                      ".css": "text/css; charset=utf-8"}
    for relative, data in show.files().items():
        status, headers, body = http(f"{s3.public_url}/{relative}")  # anonymous, as a listener
        assert status == 200 and body == data
        assert headers["Content-Type"] == expected_types["." + relative.rsplit(".", 1)[1]], relative
        long_lived = layout.is_immutable(relative)
        assert headers["Cache-Control"] == (LONG if long_lived else SHORT), relative
        head = s3.client.head_object(Bucket=BUCKET, Key=f"{PREFIX}/{relative}")
        assert head["Metadata"]["sha256"] == hashlib.sha256(data).hexdigest()
    immutable = {r for r in show.files() if layout.is_immutable(r)}
    assert {r.rsplit(".", 1)[1] for r in immutable} == {"mp3", "vtt", "srt", "json"}
    assert layout.FEED not in immutable and layout.INDEX not in immutable


def test_a_bucket_without_prefix_holds_the_show_at_its_root(s3, tmp_path):
    show = make_show(tmp_path / "show", f"{s3.endpoint}/{BUCKET}", episodes=(1,))
    report = publish(show.config, open_target(f"s3://{BUCKET}", show.config))
    assert report.target == f"s3://{BUCKET}"
    assert set(s3.objects()) == set(show.files()) | {STATE_NAME}
    check_remote_feed(layout.feed_url(f"{s3.endpoint}/{BUCKET}"))


def test_an_unchanged_publish_costs_one_listing_and_the_state(s3, tmp_path):
    show = make_show(tmp_path / "show", s3.public_url, episodes=(1, 2, 3))
    publish(show.config, open_target(s3.spec, show.config))
    target = open_target(s3.spec, show.config)
    seen = request_counter(target)
    report = publish(show.config, target)
    assert report.uploaded == () and seen == ["GET", "GET"] and report.requests == 2
    assert report.bytes_sent == 0 and 0 < report.bytes_received < 20_000


def test_a_new_episode_costs_its_uploads_and_five_requests_more(s3, tmp_path):
    show = make_show(tmp_path / "show", s3.public_url, episodes=(1, 2))
    publish(show.config, open_target(s3.spec, show.config))
    show.add(3)
    show.render()
    target = open_target(s3.spec, show.config)
    seen = request_counter(target)
    report = publish(show.config, target)
    # 4 episode files + manifest + its page + its player's data, iframe page and oEmbed answer + the landing
    # page + feed; then: list, state, claim, list again, state.
    assert len(report.uploaded) == 11 and len(seen) == 11 + 5 == report.requests
    assert report.bytes_sent > sum(len(show.files()[r]) for r in report.uploaded)


def test_a_lost_state_is_rebuilt_from_the_objects_own_hashes_without_uploading(s3, tmp_path):
    show = make_show(tmp_path / "show", s3.public_url)
    publish(show.config, open_target(s3.spec, show.config))
    s3.client.delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{STATE_NAME}")
    report = publish(show.config, open_target(s3.spec, show.config))
    assert report.uploaded == () and report.deleted == ()
    assert report.requests == 2 + len(show.files()) + 1  # one HEAD each, then the state again
    assert publish(show.config, open_target(s3.spec, show.config)).requests == 2


def test_an_object_changed_behind_the_shows_back_is_uploaded_again(s3, tmp_path):
    show = make_show(tmp_path / "show", s3.public_url)
    publish(show.config, open_target(s3.spec, show.config))
    cover = show.files()["cover.png"]
    s3.client.put_object(Bucket=BUCKET, Key=f"{PREFIX}/cover.png", Body=cover[:-1] + b"\0")  # same size
    report = publish(show.config, open_target(s3.spec, show.config))
    assert report.uploaded == ("cover.png",) and http(f"{s3.public_url}/cover.png")[2] == cover


def long_show(tmp_path, public_url) -> tuple[Show, Show]:
    old = make_show(tmp_path / "old", public_url, episodes=(1,))
    new = Show(tmp_path / "new", public_url)
    new.add(1)
    new.add(2, audio=long_mp3())
    return old, new.render()


def test_large_audio_goes_up_in_parts_and_is_compared_by_its_own_hash_not_the_etag(s3, tmp_path):
    _, show = long_show(tmp_path, s3.public_url)
    publish(show.config, target_for(show, s3.spec, multipart_threshold=5 * MIB))
    audio = next(r for r in show.files() if r.startswith("episodes/episode-2.") and r.endswith(".mp3"))
    assert s3.objects()[f"{PREFIX}/{audio}"]["etag"].strip('"').endswith("-2")
    assert http(f"{s3.public_url}/{audio}")[2] == long_mp3()
    s3.client.delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{STATE_NAME}")  # so the metadata must answer
    assert publish(show.config, target_for(show, s3.spec, multipart_threshold=5 * MIB)).uploaded == ()


class NetworkDropped(Exception):
    pass


def test_a_network_drop_at_any_request_even_mid_upload_leaves_a_whole_feed(s3, tmp_path):
    old, new = long_show(tmp_path, s3.public_url)
    old_target = target_for(old, s3.spec)
    cut = target_for(new, s3.spec, multipart_threshold=5 * MIB)
    sent, limit = request_counter(cut), [10**6]

    def drop(**_):
        if len(sent) > limit[0]:  # from request number `limit` on, nothing reaches the server
            raise NetworkDropped
    cut.client.meta.events.register("before-send.s3", drop)
    publish(old.config, old_target)
    publish(new.config, cut)
    total = len(sent)
    assert total > 12 and sent.count("PUT") > 8  # the parts of the long episode among them
    for n in range(total):
        s3.clear()
        publish(old.config, old_target)
        sent.clear()
        limit[0] = n
        with pytest.raises(NetworkDropped):
            publish(new.config, cut)
        check_remote_feed(layout.feed_url(s3.public_url))
    limit[0] = 10**6
    publish(new.config, cut)
    assert s3.fingerprint() == new.fingerprint()


def test_public_read_is_set_only_when_asked(s3, tmp_path):
    s3.client.delete_bucket_policy(Bucket=BUCKET)  # a bucket that only its owner may read
    show = make_show(tmp_path / "show", s3.public_url)
    publish(show.config, open_target(s3.spec, show.config))
    assert http(layout.feed_url(s3.public_url))[0] == 403
    for key in s3.objects():
        s3.client.delete_object(Bucket=BUCKET, Key=key)
    show = make_show(tmp_path / "public", s3.public_url, publish="public_read = true\n")
    publish(show.config, open_target(s3.spec, show.config))
    check_remote_feed(layout.feed_url(s3.public_url))
    assert http(f"{s3.public_url}/{STATE_NAME}")[0] == 403  # the state is never made public


# --- one line for each failure, nothing deleted -------------------------------------------------
def run_cli(root, capsys, **options) -> tuple[int, list[str], str]:
    """``invoke publish`` in-process: (exit status, stderr lines, stdout)."""
    try:
        cli.publish(str(root), **options)
        status = 0
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, err.splitlines(), out


def published_show(tmp_path, s3, publish_toml: str = "") -> Show:
    """A show already online, then changed locally (a removal pending): a failed publish must delete nothing."""
    show = make_show(tmp_path / "show", s3.public_url, episodes=(1, 2), publish=publish_toml)
    publish(show.config, open_target(s3.spec, show.config))
    show.remove(1)
    show.render()
    return show


def assert_one_line(status, lines, *words):
    assert status == 1 and len(lines) == 1, lines
    assert all(word in lines[0] for word in words), lines[0]
    assert "Traceback" not in lines[0]


def test_a_missing_bucket_is_one_line(s3, tmp_path, capsys):
    show = make_show(tmp_path / "show", s3.public_url)
    status, lines, _ = run_cli(show.root, capsys, to="s3://no-such-bucket/podcast")
    assert_one_line(status, lines, "s3://no-such-bucket/podcast", "bucket 'no-such-bucket' does not exist")


def test_wrong_credentials_are_one_line_and_delete_nothing(s3, tmp_path, capsys, monkeypatch):
    show = published_show(tmp_path, s3)
    before = s3.fingerprint()
    with iam_enforced(s3.endpoint):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG0")
        status, lines, _ = run_cli(show.root, capsys, to=s3.spec)
    assert_one_line(status, lines, s3.spec, "wrong credentials")
    assert s3.fingerprint() == before


def test_denied_access_is_one_line_and_deletes_nothing(s3, tmp_path, capsys, monkeypatch):
    show = published_show(tmp_path, s3)
    before = s3.fingerprint()
    key, secret = iam_user("listener", ["s3:GetObject"])
    with iam_enforced(s3.endpoint):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
        status, lines, _ = run_cli(show.root, capsys, to=s3.spec)
    assert_one_line(status, lines, s3.spec, "access denied")
    assert s3.fingerprint() == before


def test_a_publisher_with_the_right_permissions_gets_through_the_same_checks(s3, tmp_path, capsys, monkeypatch):
    show = published_show(tmp_path, s3)
    key, secret = iam_user("publisher", ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
    with iam_enforced(s3.endpoint):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
        status, lines, out = run_cli(show.root, capsys, to=s3.spec)
    assert status == 0, lines
    # 4 files, manifest, page, and the player's data, iframe page and oEmbed answer
    assert s3.fingerprint() == show.fingerprint() and "deleted 9" in out


def test_missing_credentials_are_one_line(s3, tmp_path, capsys, monkeypatch):
    show = make_show(tmp_path / "show", s3.public_url)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    status, lines, _ = run_cli(show.root, capsys, to=s3.spec)
    assert_one_line(status, lines, s3.spec, "no credentials found")


def test_an_unknown_profile_is_one_line(s3, tmp_path, capsys):
    show = make_show(tmp_path / "show", s3.public_url, publish='profile = "radio"\n')
    status, lines, _ = run_cli(show.root, capsys, to=s3.spec)
    assert_one_line(status, lines, s3.spec, "no profile 'radio'")


def test_a_profile_from_the_aws_files_is_honoured(s3, tmp_path, capsys, monkeypatch, aws_env):
    """boto3's own chain: the endpoint and keys come from ~/.aws/config and credentials (here temp files)."""
    show = make_show(tmp_path / "show", s3.public_url, publish='profile = "radio"\n')
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name)
    (aws_env / "config").write_text(f"[profile radio]\nregion = eu-west-3\nendpoint_url = {s3.endpoint}\n")
    (aws_env / "credentials").write_text("[radio]\naws_access_key_id = AKIARADIO\naws_secret_access_key = x\n")
    status, lines, _ = run_cli(show.root, capsys, to=s3.spec)
    assert status == 0, lines
    assert s3.fingerprint() == show.fingerprint()


def test_a_stopped_server_is_one_line(aws_env, tmp_path, capsys, monkeypatch):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server._server.server_port}"
    server.stop()
    show = make_show(tmp_path / "show", f"{endpoint}/{BUCKET}/{PREFIX}",
                     publish=f'endpoint_url = "{endpoint}"\nattempts = 2\n')
    status, lines, _ = run_cli(show.root, capsys, to=f"s3://{BUCKET}/{PREFIX}")
    assert_one_line(status, lines, f"s3://{BUCKET}/{PREFIX}", f"cannot reach {endpoint}")


@contextlib.contextmanager
def silent_socket():
    """A port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def test_a_server_that_never_answers_is_one_line_after_the_timeout(aws_env, tmp_path, capsys):
    with silent_socket() as endpoint:
        show = make_show(tmp_path / "show", f"{endpoint}/{BUCKET}/{PREFIX}",
                         publish=f'endpoint_url = "{endpoint}"\ntimeout_seconds = 0.3\nattempts = 2\n')
        status, lines, _ = run_cli(show.root, capsys, to=f"s3://{BUCKET}/{PREFIX}")
    assert_one_line(status, lines, f"{endpoint} did not answer within 0.3 s")


class Garbage(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body>Welcome to nginx!</body>")

    def log_message(self, *args):
        pass


def test_a_server_that_answers_garbage_is_one_line(aws_env, tmp_path, capsys):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        show = make_show(tmp_path / "show", f"{endpoint}/{BUCKET}/{PREFIX}",
                         publish=f'endpoint_url = "{endpoint}"\nattempts = 1\n')
        status, lines, _ = run_cli(show.root, capsys, to=f"s3://{BUCKET}/{PREFIX}")
    finally:
        server.shutdown()
        server.server_close()
    assert_one_line(status, lines, f"{endpoint} gave no usable S3 answer to ListObjectsV2")


def test_a_public_url_that_is_not_base_url_is_one_line_before_any_request(s3, tmp_path, capsys):
    show = make_show(tmp_path / "show", s3.public_url, publish='public_url = "https://cdn.example/podcast"\n')
    status, lines, _ = run_cli(show.root, capsys, to=s3.spec)
    assert_one_line(status, lines, s3.spec, "public_url https://cdn.example/podcast is not [show] base_url")
    assert s3.objects() == {}


def test_a_public_url_that_matches_is_accepted_with_a_trailing_slash(s3, tmp_path, capsys):
    show = make_show(tmp_path / "show", s3.public_url, publish=f'public_url = "{s3.public_url}/"\n')
    status, lines, out = run_cli(show.root, capsys, to=s3.spec)
    assert status == 0 and lines == [] and "note:" not in out
