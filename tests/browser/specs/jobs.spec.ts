import * as fs from 'node:fs';

import { Page } from '@playwright/test';

import { expect, openJobsPanel, openLab, snap, test } from '../support/fixtures';

const TYPE = 'ml.t3.medium';
const TIMELINE = ['Starting', 'Downloading', 'Training', 'Uploading', 'Completed'];

/** 150 rows `label,x1,x2` with label = 1 when x1 > x2 (a linear rule a forest learns well). */
function classificationCsv(): string {
  let seed = 7;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const rows = ['label,x1,x2'];
  for (let i = 0; i < 150; i++) {
    const x1 = Number((next() * 10).toFixed(3));
    const x2 = Number((next() * 10).toFixed(3));
    rows.push(`${x1 > x2 ? 1 : 0},${x1},${x2}`);
  }
  return rows.join('\n') + '\n';
}

/** A key/value row of the form (hyperparameters, metrics), added with the section's "Add". */
async function addRow(page: Page, testId: string, index: number, key: string, value: string): Promise<void> {
  const form = page.getByTestId('job-form');
  await form.getByTestId(`${testId}-add`).click();
  await form.getByTestId(`${testId}-key-${index}`).fill(key);
  await form.getByTestId(`${testId}-value-${index}`).fill(value);
}

test('trains a classifier from the New training job form and follows it to Completed', async ({ page, lab }, testInfo) => {
  await openLab(page, lab, testInfo);
  const panel = await openJobsPanel(page);

  // The form, filled as a person would.
  await panel.getByTestId('jobs-new').click();
  const form = page.getByTestId('job-form');
  await expect(form).toBeVisible();
  const image = form.getByTestId('job-form-image');
  await image.fill('atelier/sklearn:latest');
  await expect(form.getByTestId('job-form-image-select')).toHaveValue('atelier/sklearn:latest');
  await form.getByTestId('job-form-instance-type').selectOption(TYPE);
  await form.getByTestId('job-form-mode-algorithm').check();
  await expect(form.getByTestId('job-form-entry-point')).toHaveCount(0);
  await addRow(page, 'job-form-hp', 0, 'algorithm', 'random_forest_classifier');
  await addRow(page, 'job-form-hp', 1, 'target', 'label');
  await addRow(page, 'job-form-hp', 2, 'n_estimators', '20');

  // The training data: a local CSV uploaded from the channel row.
  const fileName = `train-${Date.now()}.csv`;
  await form.getByTestId('job-form-channel-add').click();
  await expect(form.getByTestId('job-form-channel-name-0')).toHaveValue('train');
  const choosing = page.waitForEvent('filechooser');
  await form.getByTestId('job-form-channels').getByText('Upload file…').click();
  const chooser = await choosing;
  expect(chooser.element()).toBeTruthy();
  expect(await chooser.element().getAttribute('data-testid')).toBe('job-form-channel-upload-0');
  await chooser.setFiles({ name: fileName, mimeType: 'text/csv', buffer: Buffer.from(classificationCsv()) });
  const channelUri = form.getByTestId('job-form-channel-uri-0');
  await expect(channelUri).toHaveValue(new RegExp(`^s3://[a-z0-9.-]+/data/${fileName.replace(/\./g, '\\.')}$`));
  const dataUri = await channelUri.inputValue();
  await expect(form.getByTestId('job-form-output')).toHaveValue(/^s3:\/\/[a-z0-9.-]+\/jobs\/$/);

  // The image's metric definitions are there already.
  await expect(form.getByTestId('job-form-metric-key-0')).toHaveValue('validation:accuracy');
  await expect(form.getByTestId('job-form-metric-value-0')).toHaveValue('validation:accuracy=([0-9\\.]+)');
  const name = await form.getByTestId('job-form-name').inputValue();
  expect(name).toMatch(/^sklearn-\d{4}(-\d+)+$/);
  await snap(page, testInfo, '01-new-training-job');
  await form.getByTestId('job-form-submit').click();

  // The detail view opens and follows the job.
  const detail = page.getByTestId('job-detail');
  await expect(detail.getByTestId('job-detail-name')).toHaveText(name);
  const log = detail.getByTestId('job-log');
  await expect(log).toContainText('validation:accuracy=', { timeout: 90_000 });
  await expect(detail).toHaveAttribute('data-status', 'Completed', { timeout: 60_000 });
  const described = await lab.trainingJob(name);
  expect(described.TrainingJobStatus).toBe('Completed');
  expect(described.InputDataConfig[0].DataSource.S3DataSource.S3Uri).toBe(dataUri);
  expect(described.HyperParameters).toMatchObject({ algorithm: 'random_forest_classifier', target: 'label', n_estimators: '20' });

  const steps = detail.getByTestId('job-timeline').locator('li');
  await expect.poll(async () => steps.evaluateAll(items => items.map(li => li.getAttribute('data-status')))).toEqual(TIMELINE);

  // The metric chart: drawn, with its last value.
  const chart = detail.locator('[data-testid="job-metric-chart"][data-metric="validation:accuracy"]');
  await expect(chart).toBeVisible();
  const canvas = chart.locator('canvas');
  await expect(canvas).toHaveCount(1);
  const box = await canvas.boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(100);
  expect(box?.height ?? 0).toBeGreaterThan(50);
  const reported = described.FinalMetricDataList?.find((m: any) => m.MetricName === 'validation:accuracy')?.Value;
  expect(typeof reported).toBe('number');
  // Four significant digits, trailing zeros kept: 0.9667, 1.000.
  await expect(chart.getByTestId('job-metric-latest')).toHaveText(/^(0\.\d{3,4}|1\.000)$/);
  expect(Number(await chart.getByTestId('job-metric-latest').textContent())).toBeCloseTo(reported, 3);
  // A single sample: its value axis is the value ±5%, not 0 to 2.
  const plotRoot = chart.locator('.uplot');
  const yMin = Number(await plotRoot.getAttribute('data-y-min'));
  const yMax = Number(await plotRoot.getAttribute('data-y-max'));
  const margin = reported === 0 ? 1 : Math.abs(reported) * 0.05;
  expect(yMin).toBeCloseTo(reported - margin, 6);
  expect(yMax).toBeCloseTo(reported + margin, 6);

  // The model, a download link through the front door.
  const model = detail.getByTestId('job-outputs').getByRole('link', { name: /model\.tar\.gz$/ });
  await expect(model).toHaveText(described.ModelArtifacts.S3ModelArtifacts);
  const href = (await model.getAttribute('href')) ?? '';
  expect(new URL(href, page.url()).pathname).toBe('/atelier/api/objects');
  expect(href, 'the link carries no token').not.toContain('token=');
  const downloading = page.waitForEvent('download');
  await model.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('model.tar.gz');
  // Downloaded through a short-lived ticket: the token is not in the URL the browser keeps.
  const downloadUrl = new URL(download.url());
  expect(downloadUrl.pathname).toBe('/atelier/api/objects/download');
  expect(downloadUrl.searchParams.get('ticket')).toMatch(/^atls1\./);
  expect(download.url()).not.toContain(lab.token);
  const saved = fs.readFileSync(await download.path());
  expect(saved.subarray(0, 2).toString('hex'), 'a gzip file').toBe('1f8b');

  // What the channel staged, and the job's outputs, listed in dialogs.
  const inputs = detail.getByTestId('job-inputs');
  await inputs.getByRole('button', { name: `List objects under ${dataUri}`, exact: true }).click();
  let objects = page.getByRole('dialog', { name: `Objects under ${dataUri}` });
  await expect(objects.getByRole('row')).toHaveCount(2);
  await expect(objects.getByRole('link', { name: `data/${fileName}`, exact: true })).toBeVisible();
  await objects.getByRole('button', { name: 'Close' }).click();
  await expect(objects).toHaveCount(0);
  const outputPath = 's3://atelier/jobs/';
  await detail.getByTestId('job-outputs').getByRole('button', { name: `List objects under ${outputPath}`, exact: true }).click();
  objects = page.getByRole('dialog', { name: `Objects under ${outputPath}` });
  await expect(objects.getByRole('link', { name: `jobs/${name}/output/model.tar.gz`, exact: true })).toBeVisible();
  await snap(page, testInfo, '02-output-objects');
  await objects.getByRole('button', { name: 'Close' }).click();
  await expect(objects).toHaveCount(0);

  // Search the log.
  const search = detail.getByTestId('job-log-search');
  await search.fill('accuracy');
  await expect(detail.getByTestId('job-log-match-count')).toHaveText(/^1 of [1-9]\d*$/);
  await expect(log.locator('mark').first()).toHaveText(/accuracy/i);
  await search.fill('no-such-words-in-this-log');
  await expect(detail.getByTestId('job-log-match-count')).toHaveText('No matches');
  await search.fill('accuracy');
  await detail.scrollIntoViewIfNeeded();
  await snap(page, testInfo, '03-job-completed');

  // Back in the list: Completed, with its duration and instance type.
  const row = panel.locator(`[data-testid="job-row"][data-job-name="${name}"]`);
  await expect(row).toHaveAttribute('data-status', 'Completed');
  await expect(row.getByTestId('job-duration')).toHaveText(/^\d+(\.\d+)?\s*(s|min|h)|\d+:\d\d/);
  await expect(row).toContainText(TYPE);
  await expect(row).toContainText('atelier/sklearn:latest');
  await snap(page, testInfo, '04-jobs-list');
});

test('stops a running job from its detail view', async ({ page, lab }, testInfo) => {
  const name = `sleeper-${Date.now()}`;
  await lab.createTrainingJob({
    TrainingJobName: name,
    AlgorithmSpecification: {
      TrainingImage: 'atelier/base:latest',
      TrainingInputMode: 'File',
      ContainerEntrypoint: ['sh', '-c', 'echo working; sleep 300']
    },
    OutputDataConfig: { S3OutputPath: 's3://atelier/jobs/' },
    ResourceConfig: { InstanceType: TYPE, InstanceCount: 1, VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 }
  });
  try {
    await openLab(page, lab, testInfo);
    const panel = await openJobsPanel(page);
    const row = panel.locator(`[data-testid="job-row"][data-job-name="${name}"]`);
    await expect(row).toHaveAttribute('data-status', 'InProgress');
    await row.click();

    const detail = page.getByTestId('job-detail');
    await expect(detail.getByTestId('job-detail-name')).toHaveText(name);
    await expect(detail.getByTestId('job-log')).toContainText('working', { timeout: 60_000 });
    await expect(detail.getByTestId('job-secondary-status')).toHaveText('Training');
    // The list's duration ticks while the job runs.
    const listDuration = row.getByTestId('job-duration');
    const first = await listDuration.textContent();
    await expect.poll(async () => listDuration.textContent(), { message: 'the list duration ticks', timeout: 5_000 }).not.toBe(first);
    const stop = detail.getByTestId('job-stop');
    await expect(stop).toBeEnabled();
    await stop.click();

    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText(`Stop job ${name}?`);
    await snap(page, testInfo, '01-stop-confirmation');
    // Every status the detail view shows from now on, in order.
    await page.evaluate(() => {
      const node = document.querySelector('[data-testid="job-detail"]') as HTMLElement;
      const seen: string[] = [node.dataset.status ?? ''];
      (window as any).__atelierStatuses = seen;
      new MutationObserver(() => {
        const now = node.dataset.status ?? '';
        if (seen[seen.length - 1] !== now) {
          seen.push(now);
        }
      }).observe(node, { attributes: true, attributeFilter: ['data-status'] });
    });
    await dialog.getByRole('button', { name: 'Stop job' }).click();
    await expect(dialog).toHaveCount(0);

    await expect(detail).toHaveAttribute('data-status', /^(Stopping|Stopped)$/);
    await expect(stop).toBeDisabled();
    await expect(detail).toHaveAttribute('data-status', 'Stopped', { timeout: 60_000 });
    const steps = detail.getByTestId('job-timeline').locator('li');
    await expect
      .poll(async () => steps.evaluateAll(items => items.map(li => li.getAttribute('data-status'))))
      .toEqual(['Starting', 'Downloading', 'Training', 'Stopping', 'Uploading', 'Stopped']);
    expect(await page.evaluate(() => (window as any).__atelierStatuses)).toEqual(['InProgress', 'Stopping', 'Stopped']);
    expect((await lab.trainingJob(name)).TrainingJobStatus).toBe('Stopped');
    await expect(row).toHaveAttribute('data-status', 'Stopped');
    await snap(page, testInfo, '02-job-stopped');
  } finally {
    await lab.stopTrainingJobIfRunning(name);
  }
});

test('puts the form’s own and the server’s errors next to their fields', async ({ page, lab }, testInfo) => {
  await openLab(page, lab, testInfo);
  const panel = await openJobsPanel(page);
  await panel.getByTestId('jobs-new').click();
  const form = page.getByTestId('job-form');
  await expect(form.getByTestId('job-form-output')).toHaveValue(/^s3:\/\//);
  await form.getByTestId('job-form-image').fill('atelier/nope:latest');
  await form.getByTestId('job-form-instance-type').selectOption(TYPE);

  // Script mode without a script: refused in the form, no request made.
  await form.getByTestId('job-form-mode-script').check();
  await form.getByTestId('job-form-submit').click();
  const entryPointField = form.locator('.jp-AtelierJobs-field').filter({ has: page.getByTestId('job-form-entry-point') });
  await expect(entryPointField.getByTestId('job-form-field-error')).toHaveText('Give the script to run, such as train.py');
  const name = await form.getByTestId('job-form-name').inputValue();

  // The built-in algorithm needs no script: the error goes; the server refuses the image.
  await form.getByTestId('job-form-mode-algorithm').check();
  await expect(form.getByTestId('job-form-field-error')).toHaveCount(0);
  await form.getByTestId('job-form-submit').click();
  const imageField = form.locator('.jp-AtelierJobs-field').filter({ has: page.getByTestId('job-form-image') });
  await expect(imageField.getByTestId('job-form-field-error')).toHaveText(/^image atelier\/nope:latest is not built here/);
  await expect(page.getByText(/^Could not create the training job: .*atelier\/nope:latest is not built here/)).toBeVisible();
  await snap(page, testInfo, '01-image-refused');
  const response = await page.request.get(`${lab.base}/atelier/api/training-jobs/${name}`, {
    headers: { Authorization: `token ${lab.token}` }
  });
  expect(response.status(), 'no job was created').toBe(404);
});
