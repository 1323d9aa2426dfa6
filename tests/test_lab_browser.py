"""JupyterLab as a researcher uses it: the shipped server config saves notebooks without outputs,
and (in a real browser) a notebook runs all cells cleanly, its sliders redraw, and saving it
leaves no outputs on disk."""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT, copy_project

JUPYTER = str(Path(sys.executable).parent / "jupyter")
CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """`jupyter lab` (or `jupyter server`) on a project copy, configured as `make lab` does."""

    def __init__(self, project: Path, app: str = "lab"):
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        # the user's own Jupyter folder (JUPYTER_CONFIG_DIR) holds Lab's saved workspace: a
        # workspace left by another run reopens its notebooks beside the one asked for, and Lab
        # then asks which kernel to start; each run here starts from a folder of its own
        env = dict(os.environ, JUPYTER_CONFIG_PATH=str(project / ".jupyter"),
                   JUPYTER_CONFIG_DIR=str(project / ".jupyter-user"),
                   JUPYTER_RUNTIME_DIR=str(project / ".runtime"))
        self.log = open(project / f"{app}.log", "w")
        self.process = subprocess.Popen(
            [JUPYTER, app, "--no-browser", "--allow-root", f"--port={self.port}", "--ip=127.0.0.1",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={project / 'notebooks'}"],
            cwd=project / "notebooks", env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                self.api("GET", "/api/status")
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"jupyter {app} did not start: {(project / f'{app}.log').read_text()[-2000:]}")

    def api(self, method: str, path: str, body: dict | None = None) -> dict | list:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, data=json.dumps(body).encode() if body else None,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def lab_project(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "project")
    shutil.copytree(ROOT / ".jupyter", project / ".jupyter")
    return project


def assert_no_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:80]
    assert "widgets" not in nb.metadata


def test_the_server_saves_notebooks_without_outputs(tmp_path):
    """What Lab's autosave sends: a notebook with outputs; what lands on disk: none."""
    project = lab_project(tmp_path)
    lab = Lab(project, app="server")
    try:
        nb = nbformat.read(project / "notebooks" / "industries.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        code[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 10_000)]
        code[-1].execution_count = 7
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
        lab.api("PUT", "/api/contents/industries.ipynb", {"type": "notebook", "format": "json",
                                                         "content": json.loads(nbformat.writes(nb))})
        assert_no_outputs(project / "notebooks" / "industries.ipynb")
        saved = nbformat.read(project / "notebooks" / "industries.ipynb", as_version=4)
        assert [c.source for c in saved.cells] == [c.source for c in nb.cells]
    finally:
        lab.stop()


def run_all_cells(page, lab: Lab, attempts: int = 4) -> None:
    """Run > Run All Cells, as a researcher would, until the first code cell has run.

    Lab may ask which kernel to start even when the notebook's session has one (the dialog is
    accepted, as a user would, and Lab then starts a kernel of its own), and a Run All clicked
    before that kernel is ready is dropped when the kernel changes. So each try first waits until
    no dialog is open and the session's kernel is idle, and a try counts only once a cell has
    finished. The menu items are found by their exact names: a substring match can pick "Restart
    Kernel and Run All Cells…", whose dialog, accepted, restarts the kernel."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    for _ in range(attempts):
        wait_for_idle_kernel(page, lab)
        try:
            page.get_by_role("menuitem", name="Run", exact=True).click(timeout=10_000)
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click(timeout=10_000)
            page.wait_for_function("() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
                                   ".some(p => /\\[\\d+\\]/.test(p.textContent))", timeout=90_000)
            return
        except PlaywrightTimeout:
            if not _answer_dialog(page):
                page.keyboard.press("Escape")  # a menu left open
    raise AssertionError(f"Run All Cells ran no cell in {attempts} tries")


def wait_for_idle_kernel(page, lab: Lab, timeout: float = 180) -> None:
    """Until Lab shows no dialog, the notebook's session has a kernel the server reports idle, and
    the page shows the kernel idle too (answering a kernel dialog if Lab opens one meanwhile)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if _answer_dialog(page):
            continue
        states = [session["kernel"]["execution_state"] for session in lab.api("GET", "/api/sessions")
                  if session["path"].endswith("scenarios.ipynb") and session.get("kernel")]
        indicator = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        if states == ["idle"] and indicator.count():
            return
        time.sleep(0.5)
    raise AssertionError("the notebook's kernel did not become idle")


def _answer_dialog(page) -> bool:
    """Accept Lab's "Select Kernel" dialog; dismiss any other (a restart is never wanted here)."""
    dialog = page.locator(".jp-Dialog")
    if not dialog.count():
        return False
    if "Select Kernel" in dialog.first.locator(".jp-Dialog-header").inner_text():
        dialog.first.locator(".jp-mod-accept").first.click()
    else:
        dialog.first.locator(".jp-mod-reject").first.click()
    return True


def report_failure(page, project: Path, tmp_path: Path, console: list[str]) -> None:
    """What a failed browser run leaves to read: a screenshot, the cells' prompts, the browser's
    console and the server log."""
    page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
    print("browser console (end):\n" + "\n".join(console[-60:]))
    prompts = page.evaluate("() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
                            ".map(p => p.textContent).join(' ')")
    print(f"screenshot: {tmp_path / 'failure.png'}\nprompts: {prompts}")
    print("server log (end):\n" + (project / "lab.log").read_text(errors="replace")[-6000:])


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make browser installs it)")
def test_a_researcher_runs_a_notebook_in_jupyterlab(tmp_path):
    from playwright.sync_api import sync_playwright
    project = lab_project(tmp_path)
    lab = Lab(project)
    try:
        # the notebook's kernel is running before the page opens (as when a researcher comes
        # back to it): Lab attaches to it instead of racing its own start against Run All
        lab.api("POST", "/api/sessions", {"path": "scenarios.ipynb", "type": "notebook",
                                          "name": "scenarios.ipynb", "kernel": {"name": "dezhou-analysis"}})
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            console: list[str] = []
            page.on("console", lambda message: console.append(
                f"{time.strftime('%H:%M:%S')} {message.type}: {message.text[:300]}"))
            page.goto(f"{lab.url}/lab/tree/scenarios.ipynb?token={lab.token}")
            page.wait_for_selector(".jp-Notebook", timeout=120_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                                   timeout=120_000)
            try:
                run_all_cells(page, lab)
                slider = page.locator(".widget-slider").first
                slider.wait_for(timeout=240_000)
                page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                                       timeout=240_000)
                page.wait_for_function("() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
                                       ".every(p => !p.textContent.includes('*'))", timeout=240_000)
                assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                                    ", .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"
                                    ).count() == 0, "an error output"
                verdict = page.locator(".widget-html-content", has_text="%").first
                before = verdict.inner_text()
                handle = page.locator(".widget-slider .noUi-handle").first
                handle.focus()
                for _ in range(6):
                    handle.press("ArrowRight")
                page.wait_for_function("([before]) => [...document.querySelectorAll('.widget-html-content')]"
                                       ".some(e => e.innerText.includes('%') && e.innerText !== before)",
                                       arg=[before], timeout=30_000)
                saved = project / "notebooks" / "scenarios.ipynb"
                before_save = saved.stat().st_mtime_ns
                page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
                page.keyboard.press("Control+s")
                deadline = time.time() + 30
                while saved.stat().st_mtime_ns == before_save and time.time() < deadline:
                    time.sleep(0.5)
                assert saved.stat().st_mtime_ns != before_save, "the notebook was not saved"
            except Exception:
                report_failure(page, project, tmp_path, console)
                raise
            browser.close()
    finally:
        lab.stop()
    assert_no_outputs(project / "notebooks" / "scenarios.ipynb")
