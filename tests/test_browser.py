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


#: the browser's own services (component updates, accounts, device clients): Chromium contacts
#: them on its own schedule, whatever the page; no report references them
BROWSER_SERVICES = ("google.com", "googleapis.com", "gvt1.com", "gstatic.com")


def is_browser_service(host: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in BROWSER_SERVICES)


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
        from_pages = sorted(h for h in {host_of(r) for r in proxy.requests} - own
                            if not is_browser_service(h))
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


# ---- a reader's browser: phone and desktop widths, sliders, no network -----------------------

WIDTHS = {"desktop": (1280, 2000), "phone": (390, 1600)}


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e .[dev])")
    return sync_playwright


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (make browser installs it)")
    with _playwright()() as play:
        chromium_browser = play.chromium.launch(executable_path=CHROMIUM,
                                                args=["--no-sandbox", "--disable-gpu"])
        yield chromium_browser
        chromium_browser.close()


def open_offline(browser, page_path: Path, width: int, height: int):
    """The page from disk in a fresh context where every request to another scheme than
    file: or data: is recorded and refused."""
    context = browser.new_context(viewport={"width": width, "height": height})
    remote: list[str] = []

    def refuse(route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            remote.append(url)
            route.abort()
    context.route("**/*", refuse)
    page = context.new_page()
    page.goto(page_path.as_uri(), wait_until="load")
    return context, page, remote


def test_pages_fit_a_phone_and_a_desktop(suite_run, browser):
    code, out = suite_run
    assert code == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = [out / "index.html"] + sorted((out / "reports").glob("*.html"))
    for page_path in pages:
        for label, (width, height) in WIDTHS.items():
            context, page, remote = open_offline(browser, page_path, width, height)
            try:
                page.screenshot(path=str(SHOTS / f"{page_path.stem}_{label}.png"))
                widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth,"
                                       " window.innerWidth]")
                assert max(widths[:2]) <= widths[2] + 1, f"{page_path.name} at {width}px: {widths}"
                assert remote == [], f"{page_path.name}: {remote}"
            finally:
                context.close()


def test_offline_sliders_change_the_ratio_without_a_request(suite_run, browser):
    import pandas as pd
    _, out = suite_run
    context, page, remote = open_offline(browser, out / "reports" / "scenarios.html", 390, 1600)
    try:
        boxes = page.locator(".dz-sliders")
        assert boxes.count() >= 1
        for k in range(boxes.count()):
            box = boxes.nth(k)
            indicator_id = box.get_attribute("id").removeprefix("dz-slider-")
            box.scroll_into_view_if_needed()
            before = box.locator(".dz-ratio").inner_text()
            box.locator("input.dz-num").focus()
            for _ in range(4):
                page.keyboard.press("ArrowRight")
            page.keyboard.press("Tab")
            page.keyboard.press("ArrowLeft")  # GDP growth one step down
            after = box.locator(".dz-ratio").inner_text()
            assert after != before, indicator_id
            num = float(box.locator(".dz-num-value").inner_text().rstrip("%"))
            gdp = float(box.locator(".dz-gdp-value").inner_text().rstrip("%"))
            grid = pd.read_csv(out / "tables" / "scenarios" / f"grid_{indicator_id}.csv")
            cell = grid[(grid["numerator_growth"] == num) & (grid["denominator_growth"] == gdp)]
            assert len(cell) == 1
            assert after == f"{cell['ratio'].iloc[0]:.2f}%"  # the value of the report's own grid
            verdict = box.locator(".dz-verdict").inner_text()
            assert ("clears" in verdict) == bool(cell["clears"].iloc[0])
            if k == 0:
                box.screenshot(path=str(SHOTS / "scenario_slider.png"))
        assert remote == []
    finally:
        context.close()


def test_pdf_of_each_report_with_selectable_chinese(suite_run, tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (make browser installs it)")
    from dezhou_analysis.run.runner import print_run_to_pdf
    _, out = suite_run
    run = tmp_path / "run"
    shutil.copytree(out, run)
    written = print_run_to_pdf(run)
    pages = [run / "index.html"] + sorted((run / "reports").glob("*.html"))
    assert sorted(p.stem for p in written) == sorted(p.stem for p in pages)
    for pdf in written:
        assert pdf.read_bytes().startswith(b"%PDF") and b"/MediaBox [0 0 594.9" in pdf.read_bytes()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
    for pdf in written:
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert re.search(r"[\u4e00-\u9fff]{4}", text), f"{pdf.name}: no Chinese text to select"
    index = subprocess.run(["pdftotext", str(run / "pdf" / "index.pdf"), "-"], capture_output=True,
                           text=True).stdout
    assert "需要的数据" in index and "Data needed" in index


def test_pdf_says_so_without_chromium(tmp_path, monkeypatch, capsys):
    from dezhou_analysis.run import export, runner
    monkeypatch.setattr(export, "find_chromium", lambda: None)
    (tmp_path / "reports").mkdir()
    assert runner.print_run_to_pdf(tmp_path) == []
    assert "Chromium is not installed" in capsys.readouterr().out
