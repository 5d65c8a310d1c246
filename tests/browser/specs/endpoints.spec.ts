import { Locator, Page } from '@playwright/test';

import { expectReadable, switchTheme } from '../support/contrast';
import { EndpointsApi } from '../support/endpoints';
import { expect, Lab, openJobsPanel, openLab, snap, test } from '../support/fixtures';

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

/** Trains a random forest on `atelier/sklearn` through the REST API, to Completed. */
async function trainClassifier(lab: Lab, job: string, dataUri: string): Promise<void> {
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
    await trainClassifier(lab, job, dataUri);

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
    const row = panel.locator(`[data-testid="endpoint-row"][data-endpoint-name="${job}"]`);
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

    // The charts: one a metric (abandoned invocations, CPU and memory too), the invocation counted
    // within a refresh or two.
    await expect(endpoint.getByTestId('endpoint-chart')).toHaveCount(8);
    const abandoned = endpoint.locator('[data-testid="endpoint-chart"][data-metric="InvocationsAbandoned"]');
    await expect(abandoned.getByTestId('endpoint-chart-latest')).toHaveText('0', { timeout: 30_000 });
    const invocations = endpoint.locator('[data-testid="endpoint-chart"][data-metric="Invocations"]');
    // The hour's count: the latest minute's figure reads 0 when a new minute begins meanwhile.
    await expect(invocations).toHaveAttribute('data-total', '1', { timeout: 30_000 });
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

test("a variant's weight and scaling policy set in the detail, the Update dialog checked", async ({
  page,
  lab,
  request
}, testInfo) => {
  test.setTimeout(300_000);
  const endpoints = new EndpointsApi(request, lab);
  const stamp = Date.now();
  const job = `ep-scale-${stamp}`;
  try {
    await trainClassifier(lab, job, `s3://atelier/data/ep-scale-${stamp}/train.csv`);
    await endpoints.createFromJob(job, job, TYPE);
    await expect.poll(() => endpoints.status(job), { timeout: 180_000 }).toBe('InService');

    await openLab(page, lab, testInfo);
    const panel = await openEndpointsPanel(page);
    await panel.getByRole('button', { name: `Open endpoint ${job}` }).click();
    const detail = page.getByTestId('endpoint-detail');
    await expect(detail).toHaveAttribute('data-status', 'InService');
    const variantRow = detail.getByTestId('endpoint-variant');
    await expect(variantRow.getByTestId('endpoint-variant-weight')).toHaveText('1');
    // Each instance says its usage, or that it has not been sampled yet.
    await expect(variantRow.getByTestId('endpoint-instance-usage')).toHaveText(
      /^CPU .*% · memory .*$|^usage not sampled yet$/
    );

    // The weight: 3 in the editor, applied, then the describe and the table say 3.
    const weights = detail.getByRole('form', { name: 'Weights and instance counts' });
    const row = weights.locator('fieldset[data-variant="AllTraffic"]');
    await row.getByLabel('Weight', { exact: true }).fill('3');
    await weights.getByRole('button', { name: 'Apply' }).click();
    await expect
      .poll(async () => (await endpoints.describe(job))?.ProductionVariants?.[0]?.CurrentWeight, {
        timeout: 60_000
      })
      .toBe(3);
    expect((await endpoints.describe(job))?.ProductionVariants?.[0]?.DesiredWeight).toBe(3);
    await expect(detail).toHaveAttribute('data-status', 'InService', { timeout: 60_000 });
    await expect(variantRow.getByTestId('endpoint-variant-weight')).toHaveText('3', { timeout: 30_000 });
    await snap(page, testInfo, '01-weight-applied');

    // Scaling: none yet; a policy added, a bad maximum refused under its field before anything is sent.
    const scaling = detail.getByRole('form', { name: 'Scaling of AllTraffic' });
    await scaling.scrollIntoViewIfNeeded();
    await expect(scaling.getByTestId('endpoint-scaling-policy')).toHaveText(/^No scaling policy/);
    await scaling.getByRole('button', { name: 'Add policy' }).click();
    await scaling.getByLabel('Minimum instances', { exact: true }).fill('1');
    await scaling.getByLabel('Maximum instances', { exact: true }).fill('101');
    await scaling.getByLabel('Target invocations per instance per minute', { exact: true }).fill('500');
    await scaling.getByLabel('Scale-in cooldown (s)', { exact: true }).fill('600');
    await scaling.getByRole('button', { name: 'Save policy' }).click();
    await expect(scaling.getByTestId('scaling-field-error')).toHaveText('Give a whole number from 1 to 100');
    expect(await endpoints.scaling(job, 'AllTraffic')).toBeNull();
    await scaling.getByLabel('Maximum instances', { exact: true }).fill('2');
    await snap(page, testInfo, '02-scaling-form');
    await scaling.getByRole('button', { name: 'Save policy' }).click();
    await expect(scaling.getByTestId('endpoint-scaling-policy')).toHaveText(
      '1–2 instances, target 500 invocations per instance per minute'
    );
    const policy = await endpoints.scaling(job, 'AllTraffic');
    expect(policy?.MinCapacity).toBe(1);
    expect(policy?.MaxCapacity).toBe(2);
    expect(policy?.TargetTrackingScalingPolicyConfiguration?.TargetValue).toBe(500);
    expect(policy?.TargetTrackingScalingPolicyConfiguration?.ScaleInCooldown).toBe(600);
    await snap(page, testInfo, '03-scaling-saved');

    // The data capture section says this endpoint captures nothing (its config has no capture).
    await expect(detail.getByTestId('endpoint-capture-summary')).toHaveText(/^Not capturing/, { timeout: 30_000 });

    // The Update dialog: the configs of the server, its own checks under their fields; cancelled.
    await detail.getByRole('button', { name: `Update endpoint ${job}` }).click();
    const dialog = page.getByRole('dialog', { name: `Update endpoint ${job}` });
    await expect(dialog.getByLabel('Endpoint config', { exact: true })).toHaveValue(job);
    await dialog.getByLabel('Traffic routing', { exact: true }).selectOption('LINEAR');
    await dialog.getByLabel('Linear step', { exact: true }).fill('60');
    await dialog.getByLabel('Roll back when the p99 model latency is above', { exact: true }).check();
    await dialog.getByLabel('Roll back when the p99 model latency is above (ms)', { exact: true }).fill('250');
    await expect(dialog.getByTestId('update-alarms')).toHaveText('Alarms: ModelLatencyP99 > 250000');
    await dialog.getByRole('button', { name: 'Update' }).click();
    const again = page.getByRole('dialog', { name: `Update endpoint ${job}` });
    await expect(again.locator('[data-testid="update-field-error"][data-field="linearValue"]')).toHaveText(
      'Give a percent from 10 to 50'
    );
    await snap(page, testInfo, '04-update-dialog');
    await again.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('dialog')).toHaveCount(0);
    expect((await endpoints.describe(job))?.EndpointStatus).toBe('InService');

    // The policy removed: none in the panel nor on the server.
    await scaling.getByRole('button', { name: 'Remove policy' }).click();
    await expect(scaling.getByTestId('endpoint-scaling-policy')).toHaveText(/^No scaling policy/);
    expect(await endpoints.scaling(job, 'AllTraffic')).toBeNull();
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
    const row = panel.locator(`[data-testid="endpoint-row"][data-endpoint-name="${name}"]`);
    await expect(row).toHaveAttribute('data-status', 'Failed');
    await row.getByRole('button', { name: `Open endpoint ${name}` }).click();
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
