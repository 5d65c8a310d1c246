// Time from running a cell in JupyterLab to its output in the page, in real Chromium.
//
//   node bench/browser/cells.mjs --url http://127.0.0.1:PORT --token TOKEN --cells 100 --out FILE
//
// The notebook has one cell that prints the next number of a counter. Each timed run presses
// Ctrl+Enter (run in place) in the cell's editor; in the page, a capturing keydown listener takes
// the time of the key press and a MutationObserver the time the output area first shows the
// expected number (`dom`), then the next animation frame after it (`frame`). Times come from the
// page's own clock (performance.now), so Playwright's round trips are not in them.
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    cells: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '10' },
    out: { type: 'string' },
    name: { type: 'string', default: 'bench-cells.ipynb' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
    'big-mb': { type: 'string', default: '20' },
    'big-runs': { type: 'string', default: '10' },
  },
});
if (!opt.url || !opt.token || !opt.out) {
  console.error('usage: node cells.mjs --url URL --token TOKEN --out FILE [--cells N] [--warmup N]');
  process.exit(2);
}
const base = opt.url.replace(/\/$/, '');
const cells = Number(opt.cells);
const warmup = Number(opt.warmup);
const CODE = "globals().setdefault('_bench_n', __import__('itertools').count(1))\nprint(next(_bench_n))";
const OUTPUT = '.jp-NotebookPanel .jp-Cell .jp-OutputArea-output';

async function createNotebook() {
  const nb = {
    type: 'notebook',
    format: 'json',
    content: {
      cells: [{ cell_type: 'code', source: CODE, metadata: {}, outputs: [], execution_count: null }],
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
      nbformat: 4,
      nbformat_minor: 5,
    },
  };
  const r = await fetch(`${base}/api/contents/${opt.name}`, {
    method: 'PUT',
    headers: { Authorization: `token ${opt.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(nb),
  });
  if (!r.ok) {
    throw new Error(`PUT /api/contents/${opt.name} -> ${r.status}: ${await r.text()}`);
  }
}

/** Arms the listeners in the page; the promise of the timings is kept in window.__bench. */
function arm(page, expected) {
  return page.evaluate(([expected, selector]) => {
    window.__bench = new Promise(resolve => {
      let key = null;
      const onKey = e => {
        if (key === null && e.key === 'Enter' && e.ctrlKey) key = performance.now();
      };
      window.addEventListener('keydown', onKey, true);
      const observer = new MutationObserver(() => {
        const el = document.querySelector(selector);
        if (key !== null && el && el.textContent.trim() === expected) {
          const dom = performance.now();
          observer.disconnect();
          window.removeEventListener('keydown', onKey, true);
          requestAnimationFrame(() => resolve({ key, dom, frame: performance.now() }));
        }
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
  }, [expected, OUTPUT]);
}

async function runOnce(page, n, timeoutMs) {
  await arm(page, String(n));
  await page.keyboard.press('Control+Enter');
  const t = await Promise.race([
    page.evaluate(() => window.__bench),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`cell ${n}: no output within ${timeoutMs} ms`)), timeoutMs)),
  ]);
  return { dom: t.dom - t.key, frame: t.frame - t.key };
}

/**
 * The page's own WebSocket (Chromium offers permessage-deflate, as on every socket it opens) on a
 * kernel of its own, in JupyterLab's protocol (v1 where offered): from an execute_request printing
 * `mb` MB of random base64 to its idle status, one untimed run and then `runs` timed ones.
 * JupyterLab's renderer is not involved: this is the transport a browser gets.
 */
async function bigOutputRuns(page, mb, runs) {
  if (!mb || !runs) return null;
  const auth = { Authorization: `token ${opt.token}`, 'Content-Type': 'application/json' };
  const r = await fetch(`${base}/api/kernels`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'python3' }) });
  if (!r.ok) throw new Error(`POST /api/kernels -> ${r.status}: ${await r.text()}`);
  const kernelId = (await r.json()).id;
  try {
    return await page.evaluate(async ([base, token, kernelId, mb, runs]) => {
      const url = `${base.replace(/^http/, 'ws')}/api/kernels/${kernelId}/channels?session_id=${crypto.randomUUID()}&token=${token}`;
      // JupyterLab's own protocol: v1 binary frames when the server offers them, else legacy JSON
      const ws = new WebSocket(url, ['v1.kernel.websocket.jupyter.org']);
      ws.binaryType = 'arraybuffer';
      await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('websocket failed')); });
      const v1 = ws.protocol === 'v1.kernel.websocket.jupyter.org';
      const utf8 = new TextDecoder();
      // v1: a little-endian uint64 count n, n offsets, then channel, header, parent, metadata, content
      const decode = data => {
        if (!v1) return { m: JSON.parse(data), size: data.length };
        const view = new DataView(data);
        const at = i => Number(view.getBigUint64(8 * (i + 1), true));
        const part = i => JSON.parse(utf8.decode(new Uint8Array(data, at(i), at(i + 1) - at(i))));
        const header = part(1);
        const content = header.msg_type === 'status' ? part(4) : null;
        return { m: { msg_type: header.msg_type, parent_header: part(2), content }, size: data.byteLength };
      };
      const encode = msg => {
        if (!v1) return JSON.stringify({ ...msg, buffers: [] });
        const parts = [msg.channel, msg.header, msg.parent_header, msg.metadata, msg.content]
          .map((p, i) => new TextEncoder().encode(i === 0 ? p : JSON.stringify(p)));
        const n = parts.length + 1;
        let offset = 8 * (n + 1);
        const offsets = [offset];
        for (const p of parts) offsets.push(offset += p.length);
        const out = new Uint8Array(offset);
        const view = new DataView(out.buffer);
        view.setBigUint64(0, BigInt(n), true);
        offsets.forEach((o, i) => view.setBigUint64(8 * (i + 1), BigInt(o), true));
        parts.forEach((p, i) => out.set(p, offsets[i]));
        return out;
      };
      const execute = code => new Promise((resolve, reject) => {
        const id = crypto.randomUUID();
        const timer = setTimeout(() => reject(new Error('no idle status within 120 s')), 120_000);
        let bytes = 0;
        const t0 = performance.now();
        ws.onmessage = e => {
          const { m, size } = decode(e.data);
          if (m.parent_header.msg_id !== id) return;
          bytes += size;
          if (m.msg_type === 'status' && m.content.execution_state === 'idle') {
            clearTimeout(timer);
            resolve({ ms: performance.now() - t0, chars: bytes });
          }
        };
        ws.send(encode({
          header: { msg_id: id, msg_type: 'execute_request', username: '', session: 'bench', date: new Date().toISOString(), version: '5.3' },
          parent_header: {}, metadata: {}, channel: 'shell',
          content: { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true },
        }));
      });
      const code = `import base64, os; print(base64.b64encode(os.urandom(${Math.round(mb * 750_000)})).decode())`;
      await execute('pass');
      await execute(code);
      const ms = [];
      let chars = 0;
      for (let i = 0; i < runs; i++) {
        const t = await execute(code);
        ms.push(t.ms);
        chars = t.chars;
      }
      const extensions = ws.extensions;
      const protocol = ws.protocol || 'legacy';
      ws.close();
      return { mb, ms, chars, extensions, protocol };
    }, [base, opt.token, kernelId, mb, runs]);
  } finally {
    await fetch(`${base}/api/kernels/${kernelId}`, { method: 'DELETE', headers: auth }).catch(() => {});
  }
}

const browser = await chromium.launch({ executablePath: opt.chromium, headless: true });
try {
  await createNotebook();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const t0 = Date.now();
  await page.goto(`${base}/lab/tree/${opt.name}?reset&token=${opt.token}`);
  const editor = page.locator('.jp-NotebookPanel .jp-Cell .cm-content').first();
  await editor.waitFor({ timeout: 120_000 });
  // the kernel is started and connected: the status bar says so
  await page.getByText(/\| Idle$/).first().waitFor({ timeout: 120_000 });
  await editor.click();
  // A run pressed while the page is still wiring up the kernel can be dropped: press again until
  // the cell has printed, then go on from the number it printed.
  let n = 0;
  const output = page.locator(OUTPUT).first();
  for (let attempt = 1; n === 0; attempt++) {
    await page.keyboard.press('Control+Enter');
    try {
      await output.filter({ hasText: /^\s*\d+\s*$/ }).waitFor({ timeout: 10_000 });
      n = Number((await output.textContent()).trim()) + 1;
    } catch (error) {
      if (attempt >= 6) throw new Error(`the first run printed nothing after ${attempt} tries`);
    }
  }
  const loadedS = (Date.now() - t0) / 1000;
  for (let i = 0; i < warmup; i++) await runOnce(page, n++, 30_000);
  const dom = [];
  const frame = [];
  for (let i = 0; i < cells; i++) {
    const t = await runOnce(page, n++, 30_000);
    dom.push(t.dom);
    frame.push(t.frame);
  }
  const bigOutput = await bigOutputRuns(page, Number(opt['big-mb']), Number(opt['big-runs']));
  writeFileSync(opt.out, JSON.stringify({ loaded_s: loadedS, dom_ms: dom, frame_ms: frame, big_output: bigOutput,
    chromium: browser.version() }));
} catch (error) {
  // what the page showed when it failed, beside the results file
  const pages = browser.contexts().flatMap(c => c.pages());
  if (pages.length) await pages[0].screenshot({ path: `${opt.out}.failed.png` }).catch(() => {});
  throw error;
} finally {
  await browser.close();
}
