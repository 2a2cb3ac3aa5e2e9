"""A small headless-Chromium driver over the DevTools protocol, for the browser test.

No Python dependency: Chromium is started with ``--remote-debugging-pipe`` and
spoken to over two pipes (commands in on fd 3, replies out on fd 4, messages
separated by NUL bytes). Every request that is not ``file:`` or ``data:`` is
intercepted and failed, so the network is shut out and each attempt is counted.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--remote-debugging-pipe", "about:blank",
]
LOCAL_SCHEMES = ("file:", "data:", "about:")


def find_chromium() -> str | None:
    """The Chromium binary: ``$CHROMIUM``, else the usual names on PATH (Debian: /usr/bin/chromium)."""
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _high_fd(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class PageReport:
    """What happened while one page loaded."""

    def __init__(self, url: str):
        self.url = url
        self.console_errors: list[str] = []
        self.blocked_requests: list[str] = []
        self.failed_requests: list[str] = []
        self.loaded = threading.Event()


class Chromium:
    """One headless browser; use as a context manager."""

    def __init__(self, binary: str, timeout: float = 30.0):
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="analyse-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # Move the child's ends above fd 9, so that putting them on 3 and 4 cannot overwrite one another.
        to_child_r, from_child_w = (_high_fd(to_child_r), _high_fd(from_child_w))
        # bash (dash takes one-digit fds only) puts the pipe ends on fds 3 and 4, then becomes Chromium.
        self._proc = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{to_child_r} 4>&{from_child_w}', binary,
             *FLAGS[:-1], f"--user-data-dir={self._profile}", FLAGS[-1]],
            pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._next_id = 0
        self._replies: dict[int, queue.Queue] = {}
        self._pages: dict[str, PageReport] = {}
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # -- protocol plumbing --
    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._from_child, "rb", buffering=0) as stream:
            while True:
                chunk = stream.read(65536)
                if not chunk:
                    break
                buffer += chunk
                while b"\0" in buffer:
                    raw, buffer = buffer.split(b"\0", 1)
                    message = json.loads(raw)
                    if "id" in message:
                        box = self._replies.get(message["id"])
                        if box is not None:
                            box.put(message)
                    else:
                        self._on_event(message)

    def _post(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            self._replies[ident] = queue.Queue()
            message = {"id": ident, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            os.write(self._to_child, json.dumps(message).encode() + b"\0")
        return ident

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        ident = self._post(method, params, session)
        try:
            reply = self._replies[ident].get(timeout=self.timeout)
        except queue.Empty:
            raise TimeoutError(f"Chromium svarede ikke på {method}") from None
        finally:
            self._replies.pop(ident, None)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def _on_event(self, event: dict) -> None:
        """Runs on the reader thread: answer intercepted requests at once, note the rest."""
        report = self._pages.get(event.get("sessionId"))
        if report is None:
            return
        method, params = event.get("method"), event.get("params", {})
        session = event["sessionId"]
        if method == "Fetch.requestPaused":
            request_url = params["request"]["url"]
            if request_url.startswith(LOCAL_SCHEMES):
                self._post("Fetch.continueRequest", {"requestId": params["requestId"]}, session)
            else:
                report.blocked_requests.append(request_url)
                self._post("Fetch.failRequest", {"requestId": params["requestId"],
                                                 "errorReason": "BlockedByClient"}, session)
        elif method == "Network.loadingFailed":
            report.failed_requests.append(f"{params.get('errorText')} ({params.get('type')})")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            report.console_errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                                  for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            report.console_errors.append(details.get("exception", {}).get("description")
                                         or details.get("text", "exception"))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            report.console_errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")
        elif method == "Page.loadEventFired":
            report.loaded.set()

    # -- pages --
    def open(self, url: str, width: int = 1280, height: int = 900):
        """Load ``url`` in a fresh tab with the network shut out; return (session id, PageReport)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        report = self._pages[session] = PageReport(url)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        if not report.loaded.wait(self.timeout):
            raise TimeoutError(f"{url} blev ikke indlæst")
        # Late requests (images decoding, fonts) would show up now.
        self.evaluate(session, "new Promise(r => requestAnimationFrame(() => setTimeout(r, 200)))")
        return session, report

    def evaluate(self, session: str, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, session=session)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text"))
        return result["result"].get("value")

    def screenshot(self, session: str, path: Path, full_page: bool = False) -> Path:
        params: dict = {"format": "png"}
        if full_page:
            size = self.evaluate(session, "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params.update({"captureBeyondViewport": True,
                           "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}})
        data = self.send("Page.captureScreenshot", params, session=session)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def print_pdf(self, session: str, path: Path) -> Path:
        data = self.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True},
                         session=session)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:  # noqa: BLE001 - it may already be gone
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        try:
            os.close(self._to_child)
        except OSError:
            pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
