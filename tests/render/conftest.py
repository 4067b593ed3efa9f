"""Fixtures for the map tests: Debian's Chromium driven by Playwright, with the network blocked.

The browser is started once per session. :func:`open_map` opens a file in a fresh page that
aborts every request that is not for a ``file:`` URL and records it (tests assert that none was
attempted), records console messages, page errors and dialogs (``alert`` is how the XSS probes
would show), and waits until the map has drawn for the first time.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _load_synthetic():
    path = Path(__file__).parent.parent / "graph" / "synthetic.py"
    spec = importlib.util.spec_from_file_location("kg_tests_synthetic", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def synthetic():
    """tests/graph/synthetic.py: ``synthetic.synthetic_graph(n_papers, n_concepts, ...)``."""
    return _load_synthetic()


@dataclass
class OpenedPage:
    """A loaded page and everything it tried to do."""

    page: object
    requests: list[str] = field(default_factory=list)  # non-file URLs the page asked for
    console: list[tuple[str, str]] = field(default_factory=list)  # (type, text)
    errors: list[str] = field(default_factory=list)  # uncaught exceptions
    dialogs: list[str] = field(default_factory=list)  # alert/confirm/prompt messages

    def problems(self) -> list[str]:
        """Console errors and warnings, page errors and dialogs: all must be empty on a good page."""
        return (
            [f"console {kind}: {text}" for kind, text in self.console if kind in ("error", "warning")]
            + [f"page error: {e}" for e in self.errors]
            + [f"dialog: {d}" for d in self.dialogs]
        )


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_map(browser):
    """``open_map(path, wait=True) -> OpenedPage`` in a fresh, offline browser context."""
    contexts = []

    def _open(path: Path, *, wait: bool = True, viewport=(1400, 900)) -> OpenedPage:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, service_workers="block")
        contexts.append(context)
        page = context.new_page()
        opened = OpenedPage(page)

        def route(r):
            url = r.request.url
            if url.startswith("file:"):
                r.continue_()
            else:
                opened.requests.append(url)
                r.abort()

        context.route("**/*", route)
        page.on("request", lambda req: None if req.url.startswith("file:") else opened.requests.append(req.url))
        page.on("console", lambda msg: opened.console.append((msg.type, msg.text)))
        page.on("pageerror", lambda exc: opened.errors.append(str(exc)))

        def on_dialog(dialog):
            opened.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(Path(path).resolve().as_uri())
        if wait:
            page.wait_for_function("window.kgMap && window.kgMap.state.ready === true", timeout=60_000)
        return opened

    yield _open
    for context in contexts:
        context.close()
