import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

import { expect, openLab, snap, test } from '../support/fixtures';

const RUNS = 2000;

/** MLflow's REST API of the stack, with the stack's token (Node's own fetch: many at a time). */
async function mlflow<T>(base: string, token: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${base}/atelier/mlflow/api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  });
  const text = await response.text();
  expect(response.status, `POST ${path}: ${text}`).toBe(200);
  return JSON.parse(text) as T;
}

const PYTHON = path.resolve(__dirname, '..', '..', '..', '.venv', 'bin', 'python');

/**
 * The real mlflow client, driven a step at a time: it starts a run in the
 * experiment, logs rmse = 2 and prints the run id; on a line from us it logs
 * rmse = -1 and ends the run.
 */
const LIVE_RUN = `
import sys, mlflow
mlflow.set_experiment(experiment_id=sys.argv[1])
with mlflow.start_run(run_name="live-run") as run:
    mlflow.log_metric("rmse", 2.0, step=0)
    print(run.info.run_id, flush=True)
    sys.stdin.readline()
    mlflow.log_metric("rmse", -1.0, step=1)
print("done", flush=True)
`;

function lineReader(child: ChildProcessWithoutNullStreams): () => Promise<string> {
  const queue: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let stderr = '';
  child.stderr.on('data', chunk => (stderr += String(chunk)));
  readline.createInterface({ input: child.stdout }).on('line', line => {
    const next = waiting.shift();
    if (next) {
      next(line);
    } else {
      queue.push(line);
    }
  });
  child.on('exit', code => {
    for (const w of waiting.splice(0)) {
      w(`exited ${code}: ${stderr}`);
    }
  });
  return () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise(resolve => waiting.push(resolve)));
}

/** Run i's rmse: distinct values, so the order after a sort is known. */
const rmse = (i: number): number => ((i * 7919) % RUNS) / RUNS;

test('lists thousands of runs in a virtualized table, filters, sorts, selects and exports them, live', async ({
  page,
  lab
}, testInfo) => {
  test.setTimeout(360_000);
  const name = `browser-table-${Date.now()}`;
  const call = <T>(path: string, body: unknown) => mlflow<T>(lab.base, lab.token, path, body);
  const { experiment_id: experimentId } = await call<{ experiment_id: string }>('experiments/create', { name });
  // Through MLflow's REST API, 16 runs at a time: created, then one batch each.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < RUNS) {
      const i = next++;
      const { run } = await call<{ run: { info: { run_id: string } } }>('runs/create', {
        experiment_id: experimentId,
        run_name: `run-${String(i).padStart(4, '0')}`,
        start_time: 1_700_000_000_000 + i * 1000,
        tags: [{ key: 'atelier.source.type', value: i % 3 === 0 ? 'NOTEBOOK' : 'TRAINING_JOB' }]
      });
      await call('runs/log-batch', {
        run_id: run.info.run_id,
        metrics: [{ key: 'rmse', value: rmse(i), timestamp: 1_700_000_000_000, step: 0 }],
        params: [{ key: 'lr', value: String((i % 10) / 100) }]
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));

  await openLab(page, lab, testInfo);
  await page.getByRole('tab', { name: 'Atelier: experiments' }).click();
  const panel = page.locator('#atelier-experiments');
  await expect(panel).toBeVisible();
  await panel.getByRole('option', { name: new RegExp(name) }).click();
  const status = panel.getByTestId('experiments-status');
  await expect(status).toHaveText(`${RUNS.toLocaleString('en-US')} runs`);
  await expect(panel.getByRole('option', { name: new RegExp(name) })).toContainText(RUNS.toLocaleString('en-US'));
  const table = panel.getByRole('grid', { name: 'Runs' });
  await expect(table).toHaveAttribute('aria-rowcount', String(RUNS + 1));
  // Virtualized: only the rows in view are in the page.
  const rendered = await table.locator('[role="row"][data-run-id]').count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(200);
  await snap(page, testInfo, '1-table');

  // A metric column from the chooser, then sorted ascending by it.
  await panel.getByRole('button', { name: 'Columns' }).click();
  await panel.getByTestId('experiments-columns').getByLabel('rmse').check();
  await panel.getByRole('button', { name: 'Columns' }).click();
  const header = panel.getByTestId('experiments-sort-metric:rmse');
  await header.click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  const firstRow = table.locator('[role="row"][aria-rowindex="2"]');
  await expect(firstRow).toContainText('run-0000');
  await header.click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  // The largest rmse, (RUNS - 1) / RUNS, belongs to the run i with i * 7919 % RUNS = RUNS - 1.
  let top = 0;
  for (let i = 0; i < RUNS; i++) {
    if (rmse(i) > rmse(top)) {
      top = i;
    }
  }
  await expect(firstRow).toContainText(`run-${String(top).padStart(4, '0')}`);
  // Scrolling to the end shows the last rows without loading anything.
  await table.evaluate(node => (node.scrollTop = node.scrollHeight));
  await expect(table.locator(`[role="row"][aria-rowindex="${RUNS + 1}"]`)).toContainText('run-0000');
  await snap(page, testInfo, '2-sorted');

  // MLflow's grammar, applied by the server.
  const filter = panel.getByRole('searchbox', { name: 'Filter runs' });
  await filter.fill('metrics.rmse < 0.1');
  await filter.press('Enter');
  const expected = Array.from({ length: RUNS }, (_, i) => rmse(i)).filter(v => v < 0.1).length;
  await expect(status).toHaveText(`${expected.toLocaleString('en-US')} runs`);

  // A quick filter ANDs the source type.
  await panel.getByRole('button', { name: 'notebook' }).click();
  const notebooks = Array.from({ length: RUNS }, (_, i) => i).filter(i => i % 3 === 0 && rmse(i) < 0.1).length;
  await expect(status).toHaveText(`${notebooks.toLocaleString('en-US')} runs`);
  await panel.getByRole('button', { name: 'notebook' }).click();

  // A malformed filter: the server's message, and a caret where it points.
  await filter.fill('metrics.rmse < 0.1 and params.lr ==');
  await filter.press('Enter');
  const error = panel.getByRole('alert');
  await expect(error).toContainText('Invalid search expression');
  await expect(error).toContainText('position');
  await expect(filter).toHaveAttribute('aria-invalid', 'true');
  const position = Number(await error.locator('pre').getAttribute('data-position'));
  expect(position).toBeGreaterThan('metrics.rmse < 0.1 and params.lr'.length - 1);
  await snap(page, testInfo, '3-filter-error');

  // Multi-select and the CSV of the table.
  await filter.fill('');
  await filter.press('Enter');
  await expect(status).toHaveText(`${RUNS.toLocaleString('en-US')} runs`);
  await table.evaluate(node => (node.scrollTop = 0));
  await table.locator('[role="row"][aria-rowindex="2"]').click();
  await table.locator('[role="row"][aria-rowindex="4"]').click({ modifiers: ['Shift'] });
  await expect(status).toHaveText(`${RUNS.toLocaleString('en-US')} runs, 3 selected`);
  const downloading = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${name}.csv`);
  const csv = await (await download.createReadStream()).toArray();
  const lines = Buffer.concat(csv).toString('utf8').trimEnd().split('\r\n');
  expect(lines[0]).toBe('run_id,name,status,start,duration,source,metrics.rmse');
  expect(lines).toHaveLength(RUNS + 1);
  // In the table's order (rmse descending), with the exact values the API was given.
  const topId = await table.locator('[role="row"][aria-rowindex="2"]').getAttribute('data-run-id');
  const cells = lines[1].split(',');
  expect(cells[0]).toBe(topId);
  expect(cells[1]).toBe(`run-${String(top).padStart(4, '0')}`);
  expect(cells[2]).toBe('RUNNING');
  expect(cells[3]).toBe(new Date(1_700_000_000_000 + top * 1000).toISOString());
  expect(cells[5]).toBe(top % 3 === 0 ? 'NOTEBOOK:' : 'TRAINING_JOB:');
  expect(Number(cells[6])).toBe(rmse(top));
  const ids = new Set(lines.slice(1).map(l => l.split(',')[0]));
  expect(ids.size).toBe(RUNS);

  // Live: a run the real mlflow client logs shows in the open table from the
  // server's frames, without the table being searched again.
  const searches: string[] = [];
  page.on('request', r => {
    if (r.url().includes('/runs/search')) {
      searches.push(r.url());
    }
  });
  const child = spawn(PYTHON, ['-c', LIVE_RUN, experimentId], {
    env: {
      ...process.env,
      MLFLOW_TRACKING_URI: `${lab.base}/atelier/mlflow`,
      MLFLOW_TRACKING_TOKEN: lab.token
    }
  });
  try {
    const next = lineReader(child);
    const liveId = await next();
    expect(liveId).toMatch(/^[0-9a-f]{32}$/);
    await table.evaluate(node => (node.scrollTop = 0));
    // rmse 2 is above every other run's: the first row, running.
    await expect(firstRow).toHaveAttribute('data-run-id', liveId);
    await expect(firstRow).toContainText('live-run');
    await expect(firstRow).toContainText('RUNNING');
    await expect(status).toHaveText(`${(RUNS + 1).toLocaleString('en-US')} runs, 3 selected`);
    await expect(panel.getByRole('option', { name: new RegExp(name) })).toContainText(
      (RUNS + 1).toLocaleString('en-US')
    );
    await snap(page, testInfo, '4-live-run');
    child.stdin.write('next\n');
    // mlflow prints its own line ("View run ...") when the run ends.
    for (let line = await next(); line !== 'done'; line = await next()) {
      expect(line).not.toMatch(/^exited/);
    }
    // rmse -1 and FINISHED: it moves to the end of the descending order.
    await expect(firstRow).toHaveAttribute('data-run-id', topId!);
    await table.evaluate(node => (node.scrollTop = node.scrollHeight));
    const last = table.locator(`[role="row"][data-run-id="${liveId}"]`);
    await expect(last).toHaveAttribute('aria-rowindex', String(RUNS + 2));
    await expect(last).toContainText('FINISHED');
    await expect(last).toContainText('-1');
    await snap(page, testInfo, '5-live-finished');
    expect(searches).toEqual([]);
  } finally {
    child.kill();
  }
});
