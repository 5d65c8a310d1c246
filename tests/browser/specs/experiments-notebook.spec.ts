/**
 * Experiments from a notebook in JupyterLab: a run logged with the stock mlflow client shows as a
 * button that opens it in the Experiments panel (`atelier.experiments.open`), a displayed run as
 * its table and the same button, and the run knows the notebook it came from with no setup.
 */
import type { Locator, Page } from '@playwright/test';

import { expect, newNotebook, notebookPanel, openLab, snap, test } from '../support/fixtures';

const MIME = 'application/vnd.atelier.experiments+json';

/**
 * Puts `code` into the notebook's last cell (empty) as one piece of text, so the editor adds no
 * indentation of its own, and runs it with Shift+Enter. Returns that cell once it ran.
 */
async function runCell(page: Page, name: string, code: string): Promise<Locator> {
  const all = notebookPanel(page, name).getByRole('feed', { name: 'Cells' }).locator('.jp-CodeCell');
  const index = (await all.count()) - 1;
  const cell = all.nth(index);
  const editor = cell.getByRole('textbox');
  await expect(editor).toHaveText('');
  await editor.click();
  await expect(editor).toBeFocused();
  await page.keyboard.insertText(code);
  await expect(editor).toHaveText(code.replace(/\n/g, ''));
  await page.keyboard.press('Shift+Enter');
  await expect(cell.locator('.jp-InputPrompt')).toHaveText(/^\[\d+\]:$/, { timeout: 90_000 });
  await expect(all).toHaveCount(index + 2);
  return cell;
}

test('a notebook run opens in Experiments from a button in its output', async ({ page, lab }, testInfo) => {
  await openLab(page, lab, testInfo);
  const name = await newNotebook(page);
  const runName = `browser-${Date.now()}`;

  const opened = await runCell(
    page,
    name,
    'import mlflow, atelier.experiments\n' +
      `with mlflow.start_run(run_name='${runName}') as run:\n` +
      "    mlflow.log_metric('acc', 0.93)\n" +
      'atelier.experiments.open(run.info.run_id)'
  );
  const link = opened.locator(`[data-mime-type="${MIME}"]`);
  await expect(link).toHaveCount(1);
  const button = link.getByRole('button', { name: `Open ${runName} in Experiments` });
  await expect(button).toBeVisible();
  await expect(button).toHaveAttribute('title', /^Show run [0-9a-f]{32} in the Experiments panel$/);
  // Only the button: the link's text fallback is not shown beside it.
  await expect(link).not.toContainText('the Experiments panel in the left sidebar');
  await snap(page, testInfo, '01-open-button');

  // The click opens the run's detail in the Experiments panel's tab, beside the notebook.
  await button.click();
  const detail = page.getByRole('main').getByTestId('run-detail').filter({ hasText: runName });
  await expect(detail).toBeVisible();
  await expect(page.getByRole('main').getByRole('tab', { name: runName })).toBeVisible();
  await snap(page, testInfo, '02-run-detail-from-notebook');
  await page.getByRole('main').getByRole('tab', { name }).click();

  // A displayed run: its table (status, metric) and the same button.
  const shown = await runCell(page, name, 'mlflow.get_run(run.info.run_id)');
  const output = shown.locator(`[data-mime-type="${MIME}"]`);
  const table = output.locator('table.atelier-run');
  await expect(table).toBeVisible();
  await expect(table).toContainText(runName);
  await expect(table).toContainText('FINISHED');
  await expect(table.locator('table.atelier-run-metrics')).toContainText('acc');
  await expect(table.locator('table.atelier-run-metrics')).toContainText('0.93');
  // The run knows its notebook (no setup): the table's source row names it.
  const source = table.locator('tr', { has: page.locator('th', { hasText: /^Source$/ }) }).locator('td');
  await expect(source).toHaveText(name);
  await expect(output.getByRole('button', { name: `Open ${runName} in Experiments` })).toBeVisible();
  await snap(page, testInfo, '03-run-display');

  // And so does the server: the tags as the MLflow API returns them.
  const tags = await runCell(
    page,
    name,
    "t = mlflow.get_run(run.info.run_id).data.tags\nprint(t['atelier.source.type'], t['mlflow.source.name'])"
  );
  await expect(tags.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]')).toHaveText(
    `NOTEBOOK ${name}`
  );
});
