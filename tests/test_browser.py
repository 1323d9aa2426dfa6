"""The reports in a real browser: headless Chromium opens index.html and every report from disk
with a recording proxy as its only way out, takes screenshots, and fails on console messages,
requests to other hosts, broken images or an empty page."""

import base64
import io
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
SHOTS = ROOT / "tests" / "output" / "screenshots"


class RecordingProxy:
    """Every request the browser tries to send to another host ends here and is recorded."""

    def __init__(self):
        self.requests: list[str] = []
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                except OSError:
                    first = "?"
                self.requests.append(first)
                try:
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def close(self):
        self.server.close()


def chromium(args: list[str], proxy: RecordingProxy, profile: Path) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage", "--no-pings",
               "--disable-default-apps", "--disable-domain-reliability", "--disable-breakpad",
               "--disable-client-side-phishing-detection", "--metrics-recording-only",
               "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,"
               "MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
               f"--user-data-dir={profile}", f"--proxy-server=http://127.0.0.1:{proxy.port}",
               "--proxy-bypass-list=<-loopback>", "--enable-logging=stderr", "--v=0",
               "--virtual-time-budget=4000", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def host_of(request: str) -> str:
    target = request.split(" ")[1] if " " in request else request
    return re.sub(r"^\w+://", "", target).split("/")[0].split(":")[0]


def browser_own_hosts(proxy: RecordingProxy, profile: Path) -> set[str]:
    """Hosts Chromium contacts by itself (time, updates) on a blank local page."""
    blank = profile.parent / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body><p>blank</p></body></html>", encoding="utf-8")
    chromium(["--dump-dom", blank.as_uri()], proxy, profile)
    hosts = {host_of(r) for r in proxy.requests}
    proxy.requests.clear()
    return hosts


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def images_are_intact(html: str) -> list[str]:
    broken = []
    for src in re.findall(r'<img[^>]+src="([^"]+)"', html):
        match = re.match(r"data:image/(png|svg\+xml);base64,(.+)", src)
        if not match:
            broken.append(src[:80])
            continue
        data = base64.b64decode(match.group(2))
        if match.group(1) == "png" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
            broken.append("bad png")
    return broken


def not_blank(png: Path) -> bool:
    from PIL import Image, ImageStat
    image = Image.open(io.BytesIO(png.read_bytes())).convert("L")
    return ImageStat.Stat(image).stddev[0] > 10


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make browser installs it)")
def test_reports_render_offline_in_chromium(suite_run, tmp_path):
    code, out = suite_run
    assert code == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    proxy = RecordingProxy()
    try:
        own = browser_own_hosts(proxy, tmp_path / "profile-blank")
        pages = [("index", out / "index.html")] + sorted(
            (p.stem, p) for p in (out / "reports").glob("*.html"))
        for name, page in pages:
            html = page.read_text(encoding="utf-8")
            assert images_are_intact(html) == [], name
            shot = SHOTS / f"{name}.png"
            result = chromium([f"--screenshot={shot}", "--window-size=1280,2400", page.as_uri()],
                              proxy, tmp_path / f"profile-{name}")
            assert shot.is_file() and not_blank(shot), f"{name}: empty page"
            assert console_messages(result.stderr) == [], name
            dom = chromium(["--dump-dom", page.as_uri()], proxy, tmp_path / f"dom-{name}").stdout
            text = re.sub(r"<[^>]+>", "", dom)
            assert len(text) > 500 and re.search(r"[\u4e00-\u9fff]{6}", text), f"{name}: no text"
        from_pages = sorted({host_of(r) for r in proxy.requests} - own)
        assert from_pages == [], f"requests to other hosts: {from_pages}"
    finally:
        proxy.close()
    assert (SHOTS / "index.png").is_file() and (SHOTS / "target_reachability.png").is_file()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make browser installs it)")
def test_hostile_text_shows_literally_and_runs_nothing(hostile_run, tmp_path):
    code, out = hostile_run
    assert code == 0
    proxy = RecordingProxy()
    try:
        for name in ("plan_extraction", "indicator_trends"):
            page = out / "reports" / f"{name}.html"
            result = chromium(["--dump-dom", page.as_uri()], proxy, tmp_path / name)
            assert console_messages(result.stderr) == [], "a script ran"
            dom = result.stdout
            assert "<script" not in dom.lower() and not re.search(r"<img[^>]+onerror", dom)
            text = re.sub(r"<[^>]+>", "", dom)
            assert ("<img src=x onerror=alert(2)>" in text.replace("&lt;", "<").replace("&gt;", ">")
                    if name == "indicator_trends" else
                    "<b onmouseover=alert(3)>" in text.replace("&lt;", "<").replace("&gt;", ">"))
    finally:
        proxy.close()
