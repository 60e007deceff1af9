"""`invoke update` as cron runs it: build, the day's digest, then publish where the show lives."""
from __future__ import annotations

from datetime import datetime

import feedparser

from _helpers_project import run_invoke
from pipeline.config import load_config


def test_update_builds_the_days_digest_and_publishes_everything_to_the_web_root(project, tmp_path):
    www = tmp_path / "www"
    www.mkdir()  # a web server's document root
    toml = project / "podcast.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + f'\n[digest]\nschedule = "daily"\n\n[publish]\nto = "{www}"\n',
                    encoding="utf-8")
    for name, line in (("otan.txt", "Les ministres ont promis un milliard d'euros à l'Ukraine mardi à Bruxelles."),
                       ("tram.txt", "La nouvelle ligne de tramway desservira le centre de Tours au printemps.")):
        (project / "episodes" / name).write_text(f"Titre de {name}\n{line}\n", encoding="utf-8")
    today = datetime.now(load_config(project).tz).date().isoformat()

    first = run_invoke(project, "update", "--engine", "espeak")
    assert first.returncode == 0, first.stderr
    [line] = first.stdout.strip().splitlines()
    assert line.startswith("published 2 episode(s) (2 new, 0 updated): otan, tram; ")
    assert f"digest journal-{today} (2 article(s))" in line and f"{www}: " in line and "uploaded" in line
    feed = feedparser.parse((www / "feed.xml").read_bytes())
    titles = [entry.title for entry in feed.entries]
    assert len(titles) == 3 and "Le journal" in titles  # the day is pubDate's (README, Titles)
    base = load_config(project).show.base_url + "/"
    for entry in feed.entries:
        [enclosure] = entry.enclosures
        assert (www / enclosure.href.removeprefix(base)).stat().st_size == int(enclosure.length)

    again = run_invoke(project, "update", "--engine", "espeak")
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")  # cron stays silent
