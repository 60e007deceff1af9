"""Loudness: measure with EBU R128 and master an MP3 to the podcast norm.

The norm (:mod:`pipeline.norms`) is -16 LUFS integrated and a true peak of at most -1 dBTP.
Mastering is two passes, both linear so speech keeps its natural dynamics:

1. **measure** the audio with ffmpeg's ebur128 (during a build a :class:`LoudnessMeter`
   measures while the chunks are assembled, so this pass costs nothing afterwards);
2. **normalise and encode**, by one of two methods:

   - ``gain``: one linear gain with ffmpeg's ``volume``. When that gain would push the true
     peak over the ceiling (TTS audio is often quiet with sharp peaks), a limiter holds the
     peaks and the gain is raised to make up the loudness the limiter took;
   - ``loudnorm``: ffmpeg's loudnorm in linear mode with the measured values (three times
     slower: it works at 192 kHz inside), behind the same limiter when the peaks need it.

The MP3 is measured as it is written (a second ffmpeg reads the same stream); when it strays
past half the norm's tolerance it is encoded again with the aim corrected by the error.
"""
from __future__ import annotations

import io
import json
import re
import subprocess
import wave
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pipeline.norms import LUFS_TOLERANCE, TARGET_LUFS, TRUE_PEAK_CEILING
from pipeline.sound.ffmpeg import FfmpegError, log_tail, run_ffmpeg, start_ffmpeg

Method = Literal["gain", "loudnorm"]
Wav = bytes | Path  # a WAV file's bytes, or its path (read by ffmpeg itself)

SILENCE_LUFS = -70.0  # ebur128's absolute gate: nothing quieter counts as programme
TRUE_PEAK_AIM = -1.5  # dBTP: room under the ceiling for the peaks the MP3 encoder adds
MP3_LOSS_LU = 0.3  # an MP3 measures a few tenths of a LU quieter than the WAV it came from
RETRY_TOLERANCE_LU = LUFS_TOLERANCE / 2  # re-encode past this (each encode of a long read costs seconds)
ENCODE_ATTEMPTS = 3
LOUDEST_AIM_LUFS, LOWEST_PEAK_AIM = -5.0, -9.0  # bounds for a corrected aim
# Inter-sample peaks of speech at 44.1 kHz sit up to ~1 dB above the sample peaks a limiter sees.
LIMITER_MARGIN_DB = 0.3
LIMITER_STEPS = 4
LIMITER_PRECISION_LU = 0.2
LIMITER_TRUST_LU = 0.5  # the encoded MP3 is measured anyway, and encoded again if it misses
LIMITER_EXCERPT_SECONDS = 60.0  # what the limiter takes is a property of the voice: an excerpt tells
LOUDNORM_LRA = 11.0  # loudnorm's LRA target only steers its dynamic mode, which is never used
MAX_LRA = 50.0
MEASUREMENT_STEP = 0.1  # ebur128 reports tenths of a LU / dB
# LAME's encoder delay (576 samples) plus the decoder's (529): a file's Xing header tells decoders
# to skip them, the piped copy the meter reads has no such header, so the meter skips them itself.
MP3_DELAY_SAMPLES = 1105

_METER = "ebur128=peak=true:framelog=quiet"
_EBUR128 = {
    "integrated": r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS\s*Threshold:\s*(-?[\d.]+|-inf) LUFS",
    "lra": r"Loudness range:\s*LRA:\s*(-?[\d.]+) LU",
    "true_peak": r"True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS",
}


@dataclass(frozen=True)
class LoudnessMeasurement:
    integrated: float  # LUFS
    true_peak: float  # dBTP
    lra: float  # LU
    threshold: float  # LUFS, the relative gate
    normalization: str = ""  # "linear" / "dynamic" once normalised


@dataclass(frozen=True)
class Mp3Settings:
    bitrate: str = "96k"
    sample_rate: int = 44100
    quality: int = 7  # LAME's algorithm quality, 0 (best) … 9 (fastest): 7 is transparent for speech
    method: Method = "gain"


@dataclass(frozen=True)
class Aim:
    """What the finished MP3 should measure."""

    integrated: float
    true_peak: float


# --- measuring --------------------------------------------------------------------------------
def _input_args(wav: Wav) -> tuple[list[str], bytes | None]:
    """ffmpeg input arguments for a WAV given as a file (read by ffmpeg) or as bytes (piped)."""
    if isinstance(wav, (str, Path)):
        return ["-f", "wav", "-i", str(wav)], None
    return ["-f", "wav", "-i", "pipe:0"], wav


def parse_ebur128(stderr: bytes, what: str) -> LoudnessMeasurement:
    text = stderr.decode("utf-8", "replace")
    summary = text[text.rfind("Summary:"):]
    found = {key: re.search(pattern, summary) for key, pattern in _EBUR128.items()}
    missing = [key for key, match in found.items() if match is None]
    if missing:
        raise FfmpegError(f"ffmpeg ebur128 printed no {', '.join(missing)} for {what}")
    return LoudnessMeasurement(
        integrated=float(found["integrated"].group(1)),
        threshold=float(found["integrated"].group(2)),
        lra=float(found["lra"].group(1)),
        true_peak=float(found["true_peak"].group(1)),
    )


def measure_wav(wav: Wav, chain: str = "anull") -> LoudnessMeasurement:
    """EBU R128 figures of a WAV after an ffmpeg filter ``chain`` (integrated, true peak, LRA)."""
    args, data = _input_args(wav)
    proc = run_ffmpeg([*args, "-af", f"{chain},{_METER}", "-f", "null", "-"], data)
    return parse_ebur128(proc.stderr, "the audio")


def measure_file(path: Path) -> LoudnessMeasurement:
    """EBU R128 figures of any audio file ffmpeg reads."""
    proc = run_ffmpeg(["-i", str(path), "-af", _METER, "-f", "null", "-"])
    return parse_ebur128(proc.stderr, str(path))


def integrated_loudness(wav: Wav, chain: str = "anull") -> float:
    """Integrated loudness alone: no true-peak oversampling, twice as fast."""
    args, data = _input_args(wav)
    proc = run_ffmpeg([*args, "-af", f"{chain},ebur128=framelog=quiet", "-f", "null", "-"], data)
    text = proc.stderr.decode("utf-8", "replace")
    return float(re.search(_EBUR128["integrated"], text[text.rfind("Summary:"):]).group(1))


def _wav_seconds(wav: Wav) -> float:
    with wave.open(str(wav) if isinstance(wav, (str, Path)) else io.BytesIO(wav)) as source:
        return source.getnframes() / source.getframerate()


class LoudnessMeter:
    """Measures raw PCM (s16le mono) with ebur128 while it is being produced.

    ``with LoudnessMeter(24000) as meter: meter.write(pcm) ...`` then ``meter.result()``.
    """

    def __init__(self, sample_rate: int):
        self._process = start_ffmpeg(["-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
                                      "-af", _METER, "-f", "null", "-"])
        self._result: LoudnessMeasurement | None = None

    def __enter__(self) -> "LoudnessMeter":
        return self

    def __exit__(self, *exc) -> None:
        self.abort()

    def abort(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def write(self, pcm: bytes) -> None:
        self._process.stdin.write(pcm)

    def result(self) -> LoudnessMeasurement:
        if self._result is None:
            _, stderr = self._process.communicate()
            if self._process.returncode != 0:
                raise FfmpegError(f"ffmpeg ebur128 failed: {log_tail(stderr)}")
            self._result = parse_ebur128(stderr, "the assembled episode")
        return self._result


# --- the normalising filter chains ------------------------------------------------------------
def gain_chain(gain_db: float) -> str:
    return f"volume={gain_db:.2f}dB:precision=float"  # float: the gain itself never clips


def limited_chain(gain_db: float, ceiling_db: float) -> str:
    """Gain, then a limiter at ``ceiling_db``. level=0 stops alimiter's automatic make-up gain;
    latency=1 removes its look-ahead delay so chapter and cue times stay exact."""
    ceiling = 10 ** (ceiling_db / 20)
    return f"{gain_chain(gain_db)},alimiter=limit={ceiling:.4f}:level=0:latency=1:attack=5:release=50"


def linear_gain_fits(measured: LoudnessMeasurement, aim: Aim) -> bool:
    """Whether the gain alone keeps the true peak under the aim (loudnorm's own linear test)."""
    return measured.true_peak + (aim.integrated - measured.integrated) <= aim.true_peak


def limited_gain(wav: Wav, first: LoudnessMeasurement, target_lufs: float, ceiling_db: float) -> float:
    """The gain that, behind a limiter at ``ceiling_db``, brings the audio to ``target_lufs``.

    The limiter takes loudness (over 1 LU on espeak-ng's peaky voice), more as the gain grows.
    What it takes is measured on an excerpt of at most a minute from the middle, so the search
    costs the same for a brief and a long read; secant steps, because past the ceiling each dB
    of gain buys well under a LU and plain "add the error" crawls. A secant step taken from
    within half a LU is not measured again: it lands well within that, and the MP3 is measured
    anyway (a streaming encoder waits on every measurement here).
    """
    seconds = _wav_seconds(wav)
    excerpt = ""
    if seconds > LIMITER_EXCERPT_SECONDS * 1.5:
        start = max(0.0, seconds / 2 - LIMITER_EXCERPT_SECONDS / 2)
        excerpt = f"atrim=start={start:.2f}:duration={LIMITER_EXCERPT_SECONDS},"
    unlimited = integrated_loudness(wav, excerpt + "anull") if excerpt else first.integrated

    def loudness_at(gain: float) -> float:
        taken = unlimited + gain - integrated_loudness(wav, excerpt + limited_chain(gain, ceiling_db))
        return first.integrated + gain - taken

    gain, previous = target_lufs - first.integrated, None
    for _ in range(LIMITER_STEPS):
        loudness = loudness_at(gain)
        error = target_lufs - loudness
        if abs(error) <= LIMITER_PRECISION_LU:
            break
        secant = previous is not None and gain != previous[0]
        slope = max(0.1, (loudness - previous[1]) / (gain - previous[0])) if secant else 1.0
        previous = (gain, loudness)
        gain += error / slope
        if secant and abs(error) <= LIMITER_TRUST_LU:
            break  # a secant step from this close lands within the precision: not measured again
    return gain


def gain_method_chain(wav: Wav, first: LoudnessMeasurement, aim: Aim) -> str:
    if linear_gain_fits(first, aim):
        return gain_chain(aim.integrated - first.integrated)
    ceiling = aim.true_peak - LIMITER_MARGIN_DB
    return limited_chain(limited_gain(wav, first, aim.integrated, ceiling), ceiling)


def loudnorm_method_chain(wav: Wav, first: LoudnessMeasurement, aim: Aim) -> str:
    """ffmpeg's loudnorm, linear, behind the limiter when the peaks need it.

    loudnorm falls back to its dynamic mode unless the limited audio fits its linear test, so
    the limiter's ceiling is lowered by any inter-sample peak left above the aim. Its linear mode
    also needs a measured LRA at most its target, and not zero: the LRA target only steers the
    dynamic mode, so it is widened rather than the speech compressed.
    """
    # ebur128 prints tenths: a figure right at loudnorm's limit may be just over it.
    strict = Aim(aim.integrated, aim.true_peak - MEASUREMENT_STEP)
    pre, measured, ceiling = "", first, aim.true_peak - LIMITER_MARGIN_DB
    for _ in range(LIMITER_STEPS):
        if linear_gain_fits(measured, strict):
            break
        pre = limited_chain(limited_gain(wav, first, aim.integrated, ceiling), ceiling)
        measured = measure_wav(wav, pre)
        ceiling -= max(0.0, measured.true_peak + (aim.integrated - measured.integrated) - strict.true_peak)
    lra = max(measured.lra, 0.1)
    loudnorm = (f"loudnorm=I={aim.integrated}:TP={aim.true_peak}:LRA={min(MAX_LRA, max(LOUDNORM_LRA, lra))}"
                f":measured_I={measured.integrated}:measured_TP={measured.true_peak}:measured_LRA={lra}"
                f":measured_thresh={measured.threshold}:offset=0:linear=true:print_format=json")
    return ",".join(f for f in (pre, loudnorm) if f)


# --- encoding ---------------------------------------------------------------------------------
def encode_mp3(wav: Wav, out_path: Path, *, first: LoudnessMeasurement | None = None, bitrate: str = "96k",
               sample_rate: int = 44100, quality: int = 7, method: Method = "gain") -> LoudnessMeasurement:
    """Normalise a WAV to the norm and write it as a mono CBR MP3; return the MP3's measurement.

    ``first`` is the WAV's measurement when a :class:`LoudnessMeter` already took it.
    """
    settings = Mp3Settings(bitrate=bitrate, sample_rate=sample_rate, quality=quality, method=method)
    first = first or measure_wav(wav)
    if not first.integrated > SILENCE_LUFS:
        raise ValueError("audio is silent or too short to measure its loudness")
    chain_for = gain_method_chain if method == "gain" else loudnorm_method_chain
    aim = Aim(TARGET_LUFS + MP3_LOSS_LU, TRUE_PEAK_AIM)
    for _ in range(ENCODE_ATTEMPTS):
        result = encode_measured(wav, out_path, chain_for(wav, first, aim), settings)
        if meets_aim(result):
            break
        aim = corrected_aim(aim, result)
    return result


def meets_aim(result: LoudnessMeasurement) -> bool:
    return abs(TARGET_LUFS - result.integrated) <= RETRY_TOLERANCE_LU and result.true_peak <= TRUE_PEAK_CEILING


def corrected_aim(aim: Aim, result: LoudnessMeasurement) -> Aim:
    """The aim moved by the MP3's error (the encoder adds peaks and takes a little loudness)."""
    peak_excess = result.true_peak - TRUE_PEAK_AIM
    return Aim(integrated=min(LOUDEST_AIM_LUFS, aim.integrated + TARGET_LUFS - result.integrated),
               true_peak=max(LOWEST_PEAK_AIM, aim.true_peak - peak_excess - 0.1) if peak_excess > 0 else aim.true_peak)


def encode_measured(wav: Wav, out_path: Path, chain: str, settings: Mp3Settings) -> LoudnessMeasurement:
    """Encode a WAV through ``chain`` to ``out_path`` and measure the MP3 as it is written."""
    args, data = _input_args(wav)
    encoder, meter = start_encoding(args, out_path, chain, settings, piped=data is not None)
    return finish_encoding(encoder, meter, out_path, chain, data=data)


def start_encoding(input_args: list[str], out_path: Path, chain: str, settings: Mp3Settings, *,
                   piped: bool) -> tuple[subprocess.Popen, subprocess.Popen]:
    """Start the encoder and, on the second core, the meter of what it writes.

    ffmpeg's tee muxer writes the file (seekable, so its Xing/LAME header is completed) and the
    same MP3 stream to a pipe, which a second ffmpeg decodes and measures.
    """
    target = str(out_path).replace("\\", "\\\\").replace("|", "\\|").replace("[", "\\[")
    encoder = start_ffmpeg(
        [*input_args, "-af", f"{chain},aresample={settings.sample_rate}", "-ac", "1", "-ar", str(settings.sample_rate),
         "-c:a", "libmp3lame", "-b:a", settings.bitrate, "-compression_level", str(settings.quality),
         "-map_metadata", "-1", "-map", "0:a",
         "-f", "tee", f"[f=mp3:id3v2_version=3]{target}|[f=mp3:id3v2_version=0:write_xing=0]pipe:1", "-y"],
        stdin=subprocess.PIPE if piped else subprocess.DEVNULL, stdout=subprocess.PIPE)
    meter = start_ffmpeg(["-f", "mp3", "-i", "pipe:0", "-af", f"atrim=start_sample={MP3_DELAY_SAMPLES},{_METER}",
                          "-f", "null", "-"], stdin=encoder.stdout)
    encoder.stdout.close()  # the meter owns the read end now
    return encoder, meter


def finish_encoding(encoder: subprocess.Popen, meter: subprocess.Popen, out_path: Path, chain: str, *,
                    data: bytes | None = None) -> LoudnessMeasurement:
    """Feed the rest (``data``), close the input, and read the MP3's measurement."""
    _, encoder_log = encoder.communicate(data)
    _, meter_log = meter.communicate()
    if encoder.returncode != 0 or meter.returncode != 0:
        raise FfmpegError(f"ffmpeg failed to encode {out_path}: "
                          f"{log_tail(encoder_log if encoder.returncode else meter_log)}")
    mode = _loudnorm_mode(encoder_log) if "loudnorm=" in chain else "linear"
    return replace(parse_ebur128(meter_log, str(out_path)), normalization=mode)


def _loudnorm_mode(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace")
    start, end = text.rfind("{"), text.rfind("}")
    if start < 0 or end < start:
        raise FfmpegError("ffmpeg loudnorm printed no report")
    return json.loads(text[start:end + 1]).get("normalization_type", "")
