"""Music under speech: the show's sonic identity (a bed under the intro and outro, a sting between articles).

All audio is 24 kHz mono s16le PCM, like the rest of the pipeline. ffmpeg decodes music files,
draws the sting and measures loudness (EBU R128); the mix itself is plain Python on the samples,
so it is exact and deterministic.

A bed's levels come from measurements, not fixed gains, so they hold whatever the music file's
level: alone, the music sits ``music_lu`` from the speech's loudness; under the voice it sits
``duck_lu`` below it (18 LU, for the 15 LU a listener needs to follow the words). The voice is
never touched: where voice plus music would clip, the music goes down.
"""
from __future__ import annotations

import math
import sys
from array import array
from dataclasses import dataclass
from itertools import chain, repeat
from operator import add, mul
from pathlib import Path
from typing import Iterator

from pipeline.errors import UserError
from pipeline.fsutil import atomic_write_bytes
from pipeline.sound.assembly import RATE, WIDTH, pcm_to_wav
from pipeline.sound.ffmpeg import log_tail, run_ffmpeg
from pipeline.sound.loudness import SILENCE_LUFS, integrated_loudness

FULL_SCALE = 32767
MIN_RATIO_LU = 15.0  # the voice at least this much louder than the music under it
DUCK_LU = 18.0  # music under the voice: 3 LU of margin over MIN_RATIO_LU (ebur128 reads tenths)
MUSIC_LU = -4.0  # music alone, relative to the speech: present, never louder than the voice
RAMP_MS = 500  # ducking ramps: slow enough to sound like a fader, not a switch
DECLICK_MS = 10  # the bed's first samples fade in: a music file need not start at zero
DIP_RAMP_MS = 30  # where the voice's peaks leave no room, the music dips and recovers this fast
LOOP_CROSSFADE_MS = 50  # each loop seam: long enough not to click, short enough not to smear
MEASURE_MIN_MS = 1000  # ebur128 gates 400 ms blocks: shorter audio is measured looped
INTRO = {"lead_in_ms": 3000, "tail_ms": 1000, "fade_ms": 2000}
OUTRO = {"lead_in_ms": 1000, "tail_ms": 3000, "fade_ms": 3000}

# The sting: a rising C major arpeggio (start s, frequency Hz, weight), each note a sine with a
# second harmonic that dies fast (a soft mallet), 4 ms attack, 0.7 s decay.
STING_NOTES = ((0.0, 261.63, 1.0), (0.07, 329.63, 0.8), (0.14, 392.0, 0.7), (0.21, 523.25, 0.6))
STING_PEAK_DBFS = -6.0
STING_FADE_S = 0.3  # the last of the ring fades to zero, so the cut does not click


# --- PCM helpers ------------------------------------------------------------------------------
def samples_for(ms: int) -> int:
    return RATE * ms // 1000


def _little_endian(values: array) -> array:
    """``values`` in the order s16le / f32le mean (arrays use the machine's own)."""
    if sys.byteorder == "big":
        values.byteswap()
    return values


def samples(pcm: bytes, kind: str = "h") -> array:
    """The samples of little-endian ``pcm``: ``array('h')`` for s16le, ``array('f')`` for f32le."""
    out = array(kind)
    out.frombytes(pcm)
    return _little_endian(out)


def samples_from(values) -> bytes:
    """s16le bytes of integer samples (array refuses any past 16 bits rather than wrapping them)."""
    return _little_endian(array("h", values)).tobytes()


def pcm_loudness(pcm: bytes) -> float | None:
    """Integrated loudness (LUFS) of ``pcm``, or None when it is silent.

    Audio shorter than MEASURE_MIN_MS is measured looped: the loop has the clip's loudness, and
    ebur128 gives nothing for less than one 400 ms block.
    """
    if not pcm:
        return None
    repeats = max(1, math.ceil(samples_for(MEASURE_MIN_MS) * WIDTH / len(pcm)))
    measured = integrated_loudness(pcm_to_wav(pcm * repeats))
    return measured if measured > SILENCE_LUFS else None


# --- music files ------------------------------------------------------------------------------
def load_music(path: Path) -> bytes:
    """Any audio file ffmpeg reads, decoded to 24 kHz mono s16le; a one-line UserError otherwise."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: {'a folder, not a music file' if path.is_dir() else 'music file not found'}")
    proc = run_ffmpeg(["-v", "error", "-i", str(path), "-map", "0:a:0", "-f", "s16le", "-ac", "1",
                       "-ar", str(RATE), "pipe:1"], check=False)
    if proc.returncode != 0 or not proc.stdout:
        why = log_tail(proc.stderr, lines=1).replace(str(path), "").strip(" :") or "no sound in it"
        raise UserError(f"{path}: cannot read it as music ({why[:80]})")
    return proc.stdout


def _crossfade(outgoing: bytes, incoming: bytes) -> bytes:
    """``outgoing`` fading out while ``incoming`` fades in (raised cosine: the weights sum to 1,
    so the seam never exceeds the louder of the two)."""
    out_samples, in_samples = samples(outgoing), samples(incoming)
    n = len(in_samples)
    weights = [(1 - math.cos(math.pi * (k + 0.5) / n)) / 2 for k in range(n)]
    mixed = [round(a * (1 - w) + b * w) for a, b, w in zip(out_samples, in_samples, weights)]
    return samples_from(mixed)


def fit_music(music: bytes, count: int) -> bytes:
    """``music`` cut or looped to exactly ``count`` samples.

    Each loop seam crossfades the music's end into its start, so a file that does not end where
    it began does not click: the first pass is music[:n-x], every later one seam + music[x:n-x].
    """
    n = len(music) // WIDTH
    if n == 0:
        return bytes(count * WIDTH)
    if n >= count:
        return music[: count * WIDTH]
    x = min(samples_for(LOOP_CROSSFADE_MS), n // 4)
    first = music[: (n - x) * WIDTH]
    again = _crossfade(music[(n - x) * WIDTH:], music[: x * WIDTH]) + music[x * WIDTH: (n - x) * WIDTH]
    loops = math.ceil((count - (n - x)) / (n - x))
    return (first + again * loops)[: count * WIDTH]


# --- the sting --------------------------------------------------------------------------------
def _sting_expression(seconds: float) -> str:
    def note(start: float, frequency: float, weight: float) -> str:
        u = f"max(t-{start},0)"  # time since the note began, 0 before it
        return (f"{weight}*(1-exp(-{u}/0.004))*exp(-{u}/0.7)"
                f"*(sin(2*PI*{frequency}*{u})+0.3*exp(-{u}/0.2)*sin(4*PI*{frequency}*{u}))")

    fade = min(STING_FADE_S, seconds / 2)
    end = seconds - fade
    return f"({'+'.join(note(*n) for n in STING_NOTES)})*if(gt(t,{end}),0.5+0.5*cos(PI*(t-{end})/{fade}),1)"


def generate_sting(seconds: float = 2.5) -> bytes:
    """A short transition sting of the project's own making (no licence question): a rising
    major chord that rings and fades, peaking at STING_PEAK_DBFS; the same bytes every call."""
    if not seconds > 0:
        raise ValueError("a sting lasts more than 0 seconds")
    graph = f"aevalsrc=exprs='{_sting_expression(seconds)}':s={RATE}:d={seconds}"
    drawn = samples(run_ffmpeg(["-f", "lavfi", "-i", graph, "-f", "f32le", "-ac", "1", "pipe:1"]).stdout, "f")
    peak = max(max(drawn), -min(drawn))
    scale = 10 ** (STING_PEAK_DBFS / 20) * FULL_SCALE / peak
    return samples_from(round(value * scale) for value in drawn)


def sting_wav_bytes(seconds: float = 2.5) -> bytes:
    return pcm_to_wav(generate_sting(seconds))


def write_sting(path: Path, seconds: float = 2.5) -> Path:
    """Save the sting as a WAV file (for ``invoke init``)."""
    atomic_write_bytes(path, sting_wav_bytes(seconds))
    return Path(path)


# --- the bed: music under a stretch of speech --------------------------------------------------
@dataclass(frozen=True)
class Bed:
    pcm: bytes  # music, then voice over the ducked music, then music again, fading out
    speech_start_ms: int

    @property
    def duration_ms(self) -> int:
        return len(self.pcm) // WIDTH * 1000 // RATE


@dataclass(frozen=True)
class BedPlan:
    """Where the voice goes and what the music does around it (linear gains on the music file)."""

    lead_in_ms: int  # music alone before the voice; the ducking ramp ends as the voice starts
    tail_ms: int  # music after the voice, ramping back up as soon as it ends
    fade_ms: int  # then the music fades to silence
    ramp_ms: int
    full_gain: float  # the music alone
    duck_gain: float  # the music under the voice (constant while it speaks, but for the dips)
    # (sample of the voice, the most music gain it leaves): where voice and music would clip.
    dips: tuple[tuple[int, float], ...] = ()

    def total_samples(self, speech_samples: int) -> int:
        return samples_for(self.lead_in_ms) + speech_samples + samples_for(self.tail_ms) + samples_for(self.fade_ms)


def _gain(db: float) -> float:
    return 10 ** (db / 20)


def _peak(values) -> int:
    return max(max(values, default=0), -min(values, default=0))


def _clip_dips(speech, window, gain: float) -> tuple[tuple[int, float], ...]:
    """The samples where voice plus music at ``gain`` would leave 16 bits, each with the largest
    music gain that keeps s + round(g·m) within them (only samples of the same sign add up)."""
    if _peak(speech) + gain * _peak(window) <= FULL_SCALE:
        return ()  # cannot clip: skip the sample walk
    dips = []
    for i, (s, m) in enumerate(zip(speech, window)):
        limit = FULL_SCALE if s > 0 else FULL_SCALE + 1  # 16 bits reach -32768 but only +32767
        if s * m > 0 and abs(s) + gain * abs(m) > limit:
            dips.append((i, (limit - abs(s)) / abs(m)))
    return tuple(dips)


def plan_bed(speech: bytes, music: bytes, *, lead_in_ms: int, tail_ms: int, fade_ms: int, ramp_ms: int = RAMP_MS,
             duck_lu: float = DUCK_LU, music_lu: float | None = MUSIC_LU) -> BedPlan:
    """Measure the speech and the music and decide the bed's gains.

    Under the voice the music sits ``duck_lu`` below the speech's loudness, measured on the very
    stretch of music it will cover; alone it sits ``music_lu`` from the speech (None: the file's
    own level). Neither gain lets the music clip on its own, the ducked one never exceeds the
    full one, and the music dips briefly where the voice's peaks leave it no room (a limiter on the
    music alone: muting it under the whole voice for one hot sample would be worse). A silent voice leaves
    the music at its own level, ducked by ``duck_lu``.
    """
    if min(lead_in_ms, tail_ms, fade_ms, ramp_ms) < 0:
        raise ValueError("bed times must not be negative")
    shape = BedPlan(lead_in_ms, tail_ms, fade_ms, ramp_ms, 1.0, 1.0)
    voice = samples(speech)
    fitted = samples(fit_music(music, shape.total_samples(len(voice))))
    start = samples_for(lead_in_ms)
    window = fitted[start: start + len(voice)]
    voice_lufs = pcm_loudness(speech)
    whole_lufs, under_lufs = pcm_loudness(fitted.tobytes()), pcm_loudness(window.tobytes())
    full_db = 0.0
    if voice_lufs is not None and whole_lufs is not None and music_lu is not None:
        full_db = voice_lufs + music_lu - whole_lufs
    duck_db = full_db - duck_lu
    if voice_lufs is not None and under_lufs is not None:
        duck_db = voice_lufs - duck_lu - under_lufs
    full = min(_gain(full_db), FULL_SCALE / max(1, _peak(fitted)))
    duck = min(_gain(duck_db), full)
    return BedPlan(lead_in_ms, tail_ms, fade_ms, ramp_ms, full, duck, _clip_dips(voice, window, duck))


def _ramp(start: float, end: float, count: int) -> Iterator[float]:
    """Raised cosine from ``start`` towards ``end``: no corner at either end, so no click."""
    if start == end:
        return repeat(start, count)
    return (start + (end - start) * (1 - math.cos(math.pi * k / count)) / 2 for k in range(count))


def _limit_slope(values: array, step: float) -> None:
    """Lower ``values`` in place so that none rises or falls faster than ``step`` a sample."""
    for i in range(1, len(values)):
        values[i] = min(values[i], values[i - 1] + step)
    for i in range(len(values) - 2, -1, -1):
        values[i] = min(values[i], values[i + 1] + step)


def _dip_factors(plan: BedPlan, speech_samples: int) -> Iterator[float]:
    """1, but around the dips: down to dip / duck there, sloping in and out over DIP_RAMP_MS (the
    slope may start before the voice: the factor only ever lowers the music)."""
    total = plan.total_samples(speech_samples)
    if not plan.dips:
        return repeat(1.0, total)
    margin, lead = samples_for(DIP_RAMP_MS), samples_for(plan.lead_in_ms)
    first, end = max(0, lead - margin), min(total, lead + speech_samples + margin)
    factors = array("d", repeat(1.0, end - first))
    for index, gain in plan.dips:
        factors[lead + index - first] = min(factors[lead + index - first], gain / plan.duck_gain)
    _limit_slope(factors, 1 / margin)
    return chain(repeat(1.0, first), factors, repeat(1.0, total - end))


def _gains(plan: BedPlan, speech_samples: int) -> Iterator[float]:
    """The music's gain at every sample of the bed."""
    lead, tail, fade, ramp = (samples_for(ms) for ms in (plan.lead_in_ms, plan.tail_ms, plan.fade_ms, plan.ramp_ms))
    down, up = min(ramp, lead), min(ramp, tail)
    full, duck = plan.full_gain, plan.duck_gain
    envelope = chain(_ramp(full, full, lead - down), _ramp(full, duck, down), _ramp(duck, duck, speech_samples),
                     _ramp(duck, full, up), _ramp(full, full, tail - up), _ramp(full if tail else duck, 0.0, fade))
    declick = _ramp(0.0, 1.0, samples_for(DECLICK_MS))
    # map stops at the end of the short declick before taking one more gain from the envelope.
    return map(mul, chain(map(mul, declick, envelope), envelope), _dip_factors(plan, speech_samples))


def render_bed(speech: bytes, music: bytes, plan: BedPlan) -> Bed:
    """The bed ``plan`` describes: pure arithmetic on the samples, the voice added unchanged."""
    voice = samples(speech)
    lead = samples_for(plan.lead_in_ms)
    total = plan.total_samples(len(voice))
    fitted = samples(fit_music(music, total))
    # Lazy maps over arrays, no list per sample: a minute of bed renders in about half a second.
    scaled = map(round, map(mul, fitted, _gains(plan, len(voice))))
    placed = chain(repeat(0, lead), voice, repeat(0, total - lead - len(voice)))
    # array("h") refuses a sum past 16 bits rather than wrapping it: plan_bed left the room.
    return Bed(pcm=samples_from(map(add, scaled, placed)), speech_start_ms=plan.lead_in_ms)


def music_bed(speech: bytes, music: bytes, *, lead_in_ms: int, tail_ms: int, fade_ms: int, ramp_ms: int = RAMP_MS,
              duck_lu: float = DUCK_LU, music_lu: float | None = MUSIC_LU) -> Bed:
    """``speech`` over ``music``: music alone for ``lead_in_ms``, ducked under the voice, back up for
    ``tail_ms`` after it, then fading out over ``fade_ms``. Length: lead-in + speech + tail + fade."""
    plan = plan_bed(speech, music, lead_in_ms=lead_in_ms, tail_ms=tail_ms, fade_ms=fade_ms, ramp_ms=ramp_ms,
                    duck_lu=duck_lu, music_lu=music_lu)
    return render_bed(speech, music, plan)


def intro_bed(speech: bytes, music: bytes, **options) -> Bed:
    """The show's opening: 3 s of music, the voice over it, the music back briefly and fading."""
    return music_bed(speech, music, **{**INTRO, **options})


def outro_bed(speech: bytes, music: bytes, **options) -> Bed:
    """The show's close: a second of music, the voice over it, then the music swells and fades."""
    return music_bed(speech, music, **{**OUTRO, **options})


def music_part(speech: bytes, music: bytes, plan: BedPlan) -> bytes:
    """The music's contribution to a bed: the same plan rendered with silence for the voice."""
    return render_bed(bytes(len(speech)), music, plan).pcm


def ducking_ratio(speech: bytes, music_in_mix: bytes, *, start_ms: int) -> float:
    """How much louder (LU) ``speech`` is than the music under it: the speech's loudness minus that
    of ``music_in_mix`` (the music's contribution to the bed) over the stretch the voice covers."""
    start = samples_for(start_ms) * WIDTH
    voice = pcm_loudness(speech)
    under = pcm_loudness(music_in_mix[start: start + len(speech)])
    if voice is None:
        raise ValueError("the speech is silent: no ratio to measure")
    return math.inf if under is None else voice - under
