"""What each Invoke task does, with the user-facing output. ``tasks.py`` only parses arguments.

Every failure is one line on stderr of at most :data:`MAX_ERROR_CHARS` characters, whatever the
tool underneath printed (ffmpeg, gTTS, requests, lxml, TOML), and exit status 1; Ctrl-C is one
line and exit status 130. ``--verbose`` adds the details (the traceback) after that line.
"""
from __future__ import annotations

import functools
import inspect
import json
import sys
from pathlib import Path

from pipeline import layout
from pipeline.config import load_config
from pipeline.errors import UserError


SHOWN_UP_TO_DATE = 10  # beyond this, up-to-date episodes are counted, not listed


MAX_ERROR_CHARS = 200  # what a tool underneath said, cut to this
MAX_USER_ERROR_CHARS = 400  # our own messages name files, whose paths can be long: cut only past this
VERBOSE_HINT = " (--verbose for details)"


class CommandFailed(SystemExit):
    pass


def one_line(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """``text`` on one line of at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


BUILD_INTERRUPTED = "interrupted: nothing was published; spoken chunks are cached"
PUBLISH_INTERRUPTED = ("interrupted: the remote feed is still whole (the old one or the new one); "
                       "run invoke publish again to finish")


def user_facing(function=None, *, interrupted: str = BUILD_INTERRUPTED):
    """The task's failures as one line each (``verbose=True`` adds the traceback after it);
    ``@user_facing(interrupted=...)`` for a task whose Ctrl-C means something else."""
    if function is None:
        return functools.partial(user_facing, interrupted=interrupted)
    wants_verbose = "verbose" in inspect.signature(function).parameters  # it lists more with --verbose

    @functools.wraps(function)
    def wrapper(*args, verbose: bool = False, **kwargs):
        try:
            return function(*args, **({"verbose": verbose} if wants_verbose else {}), **kwargs)
        except UserError as exc:
            _fail(one_line(f"error: {exc}", MAX_USER_ERROR_CHARS), verbose)
        except KeyboardInterrupt:
            print(interrupted, file=sys.stderr)
            raise CommandFailed(130) from None
        except CommandFailed:
            raise
        except Exception as exc:  # a tool underneath failed in a way no check foresaw
            text = one_line(exc, MAX_ERROR_CHARS - len(VERBOSE_HINT) - len("error: ")) or type(exc).__name__
            _fail(f"error: {text}" + ("" if verbose else VERBOSE_HINT), verbose)  # one line, ≤ MAX_ERROR_CHARS
    return wrapper


def _fail(message: str, verbose: bool) -> None:
    print(message, file=sys.stderr)
    if verbose:
        import traceback

        traceback.print_exc(file=sys.stderr)
    raise CommandFailed(1) from None


def show_config(root: str | Path | None):
    """The settings of the show at ``root``, or of the show this folder is in (``--show``,
    ``BALADO_SHOW``, else the nearest ``podcast.toml`` upwards)."""
    from pipeline.command.show import find_show

    return load_config(root if root is not None else find_show())


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
def build_episode(root: str | None = None, *, source: str | None = None, engine: str | None = None, force: bool = False,
                  jobs: int | None = None, as_json: bool = False, url: str | None = None) -> None:
    from pipeline.build import build

    jobs = _positive(jobs, "--jobs")
    config = show_config(root)
    if url and source:
        raise UserError("give either --source PATH or --url URL, not both")
    if url:
        from pipeline.sources.commands import article_from_url

        fetched = article_from_url(config, url)
        print(f"{fetched.path.relative_to(config.root)}: {fetched.status} from {url}", file=sys.stderr)
        source = str(fetched.path)
    report = build(config, sources=[Path(source)] if source else None, engine=engine or config.voice.engine,
                   force=force, jobs=jobs)
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_build(config, report)


def _requests(episode) -> str:
    """Requests sent, for a voice reached over the network (the offline voice sends none)."""
    return f", {episode.requests} requests" if episode.engine == "gtts" else ""


def _draft(report, episode) -> str:
    return f"; a draft, not published: invoke approve {episode.slug}" if episode.slug in report.drafts else ""


def _print_build(config, report) -> None:
    built = [e for e in report.episodes if e.status == "built"]
    current = [e for e in report.episodes if e.status == "up to date"]
    for episode in built:
        if episode.voice_restored:
            print(f"✓ {episode.slug}: re-spoken with {episode.engine} (it had the offline voice)")
        print(f"✓ {episode.slug}: built {_duration(episode.duration_seconds)} with {episode.engine} — "
              f"{episode.chunks} chunks ({episode.spoken} spoken, {episode.cached} cached, "
              f"{episode.retried} retried{_requests(episode)}) in {episode.seconds:.1f} s "
              f"(speaking {episode.synthesis_seconds:.1f} s){_draft(report, episode)}")
    for episode in current if len(current) <= SHOWN_UP_TO_DATE else []:
        print(f"✓ {episode.slug}: up to date ({_duration(episode.duration_seconds)}, {episode.engine})"
              f"{_draft(report, episode)}")
    for slug in report.retired:
        print(f"✓ {slug}: retired (its article left episodes/; its GUID is kept in episodes/retired.json)")
    where = report.feed_path.relative_to(config.root) if report.feed_path.is_relative_to(config.root) else report.feed_path
    unchanged = len(current) + report.unchanged
    tail = f" ({unchanged} episode(s) up to date)" if unchanged and (report.unchanged or len(current) > SHOWN_UP_TO_DATE) else ""
    if report.published or report.deleted:
        print(f"published {len(report.published)} file(s), deleted {len(report.deleted)}{tail}; "
              f"feed: {where} → {config.feed_url}")
    elif built:
        print(f"rebuilt: every published file was already identical{tail}; feed: {where}")
    else:
        print(f"nothing changed{tail}; feed: {where}")


@user_facing
def script(root: str | None = None, *, source: str | None = None, write: bool = False, force: bool = False) -> None:
    from pipeline.fsutil import atomic_write_text
    from pipeline.manifest import manifest_path, pub_date_for, read_manifest
    from pipeline.text.article import read_article
    from pipeline.text.script import build_script, saved_script_path, script_json

    if not source:
        raise UserError("give the article with --source PATH")
    config = show_config(root)
    article = read_article(source, tz=config.tz)
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
def feed(root: str | None = None) -> None:
    from pipeline.build import rebuild_feed

    config = show_config(root)
    rebuild_feed(config)
    print(f"feed rebuilt: {layout.under(config.public_dir, layout.FEED)}")


@user_facing
def init(root: str | None = None, *, title: str | None = None, base_url: str | None = None, owner_name: str | None = None,
         owner_email: str | None = None) -> None:
    from pipeline.command.show import new_show_folder
    from pipeline.project import init_project

    if not (title and base_url and owner_email):
        raise UserError("say what the show is: --title, --base-url (where public/ will be served) and --owner-email")
    made = init_project(root if root is not None else new_show_folder(), title=title, base_url=base_url,
                        owner_name=owner_name or title, owner_email=owner_email)
    print(f"show set up: {', '.join(str(p) for p in made)}; put articles in episodes/ and run invoke build-episode")


@user_facing
def validate(root: str | None = None) -> None:
    from pipeline.publish.validate import check_prefix, validate_public

    config = show_config(root)
    problems = validate_public(config, config.public_dir)
    prefix_problems, notes = check_prefix(config, config.public_dir)
    problems += prefix_problems
    for line in notes:
        print(line)
    for problem in problems:
        print(problem)
    if problems:
        raise CommandFailed(1)
    print(f"{config.public_dir}: valid")


@user_facing
def clean(root: str | None = None, *, cache: bool = False) -> None:
    from pipeline.sound.cache import ChunkCache

    config = show_config(root)
    if not cache:
        raise UserError("say what to clean: --cache empties the spoken-chunk cache")
    removed = ChunkCache(config.cache_dir).clear()
    print(f"cache emptied: {removed} chunk(s) removed from {config.cache_dir}")


@user_facing
def serve(root: str | None = None, *, host: str = "127.0.0.1", port: int = 8000, base_url: str | None = None,
          cors: str | None = None) -> None:
    from pipeline.catalogue import load_catalogue
    from pipeline.publish.documents import preview_documents
    from pipeline.publish.serve import lan_address, mount_path, preview_overlay, serve_forever

    port = _positive(port, "--port") if str(port) != "0" else 0
    config = show_config(root)
    public = config.public_dir
    if not layout.under(public, layout.FEED).is_file():
        raise UserError(f"{public}: nothing to serve yet; run invoke build-episode first")
    files: dict[str, bytes | str] = {}
    if base_url:
        # The feeds and page for this address, in a temporary overlay: the published ones stay as they are.
        base_url = base_url.rstrip("/")
        catalogue = load_catalogue(public, config.cache_dir)
        files = preview_documents(config, catalogue, cover=layout.published_cover(public), base_url=base_url)

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
        print(f"pages of {'any site' if '*' in origins else ', '.join(origins)} may read these files (CORS, --cors)")
        sys.stdout.flush()

    origins = serve_origins(config, cors)
    with preview_overlay(files) as overlay:
        serve_forever(public, host, port, overlay_dir=overlay if files else None, mount=mount_path(base_url),
                      on_ready=ready, cors=origins)


def serve_origins(config, cors: str | None) -> tuple[str, ...]:
    """Who may read what `invoke serve` serves from another site's page: ``--cors`` (origins
    separated by commas, or ``*``), else ``[embed] origins``, else any site: a local server of
    public files, for trying the player on a page of one's own."""
    if cors is None:
        return config.embed.origins or ("*",)
    from pipeline.config import web_origin

    origins = tuple(web_origin(o) for o in cors.split(",") if o.strip())
    if not origins or None in origins:
        raise UserError(f"--cors {cors!r}: give origins like https://www.gazette.example (commas between), or '*'")
    return origins


@user_facing
def digest(root: str | None = None, *, on: str | None = None, since: str | None = None, engine: str | None = None,
           force: bool = False) -> None:
    """The period's digest: built, up to date, or none (nothing was published then)."""
    from pipeline.digest import build_digest

    config = show_config(root)
    report = build_digest(config, on=_day(on, "--date"), since=_day(since, "--since"),
                          engine=engine or config.voice.engine, force=force)
    print(_digest_line(report))


def _day(value: str | None, option: str):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} takes a date such as 2026-11-27, not {value!r}") from None


def _digest_line(report) -> str:
    if report.status == "empty":
        return f"no digest for {report.slug}: no episode was published in that period"
    if report.status == "retired":
        return f"no digest for {report.slug}: it was removed (episodes/retired.json); delete its record to make it again"
    if report.status == "up to date":
        return f"✓ {report.slug}: up to date ({len(report.members)} article(s))"
    episode = report.episode
    return (f"✓ {report.slug}: built {_duration(episode.duration_seconds)} with {episode.engine} — "
            f"{len(report.members)} article(s), {episode.chunks} chunks ({episode.cached} from the articles' "
            f"cache, {episode.requests} requests)")


@user_facing
def ingest(root: str | None = None) -> None:
    """New and changed articles from every [[sources]] feed into episodes/; one line each."""
    from pipeline.sources.commands import ingest_sources

    config = show_config(root)
    report = ingest_sources(config)
    for path in report.new:
        print(f"new: {path.relative_to(config.root)}")
    for path in report.updated:
        print(f"updated: {path.relative_to(config.root)}")
    for line in report.notices:
        print(line)
    for line in report.problems:
        print(line, file=sys.stderr)
    if not (report.new or report.updated or report.notices or report.problems):
        print(f"nothing new from {len(config.sources)} source(s)")
    if report.problems:
        raise CommandFailed(1)


@user_facing
def update(root: str | None = None, *, engine: str | None = None) -> None:
    """For cron: silent when nothing changed; one summary line when episodes were published; one
    line per problem and exit status 1 when something failed."""
    from pipeline.sources.commands import update as run_update

    config = show_config(root)
    report = run_update(config, engine=engine or config.voice.engine)
    for line in report.ingest.notices if report.ingest else []:
        print(line)
    for line in report.problems:
        print(line, file=sys.stderr)
    summary = _update_summary(config, report)
    if summary:
        print(summary)
    if report.announced:
        print_announced(report.announced)
    if report.problems:
        raise CommandFailed(1)


def _update_summary(config, report) -> str | None:
    """One line for cron: what reached the feed (and the target), or None when nothing changed."""
    parts = []
    if report.build and report.build.published:
        if report.built:
            fresh = sum(1 for slug in report.built if slug not in report.published_before)
            parts.append(f"published {len(report.built)} episode(s) ({fresh} new, {len(report.built) - fresh} "
                         f"updated): {', '.join(report.built)}")
        else:
            parts.append("feed and page updated")
    if report.drafted:
        parts.append(f"{len(report.drafted)} draft(s) to review, not published: {', '.join(report.drafted)}")
    if report.digest and report.digest.status == "built":
        parts.append(f"digest {report.digest.slug} ({len(report.digest.members)} article(s))")
    if report.publish and (report.publish.uploaded or report.publish.deleted):
        parts.append(f"{report.publish.target}: {len(report.publish.uploaded)} uploaded, "
                     f"{len(report.publish.deleted)} deleted")
    return "; ".join(parts) + f" → {config.feed_url}" if parts else None


@user_facing
def remove(root: str | None = None, *, slug: str | None = None, engine: str | None = None) -> None:
    """Take an episode out of the show for good, then rebuild the feed and page."""
    from pipeline.build import build
    from pipeline.sources.commands import remove as remove_episode

    if not slug:
        raise UserError("say which episode: invoke remove SLUG")
    config = show_config(root)
    removal = remove_episode(config, slug)
    deleted = ", ".join(str(p.relative_to(config.root)) for p in removal.files) or "no article file left"
    kept = "its GUID and number kept in episodes/retired.json" if removal.recorded else "it was never published"
    print(f"removed {removal.slug}: deleted {deleted}; {kept}; ingest will not bring it back")
    _print_build(config, build(config, engine=engine or config.voice.engine))


def _size(count: int) -> str:
    for unit in ("B", "kB", "MB"):
        if count < 1000 or unit == "MB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000


@user_facing(interrupted=PUBLISH_INTERRUPTED)
def publish(root: str | None = None, *, to: str | None = None, dry_run: bool = False, verbose: bool = False) -> None:
    from pipeline.hosting import publish_configured

    config = show_config(root)
    report = publish_configured(config, to=to, dry_run=dry_run)
    if report is None:
        raise UserError("no target: give --to s3://bucket/prefix (or a folder), or set [publish] to in podcast.toml")
    print_publish_report(report, verbose=verbose)
    for line in report.warnings:
        print(line, file=sys.stderr)
    if report.cors == "set":
        print(f"{report.target}: CORS rule set for {', '.join(config.embed.origins)} (the embedded player)")
    if not report.dry_run:  # the new feed is live on the target: now, and only now, tell the hubs
        print_announced(announce_live(config))
    if report.uploaded and not report.dry_run and not config.publish.public_url:
        print(f"note: set [publish] public_url to where {report.target} is served, so every publish checks it "
              f"against base_url {config.show.base_url}")


def announce_live(config):
    """[announce]: the hubs and notification URLs told about a feed that changed (see pipeline.announce)."""
    from pipeline.announce import announce

    return announce(config, warn=lambda line: print(line, file=sys.stderr))


def print_announced(report) -> None:
    told = sorted({endpoint for endpoint, _ in report.told})
    if told:
        print(f"announced to {len(told)} hub(s) and notification URL(s): {', '.join(told)}")


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


# --- the editor's desk ---------------------------------------------------------------------------
@user_facing
def approve(root: str | None = None, *, slugs: list[str] | None = None, every: bool = False) -> None:
    from pipeline.desk.drafts import approve as approve_drafts

    config = show_config(root)
    approved = approve_drafts(config, slugs or [], every=every)
    if not approved:
        print("no draft to approve")
        return
    for manifest in approved:
        print(f"✓ {manifest.slug}: approved and published as it was built ({_duration(manifest.duration_seconds)}, "
              f"{manifest.engine}; nothing spoken again)")
    print(f"feed: {layout.under(config.public_dir, layout.FEED).relative_to(config.root)} → {config.feed_url}")


@user_facing
def drafts(root: str | None = None) -> None:
    from datetime import datetime, timezone

    from pipeline.desk.drafts import drafts as waiting
    from pipeline.desk.paths import review_page
    from pipeline.manifest import pub_datetime

    config = show_config(root)
    found = waiting(config)
    now = datetime.now(timezone.utc)
    for manifest in found:
        page = review_page(config.root, manifest.slug).relative_to(config.root)
        print(f"{manifest.slug}: {_age(now - pub_datetime(manifest))} old, {_duration(manifest.duration_seconds)} "
              f"— {manifest.title} (review page: {page})")
    print(f"{len(found)} draft(s) waiting" + (": invoke approve SLUG, or --all" if found else ""))


def _age(delta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // 1440} days"


@user_facing
def say(root: str | None = None, *, text: str | None = None, attempt: str | None = None, out: str | None = None,
        play: bool = False, engine: str | None = None) -> None:
    from pipeline.desk import say as desk
    from pipeline.text.lexicon import parse_try

    config = show_config(root)
    rules = (parse_try(attempt),) if attempt else ()
    said = desk.say(config, text or (rules[0].word if rules else ""), rules=rules, engine=engine,
                    out=Path(out) if out else None, warn=lambda m: print(m, file=sys.stderr))
    where = said.path.relative_to(config.root) if said.path.is_relative_to(config.root) else said.path
    fetched = "from the cache" if said.cached == said.chunks else (
        f"{said.requests} request(s)" if said.engine == "gtts" else "spoken offline")
    print(f"said « {said.spoken} » with {said.engine} ({fetched}): {where}"
          + ("; the rule was not saved (add it to [lexicon] in podcast.toml)" if rules else ""))
    if play:
        desk.play(said.path)


@user_facing
def review(root: str | None = None, *, host: str = "127.0.0.1", port: int = 8100, engine: str | None = None) -> None:
    from pipeline.desk.review import write_pages
    from pipeline.desk.server import ReviewServer

    port = _positive(port, "--port") if str(port) != "0" else 0
    config = show_config(root)
    try:
        server = ReviewServer(config.root, host, int(port), engine=engine)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    print(f"review pages on {server.origin}/ (Ctrl-C to stop); changes accepted only from these pages")
    sys.stdout.flush()
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("review server stopped")
