"""The editor's desk: drafts kept out of everything published until approved, pronunciation rules,
and hearing a word before rebuilding."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from _helpers_newsroom import TRAMWAY, json_feed
from _helpers_project import SHORT_ARTICLE, run_invoke
from pipeline.build import build
from pipeline.config import load_config
from pipeline.desk.drafts import approve
from pipeline.errors import UserError
from pipeline.text.french import normalise_for_speech
from pipeline.text.lexicon import Lexicon, parse_rules

DRAFT = "+++\nstatus = \"draft\"\ntitle = \"La Pologne commande des chars\"\n+++\n" \
        "Varsovie a signé jeudi une commande de chars auprès de Séoul pour son armée.\n" \
        "La livraison des premiers blindés est prévue au printemps prochain selon le ministère.\n"


def every_published_text(public: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(public.rglob("*")) if p.is_file())


def test_a_draft_stays_out_of_every_published_file_until_approved_and_approving_speaks_nothing(
        project, short_article, google):
    (project / "episodes" / "pologne-chars.txt").write_text(DRAFT, encoding="utf-8")
    config = load_config(project)
    report = build(config, engine="gtts")
    assert report.drafts == ["pologne-chars"]
    assert {e.slug for e in report.episodes if e.status == "built"} == {"otan-bref", "pologne-chars"}
    from pipeline.digest import build_digest

    digest = build_digest(config, on=datetime.now(config.tz).date(), engine="gtts")
    assert digest.members and "pologne-chars" not in digest.members
    published = every_published_text(project / "public")
    assert "pologne-chars" not in published and "commande des chars" not in published and "Varsovie" not in published
    assert list((project / "review" / "drafts" / "episodes").glob("pologne-chars.*.mp3"))
    from pipeline.hosting.sync import publish_configured

    web_root = project.parent / "web-root"
    web_root.mkdir()
    publish_configured(config, to=str(web_root))  # what is uploaded: public/ alone
    assert "Varsovie" not in every_published_text(web_root) and not list(web_root.rglob("pologne-chars*"))
    assert build(config, engine="gtts").episodes == [] or all(
        e.status == "up to date" for e in build(config, engine="gtts").episodes)

    google.seen.clear()
    [approved] = approve(config, ["pologne-chars"])
    assert google.seen == []  # no request, no synthesis
    public = project / "public"
    feed = (public / "feed.xml").read_text(encoding="utf-8")
    assert "La Pologne commande des chars" in feed and (public / "episodes" / "pologne-chars.html").is_file()
    audio = public / approved.files["audio"]
    assert audio.stat().st_size == approved.audio_bytes
    assert json.loads((project / "episodes" / "approved.json").read_text())["approved"].keys() == {"pologne-chars"}
    assert not list((project / "review" / "drafts" / "episodes").glob("pologne-chars*"))
    after = build(config, engine="gtts", force=False)
    assert google.seen == [] and all(e.status == "up to date" for e in after.episodes)
    assert "pologne-chars" not in after.drafts


def test_approve_names_an_unknown_draft_in_one_line(project, short_article, google):
    build(load_config(project), engine="gtts")
    with pytest.raises(UserError, match=r"nope: no such draft"):
        approve(load_config(project), ["nope"])


def test_a_review_source_ingests_drafts_and_update_never_publishes_them(project, google):
    feed = project / "courrier.json"
    feed.write_text(json_feed([TRAMWAY], "https://courrier.example"), encoding="utf-8")
    with open(project / "podcast.toml", "a", encoding="utf-8") as settings:
        settings.write(f'\n[[sources]]\nurl = "{feed.name}"\nfull_text = "feed"\nreview = true\n')
    from pipeline.sources.commands import update

    report = update(load_config(project), engine="gtts", warn=lambda m: None)
    assert not report.problems, report.problems
    [article] = [p for p in (project / "episodes").glob("*.md")]
    assert 'status = "draft"' in article.read_text(encoding="utf-8")
    assert report.build.drafts == [article.stem] and report.built == []
    from pipeline.cli import _update_summary

    summary = _update_summary(load_config(project), report)
    assert "published" not in summary.replace("not published", "") and f"1 draft(s) to review" in summary
    assert "<item>" not in (project / "public" / "feed.xml").read_text(encoding="utf-8")
    assert article.stem not in every_published_text(project / "public")
    listing = run_invoke(project, "drafts")
    assert listing.returncode == 0 and "1 draft(s)" in listing.stdout
    # Its age (since the article's date) and its duration, as the manifest states it.
    [line] = [line for line in listing.stdout.splitlines() if line.startswith(f"{article.stem}: ")]
    seconds = round(json.loads((project / "review" / "drafts" / "episodes" / f"{article.stem}.json").read_text(
        encoding="utf-8"))["duration_seconds"])
    assert re.match(rf"{article.stem}: \d+ (min|h|days) old, {seconds // 60} min {seconds % 60:02d} s — ", line), line
    approved = run_invoke(project, "approve", "--all")
    assert approved.returncode == 0 and f"✓ {article.stem}: approved" in approved.stdout, approved.stderr
    assert (project / "public" / "feed.xml").read_text(encoding="utf-8").count("<item>") == 1
    page = (project / "review" / f"{article.stem}.html").read_text(encoding="utf-8")
    assert 'src="../public/episodes/' in page and "brouillon" not in page


# --- pronunciation rules -------------------------------------------------------------------------
def speak(text: str, table: dict) -> str:
    return normalise_for_speech(text, lexicon=Lexicon(parse_rules(table, "podcast.toml")))


def test_rules_respell_spell_or_read_as_a_word_with_case_and_whole_word_choices():
    assert speak("Le PURL avance.", {"PURL": "Peurl"}) == "Le Peurl avance."  # the old form
    assert speak("La SNCF et l'OTAN.", {"SNCF": {"read": "word"}, "OTAN": {"read": "letters"}}) \
        == "La Sncf et l'O T A N."
    assert speak("kyiv, Kyiv, KYIV", {"Kyiv": {"say": "Kiev"}}) == "kyiv, Kiev, KYIV"
    assert speak("kyiv, Kyiv, KYIV", {"Kyiv": {"say": "Kiev", "case_sensitive": False}}) == "Kiev, Kiev, Kiev"
    assert speak("Le Watergate, la gate.", {"gate": {"say": "guète"}}) == "Le Watergate, la guète."
    assert speak("Le Watergate.", {"gate": {"say": "guète", "whole_word": False}}) == "Le Waterguète."


@pytest.mark.parametrize("value, problem", [
    ({"read": "spelled"}, 'read must be "letters" or "word"'),
    ({"say": ""}, "say must be a non-empty respelling"),
    ({"sound": "x"}, "unknown key"),
    ({"say": "x", "whole_word": "yes"}, "whole_word must be true or false"),
    ({}, "say what to do"),
])
def test_a_bad_rule_is_one_line_naming_the_file(project, value, problem):
    settings = project / "podcast.toml"
    text = settings.read_text(encoding="utf-8").replace('PURL = "Peurl"', "PURL = " + _toml(value))
    settings.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=problem) as caught:
        load_config(project)
    assert str(settings) in str(caught.value) and "\n" not in str(caught.value)


def _toml(value: dict) -> str:
    import tomlkit

    table = tomlkit.inline_table()
    table.update(value)
    return table.as_string()


def test_an_articles_own_rules_override_the_shows(project, google):
    article = project / "episodes" / "purl.txt"
    article.write_text("+++\n[lexicon]\nPURL = { read = \"letters\" }\n+++\n" + SHORT_ARTICLE.replace(
        "mardi à Bruxelles", "mardi à Bruxelles pour le programme PURL"), encoding="utf-8")
    build(load_config(project), engine="gtts")
    assert any("P U R L" in text for text in google.seen) and not any("Peurl" in t for t in google.seen)


def test_a_rule_change_respeaks_only_the_chunks_whose_spoken_text_changes(project, short_article, google, capsys):
    config = load_config(project)
    first = build(config, engine="gtts")
    chunks = first.episodes[0].chunks
    google.seen.clear()
    with open(project / "podcast.toml", "a", encoding="utf-8") as settings:
        settings.write('Bruxelles = { say = "Brussel" }\n')
    report = build(load_config(project), engine="gtts")
    [episode] = report.episodes
    assert google.seen and all("Brussel" in text for text in google.seen), google.seen
    assert episode.spoken == len(google.seen) == 1 and episode.cached == chunks - 1
    from pipeline.cli import _print_build

    _print_build(load_config(project), report)
    assert f"{chunks} chunks (1 spoken, {chunks - 1} cached" in capsys.readouterr().out


# --- hearing a word ------------------------------------------------------------------------------
def test_say_speaks_with_the_shows_lexicon_once_then_from_the_cache(project, google):
    from pipeline.desk.say import say
    from pipeline.text.lexicon import parse_try

    config = load_config(project)
    before = (project / "podcast.toml").read_bytes()
    said = say(config, "Le programme PURL")
    assert said.spoken == "Le programme Peurl" and google.seen == ["Le programme Peurl"]
    assert said.path.read_bytes()[:4] == b"RIFF" and said.path.is_relative_to(project / "review")
    again = say(config, "Le programme PURL")
    assert again.cached == 1 and len(google.seen) == 1
    tried = say(config, "Zelensky", rules=(parse_try("Zelensky=Zélenski"),))
    assert tried.spoken == "Zélenski" and google.seen[-1] == "Zélenski"
    assert (project / "podcast.toml").read_bytes() == before


def test_say_try_on_the_command_line_needs_no_word_and_a_bad_rule_is_one_line(project):
    done = run_invoke(project, "say", "--try", "Zelensky=Zélenski", "--engine", "espeak")
    assert done.returncode == 0 and "« Zélenski »" in done.stdout, done.stderr
    bad = run_invoke(project, "say", "--try", "Zelensky", "--engine", "espeak")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "WORD=RESPELLING" in bad.stderr
