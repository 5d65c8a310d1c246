import { expect, newNotebook, openLab, openRunningPanel, runFirstCell, snap, test } from '../support/fixtures';
import { openJsonSettings, saveUserSettings } from '../support/settings';

const TYPE = 'ml.t3.medium';
const PLUGIN = '@atelier/labextension:running';
const SETTINGS_TITLE = 'Atelier: Running panel and idle shutdown';

test('shows usage per instance type and sets an idle rule for ml.t3.medium in the panel and in the settings', async ({ page, lab }, testInfo) => {
  try {
    await openLab(page, lab, testInfo);
    const name = await newNotebook(page);
    const cells = await runFirstCell(page, name, 'print(6*7)');
    await expect(cells.locator('.jp-CodeCell').first().locator('.jp-OutputArea-output')).toHaveText('42');
    const instance = (await lab.atelierKernels()).find(k => k.path === name);
    expect(instance?.instance_type).toBe(TYPE);

    // Usage: the last 30 days by default, then the last 24 hours; the running instance counts up to now.
    const panel = await openRunningPanel(page);
    const usage = panel.getByRole('region', { name: /^Usage/ });
    const period = usage.getByRole('combobox', { name: 'Usage period' });
    await expect(period).toHaveValue('month');
    const table = usage.getByRole('table', { name: 'Usage by instance type' });
    await expect(table.getByRole('row', { name: new RegExp(`^${TYPE.replace(/\./g, '\\.')} `) })).toBeVisible();
    await period.selectOption({ label: 'Last 24 hours' });
    // An instance runs, so the table says it is live.
    await expect(table.getByRole('caption')).toHaveText('Last 24 hours · live');
    await expect(table).toHaveAttribute('data-live', 'true');
    const row = table.locator(`tbody tr[data-instance-type="${TYPE}"]`);
    await expect(row).toHaveCount(1);
    await expect.poll(async () => Number(await row.getAttribute('data-hours')), { message: 'hours of ml.t3.medium' }).toBeGreaterThan(0);
    expect(Number(await row.getAttribute('data-cost'))).toBeGreaterThan(0);
    // Time in the unit that reads: seconds, minutes, then hours.
    await expect(row.locator('.jp-AtelierUsage-hours')).toHaveText(/^(\d+ s|\d+(\.\d)? min|\d+\.\d\d h|\d+ h)$/);
    await expect(row.locator('.jp-AtelierUsage-hours')).not.toHaveText('0 s');
    await expect(row.locator('.jp-AtelierUsage-cost')).toHaveText(/^\$\d+\.\d{4}$/);
    await expect(table.getByRole('row', { name: /^Total / })).toContainText(/\$\d+\.\d{4}$/);
    // Live: the running instance's time moves on in the table without fetching the usage again.
    let usageRequests = 0;
    page.on('request', request => {
      if (request.url().includes('/atelier/api/usage')) {
        usageRequests++;
      }
    });
    const before = Number(await row.getAttribute('data-hours'));
    await expect
      .poll(async () => Number(await row.getAttribute('data-hours')), { message: 'the running instance’s hours move on' })
      .toBeGreaterThan(before);
    expect(usageRequests, 'the time moved on without a new usage request').toBe(0);
    await usage.scrollIntoViewIfNeeded();
    await snap(page, testInfo, '01-usage-last-24-hours');

    // Idle shutdown: a bad value is refused in the form, a good one reaches the server.
    const rule = panel.getByRole('list', { name: 'Idle rules' }).getByRole('listitem', { name: `Idle rule ${TYPE}`, exact: true });
    const kernelMinutes = rule.getByRole('textbox', { name: `Kernel idle minutes for ${TYPE}` });
    const instanceMinutes = rule.getByRole('textbox', { name: `Instance idle minutes for ${TYPE}` });
    const save = rule.getByRole('button', { name: `Save idle rule for ${TYPE}` });
    await expect(kernelMinutes).toHaveValue('0');
    await expect(instanceMinutes).toHaveValue('0');
    await expect(save).toBeDisabled();

    await kernelMinutes.fill('1.5');
    await save.click();
    await expect(rule.getByRole('alert')).toHaveText('"1.5" is not a whole number of minutes (0 turns the rule off)');

    await kernelMinutes.fill('45');
    await instanceMinutes.fill('90');
    await save.click();
    await expect(page.getByText(`Idle shutdown of ${TYPE} saved: kernels after 45 min idle, instances after 1 h 30 min idle.`)).toBeVisible();
    await expect(save).toBeDisabled();
    await expect
      .poll(async () => (await lab.idlePolicies()).find(p => p.instance_type === TYPE), { message: 'the server idle rule' })
      .toEqual({ instance_type: TYPE, kernel_idle_minutes: 45, instance_idle_minutes: 90 });

    // The running instance now shows when its idle rule would stop it.
    const item = panel
      .getByRole('list', { name: 'Running instances' })
      .getByRole('listitem', { name: `Instance ${TYPE} · local`, exact: true });
    await expect(item.locator('.jp-AtelierRunning-deadline')).toHaveText(/^idle shutdown in /);
    // And the notebook's kernel card when its own idle rule (45 min) would shut it down.
    const kernelCard = panel.getByRole('listitem', { name: `Kernel ${name}`, exact: true });
    await expect(kernelCard.locator('.jp-AtelierRunning-kernelIdle')).toHaveText(/^in \d+ min \d\d s$/);
    const millis = (iso: string | null | undefined): number => Date.parse((iso ?? '').replace(/(\.\d{3})\d+/, '$1'));
    await expect
      .poll(
        async () => {
          const shown = millis(await kernelCard.locator('.jp-AtelierRunning-kernelIdle time').getAttribute('datetime'));
          const served = (await lab.atelierKernels()).find(k => k.path === name) as { idle_shutdown_at?: string } | undefined;
          return shown - millis(served?.idle_shutdown_at);
        },
        { message: 'the kernel card shows the server’s idle shutdown time' }
      )
      .toBe(0);
    await rule.scrollIntoViewIfNeeded();
    await snap(page, testInfo, '02-idle-rule-saved');
    // The form wrote the rule into JupyterLab's settings, where it is kept.
    await expect
      .poll(async () => (await lab.userSettings(PLUGIN)).idleRules, { message: 'the saved user settings' })
      .toEqual({ [TYPE]: { kernelIdleMinutes: 45, instanceIdleMinutes: 90 } });

    // The same rules in the Settings Editor: a change there reaches the server and the panel.
    await openJsonSettings(page, SETTINGS_TITLE);
    await saveUserSettings(page, JSON.stringify({ idleRules: { [TYPE]: { kernelIdleMinutes: 20, instanceIdleMinutes: 40 } } }));
    await expect(page.getByText(`Idle shutdown of ${TYPE} saved: kernels after 20 min idle, instances after 40 min idle.`)).toBeVisible();
    await expect
      .poll(async () => (await lab.idlePolicies()).find(p => p.instance_type === TYPE), { message: 'the server idle rule' })
      .toEqual({ instance_type: TYPE, kernel_idle_minutes: 20, instance_idle_minutes: 40 });
    await expect(kernelMinutes).toHaveValue('20');
    await expect(instanceMinutes).toHaveValue('40');
    await snap(page, testInfo, '03-idle-rule-from-settings');

    // A type the server does not know: its message, as a notification; the other rule stays.
    await saveUserSettings(
      page,
      JSON.stringify({
        idleRules: { [TYPE]: { kernelIdleMinutes: 20, instanceIdleMinutes: 40 }, 'ml.nope.large': { kernelIdleMinutes: 5 } }
      })
    );
    await expect(page.getByText(/Could not apply the idle rule of ml\.nope\.large: .*ml\.nope\.large/)).toBeVisible();
    expect((await lab.idlePolicies()).find(p => p.instance_type === TYPE)?.kernel_idle_minutes).toBe(20);
    await snap(page, testInfo, '04-idle-rule-refused');
    await saveUserSettings(page, JSON.stringify({ idleRules: { [TYPE]: { kernelIdleMinutes: 20, instanceIdleMinutes: 40 } } }));

    // Back to off, through the form.
    await kernelMinutes.fill('0');
    await instanceMinutes.fill('0');
    await save.click();
    await expect(save).toBeDisabled();
    await expect
      .poll(async () => (await lab.idlePolicies()).find(p => p.instance_type === TYPE), { message: 'the server idle rule' })
      .toEqual({ instance_type: TYPE, kernel_idle_minutes: 0, instance_idle_minutes: 0 });
  } finally {
    // Whatever failed above, later tests run without idle shutdown, and later pages load no rules.
    await lab.resetUserSettings(PLUGIN);
    await lab.setIdlePolicy(TYPE, 0, 0);
  }
});
