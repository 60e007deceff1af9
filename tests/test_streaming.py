"""Speed without giving up a guarantee: the MP3 encoded while the episode is spoken, many
articles through one request pool, and undecodable answers retried."""
from __future__ import annotations

import io
import json
import threading
import wave

import pytest
import responses

from _helpers_audio import lavfi_wav, speech_like_wav
from _helpers_project import SAMPLE, SHORT_ARTICLE, published, snapshot
from google_standin import google_mp3, google_responses
from pipeline.build import build
from pipeline.config import load_config
from pipeline.errors import SynthesisError
from pipeline.norms import meets_loudness_norm
from pipeline.sound.cache import ChunkCache
from pipeline.sound.ffmpeg import run_ffmpeg
from pipeline.sound.loudness import Mp3Settings, measure_file
from pipeline.sound.streaming import StreamingEncoder
from pipeline.sound.synthesis import Synthesizer
from test_synthesis import ScriptedEngine

RATE = 24000


def pcm_of(wav: bytes) -> bytes:
    with wave.open(io.BytesIO(wav)) as source:
        return run_ffmpeg(["-f", "wav", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", str(RATE), "pipe:1"],
                          wav).stdout if source.getframerate() != RATE else source.readframes(source.getnframes())


def stream(pcm: bytes, out, *, decide_after: float = 4.0):
    with StreamingEncoder(out, rate=RATE, settings=Mp3Settings(), decide_after=decide_after) as encoder:
        for start in range(0, len(pcm), 9600):  # in pieces, as chunks arrive
            encoder.write(pcm[start:start + 9600])
        return encoder.finish()


# --- the streamed encode -----------------------------------------------------------------------
def test_speech_of_one_level_is_encoded_while_it_arrives_to_the_norm(tmp_path):
    out = tmp_path / "out.mp3"
    result = stream(pcm_of(speech_like_wav(12.0, amplitude=0.1)), out)
    assert result is not None  # the prediction held: no second encode needed
    measured = measure_file(out)
    assert (measured.integrated, measured.true_peak) == (result.integrated, result.true_peak)
    assert meets_loudness_norm(measured.integrated, measured.true_peak)
    assert abs(measured.integrated + 16.0) <= 0.5 and measured.true_peak <= -1.0


def test_a_part_much_louder_than_the_start_sends_the_episode_down_the_safe_path(tmp_path):
    quiet = pcm_of(speech_like_wav(8.0, amplitude=0.05, seed=3))
    loud = pcm_of(speech_like_wav(8.0, amplitude=0.5, seed=4))
    assert stream(quiet + loud, tmp_path / "out.mp3") is None


def test_silence_cannot_be_streamed(tmp_path):
    silence = pcm_of(lavfi_wav("anullsrc=r=24000:cl=mono:d=6"))
    assert stream(silence, tmp_path / "out.mp3") is None


def test_a_build_with_one_much_louder_chunk_still_meets_the_norm(project):
    """The safe path in a real build: the streamed MP3 misses, the WAV is encoded again."""
    (project / "episodes" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())

    def audio_for(index, text):
        # Every chunk 20 dB down but those of one passage late in the episode, long after the
        # gain was decided: that passage is 20 dB louder than everything before it.
        mp3 = google_mp3(text)
        if "Canada" in text:
            return mp3
        return run_ffmpeg(["-f", "mp3", "-i", "pipe:0", "-af", "volume=-20dB", "-ac", "1", "-ar", "24000",
                           "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "pipe:1"], mp3).stdout

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        google_responses(mock, audio_for=audio_for)
        report = build(load_config(project), engine="gtts")
    [episode] = report.episodes
    assert episode.streamed is False
    measured = measure_file(published(project / "public", "otan-cheque-ukraine"))
    assert meets_loudness_norm(measured.integrated, measured.true_peak), measured


def test_an_ordinary_build_is_streamed(project, google):
    (project / "episodes" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    [episode] = build(load_config(project), engine="gtts").episodes
    assert episode.streamed is True
    manifest = json.loads((project / "public/episodes/otan-cheque-ukraine.json").read_text())
    measured = measure_file(published(project / "public", "otan-cheque-ukraine"))
    assert (measured.integrated, measured.true_peak) == \
        (manifest["loudness"]["integrated"], manifest["loudness"]["true_peak"])
    assert meets_loudness_norm(measured.integrated, measured.true_peak)


# --- one request pool for many articles --------------------------------------------------------
def test_two_episodes_share_one_pool_and_the_second_is_spoken_while_the_first_is_consumed(tmp_path):
    engine = ScriptedEngine(delay=lambda text: 0.02)
    first_texts = [f"premier {'x' * n}" for n in range(8)]
    second_texts = [f"second {'y' * n}" for n in range(8)]
    with Synthesizer(engine, ChunkCache(tmp_path / "cache"), jobs=3, sleep=lambda s: None) as synthesizer:
        first, second = synthesizer.stream(first_texts), synthesizer.stream(second_texts)
        consumed = []
        for pcm in first:
            consumed.append(pcm)
        # While the first episode was consumed, the pool went on with the second one's chunks.
        threading.Event().wait(0.3)
        done_early = sum(f.done() for f in second.futures.values())
        assert done_early == len(second_texts)
        assert len(list(second)) == len(second_texts)
    assert engine.peak <= 3  # one limiter for both: never more requests in flight than jobs
    assert first.stats.spoken == second.stats.spoken == 8 and synthesizer.stats.spoken == 16


def test_many_new_articles_pooled_then_interrupted_then_resumed(project, short_article):
    for name, line in (("b.txt", "La Pologne a annoncé mardi l'achat de nouveaux systèmes de défense."),
                       ("c.txt", "Les Pays-Bas suivent avec un engagement de deux cents millions d'euros.")):
        (project / "episodes" / name).write_text(f"Titre {name}\n{line}\n", encoding="utf-8")
    config = load_config(project)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.seen = []
        # Google fails for good on the third article: nothing of the build may be published.
        google_responses(mock, seen=mock.seen, status_for=lambda i: 403 if i >= 6 else 200)
        with pytest.raises(SynthesisError):
            build(config, engine="gtts")
    assert not (project / "public").exists() or snapshot(project / "public") == {}  # nothing published
    answered = set(mock.seen[:6])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.seen = []
        google_responses(mock, seen=mock.seen)
        report = build(config, engine="gtts")
    assert [e.status for e in report.episodes] == ["built"] * 3
    assert not answered & set(mock.seen)  # what was answered before came from the cache
    assert sum(e.cached for e in report.episodes) >= len(answered) > 0


# --- answers that are not audio --------------------------------------------------------------
def test_ten_percent_of_answers_undecodable_still_builds_and_caches_nothing_bad(project):
    (project / "episodes" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    bad = {"n": 0}

    def audio_for(index, text):
        if index % 10 == 3:
            bad["n"] += 1
            return b"<html><body>Before you continue to Google</body></html>"  # a consent page
        return google_mp3(text)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.seen = []
        google_responses(mock, seen=mock.seen, audio_for=audio_for)
        report = build(load_config(project), engine="gtts", warn=lambda message: None)
    [episode] = report.episodes
    assert bad["n"] >= 2 and episode.retried >= bad["n"]
    assert episode.requests == episode.spoken + episode.retried
    for path in (project / ".cache" / "chunks").rglob("*.mp3"):
        assert not path.read_bytes().startswith(b"<html")  # only audio that decodes is cached
