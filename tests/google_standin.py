"""Stand-ins for Google Translate's TTS endpoint, answering in its real wire format.

Google is unreachable here, so the gTTS path is exercised against:

- :func:`google_responses`: a ``responses`` double (in-process, for unit tests);
- :class:`GoogleProxy`: a real HTTPS endpoint on loopback, reached the way a corporate network
  reaches Google: an HTTP proxy (``https_proxy``) that answers CONNECT and terminates TLS with a
  certificate for ``translate.google.<tld>`` signed by a throwaway CA. gtts-cli (which does not
  verify certificates) and our engine (which does, trusting the CA through REQUESTS_CA_BUNDLE)
  both talk to it unchanged. Used by the TLS tests and ``invoke bench``.

Both answer with real MP3 bytes as Google sends them (MPEG-2 Layer III, 24 kHz, 32 kb/s, mono),
made from espeak-ng speech of the requested text, so durations and silences are realistic.
"""
from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import re
import socket
import ssl
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipeline.sound.ffmpeg import run_ffmpeg
from pipeline.sound.engines import EspeakEngine

ENDPOINT = re.compile(r"https://translate\.google\.[a-z.]+/_/TranslateWebserverUi/data/batchexecute")


FRAME_BYTES, FRAME_SECONDS = 96, 576 / 24000  # one MPEG-2 Layer III frame at 32 kb/s, 24 kHz
SPEECH = ("Au lendemain de discussions tendues à Moscou, les États membres ont durci le ton. "
          "La réunion de Bruxelles s'est concentrée sur deux urgences : maintenir la pression, "
          "et renforcer les capacités militaires. Le Canada a promis deux cents millions d'euros.")


def _encode_like_google(wav: bytes) -> bytes:
    # No ID3 tag and no Xing frame: a bare run of fixed-size CBR frames, as Google sends.
    return run_ffmpeg(["-f", "wav", "-i", "pipe:0", "-ac", "1", "-ar", "24000", "-c:a", "libmp3lame",
                       "-b:a", "32k", "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3", "pipe:1"],
                      wav).stdout


@functools.lru_cache(maxsize=4096)
def google_mp3(text: str) -> bytes:
    """Real speech of ``text`` itself, encoded the way Google's endpoint encodes it."""
    return _encode_like_google(EspeakEngine("fr", 175).synthesize(text).audio)


@functools.lru_cache(maxsize=1)
def _speech_frames() -> bytes:
    return _encode_like_google(EspeakEngine("fr", 175).synthesize(SPEECH).audio)


def quick_google_mp3(text: str, chars_per_second: float = 15.0) -> bytes:
    """Real speech frames cut to the length ``text`` would take; no synthesis per request.

    For benchmarks, where the stand-in must cost only its configured latency.
    """
    frames = _speech_frames()
    wanted = max(1, round(len(text) / chars_per_second / FRAME_SECONDS)) * FRAME_BYTES
    return (frames * (wanted // len(frames) + 1))[:wanted]


def text_from_body(body: str | bytes) -> str:
    """The text gTTS asked for, read back from its ``f.req`` form body."""
    if isinstance(body, bytes):
        body = body.decode("ascii")
    freq = urllib.parse.parse_qs(body)["f.req"][0]
    rpc = json.loads(freq)
    return json.loads(rpc[0][0][1])[0]


GOOGLE_MAX_CHARS = 200  # what the endpoint speaks (gTTS issue #252): beyond, a 200 with no audio


def batchexecute_refusal() -> str:
    """What Google answers for a text past its length: the RPC's envelope with no audio in it."""
    line = json.dumps([["wrb.fr", "jQ1olc", None, None, None, [3], "generic"]], separators=(",", ":"))
    return f")]}}'\n\n{len(line)}\n{line}\n"


def batchexecute_answer(mp3: bytes) -> str:
    """Google's answer: an anti-XSSI prefix, a length line, then compact JSON holding base64 audio."""
    payload = json.dumps([base64.b64encode(mp3).decode("ascii")], separators=(",", ":"))
    line = json.dumps([["wrb.fr", "jQ1olc", payload, None, None, None, "generic"]], separators=(",", ":"))
    return f")]}}'\n\n{len(line)}\n{line}\n57\n[[\"di\",42],[\"af.httprm\",41,\"-1234567890\",1]]\n"


def google_responses(mock, *, status_for=lambda index: 200, seen: list | None = None, retry_after=None,
                     max_chars: int = GOOGLE_MAX_CHARS, audio_for=None):
    """Register Google's endpoint on a ``responses.RequestsMock``; ``status_for(n)`` picks each answer,
    ``max_chars`` the longest text answered with audio, ``audio_for(n, text)`` the audio (default:
    real speech of the text)."""
    counter = {"n": 0}
    lock = threading.Lock()

    def answer(request):
        with lock:
            index = counter["n"]
            counter["n"] += 1
        text = text_from_body(request.body)
        if seen is not None:
            seen.append(text)
        status = status_for(index)
        if status != 200:
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            return status, headers, "Too Many Requests"
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if len(text) > max_chars:
            return 200, headers, batchexecute_refusal()
        return 200, headers, batchexecute_answer(audio_for(index, text) if audio_for else google_mp3(text))

    mock.add_callback("POST", ENDPOINT, callback=answer)
    return counter


# --- a real HTTPS stand-in behind a proxy -----------------------------------------------------
def _make_ca_and_cert(folder: Path, hostnames: list[str]) -> tuple[Path, Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "balado test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hostnames]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_path, cert_path, key_path


class GoogleProxy:
    """``with GoogleProxy(latency=0.3) as google: env = google.env()`` — see the module docstring.

    ``latency`` is each answer's, ``connect_latency`` each new connection's (a TLS handshake with
    Google: what a client that opens a session per request, like gtts-cli, pays every time).
    ``throttle_every=5`` answers every fifth request with HTTP 429 (20 %).
    """

    def __init__(self, *, latency: float = 0.0, connect_latency: float = 0.0, throttle_every: int = 0,
                 retry_after: float | None = None, audio=google_mp3, max_chars: int = GOOGLE_MAX_CHARS):
        self.latency, self.throttle_every, self.retry_after = latency, throttle_every, retry_after
        self.max_chars = max_chars
        self.connect_latency = connect_latency
        self.connections = 0
        self.audio = audio
        self.requests: list[str] = []
        self.throttled = 0
        self._lock = threading.Lock()
        self._folder = Path(tempfile.mkdtemp(prefix="google-standin-"))
        hosts = [f"translate.google.{tld}" for tld in ("fr", "ca", "com")]
        self.ca_path, cert, key = _make_ca_and_cert(self._folder, hosts)
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._tls.load_cert_chain(cert, key)

    def __enter__(self) -> "GoogleProxy":
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def env(self, *, trust: bool = True) -> dict[str, str]:
        env = {"https_proxy": self.proxy_url, "HTTPS_PROXY": self.proxy_url, "no_proxy": "", "NO_PROXY": ""}
        if trust:
            env["REQUESTS_CA_BUNDLE"] = str(self.ca_path)
        return env

    def _answer(self, body: bytes) -> tuple[int, bytes]:
        text = text_from_body(body)
        with self._lock:
            self.requests.append(text)
            index = len(self.requests)
        if self.latency:
            time.sleep(self.latency)
        if self.throttle_every and index % self.throttle_every == 0:
            with self._lock:
                self.throttled += 1
            return 429, b"Too Many Requests"
        if len(text) > self.max_chars:
            return 200, batchexecute_refusal().encode()
        return 200, batchexecute_answer(self.audio(text)).encode()

    def _handler(self):
        proxy = self

        class Google(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, payload = proxy._answer(body)
                self.send_response(status)
                if status == 429 and proxy.retry_after is not None:
                    self.send_header("Retry-After", str(proxy.retry_after))
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        class Proxy(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_CONNECT(self):
                with proxy._lock:
                    proxy.connections += 1
                if proxy.connect_latency:
                    time.sleep(proxy.connect_latency)
                self.send_response(200, "Connection established")
                self.end_headers()
                self.wfile.flush()
                try:
                    tls = proxy._tls.wrap_socket(self.connection, server_side=True)
                except (ssl.SSLError, OSError):
                    self.close_connection = True
                    return  # the client refused our certificate
                try:
                    Google(tls, self.client_address, self.server)
                except (ssl.SSLError, OSError, socket.timeout):
                    pass
                self.close_connection = True

        return Proxy
