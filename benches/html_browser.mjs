// Opens HTML reports in headless Chromium and measures what a reader waits for: the page's
// load (parse, the index, the session list), showing one session's diagram, filtering the
// list, and clicking an arrow; plus the page's size, its DOM elements and the JS heap.
//
//   node benches/html_browser.mjs REPORT.html [REPORT.html ...]   (see benches/html.sh)
//
// Prints one JSON object per report. Uses playwright-core from tests/browser (installed by
// scripts/setup.sh) with Debian's /usr/bin/chromium; never downloads a browser.
import { createRequire } from "module";
import { statSync } from "fs";
import { pathToFileURL, fileURLToPath } from "url";
import path from "path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "tests", "browser", "package.json"));
const { chromium } = require("playwright-core");

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  for (const file of process.argv.slice(2)) {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    const t0 = Date.now();
    await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: "load", timeout: 600000 });
    const load = Date.now() - t0;
    const result = await page.evaluate(async () => {
      const ids = window.ftpflow.sessions.map((s) => s.id);
      const last = ids[ids.length - 1];
      let t = performance.now();
      await window.ftpflow.show(last);
      const show = performance.now() - t;
      const filter = document.getElementById("filter");
      t = performance.now();
      filter.value = window.ftpflow.sessions[0].client.split(":")[0];
      filter.dispatchEvent(new Event("input"));
      const filterMs = performance.now() - t;
      const rows = document.querySelectorAll("#session-list tbody tr").length;
      t = performance.now();
      const g = document.querySelector("section.session.current g.step");
      g.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      const click = performance.now() - t;
      return {
        mode: document.body.dataset.mode,
        sessions: ids.length,
        show_last_ms: Math.round(show),
        filter_ms: Math.round(filterMs),
        rows_after_filter: rows,
        click_ms: Math.round(click),
        elements: document.getElementsByTagName("*").length,
        ladders_in_dom: document.querySelectorAll("svg.ladder").length,
        heap_mb: performance.memory ? +(performance.memory.usedJSHeapSize / 1e6).toFixed(1) : null,
      };
    });
    console.log(JSON.stringify({
      file: path.basename(file), bytes: statSync(file).size, load_ms: load, ...result, errors,
    }));
    await page.close();
  }
} finally {
  await browser.close();
}
