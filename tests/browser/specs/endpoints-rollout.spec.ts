import { Locator, Page } from '@playwright/test';

import { EndpointsApi } from '../support/endpoints';
import { expect, Lab, openLab, snap, test } from '../support/fixtures';
import { echoScript, FAILING_SCRIPT, scriptModel } from '../support/localModels';

/**
 * The Endpoints panel's views of a blue/green update, of its instances' usage
 * and of its captured invocations, against endpoints on the `local` image
 * (model servers in processes) of script-mode models that need no fitting.
 */

const TYPE = 'ml.t3.medium';

/** A JupyterLab notification (toast) with this text. */
function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.Toastify__toast').filter({ hasText: text });
}

/** The endpoint's tab, opened from its row in the Endpoints panel once it is InService. */
async function openEndpoint(page: Page, name: string): Promise<Locator> {
  const panel = page.locator('#atelier-endpoints');
  if (!(await panel.isVisible())) {
    await page.getByRole('tab', { name: 'Atelier: endpoints' }).click();
  }
  await panel.getByRole('button', { name: `Open endpoint ${name}` }).click();
  const detail = page.getByTestId('endpoint-detail');
  await expect(detail.getByTestId('endpoint-detail-name')).toHaveText(name);
  await expect(detail).toHaveAttribute('data-status', 'InService');
  return detail;
}

/**
 * Records in the page every state the endpoint's tab shows, as
 * "<status>/<rollout phase>/<rollout heading>", each change as it is drawn;
 * read back with `statesShown`.
 */
async function recordStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as any).__endpointStates = seen;
    const read = (): void => {
      const detail = document.querySelector('[data-testid="endpoint-detail"]');
      const rollout = detail?.querySelector('[data-testid="endpoint-rollout"]');
      const entry = [
        detail?.getAttribute('data-status') ?? '',
        rollout?.getAttribute('data-phase') ?? '',
        rollout?.querySelector('h3')?.textContent ?? ''
      ].join('/');
      if (seen[seen.length - 1] !== entry) {
        seen.push(entry);
      }
    };
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['data-status', 'data-phase']
    });
    read();
  });
}

async function statesShown(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((window as any).__endpointStates as string[])]);
}

/** Script-mode models on `local`, one a config (variant named as its config's suffix) each. */
class LocalFleet {
  readonly endpoints: EndpointsApi;
  readonly configs: string[] = [];
  readonly models: string[] = [];

  constructor(
    request: ConstructorParameters<typeof EndpointsApi>[0],
    private readonly lab: Lab,
    readonly prefix: string
  ) {
    this.endpoints = new EndpointsApi(request, lab);
  }

  /** A model of this inference script and a config `<prefix>-<variant>` of one instance of it. */
  async config(variant: string, script: string, extra: Record<string, unknown> = {}): Promise<string> {
    const name = `${this.prefix}-${variant}`;
    const data = `s3://atelier/data/${this.prefix}/${variant}/model.tar.gz`;
    await this.lab.putObject(data, scriptModel(script), 'application/gzip');
    await this.endpoints.createLocalModel(name, data);
    this.models.push(name);
    await this.endpoints.createConfig(name, variant, name, TYPE, extra);
    this.configs.push(name);
    return name;
  }

  async removeAll(): Promise<void> {
    await this.endpoints.removeAll(this.prefix);
    await this.endpoints.removeConfigsAndModels(this.configs, this.models);
  }
}

test('a canary update from the Update dialog, its progress shown, ends on the new config', async ({
  page,
  lab,
  request
}, testInfo) => {
  test.setTimeout(240_000);
  const fleet = new LocalFleet(request, lab, `ep-bg-${Date.now()}`);
  const name = fleet.prefix;
  try {
    const blue = await fleet.config('blue', echoScript('blue'));
    const green = await fleet.config('green', echoScript('green'));
    await fleet.endpoints.createEndpoint(name, blue);
    await expect.poll(() => fleet.endpoints.status(name), { timeout: 120_000 }).toBe('InService');

    await openLab(page, lab, testInfo);
    const detail = await openEndpoint(page, name);
    await expect(detail.getByTestId('endpoint-detail-config')).toHaveText(blue);
    await recordStates(page);

    // The dialog: the other config, a canary of 20% held 10 s.
    await detail.getByRole('button', { name: `Update endpoint ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Update endpoint ${name}` });
    await dialog.getByLabel('Endpoint config', { exact: true }).selectOption(green);
    await dialog.getByLabel('Traffic routing', { exact: true }).selectOption('CANARY');
    await dialog.getByLabel('Canary size', { exact: true }).fill('20');
    await dialog.getByLabel('Wait after each step (s)', { exact: true }).fill('10');
    await expect(dialog.getByTestId('update-alarms')).toHaveText(/^No alarms/);
    await snap(page, testInfo, '01-update-dialog');
    await dialog.getByRole('button', { name: 'Update' }).click();
    await expect(page.getByRole('dialog')).toHaveCount(0);

    // While it runs: the canary's phase, the new fleet's share above 0, step 1 of 2, the new fleet.
    const rollout = detail.getByTestId('endpoint-rollout');
    await expect(rollout.getByRole('heading', { name: `Updating to ${green}` })).toBeVisible();
    await expect(rollout).toHaveAttribute('data-phase', 'Shifting', { timeout: 90_000 });
    await expect(detail).toHaveAttribute('data-status', 'Updating');
    await expect(rollout.getByTestId('endpoint-rollout-phase')).toHaveText(/^Shifting: /);
    await expect(rollout.getByTestId('endpoint-rollout-step')).toHaveText('step 1 of 2');
    const bar = rollout.getByRole('progressbar', { name: "New fleet's traffic" });
    const share = Number(await bar.getAttribute('aria-valuenow'));
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(100);
    await expect(bar).toHaveAttribute('aria-valuetext', `${Math.round(share)}% · step 1 of 2`);
    await expect(rollout.getByTestId('endpoint-rollout-time-left')).toHaveText(/ s left$|^ending$/);
    await expect(rollout.getByRole('list', { name: 'New fleet' }).getByTestId('endpoint-rollout-health')).toHaveText(
      /1 of 1 healthy/
    );
    // Invocations are answered during the update, from the box too.
    const box = detail.getByRole('form', { name: 'Invoke the endpoint' });
    await box.getByLabel('Payload', { exact: true }).fill('1,2');
    await box.getByLabel('Content-Type', { exact: true }).selectOption('text/csv');
    await box.getByRole('button', { name: 'Invoke' }).click();
    await expect(box.getByTestId('endpoint-invoke-status')).toHaveText('200');
    await expect(box.getByTestId('endpoint-invoke-variant')).toHaveText(/^(blue|green)$/);
    await snap(page, testInfo, '02-canary-shifting');

    // After: InService on the new config, its variant serving, the last update described.
    await expect(detail).toHaveAttribute('data-status', 'InService', { timeout: 90_000 });
    await expect(detail.getByTestId('endpoint-detail-config')).toHaveText(green);
    await expect(rollout).toHaveCount(0);
    await expect(detail.getByTestId('endpoint-variant')).toHaveAttribute('data-variant', 'green');
    await expect(detail.getByTestId('endpoint-last-deployment')).toHaveText(/^canary 20%, wait 10 s/);
    await expect(toast(page, `Endpoint ${name} is InService again after its update.`)).toBeVisible();
    const described = await fleet.endpoints.describe(name);
    expect(described?.EndpointConfigName).toBe(green);
    expect(described?.FailureReason ?? null).toBeNull();
    expect(described?.LastDeploymentConfig?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type).toBe('CANARY');
    expect((await fleet.endpoints.invoke(name, '1,2')).variant).toBe('green');
    await snap(page, testInfo, '03-updated');
    const states = await statesShown(page);
    expect(states).toContain(`Updating/Shifting/Updating to ${green}`);
    expect(states[states.length - 1]).toBe('InService//');
  } finally {
    await fleet.removeAll();
  }
});

test('an update to a failing model rolled back by its 5xx alarm, shown as it happens', async ({
  page,
  lab,
  request
}, testInfo) => {
  test.setTimeout(240_000);
  const fleet = new LocalFleet(request, lab, `ep-rb-${Date.now()}`);
  const name = fleet.prefix;
  try {
    const blue = await fleet.config('blue', echoScript('blue'));
    const red = await fleet.config('red', FAILING_SCRIPT);
    await fleet.endpoints.createEndpoint(name, blue);
    await expect.poll(() => fleet.endpoints.status(name), { timeout: 120_000 }).toBe('InService');

    await openLab(page, lab, testInfo);
    const detail = await openEndpoint(page, name);
    await recordStates(page);

    // A canary of half the traffic held 10 minutes: only the alarm can end it early.
    await detail.getByRole('button', { name: `Update endpoint ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Update endpoint ${name}` });
    await dialog.getByLabel('Endpoint config', { exact: true }).selectOption(red);
    await dialog.getByLabel('Traffic routing', { exact: true }).selectOption('CANARY');
    await dialog.getByLabel('Canary size', { exact: true }).fill('50');
    await dialog.getByLabel('Wait after each step (s)', { exact: true }).fill('600');
    await dialog.getByLabel('Roll back when the 5xx error rate is above', { exact: true }).check();
    await dialog.getByLabel('Roll back when the 5xx error rate is above (%)', { exact: true }).fill('5');
    await expect(dialog.getByTestId('update-alarms')).toHaveText('Alarms: Invocation5XXErrorRate > 5');
    await snap(page, testInfo, '01-update-dialog');
    await dialog.getByRole('button', { name: 'Update' }).click();
    await expect(page.getByRole('dialog')).toHaveCount(0);

    const rollout = detail.getByTestId('endpoint-rollout');
    await expect(rollout).toHaveAttribute('data-phase', 'Shifting', { timeout: 90_000 });
    const alarm = rollout.locator('tr[data-alarm="Invocation5XXErrorRate > 5"]');
    await expect(alarm.getByRole('rowheader')).toHaveText('5xx rate above 5%');
    await expect(alarm.getByTestId('endpoint-alarm-state')).toHaveText('not enough data');
    await snap(page, testInfo, '02-canary-before-invocations');

    // Invocations, a few at a time, until the page has shown the rollback: the canary answers 5xx.
    const answers: number[] = [];
    await expect
      .poll(
        async () => {
          const states = await statesShown(page);
          if (!states.some(s => s.startsWith('RollingBack/'))) {
            const batch = await Promise.all(Array.from({ length: 5 }, () => fleet.endpoints.invoke(name, '1,2')));
            answers.push(...batch.map(a => a.status));
          }
          return states.filter(s => s.startsWith('RollingBack/'));
        },
        { message: 'RollingBack shown in the tab', timeout: 90_000, intervals: [100] }
      )
      .toContain(`RollingBack/RollingBack/Rolling back the update to ${red}`);
    // The old fleet answered 200, the failing canary the model's error (424 ModelError).
    expect(answers).toContain(200);
    expect(answers).toContain(424);

    // Then InService on the old config, the tab saying why the update was rolled back.
    await expect(detail).toHaveAttribute('data-status', 'InService', { timeout: 60_000 });
    const reason = new RegExp(
      `^the update to ${red} was rolled back: alarm 'Invocation5XXErrorRate > 5' fired: .+`
    );
    await expect(rollout).toHaveAttribute('data-phase', 'RolledBack');
    await expect(rollout.getByRole('heading', { name: 'Update rolled back' })).toBeVisible();
    await expect(rollout.getByTestId('endpoint-rollout-reason')).toHaveText(reason);
    await expect(detail.getByTestId('endpoint-detail-config')).toHaveText(blue);
    await expect(detail.getByTestId('endpoint-variant')).toHaveAttribute('data-variant', 'blue');
    await expect(toast(page, `Endpoint ${name} rolled back its update and serves its previous config`)).toBeVisible();
    const described = await fleet.endpoints.describe(name);
    expect(described?.EndpointConfigName).toBe(blue);
    expect(described?.FailureReason).toMatch(reason);
    expect(await fleet.endpoints.invoke(name, '1,2')).toEqual({ status: 200, variant: 'blue' });
    await snap(page, testInfo, '03-rolled-back');
    const states = await statesShown(page);
    expect(states).toContain(`Updating/Shifting/Updating to ${red}`);
    expect(states[states.length - 1]).toBe('InService/RolledBack/Update rolled back');
  } finally {
    await fleet.removeAll();
  }
});

test("an instance's CPU and memory, and the captured invocations of the data capture", async ({
  page,
  lab,
  request
}, testInfo) => {
  test.setTimeout(180_000);
  const fleet = new LocalFleet(request, lab, `ep-cap-${Date.now()}`);
  const name = fleet.prefix;
  const destination = `s3://atelier/capture/${name}`;
  try {
    const config = await fleet.config('AllTraffic', echoScript('echo'), {
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 100,
        DestinationS3Uri: destination,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }]
      }
    });
    await fleet.endpoints.createEndpoint(name, config);
    await expect.poll(() => fleet.endpoints.status(name), { timeout: 120_000 }).toBe('InService');

    await openLab(page, lab, testInfo);
    const detail = await openEndpoint(page, name);

    // Usage is sampled every 10 s: real numbers replace the placeholder within a few samples.
    const usage = detail.getByTestId('endpoint-variant').getByTestId('endpoint-instance-usage');
    await expect(usage).toHaveText(/^CPU \d+(\.\d)?% · memory \d+(\.\d)?% \(\d+(\.\d+)? (KiB|MiB|GiB)\)$/, {
      timeout: 60_000
    });
    expect(Number(await usage.getAttribute('data-cpu'))).toBeGreaterThanOrEqual(0);
    expect(Number(await usage.getAttribute('data-memory'))).toBeGreaterThan(0);
    await snap(page, testInfo, '01-instance-usage');

    // Three invocations from the box, each captured with its input and output.
    const capture = detail.getByRole('region', { name: 'Data capture' });
    await expect(capture.getByTestId('endpoint-capture-summary')).toHaveText(
      `Capturing 100% of invocations to ${destination}`
    );
    const box = detail.getByRole('form', { name: 'Invoke the endpoint' });
    await box.getByLabel('Content-Type', { exact: true }).selectOption('text/csv');
    for (const rows of ['1,2', '1,2\n3,4', '1,2\n3,4\n5,6']) {
      await box.getByLabel('Payload', { exact: true }).fill(rows);
      await box.getByRole('button', { name: 'Invoke' }).click();
      const count = rows.split('\n').length;
      await expect(box.getByTestId('endpoint-invoke-body')).toContainText(`"rows": ${count}`);
      await expect(box.getByTestId('endpoint-invoke-status')).toHaveText('200');
    }
    const records = capture.getByRole('table', { name: 'Latest captured invocations' }).getByTestId('endpoint-capture-record');
    await expect(records).toHaveCount(3, { timeout: 45_000 });
    // Newest first: the last payload (its rows on one line), the model's answer, the variant.
    const newest = records.first().getByRole('cell');
    await expect(newest.nth(1)).toHaveText('AllTraffic');
    await expect(newest.nth(2)).toHaveText('1,2 3,4 5,6');
    await expect(newest.nth(3)).toHaveText('{"model": "echo", "rows": 3}');
    await expect(records.last().getByRole('cell').nth(2)).toHaveText('1,2');
    await expect(capture.locator('[data-counter="Captured"]')).toHaveText('3');
    await expect(capture.locator('[data-counter="DroppedSpoolFull"]')).toHaveText('0');
    await expect(capture.locator('[data-counter="SpoolBytes"]')).toContainText('of 1024.0 MiB');
    await capture.scrollIntoViewIfNeeded();
    await snap(page, testInfo, '02-captured-records');
  } finally {
    await fleet.removeAll();
  }
});
