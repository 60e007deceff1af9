"""``invoke publish``: make the target hold exactly public/, never showing listeners a broken feed.

1. Check before any request: public/ is valid (``publish/validate.py``) and the target's public
   address, when known, is ``[show] base_url`` (the feed's links are built from it).
2. Plan (:mod:`pipeline.hosting.plan`): list the target and read its publish state, upload only
   what differs, in publish order (episode files, then pages, then the feed last).
3. Claim the new names in the state, upload, list again and check every file is there with its
   size, and only then delete what public/ no longer has, and record the new state.

The feed goes up after everything it links to, and nothing is deleted before it is in place, so
an interruption at any moment leaves the remote feed whole (old or new) and pointing only at
objects that exist; re-running finishes the job.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.hosting.plan import LocalFile, Plan, Recorded, RemoteFile, local_files, make_plan, recorded_state
from pipeline.hosting.targets import Target, open_target


@dataclass(frozen=True)
class PublishReport:
    target: str
    feed_url: str
    uploaded: tuple[str, ...]  # in the order they went up
    skipped: tuple[str, ...]
    deleted: tuple[str, ...]
    foreign: tuple[str, ...]  # on the target but never published by this show: left alone
    replaced_in_place: tuple[str, ...]
    dry_run: bool
    requests: int | None  # None for a folder
    bytes_sent: int
    bytes_received: int
    cors: str | None = None  # "set" | "unchanged": the bucket's CORS rule for [embed] origins
    warnings: tuple[str, ...] = ()  # one line each; the publish itself went through

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def publish_configured(config: Config, *, to: str | None = None, dry_run: bool = False,
                       lock: bool = True) -> PublishReport | None:
    """Publish to ``to`` or ``[publish] to``; None when neither names a target.

    ``lock`` takes the project's build lock so no build changes public/ mid-publish; a caller
    that already holds it (``invoke update``) passes False.
    """
    spec = to or config.publish.to
    if not spec:
        return None
    target = open_target(spec, config)
    if not lock:
        return publish(config, target, dry_run=dry_run)
    from pipeline.build import project_lock

    with project_lock(config):
        return publish(config, target, dry_run=dry_run)


def publish(config: Config, target: Target, *, dry_run: bool = False) -> PublishReport:
    check_public_url(config, target)
    check_public(config)
    local = local_files(config.public_dir)
    remote, state = target.list(), target.load_state()
    plan = make_plan(local, remote, state, target.stored_digest)
    cors, warnings = None, ()
    if not dry_run:
        apply(plan, target, local, (remote, state))
        cors, warnings = allow_embed_origins(config, target)
    return PublishReport(
        target=target.name, feed_url=config.feed_url, uploaded=tuple(f.relative for f in plan.upload),
        skipped=plan.skip, deleted=plan.delete, foreign=plan.foreign, replaced_in_place=plan.replaced_in_place,
        dry_run=dry_run, requests=target.requests, bytes_sent=target.bytes_sent,
        bytes_received=target.bytes_received, cors=cors, warnings=warnings)


def allow_embed_origins(config: Config, target: Target) -> tuple[str | None, tuple[str, ...]]:
    """The target's CORS rule for ``[embed] origins``, where the target has one (a bucket; a web
    root's server is configured by hand, see the README). A refusal is a warning: the files are
    published, only pages of other sites cannot read them yet."""
    ensure = getattr(target, "ensure_cors", None)
    if not config.embed.origins or ensure is None:
        return None, ()
    try:
        return ("set" if ensure(config.embed.origins) else "unchanged"), ()
    except UserError as exc:
        return None, (f"warning: the bucket's CORS rule for [embed] origins is not set: {exc}",)


def apply(plan: Plan, target: Target, local: dict[str, LocalFile],
          before: tuple[dict[str, RemoteFile], dict[str, Recorded]]) -> None:
    remote, state = before
    if plan.upload:
        # Claimed first: should this run stop half-way, the next one knows these objects are ours.
        target.save_state({**state, **{f.relative: Recorded(f.sha256, f.size, None) for f in plan.upload}})
        for file in plan.upload:
            target.put(file)
    if plan.upload or plan.delete:
        remote = target.list()
        check_arrived(target, local, remote)
        target.delete(list(plan.delete))
    final = recorded_state(local, remote)
    if final != state:
        target.save_state(final)


def check_arrived(target: Target, local: dict[str, LocalFile], remote: dict[str, RemoteFile]) -> None:
    """Every file is on the target with its size before anything the old feed used is deleted."""
    for relative, file in local.items():
        held = remote.get(relative)
        if held is None or held.size != file.size:
            found = "missing" if held is None else f"{held.size} bytes, not {file.size}"
            raise UserError(f"{target.name}: after the upload {relative} is {found}; nothing was deleted, "
                            "run invoke publish again")


def check_public(config: Config) -> None:
    """Never publish a broken site: invoke validate's checks of the feeds and every file they name
    (not the loudness, measured when each episode was made, nor the pages)."""
    from pipeline.publish.validate import validate_public

    problems = validate_public(config, config.public_dir, check_loudness=False, pages=False)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UserError(f"refusing to publish: {problems[0]}{more}")


def _address(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url.strip())
    return parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/")


def check_public_url(config: Config, target: Target) -> None:
    """The feed's links come from base_url: publishing where it does not point breaks every subscriber."""
    public_url, base_url = config.publish.public_url, config.show.base_url
    if public_url and _address(public_url) != _address(base_url):
        raise UserError(f"{target.name}: [publish] public_url {public_url} is not [show] base_url {base_url}; "
                        "the feed would send listeners where the files are not (make them agree)")
