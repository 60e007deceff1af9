"""Speech engines: one class, one method (``synthesize``), text chunk in, encoded audio out.

- :class:`GttsEngine` speaks through Google Translate with gTTS. gTTS builds the request
  (its own RPC packaging and endpoint); we send it through our own ``requests.Session`` so that
  certificates are verified (gTTS sends with ``verify=False``), connections are reused and every
  request has a timeout.
- :class:`EspeakEngine` speaks offline with espeak-ng from the ``espeakng-loader`` wheel (ctypes).
"""
from __future__ import annotations

import base64
import ctypes
import functools
import io
import re
import threading
import wave
from typing import Protocol

from pipeline.model import SpokenChunk


class TtsEngine(Protocol):
    name: str

    def synthesize(self, text: str) -> SpokenChunk: ...

    def cache_identity(self) -> dict: ...


class TransientTtsError(Exception):
    """Worth retrying: rate limiting (429), server errors, network trouble."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None,
                 connection: bool = False):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.connection = connection


class PermanentTtsError(Exception):
    """Retrying will not help (a 4xx other than 429, a certificate refused)."""


class RequestTooLong(Exception):
    """The endpoint refused a request for its length: speak the text in shorter requests."""


# Every Google endpoint so far has spoken 100 characters: the length a refused request falls back to.
SAFE_REQUEST_CHARS = 100


# --- gTTS -------------------------------------------------------------------------------------
AUDIO_IN_ANSWER = re.compile(r'jQ1olc","\[\\"(.*)\\"]')  # the pattern gTTS itself matches


class GttsEngine:
    name = "gtts"

    def __init__(self, lang: str = "fr", tld: str = "fr", *, timeout: float = 10.0, max_chars: int = 200):
        self.lang, self.tld, self.timeout, self.max_chars = lang, tld, timeout, max_chars
        self._lock = threading.Lock()
        self._session = None

    def cache_identity(self) -> dict:
        import gtts

        return {"engine": self.name, "lang": self.lang, "tld": self.tld, "slow": False,
                "version": gtts.__version__}

    def session(self):
        """One session for every thread: a connection (a TLS handshake with Google) is opened once
        per request slot and kept, not once per thread."""
        with self._lock:
            if self._session is None:
                import requests

                self._session = requests.Session()
                self._session.verify = True
                adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=32)
                self._session.mount("https://", adapter)
            return self._session

    def prepare(self, text: str):
        """The request gTTS builds for ``text``, whole: one request, one utterance."""
        # Our script is already normalised and cut for French; gTTS's English pre-processors
        # (they eat the full stop of "l'est.") are off, and its own 100-character cut is raised
        # to the chunk's length (gTTS reads it from the class), so its tokenizer never splits.
        tts = _whole_text_gtts(max(len(text), SAFE_REQUEST_CHARS))(
            text, lang=self.lang, tld=self.tld, lang_check=False, pre_processor_funcs=[])
        requests_ = tts._prepare_requests()
        if len(requests_) != 1:
            raise PermanentTtsError(f"chunk would need {len(requests_)} requests: {text[:40]!r}…")
        return requests_[0]

    def synthesize(self, text: str) -> SpokenChunk:
        import requests

        request = self.prepare(text)
        session = self.session()
        # Like requests.get: honour https_proxy and REQUESTS_CA_BUNDLE, but always verify.
        settings = session.merge_environment_settings(request.url, {}, None, True, None)
        settings["verify"] = settings.get("verify") or True
        try:
            answer = session.send(request, timeout=self.timeout, **settings)
        except requests.exceptions.SSLError as exc:
            raise PermanentTtsError(f"TLS certificate of {request.url} refused: {exc}") from None
        except requests.exceptions.RequestException as exc:
            host = request.url.split("/")[2]
            raise TransientTtsError(f"no answer from {host} ({type(exc).__name__})", connection=True) from None
        if answer.status_code == 429 or answer.status_code >= 500:
            raise TransientTtsError(f"HTTP {answer.status_code}", status=answer.status_code,
                                    retry_after=_retry_after(answer.headers.get("Retry-After")))
        if 400 <= answer.status_code < 500 and len(text) > SAFE_REQUEST_CHARS and _names_length(answer.text):
            raise RequestTooLong(f"HTTP {answer.status_code}: the text is too long ({len(text)} characters)")
        if answer.status_code != 200:
            raise PermanentTtsError(f"HTTP {answer.status_code} from {request.url}")
        audio = _audio_in(answer.text)
        if not audio:
            if len(text) > SAFE_REQUEST_CHARS:
                # What Google answers past its length: a 200 with no audio (gTTS issue #252).
                raise RequestTooLong(f"no audio for {len(text)} characters")
            raise TransientTtsError("Google answered without audio")
        return SpokenChunk(text=text, audio=audio, format="mp3", engine=self.name)


@functools.lru_cache(maxsize=8)
def _whole_text_gtts(limit: int):
    from gtts import gTTS

    class WholeText(gTTS):
        GOOGLE_TTS_MAX_CHARS = limit

    return WholeText


def _audio_in(answer: str) -> bytes:
    import binascii

    try:
        return b"".join(base64.b64decode(match.group(1).encode("ascii"), validate=False)
                        for line in answer.splitlines() if (match := AUDIO_IN_ANSWER.search(line)))
    except (binascii.Error, ValueError):
        return b""


def _names_length(body: str) -> bool:
    return bool(re.search(r"too long|length|too many characters|trop long", body, re.I))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime
        from datetime import datetime, timezone

        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None


# --- espeak-ng --------------------------------------------------------------------------------
SYNCHRONOUS, OUTPUT_UTF8, RATE = 2, 1, 1
SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _EspeakLibrary:
    """The process-wide espeak-ng library: global state, so one synthesis at a time."""

    _instance = None
    _create_lock = threading.Lock()

    def __init__(self):
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data = espeakng_loader.get_data_path().encode()
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.sample_rate = self.lib.espeak_Initialize(SYNCHRONOUS, 0, data, 0)
        if self.sample_rate <= 0:
            raise RuntimeError("espeak-ng failed to initialise")
        self.lock = threading.Lock()
        self._pieces: list[bytes] = []
        self._callback = SYNTH_CALLBACK(self._collect)  # keep a reference: C holds a pointer
        self.lib.espeak_SetSynthCallback(self._callback)
        self.version = self._version()

    @classmethod
    def get(cls) -> "_EspeakLibrary":
        with cls._create_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def _version(self) -> str:
        self.lib.espeak_Info.restype = ctypes.c_char_p
        return (self.lib.espeak_Info(None) or b"?").decode()

    def _collect(self, samples, count, _events) -> int:
        if count > 0:
            self._pieces.append(ctypes.string_at(samples, count * 2))
        return 0  # 0: go on

    def speak(self, text: str, voice: str, wpm: int) -> bytes:
        with self.lock:
            self._pieces = []
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise PermanentTtsError(f"espeak-ng has no voice {voice!r}")
            self.lib.espeak_SetParameter(RATE, wpm, 0)
            data = text.encode("utf-8")
            self.lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, OUTPUT_UTF8, None, None)
            self.lib.espeak_Synchronize()
            return b"".join(self._pieces)


class EspeakEngine:
    name = "espeak"

    def __init__(self, voice: str = "fr", wpm: int = 165):
        self.voice, self.wpm = voice, wpm

    def cache_identity(self) -> dict:
        return {"engine": self.name, "voice": self.voice, "wpm": self.wpm,
                "version": _EspeakLibrary.get().version}

    def synthesize(self, text: str) -> SpokenChunk:
        library = _EspeakLibrary.get()
        pcm = library.speak(text, self.voice, self.wpm)
        if not pcm:
            raise PermanentTtsError(f"espeak-ng produced no audio for {text[:40]!r}")
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(library.sample_rate)
            out.writeframes(pcm)
        return SpokenChunk(text=text, audio=buffer.getvalue(), format="wav", engine=self.name)


def make_engine(name: str, voice_config, timeout: float = 10.0) -> TtsEngine:
    if name == "gtts":
        return GttsEngine(voice_config.lang, voice_config.tld, timeout=timeout, max_chars=voice_config.max_chars)
    if name == "espeak":
        return EspeakEngine(voice_config.espeak_voice, voice_config.espeak_wpm)
    raise ValueError(f"unknown engine {name!r}")


def choose_engine(choice: str, config, cache, texts: list[str], warn) -> TtsEngine:
    """``auto``: gTTS when Google answers (or everything is cached), else espeak-ng, said loudly.

    The probe is the first chunk not yet cached: when Google answers, its audio is kept.
    """
    from pipeline.sound.cache import chunk_key

    timeout = config.synthesis.timeout_seconds
    if choice != "auto":
        return make_engine(choice, config.voice, timeout=timeout)
    gtts = make_engine("gtts", config.voice, timeout=timeout)
    identity = gtts.cache_identity()
    missing = [t for t in dict.fromkeys(texts) if cache.get(chunk_key(identity, t), t, "gtts") is None]
    if not missing:
        return gtts
    reason = _unreachable(gtts, cache, missing[0])
    if reason is None:
        return gtts
    warn(f"warning: Google TTS is unreachable ({reason[:120]}); speaking with espeak-ng, the offline voice, instead")
    return make_engine("espeak", config.voice)


def google_answers(config, cache, probe: str) -> bool:
    """Whether Google answers now (``probe`` is a chunk worth asking for: its audio is kept)."""
    gtts = make_engine("gtts", config.voice, timeout=config.synthesis.timeout_seconds)
    return _unreachable(gtts, cache, probe) is None


def _unreachable(gtts: GttsEngine, cache, text: str) -> str | None:
    """Ask Google for ``text`` (keeping the audio); None when it answered, else why not."""
    from pipeline.sound.cache import chunk_key

    try:
        cache.put(chunk_key(gtts.cache_identity(), text), gtts.synthesize(text))
        return None
    except TransientTtsError as exc:
        if not exc.connection:
            return None  # Google answered (429/5xx, an odd answer): it is there, the retries will deal with it
        return str(exc)
    except RequestTooLong:
        return None  # it answered, and the synthesizer will speak that chunk in shorter requests
    except PermanentTtsError as exc:
        return str(exc)
