"""Invoke tasks: argument parsing only; the work is in the ``pipeline`` package."""
import sys

from invoke import task


@task(help={"source": "one article to build (default: every new or changed article in episodes/)",
            "engine": "auto (gTTS, else espeak-ng offline), gtts or espeak",
            "force": "rebuild even when nothing changed",
            "jobs": "chunks spoken in parallel (default: podcast.toml [synthesis] jobs)",
            "json": "print the build report as JSON (for scripts and the benchmark)"})
def build_episode(c, source=None, engine=None, force=False, jobs=None, json=False):
    """Speak new or changed articles and publish them to public/ with the feed."""
    from pipeline import cli

    cli.build_episode(source=source, engine=engine, force=force, jobs=jobs, as_json=json)


@task(help={"source": "the article", "write": "save it beside the article as <name>.script.json to edit",
            "force": "with --write, replace a script saved earlier"})
def script(c, source=None, write=False, force=False):
    """Print the spoken script of an article as JSON (no audio)."""
    from pipeline import cli

    cli.script(source=source, write=write, force=force)


@task
def feed(c):
    """Rebuild public/feed.xml and index.html from the episode manifests."""
    from pipeline import cli

    cli.feed()


@task
def validate(c):
    """Check public/ as a podcast directory and app would; one line per problem."""
    from pipeline import cli

    cli.validate()


@task(help={"cache": "empty the spoken-chunk cache in .cache/"})
def clean(c, cache=False):
    """Remove generated caches."""
    from pipeline import cli

    cli.clean(cache=cache)


@task(help={"host": "address to listen on (0.0.0.0 for phones on the LAN)", "port": "TCP port",
            "base_url": "serve a feed rebuilt for this address instead of podcast.toml's base_url"})
def serve(c, host="127.0.0.1", port=8000, base_url=None):
    """Serve public/ over HTTP (byte ranges, HEAD, 304) for podcast apps and browsers."""
    from pipeline import cli

    cli.serve(host=host, port=port, base_url=base_url)


@task(help={"to": "s3://bucket/prefix, a folder or file:///folder (default: podcast.toml [publish] to)",
            "dry_run": "list what would be uploaded and deleted; change nothing",
            "verbose": "list every file uploaded, skipped and deleted"})
def publish(c, to=None, dry_run=False, verbose=False):
    """Sync public/ to the hosting target: changed files only, the feed last, stale files deleted after."""
    from pipeline import cli

    cli.publish(to=to, dry_run=dry_run, verbose=verbose)


@task
def bench(c):
    """Benchmark synthesis, rebuilds and long reads against baselines; writes bench/results.json."""
    c.run(f"{sys.executable} bench/run.py", pty=False)


@task(help={"k": "only tests matching this expression"})
def test(c, k=None):
    """Run the whole test suite."""
    select = f" -k {k!r}" if k else ""
    c.run(f"{sys.executable} -m pytest -n 2 -q{select}", pty=False)
