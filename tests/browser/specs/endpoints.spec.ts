import { Locator, Page } from '@playwright/test';

import { expectReadable, switchTheme } from '../support/contrast';
import { EndpointsApi } from '../support/endpoints';
import { expect, openJobsPanel, openLab, snap, test } from '../support/fixtures';

const TYPE = 'ml.t3.medium';
const SKLEARN = 'atelier/sklearn:latest';

/** 120 rows `label,x1,x2` with label = 1 when x1 > x2. */
function classificationCsv(): string {
  const rows = ['label,x1,x2'];
  for (let i = 0; i < 120; i++) {
    const x1 = (i * 7) % 10;
    const x2 = (i * 3 + 1) % 10;
    rows.push(`${x1 > x2 ? 1 : 0},${x1},${x2}`);
  }
  return rows.join('\n') + '\n';
}

/** A JupyterLab notification (toast) with this text. */
function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.Toastify__toast').filter({ hasText: text });
}

/** The Atelier Endpoints panel, opened from its sidebar tab unless it shows already. */
async function openEndpointsPanel(page: Page): Promise<Locator> {
  const panel = page.locator('#atelier-endpoints');
  if (!(await panel.isVisible())) {
    await page.getByRole('tab', { name: 'Atelier: endpoints' }).click();
  }
  await expect(panel.getByRole('heading', { name: /^Endpoints/ })).toBeVisible();
  return panel;
}

test('deploys a training job from its detail and invokes the endpoint from the box', async ({
  page,
  lab,
  request
}, testInfo) => {
  test.setTimeout(300_000);
  const endpoints = new EndpointsApi(request, lab);
  const stamp = Date.now();
  const job = `ep-train-${stamp}`;
  const dataUri = `s3://atelier/data/ep-${stamp}/train.csv`;
  try {
    await lab.putObject(dataUri, classificationCsv());
    await lab.createTrainingJob({
      TrainingJobName: job,
      AlgorithmSpecification: { TrainingImage: SKLEARN, TrainingInputMode: 'File' },
      HyperParameters: { algorithm: 'random_forest_classifier', target: 'label', n_estimators: '10' },
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: {
            S3DataSource: { S3Uri: dataUri, S3DataType: 'S3Prefix', S3DataDistributionType: 'FullyReplicated' }
          }
        }
      ],
      OutputDataConfig: { S3OutputPath: 's3://atelier/jobs/' },
      ResourceConfig: { InstanceType: TYPE, InstanceCount: 1, VolumeSizeInGB: 1 },
      StoppingCondition: { MaxRuntimeInSeconds: 600 }
    });
    await expect.poll(() => lab.trainingJobStatus(job), { timeout: 120_000 }).toBe('Completed');

    // The job's detail, from the Jobs panel: a Completed training job has Deploy.
    await openLab(page, lab, testInfo);
    const jobs = await openJobsPanel(page);
    await jobs.getByRole('button', { name: `Open training job ${job}` }).click();
    const detail = page.getByTestId('job-detail');
    await expect(detail).toHaveAttribute('data-status', 'Completed');
    await detail.getByRole('button', { name: `Deploy job ${job}` }).click();

    // The dialog: the endpoint is named as the job; the type from the catalog; one instance.
    const dialog = page.getByRole('dialog', { name: `Deploy ${job}` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel('Endpoint name', { exact: true })).toHaveValue(job);
    const types = await lab.instanceTypes();
    await expect(dialog.getByLabel('Instance type', { exact: true }).locator('option')).toHaveCount(types.length);
    await dialog.getByLabel('Instance type', { exact: true }).selectOption(TYPE);
    // A bad count is refused under its field, and nothing is created.
    await dialog.getByLabel('Instance count', { exact: true }).fill('0');
    await dialog.getByRole('button', { name: 'Deploy' }).click();
    const again = page.getByRole('dialog', { name: `Deploy ${job}` });
    await expect(again.getByTestId('deploy-field-error')).toHaveText('Give a whole number from 1 to 10');
    expect(await endpoints.model(job)).toBeNull();
    await again.getByLabel('Instance count', { exact: true }).fill('1');
    await snap(page, testInfo, '01-deploy-dialog');
    await again.getByRole('button', { name: 'Deploy' }).click();

    // The endpoint's tab opens and follows it live to InService; a notification says so.
    const endpoint = page.getByTestId('endpoint-detail');
    await expect(endpoint.getByTestId('endpoint-detail-name')).toHaveText(job);
    const statuses = new Set<string>();
    await expect
      .poll(
        async () => {
          const status = (await endpoint.getAttribute('data-status')) ?? '';
          statuses.add(status);
          return status;
        },
        { timeout: 180_000, intervals: [250] }
      )
      .toBe('InService');
    await expect(toast(page, `Endpoint ${job} is InService`)).toBeVisible({ timeout: 30_000 });
    const described = await endpoints.describe(job);
    expect(described?.EndpointConfigName).toBe(job);
    expect((await endpoints.model(job))?.PrimaryContainer?.Image).toBe(SKLEARN);

    const variantRow = endpoint.getByTestId('endpoint-variant');
    await expect(variantRow).toHaveAttribute('data-variant', 'AllTraffic');
    await expect(variantRow.getByTestId('endpoint-variant-health')).toContainText('1 of 1 healthy');
    await expect(variantRow.getByTestId('endpoint-variant-count')).toHaveText('1');

    // The panel lists it with its badge.
    const panel = await openEndpointsPanel(page);
    const row = panel.getByRole('button', { name: `Open endpoint ${job}` });
    await expect(row).toHaveAttribute('data-status', 'InService');
    await expect(row.getByTestId('endpoint-status-badge')).toHaveText('InService');
    await snap(page, testInfo, '02-in-service');

    // Invoke: two CSV rows, JSON back; the answer, the variant, the status and the time.
    const box = endpoint.getByRole('form', { name: 'Invoke the endpoint' });
    await box.getByLabel('Payload', { exact: true }).fill('9,1\n1,9');
    await box.getByLabel('Content-Type', { exact: true }).selectOption('text/csv');
    await box.getByLabel('Accept', { exact: true }).selectOption('application/json');
    await box.getByLabel('Target variant', { exact: true }).selectOption('AllTraffic');
    await box.getByRole('button', { name: 'Invoke' }).click();
    const result = box.getByRole('status', { name: 'Invocation result' });
    await expect(result.getByTestId('endpoint-invoke-status')).toHaveText('200');
    await expect(result.getByTestId('endpoint-invoke-variant')).toHaveText('AllTraffic');
    await expect(result.getByTestId('endpoint-invoke-time')).toHaveText(/^\d+ ms$|^\d+\.\d\d s$/);
    const answer = JSON.parse(await result.getByTestId('endpoint-invoke-body').innerText());
    expect(answer.predictions.map(Number)).toEqual([1, 0]);
    await snap(page, testInfo, '03-invoked');

    // The charts: one a metric, the invocation counted within a refresh or two.
    await expect(endpoint.getByTestId('endpoint-chart')).toHaveCount(5);
    const invocations = endpoint.locator('[data-testid="endpoint-chart"][data-metric="Invocations"]');
    await expect(invocations.getByTestId('endpoint-chart-latest')).toHaveText('1', { timeout: 30_000 });
    await endpoint.getByTestId('endpoint-metrics').scrollIntoViewIfNeeded();
    await snap(page, testInfo, '04-metrics');

    // Delete, confirmed in JupyterLab's dialog: the tab says so and the list lets it go.
    await endpoint.getByRole('button', { name: `Delete endpoint ${job}` }).click();
    const confirm = page.getByRole('dialog').filter({ hasText: `Delete endpoint ${job}?` });
    await snap(page, testInfo, '05-delete-confirmation');
    await confirm.getByRole('button', { name: 'Delete endpoint' }).click();
    await expect(page.getByText(`Endpoint ${job} was deleted.`)).toBeVisible({ timeout: 60_000 });
    await expect(panel.getByRole('button', { name: `Open endpoint ${job}` })).toHaveCount(0);
    expect(await endpoints.describe(job)).toBeNull();
    await snap(page, testInfo, '06-deleted');
    expect([...statuses]).toContain('InService');
  } finally {
    await endpoints.removeAll(job);
    await lab.stopTrainingJobIfRunning(job);
  }
});

test('a Failed endpoint says why, readable in light and dark themes', async ({ page, lab, request }, testInfo) => {
  test.setTimeout(240_000);
  const endpoints = new EndpointsApi(request, lab);
  const name = `ep-broken-${Date.now()}`;
  // Model data that is not a tarball: staging the model fails, and the endpoint with it.
  const dataUrl = `s3://atelier/data/${name}/model.tar.gz`;
  try {
    await lab.putObject(dataUrl, 'not a tarball', 'application/gzip');
    await endpoints.create(name, { Image: SKLEARN, ModelDataUrl: dataUrl }, TYPE);
    await expect.poll(() => endpoints.status(name), { timeout: 180_000 }).toBe('Failed');
    const reason = (await endpoints.describe(name))?.FailureReason as string;
    expect(reason).toBeTruthy();

    await openLab(page, lab, testInfo);
    await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'true');
    const panel = await openEndpointsPanel(page);
    const row = panel.getByRole('button', { name: `Open endpoint ${name}` });
    await expect(row).toHaveAttribute('data-status', 'Failed');
    await row.click();
    const detail = page.getByTestId('endpoint-detail');
    await expect(detail).toHaveAttribute('data-status', 'Failed');
    const failure = detail.getByTestId('endpoint-failure-reason');
    await expect(failure).toContainText(reason);
    // Nothing to invoke or resize until it is InService.
    await expect(detail.getByRole('button', { name: 'Invoke' })).toBeDisabled();
    await expect(detail.getByRole('button', { name: 'Apply' })).toBeDisabled();

    const check = async (theme: string): Promise<void> => {
      await expectReadable(`${theme}: endpoint failure reason`, failure);
      await expectReadable(`${theme}: endpoint status badge in the detail`, detail.getByTestId('endpoint-status-badge'));
      await expectReadable(`${theme}: endpoint status badge in the list`, row.getByTestId('endpoint-status-badge'));
      await expectReadable(`${theme}: Endpoints heading`, panel.getByRole('heading', { name: /^Endpoints/ }));
    };
    await check('light');
    await snap(page, testInfo, '01-failed-light');
    await switchTheme(page, 'JupyterLab Dark', false);
    await check('dark');
    await snap(page, testInfo, '02-failed-dark');
    await switchTheme(page, 'JupyterLab Light', true);
  } finally {
    await endpoints.removeAll(name);
  }
});
