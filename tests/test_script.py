"""The spoken script: sections, chunk limits, intro/outro, lexicon, and the editable saved script."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from _helpers_project import SAMPLE, run_invoke
from pipeline.text.article import read_article
from pipeline.build import build
from pipeline.config import load_config
from pipeline.errors import UserError
from pipeline.text.dates import french_date
from pipeline.text.script import (build_script, load_saved_script, saved_script_path, script_from_dict,
                             script_json, script_to_dict)

DATE = datetime(2025, 12, 1, 6, tzinfo=timezone.utc)


@pytest.fixture
def sample_script(project):
    return build_script(read_article(SAMPLE), load_config(project), DATE)


def test_sample_script_has_intro_passages_outro_and_speaks_whole_sentences(sample_script):
    kinds = [s.kind for s in sample_script.sections]
    assert kinds == ["intro"] + ["passage"] * 6 + ["outro"]
    chunks = sample_script.chunks()
    assert len(chunks) <= 24
    assert all(0 < len(c) <= 200 for c in chunks)
    assert not any(ch.isdigit() for c in chunks for ch in c)
    sentences = [s for section in sample_script.sections for p in section.paragraphs for s in p.sentences]
    cut = [s for s in sentences if len(s.chunks) > 1]
    mid_sentence_ends = sum(len(s.chunks) - 1 for s in sentences)  # every chunk but a sentence's last
    assert len(cut) <= 2 and mid_sentence_ends <= 0.10 * len(chunks), [s.chunks for s in cut]


def test_intro_announces_show_title_and_date_in_words(sample_script):
    intro = " ".join(sample_script.sections[0].paragraphs[0].sentences[i].chunks[0]
                     for i in range(len(sample_script.sections[0].paragraphs[0].sentences)))
    assert "Balado" in intro and "chéquier" in intro
    assert "premier décembre deux mille vingt-cinq" in intro


def test_french_date():
    assert french_date(DATE) == "1er décembre 2025"
    assert french_date(datetime(2026, 11, 26)) == "26 novembre 2026"


def test_lexicon_applies_to_the_spoken_text_and_not_the_transcript(sample_script):
    passage = sample_script.sections[2]
    sentence = passage.paragraphs[0].sentences[0]
    assert "PURL" in sentence.written
    assert "Peurl" in " ".join(sentence.chunks) and "PURL" not in " ".join(sentence.chunks)


def test_section_titles_are_subheadings_or_first_words(project, tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# Titre\n\nLe premier paragraphe sans intertitre parle de la réunion de Bruxelles.\n\n"
                    "## Les montants\n\nLe Canada a promis une aide.\n\nLes Pays-Bas aussi, selon le ministre.\n",
                    encoding="utf-8")
    script = build_script(read_article(path), load_config(project), DATE)
    titles = [s.title for s in script.sections]
    assert titles == ["Introduction", "Le premier paragraphe sans intertitre parle de…", "Les montants", "Conclusion"]
    assert len(script.sections[2].paragraphs) == 2


def test_json_round_trip(sample_script):
    data = json.loads(script_json(sample_script, "abc"))
    assert data["source_hash"] == "abc"
    assert script_from_dict(data, SAMPLE, 200) == sample_script


def test_saved_script_is_spoken_and_a_stale_one_is_refused(project, google):
    source = project / "episodes" / SAMPLE.name
    source.write_bytes(SAMPLE.read_bytes())
    config = load_config(project)
    article = read_article(source)
    data = script_to_dict(build_script(article, config, DATE), article.source_hash)
    data["sections"][1]["paragraphs"][0][0]["chunks"] = ["Une phrase corrigée à la main par la rédaction."]
    saved_script_path(source).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_saved_script(article, config.voice.max_chars).sections[1].paragraphs[0].sentences[0].chunks == (
        "Une phrase corrigée à la main par la rédaction.",)
    build(config, engine="gtts")
    assert "Une phrase corrigée à la main par la rédaction." in google.seen

    source.write_text(source.read_text(encoding="utf-8") + "Une phrase de plus.\n", encoding="utf-8")
    with pytest.raises(UserError, match="changed after this script was saved"):
        build(config, engine="gtts")


def test_saved_script_with_an_overlong_chunk_is_refused(project, tmp_path):
    data = {"title": "T", "sections": [{"kind": "passage", "title": "T", "paragraphs": [[{"text": "x", "chunks": ["a" * 201]}]]}]}
    with pytest.raises(UserError, match="longer than 200"):
        script_from_dict(data, tmp_path / "x.script.json", 200)
    short = script_from_dict({**data, "sections": [{**data["sections"][0], "paragraphs": [[{"text": "x", "chunks": ["a" * 90]}]]}]},
                             tmp_path / "x.script.json", 200)
    assert short.chunks() == ["a" * 90]  # a script saved under the old 100-character limit still builds


def test_invoke_script_prints_json_and_write_saves_it(project):

    source = project / "episodes" / SAMPLE.name
    source.write_bytes(SAMPLE.read_bytes())
    printed = run_invoke(project, "script", "--source", str(source))
    assert printed.returncode == 0, printed.stderr
    data = json.loads(printed.stdout)
    assert [s["kind"] for s in data["sections"]][0] == "intro"
    assert all(len(c) <= 200 for s in data["sections"] for p in s["paragraphs"] for t in p for c in t["chunks"])
    written = run_invoke(project, "script", "--source", str(source), "--write")
    assert written.returncode == 0 and saved_script_path(source).exists()
    saved_script_path(source).write_text("edited by hand", encoding="utf-8")
    again = run_invoke(project, "script", "--source", str(source), "--write")
    assert again.returncode == 1 and "--force" in again.stderr
    assert saved_script_path(source).read_text(encoding="utf-8") == "edited by hand"
    forced = run_invoke(project, "script", "--source", str(source), "--write", "--force")
    assert forced.returncode == 0 and json.loads(saved_script_path(source).read_text(encoding="utf-8"))["sections"]
    assert not (project / "public").exists()  # no audio, nothing published
