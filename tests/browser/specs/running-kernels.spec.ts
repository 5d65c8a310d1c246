import type { Page } from '@playwright/test';

import {
  expect,
  expectKernelStatus,
  newNotebook,
  notebookPanel,
  openLab,
  openRunningPanel,
  runFirstCell,
  snap,
  test
} from '../support/fixtures';

/** The notebook shows "No Kernel" in its toolbar, and the status bar no live kernel state. */
async function expectNoKernel(page: Page, name: string): Promise<void> {
  await expect(page.getByRole('main').getByRole('tab', { name, selected: true })).toBeVisible();
  const toolbar = notebookPanel(page, name).getByRole('toolbar', { name: 'main area toolbar' });
  await expect(toolbar.getByRole('button', { name: 'No Kernel', exact: true })).toBeVisible();
  await expect(toolbar.getByRole('button', { name: /^Python 3/ })).toHaveCount(0);
  await expect(page.getByRole('contentinfo').getByRole('button', { name: /\| (Idle|Busy|Starting)$/ })).toHaveCount(0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('runs print(6*7) in a new Python 3 notebook and shows 42', async ({ page, lab }, testInfo) => {
  await openLab(page, lab, testInfo);
  await snap(page, testInfo, '01-launcher');

  const name = await newNotebook(page);
  const cells = await runFirstCell(page, name, 'print(6*7)');

  // The first cell's output area shows 42 and its prompt the execution count.
  const firstCell = cells.locator('.jp-CodeCell').first();
  await expect(firstCell.locator('.jp-OutputArea-output')).toHaveText('42');
  await expect(firstCell.locator('.jp-InputPrompt')).toHaveText('[1]:');
  await expectKernelStatus(page, name, /^Python 3 \(ipykernel\) \| Idle$/);
  await snap(page, testInfo, '02-output-42');

  // The kernel JupyterLab uses is one of the Atelier server's, tied to this notebook.
  const kernels = await lab.atelierKernels();
  expect(kernels.map(k => k.path)).toEqual([name]);
});

test('shuts down a notebook kernel from the Running panel', async ({ page, lab }, testInfo) => {
  await openLab(page, lab, testInfo);
  const name = await newNotebook(page);

  const panel = await openRunningPanel(page);
  await expect(panel.getByRole('status', { name: 'Update status' })).toHaveAttribute('data-status', 'live');
  const list = panel.getByRole('list', { name: 'Running kernels' });
  const item = list.getByRole('listitem', { name: new RegExp(`^Kernel .*${escapeRegExp(name)}`) });
  await expect(item).toHaveCount(1);
  await expect(item).toHaveAttribute('data-state', 'idle');
  await expect(item.getByText('idle', { exact: true })).toBeVisible();
  const kernelId = await item.getAttribute('data-kernel-id');
  expect((await lab.jupyterKernels()).map(k => k.id)).toContain(kernelId);
  await snap(page, testInfo, '01-panel-kernel-idle');

  const itemName = `Kernel ${name}`;
  await expect(item).toHaveAccessibleName(itemName);
  await item.getByRole('button', { name: `Shut down ${itemName}` }).click();

  const dialog = page.getByRole('dialog', { name: /^Shut down kernel\?/ });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(name);
  await snap(page, testInfo, '02-confirm-shut-down');
  await dialog.getByRole('button', { name: 'Shut Down', exact: true }).click();
  await expect(dialog).toBeHidden();

  await expect(item).toHaveCount(0);
  await expect(panel.getByText('No kernels are running.')).toBeVisible();
  await expect(panel.getByLabel('Kernel count')).toHaveText('0');

  // JupyterLab's own view of the notebook: no kernel any more.
  await expectNoKernel(page, name);
  await snap(page, testInfo, '03-kernel-gone');
  expect((await lab.jupyterKernels()).map(k => k.id)).not.toContain(kernelId);
  expect((await lab.atelierKernels()).map(k => k.id)).not.toContain(kernelId);
});

test('shuts down all kernels from the Running panel', async ({ page, lab }, testInfo) => {
  await openLab(page, lab, testInfo);
  const first = await newNotebook(page);
  const second = await newNotebook(page);
  expect(second).not.toBe(first);

  const panel = await openRunningPanel(page);
  const list = panel.getByRole('list', { name: 'Running kernels' });
  const items = list.getByRole('listitem');
  await expect(items).toHaveCount(2);
  await expect(list.getByRole('listitem', { name: `Kernel ${first}`, exact: true })).toHaveAttribute('data-state', 'idle');
  await expect(list.getByRole('listitem', { name: `Kernel ${second}`, exact: true })).toHaveAttribute('data-state', 'idle');
  await expect(panel.getByLabel('Kernel count')).toHaveText('2');
  await snap(page, testInfo, '01-panel-two-kernels');

  await panel
    .getByRole('toolbar', { name: 'Kernel sessions actions' })
    .getByRole('button', { name: 'Shut down all kernels' })
    .click();
  const dialog = page.getByRole('dialog').filter({ hasText: 'Shut down all kernels?' });
  await expect(dialog).toBeVisible();
  const toStop = dialog.getByRole('list', { name: 'Kernels to shut down' }).getByRole('listitem');
  await expect(toStop).toHaveCount(2);
  await expect(toStop.filter({ hasText: first })).toHaveCount(1);
  await expect(toStop.filter({ hasText: second })).toHaveCount(1);
  await snap(page, testInfo, '02-confirm-shut-down-all');
  await dialog.getByRole('button', { name: 'Shut Down All', exact: true }).click();
  await expect(dialog).toBeHidden();

  await expect(items).toHaveCount(0);
  await expect(list).toHaveCount(0);
  await expect(panel.getByText('No kernels are running.')).toBeVisible();
  await expect(panel.getByLabel('Kernel count')).toHaveText('0');
  await expect(
    panel.getByRole('toolbar', { name: 'Kernel sessions actions' }).getByRole('button', { name: 'Shut down all kernels' })
  ).toBeDisabled();
  await snap(page, testInfo, '03-no-kernels');
  expect(await lab.atelierKernels()).toEqual([]);
  expect(await lab.jupyterKernels()).toEqual([]);

  // Both notebooks say they have no kernel.
  await expectNoKernel(page, second);
  await page.getByRole('main').getByRole('tab', { name: first }).click();
  await expectNoKernel(page, first);
  await snap(page, testInfo, '04-first-notebook-no-kernel');
});
