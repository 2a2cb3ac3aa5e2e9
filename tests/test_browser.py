"""Every built report in headless Chromium, with the network shut out.

Opens index.html and each report of the shared sample build (conftest ``build``)
from file:// in Debian's Chromium, driven over the DevTools protocol
(tests/chromium.py). Checks: no console errors, no request leaves the machine
and none fails, every image is decoded, every table-of-contents link scrolls to
a heading. Screenshots of the index and of report 01 go to
``reports/skaermbilleder/`` (or ``$ANALYSE_SCREENSHOTS``) for a person to look at.

Skipped, saying why, when no Chromium is installed; under CI (``CI`` set) a
missing Chromium is a failure, since .ci/run installs it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.chromium import Chromium, find_chromium

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]

_IMAGES = """
(async () => {
  const images = Array.from(document.images);
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  return images.map(img => ({alt: img.alt, width: img.naturalWidth, complete: img.complete}));
})()
"""

# Follow each contents link as a reader would, and see where the page scrolled to.
_TOC = """
(async () => {
  const results = [];
  for (const a of document.querySelectorAll('nav.analyse-toc a')) {
    const id = decodeURIComponent(a.getAttribute('href').slice(1));
    const target = document.getElementById(id);
    window.scrollTo(0, 0);
    a.click();
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const top = target ? target.getBoundingClientRect().top : null;
    const atBottom = Math.ceil(window.scrollY + window.innerHeight) >= document.documentElement.scrollHeight - 1;
    results.push({href: a.getAttribute('href'), tag: target ? target.tagName : null,
                  top: top, atBottom: atBottom, hash: location.hash});
  }
  return results;
})()
"""


@pytest.fixture(scope="module")
def browser():
    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium findes ikke; .ci/run skulle have installeret Debian-pakken 'chromium'")
        pytest.skip("chromium findes ikke (Debian: apt-get install chromium); browsertesten springes over")
    with Chromium(binary) as chromium:
        yield chromium


def _screenshots_dir() -> Path:
    return Path(os.environ.get("ANALYSE_SCREENSHOTS") or ROOT / "reports" / "skaermbilleder")


def _pages(build) -> list[Path]:
    reports = build["reports"]
    return [reports / "index.html", *sorted(p for p in reports.glob("*.html") if p.name != "index.html")]


def test_every_page_loads_offline_without_errors(build, browser):
    pages = _pages(build)
    assert len(pages) >= 4
    for path in pages:
        session, report = browser.open(path.as_uri())
        assert report.console_errors == [], (path.name, report.console_errors)
        assert report.blocked_requests == [], (path.name, report.blocked_requests)  # tried the network
        assert report.failed_requests == [], (path.name, report.failed_requests)
        images = browser.evaluate(session, _IMAGES)
        if path.name != "index.html":
            assert images, f"{path.name} har ingen figurer"
        for image in images:
            assert image["complete"] and image["width"] > 0, (path.name, image["alt"][:60])
            assert image["alt"] and image["alt"] != "Figur", (path.name, "billede uden alt-tekst")
        if path.name != "index.html":
            links = browser.evaluate(session, _TOC)
            assert len(links) >= 2, path.name
            for link in links:
                assert link["tag"] in ("H2", "H3"), (path.name, link)
                assert link["hash"] == link["href"], (path.name, link)
                # The heading is at the top of the window, unless the page cannot scroll further.
                assert abs(link["top"]) < 2 or (link["atBottom"] and link["top"] >= 0), (path.name, link)


def test_screenshots_of_the_index_and_a_report(build, browser):
    out = _screenshots_dir()
    session, _ = browser.open((build["reports"] / "index.html").as_uri())
    index = browser.screenshot(session, out / "index.png")
    session, _ = browser.open((build["reports"] / "01_visiterede_ydelser.html").as_uri())
    report = browser.screenshot(session, out / "01_visiterede_ydelser.png")
    for shot in (index, report):
        data = shot.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000, shot
    print(json.dumps({"skærmbilleder": [str(index), str(report)]}, ensure_ascii=False))
