"""Time from DOMContentLoaded to the overlay drawn, on a listed platform's page.

Loads the extension unpacked in Debian's Chromium (/usr/bin/chromium, headless), serves a
stand-in page for a listed host through a Playwright route (no network), and measures in the
page's own clock: from its DOMContentLoaded to the overlay's host element entering the document
(it is inserted fully built), and to the next animation frame after that (drawn on screen).
Uses the bundled index, so no service is needed.

Besides the three pages (the worker stays alive between loads, as it does while someone browses),
a fourth series stops the extension's service worker before each load (what Chromium does after
30 s idle), so every card is the first of a worker's life: the overlay's answer then waits for
what the worker must read before it can answer.

Run: .venv/bin/python bench/overlay_bench.py [--loads N] [--check] [--extension DIR]
(--extension: another build of the extension, e.g. an older commit's `git archive`, to compare.)
Target: under 100 ms at the 95th percentile. --check exits 1 when the target is missed.
On a loaded two-core machine the long page's slowest loads can pass it: the reply to the
overlay's message then waits behind the page's own first layout. The "page's own frame" line is
that floor: the page's first frame after DOMContentLoaded, which the overlay cannot beat.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "extension"
CHROMIUM = "/usr/bin/chromium"
TARGET_MS = 100.0

# Runs in the page before its own scripts: notes DOMContentLoaded and the overlay's arrival.
PROBE = """
window.overlayBench = {};
document.addEventListener('DOMContentLoaded', () => {
  overlayBench.dcl = performance.now();
  // The page's own first frame after it is parsed: the floor under "painted" (the browser's).
  requestAnimationFrame(() => { overlayBench.frame = performance.now(); });
}, {once: true});
// Watches only <html>'s own children (where the overlay goes), to add little work to the parse.
const arrived = (records, observer) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.localName === 'html') observer.observe(node, {childList: true});
      if (node.localName === 'behind-the-feed-overlay') {
        overlayBench.inserted = performance.now();
        requestAnimationFrame(() => { overlayBench.painted = performance.now(); });
        observer.disconnect();
      }
    }
  }
};
const watcher = new MutationObserver(arrived);
watcher.observe(document.documentElement || document, {childList: true});
"""


def page_body(paragraphs: int, head: str = "") -> str:
    text = "".join(f"<p>Post {i}: a line of a long feed, with a <a href='#{i}'>link</a>.</p>"
                   for i in range(paragraphs))
    return f"<!doctype html><html><head><title>Feed</title>{head}</head><body>{text}</body></html>"


def listed_host() -> str:
    index = json.loads((EXTENSION / "data" / "index.json").read_text())
    return next(host for host, slug in sorted(index["hosts"].items())
                if index["platforms"][slug]["total"] > 0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


RESTART = "small page, worker restarted"


# In the extension's service worker: what a worker that has just started must read before the
# overlay's facts are known. The whole record (fetched and parsed, as readExport does with the
# bundled one) against one platform's kept facts (chrome.storage.local `overlay:<slug>`, as
# background.js keeps them; absent with an older build).
WORKER_READS = """async (slug) => {
  const times = {record: [], kept: []};
  let kept = 0;
  for (let i = 0; i < 15; i += 1) {
    let start = performance.now();
    await (await fetch(chrome.runtime.getURL('data/export.json'))).json();
    times.record.push(performance.now() - start);
    start = performance.now();
    const found = await chrome.storage.local.get('overlay:' + slug);
    times.kept.push(performance.now() - start);
    kept = JSON.stringify(found).length;
  }
  return {times, kept};
}"""


def measure(loads: int, extension: Path = EXTENSION) -> dict[str, dict[str, list[float]]]:
    host = listed_host()
    # From memory, a page parses in a few milliseconds: a worst case, since the overlay's data
    # (a message round trip to the background) then comes after DOMContentLoaded. A real page
    # waits on the network; the third kind stands for that with one 50 ms script in its head.
    pages = {
        "small page": page_body(5),
        "long page (2,000 posts)": page_body(2000),
        "page with a 50 ms script": page_body(200, "<script src='/app.js'></script>"),
    }
    results: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True,
            args=[f"--disable-extensions-except={extension}", f"--load-extension={extension}",
                  "--no-sandbox", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        try:
            if not context.service_workers:
                context.wait_for_event("serviceworker", timeout=15_000)
            body = {"html": ""}
            def serve(route):
                if route.request.url.endswith("/app.js"):
                    time.sleep(0.05)
                    route.fulfill(status=200, content_type="text/javascript", body="// app")
                else:
                    route.fulfill(status=200, content_type="text/html; charset=utf-8",
                                  body=body["html"])

            context.route(f"https://www.{host}/**", serve)
            context.add_init_script(PROBE)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("ServiceWorker.enable")
            pages[RESTART] = pages["small page"]
            for name, html in pages.items():
                body["html"] = html
                inserted, painted, frame = [], [], []
                for i in range(loads):
                    if name == RESTART:
                        # Stopped as Chromium stops an idle worker; the page's message starts it.
                        cdp.send("ServiceWorker.stopAllWorkers")
                        time.sleep(0.3)
                    page.goto(f"https://www.{host}/feed?load={i}")
                    deadline = time.monotonic() + 10
                    while True:
                        timing = page.evaluate("() => window.overlayBench")
                        if "painted" in timing and "frame" in timing:
                            break
                        if time.monotonic() > deadline:
                            raise SystemExit(f"no overlay on load {i} of the {name}: {timing}")
                        time.sleep(0.01)
                    inserted.append(max(0.0, timing["inserted"] - timing["dcl"]))
                    painted.append(max(0.0, timing["painted"] - timing["dcl"]))
                    frame.append(max(0.0, timing["frame"] - timing["dcl"]))
                results[name] = {"inserted": inserted, "painted": painted,
                                 "page's own frame": frame}
            index = json.loads((extension / "data" / "index.json").read_text())
            reads = context.service_workers[0].evaluate(WORKER_READS, index["hosts"][host])
            results["worker reads"] = {
                "whole record": reads["times"]["record"],
                f"kept facts ({reads['kept']} B)" if reads["kept"] > 2 else "kept facts (none)":
                    reads["times"]["kept"]}
        finally:
            context.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=30, help="page loads per page kind")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--extension", type=Path, default=EXTENSION,
                        help="the unpacked extension to measure (default: extension/)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    results = measure(args.loads, args.extension.resolve())
    missed = []
    print(f"DOMContentLoaded -> overlay, {args.loads} loads each, target p95 < {TARGET_MS:.0f} ms")
    for name, series in results.items():
        for stage, values in series.items():
            p95 = percentile(values, 0.95)
            verdict = ""
            if stage == "painted" and name != "worker reads":
                verdict = "ok" if p95 < TARGET_MS else "OVER"
                if p95 >= TARGET_MS:
                    missed.append(name)
            print(f"  {name:<28} {stage:<16} median {statistics.median(values):6.1f} ms"
                  f"  p95 {p95:6.1f} ms  max {max(values):6.1f} ms  first {values[0]:6.1f} ms"
                  f"  {verdict}")
    print("target met" if not missed else f"target missed on: {', '.join(missed)}")
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
