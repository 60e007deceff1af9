"""Review pages: every place the voice says something else than the article is marked, and
invoke review, driven in a real Chromium, writes a rule that keeps podcast.toml's comments and
re-speaks exactly the chunks it changes."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import lxml.html
import pytest

from _helpers_project import SAMPLE, invoke_command, invoke_env, run_invoke
from google_standin import GoogleProxy
from pipeline.build import build
from pipeline.config import load_config
from pipeline.text.spans import differences

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def words(text: str) -> list[str]:
    return re.findall(r"[\w]+", text.replace("’", "'").lower())


def test_the_review_page_marks_every_normalised_form_of_the_sample(project, google):
    shutil.copy(SAMPLE, project / "episodes" / SAMPLE.name)
    build(load_config(project), engine="gtts")
    page = lxml.html.fromstring((project / "review" / "otan-cheque-ukraine.html").read_text(encoding="utf-8"))
    sentences = page.xpath("//span[@class='sentence']")
    assert len(sentences) >= 19
    for sentence in sentences:
        spoken = set(words(sentence.get("title")))
        # What is not marked is said as written: each of its words is in what the voice is given.
        unmarked = (sentence.text or "") + "".join(mark.tail or "" for mark in sentence.xpath("./span[@class='said']"))
        missing = [w for w in words(unmarked) if w not in spoken]
        assert not missing, (sentence.text_content(), sentence.get("title"), missing)
    marks = [(m.text, m.get("data-spoken"), m.get("data-kind")) for m in page.xpath("//mark")]
    assert ("PURL", "Peurl", "lexicon") in marks and marks.count(("PURL", "Peurl", "lexicon")) == 2
    for written, spoken in (("4 milliards", "quatre"), ("200 millions", "deux cents"), ("250 millions", "deux cent")):
        assert any(written.split()[0] == w and s.startswith(spoken) for w, s, _ in marks), (written, marks)
    dropped = [[cell.text_content() for cell in row.xpath("td")] for row in page.xpath("//table[@id='dropped']//tr")]
    assert ["L'accueil", "a menu, share-bar or footer word (DEBRIS_LINES)"] in dropped  # with the rule that dropped it
    flagged = page.xpath("//table[@id='flagged']//tr/@data-word")
    assert flagged[0] == "Otan" and {"Rutte", "Rubio", "PURL", "Kremlin"} <= set(flagged)
    assert "Ukraine" not in flagged and "diplomatie" not in flagged  # in the French word list
    audio = page.xpath("//audio/@src")
    assert audio and all(src.startswith("../public/episodes/otan-cheque-ukraine.") for src in audio)


@pytest.mark.parametrize("written, kind, spoken", [
    ("Le 3 décembre, 1,5 Md€ (+20 %).", "number", "un virgule cinq milliard d'euros"),
    ("M. Dupont arrive.", "abbreviation", "Monsieur"),
    ("Rendez-vous à 14 h 30.", "time", "quatorze heures trente"),
    ("La SNCF recrute.", "acronym", "S N C F"),
    ("Le programme PURL avance.", "lexicon", "Peurl"),
    ("Il habite bd Voltaire, 3 x 4.", "abbreviation", "boulevard"),
])
def test_each_difference_is_a_span_of_the_written_text_with_its_rule(written, kind, spoken):
    said, found = differences(written, lexicon={"PURL": "Peurl"})
    assert any(d.kind == kind and spoken in d.spoken for d in found), found
    for d in found:
        assert written[d.start:d.end] == d.written and d.spoken in said


def review_server(project: Path, env: dict) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen(invoke_command("review", "--port", "0", "--engine", "gtts"), cwd=project,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=invoke_env(**env))
    line = server.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+", line)
    assert found, line + server.stderr.read()
    return server, found[0]


def post(url: str, data: dict, origin: str | None = None, host: str | None = None) -> tuple[int, dict]:
    body = "&".join(f"{k}={urllib.request.quote(str(v))}" for k, v in data.items()).encode()
    headers = {name: value for name, value in (("Origin", origin), ("Host", host)) if value}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_a_rule_added_in_chromium_lands_in_podcast_toml_with_its_comments_and_respeaks_only_its_chunk(project):
    from playwright.sync_api import sync_playwright

    (project / "episodes" / "otan-bref.txt").write_text(
        "L'Otan promet un milliard pour l'Ukraine\nLes États membres de l'Otan ont durci le ton mardi à Bruxelles.\n"
        "La Norvège et la Pologne ont annoncé l'achat d'armes américaines.\n", encoding="utf-8")
    settings = project / "podcast.toml"
    before = settings.read_text(encoding="utf-8")
    with GoogleProxy() as google:
        built = run_invoke(project, "build-episode", "--engine", "gtts", **google.env())
        assert built.returncode == 0, built.stderr
        google.requests.clear()
        server, origin = review_server(project, google.env())
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(f"{origin}/otan-bref.html")
                # The transcript follows playback: the sentence at the player's time is highlighted.
                page.wait_for_function("[...document.querySelectorAll('section.part audio')].every(a => a.readyState >= 1)")
                page.evaluate("""async () => {
                    const said = [...document.querySelectorAll('.sentence')].find(s => s.textContent.startsWith('La Norvège'));
                    const audio = said.closest('section.part').querySelector('audio');
                    audio.muted = true; await audio.play(); audio.pause();
                    audio.currentTime = +said.dataset.start + 0.05; audio.dispatchEvent(new Event('timeupdate')); }""")
                playing = page.locator("section.part .sentence.playing")
                assert playing.count() == 1 and playing.text_content().startswith("La Norvège")
                row = page.locator("tr[data-word='Bruxelles']")
                row.locator("input[name=say]").fill("Brussel")
                row.locator("button[value=hear]").click()
                page.wait_for_function("document.querySelector(\"tr[data-word='Bruxelles'] .result\")"
                                       ".textContent.includes('Brussel')")
                assert google.requests == ["Brussel"] and settings.read_text(encoding="utf-8") == before
                row.locator("button[value=save]").click()
                page.wait_for_function("document.querySelector(\"tr[data-word='Bruxelles'] .result\")"
                                       ".textContent.includes('rebuilt')", timeout=120_000)
                message = row.locator(".result").text_content()
                browser.close()
            token = re.search(r'name="token" value="([^"]+)"', urllib.request.urlopen(
                f"{origin}/otan-bref.html", timeout=30).read().decode())[1]
            form = {"token": token, "slug": "otan-bref", "word": "Norvège", "say": "Norvéje"}
            assert post(f"{origin}/rule", form, origin="http://evil.example")[0] == 403
            assert post(f"{origin}/rule", {**form, "token": "guess"})[0] == 403
            assert post(f"{origin}/rule", form, host="evil.example")[0] == 403  # a rebound name, right token
            status, answer = post(f"{origin}/rule", {**form, "say": "", "read": "spelled"})
            assert status == 400 and "read" in answer["message"]  # a bad rule: one line, the file untouched
            status, answer = post(f"{origin}/rule", {**form, "word": "Bruxelles", "say": "Bruksel"})
            assert status == 400 and "already has a rule" in answer["message"]
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert settings.read_text(encoding="utf-8") == before + 'Bruxelles = "Brussel"\n'  # comments, layout kept
    respoken = google.requests[1:]
    assert respoken and all("Brussel" in text for text in respoken), google.requests
    assert f"{len(respoken)} chunk(s) re-spoken" in message and len(respoken) == 1
    feed = (project / "public" / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<item>") == 1


@pytest.mark.parametrize("header, bound, allowed", [
    ("127.0.0.1:8100", "127.0.0.1", True), ("localhost:8100", "127.0.0.1", True), ("[::1]:8100", "::1", True),
    ("[::1]", "::1", True), ("192.168.1.20:8100", "192.168.1.20", True),
    ("evil.example", "127.0.0.1", False), ("evil.example:8100", "127.0.0.1", False), ("", "127.0.0.1", False),
    ("127.0.0.1.evil.example", "127.0.0.1", False), ("[::1", "::1", False)])
def test_the_review_server_takes_only_its_own_host_names(header, bound, allowed):
    from pipeline.desk.server import host_allowed

    assert host_allowed(header, bound) is allowed
