"""Sound checks: silent, truncated and clipped episodes are refused with one clear line."""
from __future__ import annotations

import io

import pytest

from _helpers_audio import lavfi_wav, speech_like_wav
from pipeline.errors import UserError
from pipeline.sound.ffmpeg import pydub
from pipeline.sound.soundcheck import check_episode_audio, expected_seconds_for

NAME = "episodes/otan.txt"


def _segment(wav: bytes):
    return pydub().AudioSegment.from_file(io.BytesIO(wav), format="wav", codec="pcm_s16le")


def _refusal(audio, expected_seconds: float) -> str:
    with pytest.raises(UserError) as caught:
        check_episode_audio(audio, expected_seconds=expected_seconds, path_for_messages=NAME)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(NAME + ":")
    return message


def test_good_speech_passes_as_segment_and_as_wav_bytes():
    wav = speech_like_wav(5.0)
    check_episode_audio(_segment(wav), expected_seconds=6.0, path_for_messages=NAME)
    check_episode_audio(wav, expected_seconds=6.0, path_for_messages=NAME)


def test_speech_peaking_exactly_at_full_scale_is_not_called_clipped():
    segment = pydub().effects.normalize(_segment(speech_like_wav(5.0)), headroom=0.0)
    assert segment.max >= segment.max_possible_amplitude - 2  # it does touch full scale
    check_episode_audio(segment, expected_seconds=5.0, path_for_messages=NAME)


def test_digital_silence_is_refused():
    silence = pydub().AudioSegment.silent(duration=5000, frame_rate=44100)
    assert "silent" in _refusal(silence, 5.0)


def test_near_silence_is_refused():
    hiss = lavfi_wav("anoisesrc=d=5:c=white:a=0.0003:seed=3")  # about -75 dBFS
    assert "silent" in _refusal(hiss, 5.0)


def test_audio_that_is_mostly_silence_is_refused():
    # One chunk spoken, the rest returned as silence: loud enough on average, right length.
    speech = _segment(speech_like_wav(2.0))
    silence = pydub().AudioSegment.silent(duration=6000, frame_rate=44100)
    episode = speech + silence
    assert episode.dBFS > -60  # the whole-file level alone would let it through
    assert "mostly silent" in _refusal(episode, 8.0)


def test_speech_with_ordinary_pauses_passes():
    speech = _segment(speech_like_wav(3.0))
    pause = pydub().AudioSegment.silent(duration=900, frame_rate=44100)
    check_episode_audio(speech + pause + speech + pause + speech, expected_seconds=10.0, path_for_messages=NAME)


def test_empty_audio_is_refused():
    empty = pydub().AudioSegment.empty().set_frame_rate(44100)
    assert "silent" in _refusal(empty, 5.0)


def test_audio_much_shorter_than_its_text_is_refused():
    message = _refusal(speech_like_wav(2.0), expected_seconds_for(900))  # 900 chars ≈ 60 s
    assert "2.0 s" in message and "60 s" in message


def test_slightly_short_audio_passes():
    check_episode_audio(speech_like_wav(3.0), expected_seconds=6.0, path_for_messages=NAME)


def test_clipped_audio_is_refused():
    clipped = speech_like_wav(4.0, amplitude=0.5, gain_db=18.0)  # 16-bit output saturates
    assert "clipped" in _refusal(clipped, 4.0)


def test_expected_seconds_follow_french_speaking_rate():
    assert expected_seconds_for(0) == 0.0
    assert 140 / 16 <= expected_seconds_for(140) <= 140 / 14
    assert expected_seconds_for(3000) > expected_seconds_for(300)
    assert expected_seconds_for(300, chars_per_second=30.0) == 10.0
