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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterator

from pipeline.sound.assembly import DecodeError, decode_to_pcm
from pipeline.sound.cache import ChunkCache, chunk_key
from pipeline.errors import SynthesisError
from pipeline.sound.engines import PermanentTtsError, TransientTtsError, TtsEngine


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
    """Speaks lists of chunks with one engine; returns 24 kHz mono 16-bit PCM per chunk."""

    def __init__(self, engine: TtsEngine, cache: ChunkCache, *, jobs: int = 4,
                 retry: RetryPolicy = RetryPolicy(), sleep: Callable[[float], object] | None = None,
                 rng: random.Random | None = None, progress: Callable | None = None):
        self.engine, self.cache, self.retry = engine, cache, retry
        self.jobs = max(1, jobs)
        self.limiter = AdaptiveLimiter(self.jobs)
        self.rng = rng or random.Random()
        self.progress = progress
        self.stats = SynthesisStats()
        self._identity = engine.cache_identity()
        self._stop = threading.Event()
        # Backoff waits end early when the build stops (Ctrl-C, another chunk failed).
        self.sleep = sleep or self._stop.wait

    def speak_in_order(self, texts: list[str]) -> Iterator[bytes]:
        """Yield each chunk's PCM in script order as soon as it and those before it are spoken.

        The caller assembles while later chunks are still in flight, and a chunk's PCM is let go
        once its last occurrence is yielded, so memory follows the requests in flight, not the
        episode's length.
        """
        last_use = {text: index for index, text in enumerate(texts)}
        try:
            # More threads than requests in flight: decoding one answer must not hold a request slot.
            with ThreadPoolExecutor(max_workers=self.jobs * 2, thread_name_prefix="tts") as pool:
                futures = {text: pool.submit(self._speak_one, text) for text in dict.fromkeys(texts)}
                try:
                    for index, text in enumerate(texts):
                        pcm = futures[text].result()
                        if last_use[text] == index:
                            del futures[text]
                        yield pcm
                except BaseException:
                    self._stop.set()  # Ctrl-C, a failed chunk or a failed consumer: stop sending
                    for future in futures.values():
                        future.cancel()
                    raise
        except _ChunkFailed as failure:
            # Said after the pool has drained, so the count is what really is in the cache.
            done = self.stats.spoken + self.stats.cached
            raise SynthesisError(f"{self.engine.name} could not speak a chunk ({failure}); {done} chunk(s) "
                                 f"are spoken and cached, re-run the same command to resume") from None

    def _speak_one(self, text: str) -> bytes:
        key = chunk_key(self._identity, text)
        cached = self.cache.get(key, text, self.engine.name)
        if cached is not None:
            try:
                pcm = decode_to_pcm(cached.audio, cached.format)
                self.stats.add(cached=1)
                self._advance()
                return pcm
            except DecodeError:
                self.cache.discard(key)  # damaged entry: speak it again
        chunk = self._request_with_retries(text)
        try:
            pcm = decode_to_pcm(chunk.audio, chunk.format)
        except DecodeError as exc:
            raise _ChunkFailed(f"the audio for {text[:50]!r} does not decode: {exc}") from None
        self.cache.put(key, chunk)
        self.stats.add(spoken=1)
        self._advance()
        return pcm

    def _request_with_retries(self, text: str):
        waited = 0.0
        for attempt in range(self.retry.max_attempts):
            if self._stop.is_set():
                raise _ChunkFailed("stopped")
            self.limiter.acquire()
            throttled = False
            try:
                self.stats.add(requests=1)
                return self.engine.synthesize(text)
            except TransientTtsError as exc:
                throttled = exc.status == 429
                if throttled:
                    self.stats.add(throttled=1)
                error = exc
            except PermanentTtsError as exc:
                raise _ChunkFailed(str(exc)) from None
            finally:
                self.limiter.release(throttled=throttled)
            delay = self.retry.delay(attempt, error.retry_after, self.rng)
            if waited + delay > self.retry.max_total_wait:
                break
            waited += delay
            self.stats.add(retried=1)
            self._advance(count=0)
            if self._stop.wait(0) or self.sleep(delay):
                raise _ChunkFailed("stopped")
        raise _ChunkFailed(f"{error} after {attempt + 1} attempts and {waited:.0f} s of waiting")

    def _advance(self, count: int = 1) -> None:
        if self.progress:
            self.progress(count, self.stats)
