"""The tasks, for ``invoke`` in a clone and the installed ``balado`` alike: argument parsing only;
the work is in :mod:`pipeline.cli` and the package. ``ns`` is the one collection both run."""
import sys
from pathlib import Path

from invoke import Argument, Collection, Task, task

VERBOSE = "on failure, the details (traceback) after the one-line message"


@task(help={"source": "one article to build (default: every new or changed article in episodes/)",
            "url": "fetch this article page into episodes/ (the same URL again updates that file), then build it",
            "engine": "auto (gTTS, else espeak-ng offline), gtts or espeak",
            "force": "rebuild even when nothing changed",
            "jobs": "chunks spoken in parallel (default: podcast.toml [synthesis] jobs)",
            "json": "print the build report as JSON (for scripts and the benchmark)",
            "verbose": VERBOSE})
def build_episode(c, source=None, url=None, engine=None, force=False, jobs=None, json=False, verbose=False):
    """Speak new or changed articles and publish them to public/ with the feed."""
    from pipeline import cli

    cli.build_episode(source=source, url=url, engine=engine, force=force, jobs=jobs, as_json=json, verbose=verbose)


@task(help={"title": "the show's title", "base_url": "the address public/ will be served from",
            "owner_name": "who runs the show (default: the title)", "owner_email": "Apple writes to it about the show",
            "verbose": VERBOSE})
def init(c, title=None, base_url=None, owner_name=None, owner_email=None, verbose=False):
    """Set up a show here: a commented podcast.toml and an episodes/ folder."""
    from pipeline import cli

    cli.init(title=title, base_url=base_url, owner_name=owner_name, owner_email=owner_email, verbose=verbose)


@task(help={"date": "the day (YYYY-MM-DD; default: today where the show is)",
            "since": "from this day (YYYY-MM-DD) to --date, instead of one day (or the week)",
            "engine": "auto (gTTS, else espeak-ng offline), gtts or espeak", "force": "rebuild it even if current",
            "verbose": VERBOSE})
def digest(c, date=None, since=None, engine=None, force=False, verbose=False):
    """Build the day's digest: one episode of the day's articles, with a chapter each."""
    from pipeline import cli

    cli.digest(on=date, since=since, engine=engine, force=force, verbose=verbose)


@task(help={"verbose": VERBOSE})
def ingest(c, verbose=False):
    """Bring new and changed articles from the [[sources]] feeds into episodes/ (no audio)."""
    from pipeline import cli

    cli.ingest(verbose=verbose)


@task(help={"engine": "auto (gTTS, else espeak-ng offline), gtts or espeak", "verbose": VERBOSE})
def update(c, engine=None, verbose=False):
    """For cron: ingest, then build. Silent when nothing changed; exit status 1 on a problem."""
    from pipeline import cli

    cli.update(engine=engine, verbose=verbose)


@task(help={"engine": "the voice for the rebuild that follows", "verbose": VERBOSE})
def remove(c, slug, engine=None, verbose=False):
    """Take episode SLUG out of the feed and page for good (its GUID stays on record)."""
    from pipeline import cli

    cli.remove(slug=slug, engine=engine, verbose=verbose)


@task(help={"source": "the article", "write": "save it beside the article as <name>.script.json to edit",
            "force": "with --write, replace a script saved earlier", "verbose": VERBOSE})
def script(c, source=None, write=False, force=False, verbose=False):
    """Print the spoken script of an article as JSON (no audio)."""
    from pipeline import cli

    cli.script(source=source, write=write, force=force, verbose=verbose)


@task(help={"verbose": VERBOSE})
def feed(c, verbose=False):
    """Render the feed, its archives and every page again from the episode manifests."""
    from pipeline import cli

    cli.feed(verbose=verbose)


@task(help={"verbose": VERBOSE})
def validate(c, verbose=False):
    """Check public/ as a podcast directory and app would; one line per problem."""
    from pipeline import cli

    cli.validate(verbose=verbose)


@task(help={"cache": "empty the spoken-chunk cache in .cache/", "verbose": VERBOSE})
def clean(c, cache=False, verbose=False):
    """Remove generated caches."""
    from pipeline import cli

    cli.clean(cache=cache, verbose=verbose)


@task(help={"host": "address to listen on (0.0.0.0 for phones on the LAN)", "port": "TCP port",
            "base_url": "serve a feed rebuilt for this address instead of podcast.toml's base_url",
            "cors": "origins whose pages may read the files (commas between), or '*'; "
                    "default: [embed] origins, else any",
            "verbose": VERBOSE})
def serve(c, host="127.0.0.1", port=8000, base_url=None, cors=None, verbose=False):
    """Serve public/ over HTTP (byte ranges, HEAD, 304) for podcast apps and browsers."""
    from pipeline import cli

    cli.serve(host=host, port=port, base_url=base_url, cors=cors, verbose=verbose)


@task(help={"to": "s3://bucket/prefix, a folder or file:///folder (default: podcast.toml [publish] to)",
            "dry_run": "list what would be uploaded and deleted; change nothing",
            "verbose": "list every file uploaded, skipped and deleted"})
def publish(c, to=None, dry_run=False, verbose=False):
    """Sync public/ to the hosting target: changed files only, the feed last, stale files deleted after."""
    from pipeline import cli

    cli.publish(to=to, dry_run=dry_run, verbose=verbose)


class _StandsIn(Argument):
    """A flag that, given before the positional argument, fills it with "" (see OptionalWord)."""

    stands_for: Argument

    def set_value(self, value, cast=True):
        super().set_value(value, cast)
        if self.stands_for._value is None:
            self.stands_for.set_value("", cast=False)


class OptionalWord(Task):
    """A task whose one positional argument may be left out when a flag says what to do instead
    (``say --try``, ``approve --all``): Invoke has no optional positional argument, so the flag
    stands in for it."""

    STANDS_IN = {"try_": "text", "all": "slug"}  # flag → the positional it stands in for

    def get_arguments(self, *args, **kwargs):
        arguments = super().get_arguments(*args, **kwargs)
        by_name = {a.name: a for a in arguments}
        for flag, positional in self.STANDS_IN.items():
            if flag in by_name and positional in by_name:
                # Invoke deep-copies each context it parses into: a reference held here is copied with it.
                by_name[flag].__class__ = _StandsIn
                by_name[flag].stands_for = by_name[positional]
        return arguments


@task(klass=OptionalWord, positional=["slug"],
      help={"slug": "the draft; several: \"a b\" or a,b (or after --: invoke approve a -- b c)",
            "all": "approve every draft", "verbose": VERBOSE})
def approve(c, slug=None, all=False, verbose=False):
    """Publish drafts as they were built and heard (nothing is spoken again): invoke approve SLUG, or --all."""
    from pipeline import cli

    slugs = " ".join(filter(None, [slug, getattr(c, "remainder", "")])).replace(",", " ").split()
    cli.approve(slugs=slugs, every=all, verbose=verbose)


@task(help={"verbose": VERBOSE})
def drafts(c, verbose=False):
    """List the drafts waiting for approval, with their age and duration."""
    from pipeline import cli

    cli.drafts(verbose=verbose)


@task(klass=OptionalWord, positional=["text"], help={"text": "the word or phrase to speak (default: the word of --try)",
            "try": "WORD=RESPELLING: speak with this rule, without saving it",
            "out": "write the audio here (default: review/say/<text>.wav)", "play": "play it too",
            "engine": "auto (gTTS, else espeak-ng offline), gtts or espeak", "verbose": VERBOSE})
def say(c, text=None, try_=None, out=None, play=False, engine=None, verbose=False):
    """Speak a word or phrase with the show's voice and lexicon (cached like any chunk)."""
    from pipeline import cli

    cli.say(text=text, attempt=try_, out=out, play=play, engine=engine, verbose=verbose)


@task(help={"host": "address to listen on (127.0.0.1: only this machine, since it writes files)",
            "port": "TCP port (0: any free one)", "engine": "the voice for hearing and rebuilding",
            "verbose": VERBOSE})
def review(c, host="127.0.0.1", port=8100, engine=None, verbose=False):
    """Serve the review pages: hear a flagged word, add a rule to podcast.toml, rebuild that episode."""
    from pipeline import cli

    cli.review(host=host, port=port, engine=engine, verbose=verbose)


def _clone() -> Path:
    """The clone of balado's repository this package runs from (the maintainer's tasks need it)."""
    from pipeline.cli import user_facing
    from pipeline.errors import UserError

    root = Path(__file__).resolve().parents[2]

    @user_facing
    def check() -> None:
        if not (root / "tests").is_dir() or not (root / "bench").is_dir():
            raise UserError("this task runs balado's own tests and benchmark: it needs a clone of the "
                            "repository (git clone, then pip install -e '.[test]')")
    check()
    return root


@task
def bench(c):
    """Benchmark synthesis, rebuilds, archives and long reads against baselines; writes bench/results.json."""
    root = _clone()
    c.run(f"{sys.executable} {root / 'bench' / 'run.py'}", pty=False)


@task(help={"k": "only tests matching this expression"})
def test(c, k=None):
    """Run the whole test suite."""
    root = _clone()
    select = f" -k {k!r}" if k else ""
    with c.cd(str(root)):
        c.run(f"{sys.executable} -m pytest -n 2 -q{select}", pty=False)


@task(help={"upgrade": "take the newest allowed release of everything, not only of what is new"})
def lock(c, upgrade=False):
    """Maintainer: resolve every dependency again into constraints.txt (the lock the installs use)."""
    from pipeline.command.maintainer import lock as relock

    relock(_clone(), upgrade=upgrade)


@task(name="check-deps")
def check_deps(c):
    """Maintainer: run the suite against the newest releases pyproject.toml allows, in a temporary venv."""
    from pipeline.cli import CommandFailed
    from pipeline.command.maintainer import check_deps as run_check

    status = run_check(_clone())
    if status:
        raise CommandFailed(status)


ns = Collection.from_module(sys.modules[__name__])
