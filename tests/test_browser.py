"""The landing page in a real headless Chromium, served by the real server.

Chromium is driven over the DevTools protocol through ``--remote-debugging-pipe`` (JSON messages
separated by NUL on file descriptors 3 and 4), so no driver, no websocket package and no browser
download are needed: only Debian's ``chromium`` package. Without it this test fails, on purpose.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from pipeline.publish.site import render_index

from _helpers_site import CHAPTERS, SECONDS, build_public, running_server

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
REPLY_WAIT = 60.0  # a hang guard for one protocol reply, not a performance limit


def chromium_path() -> str:
    for candidate in (os.environ.get("BALADO_CHROMIUM"), shutil.which("chromium"),
                      "/usr/bin/chromium", shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("Chromium is missing: install Debian's package (apt-get install -y chromium)")


class Browser:
    """Just enough of the Chrome DevTools Protocol: commands, and the events seen meanwhile."""

    def __init__(self, executable: str, profile: str):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire_fds():  # in the child: the protocol lives on fds 3 (commands) and 4 (replies)
            high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
            high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage", "--mute-audio",
             "--no-default-browser-check", f"--user-data-dir={profile}",
             "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # Python's own descriptors are close-on-exec (PEP 446); only 3 and 4 are inherited.
            preexec_fn=wire_fds, close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        self.session: str | None = None

    def send(self, method: str, params: dict | None = None, *, session: bool = True) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_chrome], [], [], REPLY_WAIT)
            if not ready:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise ConnectionError("Chromium closed the protocol pipe (did it start?)")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def evaluate(self, expression: str):
        """Run JS in the page (awaiting a promise) and return its JSON value."""
        result = self.send("Runtime.evaluate", {
            "expression": expression, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"page JS failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", {"url": url})
        self.evaluate("""new Promise(resolve => {
            const check = () => (location.href !== 'about:blank' && document.readyState
                                 === 'complete') ? resolve(true) : setTimeout(check, 20);
            check(); })""")

    def click(self, selector: str) -> None:
        """A real mouse click (a user gesture, so the page may start playback)."""
        box = self.evaluate(f"""(() => {{
            const el = document.querySelector({json.dumps(selector)});
            el.scrollIntoView({{block: 'center'}});
            const r = el.getBoundingClientRect();
            return {{x: r.left + r.width / 2, y: r.top + r.height / 2}}; }})()""")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"],
                                                   "button": "left", "clickCount": 1})

    def press_enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {
                "type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13,
                **({"text": "\r"} if kind == "keyDown" else {})})

    def screenshot(self, path: Path, width: int, height: int, *, mobile: bool) -> None:
        self.send("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        full_height = self.evaluate("document.documentElement.scrollHeight")
        shot = self.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": full_height, "scale": 1}})
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            self.send("Browser.close", session=False)
        except (OSError, RuntimeError, TimeoutError, ConnectionError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


@pytest.fixture
def browser():
    executable = chromium_path()
    with tempfile.TemporaryDirectory(prefix="balado-chromium-") as profile:
        chrome = Browser(executable, profile)
        try:
            yield chrome
        finally:
            chrome.close()


WAIT_METADATA = """new Promise((resolve, reject) => {
    const audio = document.querySelector('audio');
    if (audio.readyState >= 1) return resolve(audio.duration);
    audio.addEventListener('loadedmetadata', () => resolve(audio.duration), {once: true});
    audio.addEventListener('error', () => reject(new Error('media error ' +
        (audio.error && audio.error.code))), {once: true});
    audio.load();
})"""

# Resolve with the position right after the next seek the page performs.
ARM_SEEK = """window.__seeked = new Promise(resolve => document.querySelector('audio')
    .addEventListener('seeked', e => resolve(e.target.currentTime), {once: true})); true"""



def copy_status(browser) -> str:
    """What the copy button's live region says, once it says something."""
    return browser.evaluate("""new Promise(resolve => { const check = () => {
        const s = document.querySelector('.copy-status').textContent;
        s ? resolve(s) : setTimeout(check, 20); }; check(); })""")


def page_problems(browser) -> list:
    """Script errors and console errors (a CSP violation, a failed load) the page has logged."""
    return [e["params"] for e in browser.events
            if e["method"] == "Runtime.exceptionThrown"
            or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]


def test_landing_page_plays_seeks_and_looks_right(tmp_path, browser):
    config, manifest, public = build_public(tmp_path)
    with running_server(public) as server:
        (public / "index.html").write_text(render_index(
            config, [manifest], cover_path="cover.png", base_url=server.url), encoding="utf-8")
        browser.open(server.url + "/")

        # The page's own script runs (its CSP hash is right) and the player is untouched so far.
        assert browser.evaluate("document.documentElement.lang") == "fr"
        assert browser.evaluate("document.querySelector('audio').preload") == "none"
        assert browser.evaluate("document.querySelector('audio').readyState") == 0

        duration = browser.evaluate(WAIT_METADATA)
        assert abs(duration - manifest.duration_seconds) < 0.5
        assert abs(duration - SECONDS) < 0.5

        # Clicking a chapter seeks the player to its start.
        browser.evaluate(ARM_SEEK)
        browser.click(f'button.chapter[data-start="{CHAPTERS[1].start:.3f}"]')
        position = browser.evaluate("window.__seeked")
        assert abs(position - CHAPTERS[1].start) < 0.1
        current = browser.evaluate("""new Promise(resolve => { const check = () => {
            const b = document.querySelector('button.chapter[aria-current="true"]');
            b ? resolve(b.dataset.start) : setTimeout(check, 20); }; check(); })""")
        assert float(current) >= CHAPTERS[1].start

        # The keyboard does the same: focus the last chapter, press Enter.
        browser.evaluate(ARM_SEEK)
        browser.evaluate(
            f"document.querySelector('button.chapter[data-start=\"{CHAPTERS[2].start:.3f}\"]')"
            ".focus(); true")
        browser.press_enter()
        position = browser.evaluate("window.__seeked")
        assert abs(position - CHAPTERS[2].start) < 0.1
        browser.evaluate("document.querySelector('audio').pause(); true")

        # The copy button answers in its live region (clipboard API or the selection fallback).
        browser.click("button.copy")
        status = copy_status(browser)
        assert "copi" in status.lower()

        # Nothing was blocked or broken: no CSP violation, no script error, no failed load.
        assert page_problems(browser) == []
        assert browser.evaluate(
            "document.querySelector('img.cover').naturalWidth") > 0

        ARTIFACTS.mkdir(exist_ok=True)
        browser.screenshot(ARTIFACTS / "landing.png", 1280, 800, mobile=False)
        browser.screenshot(ARTIFACTS / "landing-phone.png", 390, 844, mobile=True)
        assert browser.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth") is True
    for name in ("landing.png", "landing-phone.png"):
        assert (ARTIFACTS / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_episode_page_plays_seeks_and_shows_the_whole_transcript(tmp_path, browser):
    config, manifest, public = build_public(tmp_path)
    with running_server(public) as server:
        browser.open(f"{server.url}/episodes/{manifest.slug}.html")
        assert browser.evaluate("document.querySelector('h1').textContent") == manifest.title
        duration = browser.evaluate(WAIT_METADATA)  # the relative ../ link to the MP3 resolves
        assert abs(duration - SECONDS) < 0.5
        browser.evaluate(ARM_SEEK)
        browser.click(f'button.chapter[data-start="{CHAPTERS[2].start:.3f}"]')
        assert abs(browser.evaluate("window.__seeked") - CHAPTERS[2].start) < 0.1
        browser.evaluate("document.querySelector('audio').pause(); true")
        transcript = browser.evaluate("document.querySelector('section.transcript').innerText")
        assert "Les ministres se sont réunis à Bruxelles & ont tranché." in transcript
        assert "Merci de votre écoute." in transcript
        # Visible, not collapsed: the page is where the transcript is read.
        assert browser.evaluate("document.querySelector('section.transcript').offsetHeight") > 100
        browser.click("button.copy")
        status = copy_status(browser)
        assert "copi" in status.lower()
        assert page_problems(browser) == []
        assert browser.evaluate("document.querySelector('img.cover').naturalWidth") > 0
        ARTIFACTS.mkdir(exist_ok=True)
        browser.screenshot(ARTIFACTS / "episode.png", 1280, 800, mobile=False)
        browser.screenshot(ARTIFACTS / "episode-phone.png", 390, 844, mobile=True)
        assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
