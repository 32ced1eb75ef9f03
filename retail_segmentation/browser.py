"""Open a local HTML file in headless Chromium with the network off, and say what it did.

Used by the browser tests (tests/pytest/test_dashboard.py) and by `make dashboard-check`, which
times the dashboard of a large warehouse. Needs Debian's chromium and chromium-driver (`make
chromium` installs them) and selenium. The page gets no network: Chromium starts with every
host resolved to nothing and a proxy that does not exist, and DevTools' network emulation is
set offline; every request the page makes is still recorded, so a test can assert that it
asked for nothing but its own file.
"""

from __future__ import annotations

import base64
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@dataclass
class PageVisit:
    seconds_to_ready: float  # from navigation start until the page's readiness check held
    console_errors: list[str]
    requested_urls: list[str]
    ready_value: object  # what the readiness script returned once it held
    screenshot: Path | None


def missing_browser() -> str | None:
    """Why the browser cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists() and not shutil.which(Path(path).name):
            return f"{path} is missing: `make chromium` installs Debian's chromium and chromium-driver"
    return None


def _driver(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions", {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0}
    )
    return driver


def visit(
    path: Path,
    ready_script: str,
    timeout: float = 60.0,
    screenshot: Path | None = None,
    width: int = 1400,
    height: int = 900,
    before_screenshot: str | None = None,
) -> PageVisit:
    """Load `path` offline, poll `ready_script` (JavaScript returning a truthy value once the page
    is ready) until it holds, and collect console errors and requested URLs. With `screenshot`,
    write a PNG of the whole page there."""
    driver = _driver(width, height)
    try:
        driver.get(path.resolve().as_uri())
        deadline = time.monotonic() + timeout
        ready = None
        while time.monotonic() < deadline:
            ready = driver.execute_script(ready_script)
            if ready:
                break
            time.sleep(0.05)
        if not ready:
            raise TimeoutError(f"{path} was not ready after {timeout:.0f} s ({ready_script[:80]}...)")
        seconds = driver.execute_script("return performance.now() / 1000")
        if before_screenshot:
            driver.execute_script(before_screenshot)
            time.sleep(0.5)
        shot = None
        if screenshot:
            metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": int(size["height"]), "deviceScaleFactor": 1, "mobile": False},
            )
            time.sleep(0.5)
            capture = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(capture["data"]))
            shot = screenshot
        errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        urls = []
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return PageVisit(float(seconds), errors, urls, ready, shot)
    finally:
        driver.quit()


# The dashboard is ready when every chart div has been drawn by plotly (it sets _fullLayout and
# an SVG). Returns each chart's id with its traces' point counts, and when the charts in the
# first view were drawn (ms after navigation).
DASHBOARD_READY = """
const charts = [...document.querySelectorAll('.chart .js-plotly-plot')];
const expected = Number(document.body.dataset.charts);
if (charts.length !== expected) return null;
if (!charts.every(el => el._fullLayout && el.querySelector('.main-svg'))) return null;
const points = trace => ['x', 'values', 'z'].map(k => (trace[k] || []).length).reduce((a, b) => Math.max(a, b), 0);
return {charts: charts.map(el => [el.id, el.data.map(points)]), first_view_ms: window.firstViewDrawnAt};
"""


def main(argv: list[str]) -> int:
    """python -m retail_segmentation.browser PAGE.html [SCREENSHOT.png]: open a dashboard
    offline and print how long it took to draw, its console errors and what it requested."""
    reason = missing_browser()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    page = Path(argv[1])
    result = visit(page, DASHBOARD_READY, screenshot=Path(argv[2]) if len(argv) > 2 else None)
    print(
        f"{page}: {page.stat().st_size / 1e6:.1f} MB; the first view drawn {result.ready_value['first_view_ms'] / 1000:.2f} s and all "
        f"{len(result.ready_value['charts'])} charts {result.seconds_to_ready:.2f} s after navigation"
    )
    outside = [url for url in result.requested_urls if not url.startswith(("file:", "data:"))]
    print(f"console errors: {len(result.console_errors)}; requests outside the file: {outside}")
    return 0 if not result.console_errors else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
