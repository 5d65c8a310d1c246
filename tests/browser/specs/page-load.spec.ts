import { expect, newNotebook, openLab, test } from '../support/fixtures';

test('loading JupyterLab and opening a notebook asks for nothing that is missing', async ({ page, lab }, testInfo) => {
  const failed: string[] = [];
  page.on('response', response => {
    if (response.status() >= 400) {
      failed.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
    }
  });
  await openLab(page, lab, testInfo);
  await newNotebook(page);
  // The launcher's and the notebook's kernel logos come from the kernelspec's resources.
  await expect(page.locator('.jp-KernelStatus, .jp-Toolbar-kernelName').first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(failed, 'no request answered 4xx or 5xx').toEqual([]);
});
