import { Page } from '@playwright/test';

import { expect, openLab, snap, test } from '../support/fixtures';
import { expectReadable, switchTheme } from '../support/contrast';
import { Mlflow, gradientPng } from '../support/mlflow';

const STEPS = 50;
const loss = (i: number): number => 1 / (1 + i);
/** As the run detail shows numbers: up to 6 significant digits. */
const shown = (v: number): string => String(Number(v.toPrecision(6)));

/** The Experiments panel on one experiment; a double-click on a run's row opens its detail. */
async function openRun(page: Page, experiment: string, runName: string) {
  const panel = page.locator('#atelier-experiments');
  if (!(await panel.isVisible())) {
    await page.getByRole('tab', { name: 'Atelier: experiments' }).click();
  }
  await panel.getByRole('option', { name: new RegExp(experiment) }).click();
  const row = panel.getByRole('grid', { name: 'Runs' }).locator('[role="row"][data-run-id]', { hasText: runName });
  await row.dblclick();
  const detail = page.getByRole('main').getByTestId('run-detail').filter({ hasText: runName });
  await expect(detail).toBeVisible();
  return detail;
}

test('shows a run: metric summaries and chart, params, tags, source links, artifacts previewed and downloaded', async ({
  page,
  lab,
  request
}, testInfo) => {
  test.setTimeout(240_000);
  const mlflow = new Mlflow(request, lab.base, lab.token);
  const name = `browser-detail-${Date.now()}`;
  const experimentId = await mlflow.experiment(name);
  const jobRun = await mlflow.run(experimentId, 'fit-forest', {
    'atelier.source.type': 'TRAINING_JOB',
    'atelier.source.name': 'forest-job',
    team: 'vision'
  });
  await mlflow.params(jobRun, { n_estimators: '20', criterion: 'gini' });
  await mlflow.series(
    jobRun,
    'loss',
    Array.from({ length: STEPS }, (_, i) => loss(i))
  );
  await mlflow.series(jobRun, 'accuracy', [0.5, 0.75, 0.875]);
  await mlflow.finish(jobRun);
  const notes = 'Trained on 150 rows.\nValidation accuracy 0.875\n';
  await mlflow.artifact(experimentId, jobRun, 'notes.txt', Buffer.from(notes), 'text/plain');
  await mlflow.artifact(experimentId, jobRun, 'plots/loss.png', gradientPng(120, 60), 'image/png');
  await mlflow.artifact(experimentId, jobRun, 'model/model.pkl', Buffer.alloc(64, 1), 'application/octet-stream');

  // A notebook the second run came from.
  const notebook = `detail-${Date.now()}.ipynb`;
  const saved = await request.put(`${lab.base}/api/contents/${notebook}`, {
    headers: { Authorization: `token ${lab.token}` },
    data: {
      type: 'notebook',
      format: 'json',
      content: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }
    }
  });
  expect(saved.status(), await saved.text()).toBe(201);
  const notebookRun = await mlflow.run(experimentId, 'from-notebook', {
    'atelier.source.type': 'NOTEBOOK',
    'atelier.source.name': notebook
  });
  await mlflow.series(notebookRun, 'rmse', [0.3]);

  await openLab(page, lab, testInfo);
  const detail = await openRun(page, name, 'fit-forest');
  await expect(detail.getByTestId('run-status')).toHaveText('FINISHED');

  // Summaries: the server's rules (last by step; mean and population stddev).
  const values = Array.from({ length: STEPS }, (_, i) => loss(i));
  const avg = values.reduce((a, b) => a + b, 0) / STEPS;
  const std = Math.sqrt(values.reduce((a, b) => a + b * b, 0) / STEPS - avg * avg);
  const summary = detail.getByTestId('run-metric-summaries').locator('tr[data-metric="loss"] td');
  await expect(summary).toHaveText([
    shown(loss(STEPS - 1)),
    shown(loss(STEPS - 1)),
    '1',
    shown(avg),
    shown(std),
    String(STEPS)
  ]);
  await expect(detail.getByTestId('run-metric-summaries').locator('tr[data-metric="accuracy"] td')).toHaveText([
    '0.875',
    '0.5',
    '0.875',
    shown((0.5 + 0.75 + 0.875) / 3),
    shown(Math.sqrt((0.25 + 0.5625 + 0.765625) / 3 - ((0.5 + 0.75 + 0.875) / 3) ** 2)),
    '3'
  ]);

  // A chart per metric, over all its points (the history is read page by page).
  const chart = detail.locator('[data-testid="run-metric-chart"][data-metric="loss"]');
  await expect(chart).toHaveAttribute('data-points', String(STEPS));
  const canvas = chart.locator('canvas');
  await expect(canvas).toBeVisible();
  const box = await canvas.boundingBox();
  expect(box!.width).toBeGreaterThan(200);
  expect(box!.height).toBeGreaterThan(100);
  await expect(detail.locator('[data-testid="run-metric-chart"][data-metric="accuracy"]')).toHaveAttribute(
    'data-points',
    '3'
  );

  const params = detail.getByRole('region', { name: 'Parameters' });
  await expect(params.getByRole('row', { name: /n_estimators/ })).toContainText('20');
  await expect(params.getByRole('row', { name: /criterion/ })).toContainText('gini');
  await expect(detail.getByRole('region', { name: 'Tags' }).getByRole('row', { name: /team/ })).toContainText(
    'vision'
  );
  await snap(page, testInfo, '1-run-detail');

  // Artifacts: folders first, then files; a text file previewed.
  const artifacts = detail.getByTestId('run-artifacts');
  await expect(artifacts.getByRole('list', { name: 'Artifacts' }).getByRole('listitem')).toHaveText([
    /^model\//,
    /^plots\//,
    /^notes\.txt/
  ]);
  await artifacts.getByRole('button', { name: 'notes.txt', exact: true }).click();
  const preview = artifacts.getByTestId('artifact-preview');
  await expect(preview).toHaveAttribute('data-kind', 'text');
  await expect(preview.locator('pre')).toHaveText(notes);

  // Downloaded as it was uploaded.
  const downloading = page.waitForEvent('download');
  await artifacts.getByRole('button', { name: 'Download notes.txt' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('notes.txt');
  const body = Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8');
  expect(body).toBe(notes);

  // Into a folder; the image previewed at its real size.
  await artifacts.getByRole('button', { name: 'plots/', exact: true }).click();
  await expect(artifacts.getByRole('navigation', { name: 'Artifact folder' })).toContainText('artifacts / plots');
  await artifacts.getByRole('button', { name: 'loss.png', exact: true }).click();
  const image = preview.getByRole('img', { name: 'plots/loss.png' });
  await expect(image).toBeVisible();
  await expect
    .poll(() => image.evaluate(img => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]))
    .toEqual([120, 60]);
  await image.scrollIntoViewIfNeeded();
  await snap(page, testInfo, '2-image-preview');
  // A file with no preview says so; back to the root through the crumbs.
  await artifacts.getByRole('button', { name: 'artifacts', exact: true }).click();
  await artifacts.getByRole('button', { name: 'model/', exact: true }).click();
  await artifacts.getByRole('button', { name: 'model.pkl', exact: true }).click();
  await expect(preview).toHaveAttribute('data-kind', 'none');
  await expect(preview).toContainText('download it instead');

  // JupyterLab Dark: the text stays readable and the charts are drawn again in its colours.
  const plot = chart.locator('.uplot');
  const axisColour = () =>
    plot.evaluate((node: HTMLElement) => [
      node.dataset.axisStroke ?? '',
      getComputedStyle(node).getPropertyValue('--jp-ui-font-color1').trim()
    ]);
  const [lightAxis] = await axisColour();
  await switchTheme(page, 'JupyterLab Dark', false);
  try {
    await expect.poll(async () => (await axisColour())[0]).not.toBe(lightAxis);
    const [drawn, theme] = await axisColour();
    expect(drawn, "the chart's axes in the theme's text colour").toBe(theme);
    await expectReadable('dark: run name', detail.getByRole('heading', { name: 'fit-forest' }));
    await expectReadable('dark: status', detail.getByTestId('run-status'));
    await expectReadable('dark: fact label', detail.locator('.jp-AtelierRunDetail-facts dt').first());
    await expectReadable('dark: source link', detail.getByTestId('run-source'));
    await expectReadable('dark: summary cell', summary.first());
    await expectReadable('dark: parameter', params.getByRole('row', { name: /criterion/ }).locator('td'));
    await expectReadable('dark: artifact', artifacts.getByRole('button', { name: 'model.pkl', exact: true }));
    await snap(page, testInfo, '3-dark');
  } finally {
    await switchTheme(page, 'JupyterLab Light', true);
  }

  // The source: the job in the Jobs panel's detail tab.
  const source = detail.getByTestId('run-source');
  await expect(source).toHaveText('Training job forest-job');
  await source.click();
  await expect(page.getByRole('main').getByRole('tab', { name: 'forest-job' })).toBeVisible();

  // A notebook's run links to the notebook, opened in JupyterLab.
  const other = await openRun(page, name, 'from-notebook');
  await expect(other.getByTestId('run-source')).toHaveText(`Notebook ${notebook}`);
  await other.getByTestId('run-source').click();
  await expect(page.getByRole('main').getByRole('tab', { name: notebook })).toBeVisible();

});
