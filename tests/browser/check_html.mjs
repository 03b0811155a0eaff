// Loads ftpflow HTML reports in the system's headless Chromium and checks them against the
// report's DOM contract (docs in tests/html_browser.rs). Usage:
//
//   node tests/browser/check_html.mjs MANIFEST.json
//
// MANIFEST: [{ "html": "/abs/report.html", "screenshot": "/abs/shot.png",
//              "sessions": {"1": 29, "2": 12}, "probe": [1, 1000] }]
// sessions: the number of numbered timeline steps of each session (from the timeline);
// probe: in lazy mode, the sessions shown with window.ftpflow.show(N) and checked (in
// inline mode every session is checked).
//
// Prints one JSON object, {"browser": VERSION, "results": [{html, mode, errors, problems,
// elements, elements_max, ladders_max, arrows, clicked, rows, count_text}]}, and exits 0
// even when there are problems (the Rust test asserts); non-zero only when the browser or
// the manifest cannot be used. Speed is never asserted here: only a page that does not
// answer at all (HANG_MS) is reported, as unresponsive.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.FTPFLOW_CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const MAX_SHOT_HEIGHT = 6000;
const HANG_MS = 120000;
// Sessions whose first step is clicked in inline mode (each click is a round trip).
const MAX_CLICKS = 25;

function hang(promise, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`page unresponsive: ${what} did not return`)), HANG_MS);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

async function checkEntry(browser, entry) {
  const res = {
    html: entry.html,
    mode: null,
    errors: [],
    problems: [],
    elements: null,
    elements_max: null,
    ladders_max: 0,
    arrows: {},
    clicked: [],
    rows: null,
    count_text: null,
  };
  const problem = (m) => res.problems.push(m);
  const url = pathToFileURL(entry.html).href;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') res.errors.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => res.errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (r.url() !== url) res.errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('request', (r) => {
    const u = r.url();
    if (u !== url && !u.startsWith('data:') && !u.startsWith('blob:') && !u.startsWith('about:')) {
      res.errors.push(`request other than the report itself: ${u}`);
    }
  });
  const ev = (fn, arg, what) => hang(page.evaluate(fn, arg), what || 'evaluate');
  try {
    await page.goto(url, { waitUntil: 'load', timeout: HANG_MS });
    const count = () => ev(() => document.getElementsByTagName('*').length, null, 'element count');
    res.elements = await count();
    res.elements_max = res.elements;
    const head = await ev(() => {
      const idx = document.getElementById('ftpflow-index');
      let index = null;
      let indexError = null;
      try {
        index = idx ? JSON.parse(idx.textContent) : null;
      } catch (e) {
        indexError = String(e);
      }
      return {
        marker: document.documentElement.getAttribute('data-ftpflow-report'),
        mode: document.body ? document.body.dataset.mode : null,
        indexType: idx ? idx.getAttribute('type') : null,
        index,
        indexError,
        hasTable: !!document.querySelector('table#session-list'),
        hasFilter: !!document.querySelector('input#filter'),
        hasCount: !!document.getElementById('session-count'),
        hasShow: !!(window.ftpflow && typeof window.ftpflow.show === 'function'),
        external: [...document.querySelectorAll('script[src], link[href], img[src], iframe[src]')]
          .map((e) => e.outerHTML.slice(0, 120))
          .filter((h) => !/(src|href)="(data:|#)/.test(h)),
      };
    }, null, 'contract head');
    res.mode = head.mode;
    if (head.marker !== '1') problem(`<html data-ftpflow-report> is ${JSON.stringify(head.marker)}, not "1"`);
    if (head.mode !== 'inline' && head.mode !== 'lazy') problem(`body data-mode is ${JSON.stringify(head.mode)}`);
    if (head.indexType !== 'application/json') problem(`script#ftpflow-index type is ${JSON.stringify(head.indexType)}`);
    if (head.indexError) problem(`#ftpflow-index is not JSON: ${head.indexError}`);
    if (!head.hasTable) problem('no table#session-list');
    if (!head.hasFilter) problem('no input#filter');
    if (!head.hasCount) problem('no #session-count');
    if (!head.hasShow) problem('no window.ftpflow.show function');
    for (const e of head.external) problem(`external resource: ${e}`);

    const expected = entry.sessions || {};
    const ids = Object.keys(expected).map(Number).sort((a, b) => a - b);
    const index = head.index && Array.isArray(head.index.sessions) ? head.index.sessions : null;
    if (head.index && !index) problem('#ftpflow-index has no "sessions" array');
    if (head.index && !Array.isArray(head.index.advice)) problem('#ftpflow-index has no "advice" array');
    if (head.index && (typeof head.index.capture !== 'object' || head.index.capture === null)) {
      problem('#ftpflow-index has no "capture" object');
    }
    const byId = new Map();
    if (index) {
      for (const s of index) byId.set(Number(s.id), s);
      if (index.length !== ids.length) {
        problem(`#ftpflow-index lists ${index.length} sessions, the timeline ${ids.length}`);
      }
      for (const id of ids) {
        const s = byId.get(id);
        if (!s) problem(`session ${id}: not in #ftpflow-index`);
        else if (s.steps !== expected[id]) {
          problem(`session ${id}: #ftpflow-index says steps ${s.steps}, the timeline has ${expected[id]}`);
        }
      }
    }

    // The list: rows built by the script, the count, a filter by client address.
    const list = () =>
      ev(() => {
        // The rows the script built for the current filter and page (the list itself may be
        // hidden, as for a single session).
        const rows = [...document.querySelectorAll('table#session-list tbody tr[data-session]')];
        const visible = rows.filter((r) => !r.hidden && r.style.display !== 'none');
        const c = document.getElementById('session-count');
        const f = document.getElementById('filter');
        return {
          rows: rows.length,
          visible: visible.map((r) => Number(r.dataset.session)),
          count: c ? c.textContent : null,
          filterShown: !!f && f.offsetParent !== null,
        };
      }, null, 'session list');
    const numbers = (t) => (t || '').match(/\d+/g)?.map(Number) || [];
    const before = await list();
    res.rows = before.visible.length;
    res.count_text = before.count;
    if (ids.length > 0 && before.visible.length === 0) problem('table#session-list shows no row');
    if (before.visible.length > ids.length) problem(`table#session-list shows ${before.visible.length} rows for ${ids.length} sessions`);
    if (head.hasCount && !numbers(before.count).includes(ids.length)) {
      problem(`#session-count says ${JSON.stringify(before.count)}, not the ${ids.length} sessions`);
    }
    if (head.hasFilter && index && ids.length > 0) {
      // The last session's client (ip:port): on the last page when the list is paginated.
      const target = byId.get(ids[ids.length - 1]);
      const client = target && target.client;
      if (typeof client !== 'string' || !client) {
        problem(`session ${ids[ids.length - 1]}: no "client" string in #ftpflow-index`);
      } else {
        const same = index.filter((s) => String(s.client).includes(client)).length;
        // Typed as a user would when the filter is on screen; else set as the script reads it.
        const type = async (value) => {
          if (before.filterShown) {
            await page.fill('input#filter', value, { timeout: 10000 });
          } else {
            await ev((v) => {
              const f = document.getElementById('filter');
              f.value = v;
              f.dispatchEvent(new Event('input', { bubbles: true }));
            }, value, 'filter');
          }
        };
        await type(client);
        const after = await list();
        if (!after.visible.includes(target.id)) {
          problem(`filter "${client}": the row of session ${target.id} is not shown`);
        }
        if (ids.length > same && after.visible.length >= before.visible.length && before.visible.length === ids.length) {
          problem(`filter "${client}": still ${after.visible.length} rows of ${ids.length}`);
        }
        if (ids.length > same && head.hasCount && numbers(after.count).includes(ids.length) && !numbers(after.count).includes(same)) {
          problem(`filter "${client}": #session-count still says ${JSON.stringify(after.count)}`);
        }
        if (ids.length > same && after.visible.length > same) {
          problem(`filter "${client}": ${after.visible.length} rows shown, ${same} sessions match`);
        }
        await type('');
        const cleared = await list();
        if (cleared.visible.length !== before.visible.length) {
          problem(`clearing the filter shows ${cleared.visible.length} rows, ${before.visible.length} before`);
        }
      }
    }

    // One session's diagram: section, ladder, steps 1..K with frames.
    const ladder = (id) =>
      ev((id) => {
        const secs = [...document.querySelectorAll(`section.session[data-session="${id}"]`)];
        const out = { sections: secs.length, ladders: 0, steps: [], frames: [], inViewer: false, allLadders: document.querySelectorAll('svg.ladder').length };
        if (secs.length !== 1) return out;
        const sec = secs[0];
        out.inViewer = !!sec.closest('#viewer');
        const lads = sec.querySelectorAll('svg.ladder');
        out.ladders = lads.length;
        if (lads.length !== 1) return out;
        for (const g of lads[0].querySelectorAll('g.step')) {
          out.steps.push(g.getAttribute('data-step'));
          out.frames.push(g.getAttribute('data-frame'));
        }
        return out;
      }, id, `ladder of session ${id}`);
    const checkLadder = async (id) => {
      const l = await ladder(id);
      res.ladders_max = Math.max(res.ladders_max, l.allLadders);
      if (l.sections !== 1) {
        problem(`session ${id}: ${l.sections} section.session[data-session=${id}]`);
        return false;
      }
      if (l.ladders !== 1) {
        problem(`session ${id}: ${l.ladders} svg.ladder in its section`);
        return false;
      }
      res.arrows[id] = l.steps.length;
      const want = expected[id];
      if (l.steps.length !== want) problem(`session ${id}: ${l.steps.length} g.step, the timeline has ${want} steps`);
      const got = l.steps.map(Number);
      const missing = [];
      for (let n = 1; n <= want; n++) if (!got.includes(n)) missing.push(n);
      if (missing.length) problem(`session ${id}: no g.step for timeline steps ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', ...' : ''}`);
      const dup = got.filter((n, i) => got.indexOf(n) !== i);
      if (dup.length) problem(`session ${id}: g.step data-step repeated: ${[...new Set(dup)].slice(0, 20).join(', ')}`);
      const badFrames = l.frames.filter((f) => !/^\d+$/.test(f || ''));
      if (badFrames.length) problem(`session ${id}: ${badFrames.length} g.step without a numeric data-frame`);
      if (head.mode === 'lazy' && !l.inViewer) problem(`session ${id}: its section is not in #viewer (lazy mode)`);
      return true;
    };
    // Click the session's first step and read #details.
    const click = async (id) => {
      const sel = `section.session[data-session="${id}"] svg.ladder g.step[data-step="1"]`;
      const loc = page.locator(sel).first();
      if ((await loc.count()) === 0) return;
      const frame = await loc.getAttribute('data-frame');
      // A user clicks on the arrow or its label, not the centre of the group's box (which may
      // be empty space): find a point of the step where the step is what the mouse hits.
      await loc.scrollIntoViewIfNeeded({ timeout: HANG_MS });
      const point = await hang(
        loc.evaluate((g) => {
          for (const el of [g, ...g.querySelectorAll('*')]) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            for (const fx of [0.5, 0.25, 0.75, 0.1, 0.9]) {
              for (const fy of [0.5, 0.25, 0.75]) {
                const x = r.left + r.width * fx;
                const y = r.top + r.height * fy;
                const hit = document.elementFromPoint(x, y);
                if (hit && (hit === g || g.contains(hit))) return { x, y };
              }
            }
          }
          return null;
        }),
        'hit test',
      );
      let how = 'click';
      if (point) {
        await page.mouse.click(point.x, point.y);
      } else {
        problem(`session ${id}: step 1 has no point a mouse click reaches (covered or empty)`);
        how = 'dispatched';
        await loc.dispatchEvent('click');
      }
      const d = await ev(() => {
        const det = document.getElementById('details');
        if (!det) return { exists: false };
        const style = getComputedStyle(det);
        const pre = det.querySelector('pre.step-json');
        return {
          exists: true,
          hidden: det.hidden || style.display === 'none' || style.visibility === 'hidden',
          json: pre ? pre.textContent : null,
        };
      }, null, `#details of session ${id}`);
      res.clicked.push({ session: id, frame: Number(frame), how });
      if (!d.exists) return problem(`session ${id}: no #details after clicking step 1`);
      if (d.hidden) problem(`session ${id}: #details still hidden after clicking step 1`);
      if (d.json === null) return problem(`session ${id}: no pre.step-json in #details after clicking step 1`);
      let rec;
      try {
        rec = JSON.parse(d.json);
      } catch (e) {
        return problem(`session ${id}: pre.step-json is not JSON: ${e.message}`);
      }
      if (rec === null || typeof rec !== 'object' || rec.frame !== Number(frame)) {
        problem(`session ${id}: pre.step-json frame is ${JSON.stringify(rec && rec.frame)}, the step's data-frame ${frame}`);
      }
    };
    const track = async () => {
      const n = await count();
      res.elements_max = Math.max(res.elements_max, n);
    };

    if (head.mode === 'inline') {
      const total = await ev(() => document.querySelectorAll('section.session').length, null, 'sections');
      if (total !== ids.length) problem(`${total} section.session in inline mode, ${ids.length} sessions`);
      for (const id of ids) await checkLadder(id);
      for (const id of ids.slice(0, MAX_CLICKS)) await click(id);
      if (head.hasShow && ids.length > 0) {
        const last = ids[ids.length - 1];
        await ev((id) => window.ftpflow.show(id), last, `ftpflow.show(${last})`);
        await checkLadder(last);
      }
      await track();
    } else if (head.mode === 'lazy') {
      const probe = (entry.probe && entry.probe.length ? entry.probe : ids.slice(0, 1)).map(Number);
      for (const id of probe) {
        if (!(id in expected)) {
          problem(`probe ${id}: not a session of the timeline`);
          continue;
        }
        if (!head.hasShow) break;
        await ev((id) => window.ftpflow.show(id), id, `ftpflow.show(${id})`);
        if (await checkLadder(id)) await click(id);
        const lads = await ev(() => document.querySelectorAll('svg.ladder').length, null, 'ladders');
        res.ladders_max = Math.max(res.ladders_max, lads);
        if (lads > 1) problem(`after ftpflow.show(${id}): ${lads} svg.ladder in the DOM (lazy mode keeps one)`);
        await track();
      }
    }

    if (entry.screenshot) {
      const height = await ev(() => Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0), null, 'page height');
      const opts = { path: entry.screenshot, fullPage: true, timeout: HANG_MS };
      if (height > MAX_SHOT_HEIGHT) opts.clip = { x: 0, y: 0, width: 1280, height: MAX_SHOT_HEIGHT };
      await page.screenshot(opts);
    }
  } catch (e) {
    problem(`check stopped: ${e.message.split('\n')[0]}`);
  } finally {
    await context.close();
  }
  res.errors = [...new Set(res.errors)];
  res.problems = [...new Set(res.problems)];
  return res;
}

const manifestPath = process.argv[2];
if (!manifestPath) {
  console.error('usage: node check_html.mjs MANIFEST.json');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
let browser;
try {
  // launch() runs Chromium on a fresh, empty profile of its own (removed on close).
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
} catch (e) {
  console.error(`check_html: cannot start ${CHROMIUM}: ${e.message}`);
  process.exit(3);
}
const results = [];
for (const entry of manifest) results.push(await checkEntry(browser, entry));
const version = browser.version();
await browser.close();
process.stdout.write(JSON.stringify({ browser: version, results }, null, 1) + '\n');
