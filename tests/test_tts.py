"""The two speech engines, through their real code: gTTS against Google's wire format, espeak-ng for real."""
from __future__ import annotations

import os

import pytest
import requests
import responses
from mutagen.mp3 import MP3
from io import BytesIO

from google_standin import ENDPOINT, GoogleProxy, google_responses, text_from_body
from pipeline.sound.assembly import RATE, decode_to_pcm
from pipeline.sound.engines import EspeakEngine, GttsEngine, PermanentTtsError, RequestTooLong, TransientTtsError


def test_gtts_request_is_googles_batchexecute_built_by_gtts(google):
    chunk = GttsEngine("fr", "fr").synthesize("Les forces se sont repliées vers l'est.")
    assert chunk.format == "mp3" and chunk.engine == "gtts"
    request = google.calls[0].request
    assert request.url == "https://translate.google.fr/_/TranslateWebserverUi/data/batchexecute"
    # gTTS's English pre-processors are off: the full stop of "l'est." survives, nothing is split.
    assert text_from_body(request.body) == "Les forces se sont repliées vers l'est."
    assert "%5C%22fr%5C%22" in request.body  # lang "fr" inside the RPC
    info = MP3(BytesIO(chunk.audio)).info
    assert (info.sample_rate, info.channels) == (24000, 1)
    assert len(decode_to_pcm(chunk.audio, "mp3")) > RATE  # over half a second of speech


def test_gtts_sends_one_request_per_chunk_and_verifies_tls(google):
    engine = GttsEngine("fr", "ca")
    engine.synthesize("Bonjour.")
    engine.synthesize("Au revoir.")
    assert [c.request.url.split("/")[2] for c in google.calls] == ["translate.google.ca"] * 2
    assert google.calls[0].request.req_kwargs["verify"] not in (False, None, "")  # True or a CA bundle


def test_gtts_429_is_transient_with_retry_after():
    with responses.RequestsMock() as mock:
        google_responses(mock, status_for=lambda i: 429, retry_after=7)
        with pytest.raises(TransientTtsError) as caught:
            GttsEngine().synthesize("Bonjour.")
    assert caught.value.status == 429 and caught.value.retry_after == 7.0


def test_gtts_server_error_is_transient_and_client_error_is_not():
    with responses.RequestsMock() as mock:
        google_responses(mock, status_for=lambda i: 503)
        with pytest.raises(TransientTtsError) as caught:
            GttsEngine().synthesize("Bonjour.")
        assert caught.value.status == 503
    with responses.RequestsMock() as mock:
        google_responses(mock, status_for=lambda i: 403)
        with pytest.raises(PermanentTtsError):
            GttsEngine().synthesize("Bonjour.")


def test_gtts_timeout_is_a_connection_error():
    with responses.RequestsMock() as mock:
        mock.add("POST", ENDPOINT, body=requests.exceptions.ReadTimeout("read timed out"))
        with pytest.raises(TransientTtsError) as caught:
            GttsEngine(timeout=0.5).synthesize("Bonjour.")
    assert caught.value.connection and caught.value.status is None


def test_gtts_answer_without_audio_is_transient_or_too_long():
    """Google answers a 200 without audio past its length, and a consent or captcha page the
    same way: for a long text it is the length, for a short one a passing fault."""
    with responses.RequestsMock() as mock:
        mock.add("POST", ENDPOINT, body=")]}'\n\n12\n[[\"e\",4]]\n")
        with pytest.raises(TransientTtsError):
            GttsEngine().synthesize("Bonjour.")
        with pytest.raises(RequestTooLong):
            GttsEngine().synthesize("Une phrase bien plus longue que cent caractères, " * 3)


def test_a_client_error_naming_the_length_is_a_refusal_for_length():
    with responses.RequestsMock() as mock:
        mock.add("POST", ENDPOINT, status=400, body="Text too long")
        with pytest.raises(RequestTooLong):
            GttsEngine().synthesize("x " * 80)
        mock.replace("POST", ENDPOINT, status=400, body="Bad request")
        with pytest.raises(PermanentTtsError):
            GttsEngine().synthesize("x " * 80)


def test_gtts_sends_a_200_character_chunk_in_one_request(google):
    text = ("Les ministres de la Défense des pays membres de l'Alliance se sont réunis mardi à Bruxelles "
            "pour parler de l'aide militaire à l'Ukraine et des commandes de munitions d'artillerie.")
    assert 150 < len(text) <= 200
    chunk = GttsEngine().synthesize(text)
    assert google.seen == [text] and chunk.audio


@pytest.fixture
def proxy_env(monkeypatch):
    with GoogleProxy() as google:
        def use(trust: bool):
            for key in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
                monkeypatch.delenv(key, raising=False)
            for key, value in google.env(trust=trust).items():
                monkeypatch.setenv(key, value)
            return google
        yield use


def test_invalid_certificate_is_refused(proxy_env):
    google = proxy_env(trust=False)  # a certificate for translate.google.fr no system CA signed
    with pytest.raises(PermanentTtsError, match="certificate"):
        GttsEngine().synthesize("Bonjour.")
    assert google.requests == []  # the request never left the TLS handshake


def test_trusted_certificate_over_real_https(proxy_env):
    google = proxy_env(trust=True)
    chunk = GttsEngine().synthesize("Bonjour à tous.")
    assert google.requests == ["Bonjour à tous."]
    assert len(decode_to_pcm(chunk.audio, "mp3")) > RATE // 2


def test_espeak_speaks_french_audio():
    text = "Les États membres de l'Otan ont durci le ton mardi à Bruxelles."
    chunk = EspeakEngine("fr", 165).synthesize(text)
    assert chunk.format == "wav" and chunk.engine == "espeak"
    pcm = decode_to_pcm(chunk.audio, "wav")
    seconds = len(pcm) / 2 / RATE
    assert 2.0 < seconds < 8.0, seconds  # ~64 characters at a speaking pace
    from pipeline.sound.ffmpeg import pydub

    segment = pydub().AudioSegment(data=pcm, sample_width=2, frame_rate=RATE, channels=1)
    assert segment.dBFS > -35 and segment.max > 3000  # really speaks, not silence


def test_espeak_voice_identity_names_the_library_version():
    identity = EspeakEngine("fr", 165).cache_identity()
    assert identity["engine"] == "espeak" and identity["version"][0].isdigit()


def test_proxy_and_ca_settings_from_the_environment_are_honoured(monkeypatch, google):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", os.devnull)
    GttsEngine().synthesize("Bonjour.")
    assert google.calls[0].request.req_kwargs["verify"] == os.devnull
