import { APIRequestContext } from '@playwright/test';

import { expect, openLab, snap, test } from '../support/fixtures';

const RUNS = 3000;

/** MLflow's REST API of the stack, with the stack's token. */
async function mlflow<T>(request: APIRequestContext, base: string, token: string, path: string, body: unknown): Promise<T> {
  const response = await request.post(`${base}/atelier/mlflow/api/2.0/mlflow/${path}`, {
    headers: { Authorization: `token ${token}` },
    data: body
  });
  expect(response.status(), `POST ${path}: ${await response.text()}`).toBe(200);
  return (await response.json()) as T;
}

/** Run i's rmse: distinct values, so the order after a sort is known. */
const rmse = (i: number): number => ((i * 7919) % RUNS) / RUNS;

test('lists thousands of runs in a virtualized table, filters them (with an error) and sorts them', async ({
  page,
  lab,
  request
}, testInfo) => {
  test.setTimeout(300_000);
  const name = `browser-table-${Date.now()}`;
  const call = <T>(path: string, body: unknown) => mlflow<T>(request, lab.base, lab.token, path, body);
  const { experiment_id: experimentId } = await call<{ experiment_id: string }>('experiments/create', { name });
  for (let from = 0; from < RUNS; from += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, RUNS - from) }, async (_, k) => {
        const i = from + k;
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
      })
    );
  }

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
});
