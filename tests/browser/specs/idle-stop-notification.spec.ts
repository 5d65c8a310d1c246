import { expect, expectKernelStatus, launcherPanel, openLab, snap, test } from '../support/fixtures';

const TYPE = 'ml.c5.large';

test('an instance stopped by its idle rule is announced, wherever the user is', async ({ page, lab }, testInfo) => {
  // The rule acts after a whole minute without a busy kernel, then at the next check.
  test.setTimeout(300_000);
  await openLab(page, lab, testInfo);
  // A rule for a type the settings do not list stays as the server has it.
  await lab.setIdlePolicy(TYPE, 0, 1);
  try {
    const section = launcherPanel(page)
      .locator('.jp-Launcher-section')
      .filter({ has: page.getByRole('heading', { name: 'Atelier', exact: true }) });
    await section.getByRole('button', { name: /^Notebook on an Instance/ }).click();
    const picker = page.getByRole('dialog', { name: 'New Notebook on an Instance' });
    await picker.getByRole('radiogroup', { name: 'Instance type' }).getByRole('radio', { name: /^ml\.c5\.large / }).check();
    await picker.getByRole('button', { name: 'Create', exact: true }).click();
    const tab = page.getByRole('main').getByRole('tab', { selected: true, name: /\.ipynb$/ });
    await expect(tab).toHaveCount(1);
    const name = (await tab.innerText()).trim();
    await expectKernelStatus(page, name, /^Python 3 \(ipykernel\) \| Idle$/);
    // Somewhere else in JupyterLab: a new launcher in front of the notebook.
    await page.getByRole('main').getByRole('button', { name: 'New Launcher' }).click();

    const toast = page.locator('.Toastify__toast').filter({ hasText: 'was stopped by its idle rule' });
    await expect(toast).toBeVisible({ timeout: 200_000 });
    await expect(toast).toContainText(`The ${TYPE} instance (local) was stopped by its idle rule`);
    await expect(toast).toContainText(name);
    await page.waitForTimeout(500); // the toast has slid in fully, for the screenshot
    await snap(page, testInfo, '01-idle-stop-notification');
    await toast.getByRole('button', { name: 'Show Running' }).click();
    await expect(page.locator('#atelier-running')).toBeVisible();
    await snap(page, testInfo, '02-running-panel');
  } finally {
    await lab.setIdlePolicy(TYPE, 0, 0);
  }
});
