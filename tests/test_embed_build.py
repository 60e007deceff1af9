"""What a build publishes for the embeddable player (issue 22): embed.js/embed.css, and for each
published episode its data, its article's lookup file, an iframe page and an oEmbed answer; none
for a draft, removed with a retired episode, rewritten only when what they show changed."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import lxml.html

from _helpers_feed import BASE_URL, make_config, write_episode
from _helpers_project import SHORT_ARTICLE, snapshot
from pipeline import layout
from pipeline.build import build, project_lock, publish_site, rebuild_feed
from pipeline.catalogue import load_catalogue
from pipeline.config import AnalyticsConfig, load_config
from pipeline.player import HOME
from pipeline.player.urls import lookup_hash, normalise_url
from pipeline.publish.validate import validate_public

LE_MONDE = "http://www.lemonde.fr/international/article/2025/03/14/otan_6581234_3210.html/?xtor=RSS-3208#top"
LIBERATION = "https://www.liberation.fr/politique/municipales-2026_ABC/?utm_source=twitter"
STRICT = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
          "media-src 'self'; base-uri 'none'; form-action 'none'")


def show(root: Path, urls: dict[int, str | None], **config_changes):
    config = replace(make_config(root), **config_changes)
    for number, url in urls.items():
        write_episode(config.public_dir, number, source_url=url)
    rebuild_feed(config)
    return config


def republish(config):
    """A build with nothing new to speak: the documents whose inputs changed, as every build does."""
    with project_lock(config):
        _, commit = publish_site(config, load_catalogue(config.public_dir, config.cache_dir))
    return commit.published


def lookup_of(url: str) -> str:
    return layout.embed_lookup(lookup_hash(normalise_url(url)))


def embed_files(public: Path) -> set[str]:
    return {p.relative_to(public).as_posix() for p in (public / "embed").rglob("*") if p.is_file()}


def read_json(public: Path, relative: str) -> dict:
    return json.loads((public / relative).read_text(encoding="utf-8"))


# --- what is published ---------------------------------------------------------------------------
def test_each_published_episode_has_its_data_page_oembed_and_lookup_file(tmp_path):
    config = show(tmp_path, {1: LE_MONDE, 2: None})
    public = config.public_dir
    assert embed_files(public) == {"embed/episode-1.json", "embed/episode-1.html", "embed/episode-1.oembed.json",
                                   "embed/episode-2.json", "embed/episode-2.html", "embed/episode-2.oembed.json",
                                   lookup_of(LE_MONDE)}  # episode 2 has no article URL: no lookup file
    for name in layout.EMBED_ASSETS:
        assert (public / name).read_bytes() == (HOME / name).read_bytes()
    assert validate_public(config, public, check_loudness=False) == []


def test_validate_names_a_missing_player_page(tmp_path):
    config = show(tmp_path, {1: LE_MONDE})
    (config.public_dir / "embed/episode-1.html").unlink()
    problems = validate_public(config, config.public_dir, check_loudness=False)
    assert [p for p in problems if "embed/episode-1.html: missing" in p] == problems and len(problems) == 1


def test_the_episode_data_is_the_contract_object_with_absolute_urls(tmp_path):
    config = show(tmp_path, {1: LE_MONDE})
    public = config.public_dir
    data = read_json(public, "embed/episode-1.json")
    manifest = read_json(public, "episodes/episode-1.json")
    assert data == {
        "v": 1, "slug": "episode-1",
        "url": "https://www.lemonde.fr/international/article/2025/03/14/otan_6581234_3210.html",
        "title": manifest["title"], "show": config.show.title,
        "page": f"{BASE_URL}/episodes/episode-1.html",
        "audio": f"{BASE_URL}/{manifest['files']['audio']}", "download": f"{BASE_URL}/{manifest['files']['audio']}",
        "type": "audio/mpeg", "duration": manifest["duration_seconds"],
        "vtt": f"{BASE_URL}/{manifest['files']['vtt']}", "image": f"{BASE_URL}/cover.png",
        "chapters": [{"start": 0.0, "title": "Introduction"}, {"start": 1.0, "title": "Article"}],
        "disclosure": "Cet article est lu par une voix de synthèse : espeak-ng.",
    }
    assert read_json(public, lookup_of(LE_MONDE)) == data
    for variant in (LE_MONDE.replace("http:", "https:").split("?")[0], LE_MONDE + "&utm_medium=social"):
        assert lookup_of(variant) == lookup_of(LE_MONDE)


def test_the_audio_goes_through_the_analytics_prefix_and_the_iframe_page_allows_it(tmp_path):
    config = show(tmp_path, {1: LIBERATION}, analytics=AnalyticsConfig(prefix="https://op3.dev/e/"))
    public = config.public_dir
    data = read_json(public, "embed/episode-1.json")
    audio = read_json(public, "episodes/episode-1.json")["files"]["audio"]
    assert data["audio"] == f"https://op3.dev/e/balado.example/podcast/{audio}"
    assert data["download"] == data["audio"]  # a download is counted too, as the pages' link is
    assert "media-src 'self' https://op3.dev https://balado.example;" in csp_of(public / "embed/episode-1.html")


def csp_of(page: Path) -> str:
    doc = lxml.html.fromstring(page.read_bytes())
    [meta] = [m for m in doc.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    return meta.get("content")


def test_the_iframe_page_is_the_player_alone_under_a_strict_policy(tmp_path):
    config = show(tmp_path, {1: LE_MONDE})
    page = config.public_dir / "embed/episode-1.html"
    doc = lxml.html.fromstring(page.read_bytes())
    assert csp_of(page) == STRICT
    assert [s.get("src") for s in doc.iter("script")] == ["../embed.js"]
    assert all(s.text is None or not s.text.strip() for s in doc.iter("script"))  # nothing inline
    assert not list(doc.iter("style")) and not doc.xpath("//*[@style or @onclick or @onload]")
    assert [link.get("href") for link in doc.iter("link") if link.get("rel") == "stylesheet"] == ["../embed.css"]
    [player] = doc.xpath("//div[@data-balado-player]")
    assert (player.get("data-balado-episode"), player.get("data-balado-article")) == ("episode-1", "#transcript")
    assert player.get("data-balado-follow") == ""  # sticks on top, the sentence read kept in view below it
    [transcript] = doc.xpath("//section[@id='transcript']")
    assert [p.text_content() for p in transcript.iter("p")] == ["Bonjour."]
    assert doc.get("lang") == "fr"


def test_the_oembed_answer_is_a_rich_iframe_of_the_player_page_found_from_the_episode_page(tmp_path):
    config = show(tmp_path, {1: LE_MONDE})
    public = config.public_dir
    episode_page = lxml.html.fromstring((public / "episodes/episode-1.html").read_bytes())
    [link] = [l for l in episode_page.iter("link") if l.get("type") == "application/json+oembed"]
    assert link.get("rel") == "alternate" and link.get("href") == f"{BASE_URL}/embed/episode-1.oembed.json"
    answer = read_json(public, link.get("href")[len(BASE_URL) + 1:])
    assert {k: answer[k] for k in ("version", "type", "provider_name", "provider_url", "author_name")} == {
        "version": "1.0", "type": "rich", "provider_name": config.show.title, "provider_url": BASE_URL + "/",
        "author_name": "Jeanne Rédactrice"}
    assert answer["title"] == read_json(public, "episodes/episode-1.json")["title"]
    assert answer["thumbnail_url"] == f"{BASE_URL}/cover.png"
    assert (answer["thumbnail_width"], answer["thumbnail_height"]) == (1400, 1400)
    [iframe] = lxml.html.fragments_fromstring(answer["html"])
    assert iframe.tag == "iframe" and iframe.get("src") == f"{BASE_URL}/embed/episode-1.html"
    assert iframe.get("title") == f"Écouter « {answer['title']} »"
    assert (iframe.get("width"), iframe.get("height")) == (str(answer["width"]), str(answer["height"]))


def test_two_episodes_of_one_article_share_its_lookup_file_the_newest_wins(tmp_path):
    config = show(tmp_path, {1: LE_MONDE, 2: LE_MONDE.replace("http:", "https:") + "&fbclid=x"})
    public = config.public_dir
    assert [f for f in embed_files(public) if "/lookup/" in f] == [lookup_of(LE_MONDE)]
    assert read_json(public, lookup_of(LE_MONDE))["slug"] == "episode-2"


# --- what a build rewrites -----------------------------------------------------------------------
def rendered_now(config) -> list[str]:
    """The documents a build would render now (not merely those whose bytes end up different)."""
    from pipeline.publish.cover import stage_cover
    from pipeline.publish.documents import load_state, site_documents, stage_documents
    from pipeline.publish.staging import StagedSite

    with StagedSite(config.public_dir) as site:
        documents = site_documents(config, load_catalogue(config.public_dir, config.cache_dir), site,
                                   cover=stage_cover(config, site))
        return stage_documents(site, documents, load_state(config))[1]


def test_a_build_with_nothing_new_renders_and_rewrites_no_player_file(tmp_path):
    config = show(tmp_path, {1: LE_MONDE, 2: LIBERATION})
    before = snapshot(config.public_dir)
    assert rendered_now(config) == []
    assert republish(config) == []
    assert snapshot(config.public_dir) == before


def test_a_changed_episode_renders_its_own_player_files_again(tmp_path):
    config = show(tmp_path, {1: LE_MONDE, 2: LIBERATION})
    public = config.public_dir
    before = snapshot(public)
    write_episode(public, 2, source_url=LIBERATION, title="Municipales : ce qui change")
    assert {p for p in rendered_now(config) if layout.is_embed(p)} == {
        "embed/episode-2.json", "embed/episode-2.html", "embed/episode-2.oembed.json", lookup_of(LIBERATION)}
    republish(config)
    assert read_json(public, lookup_of(LIBERATION))["title"] == "Municipales : ce qui change"
    assert "Municipales : ce qui change" in (public / "embed/episode-2.html").read_text(encoding="utf-8")
    assert all(snapshot(public)[name] == before[name] for name in before if "episode-1" in name
               or name == lookup_of(LE_MONDE))


def test_a_new_episode_renders_only_its_own_player_files(tmp_path):
    config = show(tmp_path, {1: LE_MONDE, 2: None})
    public = config.public_dir
    before = snapshot(public)
    write_episode(public, 3, source_url=LIBERATION)
    published = set(republish(config))
    assert {p for p in published if layout.is_embed(p)} == {
        "embed/episode-3.json", "embed/episode-3.html", "embed/episode-3.oembed.json", lookup_of(LIBERATION)}
    untouched = [f for f in before if layout.is_embed(f)]
    assert all(snapshot(public)[name] == before[name] for name in untouched)


def test_a_changed_embed_js_is_copied_again_and_nothing_else_of_the_player(tmp_path, monkeypatch):
    config = show(tmp_path, {1: LE_MONDE})
    home = tmp_path / "player"
    shutil.copytree(HOME, home, ignore=shutil.ignore_patterns("__pycache__"))
    (home / "embed.js").write_text("/* une nouvelle version du lecteur */\n", encoding="utf-8")
    monkeypatch.setattr("pipeline.player.HOME", home)
    assert [p for p in republish(config) if layout.is_embed(p)] == ["embed.js"]
    assert (config.public_dir / "embed.js").read_text(encoding="utf-8") == "/* une nouvelle version du lecteur */\n"


# --- drafts and retired episodes -----------------------------------------------------------------
DRAFT = ("+++\nstatus = \"draft\"\ntitle = \"La Pologne commande des chars\"\n"
         f"source_url = \"{LIBERATION}\"\n+++\n"
         "Varsovie a signé jeudi une commande de chars auprès de Séoul pour son armée.\n"
         "La livraison des premiers blindés est prévue au printemps prochain selon le ministère.\n")


def with_url(text: str, url: str) -> str:
    return f"+++\nsource_url = \"{url}\"\n+++\n" + text


def test_an_articles_canonical_address_gets_its_own_lookup_file(project, offline):
    """Ingest records where the feed's link led (source_url) and, when the page names another,
    its canonical address: the player looks up the page's canonical link, so both find it."""
    canonical = "https://www.ouest-france.fr/bretagne/rennes-35000/metro-ligne-b-7c1e2f3a"
    final = "https://amp.ouest-france.fr/bretagne/rennes-35000/metro-ligne-b-7c1e2f3a?utm_source=rss"
    front = f"+++\nsource_url = \"{final}\"\ncanonical_url = \"{canonical}\"\n+++\n"
    (project / "episodes" / "otan-bref.txt").write_text(front + SHORT_ARTICLE, encoding="utf-8")
    build(load_config(project), engine="espeak")
    public = project / "public"
    assert read_json(public, "episodes/otan-bref.json")["canonical_url"] == canonical
    assert {f for f in embed_files(public) if "/lookup/" in f} == {lookup_of(canonical), lookup_of(final)}
    by_canonical, by_final = read_json(public, lookup_of(canonical)), read_json(public, lookup_of(final))
    assert (by_canonical["url"], by_final["url"]) == (normalise_url(canonical), normalise_url(final))
    assert by_canonical["slug"] == by_final["slug"] == "otan-bref"
    assert {k: v for k, v in by_canonical.items() if k != "url"} == {k: v for k, v in by_final.items() if k != "url"}
    assert read_json(public, "embed/otan-bref.json")["url"] == normalise_url(canonical)


def test_a_draft_never_gets_player_files(project, offline):
    (project / "episodes" / "otan-bref.txt").write_text(with_url(SHORT_ARTICLE, LE_MONDE), encoding="utf-8")
    (project / "episodes" / "pologne-chars.txt").write_text(DRAFT, encoding="utf-8")
    config = load_config(project)
    assert build(config, engine="espeak").drafts == ["pologne-chars"]
    public = project / "public"
    published = {"embed/otan-bref.json", "embed/otan-bref.html", "embed/otan-bref.oembed.json", lookup_of(LE_MONDE)}
    assert embed_files(public) == published
    assert not list((project / "review").rglob("embed*"))
    # A published episode is never taken back to a draft by its front matter: its player stays with
    # its place in the feed.
    marked = "+++\nstatus = \"draft\"\n" + with_url(SHORT_ARTICLE, LE_MONDE)[len("+++\n"):]
    (project / "episodes" / "otan-bref.txt").write_text(marked, encoding="utf-8")
    build(config, engine="espeak")
    assert "otan-bref" in (public / "feed.xml").read_text(encoding="utf-8") and embed_files(public) == published


def test_a_retired_episode_loses_its_player_files_and_the_others_keep_theirs(project, offline):
    (project / "episodes" / "otan-bref.txt").write_text(with_url(SHORT_ARTICLE, LE_MONDE), encoding="utf-8")
    second = project / "episodes" / "pologne.txt"
    second.write_text(with_url("La Pologne s'équipe\nLa Pologne a annoncé mardi l'achat de nouveaux systèmes "
                               "de défense.\n", LIBERATION), encoding="utf-8")
    config = load_config(project)
    build(config, engine="espeak")
    public = project / "public"
    kept = {"embed/otan-bref.json", "embed/otan-bref.html", "embed/otan-bref.oembed.json", lookup_of(LE_MONDE)}
    assert embed_files(public) == kept | {"embed/pologne.json", "embed/pologne.html", "embed/pologne.oembed.json",
                                          lookup_of(LIBERATION)}
    before = snapshot(public)
    second.unlink()
    assert build(config, engine="espeak").retired == ["pologne"]
    assert embed_files(public) == kept
    assert all(snapshot(public)[name] == before[name] for name in kept)
    assert validate_public(config, public, check_loudness=False) == []


def test_a_title_with_quotes_and_markup_stays_inside_the_iframes_title(tmp_path):
    from pipeline.player.pages import iframe_html

    config = make_config(tmp_path)
    manifest = write_episode(config.public_dir, 1, title='Le « oui » du "maire" <script>alert(1)</script> & co')
    [iframe] = lxml.html.fragments_fromstring(iframe_html(config, manifest))
    assert iframe.tag == "iframe" and not list(iframe)
    assert iframe.get("title") == 'Écouter « Le « oui » du "maire" & co »'
