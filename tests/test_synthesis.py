"""Synthesis: cache, order under concurrency, retries with backoff, AIMD, and the final error."""
from __future__ import annotations

import io
import random
import threading
import time
import wave

import pytest
import responses

from google_standin import google_responses
from pipeline.sound.assembly import RATE
from pipeline.sound.cache import ChunkCache, chunk_key
from pipeline.errors import SynthesisError
from pipeline.model import SpokenChunk
from pipeline.sound.synthesis import AdaptiveLimiter, RetryPolicy, Synthesizer
from pipeline.sound.engines import EspeakEngine, GttsEngine, PermanentTtsError, TransientTtsError


def tone_wav(seconds: float, frequency: int) -> bytes:
    import math

    frames = b"".join(int(8000 * math.sin(2 * math.pi * frequency * i / RATE)).to_bytes(2, "little", signed=True)
                      for i in range(int(RATE * seconds)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(RATE), out.writeframes(frames)
    return buffer.getvalue()


class ScriptedEngine:
    """A stand-in engine (we test the synthesizer here, not an engine) with scripted failures."""

    name = "scripted"

    def __init__(self, failures=None, delay=lambda text: 0.0):
        self.failures = dict(failures or {})  # text → list of exceptions to raise first
        self.delay = delay
        self.calls: list[str] = []
        self.in_flight = 0
        self.peak = 0
        self.lock = threading.Lock()

    def cache_identity(self):
        return {"engine": self.name}

    def synthesize(self, text):
        with self.lock:
            self.calls.append(text)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            pending = self.failures.get(text)
            error = pending.pop(0) if pending else None
        try:
            time.sleep(self.delay(text))
            if error:
                raise error
            # each text gets its own length, so order can be read back from the audio
            return SpokenChunk(text, tone_wav(0.1 + 0.01 * len(text), 440), "wav", self.name)
        finally:
            with self.lock:
                self.in_flight -= 1


def spoken(synth, texts):
    return list(synth.speak_in_order(texts))


def synthesizer(tmp_path, engine, **kwargs):
    kwargs.setdefault("sleep", lambda s: None)
    return Synthesizer(engine, ChunkCache(tmp_path / "cache"), **kwargs)


def seconds(pcm: bytes) -> float:
    return len(pcm) / 2 / RATE


def test_results_come_back_in_script_order_under_concurrency(tmp_path):
    texts = [f"phrase {'x' * n}" for n in range(12)]
    rng = random.Random(4)
    engine = ScriptedEngine(delay=lambda text: rng.uniform(0, 0.03))
    pcm = spoken(synthesizer(tmp_path, engine, jobs=4), texts)
    assert [round(seconds(p), 2) for p in pcm] == [round(0.1 + 0.01 * len(t), 2) for t in texts]
    assert 1 < engine.peak <= 4


def test_cache_hit_sends_nothing_and_repeated_chunks_are_spoken_once(tmp_path):
    engine = ScriptedEngine()
    first = spoken(synthesizer(tmp_path, engine), ["Bonjour.", "Merci.", "Bonjour."])
    assert sorted(engine.calls) == ["Bonjour.", "Merci."]
    again = synthesizer(tmp_path, engine)
    assert spoken(again, ["Bonjour.", "Merci."]) == first[:2]
    assert len(engine.calls) == 2 and again.stats.cached == 2 and again.stats.requests == 0


def test_cache_key_covers_everything_that_changes_the_sound(monkeypatch):
    import gtts

    def key(engine, text="Bonjour."):
        return chunk_key(engine.cache_identity(), text)

    keys = {key(GttsEngine(tld="fr")), key(GttsEngine(tld="ca")), key(GttsEngine(lang="en")),
            key(GttsEngine(tld="fr"), "Bonjour !"), key(EspeakEngine(wpm=165)), key(EspeakEngine(wpm=180)),
            key(EspeakEngine(voice="fr-be"))}
    monkeypatch.setattr(gtts, "__version__", "99.0")  # a new gTTS may speak differently
    keys.add(key(GttsEngine(tld="fr")))
    assert len(keys) == 8


def test_damaged_cache_entry_is_spoken_again(tmp_path):
    engine = ScriptedEngine()
    spoken(synthesizer(tmp_path, engine), ["Bonjour."])
    [entry] = (tmp_path / "cache").rglob("*.wav")
    entry.write_bytes(entry.read_bytes()[:100])  # truncated on disk
    spoken(synthesizer(tmp_path, engine), ["Bonjour."])
    assert engine.calls == ["Bonjour.", "Bonjour."]


def test_cache_entry_that_does_not_decode_is_spoken_again(tmp_path):
    engine = ScriptedEngine()
    cache = ChunkCache(tmp_path / "cache")
    key = chunk_key(engine.cache_identity(), "Bonjour.")
    cache.put(key, SpokenChunk("Bonjour.", b"RIFF not really a wave file" * 10, "wav", "scripted"))
    pcm = spoken(Synthesizer(engine, cache), ["Bonjour."])
    assert engine.calls == ["Bonjour."] and seconds(pcm[0]) > 0.1


def test_cache_writes_are_atomic_and_clear_empties_it(tmp_path):
    spoken(synthesizer(tmp_path, ScriptedEngine()), ["Un.", "Deux."])
    cache = ChunkCache(tmp_path / "cache")
    assert not list((tmp_path / "cache").rglob("*.tmp"))
    assert cache.clear() == 2 and not list((tmp_path / "cache").rglob("*.wav"))


def test_retries_with_exponential_backoff_and_retry_after(tmp_path):
    errors = [TransientTtsError("HTTP 503", status=503), TransientTtsError("reset", connection=True),
              TransientTtsError("HTTP 429", status=429, retry_after=4.0)]
    engine = ScriptedEngine({"Bonjour.": errors})
    slept = []
    synth = synthesizer(tmp_path, engine, sleep=slept.append, rng=random.Random(1),
                        retry=RetryPolicy(base_delay=1.0, max_delay=30.0))
    spoken(synth, ["Bonjour."])
    assert len(engine.calls) == 4 and synth.stats.retried == 3
    assert 0 <= slept[0] <= 1.0 and 0 <= slept[1] <= 2.0  # full jitter under 2^attempt
    assert 4.0 <= slept[2] <= 5.0  # Retry-After honoured in full, plus at most base_delay of jitter


def test_exhausted_retries_fail_with_one_clear_line_and_keep_the_rest_cached(tmp_path):
    engine = ScriptedEngine({"Bloqué.": [TransientTtsError("HTTP 429", status=429)] * 50})
    synth = synthesizer(tmp_path, engine, jobs=1, retry=RetryPolicy(base_delay=10, max_delay=10, max_total_wait=25),
                        rng=random.Random(0))
    with pytest.raises(SynthesisError) as caught:
        spoken(synth, ["Un.", "Deux.", "Bloqué."])
    message = str(caught.value)
    assert "\n" not in message and "2 chunk(s) are spoken and cached" in message and "re-run" in message
    assert "HTTP 429" in message
    assert ChunkCache(tmp_path / "cache").clear() == 2


def test_permanent_error_is_not_retried(tmp_path):
    engine = ScriptedEngine({"Non.": [PermanentTtsError("HTTP 403")]})
    with pytest.raises(SynthesisError, match="HTTP 403"):
        spoken(synthesizer(tmp_path, engine), ["Non."])
    assert engine.calls == ["Non."]


def test_limiter_halves_on_throttling_and_grows_back_one_step_at_a_time():
    limiter = AdaptiveLimiter(8)
    for _ in range(2):
        limiter.acquire()
    limiter.release(throttled=True)
    assert limiter.limit == 4
    limiter.release(throttled=True)
    assert limiter.limit == 2
    for _ in range(2):
        limiter.acquire(), limiter.release()
    assert limiter.limit == 3
    for _ in range(3):
        limiter.acquire(), limiter.release()
    assert limiter.limit == 4


def test_429_lowers_requests_in_flight(tmp_path):
    texts = [f"Phrase numéro {n}." for n in range(16)]
    failures = {text: [TransientTtsError("HTTP 429", status=429)] for text in texts[:4]}
    engine = ScriptedEngine(failures, delay=lambda text: 0.01)
    synth = synthesizer(tmp_path, engine, jobs=4)
    spoken(synth, texts)
    assert synth.limiter.lowest < 4 and synth.stats.throttled == 4
    assert len(engine.calls) == 20


def test_gtts_path_with_throttling_google_completes(tmp_path):
    """Through gTTS and the wire format: every 5th answer is a 429; the build still completes."""
    texts = [f"Voici la phrase numéro {n}." for n in range(10)]
    with responses.RequestsMock() as mock:
        counter = google_responses(mock, status_for=lambda i: 429 if i % 5 == 4 else 200)
        synth = synthesizer(tmp_path, GttsEngine(), jobs=2)
        pcm = spoken(synth, texts)
    assert len(pcm) == 10 and all(seconds(p) > 0.5 for p in pcm)
    assert synth.stats.throttled >= 1 and counter["n"] < 2 * len(texts)


def test_retry_after_longer_than_max_delay_is_honoured_in_full():
    policy = RetryPolicy(base_delay=0.5, max_delay=30.0)
    assert 60.0 <= policy.delay(0, 60.0, random.Random(0)) <= 60.5


def test_backoff_wait_ends_when_the_build_stops(tmp_path):
    # Retry-After makes the wait 30 s at least (a full-jitter backoff alone may draw a few ms and
    # retry before the stop, which made this test fail about once in 150 runs)
    engine = ScriptedEngine({"Lent.": [TransientTtsError("HTTP 503", status=503, retry_after=30.0)] * 5})
    synth = Synthesizer(engine, ChunkCache(tmp_path / "cache"), retry=RetryPolicy(base_delay=30, max_delay=30))
    threading.Timer(0.2, synth._stop.set).start()
    with pytest.raises(SynthesisError, match="stopped"):
        spoken(synth, ["Lent."])
    assert len(engine.calls) == 1  # it did not sit out a 30-second backoff and try again
