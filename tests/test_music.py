"""Music under speech: the voice stays at least 15 LU over the music, untouched, on time, without clicks;
music files load or fail in one line; the sting is the project's own, the same every time."""
from __future__ import annotations

import functools
import io
import math
import wave
from pathlib import Path

import pytest

from _helpers_audio import lavfi_wav, sine_mp3, speech_like_wav
from pipeline.errors import UserError
from pipeline.sound.assembly import RATE, decode_to_pcm
from pipeline.sound.ffmpeg import run_ffmpeg
from pipeline.sound.music import (
    DIP_RAMP_MS, DUCK_LU, FULL_SCALE, INTRO, LOOP_CROSSFADE_MS, MIN_RATIO_LU, MUSIC_LU, OUTRO, BedPlan, ducking_ratio,
    fit_music, generate_sting, intro_bed, load_music, music_bed, music_part, outro_bed, pcm_loudness, plan_bed,
    render_bed, samples, samples_for, sting_wav_bytes, write_sting,
)

SHAPE = {"lead_in_ms": 1200, "tail_ms": 800, "fade_ms": 600}
CHORD = "+".join(f"0.32*sin(2*PI*{f}*t)" for f in (220, 277.18, 329.63))  # A major, peaks near 0 dBFS


@functools.lru_cache(maxsize=None)
def pcm(name: str) -> bytes:
    """Test signals as 24 kHz mono s16le (made once per process)."""
    wavs = {
        "speech": lambda: speech_like_wav(3.0),
        "hot speech": lambda: speech_like_wav(3.0, amplitude=1.0, gain_db=9.0),  # clipped: peaks at full scale
        "loud noise": lambda: lavfi_wav("anoisesrc=d=5:c=white:a=0.9:seed=3"),
        "loud chord": lambda: lavfi_wav(f"aevalsrc={CHORD}:d=5:s=44100"),
        "quiet noise": lambda: lavfi_wav("anoisesrc=d=5:c=pink:a=0.01:seed=3"),
        # Quiet hiss with 3 ms clicks near -10 dBFS: brought up towards the voice, the clicks would clip.
        "quiet peaky": lambda: lavfi_wav("aevalsrc=0.003*(2*random(0)-1)+0.3*sin(2*PI*1000*t)*lt(mod(t\\,1.5)\\,0.003)"
                                         ":d=5:s=44100"),
        "steady sine": lambda: lavfi_wav("aevalsrc=0.5*sin(2*PI*200*t):d=8:s=44100"),  # 30 ms = 6 periods
        # Starts at its peak and does not end where it began (0.37 s = 81.4 periods): the bed's start and
        # each loop seam would click.
        "short sine": lambda: lavfi_wav("aevalsrc=0.5*cos(2*PI*220*t):d=0.37:s=44100"),
    }
    return decode_to_pcm(wavs[name](), "wav")


def difference(a: bytes, b: bytes) -> list[int]:
    return [x - y for x, y in zip(samples(a), samples(b))]


def rms_db(values) -> float:
    mean = sum(v * v for v in values) / max(1, len(values))
    return 10 * math.log10(mean / FULL_SCALE**2) if mean else -math.inf


def stretch(values, start_ms: int, end_ms: int):
    return values[samples_for(start_ms):samples_for(end_ms)]


def max_step(values) -> int:
    return max(abs(b - a) for a, b in zip(values, values[1:]))


def speech_ms(speech: bytes) -> int:
    return len(speech) // 2 * 1000 // RATE


# --- the voice over the music -----------------------------------------------------------------
@pytest.mark.parametrize("music", ["loud noise", "loud chord", "quiet noise"])
def test_the_voice_is_at_least_15_lu_over_the_music_whatever_its_level(music):
    speech = pcm("speech")
    plan = plan_bed(speech, pcm(music), **SHAPE)
    under = music_part(speech, pcm(music), plan)
    ratio = ducking_ratio(speech, under, start_ms=SHAPE["lead_in_ms"])
    assert ratio >= MIN_RATIO_LU
    assert ratio == pytest.approx(DUCK_LU, abs=0.3)  # relative: it holds for a loud file and a quiet one alike


def stepped_chord(inside: float, outside: float, start_ms: int, end_ms: int, total_ms: int) -> bytes:
    """The chord at ``inside`` (a linear gain) from ``start_ms`` to ``end_ms``, at ``outside`` elsewhere."""
    level = f"if(between(t\\,{start_ms / 1000}\\,{end_ms / 1000})\\,{inside}\\,{outside})"
    return decode_to_pcm(lavfi_wav(f"aevalsrc={level}*({CHORD}):d={total_ms / 1000}:s=44100"), "wav")


@pytest.mark.parametrize("shape", [INTRO, OUTRO], ids=["intro", "outro"])
@pytest.mark.parametrize("inside, outside", [(1.0, 0.316), (0.316, 1.0)], ids=["louder", "softer"])
def test_music_whose_level_changes_as_the_voice_starts_and_ends_is_ducked_by_its_level_under_the_voice(
        shape, inside, outside):
    """Real music is not level: 10 dB louder (or softer) exactly under the voice. Measured on the
    whole bed, the voice would sit 14 LU over the louder stretch, 26 over the softer one."""
    speech = pcm("speech")
    start, end = shape["lead_in_ms"], shape["lead_in_ms"] + speech_ms(speech)
    music = stepped_chord(inside, outside, start, end, end + shape["tail_ms"] + shape["fade_ms"] + 500)
    plan = plan_bed(speech, music, **shape)
    ratio = ducking_ratio(speech, music_part(speech, music, plan), start_ms=plan.lead_in_ms)
    assert ratio >= MIN_RATIO_LU
    assert ratio == pytest.approx(DUCK_LU, abs=0.3)


@pytest.mark.parametrize("music", ["loud noise", "quiet noise"])
def test_alone_the_music_sits_a_little_under_the_voice(music):
    speech = pcm("speech")
    under = music_part(speech, pcm(music), plan_bed(speech, pcm(music), **SHAPE))
    alone = stretch(samples(under), 50, SHAPE["lead_in_ms"] - 500)  # after the fade-in, before the ramp
    assert pcm_loudness(alone.tobytes()) == pytest.approx(pcm_loudness(speech) + MUSIC_LU, abs=1.0)


@pytest.mark.parametrize("speech_name, music", [("speech", "loud noise"), ("hot speech", "loud chord"),
                                                ("hot speech", "loud noise")])
def test_the_voice_is_in_the_mix_sample_for_sample(speech_name, music):
    speech = pcm(speech_name)
    plan = plan_bed(speech, pcm(music), **SHAPE)
    bed = render_bed(speech, pcm(music), plan)
    voice = difference(bed.pcm, music_part(speech, pcm(music), plan))
    lead = samples_for(bed.speech_start_ms)
    assert voice[lead:lead + len(speech) // 2] == list(samples(speech))
    assert not any(voice[:lead]) and not any(voice[lead + len(speech) // 2:])


def test_where_voice_and_music_would_clip_the_music_dips_briefly_and_smoothly():
    speech, music = pcm("hot speech"), pcm("steady sine")  # the voice touches full scale
    plan = plan_bed(speech, music, **SHAPE)
    assert plan.dips
    render_bed(speech, music, plan)  # array("h") would refuse a sample past 16 bits
    under = samples(music_part(speech, music, plan))
    # Down around the voice's peaks, not away under the whole voice.
    assert DUCK_LU < ducking_ratio(speech, under.tobytes(), start_ms=plan.lead_in_ms) < DUCK_LU + 6
    window = stretch(under, plan.lead_in_ms, plan.lead_in_ms + speech_ms(speech))
    # A 200 Hz sine moves 2·sin(π·200/24000) of its amplitude a sample; a dip adds 1/DIP_RAMP_MS of it.
    slope = 2 * math.sin(math.pi * 200 / RATE) + 1 / samples_for(DIP_RAMP_MS)
    assert max_step(window) <= 1.05 * plan.duck_gain * max(map(abs, samples(music))) * slope + 2


def test_with_silent_music_the_bed_holds_the_voice_bit_for_bit():
    speech = pcm("speech")
    bed = music_bed(speech, bytes(RATE * 2), **SHAPE)
    start = samples_for(bed.speech_start_ms) * 2
    assert bed.pcm[start:start + len(speech)] == speech
    assert not bed.pcm[:start].strip(b"\0") and not bed.pcm[start + len(speech):].strip(b"\0")


def test_a_quiet_music_file_with_sharp_peaks_is_brought_up_without_clipping():
    speech, music = pcm("hot speech"), pcm("quiet peaky")
    plan = plan_bed(speech, music, **SHAPE)
    assert plan.full_gain < 10 ** ((pcm_loudness(speech) + MUSIC_LU - pcm_loudness(music)) / 20)  # held by the peaks
    assert max(map(abs, samples(music_part(speech, music, plan)))) <= FULL_SCALE


# --- timing and shape -------------------------------------------------------------------------
def test_the_music_plays_alone_then_the_voice_starts_at_speech_start_ms():
    speech, music = pcm("speech"), pcm("loud noise")
    plan = plan_bed(speech, music, lead_in_ms=1234, tail_ms=500, fade_ms=500)
    bed = render_bed(speech, music, plan)
    assert bed.speech_start_ms == 1234
    voice = difference(bed.pcm, music_part(speech, music, plan))
    first = next(i for i, v in enumerate(voice) if abs(v) > FULL_SCALE / 100)  # -40 dBFS
    assert abs(first * 1000 / RATE - 1234) <= 20
    assert rms_db(stretch(samples(bed.pcm), 100, 700)) > -40  # the music is already playing


@pytest.mark.parametrize("lead_in_ms, tail_ms, fade_ms", [(1200, 800, 600), (0, 0, 0), (0, 700, 0), (300, 0, 900)])
def test_the_bed_lasts_lead_in_plus_speech_plus_tail_plus_fade(lead_in_ms, tail_ms, fade_ms):
    speech = pcm("speech")
    bed = music_bed(speech, pcm("short sine"), lead_in_ms=lead_in_ms, tail_ms=tail_ms, fade_ms=fade_ms)
    expected = samples_for(lead_in_ms) + len(speech) // 2 + samples_for(tail_ms) + samples_for(fade_ms)
    assert len(bed.pcm) // 2 == expected
    assert bed.duration_ms == expected * 1000 // RATE
    assert bed.speech_start_ms == lead_in_ms


def test_the_music_is_down_while_the_voice_speaks_and_up_around_it():
    speech, music = pcm("speech"), pcm("steady sine")
    plan = plan_bed(speech, music, lead_in_ms=1500, tail_ms=1500, fade_ms=300, ramp_ms=500)
    under = samples(music_part(speech, music, plan))
    start, end = 1500, 1500 + speech_ms(speech)
    full, duck = rms_db(stretch(under, 500, 1000)), rms_db(stretch(under, start + 500, end - 500))
    assert full - duck == pytest.approx(20 * math.log10(plan.full_gain / plan.duck_gain), abs=0.5)
    # The ramp down ends as the voice starts; the ramp up starts once it has ended.
    assert rms_db(stretch(under, start, start + 30)) == pytest.approx(duck, abs=0.5)
    assert rms_db(stretch(under, end - 30, end)) == pytest.approx(duck, abs=0.5)
    assert rms_db(stretch(under, start - 530, start - 500)) == pytest.approx(full, abs=0.5)
    assert rms_db(stretch(under, end + 500, end + 530)) == pytest.approx(full, abs=0.5)


def test_ramps_fades_and_loop_seams_do_not_click():
    speech, music = pcm("speech"), pcm("short sine")
    plan = plan_bed(speech, music, lead_in_ms=900, tail_ms=900, fade_ms=500)
    under = samples(music_part(speech, music, plan))
    # A 220 Hz sine moves at most 2·sin(π·220/24000) of its amplitude from one sample to the next.
    natural = plan.full_gain * max(map(abs, samples(music))) * 2 * math.sin(math.pi * 220 / RATE)
    assert max_step(under) <= 1.05 * natural + 2
    assert abs(under[0]) <= 2 and abs(under[-1]) <= natural  # it starts and ends at silence


def test_a_short_music_file_is_looped_and_a_long_one_cut():
    music = pcm("short sine")
    n, x = len(music) // 2, samples_for(LOOP_CROSSFADE_MS)
    count = 5 * n
    looped = samples(fit_music(music, count))
    assert len(looped) == count
    assert looped[:n - x] == samples(music)[:n - x]
    period = n - x
    assert looped[period:count - period] == looped[2 * period:count]  # it repeats, seam included
    long = pcm("loud noise")
    assert fit_music(long, 1000) == long[:2000]


def test_the_bed_is_the_same_every_time():
    speech, music = pcm("speech"), pcm("loud noise")
    assert music_bed(speech, music, **SHAPE) == music_bed(speech, music, **SHAPE)


def test_a_silent_voice_leaves_the_music_ducked_by_its_own_level():
    silence, music = bytes(RATE * 2), pcm("loud noise")
    plan = plan_bed(silence, music, **SHAPE)
    assert plan.full_gain == pytest.approx(1.0, abs=1e-3)  # the file's own level (held under full scale)
    assert 20 * math.log10(plan.duck_gain / plan.full_gain) == pytest.approx(-DUCK_LU, abs=0.01)
    with pytest.raises(ValueError, match="silent"):
        ducking_ratio(silence, music_part(silence, music, plan), start_ms=SHAPE["lead_in_ms"])


def test_intro_and_outro_presets():
    speech, music = pcm("speech"), pcm("loud chord")
    intro, outro = intro_bed(speech, music), outro_bed(speech, music, fade_ms=1000)
    assert intro.speech_start_ms == 3000 and outro.speech_start_ms == 1000
    assert len(intro.pcm) // 2 == samples_for(3000 + 1000 + 2000) + len(speech) // 2
    assert len(outro.pcm) // 2 == samples_for(1000 + 3000 + 1000) + len(speech) // 2


def test_negative_times_are_refused():
    with pytest.raises(ValueError):
        plan_bed(pcm("speech"), pcm("short sine"), lead_in_ms=-1, tail_ms=0, fade_ms=0)
    assert isinstance(plan_bed(pcm("speech"), pcm("short sine"), **SHAPE), BedPlan)


# --- music files ------------------------------------------------------------------------------
def test_music_files_of_any_kind_decode_to_24_khz_mono(tmp_path: Path):
    (tmp_path / "theme.wav").write_bytes(lavfi_wav("aevalsrc=0.2*sin(2*PI*440*t):d=1:s=44100"))
    (tmp_path / "theme.mp3").write_bytes(sine_mp3(1.0))
    run_ffmpeg(["-f", "lavfi", "-i", "sine=f=330:d=1", "-ac", "2", "-ar", "48000", "-c:a", "flac",
                str(tmp_path / "theme.flac")])
    for name in ("theme.wav", "theme.mp3", "theme.flac"):
        seconds = len(load_music(tmp_path / name)) / 2 / RATE
        assert seconds == pytest.approx(1.0, abs=0.06), name


@pytest.mark.parametrize("content", [None, b"", b"this is not music\n" * 50])
def test_a_missing_or_unreadable_music_file_is_one_line_naming_it(tmp_path: Path, content):
    path = tmp_path / "th\u00e8me.mp3"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UserError) as caught:
        load_music(path)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message and len(message) <= 200


# --- the sting --------------------------------------------------------------------------------
def test_the_sting_is_short_audible_unclipped_and_the_same_every_time():
    sting = generate_sting()
    assert sting == generate_sting()
    values = samples(sting)
    assert len(values) == samples_for(2500)
    peak_db = 20 * math.log10(max(map(abs, values)) / FULL_SCALE)
    assert peak_db == pytest.approx(-6.0, abs=0.1)
    assert pcm_loudness(sting) > -30
    assert abs(values[0]) <= 2 and abs(values[-1]) <= FULL_SCALE / 1000  # no click in or out
    assert len(samples(generate_sting(1.0))) == RATE


def test_the_sting_is_saved_as_a_wav_that_loads_back_the_same(tmp_path: Path):
    with wave.open(io.BytesIO(sting_wav_bytes())) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (RATE, 1, 2)
    path = write_sting(tmp_path / "sting.wav")
    assert load_music(path) == generate_sting()
