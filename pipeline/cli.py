"""What each Invoke task does, with the user-facing output. ``tasks.py`` only parses arguments.

A :class:`UserError` becomes one line on stderr and exit status 1; Ctrl-C becomes one line and
exit status 130. Neither shows a traceback.
"""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

from pipeline import layout
from pipeline.config import load_config
from pipeline.errors import UserError


class CommandFailed(SystemExit):
    pass


BUILD_INTERRUPTED = "interrupted: nothing was published; spoken chunks are cached"
PUBLISH_INTERRUPTED = ("interrupted: the remote feed is still whole (the old one or the new one); "
                       "run invoke publish again to finish")


def user_facing(function=None, *, interrupted: str = BUILD_INTERRUPTED):
    """``@user_facing``, or ``@user_facing(interrupted=...)`` for a task whose Ctrl-C means something else."""
    if function is None:
        return functools.partial(user_facing, interrupted=interrupted)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise CommandFailed(1) from None
        except KeyboardInterrupt:
            print(interrupted, file=sys.stderr)
            raise CommandFailed(130) from None
    return wrapper


def _positive(value, option: str) -> int | None:
    """A whole number ≥ 1 from the command line, or one clear line."""
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise UserError(f"{option} takes a whole number of at least 1, not {value!r}")
    return number


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s"


@user_facing
def build_episode(root: str = ".", *, source: str | None = None, engine: str | None = None, force: bool = False,
                  jobs: int | None = None, as_json: bool = False) -> None:
    from pipeline.build import build

    jobs = _positive(jobs, "--jobs")
    config = load_config(root)
    report = build(config, sources=[Path(source)] if source else None, engine=engine or config.voice.engine,
                   force=force, jobs=jobs)
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    for episode in report.episodes:
        if episode.status == "up to date":
            print(f"✓ {episode.slug}: up to date ({_duration(episode.duration_seconds)}, {episode.engine})")
        else:
            print(f"✓ {episode.slug}: built {_duration(episode.duration_seconds)} with {episode.engine} — "
                  f"{episode.chunks} chunks ({episode.spoken} spoken, {episode.cached} cached, "
                  f"{episode.retried} retried, {episode.requests} requests) in {episode.seconds:.1f} s "
                  f"(speaking {episode.synthesis_seconds:.1f} s)")
    where = report.feed_path.relative_to(config.root) if report.feed_path.is_relative_to(config.root) else report.feed_path
    if report.published:
        print(f"published {len(report.published)} file(s); feed: {where} → {config.feed_url}")
    elif any(episode.status == "built" for episode in report.episodes):
        print(f"rebuilt: every published file was already identical; feed: {where}")
    else:
        print(f"nothing changed; feed: {where}")


@user_facing
def script(root: str = ".", *, source: str | None = None, write: bool = False, force: bool = False) -> None:
    from pipeline.fsutil import atomic_write_text
    from pipeline.manifest import manifest_path, pub_date_for, read_manifest
    from pipeline.text.article import read_article
    from pipeline.text.script import build_script, saved_script_path, script_json

    if not source:
        raise UserError("give the article with --source PATH")
    config = load_config(root)
    article = read_article(source)
    pub_date = pub_date_for(article.date, read_manifest(manifest_path(config.public_dir, article.slug)))
    text = script_json(build_script(article, config, pub_date), article.source_hash)
    if write:
        target = saved_script_path(article.source)
        if target.exists() and not force:
            raise UserError(f"{target}: a saved script is already there (it may hold your edits); "
                            "add --force to replace it")
        atomic_write_text(target, text)
        print(f"script saved to {target}; edit it, then run invoke build-episode", file=sys.stderr)
    else:
        sys.stdout.write(text)


@user_facing
def feed(root: str = ".") -> None:
    from pipeline.build import rebuild_feed

    config = load_config(root)
    rebuild_feed(config)
    print(f"feed rebuilt: {layout.under(config.public_dir, layout.FEED)}")


@user_facing
def validate(root: str = ".") -> None:
    from pipeline.publish.validate import validate_public

    config = load_config(root)
    problems = validate_public(config, config.public_dir)
    for problem in problems:
        print(problem)
    if problems:
        raise CommandFailed(1)
    print(f"{config.public_dir}: valid")


@user_facing
def clean(root: str = ".", *, cache: bool = False) -> None:
    from pipeline.sound.cache import ChunkCache

    config = load_config(root)
    if not cache:
        raise UserError("say what to clean: --cache empties the spoken-chunk cache")
    removed = ChunkCache(config.cache_dir).clear()
    print(f"cache emptied: {removed} chunk(s) removed from {config.cache_dir}")


@user_facing
def serve(root: str = ".", *, host: str = "127.0.0.1", port: int = 8000, base_url: str | None = None) -> None:
    from pipeline.publish.feed import render_feed
    from pipeline.manifest import load_manifests
    from pipeline.publish.serve import lan_address, mount_path, preview_overlay, serve_forever
    from pipeline.publish.site import render_index

    port = _positive(port, "--port") if str(port) != "0" else 0
    config = load_config(root)
    public = config.public_dir
    if not layout.under(public, layout.FEED).is_file():
        raise UserError(f"{public}: nothing to serve yet; run invoke build-episode first")
    files: dict[str, bytes | str] = {}
    if base_url:
        # A feed and page for this address, in a temporary overlay: the published ones stay as they are.
        base_url = base_url.rstrip("/")
        manifests = load_manifests(public)
        cover = layout.published_cover(public)
        files = {layout.FEED: render_feed(config, manifests, cover_path=cover, base_url=base_url),
                 layout.INDEX: render_index(config, manifests, cover_path=cover, public_dir=public, base_url=base_url)}

    def ready(local_url: str) -> None:
        from urllib.parse import urlsplit

        # local_url is where the site answers here, mount path (from --base-url) included.
        print(f"serving {public} on {local_url}/ (Ctrl-C to stop)")
        print(f"feed to paste into a podcast app: {layout.feed_url(base_url or local_url)}")
        if host in ("0.0.0.0", "::"):
            lan = lan_address()
            if lan:
                print(f"from a phone on this network: "
                      f"{layout.feed_url(f'http://{lan}:{urlsplit(local_url).port}{mount_path(base_url)}')}"
                      + ("" if base_url else " (add --base-url with that address so the episode links follow)"))
        if not base_url:
            print(f"note: episode links in this feed point at {config.show.base_url}; "
                  f"use --base-url {local_url} to listen from this server")
        sys.stdout.flush()

    with preview_overlay(files) as overlay:
        serve_forever(public, host, port, overlay_dir=overlay if files else None, mount=mount_path(base_url),
                      on_ready=ready)


def _size(count: int) -> str:
    for unit in ("B", "kB", "MB"):
        if count < 1000 or unit == "MB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000


@user_facing(interrupted=PUBLISH_INTERRUPTED)
def publish(root: str = ".", *, to: str | None = None, dry_run: bool = False, verbose: bool = False) -> None:
    from pipeline.hosting import publish_configured

    config = load_config(root)
    report = publish_configured(config, to=to, dry_run=dry_run)
    if report is None:
        raise UserError("no target: give --to s3://bucket/prefix (or a folder), or set [publish] to in podcast.toml")
    print_publish_report(report, verbose=verbose)
    if report.uploaded and not report.dry_run and not config.publish.public_url:
        print(f"note: set [publish] public_url to where {report.target} is served, so every publish checks it "
              f"against base_url {config.show.base_url}")


def print_publish_report(report, *, verbose: bool = False) -> None:
    """Counts always; the lists with --verbose (uploads and deletions in a dry run too)."""
    verb = ("would upload", "would skip", "would delete") if report.dry_run else ("uploaded", "skipped", "deleted")
    traffic = f"{_size(report.bytes_sent)} sent, {_size(report.bytes_received)} received"
    if report.requests is not None:
        traffic = f"{report.requests} requests, {traffic}"
    print(f"{report.target}: {verb[0]} {len(report.uploaded)}, {verb[1]} {len(report.skipped)}, "
          f"{verb[2]} {len(report.deleted)} ({traffic})")
    lists = [("+", report.uploaded, verbose or report.dry_run), ("=", report.skipped, verbose),
             ("-", report.deleted, verbose or report.dry_run), ("?", report.foreign, verbose)]
    for mark, names, shown in lists:
        if shown:
            for name in names:
                print(f"  {mark} {name}")
    if report.foreign:
        print(f"note: {len(report.foreign)} object(s) under {report.target} were not published by this show; "
              "left alone" + ("" if verbose else " (--verbose lists them)"))
    if report.replaced_in_place:
        print(f"note: {len(report.replaced_in_place)} file(s) replaced under the same name while the old feed "
              "was live (their names carry no content digest): "
              + ", ".join(report.replaced_in_place[:3]) + (" …" if len(report.replaced_in_place) > 3 else ""))
    if report.dry_run:
        print("dry run: nothing was changed")
    else:
        print(f"feed: {report.feed_url}")
