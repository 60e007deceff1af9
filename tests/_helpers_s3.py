"""Hosting targets as the tests meet them: a real S3 API server on loopback (moto in server mode,
reached by boto3 over HTTP with signed requests), a web root served by the project's own server,
and small shows (real MP3s, versioned names, feed and page as the pipeline renders them).

No test reads the developer's ~/.aws: every AWS_* variable is cleared and the config and
credentials files point at empty temporary files. Nothing here leaves 127.0.0.1.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import logging
import os
import shutil
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from _helpers_audio import sine_mp3
from _helpers_feed import write_episode
from _helpers_project import REPO
from _helpers_site import running_server
from pipeline import layout
from pipeline.config import load_config
from pipeline.fsutil import atomic_write_bytes, atomic_write_text
from pipeline.hosting.plan import STATE_NAME
from pipeline.manifest import load_manifests, manifest_json, read_manifest
from pipeline.publish.cover import ensure_cover
from pipeline.publish.feed import render_feed
from pipeline.publish.site import render_index
from pipeline.sound.ffmpeg import run_ffmpeg

BUCKET = "balado-show"
PREFIX = "podcast"
FAKE_KEY, FAKE_SECRET = "AKIATESTINGBALADO000", "testing-secret"


# --- the S3 server ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def moto_server():
    """moto's S3 API over HTTP on a free loopback port, for the whole session (state reset per test)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{server._server.server_port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Fake credentials, and no way to reach the developer's own AWS settings."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    settings = tmp_path / "aws"
    settings.mkdir()
    for name, variable in (("config", "AWS_CONFIG_FILE"), ("credentials", "AWS_SHARED_CREDENTIALS_FILE")):
        (settings / name).write_text("")
        monkeypatch.setenv(variable, str(settings / name))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return settings


def http(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of one plain HTTP request; errors are answers too."""
    request = urllib.request.Request(url, method=method, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@dataclass
class S3:
    endpoint: str
    bucket: str
    client: object  # the test's own boto3 client, to look at the bucket

    @property
    def public_url(self) -> str:
        return f"{self.endpoint}/{self.bucket}/{PREFIX}"

    @property
    def spec(self) -> str:
        return f"s3://{self.bucket}/{PREFIX}"

    def objects(self) -> dict[str, dict]:
        """Every object under the bucket: key → {size, etag}."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return {o["Key"]: {"size": o["Size"], "etag": o["ETag"]} for page in pages for o in page.get("Contents", [])}

    def published(self) -> dict[str, bytes]:
        """Every published object under the prefix (the state left out), by relative path, with its bytes."""
        start = f"{PREFIX}/"
        return {key[len(start):]: self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
                for key in self.objects() if key.startswith(start) and not key.endswith(STATE_NAME)}

    def fingerprint(self) -> dict[str, str]:
        """Every published object under the prefix: relative path → MD5 of its content, in one listing
        (a single-part ETag is the MD5; multipart objects are read). Only while one request at a time
        reaches the server: moto computes an ETag lazily from a file position it shares with
        concurrent readers, so two requests at once on one object can cache a wrong one."""
        start, found = f"{PREFIX}/", {}
        for key, item in self.objects().items():
            if key.startswith(start) and not key.endswith(STATE_NAME):
                etag = item["etag"].strip('"')
                found[key[len(start):]] = etag if "-" not in etag else hashlib.md5(
                    self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()).hexdigest()
        return found

    def plant(self, relative: str, data: bytes) -> None:
        """An object put there by someone else (no publish state names it)."""
        self.client.put_object(Bucket=self.bucket, Key=f"{PREFIX}/{relative}", Body=data)

    def clear(self) -> None:
        """An empty bucket again (moto's reset, then the bucket and its policy)."""
        reset_moto(self.endpoint)
        self.client.create_bucket(Bucket=self.bucket)
        self.client.put_bucket_policy(Bucket=self.bucket, Policy=public_read_policy(self.bucket))


def public_read_policy(bucket: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})


def reset_moto(endpoint: str) -> None:
    status, _, _ = http(f"{endpoint}/moto-api/reset", method="POST")
    assert status == 200


@pytest.fixture
def s3(moto_server, aws_env, monkeypatch) -> S3:
    """An empty bucket that anyone may read (as a bucket policy allows on a real provider)."""
    import boto3

    reset_moto(moto_server)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_server)
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_policy(Bucket=BUCKET, Policy=public_read_policy(BUCKET))
    return S3(moto_server, BUCKET, client)


@contextlib.contextmanager
def iam_enforced(endpoint: str):
    """moto checks signatures and IAM permissions over HTTP while inside (its /moto-api/reset-auth)."""
    def reset_auth(count: bytes) -> None:
        status, _, body = http(f"{endpoint}/moto-api/reset-auth", method="POST", data=count,
                               headers={"Content-Type": "text/plain"})  # not a form: moto reads the raw body
        assert status == 200, body

    reset_auth(b"0")
    try:
        yield
    finally:
        reset_auth(b"inf")


def iam_user(name: str, actions: list[str]) -> tuple[str, str]:
    """An IAM user on the moto server allowed ``actions`` on every S3 resource; its access key."""
    import boto3

    iam = boto3.client("iam", endpoint_url=os.environ["AWS_ENDPOINT_URL_S3"])
    iam.create_user(UserName=name)
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="publish", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


# --- a web root, served over HTTP ---------------------------------------------------------------
@dataclass
class WebRoot:
    folder: Path
    public_url: str

    @property
    def spec(self) -> str:
        return str(self.folder)

    def published(self) -> dict[str, bytes]:
        return {p.relative_to(self.folder).as_posix(): p.read_bytes() for p in sorted(self.folder.rglob("*"))
                if p.is_file() and p.name != STATE_NAME}

    def fingerprint(self) -> dict[str, str]:
        return {relative: hashlib.md5(data).hexdigest() for relative, data in self.published().items()}

    def plant(self, relative: str, data: bytes) -> None:
        (self.folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (self.folder / relative).write_bytes(data)

    def clear(self) -> None:
        shutil.rmtree(self.folder)
        self.folder.mkdir()


@pytest.fixture
def web_root(tmp_path):
    """An empty document root and the project's own web server in front of it."""
    folder = tmp_path / "www"
    folder.mkdir()
    with running_server(folder) as server:
        yield WebRoot(folder, server.url)


# --- shows --------------------------------------------------------------------------------------
def digest_name(relative: str, data: bytes) -> str:
    """``episodes/x.mp3`` → ``episodes/x.<10 hex>.mp3``: the content-versioned names of layout.is_immutable."""
    stem, _, suffix = relative.partition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{suffix}"


@functools.lru_cache(maxsize=None)
def long_mp3() -> bytes:
    """A real MP3 just over 5 MiB (the smallest that S3 uploads in two parts), made once per process."""
    return run_ffmpeg(["-f", "lavfi", "-i", "anoisesrc=d=135:c=pink:r=44100:a=0.1:seed=3", "-ac", "1",
                       "-ar", "44100", "-b:a", "320k", "-f", "mp3", "pipe:1"]).stdout


class Show:
    """A project folder whose public/ holds real episodes under content-versioned names."""

    def __init__(self, root: Path, base_url: str, publish: str = ""):
        self.root = Path(root)
        self.public = self.root / "public"
        (self.root / "episodes").mkdir(parents=True, exist_ok=True)
        toml = (REPO / "podcast.toml").read_text(encoding="utf-8")
        toml = toml.replace('base_url = "https://balado.example/podcast"', f'base_url = "{base_url}"')
        self.base_url = base_url
        (self.root / "podcast.toml").write_text(toml + "\n[publish]\n" + publish, encoding="utf-8")

    @property
    def config(self):
        return load_config(self.root)

    def add(self, number: int, *, seconds: float = 3.0, volume_db: float = 6.0, audio: bytes | None = None) -> None:
        """Episode ``number`` (again, if it exists: its old files go, as a rebuild does)."""
        self.remove(number)
        day = datetime(2024, 1, 1, 8, 30, tzinfo=timezone.utc) + timedelta(days=number)  # any number of episodes
        manifest = write_episode(self.public, number, seconds=seconds, volume_db=volume_db, pub_date=day.isoformat())
        if audio is not None:
            (self.public / manifest.files["audio"]).write_bytes(audio)
            from mutagen.mp3 import MP3

            manifest = replace(manifest, audio_bytes=len(audio),
                               duration_seconds=MP3(self.public / manifest.files["audio"]).info.length)
        versioned = {}
        for kind, relative in manifest.files.items():
            data = (self.public / relative).read_bytes()
            versioned[kind] = digest_name(relative, data)
            (self.public / relative).rename(self.public / versioned[kind])
        manifest = replace(manifest, files=versioned)
        atomic_write_text(layout.manifest_path(self.public, manifest.slug), manifest_json(manifest))

    def remove(self, number: int) -> None:
        path = layout.manifest_path(self.public, f"episode-{number}")
        if path.exists():
            for relative in read_manifest(path).files.values():
                (self.public / relative).unlink()
            path.unlink()

    def render(self) -> "Show":
        from dataclasses import replace as with_root

        from pipeline.build import rebuild_feed

        rebuild_feed(with_root(self.config, root=self.public.parent))  # feed, pages, cover as the build makes them
        return self

    def fingerprint(self) -> dict[str, str]:
        return {relative: hashlib.md5(data).hexdigest() for relative, data in self.files().items()}

    def files(self) -> dict[str, bytes]:
        return {p.relative_to(self.public).as_posix(): p.read_bytes() for p in sorted(self.public.rglob("*"))
                if p.is_file()}


def make_show(root: Path, base_url: str, episodes=(1, 2), publish: str = "") -> Show:
    show = Show(root, base_url, publish)
    for number in episodes:
        show.add(number)
    return show.render()


# --- what a listener's app sees ---------------------------------------------------------------
PODCAST_NS = "{https://podcastindex.org/namespace/1.0}"


def check_remote_feed(feed_url: str) -> list[str]:
    """Fetch the feed over HTTP and every file it names; assert each answers whole, at its stated length.

    Returns the enclosure URLs (an empty feed is a failure of its own: there is always one online).
    """
    status, _, body = http(feed_url)
    assert status == 200, f"{feed_url}: {status}"
    channel = ET.fromstring(body).find("channel")
    enclosures = []
    for item in channel.findall("item"):
        enclosure = item.find("enclosure")
        status, _, audio = http(enclosure.get("url"))
        assert status == 200 and len(audio) == int(enclosure.get("length")), \
            f"{enclosure.get('url')}: {status}, {len(audio)} bytes, feed says {enclosure.get('length')}"
        enclosures.append(enclosure.get("url"))
        for side in item.findall(f"{PODCAST_NS}transcript") + item.findall(f"{PODCAST_NS}chapters"):
            status, _, _ = http(side.get("url"))
            assert status == 200, f"{side.get('url')}: {status}"
    assert enclosures, f"{feed_url} lists no episode"
    return enclosures


def parse_with_podcastparser(feed_url: str) -> dict:
    import podcastparser

    status, _, body = http(feed_url)
    assert status == 200
    return podcastparser.parse(feed_url, io.BytesIO(body))
