"""Cross-origin by design: pages of the newsroom's site read the player's files from the show's
host. ``invoke publish`` gives the S3 bucket the CORS rule for ``[embed] origins`` (moto's S3
server on loopback), only when it differs; ``invoke serve`` answers CORS and preflights (real
HTTP requests on loopback); ``[embed] origins`` and ``--cors`` are checked with one line."""
from __future__ import annotations

import http.client
import shutil
import signal
import subprocess
import sys

import pytest

from _helpers_feed import write_episode
from _helpers_project import REPO, invoke_env
from _helpers_s3 import BUCKET, aws_env, iam_enforced, iam_user, make_show, moto_server, s3  # noqa: F401
from _helpers_site import running_server
from pipeline import cli
from pipeline.build import rebuild_feed
from pipeline.config import load_config
from pipeline.errors import UserError
from pipeline.hosting import publish
from pipeline.hosting.targets import open_target
from pipeline.player.cors import MAX_AGE_SECONDS, RULE_ID

GAZETTE = "https://www.gazette.example"
OUEST = "https://www.ouest-france.fr"
OUR_RULE = {"ID": RULE_ID, "AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": [GAZETTE, OUEST],
            "AllowedHeaders": ["Range"], "ExposeHeaders": ["Content-Length", "Content-Range", "Accept-Ranges"],
            "MaxAgeSeconds": MAX_AGE_SECONDS}


def with_origins(show, *origins: str):
    listed = ", ".join(f'"{o}"' for o in origins)
    with open(show.root / "podcast.toml", "a", encoding="utf-8") as settings:
        settings.write(f"\n[embed]\norigins = [{listed}]\n")
    return show


def bucket_rules(s3) -> list[dict]:
    return s3.client.get_bucket_cors(Bucket=BUCKET)["CORSRules"]


def cors_requests(target) -> list[str]:
    """The method of every request the target sends about the bucket's CORS configuration."""
    seen = []
    target.client.meta.events.register(
        "before-send.s3", lambda request, **_: seen.append(request.method) if "cors" in request.url else None)
    return seen


# --- the S3 bucket --------------------------------------------------------------------------------
def test_publish_sets_the_rule_once_and_a_second_publish_only_reads_it(s3, tmp_path):
    show = with_origins(make_show(tmp_path / "show", s3.public_url), GAZETTE, OUEST + "/")
    target = open_target(s3.spec, show.config)
    seen = cors_requests(target)
    assert publish(show.config, target).cors == "set"
    assert seen == ["GET", "PUT"]
    assert bucket_rules(s3) == [OUR_RULE]
    again = open_target(s3.spec, show.config)
    seen = cors_requests(again)
    assert publish(show.config, again).cors == "unchanged" and seen == ["GET"]
    assert bucket_rules(s3) == [OUR_RULE]


def test_the_buckets_other_rules_are_kept_and_ours_follows_the_settings(s3, tmp_path):
    cdn = {"ID": "cdn", "AllowedMethods": ["GET"], "AllowedOrigins": ["https://cdn.gazette.example"]}
    s3.client.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [cdn]})
    show = with_origins(make_show(tmp_path / "show", s3.public_url), GAZETTE, OUEST)
    publish(show.config, open_target(s3.spec, show.config))
    assert bucket_rules(s3) == [cdn, OUR_RULE]
    toml = (show.root / "podcast.toml").read_text(encoding="utf-8")
    (show.root / "podcast.toml").write_text(toml.replace(f', "{OUEST}"', ""), encoding="utf-8")
    assert publish(show.config, open_target(s3.spec, show.config)).cors == "set"
    assert bucket_rules(s3) == [cdn, {**OUR_RULE, "AllowedOrigins": [GAZETTE]}]


def test_without_origins_publish_sends_no_cors_request(s3, tmp_path):
    show = make_show(tmp_path / "show", s3.public_url)
    target = open_target(s3.spec, show.config)
    seen = cors_requests(target)
    assert publish(show.config, target).cors is None and seen == []


def test_a_key_not_allowed_to_set_cors_publishes_and_warns_in_one_line(s3, tmp_path, capsys, monkeypatch):
    show = with_origins(make_show(tmp_path / "show", s3.public_url), GAZETTE)
    key, secret = iam_user("publisher", ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
    with iam_enforced(s3.endpoint):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
        cli.publish(str(show.root), to=s3.spec)
    out, err = capsys.readouterr()
    [line] = err.splitlines()
    assert line.startswith("warning: the bucket's CORS rule for [embed] origins is not set: ")
    assert s3.spec in line and "access denied" in line and "Traceback" not in err
    assert s3.fingerprint() == show.fingerprint() and "uploaded" in out  # the show itself went up


def test_a_bucket_that_never_answers_about_cors_is_retried_then_one_warning_line(s3, tmp_path):
    """As every request of a publish: the client's time-out and attempts, then one line."""
    from botocore.exceptions import ReadTimeoutError

    show = with_origins(make_show(tmp_path / "show", s3.public_url, publish="attempts = 3\ntimeout_seconds = 0.5\n"),
                        GAZETTE)
    target = open_target(s3.spec, show.config)
    tries = []

    def stall(request, **_):
        if "cors" in request.url:
            tries.append(request.method)
            raise ReadTimeoutError(endpoint_url=request.url, error="stalled")
    target.client.meta.events.register("before-send.s3", stall)
    report = publish(show.config, target)
    assert tries == ["GET"] * (1 + 3) and report.cors is None  # botocore's max_attempts counts the retries
    [line] = report.warnings
    assert "did not answer within 0.5 s" in line and s3.spec in line and "\n" not in line
    assert s3.fingerprint() == show.fingerprint()


def test_a_key_allowed_to_set_cors_sets_it(s3, tmp_path, capsys, monkeypatch):
    show = with_origins(make_show(tmp_path / "show", s3.public_url), GAZETTE)
    key, secret = iam_user("publisher", ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                                         "s3:GetBucketCORS", "s3:PutBucketCORS"])
    with iam_enforced(s3.endpoint):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
        cli.publish(str(show.root), to=s3.spec)
    out, err = capsys.readouterr()
    assert err == "" and f"CORS rule set for {GAZETTE}" in out
    assert bucket_rules(s3) == [{**OUR_RULE, "AllowedOrigins": [GAZETTE]}]


# --- invoke serve ---------------------------------------------------------------------------------
@pytest.fixture
def public(tmp_path):
    from _helpers_feed import make_config

    config = make_config(tmp_path)
    write_episode(config.public_dir, 1)
    rebuild_feed(config)
    return config.public_dir


def ask(server, method: str, path: str, **headers: str) -> http.client.HTTPResponse:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request(method, path, headers=headers)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer


def test_serve_answers_a_listed_origin_and_no_other(public):
    with running_server(public, cors=(GAZETTE,)) as server:
        answer = ask(server, "GET", "/embed/episode-1.json", Origin=GAZETTE)
        assert answer.status == 200 and answer.headers["Access-Control-Allow-Origin"] == GAZETTE
        assert answer.headers["Access-Control-Expose-Headers"] == "Content-Length, Content-Range, Accept-Ranges"
        assert answer.headers["Vary"] == "Origin"
        ranged = ask(server, "GET", "/episodes/episode-1.vtt", Origin=GAZETTE, Range="bytes=0-5")
        assert ranged.status == 206 and ranged.headers["Access-Control-Allow-Origin"] == GAZETTE
        missing = ask(server, "GET", "/embed/lookup/0123456789abcdef.json", Origin=GAZETTE)
        assert missing.status == 404 and missing.headers["Access-Control-Allow-Origin"] == GAZETTE
        other = ask(server, "GET", "/embed/episode-1.json", Origin="https://evil.example")
        assert other.status == 200 and "Access-Control-Allow-Origin" not in other.headers
        assert "Access-Control-Allow-Origin" not in ask(server, "GET", "/embed/episode-1.json").headers


def test_serve_answers_preflights(public):
    with running_server(public, cors=(GAZETTE,)) as server:
        answer = ask(server, "OPTIONS", "/episodes/episode-1.vtt", Origin=GAZETTE,
                     **{"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "range"})
        assert answer.status == 204
        assert answer.headers["Access-Control-Allow-Origin"] == GAZETTE
        assert answer.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
        assert answer.headers["Access-Control-Allow-Headers"] == "Range"
        assert answer.headers["Access-Control-Max-Age"] == str(MAX_AGE_SECONDS)
        refused = ask(server, "OPTIONS", "/embed/episode-1.json", Origin="https://evil.example",
                      **{"Access-Control-Request-Method": "GET"})
        assert refused.status == 204 and "Access-Control-Allow-Origin" not in refused.headers
        put = ask(server, "OPTIONS", "/embed/episode-1.json", Origin=GAZETTE,
                  **{"Access-Control-Request-Method": "PUT"})
        assert "Access-Control-Allow-Origin" not in put.headers


def test_serve_with_any_origin_says_star(public):
    with running_server(public, cors=("*",)) as server:
        answer = ask(server, "HEAD", "/embed.js", Origin="http://localhost:3000")
        assert answer.headers["Access-Control-Allow-Origin"] == "*" and "Vary" not in answer.headers


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_process(project, port: int, *args: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "invoke", "--search-root", str(REPO), "serve", "--port",
                                str(port), *args], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=invoke_env())
    first = process.stdout.readline()
    assert first.startswith("serving"), first + process.stderr.read()
    return process


@pytest.mark.parametrize("settings, flags, origin, allowed", [
    (f'\n[embed]\norigins = ["{GAZETTE}"]\n', (), GAZETTE, GAZETTE),
    (f'\n[embed]\norigins = ["{GAZETTE}"]\n', (), "http://localhost:3000", None),
    ("", (), "http://localhost:3000", "*"),  # nothing configured: a local server any page may try
    (f'\n[embed]\norigins = ["{GAZETTE}"]\n', ("--cors", "*"), "http://localhost:3000", "*"),
])
def test_invoke_serve_takes_the_settings_or_the_flag(tmp_path, settings, flags, origin, allowed):
    project = tmp_path / "show"
    project.mkdir()
    (project / "podcast.toml").write_text((REPO / "podcast.toml").read_text(encoding="utf-8") + settings, "utf-8")
    config = load_config(project)
    write_episode(config.public_dir, 1)
    rebuild_feed(config)
    port = free_port()
    process = serve_process(project, port, *flags)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/embed/episode-1.json", headers={"Origin": origin})
        answer = connection.getresponse()
        assert answer.status == 200 and answer.headers.get("Access-Control-Allow-Origin") == allowed
        connection.close()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


# --- the settings ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ['["https://www.gazette.example/monde"]',
                                   '["www.gazette.example"]', '[""]', "[3]"])
def test_a_bad_origin_is_one_line_naming_the_setting(tmp_path, value):
    (tmp_path / "podcast.toml").write_text(f"[embed]\norigins = {value}\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"\[embed\] origins") as raised:
        load_config(tmp_path)
    assert "\n" not in str(raised.value)


def test_origins_are_written_as_browsers_send_them(tmp_path):
    (tmp_path / "podcast.toml").write_text('[embed]\norigins = ["https://WWW.Gazette.example/", "*"]\n', "utf-8")
    assert load_config(tmp_path).embed.origins == ("https://www.gazette.example", "*")
    (tmp_path / "podcast.toml").write_text('[embed]\norigins = "https://www.gazette.example"\n', "utf-8")
    assert load_config(tmp_path).embed.origins == ("https://www.gazette.example",)  # one, as a string


@pytest.mark.parametrize("flag", ["", "gazette.example", "https://www.gazette.example/monde", "https://a.fr,ftp://b"])
def test_a_bad_cors_flag_is_one_line(tmp_path, flag):
    (tmp_path / "podcast.toml").write_text("", encoding="utf-8")
    with pytest.raises(UserError, match="--cors"):
        cli.serve_origins(load_config(tmp_path), flag)


def test_the_init_template_documents_embed_origins_commented(tmp_path):
    from pipeline.project import TEMPLATE

    assert "[embed]\n# origins = [\"https://www.gazette.example\"]" in TEMPLATE
    shutil.copy(REPO / "podcast.toml", tmp_path / "podcast.toml")
    assert load_config(tmp_path).embed.origins == ()
