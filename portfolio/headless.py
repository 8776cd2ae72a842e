"""Headless Chromium, driven over the DevTools pipe, for pictures of local HTML pages.

Found at PORTFOLIO_CHROMIUM, BROWSER_PATH, /usr/bin/chromium or on PATH. A screenshot waits until the
page sets `window.__mapReady = true` (every layer loaded and drawn), not for a fixed time. Each render
starts a Chromium of about 300 MB, so a process runs at most MAX_RENDERS at once and the rest queue.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PNG_TIMEOUT_S = 60.0
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


class RenderError(RuntimeError):
    """No picture could be made (no Chromium, or it failed or timed out); the message says why."""


def chromium_path() -> str | None:
    """The headless browser used for PNGs, or None when the machine has none."""
    for env in ("PORTFOLIO_CHROMIUM", "BROWSER_PATH"):
        path = os.environ.get(env)
        if path and os.access(path, os.X_OK):
            return path
    for path in CHROMIUM_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


# Each picture starts a headless Chromium (~300 MB, 6-8 s): at most this many at once per process,
# the rest wait their turn (PORTFOLIO_RENDERS to change it).
MAX_RENDERS = max(1, int(os.environ.get("PORTFOLIO_RENDERS") or 2))
_render_slots = threading.BoundedSemaphore(MAX_RENDERS)
_waiting_lock = threading.Lock()
_waiting = 0


@contextmanager
def render_slot():
    """Hold one of the MAX_RENDERS Chromium slots; blocks (in turn) while they are all taken."""
    global _waiting
    with _waiting_lock:
        _waiting += 1
    try:
        _render_slots.acquire()
    finally:
        with _waiting_lock:
            _waiting -= 1
    try:
        yield
    finally:
        _render_slots.release()


def renders_in_use() -> tuple[int, int]:
    """(running, waiting) Chromium renders in this process, for a page to say that exports queue."""
    with _waiting_lock:
        waiting = _waiting
    return MAX_RENDERS - _render_slots._value, waiting  # noqa: SLF001 (a semaphore has no public count)


@dataclass
class DevTools:
    """Headless Chromium driven over --remote-debugging-pipe (fd 3 in, fd 4 out; messages end in NUL)."""
    browser: str
    profile: Path

    def __enter__(self) -> "DevTools":
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        # Move the child's ends above 9 so that placing them on fds 3 and 4 cannot clobber them.
        child_in, child_out = (_high_fd(to_child_r), _high_fd(from_child_w))
        for fd in (to_child_r, from_child_w):
            os.close(fd)
        args = [self.browser, "--headless", "--no-sandbox", "--disable-gpu", "--use-angle=swiftshader",
                "--enable-unsafe-swiftshader", "--hide-scrollbars", "--mute-audio", "--no-first-run",
                "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--disable-quic", "--allow-file-access-from-files",
                f"--user-data-dir={self.profile}", "--remote-debugging-pipe", "about:blank"]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _TRAMPOLINE, str(child_in), str(child_out), *args],
            pass_fds=(child_in, child_out), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(child_in)
        os.close(child_out)
        self.write_fd, self.read_fd = to_child_w, from_child_r
        self.buffer = b""
        self.next_id = 0
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._send("Browser.close", wait=False)
        except OSError:
            pass
        for fd in (self.write_fd, self.read_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def _send(self, method: str, params: dict | None = None, session: str | None = None, wait: bool = True,
              deadline: float | None = None) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        if not wait:
            return {}
        while True:
            reply = self._read(deadline or time.monotonic() + PNG_TIMEOUT_S)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RenderError(f"Chromium {method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    def _read(self, deadline: float) -> dict:
        import select

        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RenderError("Chromium did not answer in time")
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise RenderError("Chromium exited before the picture was taken")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def screenshot(self, url: str, width: int, height: int, timeout_s: float, pixel_ratio: float = 1.0) -> bytes:
        deadline = time.monotonic() + timeout_s
        targets = self._send("Target.getTargets", deadline=deadline)["targetInfos"]
        page = next(target for target in targets if target["type"] == "page")
        session = self._send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True},
                             deadline=deadline)["sessionId"]
        self._send("Emulation.setDeviceMetricsOverride",
                   {"width": width, "height": height, "deviceScaleFactor": pixel_ratio, "mobile": False},
                   session, deadline=deadline)
        self._send("Page.navigate", {"url": url}, session, deadline=deadline)
        while True:
            result = self._send("Runtime.evaluate", {"expression": "window.__mapReady === true",
                                                     "returnByValue": True}, session, deadline=deadline)
            if result.get("result", {}).get("value") is True:
                break
            if time.monotonic() > deadline:
                raise RenderError("the map did not finish drawing in time")
            time.sleep(0.1)
        shot = self._send("Page.captureScreenshot", {"format": "png", "fromSurface": True}, session,
                          deadline=deadline)
        return base64.b64decode(shot["data"])


# Puts the pipe ends on fds 3 and 4, where --remote-debugging-pipe expects them, then becomes Chromium.
_TRAMPOLINE = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
               "os.close(int(sys.argv[1])); os.close(int(sys.argv[2])); os.execv(sys.argv[3], sys.argv[3:])")


def _high_fd(fd: int) -> int:
    import fcntl

    return fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
