import {
  expect,
  expectKernelStatus,
  notebookPanel,
  openLab,
  openRunningPanel,
  snap,
  test
} from '../support/fixtures';

interface SizedType {
  name: string;
  available: boolean;
  memory_gib: number;
  gpus: number;
}

/** Docker's instance image; the notebook asks for it in its metadata, as a picked image is saved. */
const IMAGE = 'atelier/base:latest';

/** Writes past any limit of the catalog's types: every page is touched, so the cgroup counts it. */
const ALLOCATE = (gib: number) => `hog = b'x' * (${gib} << 30)`;

test('a notebook that runs out of memory is told so, with its instance type limit', async ({
  page,
  lab
}, testInfo) => {
  // The smallest memory of the catalog: the allocation only has to pass that limit.
  const types = ((await lab.instanceTypes()) as unknown as SizedType[]).filter(t => t.available && !t.gpus);
  expect(types.length).toBeGreaterThan(0);
  const smallest = types.reduce((a, b) => (b.memory_gib < a.memory_gib ? b : a));
  const limitMib = smallest.memory_gib * 1024;
  const name = `out-of-memory-${Date.now()}.ipynb`;
  await lab.saveFile(
    name,
    JSON.stringify({
      cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ALLOCATE(smallest.memory_gib + 2) }],
      metadata: {
        instance_type: smallest.name,
        atelier: { image: IMAGE },
        kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' }
      },
      nbformat: 4,
      nbformat_minor: 5
    })
  );

  await openLab(page, lab, testInfo);
  // Opened from the file browser, as a user does.
  await page.locator('.jp-DirListing-item', { hasText: name }).dblclick();
  await expectKernelStatus(page, name, /^Python 3 \(ipykernel\) \| Idle$/);
  const [kernel] = (await lab.atelierKernels()).filter(k => k.path === name);
  expect([kernel.instance_type, kernel.image]).toEqual([smallest.name, IMAGE]);

  // Run the cell that allocates past the limit.
  const cells = notebookPanel(page, name).getByRole('feed', { name: 'Cells' });
  await cells.locator('.jp-CodeCell').first().getByRole('textbox').click();
  await page.keyboard.press('Shift+Enter');

  const reason = `the kernel ran out of memory (instance type ${smallest.name} allows ${limitMib} MiB) and was killed`;
  const restarting = page.getByRole('dialog').filter({ hasText: 'Kernel Restarting' });
  await expect(restarting).toBeVisible({ timeout: 60_000 });
  // The whole reason, limit included, within what a toast shows (the name gives way first).
  const notice = page.locator('.Toastify__toast').filter({ hasText: `kernel restarted, ${reason}.` });
  await expect(notice).toBeVisible();
  await snap(page, testInfo, '01-out-of-memory-notice');
  await restarting.getByRole('button', { name: /^Ok$/i }).click();

  await notice.getByRole('button', { name: 'Details' }).click();
  const details = page.getByRole('dialog').filter({ hasText: 'Kernel Restarted' });
  await expect(details).toContainText(reason);
  await expect(details).toContainText(`${smallest.name} allows ${limitMib} MiB`);
  await snap(page, testInfo, '02-out-of-memory-details');
  await details.getByRole('button', { name: 'OK' }).click();

  // The Running panel says why it was restarted.
  const panel = await openRunningPanel(page);
  const item = panel
    .getByRole('list', { name: 'Running kernels' })
    .getByRole('listitem', { name: `Kernel ${name}`, exact: true });
  await expect(item.locator('.jp-AtelierRunning-restarts')).toHaveText(`restarted once: ${reason}`);
  await snap(page, testInfo, '03-running-panel-out-of-memory');

  const [after] = (await lab.atelierKernels()).filter(k => k.path === name);
  const death = (after as { last_death?: { oom_killed?: boolean; reason?: string } }).last_death;
  expect(death?.oom_killed).toBe(true);
  expect(death?.reason).toBe(reason);
});
