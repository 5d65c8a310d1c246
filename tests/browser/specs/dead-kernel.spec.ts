import { Locator, Page } from '@playwright/test';

import {
  expect,
  expectKernelStatus,
  newNotebook,
  openLab,
  openRunningPanel,
  runFirstCell,
  snap,
  test
} from '../support/fixtures';

const KILL = 'import os, signal; os.kill(os.getpid(), signal.SIGKILL)';

/** Errors thrown in the page and not caught (JupyterLab's "Kernel is dead" was one). */
function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', error => errors.push(String(error)));
  return errors;
}

/** Types code into the notebook's last cell (the empty one a run leaves) and runs it; returns that cell. */
async function runLastCell(page: Page, cells: Locator, code: string): Promise<Locator> {
  const cell = cells.locator('.jp-CodeCell').nth((await cells.locator('.jp-CodeCell').count()) - 1);
  const editor = cell.getByRole('textbox');
  await editor.click();
  await expect(editor).toBeFocused();
  await page.keyboard.type(code);
  await expect(editor).toHaveText(code);
  await page.keyboard.press('Shift+Enter');
  return cell;
}

/** A JupyterLab notification (toast) with this text. */
function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.Toastify__toast').filter({ hasText: text });
}

test('a kernel that kills itself comes back, and the notebook says why', async ({ page, lab }, testInfo) => {
  const errors = pageErrors(page);
  await openLab(page, lab, testInfo);
  const name = await newNotebook(page);
  const cells = await runFirstCell(page, name, KILL);

  // JupyterLab's own dialog, as with jupyter_server's restarter.
  const restarting = page.getByRole('dialog').filter({ hasText: 'Kernel Restarting' });
  await expect(restarting).toBeVisible();
  await expect(restarting).toContainText('appears to have died. It will restart automatically.');
  // Atelier's notification says why.
  const notice = toast(
    page,
    `The kernel of ${name} died and was restarted: the kernel process was killed by signal 9 (SIGKILL).`
  );
  await expect(notice).toBeVisible();
  await snap(page, testInfo, '01-restarting-with-reason');
  await restarting.getByRole('button', { name: /^Ok$/i }).click();
  await expect(restarting).toBeHidden();

  // Details tell the whole story.
  await notice.getByRole('button', { name: 'Details' }).click();
  const details = page.getByRole('dialog').filter({ hasText: 'Kernel Restarted' });
  await expect(details).toContainText('(automatic restart 1 of 5 in a row)');
  await expect(details).toContainText('Its variables are lost: run the cells you need again.');
  await details.getByRole('button', { name: 'OK' }).click();

  // The restarted kernel answers the next cell.
  await expectKernelStatus(page, name, /^Python 3 \(ipykernel\) \| Idle$/);
  const next = await runLastCell(page, cells, 'print(6*7)');
  await expect(next.locator('.jp-OutputArea-output')).toHaveText('42');
  await expect(next.locator('.jp-InputPrompt')).toHaveText('[1]:');

  // The Running panel says it was restarted, and why.
  const panel = await openRunningPanel(page);
  const item = panel
    .getByRole('list', { name: 'Running kernels' })
    .getByRole('listitem', { name: `Kernel ${name}`, exact: true });
  await expect(item).toHaveAttribute('data-state', /^(idle|busy)$/);
  await expect(item.locator('.jp-AtelierRunning-restarts')).toHaveText(
    'restarted once: the kernel process was killed by signal 9 (SIGKILL)'
  );
  await snap(page, testInfo, '02-restarted-answers-42');

  // A restart the user asks for is not a death: no "Kernel Restarting" dialog, no new notice.
  const restartedNotices = await toast(page, /died and was restarted/).count();
  await page.getByRole('menubar').getByRole('menuitem', { name: 'Kernel', exact: true }).click();
  await page.getByRole('menuitem', { name: /^Restart Kernel…/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm Kernel Restart' }).click();
  await expectKernelStatus(page, name, /^Python 3 \(ipykernel\) \| Idle$/);
  const after = await runLastCell(page, cells, 'print(6*7)');
  await expect(after.locator('.jp-OutputArea-output')).toHaveText('42');
  await expect(after.locator('.jp-InputPrompt')).toHaveText('[1]:');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(toast(page, /is dead/)).toHaveCount(0);
  expect(await toast(page, /died and was restarted/).count()).toBeLessThanOrEqual(restartedNotices);
  expect(errors).toEqual([]);
});

test('a stopped instance tells its notebook why, and Restart Kernel brings it back on a new instance', async ({
  page,
  lab
}, testInfo) => {
  const errors = pageErrors(page);
  await openLab(page, lab, testInfo);
  const name = await newNotebook(page);
  const cells = await runFirstCell(page, name, 'print(6*7)');
  await expect(cells.locator('.jp-CodeCell').first().locator('.jp-OutputArea-output')).toHaveText('42');
  const [before] = (await lab.atelierKernels()).filter(k => k.path === name);
  expect(before.instance_id).toBeTruthy();

  // Stop the notebook's instance from the Running panel.
  const panel = await openRunningPanel(page);
  const label = `${before.instance_type} · ${before.image}`;
  const instance = panel
    .getByRole('list', { name: 'Running instances' })
    .getByRole('listitem', { name: `Instance ${label}`, exact: true });
  await instance.getByRole('button', { name: `Shut down instance ${label}`, exact: true }).click();
  const confirm = page.getByRole('dialog', { name: `Shut down instance ${label}?`, exact: true });
  await confirm.getByRole('button', { name: 'Shut Down Instance', exact: true }).click();
  await expect(instance).toHaveCount(0);

  // The notebook says its kernel is dead and why; the panel shows it dead with the reason.
  const notice = toast(page, new RegExp(`^The kernel of ${name.replace('.', '\\.')} is dead: .*instance`));
  await expect(notice).toBeVisible();
  await expect(notice.getByRole('button', { name: 'Restart Kernel' })).toBeVisible();
  const item = panel
    .getByRole('list', { name: 'Running kernels' })
    .getByRole('listitem', { name: `Kernel ${name}`, exact: true });
  await expect(item).toHaveAttribute('data-state', 'dead');
  const [dead] = (await lab.atelierKernels()).filter(k => k.path === name);
  expect(dead.execution_state).toBe('dead');
  await expect(item.locator('.jp-AtelierRunning-reason')).toHaveText((dead as { reason?: string }).reason as string);
  await snap(page, testInfo, '01-instance-stopped-kernel-dead');

  // A cell run on the dead kernel says what to do instead of failing in the page.
  const ran = await runLastCell(page, cells, 'print(6*7)');
  const remind = page.getByRole('dialog').filter({ hasText: 'Kernel Dead' });
  await expect(remind).toContainText('Restart the kernel (Kernel > Restart Kernel) to go on');
  await snap(page, testInfo, '02-cell-run-on-dead-kernel');
  await remind.getByRole('button', { name: 'Close' }).click();
  await expect(ran.locator('.jp-InputPrompt')).toHaveText('[ ]:');

  // Kernel > Restart Kernel…: JupyterLab's restart request reaches the server.
  const restartRequest = page.waitForRequest(
    request => request.method() === 'POST' && request.url().includes(`/api/kernels/${before.id}/restart`)
  );
  await page.getByRole('menubar').getByRole('menuitem', { name: 'Kernel', exact: true }).click();
  await page.getByRole('menuitem', { name: /^Restart Kernel…/ }).click();
  await restartRequest;
  await expectKernelStatus(page, name, /^Python 3 \(ipykernel\) \| Idle$/);
  await expect(notice).toHaveCount(0);

  // Back on a new instance of the same type, with the same kernel id, answering a cell.
  await expect
    .poll(async () => (await lab.atelierKernels()).filter(k => k.path === name).map(k => k.execution_state))
    .toEqual(['idle']);
  const [after] = (await lab.atelierKernels()).filter(k => k.path === name);
  expect(after.id).toBe(before.id);
  expect(after.instance_type).toBe(before.instance_type);
  expect(after.instance_id).not.toBe(before.instance_id);
  const next = await runLastCell(page, cells, 'print(6*7)');
  await expect(next.locator('.jp-OutputArea-output')).toHaveText('42');
  await expect(item).toHaveAttribute('data-state', /^(idle|busy)$/);
  await snap(page, testInfo, '03-restarted-on-new-instance');
  expect(errors).toEqual([]);
});
