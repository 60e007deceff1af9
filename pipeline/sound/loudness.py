"""Loudness: measure, normalise to the podcast norm (-16 LUFS, true peak <= -1 dBTP), encode MP3.

Two passes, both linear so speech keeps its natural dynamics:
1. measure the EBU R128 figures (ffmpeg's ebur128; during the build a :class:`LoudnessMeter`
   measures while the chunks are being assembled, so this pass costs nothing afterwards);
2. apply one gain computed from them: ``method="gain"`` with ffmpeg's ``volume`` (what loudnorm's
   linear mode does, without its 192 kHz internals: three times faster) or ``method="loudnorm"``
   with ffmpeg's loudnorm, ``linear=true`` and the measured values.
When that gain would push the true peak over the target (TTS audio is often quiet with sharp
peaks; loudnorm would then silently switch to its dynamic mode), a look-ahead limiter holds the
peaks and the gain is raised to make up what it took. The finished MP3 is measured again with
ebur128 as it is written: that is the number reported and validated.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.sound.ffmpeg import run_ffmpeg


@dataclass(frozen=True)
class LoudnessMeasurement:
    integrated: float  # LUFS
    true_peak: float  # dBTP
    lra: float  # LU
    threshold: float  # LUFS, the relative gate
    target_offset: float = 0.0  # loudnorm's suggested offset (0 when measured with ebur128)
    normalization: str = ""  # "linear" / "dynamic" when reported by a loudnorm pass


# Inter-sample peaks of speech at 44.1 kHz sit up to ~1 dB above the sample peaks the limiter sees.
_LIMITER_MARGIN_DB = 0.3
_LIMITER_ATTEMPTS = 4
_ENCODE_ATTEMPTS = 3
_I_TOLERANCE = 0.5  # LU; the norm allows ±1
_MP3_LOSS_LU = 0.3  # an MP3 measures a few tenths of a LU quieter than the WAV it came from
_TP_CEILING = -1.0  # dBTP; the hard limit (target_tp aims below it)


def _wav_in(wav: bytes | Path) -> tuple[list[str], bytes | None]:
    """ffmpeg input arguments for a WAV given as bytes (piped) or as a file (read by ffmpeg)."""
    if isinstance(wav, (str, Path)):
        return ["-f", "wav", "-i", str(wav)], None
    return ["-f", "wav", "-i", "pipe:0"], wav


def _loudnorm_json(stderr: bytes) -> dict:
    text = stderr.decode("utf-8", "replace")
    start = text.rfind("{")
    end = text.rfind("}")
    if start < 0 or end < start:
        raise RuntimeError("ffmpeg loudnorm printed no measurement")
    return json.loads(text[start : end + 1])


def _num(value: str) -> float:
    # loudnorm prints "-inf" for silence; keep it as a float the caller can test.
    return float(value)


def _loudnorm_spec(target_i: float, target_tp: float, target_lra: float, extra: str = "") -> str:
    spec = f"loudnorm=I={target_i}:TP={target_tp}:LRA={target_lra}"
    return spec + (":" + extra if extra else "") + ":print_format=json"


def measure_loudness(
    wav_bytes: bytes,
    *,
    target_i: float = -16.0,
    target_tp: float = -1.5,
    target_lra: float = 11.0,
    pre_filters: str = "",
) -> LoudnessMeasurement:
    """First loudnorm pass on a WAV (optionally after ``pre_filters``, an ffmpeg filter chain)."""
    chain = ",".join(f for f in (pre_filters, _loudnorm_spec(target_i, target_tp, target_lra)) if f)
    args, data = _wav_in(wav_bytes)
    proc = run_ffmpeg([*args, "-af", chain, "-f", "null", "-"], data)
    data = _loudnorm_json(proc.stderr)
    return LoudnessMeasurement(
        integrated=_num(data["input_i"]),
        true_peak=_num(data["input_tp"]),
        lra=_num(data["input_lra"]),
        threshold=_num(data["input_thresh"]),
        target_offset=_num(data["target_offset"]),
        normalization=data.get("normalization_type", ""),
    )


def _linear_fits(m: LoudnessMeasurement, target_i: float, target_tp: float) -> bool:
    """loudnorm's own test for linear mode (the LRA half is handled by raising the LRA target)."""
    return m.true_peak + (target_i - m.integrated) <= target_tp


def _limited_chain(gain_db: float, ceiling_db: float) -> str:
    ceiling = 10 ** (ceiling_db / 20)
    # Float precision so the gain cannot clip; level=0 stops alimiter's auto make-up gain;
    # latency=1 removes its look-ahead delay so chapter and cue times stay exact.
    return (
        f"volume={gain_db:.2f}dB:precision=float,"
        f"alimiter=limit={ceiling:.4f}:level=0:latency=1:attack=5:release=50"
    )


def encode_mp3(
    wav_bytes: bytes | Path,
    out_path: Path,
    *,
    bitrate: str = "96k",
    sample_rate: int = 44100,
    target_i: float = -16.0,
    target_tp: float = -1.5,
    target_lra: float = 11.0,
    first: LoudnessMeasurement | None = None,
    method: str = "gain",
    quality: int = 7,
) -> LoudnessMeasurement:
    """Normalise a WAV to the target loudness and write a mono CBR MP3 to ``out_path``.

    Two passes: measure (``first``, when a :class:`LoudnessMeter` already measured the audio
    while it was being assembled; else an ebur128 scan here), then linear normalisation with
    the measured values: ``method="gain"`` applies loudnorm's linear gain with ffmpeg's
    ``volume`` filter (a limiter holds the true peak when the gain alone would not),
    ``method="loudnorm"`` runs ffmpeg's loudnorm with ``linear=true``, three times slower as it
    works at 192 kHz inside. ``quality`` is LAME's algorithm quality (0 best … 9 fastest): 7
    halves the encoding time and is transparent for speech at 96 kb/s mono.

    ``target_tp`` is a ceiling for the finished MP3: the encoder adds a few tenths of a dB of
    peaks (more on noisy audio) and reads a few tenths of a LU quieter, so when the measured
    MP3 overshoots -1 dBTP, or lands more than 0.5 LU off target, it is encoded again with
    the aim corrected by the error (at most three encodes).
    Returns the loudness measured back on the written MP3 (ebur128, true peak).
    """
    # First pass: ebur128 gives the EBU R128 figures loudnorm's own first pass would print
    # (integrated, true peak, LRA, gate threshold) several times faster.
    first = first or _scan(wav_bytes, "anull")
    if not first.integrated > -70.0:
        raise ValueError("audio is silent or too short to measure its loudness")

    aim_i, aim_tp = target_i + _MP3_LOSS_LU, target_tp
    for _ in range(_ENCODE_ATTEMPTS):
        result = _normalise_and_encode(
            wav_bytes, out_path, first, aim_i, aim_tp, target_lra, bitrate, sample_rate, method, quality
        )
        i_error = target_i - result.integrated
        tp_error = result.true_peak - target_tp
        # The norm is ±1 LU and a -1 dBTP ceiling: re-encode only when the MP3 strays past
        # half of that (each encode of a long read costs seconds).
        if abs(i_error) <= _I_TOLERANCE and result.true_peak <= _TP_CEILING:
            break
        aim_i = min(-5.0, aim_i + i_error)
        if tp_error > 0.0:
            aim_tp = max(-9.0, aim_tp - tp_error - 0.1)
    return result


def _wav_seconds(wav: bytes | Path) -> float:
    import io
    import wave

    with wave.open(str(wav) if isinstance(wav, (str, Path)) else io.BytesIO(wav)) as source:
        return source.getnframes() / source.getframerate()


def _limited_gain(wav, first: LoudnessMeasurement, target_i: float, ceiling: float) -> str:
    """Gain plus a limiter at ``ceiling``, the gain raised until the limited audio reaches
    ``target_i`` (the limiter eats loudness on peaky speech: over 1 LU on espeak-ng's voice).

    What the limiter eats is a property of the voice, so it is measured on an excerpt of at
    most a minute from the middle: the search costs the same for a brief and a long read.
    The MP3 is measured in full afterwards, and re-encoded if the estimate was off.
    """
    seconds = _wav_seconds(wav)
    excerpt = f"atrim=start={max(0.0, seconds / 2 - 30):.2f}:duration=60," if seconds > 90 else ""

    def loudness_at(gain: float | None) -> float:
        chain = f"{excerpt}{_limited_chain(gain, ceiling) if gain is not None else 'anull'}"
        args, data = _wav_in(wav)  # loudness only: no true-peak oversampling, twice as fast
        proc = run_ffmpeg([*args, "-af", f"{chain},ebur128=framelog=quiet", "-f", "null", "-"], data)
        return float(re.search(_EBUR128["integrated"], proc.stderr.decode("utf-8", "replace")).group(1))

    unlimited = loudness_at(None) if excerpt else first.integrated

    def full_loudness_at(gain: float) -> float:
        eaten = unlimited + gain - loudness_at(gain)  # what the limiter took at this gain
        return first.integrated + gain - eaten

    # Secant steps: past the ceiling each dB of gain buys well under a LU, so plain
    # "add the error" crawls towards the target.
    gain, previous = target_i - first.integrated, None
    for _ in range(_LIMITER_ATTEMPTS):
        loudness = full_loudness_at(gain)
        error = target_i - loudness
        if abs(error) <= 0.2:
            break
        slope = 1.0
        if previous and gain != previous[0]:
            slope = max(0.1, (loudness - previous[1]) / (gain - previous[0]))
        previous = (gain, loudness)
        gain += error / slope
    return _limited_chain(gain, ceiling)


def _normalise_and_encode(
    wav_bytes: bytes,
    out_path: Path,
    first: LoudnessMeasurement,
    target_i: float,
    target_tp: float,
    target_lra: float,
    bitrate: str,
    sample_rate: int,
    method: str = "gain",
    quality: int = 7,
) -> LoudnessMeasurement:
    pre, measured = "", first
    if method == "gain":
        # One encode: gain, and a limiter at the ceiling only when that gain would push the
        # true peak over it. The limiter costs speech a few hundredths of a LU; the caller
        # measures the MP3 and corrects the aim if it ever strays further.
        chain = f"volume={target_i - first.integrated:.2f}dB:precision=float"
        if not _linear_fits(first, target_i, target_tp):
            chain = _limited_gain(wav_bytes, first, target_i, target_tp - _LIMITER_MARGIN_DB)
        return _encode(wav_bytes, out_path, f"{chain},aresample={sample_rate}", bitrate, sample_rate, "linear",
                       quality)
    if not _linear_fits(first, target_i, target_tp):
        gain, ceiling = target_i - first.integrated, target_tp - _LIMITER_MARGIN_DB
        for _ in range(_LIMITER_ATTEMPTS):
            pre = _limited_chain(gain, ceiling)
            measured = _scan(wav_bytes, pre)
            if _linear_fits(measured, target_i, target_tp):
                break
            # Limiting cost some loudness: add it back to the gain (the limiter holds the peaks);
            # inter-sample peaks above the ceiling lower the ceiling.
            gain += target_i - measured.integrated
            ceiling -= max(0.0, measured.true_peak - ceiling)

    # Linear mode also requires measured LRA <= target LRA and a non-zero LRA; the LRA target
    # only steers the dynamic mode we avoid, so widen it rather than compress the speech.
    lra_measured = max(measured.lra, 0.1)
    lra_target = min(50.0, max(target_lra, lra_measured))
    second = _loudnorm_spec(
        target_i,
        target_tp,
        lra_target,
        f"measured_I={measured.integrated}:measured_TP={measured.true_peak}"
        f":measured_LRA={lra_measured}:measured_thresh={measured.threshold}"
        f":offset={measured.target_offset}:linear=true",
    )
    chain = ",".join(f for f in (pre, second, f"aresample={sample_rate}") if f)
    return _encode(wav_bytes, out_path, chain, bitrate, sample_rate, None, quality)


def _encode(wav_bytes, out_path: Path, chain: str, bitrate: str, sample_rate: int, mode: str | None,
            quality: int):
    """Encode to ``out_path`` and measure the MP3 as it is written, on the second core.

    ffmpeg's tee muxer writes the file (seekable, so its Xing/LAME header is completed) and the
    same MP3 stream to a pipe, which a second ffmpeg decodes and measures with ebur128.
    """
    import subprocess

    from pipeline.sound.ffmpeg import ffmpeg_exe

    args, data = _wav_in(wav_bytes)
    target = str(out_path).replace("\\", "\\\\").replace("|", "\\|").replace("[", "\\[")
    encoder = subprocess.Popen(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", *args,
         "-af", chain, "-ac", "1", "-ar", str(sample_rate), "-c:a", "libmp3lame", "-b:a", bitrate,
         "-compression_level", str(quality), "-map_metadata", "-1", "-map", "0:a",
         "-f", "tee", f"[f=mp3:id3v2_version=3]{target}|[f=mp3:id3v2_version=0:write_xing=0]pipe:1", "-y"],
        stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    meter = subprocess.Popen(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-f", "mp3", "-i", "pipe:0",
         "-af", _SCAN, "-f", "null", "-"],
        stdin=encoder.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    encoder.stdout.close()  # the meter owns the read end now
    _, encoder_log = encoder.communicate(data)
    _, meter_log = meter.communicate()
    if encoder.returncode != 0 or meter.returncode != 0:
        log = (encoder_log if encoder.returncode else meter_log).decode("utf-8", "replace")
        raise RuntimeError(f"ffmpeg failed to encode {out_path}: {' | '.join(log.strip().splitlines()[-3:])}")
    mode = mode or _loudnorm_json(encoder_log).get("normalization_type", "")
    return replace(_parse_ebur128(meter_log, str(out_path)), normalization=mode)


_EBUR128 = {
    "integrated": r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS\s*Threshold:\s*(-?[\d.]+|-inf) LUFS",
    "lra": r"Loudness range:\s*LRA:\s*(-?[\d.]+) LU",
    "true_peak": r"True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS",
}


def _parse_ebur128(stderr: bytes, what: str) -> LoudnessMeasurement:
    text = stderr.decode("utf-8", "replace")
    summary = text[text.rfind("Summary:") :]
    found = {key: re.search(pattern, summary) for key, pattern in _EBUR128.items()}
    missing = [key for key, match in found.items() if match is None]
    if missing:
        raise RuntimeError(f"ffmpeg ebur128 printed no {', '.join(missing)} for {what}")
    return LoudnessMeasurement(
        integrated=float(found["integrated"].group(1)),
        threshold=float(found["integrated"].group(2)),
        lra=float(found["lra"].group(1)),
        true_peak=float(found["true_peak"].group(1)),
    )


_SCAN = "ebur128=peak=true:framelog=quiet"


def _scan(wav_bytes: bytes, pre_filters: str) -> LoudnessMeasurement:
    """ebur128 after ``pre_filters``: the same numbers as a loudnorm pass, several times faster
    (loudnorm runs its whole dynamic normaliser at 192 kHz just to measure)."""
    args, data = _wav_in(wav_bytes)
    proc = run_ffmpeg([*args, "-af", f"{pre_filters},{_SCAN}", "-f", "null", "-"], data)
    return _parse_ebur128(proc.stderr, "the limited audio")


def measure_file(path: Path) -> LoudnessMeasurement:
    """Measure an audio file with ffmpeg's ebur128 filter (integrated, LRA, true peak)."""
    proc = run_ffmpeg(["-i", str(path), "-af", _SCAN, "-f", "null", "-"])
    return _parse_ebur128(proc.stderr, str(path))


class LoudnessMeter:
    """Measures raw PCM (s16le mono) with ebur128 while it is being produced.

    ``with LoudnessMeter(24000) as meter: meter.write(pcm) ...`` then ``meter.result()``:
    the first pass of the normalisation costs nothing once the last chunk is assembled.
    """

    def __init__(self, sample_rate: int):
        import subprocess

        from pipeline.sound.ffmpeg import ffmpeg_exe

        self._process = subprocess.Popen(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-f", "s16le", "-ar", str(sample_rate),
             "-ac", "1", "-i", "pipe:0", "-af", _SCAN, "-f", "null", "-"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._result: LoudnessMeasurement | None = None

    def __enter__(self) -> "LoudnessMeter":
        return self

    def __exit__(self, *exc) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def write(self, pcm: bytes) -> None:
        self._process.stdin.write(pcm)

    def result(self) -> LoudnessMeasurement:
        if self._result is None:
            _, stderr = self._process.communicate()
            if self._process.returncode != 0:
                raise RuntimeError(f"ffmpeg ebur128 failed: {stderr.decode('utf-8', 'replace')[-300:]}")
            self._result = _parse_ebur128(stderr, "the assembled episode")
        return self._result
