"""Encoding while speaking: an episode's MP3 is made as its chunks arrive, not after the last one.

A TTS voice keeps its level, so the gain is decided early: once ``decide_after`` seconds of the
episode are assembled (or the whole of it, if it is shorter), that part is measured and the gain
that brings it to the aim behind the true-peak limiter is found, by the same search a full
encode uses (:func:`pipeline.sound.loudness.gain_method_chain`). The encoder then starts with
that chain, catches up on what was buffered and follows the assembly; the MP3 is measured as it
is written. When the whole episode misses the aim (past half the norm's tolerance, or a peak
over the ceiling), :meth:`StreamingEncoder.finish` says so and the caller encodes again from the
WAV with the full measurement: the guarantees are exactly those of
:func:`pipeline.sound.loudness.encode_mp3`, only the common case is faster.

The work runs on a thread of its own, so the assembly waits for it only when the encoder falls
more than ``BACKLOG_BYTES`` behind (from the cache, chunks come faster than an encoder takes
them: an unbounded queue would hold the episode).
"""
from __future__ import annotations

import queue
import threading
from pathlib import Path

from pipeline.norms import TARGET_LUFS
from pipeline.sound import loudness
from pipeline.sound.assembly import WIDTH, pcm_to_wav
from pipeline.sound.loudness import Aim, LoudnessMeasurement, Mp3Settings

DECIDE_AFTER_SECONDS = 30.0  # enough speech for the voice's level and peaks; decided well before the end
BACKLOG_BYTES = 2 * 1024 * 1024  # about 45 seconds of 24 kHz PCM waiting for the encoder
_END = None


class StreamingEncoder:
    """``write(pcm)`` as the episode is assembled, then ``finish()``: the MP3's measurement, or
    None when it missed the aim (or could not be made) and the safe path must run."""

    def __init__(self, out_path: Path, *, rate: int, settings: Mp3Settings,
                 decide_after: float = DECIDE_AFTER_SECONDS):
        self.out_path, self.rate, self.settings = Path(out_path), rate, settings
        self.decide_after = decide_after
        self._queue: queue.Queue = queue.Queue()
        self._backlog, self._room = 0, threading.Condition()
        self._result: LoudnessMeasurement | None = None
        self._processes: tuple = ()
        self._aborted = threading.Event()
        self._thread = threading.Thread(target=self._run, name="streaming-encoder", daemon=True)
        self._thread.start()

    def write(self, pcm: bytes) -> None:
        """Queue ``pcm`` for the encoder; wait while it is over ``BACKLOG_BYTES`` behind."""
        with self._room:
            self._room.wait_for(lambda: self._backlog < BACKLOG_BYTES or not self._thread.is_alive())
            if not self._thread.is_alive():
                return  # it gave up (the safe path runs): nothing would take this
            self._backlog += len(pcm)
        self._queue.put(pcm)

    def _taken(self, piece: bytes) -> None:
        with self._room:
            self._backlog -= len(piece)
            self._room.notify_all()

    def finish(self) -> LoudnessMeasurement | None:
        self._queue.put(_END)
        self._thread.join()
        result = self._result
        return result if result is not None and loudness.meets_aim(result) else None

    def abort(self) -> None:
        """Stop at once (a failed or interrupted build): kill the encoder, drop what is queued."""
        self._aborted.set()
        for process in self._processes:
            if process.poll() is None:
                process.kill()
        self._queue.put(_END)
        self._thread.join()

    def __enter__(self) -> "StreamingEncoder":
        return self

    def __exit__(self, *exc) -> None:
        if self._thread.is_alive():
            self.abort()

    # --- the encoder's thread -------------------------------------------------------------------
    def _run(self) -> None:
        buffered, size, encoder, decided = [], 0, None, False
        try:
            while not self._aborted.is_set():
                piece = self._queue.get()
                if piece is _END:
                    break
                self._taken(piece)
                if encoder is not None:
                    encoder[0].stdin.write(piece)
                elif not decided:
                    buffered.append(piece)
                    size += len(piece)
                    if size >= self.decide_after * self.rate * WIDTH:
                        encoder, decided, buffered = self._start(b"".join(buffered)), True, []
            if self._aborted.is_set():
                return
            if not decided:
                encoder = self._start(b"".join(buffered))  # a short episode: decided on all of it
            if encoder:
                self._result = loudness.finish_encoding(*encoder[:2], self.out_path, encoder[2])
        except (OSError, ValueError, loudness.FfmpegError):
            self._result = None  # the safe path will say what is wrong, if anything is
        finally:
            with self._room:
                self._room.notify_all()  # a writer waiting for room must not wait for a dead thread

    def _start(self, pcm: bytes):
        """Decide the chain from ``pcm`` (the episode so far) and start encoding it."""
        wav = pcm_to_wav(pcm, self.rate)
        first = loudness.measure_wav(wav)
        if not first.integrated > loudness.SILENCE_LUFS:
            return None
        chain = loudness.gain_method_chain(wav, first, Aim(TARGET_LUFS + loudness.MP3_LOSS_LU, loudness.TRUE_PEAK_AIM))
        args = ["-f", "s16le", "-ar", str(self.rate), "-ac", "1", "-i", "pipe:0"]
        encoder, meter = loudness.start_encoding(args, self.out_path, chain, self.settings, piped=True)
        self._processes = (encoder, meter)
        encoder.stdin.write(pcm)
        return encoder, meter, chain
