"""Loudness: two-pass loudnorm to -16 LUFS / <= -1 dBTP, measured back with ebur128 on the MP3."""
from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from mutagen.mp3 import MP3, BitrateMode

from _helpers_audio import lavfi_wav, loud_then_soft_wav, quiet_peaky_wav, sine_wav, speech_like_wav
from pipeline.sound.loudness import LoudnessMeter, encode_mp3, measure_file, measure_wav


def _wav_seconds(wav_bytes: bytes) -> float:
    with wave.open(io.BytesIO(wav_bytes)) as w:
        return w.getnframes() / w.getframerate()


def test_measurements_match_the_standard_on_a_reference_tone(tmp_path: Path):
    # EBU Tech 3341: a 1 kHz sine at -20 dBFS in one channel reads -23 LUFS (mono: -3.01 dB).
    wav = sine_wav(4.0, amplitude=0.1)
    first_pass = measure_wav(wav)
    assert first_pass.integrated == pytest.approx(-23.0, abs=0.2)
    assert first_pass.true_peak == pytest.approx(-20.0, abs=0.2)

    path = tmp_path / "tone.wav"
    path.write_bytes(wav)
    scanned = measure_file(path)
    assert scanned.integrated == pytest.approx(-23.0, abs=0.2)
    assert scanned.true_peak == pytest.approx(-20.0, abs=0.2)


@pytest.mark.parametrize(
    "name, make_wav, input_lufs",
    [
        # Quiet with sharp peaks: the +15 dB gain needs the limiter before linear loudnorm.
        ("quiet-peaky", quiet_peaky_wav, (-33.0, -29.0)),
        # Hot and clipped, like a loud engine: linear attenuation.
        ("hot", lambda: speech_like_wav(amplitude=1.0, gain_db=9.0), (-10.0, -6.0)),
    ],
)
@pytest.mark.parametrize("method", ["gain", "loudnorm"])
def test_encoded_episode_meets_the_podcast_norm(tmp_path: Path, name, make_wav, input_lufs, method):
    wav = make_wav()
    before = measure_wav(wav)
    assert input_lufs[0] <= before.integrated <= input_lufs[1], "the test signal is not what it claims"

    out = tmp_path / f"{name}.mp3.tmp"  # the caller's temp path: no .mp3 suffix to guess from
    reported = encode_mp3(wav, out, method=method)

    measured = measure_file(out)
    assert measured.integrated == pytest.approx(-16.0, abs=1.0)
    assert measured.true_peak <= -1.0
    assert reported.integrated == measured.integrated
    assert reported.true_peak == measured.true_peak
    # Never loudnorm's dynamic mode (a compressor that lets MP3 peaks through).
    assert reported.normalization == "linear"

    info = MP3(out).info
    assert info.channels == 1
    assert info.sample_rate == 44100
    assert info.bitrate == pytest.approx(96000, abs=500)  # mutagen derives it from the Info header
    assert info.bitrate_mode == BitrateMode.CBR
    # Timing is preserved (the limiter's look-ahead is compensated): chapters stay exact.
    assert info.length == pytest.approx(_wav_seconds(wav), abs=0.06)


def test_quiet_speech_with_peaks_would_not_fit_linear_gain_alone():
    # Guards the test above: this input really exercises the limiter path.
    before = measure_wav(quiet_peaky_wav())
    assert before.true_peak + (-16.0 - before.integrated) > -1.5


def test_wide_loudness_range_is_kept_not_compressed(tmp_path: Path):
    wav = loud_then_soft_wav()
    before = measure_wav(wav)
    assert before.lra > 11.0  # above the LRA target: loudnorm alone would go dynamic
    out = tmp_path / "range.mp3"
    result = encode_mp3(wav, out)
    assert result.normalization == "linear"
    assert result.integrated == pytest.approx(-16.0, abs=1.0) and result.true_peak <= -1.0
    assert result.lra == pytest.approx(before.lra, abs=1.0)


def test_bitrate_and_rate_are_honoured(tmp_path: Path):
    out = tmp_path / "out.bin"
    encode_mp3(speech_like_wav(3.0), out, bitrate="128k", sample_rate=48000)
    info = MP3(out).info
    assert (info.channels, info.sample_rate) == (1, 48000)
    assert info.bitrate == pytest.approx(128000, abs=500)


def test_silence_cannot_be_normalised(tmp_path: Path):
    silence = lavfi_wav("anullsrc=r=44100:cl=mono:d=3")
    with pytest.raises(ValueError, match="silent"):
        encode_mp3(silence, tmp_path / "silent.mp3")
    assert not (tmp_path / "silent.mp3").exists()


def test_meter_fed_while_assembling_measures_what_a_scan_of_the_file_measures(tmp_path: Path):
    wav = speech_like_wav(4.0)
    path = tmp_path / "speech.wav"
    path.write_bytes(wav)
    with wave.open(io.BytesIO(wav)) as source:
        rate, frames = source.getframerate(), source.readframes(source.getnframes())
    with LoudnessMeter(rate) as meter:
        for start in range(0, len(frames), 9600):  # in pieces, as chunks arrive
            meter.write(frames[start:start + 9600])
        streamed = meter.result()
    scanned = measure_file(path)
    assert streamed.integrated == pytest.approx(scanned.integrated, abs=0.05)
    assert streamed.true_peak == pytest.approx(scanned.true_peak, abs=0.05)


def test_first_pass_given_by_the_meter_is_not_measured_again(tmp_path: Path, monkeypatch):
    import pipeline.sound.loudness as loudness

    wav = speech_like_wav(3.0)
    path = tmp_path / "speech.wav"
    path.write_bytes(wav)
    measured = measure_file(path)

    scan = loudness.measure_wav

    def no_first_scan(wav, chain="anull"):
        assert chain != "anull", "the WAV was measured again although its measurement was given"
        return scan(wav, chain)

    monkeypatch.setattr(loudness, "measure_wav", no_first_scan)
    result = encode_mp3(path, tmp_path / "out.mp3", first=measured)
    assert result.integrated == pytest.approx(-16.0, abs=1.0) and result.true_peak <= -1.0


def test_a_voice_needing_the_limiter_gets_its_gain_from_two_measurements(monkeypatch):
    # The streaming encoder decides its gain while the episode is still being spoken: every
    # measurement here delays the encoder. A secant step from within half a LU is trusted (the
    # MP3 is measured anyway), so a TTS voice costs two measurements, and lands on the aim.
    from pipeline.sound import loudness
    from pipeline.sound.engines import EspeakEngine

    wav = EspeakEngine("fr", 175).synthesize(
        "Les ministres des Affaires étrangères de l'Alliance se retrouvent à Bruxelles ce jeudi. "
        "Ils doivent parler de l'aide à l'Ukraine, et du chèque que chacun est prêt à signer.").audio
    first = loudness.measure_wav(wav)
    aim = loudness.Aim(loudness.TARGET_LUFS + loudness.MP3_LOSS_LU, loudness.TRUE_PEAK_AIM)
    assert not loudness.linear_gain_fits(first, aim), "this voice must need the limiter for the test to mean anything"
    measured = []
    real = loudness.integrated_loudness
    monkeypatch.setattr(loudness, "integrated_loudness", lambda w, chain: measured.append(chain) or real(w, chain))

    ceiling = aim.true_peak - loudness.LIMITER_MARGIN_DB
    gain = loudness.limited_gain(wav, first, aim.integrated, ceiling)

    assert len(measured) == 2
    result = loudness.measure_wav(wav, loudness.limited_chain(gain, ceiling))
    assert result.integrated == pytest.approx(aim.integrated, abs=loudness.LIMITER_PRECISION_LU + loudness.MEASUREMENT_STEP)
    assert result.true_peak <= aim.true_peak
