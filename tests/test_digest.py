"""The daily digest: the day's episodes in one programme, made from their cached audio."""
from __future__ import annotations

import io
import json
from datetime import date

import feedparser
import podcastparser
import pytest
from lxml import etree

from _helpers_project import cut_at_every_rename, published, run_invoke
from pipeline.build import build
from pipeline.config import load_config
from pipeline.digest import build_digest, headlines
from pipeline.publish.site import read_vtt_cues
from pipeline.publish.validate import validate_public
from pipeline.sound.tags import read_chapters

DAY = date(2025, 12, 3)
ARTICLES = {
    "otan": ("07:00", "L'Otan sort le chéquier", "Les ministres de la Défense ont promis un milliard d'euros à l'Ukraine."),
    "pologne": ("09:30", "La Pologne s'équipe", "Varsovie a signé mardi une commande de systèmes de défense aérienne."),
    "tramway": ("11:15", "Le tramway arrive à Tours", "La nouvelle ligne desservira le centre-ville dès le printemps."),
}


def write_articles(project, day=DAY):
    for slug, (hour, title, text) in ARTICLES.items():
        (project / "episodes" / f"{slug}.txt").write_text(
            f'+++\ndate = {day.isoformat()}T{hour}:00\n+++\n{title}\n{text}\n', encoding="utf-8")


def with_settings(project, extra: str):
    toml = project / "podcast.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return load_config(project)


@pytest.fixture
def day_built(project, google):
    """Three articles of the same day, built as episodes through the Google stand-in."""
    write_articles(project)
    build(load_config(project), engine="gtts")
    google.seen.clear()
    return project


def test_a_digest_sends_only_its_own_words_and_plays_the_articles_from_the_cache(day_built, google):
    config = load_config(day_built)
    report = build_digest(config, on=DAY, engine="gtts")
    assert report.status == "built" and report.slug == "journal-2025-12-03"
    assert report.members == ("otan", "pologne", "tramway")  # oldest first: the day in order
    episode = report.episode
    # Only the intro, the three announcements and the outro were asked for.
    assert 0 < len(google.seen) == episode.requests <= 12
    assert all(not any(text in sent for text in ("milliard", "Varsovie", "centre-ville")) for sent in google.seen)
    assert episode.cached >= 3  # the articles' own chunks
    # The digest's intro discloses the synthetic voice once (the show's sentence: several
    # articles), naming the one that speaks it.
    # Requests leave from a pool, so their order says nothing: the transcript says where it is.
    [said] = [sent for sent in google.seen if "voix de synthèse" in sent]
    assert "Les articles sont lus par une voix de synthèse : Google Traduction." in said
    manifest = json.loads((day_built / "public/episodes/journal-2025-12-03.json").read_text())
    cues = read_vtt_cues(published(day_built / "public", "journal-2025-12-03", "vtt").read_text())
    first_article = next(c["start"] for c in manifest["chapters"] if c["title"] == "L'Otan sort le chéquier")
    disclosed = [start for start, text in cues if "voix de synthèse" in text]
    assert len(disclosed) == 1 and disclosed[0] < first_article  # once, in the intro
    assert manifest["kind"] == "digest" and manifest["members"] == ["otan", "pologne", "tramway"]
    titles = [c["title"] for c in manifest["chapters"]]
    assert titles == ["Au sommaire", "L'Otan sort le chéquier", "La Pologne s'équipe", "Le tramway arrive à Tours",
                      "Conclusion"]
    chapters = json.loads(published(day_built / "public", "journal-2025-12-03", "chapters").read_text())["chapters"]
    assert [c.get("url", "").rsplit("/", 1)[-1] for c in chapters[1:4]] == ["otan.html", "pologne.html", "tramway.html"]
    # Chapter art: the show's cover, at an address the site serves.
    base = config.show.base_url.rstrip("/") + "/"
    [image] = {c.get("img") for c in chapters}
    assert image.startswith(base) and image[len(base):] in ("cover.png", "cover.jpg")
    assert (day_built / "public" / image[len(base):]).is_file()
    article_chapters = json.loads(published(day_built / "public", "otan", "chapters").read_text())["chapters"]
    assert all("img" not in c for c in article_chapters)
    id3 = read_chapters(published(day_built / "public", "journal-2025-12-03"))
    assert [c.title for c in id3] == titles and id3[1].url.endswith("/episodes/otan.html")
    assert validate_public(config, day_built / "public", check_loudness=True) == []


def test_a_digest_speaks_the_editors_words_from_the_cache(project, google):
    """A member whose saved script was edited by hand before it was first spoken: its episode speaks
    the edit, and so does the digest, from the cache (none of the member's words sent again; the
    original sentence never) and in its transcript."""
    from pipeline import cli
    from pipeline.publish.site import read_vtt_cues

    write_articles(project)
    cli.script(str(project), source=str(project / "episodes" / "pologne.txt"), write=True)
    saved = project / "episodes" / "pologne.script.json"
    assert "signé mardi" in saved.read_text(encoding="utf-8")
    saved.write_text(saved.read_text(encoding="utf-8").replace("signé mardi", "signé lundi"), encoding="utf-8")
    config = load_config(project)
    build(config, engine="gtts")
    assert [sent for sent in google.seen if "Varsovie" in sent] == ["Varsovie a signé lundi une commande de "
                                                                     "systèmes de défense aérienne."]
    google.seen.clear()
    assert build_digest(config, on=DAY, engine="gtts").status == "built"
    assert google.seen and not [sent for sent in google.seen if any(
        text in sent for text in ("milliard", "Varsovie", "centre-ville"))]
    transcript = " ".join(text for _, text in read_vtt_cues(
        published(project / "public", "journal-2025-12-03", "vtt").read_text(encoding="utf-8")))
    assert "Varsovie a signé lundi" in transcript and "mardi" not in transcript


def test_the_intro_says_the_date_and_the_headlines(day_built, google):
    build_digest(load_config(day_built), on=DAY, engine="gtts")
    manifest = json.loads((day_built / "public/episodes/journal-2025-12-03.json").read_text())
    first_article = sorted(c["start"] for c in manifest["chapters"])[1]
    cues = read_vtt_cues(published(day_built / "public", "journal-2025-12-03", "vtt").read_text(encoding="utf-8"))
    intro = " ".join(text for start, text in cues if start < first_article)
    assert "3 décembre 2025" in intro and "Au sommaire" in intro and "Pologne" in intro
    assert any("Le journal du trois décembre deux mille vingt-cinq." in sent for sent in google.seen)  # as said
    assert headlines(["a", "b", "c"]) == "a ; b ; et c" and headlines(["a"]) == "a"


def test_the_same_days_digest_rebuilt_is_the_same_episode(day_built, google):
    config = load_config(day_built)
    first = build_digest(config, on=DAY, engine="gtts")
    manifest = json.loads((day_built / "public/episodes/journal-2025-12-03.json").read_text())
    assert build_digest(config, on=DAY, engine="gtts").status == "up to date"
    article = day_built / "episodes" / "tramway.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("printemps", "mois de mars"), encoding="utf-8")
    build(config, engine="gtts")
    again = build_digest(config, on=DAY, engine="gtts")
    assert again.status == "built" and first.status == "built"
    after = json.loads((day_built / "public/episodes/journal-2025-12-03.json").read_text())
    assert (after["guid"], after["episode_number"], after["pub_date"]) == \
        (manifest["guid"], manifest["episode_number"], manifest["pub_date"])
    assert after["files"]["audio"] != manifest["files"]["audio"]
    items = feedparser.parse((day_built / "public/feed.xml").read_bytes()).entries
    assert [e.id for e in items].count(manifest["guid"]) == 1


def test_a_day_without_episodes_has_no_digest(day_built, google):
    report = build_digest(load_config(day_built), on=date(2025, 12, 4), engine="gtts")
    assert report.status == "empty" and google.seen == []


def test_a_digest_feed_of_its_own(day_built, google):
    config = with_settings(day_built, "[digest]\nfeed = \"digest\"\n")
    build_digest(config, on=DAY, engine="gtts")
    public = day_built / "public"
    main = feedparser.parse((public / "feed.xml").read_bytes())
    own = feedparser.parse((public / "digest.xml").read_bytes())
    # The feed's title leaves the day to pubDate (the page and the audio still say it).
    assert own.bozo == 0 and [e.title for e in own.entries] == ["Le journal"]
    assert "Le journal" not in [e.title for e in main.entries] and len(main.entries) == 3
    assert own.entries[0].summary.endswith("Les articles sont lus par une voix de synthèse : Google Traduction (gTTS).")
    assert own.feed.title == "Balado — l'actualité à écouter — le journal"
    with open(public / "digest.xml", "rb") as stream:
        gpodder = podcastparser.parse(config.show.base_url + "/digest.xml", stream)
    [item] = gpodder["episodes"]
    audio = published(public, "journal-2025-12-03")
    assert item["enclosures"][0]["file_size"] == audio.stat().st_size
    assert gpodder["cover_url"].endswith("/digest-cover.png") and (public / "digest-cover.png").is_file()
    ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
    guids = [etree.parse(str(public / name)).findtext("channel/podcast:guid", namespaces=ns)
             for name in ("feed.xml", "digest.xml")]
    assert guids[0] != guids[1]
    assert validate_public(config, public, check_loudness=False) == []


# --- episode numbers --------------------------------------------------------------------------
def feed_numbers(public, feed="feed.xml") -> dict[str, int]:
    """itunes:episode of every item of the feed, by title (each title once: a second would be a duplicate)."""
    ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
    items = etree.parse(str(public / feed)).findall("channel/item")
    numbers = {item.findtext("title"): int(item.findtext("itunes:episode", namespaces=ns)) for item in items}
    assert len(numbers) == len(items)
    return numbers


@pytest.mark.parametrize("first, ledger", [("article", "kept"), ("digest", "kept"), ("article", "lost")])
def test_a_number_once_given_is_never_given_again(day_built, google, first, ledger):
    """Retire the highest number (tramway, 3), then number a new article and the day's digest (in
    either order), then bring tramway back: every number once, and each kept by every rebuild.
    With the ledger lost (or a show older than it), the retired record still holds number 3."""
    from pipeline.build import rebuild_feed
    from pipeline.sources.commands import remove

    config, public = load_config(day_built), day_built / "public"
    tramway = (day_built / "episodes" / "tramway.txt").read_text(encoding="utf-8")
    assert sorted(feed_numbers(public).values()) == [1, 2, 3]
    remove(config, "tramway")
    build(config, engine="gtts")
    assert "Le tramway arrive à Tours" not in feed_numbers(public)
    if ledger == "lost":
        (day_built / "episodes" / "numbers.json").unlink()
    for step in (first, *({"article", "digest"} - {first})):
        if step == "article":
            (day_built / "episodes" / "velo.txt").write_text(
                f"+++\ndate = {DAY.isoformat()}T12:00:00\n+++\nLe vélo gagne Lyon\nLes pistes doublent en un an.\n",
                encoding="utf-8")
            build(config, engine="gtts")
        else:
            build_digest(config, on=DAY, engine="gtts")
    given = feed_numbers(public)
    assert sorted(given.values()) == [1, 2, 4, 5]  # 3 stays tramway's, retired or not
    (day_built / "episodes" / "tramway.txt").write_text(tramway, encoding="utf-8")
    build(config, engine="gtts")
    given["Le tramway arrive à Tours"] = 3  # back as the same episode
    assert feed_numbers(public) == given
    build_digest(config, on=DAY, engine="gtts")  # the digest made again with tramway among its articles
    build(config, engine="gtts", force=True)
    rebuild_feed(config)
    assert feed_numbers(public) == given
    assert validate_public(config, public, check_loudness=False) == []


def test_invoke_digest_prints_one_line(day_built, google):
    result = run_invoke(day_built, "digest", "--date", "2025-12-04")
    assert result.returncode == 0 and result.stdout.strip() == \
        "no digest for journal-2025-12-04: no episode was published in that period"
    bad = run_invoke(day_built, "digest", "--date", "hier")
    assert bad.returncode == 1 and "--date takes a date such as 2026-11-27" in bad.stderr


# --- the show's sound ---------------------------------------------------------------------------
def loud_music(path):
    """A chord near full scale: music far louder than any voice."""
    from pipeline.sound.ffmpeg import run_ffmpeg

    run_ffmpeg(["-f", "lavfi", "-i", "aevalsrc=0.3*sin(2*PI*220*t)+0.3*sin(2*PI*277*t)+0.3*sin(2*PI*330*t):d=6:s=44100",
                "-ac", "2", "-y", str(path)])
    return path


def test_a_digest_with_loud_music_meets_the_norm_and_its_chapters_follow_the_music(day_built, google):
    from pipeline.publish.site import read_vtt_cues
    from pipeline.sound.loudness import measure_file
    from pipeline.sound.music import write_sting

    sounds = day_built / "sounds"
    sounds.mkdir()
    loud_music(sounds / "generique.wav")
    write_sting(sounds / "sting.wav")
    toml = day_built / "podcast.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "[audio]\n", '[audio]\nintro_music = "sounds/generique.wav"\noutro_music = "sounds/generique.wav"\n'
                     'transition_sting = "sounds/sting.wav"\n'), encoding="utf-8")
    config = load_config(day_built)
    report = build_digest(config, on=DAY, engine="gtts")
    assert report.status == "built"
    audio = published(day_built / "public", "journal-2025-12-03")
    measured = measure_file(audio)
    assert abs(measured.integrated + 16) <= 1.0 and measured.true_peak <= -1.0, measured
    chapters = json.loads(published(day_built / "public", "journal-2025-12-03", "chapters").read_text())["chapters"]
    cues = read_vtt_cues(published(day_built / "public", "journal-2025-12-03", "vtt").read_text())
    assert chapters[0]["startTime"] == 0 and cues[0][0] >= 3.0  # the music plays alone first
    # The second article's chapter starts with the sting, before its first words.
    second = chapters[2]["startTime"]
    first_words = min(start for start, _ in cues if start >= second)
    assert first_words - second >= 2.0
    # A new music file is a new recipe: the digest is made again.
    loud_music(sounds / "generique.wav")
    (sounds / "generique.wav").write_bytes((sounds / "generique.wav").read_bytes()[:-4000])
    assert build_digest(config, on=DAY, engine="gtts").status == "built"


# --- the ledger of numbers (episodes/numbers.json) ------------------------------------------------
def guids(public) -> dict[str, str]:
    items = etree.parse(str(public / "feed.xml")).findall("channel/item")
    return {item.findtext("title"): item.findtext("guid") for item in items}


def velo(project, day="2025-12-02"):
    """A new article dated before the others: the order of the dates is not the order of the numbers."""
    (project / "episodes" / "velo.txt").write_text(
        f"+++\ndate = {day}T12:00:00\n+++\nLe vélo gagne Lyon\nLes pistes doublent en un an.\n", encoding="utf-8")


def test_a_retired_record_deleted_brings_the_episode_back_with_its_number_and_guid(day_built, google):
    """Retire tramway (3, the highest), add an article, then delete tramway's record from
    retired.json and bring its article back: 3 and the same GUID again, and the article built
    meanwhile never took 3."""
    from pipeline.sources.commands import remove

    config, public = load_config(day_built), day_built / "public"
    tramway = (day_built / "episodes" / "tramway.txt").read_text(encoding="utf-8")
    before, guid = feed_numbers(public), guids(public)["Le tramway arrive à Tours"]
    remove(config, "tramway")
    build(config, engine="gtts")
    velo(day_built)
    build(config, engine="gtts")
    assert feed_numbers(public)["Le vélo gagne Lyon"] == 4
    retired = day_built / "episodes" / "retired.json"
    records = json.loads(retired.read_text(encoding="utf-8"))
    del records["tramway"]
    retired.write_text(json.dumps(records), encoding="utf-8")
    (day_built / "episodes" / "tramway.txt").write_text(tramway, encoding="utf-8")
    build(config, engine="gtts")
    assert feed_numbers(public) == {**before, "Le vélo gagne Lyon": 4}
    assert guids(public)["Le tramway arrive à Tours"] == guid
    assert validate_public(config, public, check_loudness=False) == []


def test_public_and_the_cache_lost_every_episode_takes_its_old_number(day_built, google):
    import shutil

    from pipeline.sources.commands import remove

    config, public = load_config(day_built), day_built / "public"
    velo(day_built)
    build(config, engine="gtts")
    remove(config, "pologne")  # 2 stays given: the others must not move down to it
    build(config, engine="gtts")
    build_digest(config, on=DAY, engine="gtts")  # the digest is in feed.xml, numbered with the articles
    before = feed_numbers(public)
    assert sorted(before.values()) == [1, 3, 4, 5]
    shutil.rmtree(public)
    shutil.rmtree(day_built / ".cache")
    build(config, engine="gtts")
    build_digest(config, on=DAY, engine="gtts")
    assert feed_numbers(public) == before


def ledger_numbers(project) -> dict[str, int]:
    kinds = json.loads((project / "episodes" / "numbers.json").read_text(encoding="utf-8"))["kinds"]
    return {slug: n for kind in kinds.values() for slug, n in kind["numbers"].items()}


def test_a_build_cut_short_never_leads_to_a_number_given_twice(day_built, google, monkeypatch):
    """Ctrl-C right after a build published a new article, then a build of another one cut at
    every rename of its commit: at each cut the ledger already holds every number the published
    feed shows (public/ may go; the ledger stays); then public/ lost: every number once, each
    episode its own."""
    import shutil

    import pipeline.publish.documents as documents

    config, public = load_config(day_built), day_built / "public"
    slugs = {title: slug for slug, (_, title, _) in ARTICLES.items()}
    slugs |= {"Le vélo gagne Lyon": "velo", "Un zèbre à Vincennes": "zebre"}

    def ledger_knows_the_feed():
        shown = {slugs[title]: n for title, n in feed_numbers(public).items()}
        assert ledger_numbers(day_built).items() >= shown.items()
        return shown

    def ctrl_c(*_):
        raise KeyboardInterrupt

    velo(day_built)
    monkeypatch.setattr(documents, "save_state", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        build(config, engine="gtts")
    monkeypatch.undo()
    assert ledger_knows_the_feed()["velo"] == 4
    (day_built / "episodes" / "zebre.txt").write_text(
        "+++\ndate = 2025-12-01T08:00:00\n+++\nUn zèbre à Vincennes\nLe parc accueille un poulain.\n",
        encoding="utf-8")
    cut = cut_at_every_rename(monkeypatch, lambda: build(config, engine="gtts"),
                              lambda cut: ledger_knows_the_feed())
    assert cut > 3
    monkeypatch.undo()
    numbers = feed_numbers(public)
    assert sorted(numbers.values()) == [1, 2, 3, 4, 5]
    shutil.rmtree(public)
    build(config, engine="gtts")
    assert feed_numbers(public) == numbers


def test_a_digest_removed_leaves_its_feed_is_never_made_again_and_keeps_its_number(day_built, google):
    from pipeline.sources.commands import remove

    config, public = load_config(day_built), day_built / "public"
    build_digest(config, on=DAY, engine="gtts")
    assert feed_numbers(public)["Le journal"] == 4
    remove(config, "journal-2025-12-03")  # what `invoke remove journal-2025-12-03` does, then it builds
    build(config, engine="gtts")
    assert sorted(feed_numbers(public).values()) == [1, 2, 3]
    assert build_digest(config, on=DAY, engine="gtts").status == "retired"  # `invoke update`'s digest too
    result = run_invoke(day_built, "digest", "--date", DAY.isoformat())
    assert result.returncode == 0 and result.stdout.strip() == ("no digest for journal-2025-12-03: it was removed "
                                                                "(episodes/retired.json); delete its record to make it again")
    velo(day_built, day="2025-12-04")
    build(config, engine="gtts")
    build_digest(config, on=date(2025, 12, 4), engine="gtts")
    numbers = feed_numbers(public)
    assert numbers["Le vélo gagne Lyon"] == 5 and sorted(numbers.values()) == [1, 2, 3, 5, 6]
    assert validate_public(config, public, check_loudness=False) == []


def test_the_ledger_is_read_only_when_a_number_is_given_and_a_damaged_one_is_one_line(day_built, google):
    config = load_config(day_built)
    (day_built / "episodes" / "numbers.json").write_text('{"version": 1, "kinds": {"article": []}}', encoding="utf-8")
    build(config, engine="gtts")  # nothing to do
    tramway = day_built / "episodes" / "tramway.txt"
    tramway.write_text(tramway.read_text(encoding="utf-8") + "Les travaux finissent en mars.\n", encoding="utf-8")
    build(config, engine="gtts")  # tramway rebuilt: it keeps its number, none is given
    velo(day_built)
    result = run_invoke(day_built, "build-episode", "--engine", "espeak")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line, = result.stderr.strip().splitlines()
    assert "numbers.json: damaged record of episode numbers" in line
