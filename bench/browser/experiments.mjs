// The Experiments panel's runs table at scale, in real Chromium: first paint and sort.
//
//   node bench/browser/experiments.mjs --url http://127.0.0.1:PORT --token TOKEN [--runs 25000] [--out FILE]
//
// Populates an experiment through MLflow's REST API (once: an experiment of that name with that
// many runs is reused), each run with 10 params, 5 metrics (their latest values) and 5 tags. Then,
// in JupyterLab, opens the Experiments panel and, with the page's own clock (performance.now, so
// Playwright's round trips are not in the figures):
//   - first paint: from the click on the experiment to the first row in the DOM and the next
//     animation frame after it; then to every page loaded (the status line says "N runs");
//   - sort: from the click on a metric column's header to the first row of the new order in the
//     DOM and the next frame, everything loaded (sorted in the page);
//   - sort before the last page: a click on the header right after the first paint, to the
//     server's first page in that order in the DOM (the run the server puts first is the first row).
// Also the server's time for the pages the panel asks for (runs/search, 1,000 and 5,000 runs).
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    runs: { type: 'string', default: '25000' },
    rounds: { type: 'string', default: '5' },
    out: { type: 'string' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
  },
});
if (!opt.url || !opt.token) {
  console.error('usage: node experiments.mjs --url URL --token TOKEN [--runs N] [--rounds N] [--out FILE]');
  process.exit(2);
}
const base = opt.url.replace(/\/$/, '');
const RUNS = Number(opt.runs);
const ROUNDS = Number(opt.rounds);
const NAME = `bench-panel-${RUNS}`;
const API = `${base}/atelier/mlflow/api/2.0/mlflow/`;

async function mlflow(path, body) {
  const r = await fetch(API + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${opt.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) {
    throw new Error(`POST ${path} -> ${r.status}: ${text}`);
  }
  return JSON.parse(text);
}

async function countRuns(experimentId) {
  const r = await fetch(`${base}/atelier/api/experiments/run-counts`, {
    headers: { Authorization: `Bearer ${opt.token}` },
  });
  return (await r.json()).run_counts[experimentId] ?? 0;
}

async function populate() {
  let id;
  try {
    id = (await mlflow('experiments/get-by-name', { experiment_name: NAME })).experiment.experiment_id;
  } catch {
    id = (await mlflow('experiments/create', { name: NAME })).experiment_id;
  }
  let have = await countRuns(id);
  const t0 = performance.now();
  const one = async i => {
    const { run } = await mlflow('runs/create', {
      experiment_id: id,
      run_name: `run-${i}`,
      start_time: 1_700_000_000_000 + i * 1000,
      tags: Array.from({ length: 5 }, (_, k) => ({ key: `tag${k}`, value: `v${(i + k) % 7}` })),
    });
    await mlflow('runs/log-batch', {
      run_id: run.info.run_id,
      params: Array.from({ length: 10 }, (_, k) => ({ key: `p${k}`, value: String((i * (k + 3)) % 97) })),
      metrics: Array.from({ length: 5 }, (_, k) => ({
        key: `m${k}`,
        value: ((i * 7919 * (k + 1)) % RUNS) / RUNS,
        timestamp: 1_700_000_000_000 + i,
        step: 9,
      })),
    });
  };
  let next = have;
  const workers = Array.from({ length: 16 }, async () => {
    while (next < RUNS) {
      await one(next++);
    }
  });
  await Promise.all(workers);
  have = await countRuns(id);
  if (have < RUNS) {
    throw new Error(`experiment ${NAME} has ${have} runs, not ${RUNS}`);
  }
  console.log(`experiment ${id}: ${have} runs (populated in ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  return id;
}

async function searchTimes(id) {
  const out = {};
  for (const size of [1000, 5000]) {
    const times = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      await mlflow('runs/search', { experiment_ids: [id], order_by: ['attributes.start_time DESC'], max_results: size });
      times.push(performance.now() - t0);
    }
    out[`search_${size}_ms`] = times;
  }
  const t0 = performance.now();
  let token;
  let n = 0;
  do {
    const b = await mlflow('runs/search', { experiment_ids: [id], max_results: 5000, page_token: token });
    n += b.runs.length;
    token = b.next_page_token;
  } while (token);
  out.all_pages_ms = performance.now() - t0;
  out.all_pages_runs = n;
  return out;
}

/** Clicks `selector` (a CSS selector) and resolves with the page's times to `done` in the DOM and the next frame. */
function timedClick(page, selector, done) {
  return page.evaluate(
    ([selector, done]) =>
      new Promise((resolve, reject) => {
        const test = new Function('document', done);
        const t0 = performance.now();
        const timeout = setTimeout(() => reject(new Error(`not done: ${done}`)), 120_000);
        const check = () => {
          if (test(document)) {
            observer.disconnect();
            const dom = performance.now();
            requestAnimationFrame(() => {
              clearTimeout(timeout);
              resolve({ dom: dom - t0, frame: performance.now() - t0 });
            });
            return true;
          }
          return false;
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
        document.querySelector(selector).click();
        check();
      }),
    [selector, done]
  );
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const id = await populate();
  const server = await searchTimes(id);
  const browser = await chromium.launch({ executablePath: opt.chromium, headless: true });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/lab/workspaces/bench-experiments-${Date.now()}?token=${opt.token}`);
  await page.getByRole('tab', { name: 'Atelier: experiments' }).click({ timeout: 90_000 });
  const panel = page.locator('#atelier-experiments');
  await panel.locator('[data-experiment-id="0"]').click();
  const big = `#atelier-experiments [data-experiment-id="${id}"]`;
  const other = '#atelier-experiments [data-experiment-id="0"]';
  const status = '#atelier-experiments [data-testid="experiments-status"]';
  const all = `${RUNS.toLocaleString('en-US')} runs`;
  const firstRow = '#atelier-experiments [role="row"][aria-rowindex="2"]';
  const result = { runs: RUNS, first_paint: [], all_loaded: [], sort: [], sort_before_last_page: [], server };

  // The big experiment shown with its first page: selected, no longer "Loading runs…", a first row.
  const shown =
    `const e = document.querySelector('${big}'); const s = document.querySelector('${status}');` +
    ` return !!e && e.getAttribute('aria-selected') === 'true' && !!s && !s.textContent.startsWith('Loading')` +
    ` && !!document.querySelector('${firstRow}')`;
  const everything =
    `const e = document.querySelector('${big}');` +
    ` return !!e && e.getAttribute('aria-selected') === 'true'` +
    ` && document.querySelector('${status}')?.textContent === '${all}'`;
  const away = async () => {
    await page.locator(other).click();
    await page.waitForFunction(
      ([o, s]) =>
        document.querySelector(o)?.getAttribute('aria-selected') === 'true' &&
        !document.querySelector(s)?.textContent?.includes('oading'),
      [other, status]
    );
  };
  for (let i = 0; i < ROUNDS; i++) {
    await away();
    result.first_paint.push((await timedClick(page, big, shown)).frame);
    await page.waitForFunction(new Function(everything), null, { timeout: 120_000 });
  }
  for (let i = 0; i < ROUNDS; i++) {
    await away();
    result.all_loaded.push((await timedClick(page, big, everything)).frame);
  }

  // The metric column, then sorts of everything loaded, alternating the direction.
  await panel.getByRole('button', { name: 'Columns' }).click();
  await panel.getByTestId('experiments-columns').getByLabel('m0', { exact: true }).check();
  await panel.getByRole('button', { name: 'Columns' }).click();
  const header = '#atelier-experiments [data-testid="experiments-sort-metric:m0"]';
  for (let i = 0; i < 2 * ROUNDS; i++) {
    const before = await page.locator(firstRow).getAttribute('data-run-id');
    const t = await timedClick(
      page,
      header,
      `const r = document.querySelector('${firstRow}'); return !!r && r.getAttribute('data-run-id') !== '${before}'`
    );
    result.sort.push(t.frame);
  }
  // A sort right after the first paint: the server orders the first page.
  for (let i = 0; i < ROUNDS; i++) {
    await away();
    await timedClick(page, big, shown);
    result.partial_at_click = (result.partial_at_click ?? 0) +
      ((await page.locator(status).textContent()).includes('so far') ? 1 : 0);
    // The run the server puts first in the order the click asks for (the rows loaded so far,
    // sorted in the page at once, show first, then the server's first page).
    const sorted = await page.locator(header).getAttribute('aria-sort');
    const dir = sorted === 'ascending' ? 'DESC' : 'ASC';
    const top = (await mlflow('runs/search', { experiment_ids: [id], order_by: [`metrics.m0 ${dir}`], max_results: 1 }))
      .runs[0].info.run_id;
    const t = await timedClick(
      page,
      header,
      `const r = document.querySelector('${firstRow}'); const s = document.querySelector('${status}');` +
        ` return !!r && r.getAttribute('data-run-id') === '${top}' && !s.textContent.startsWith('Loading')`
    );
    result.sort_before_last_page.push(t.frame);
  }
  await browser.close();
  const summary = {
    first_paint_ms: median(result.first_paint),
    all_loaded_ms: median(result.all_loaded),
    sort_ms: median(result.sort),
    sort_before_last_page_ms: median(result.sort_before_last_page),
    search_1000_ms: median(server.search_1000_ms),
    search_5000_ms: median(server.search_5000_ms),
    all_pages_ms: server.all_pages_ms,
  };
  result.summary = summary;
  console.log(JSON.stringify(summary, null, 2));
  if (opt.out) {
    writeFileSync(opt.out, JSON.stringify(result, null, 2) + '\n');
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
