import { Locator, Page } from '@playwright/test';

import { expect, openLab, snap, test } from '../support/fixtures';
import { switchTheme } from '../support/contrast';
import { Mlflow } from '../support/mlflow';

/** The Experiments panel on one experiment, every run selected, then "Compare N". */
async function compareAll(page: Page, experiment: string, runs: number): Promise<Locator> {
  await page.getByRole('tab', { name: 'Atelier: experiments' }).click();
  const panel = page.locator('#atelier-experiments');
  await panel.getByRole('option', { name: new RegExp(experiment) }).click();
  await expect(panel.getByTestId('experiments-status')).toHaveText(`${runs} runs`);
  const table = panel.getByRole('grid', { name: 'Runs' });
  await table.locator('[role="row"][aria-rowindex="2"]').click();
  await table.evaluate(node => (node.scrollTop = node.scrollHeight));
  await table.locator(`[role="row"][aria-rowindex="${runs + 1}"]`).click({ modifiers: ['Shift'] });
  await expect(panel.getByTestId('experiments-status')).toHaveText(`${runs} runs, ${runs} selected`);
  await panel.getByRole('button', { name: `Compare ${runs}` }).click();
  const view = page.getByRole('main').getByTestId('compare-view').filter({ hasText: `Compare ${runs} runs` });
  await expect(view).toBeVisible();
  return view;
}

/**
 * The drawn data reaches both ends of the visible range (within two pixel columns): the chart
 * never shows a straight line across a part of the range it has data for.
 */
function expectCovered(range: string, window: string, width: number): void {
  const [min, max] = range.split(',').map(Number);
  const [first, last] = window.split(',').map(Number);
  const slack = (2 * (max - min)) / width;
  expect(first, `drawn from ${first} for the range ${range}`).toBeLessThanOrEqual(min + slack);
  expect(last, `drawn to ${last} for the range ${range}`).toBeGreaterThanOrEqual(max - slack);
}


test('compares runs: overlaid histories with zoom, a scatter and parallel coordinates, in light and dark', async ({
  page,
  lab,
  request
}, testInfo) => {
  test.setTimeout(240_000);
  const mlflow = new Mlflow(request, lab.base, lab.token);
  const name = `browser-compare-${Date.now()}`;
  const experimentId = await mlflow.experiment(name);
  const RUNS = 6;
  const STEPS = 200;
  const optimizers = ['adam', 'sgd', 'rmsprop'];
  for (let r = 0; r < RUNS; r++) {
    const id = await mlflow.run(experimentId, `trial-${r}`);
    const lr = 0.001 * 2 ** r;
    await mlflow.params(id, { lr: String(lr), optimizer: optimizers[r % 3], layers: String(2 + (r % 2)) });
    await mlflow.series(
      id,
      'loss',
      Array.from({ length: STEPS }, (_, i) => Math.exp(-i * lr * 5) + 0.02 * r)
    );
    await mlflow.series(id, 'accuracy', [0.6 + 0.05 * r]);
    await mlflow.finish(id);
  }

  await openLab(page, lab, testInfo);
  const view = await compareAll(page, name, RUNS);

  const overlay = view.getByTestId('compare-overlay');
  await expect(overlay).toHaveAttribute('data-metric', 'accuracy');
  await view.getByRole('combobox', { name: 'Metric', exact: true }).selectOption('metric:loss');
  await expect(overlay).toHaveAttribute('data-metric', 'loss');
  await expect(overlay.locator('figcaption')).toContainText(`${RUNS} runs, ${(RUNS * STEPS).toLocaleString('en-US')} points of loss by step`);
  await expect(overlay.getByRole('list', { name: 'Runs' }).getByRole('listitem')).toHaveCount(RUNS);
  const plot = overlay.getByTestId('compare-overlay-plot');
  const root = plot.locator('.uplot');
  await expect(root).toHaveAttribute('data-range', `0,${STEPS - 1}`);
  // Few points per run: nothing to reduce, every point drawn.
  await expect(root).toHaveAttribute('data-drawn-points', String(STEPS));
  // The overlaid metric's summaries as the server computed them, a row per run.
  const summaries = view.getByTestId('compare-metric-summaries');
  await expect(summaries.locator('tbody tr')).toHaveCount(RUNS);
  const first = summaries.getByRole('row', { name: /trial-0/ }).locator('td');
  await expect(first.nth(2)).toHaveText('1'); // Max: exp(0) + 0
  await expect(first.nth(5)).toHaveText(String(STEPS)); // Count

  // Wheel zooms around the pointer; a double click shows everything again.
  const over = plot.locator('.u-over');
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
  await page.mouse.wheel(0, -200);
  await expect.poll(async () => (await root.getAttribute('data-range')) !== `0,${STEPS - 1}`).toBe(true);
  const [min, max] = (await root.getAttribute('data-range'))!.split(',').map(Number);
  expect(max - min).toBeLessThan(STEPS - 1);
  expect(min).toBeGreaterThanOrEqual(0);
  expectCovered((await root.getAttribute('data-range'))!, (await root.getAttribute('data-window'))!, box.width);
  await snap(page, testInfo, '1-overlay-zoomed');
  await over.dblclick();
  await expect(root).toHaveAttribute('data-range', `0,${STEPS - 1}`);

  // Scatter of a metric against a param: a point per run.
  const scatter = view.getByTestId('compare-scatter');
  await expect(view.getByRole('combobox', { name: 'X', exact: true })).toHaveValue('param:layers');
  await view.getByRole('combobox', { name: 'X', exact: true }).selectOption('param:lr');
  await view.getByRole('combobox', { name: 'Y', exact: true }).selectOption('metric:accuracy');
  await expect(scatter).toHaveAttribute('data-points', String(RUNS));
  const scatterCanvas = scatter.locator('canvas');
  await scatterCanvas.scrollIntoViewIfNeeded();
  await expect(scatterCanvas).toBeVisible();
  expect((await scatterCanvas.boundingBox())!.width).toBeGreaterThan(200);

  // Parallel coordinates: the params chosen, coloured by a metric, a line per run.
  const parallel = view.getByTestId('compare-parallel-canvas');
  await parallel.scrollIntoViewIfNeeded();
  await expect(parallel).toHaveAttribute('data-axes', '4');
  await expect(parallel).toHaveAttribute('data-lines', String(RUNS));
  await view.getByRole('group', { name: 'Parallel axes' }).getByLabel('layers').uncheck();
  await expect(parallel).toHaveAttribute('data-axes', '3');
  await snap(page, testInfo, '2-scatter-parallel');

  // Dark theme: the canvases are drawn again in its colours.
  const lightAxis = await root.getAttribute('data-axis-stroke');
  const lightParallel = await parallel.getAttribute('data-axis-stroke');
  await switchTheme(page, 'JupyterLab Dark', false);
  await expect.poll(() => root.getAttribute('data-axis-stroke')).not.toBe(lightAxis);
  await expect.poll(() => parallel.getAttribute('data-axis-stroke')).not.toBe(lightParallel);
  await snap(page, testInfo, '3-dark');
  await switchTheme(page, 'JupyterLab Light', true);
});

test('overlays 100 runs of 10,000 points and zooms and pans them drawn per pixel', async ({
  page,
  lab,
  request
}, testInfo) => {
  test.setTimeout(900_000);
  const mlflow = new Mlflow(request, lab.base, lab.token);
  const name = `browser-compare-scale-${Date.now()}`;
  const experimentId = await mlflow.experiment(name);
  const RUNS = 100;
  const POINTS = 10_000;
  const ids = await Promise.all(Array.from({ length: RUNS }, (_, r) => mlflow.run(experimentId, `scale-${r}`)));
  const t0 = Date.now();
  for (let from = 0; from < RUNS; from += 8) {
    await Promise.all(
      ids.slice(from, from + 8).map((id, k) =>
        mlflow.series(
          id,
          'loss',
          Array.from({ length: POINTS }, (_, i) => Math.exp(-i / (500 + 50 * (from + k))) + 0.05 * Math.sin(i / 7))
        )
      )
    );
  }
  testInfo.annotations.push({ type: 'ingest', description: `${RUNS * POINTS} points in ${Date.now() - t0} ms` });

  await openLab(page, lab, testInfo);
  const opened = Date.now();
  const view = await compareAll(page, name, RUNS);
  const overlay = view.getByTestId('compare-overlay');
  await expect(overlay.locator('figcaption')).toContainText(
    `${RUNS} runs, ${(RUNS * POINTS).toLocaleString('en-US')} points of loss by step`,
    { timeout: 300_000 }
  );
  const root = overlay.locator('.uplot');
  await expect(root).toHaveAttribute('data-range', `0,${POINTS - 1}`);
  const loaded = Date.now() - opened;
  const historiesMs = Number(await view.getAttribute('data-load-ms'));

  // Measured in the page: from a wheel event until the chart is drawn again from data reduced
  // to the visible range (zooming in 12 steps, panning 12, zooming out 12).
  const timings = await overlay.locator('.u-over').evaluate(async (over: Element) => {
    const root = over.closest('.uplot') as HTMLElement;
    const rect = over.getBoundingClientRect();
    const frame = () => new Promise(r => requestAnimationFrame(() => r(undefined)));
    const step = async (init: WheelEventInit) => {
      const before = root.dataset.drawn;
      const t = performance.now();
      over.dispatchEvent(
        new WheelEvent('wheel', {
          bubbles: true,
          cancelable: true,
          clientX: rect.left + rect.width * 0.4,
          clientY: rect.top + rect.height / 2,
          ...init
        })
      );
      for (let f = 0; f < 120 && root.dataset.drawn === before; f++) {
        await frame();
      }
      return {
        ms: performance.now() - t,
        drawMs: Number(root.dataset.drawMs),
        window: root.dataset.window,
        reduceMs: Number(root.dataset.reduceMs),
        points: Number(root.dataset.drawnPoints),
        range: root.dataset.range
      };
    };
    const out: Array<{ kind: string; ms: number; drawMs: number; reduceMs: number; points: number; range?: string; window?: string }> = [];
    for (let i = 0; i < 12; i++) {
      out.push({ kind: 'zoom-in', ...(await step({ deltaY: -100 })) });
    }
    for (let i = 0; i < 12; i++) {
      out.push({ kind: 'pan', ...(await step({ deltaY: 100, shiftKey: true })) });
    }
    for (let i = 0; i < 11; i++) {
      out.push({ kind: 'zoom-out', ...(await step({ deltaY: 100 })) });
    }
    return { steps: out, width: rect.width, ratio: window.devicePixelRatio };
  });
  const ms = timings.steps.map(s => s.ms).sort((a, b) => a - b);
  const reduce = timings.steps.map(s => s.reduceMs).sort((a, b) => a - b);
  const draw = timings.steps.map(s => s.drawMs).sort((a, b) => a - b);
  const summary = {
    runs: RUNS,
    points: RUNS * POINTS,
    openMs: loaded,
    historiesLoadMs: historiesMs,
    plotWidth: timings.width,
    stepMsP50: ms[Math.floor(ms.length / 2)],
    stepMsMax: ms[ms.length - 1],
    reduceMsP50: reduce[Math.floor(reduce.length / 2)],
    drawMsP50: draw[Math.floor(draw.length / 2)],
    drawMsMax: draw[draw.length - 1],
    maxDrawnPointsPerRun: Math.max(...timings.steps.map(s => s.points))
  };
  testInfo.annotations.push({ type: 'compare-chart', description: JSON.stringify(summary) });
  await testInfo.attach('compare-chart-timings.json', {
    body: JSON.stringify({ summary, steps: timings.steps }, null, 2),
    contentType: 'application/json'
  });
  console.log(`compare chart: ${JSON.stringify(summary)}`);

  // Every step moved the range, and what was drawn was reduced to about two points per pixel
  // column (plus the edges) rather than the 10,000 of each run.
  for (const s of timings.steps) {
    expect(s.points).toBeLessThanOrEqual(2 * Math.ceil(timings.width) + 8);
    expectCovered(s.range!, s.window!, timings.width);
  }
  const zoomedIn = timings.steps[11].range!.split(',').map(Number);
  expect(zoomedIn[1] - zoomedIn[0]).toBeLessThan((POINTS - 1) / 10);
  const panned = timings.steps[23].range!.split(',').map(Number);
  expect(panned[0]).toBeGreaterThan(zoomedIn[0]);
  await snap(page, testInfo, '1-100-runs');
});
