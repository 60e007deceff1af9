"""Stage 3: speak every chunk of a script, politely and without losing work.

- Each chunk goes through the cache first; a cached chunk must decode, else it is spoken again.
- Chunks are spoken in parallel (``jobs`` in flight at most) and come back in script order.
- 429, 5xx and network errors are retried with exponential backoff and full jitter, honouring
  ``Retry-After``; a 429 also halves the number of requests in flight (AIMD), and successes
  raise it again one step at a time, so a build slows down instead of hammering Google.
- A chunk that has waited more than ``max_total_wait`` in backoff fails the build with one
  line; everything spoken so far is already cached, so re-running resumes.
"""
from __future__ import annotations

import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterator

from pipeline.sound.assembly import DecodeError, decode_to_pcm
from pipeline.sound.cache import ChunkCache, chunk_key
from pipeline.errors import SynthesisError
from pipeline.sound.engines import (SAFE_REQUEST_CHARS, PermanentTtsError, RequestTooLong, TransientTtsError,
                                    TtsEngine)
from pipeline.sound.limits import RequestLimits

# Chunks queued or held ahead of the one being assembled: enough to keep every request slot busy
# through a few round trips, a few MB of PCM whatever the episode's length.
AHEAD = 12


@dataclass
class SynthesisStats:
    spoken: int = 0
    cached: int = 0
    retried: int = 0
    requests: int = 0
    throttled: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


@dataclass(frozen=True)
class RetryPolicy:
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_total_wait: float = 120.0
    max_attempts: int = 10

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        if retry_after is not None:
            # Google said when: wait that long (a little jitter so throttled workers spread out).
            return retry_after + rng.uniform(0, self.base_delay)
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** attempt))


class _ChunkFailed(Exception):
    """One chunk could not be spoken; becomes a SynthesisError once the pool has drained."""


class AdaptiveLimiter:
    """At most ``limit`` requests in flight; halve on throttling, +1 after a window of successes."""

    def __init__(self, maximum: int):
        self.maximum = max(1, maximum)
        self.limit = self.lowest = self.maximum  # lowest: reported by the benchmark
        self.in_flight = 0
        self._successes = 0
        self._condition = threading.Condition()

    def acquire(self) -> None:
        with self._condition:
            self._condition.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1

    def release(self, *, throttled: bool = False) -> None:
        with self._condition:
            self.in_flight -= 1
            if throttled:
                self.limit = max(1, self.limit // 2)
                self.lowest = min(self.lowest, self.limit)
                self._successes = 0
            else:
                self._successes += 1
                if self._successes >= self.limit and self.limit < self.maximum:
                    self.limit += 1
                    self._successes = 0
            self._condition.notify_all()


class Synthesizer:
    """Speaks chunks with one engine through one bounded pool; returns 24 kHz mono 16-bit PCM.

    ``with Synthesizer(...) as synthesizer:`` then :meth:`stream` for each episode: every
    stream's chunks are queued at once, in order, so while one episode is assembled and encoded
    the pool is already speaking the next one's, at the same politeness (one limiter, one
    backoff) as a single episode.
    """

    def __init__(self, engine: TtsEngine, cache: ChunkCache, *, jobs: int = 4,
                 retry: RetryPolicy = RetryPolicy(), sleep: Callable[[float], object] | None = None,
                 rng: random.Random | None = None, progress: Callable | None = None,
                 limits: RequestLimits | None = None, warn: Callable[[str], object] = lambda message: None):
        self.engine, self.cache, self.retry = engine, cache, retry
        self.limits, self.warn = limits, warn
        configured = getattr(engine, "max_chars", None) or sys.maxsize  # espeak-ng takes any length
        self.limit = limits.current(configured) if limits else configured
        self._limit_lock = threading.Lock()
        self.jobs = max(1, jobs)
        self.limiter = AdaptiveLimiter(self.jobs)
        self.rng = rng or random.Random()
        self.progress = progress
        self.stats = SynthesisStats()  # every stream's, added up
        self._identity = engine.cache_identity()
        self._stop = threading.Event()
        # Backoff waits end early when the build stops (Ctrl-C, another chunk failed).
        self.sleep = sleep or self._stop.wait
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> "Synthesizer":
        # More threads than requests in flight: decoding one answer must not hold a request slot.
        self._pool = ThreadPoolExecutor(max_workers=self.jobs * 2, thread_name_prefix="tts")
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop sending, drop what is queued, and wait for the requests in flight to end."""
        self._stop.set()
        if self._pool:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def stream(self, texts: list[str]) -> "ChunkStream":
        """Queue the first chunks of ``texts`` now (the rest as they are consumed); iterate the
        result for their PCM in order."""
        return ChunkStream(self, texts, SynthesisStats())

    def submit(self, text: str, stats: SynthesisStats):
        return self._pool.submit(self._speak_one, text, stats)

    def speak_in_order(self, texts: list[str]) -> Iterator[bytes]:
        """One episode's chunks in order, through a pool of its own."""
        with self:
            yield from self.stream(texts)

    def failure(self, failure: Exception) -> SynthesisError:
        # Said after the pool has drained, so the count is what really is in the cache.
        done = self.stats.spoken + self.stats.cached
        return SynthesisError(f"{self.engine.name} could not speak a chunk ({failure}); {done} chunk(s) "
                              f"are spoken and cached, re-run the same command to resume")


    def _count(self, stats: SynthesisStats, **counts: int) -> None:
        stats.add(**counts)
        self.stats.add(**counts)

    def _speak_one(self, text: str, stats: SynthesisStats) -> bytes:
        if len(text) > self.limit:
            return self._speak_in_pieces(text, stats)  # longer than the engine takes now
        key = chunk_key(self._identity, text)
        cached = self.cache.get(key, text, self.engine.name)
        if cached is not None:
            try:
                pcm = decode_to_pcm(cached.audio, cached.format)
                self._count(stats, cached=1)
                self._advance()
                return pcm
            except DecodeError:
                self.cache.discard(key)  # damaged entry: speak it again
        try:
            chunk, pcm = self._request_with_retries(text, stats)
        except RequestTooLong as refusal:
            self._lower_limit(len(text), refusal)
            return self._speak_in_pieces(text, stats)
        self.cache.put(key, chunk)  # only audio that decodes is ever cached
        self._count(stats, spoken=1)
        self._advance()
        return pcm

    def _speak_in_pieces(self, text: str, stats: SynthesisStats) -> bytes:
        """A chunk longer than the engine's limit, in requests cut at its best breaks, joined with
        the short pause the assembly puts between the chunks of one sentence."""
        from pipeline.sound.assembly import join_pieces
        from pipeline.text.chunking import chunk_sentence

        return join_pieces([self._speak_one(piece, stats) for piece in chunk_sentence(text, self.limit)])

    def _lower_limit(self, refused: int, refusal: Exception) -> None:
        with self._limit_lock:
            if self.limit <= SAFE_REQUEST_CHARS:
                return
            self.limit = SAFE_REQUEST_CHARS
        until = self.limits.lower(SAFE_REQUEST_CHARS) if self.limits else None
        when = f", remembered until {until:%Y-%m-%d}" if until else ""
        self.warn(f"warning: {self.engine.name} refused a request of {refused} characters ({refusal}); speaking "
                  f"in requests of at most {SAFE_REQUEST_CHARS} characters{when}")

    def _request_with_retries(self, text: str, stats: SynthesisStats):
        """The engine's answer for ``text`` and its PCM. Network trouble, throttling, server errors
        and audio that does not decode (a truncated MP3, a consent page) are retried with backoff;
        only the budget running out fails the chunk."""
        waited, error = 0.0, None
        for attempt in range(self.retry.max_attempts):
            if self._stop.is_set():
                raise _ChunkFailed("stopped")
            chunk, error = self._attempt(text, stats)
            if error is None:
                try:
                    return chunk, decode_to_pcm(chunk.audio, chunk.format)
                except DecodeError:
                    error = TransientTtsError("the audio it sent does not decode")
            delay = self.retry.delay(attempt, error.retry_after, self.rng)
            if waited + delay > self.retry.max_total_wait:
                break
            waited += delay
            self._count(stats, retried=1)
            self._advance(count=0)
            if self._stop.wait(0) or self.sleep(delay):
                raise _ChunkFailed("stopped")
        raise _ChunkFailed(f"{error} after {attempt + 1} attempts and {waited:.0f} s of waiting")

    def _attempt(self, text: str, stats: SynthesisStats):
        """One request, holding a slot of the limiter: (chunk, None) or (None, a transient error)."""
        self.limiter.acquire()
        throttled = False
        try:
            self._count(stats, requests=1)
            return self.engine.synthesize(text), None
        except TransientTtsError as exc:
            throttled = exc.status == 429
            if throttled:
                self._count(stats, throttled=1)
            return None, exc
        except PermanentTtsError as exc:
            raise _ChunkFailed(str(exc)) from None
        finally:
            self.limiter.release(throttled=throttled)

    def _advance(self, count: int = 1) -> None:
        if self.progress:
            self.progress(count, self.stats)


class ChunkStream:
    """One episode's chunks, yielded in script order as soon as each and those before it are spoken.

    The caller assembles while later chunks are still in flight. At most ``AHEAD`` chunks past
    the one being assembled are queued or held (a cached chunk decodes in a millisecond: all of
    them at once would hold a whole episode's PCM), and a chunk's PCM is let go once yielded unless
    it comes again within the window (further on, it is queued again: a cache hit), so memory
    follows the window, not the episode's length.
    """

    def __init__(self, synthesizer: Synthesizer, texts: list[str], stats: SynthesisStats):
        self.synthesizer, self.texts, self.stats = synthesizer, texts, stats
        self.futures: dict = {}
        self._queued = 0  # texts[:_queued] are submitted (or were, and are consumed)
        self._queue_up_to(AHEAD)

    def _queue_up_to(self, end: int) -> None:
        for text in self.texts[self._queued:end]:
            if text not in self.futures:
                self.futures[text] = self.synthesizer.submit(text, self.stats)
        self._queued = max(self._queued, min(end, len(self.texts)))

    def _next_uses(self) -> list[int]:
        """For each position, where its text comes again (len(texts) if never)."""
        following, seen = [0] * len(self.texts), {}
        for index in range(len(self.texts) - 1, -1, -1):
            following[index] = seen.get(self.texts[index], len(self.texts))
            seen[self.texts[index]] = index
        return following

    def __iter__(self) -> Iterator[bytes]:
        next_use = self._next_uses()
        try:
            for index, text in enumerate(self.texts):
                self._queue_up_to(index + 1 + AHEAD)
                pcm = self.futures[text].result()
                if next_use[index] > index + AHEAD:  # needed again only later: from the cache then
                    del self.futures[text]
                yield pcm
        except _ChunkFailed as failure:
            self.synthesizer.stop()
            raise self.synthesizer.failure(failure) from None
        except GeneratorExit:
            raise  # the consumer has what it needed (a failed one stops the synthesizer it runs in)
        except BaseException:
            self.synthesizer.stop()  # Ctrl-C while waiting: stop sending
            raise
