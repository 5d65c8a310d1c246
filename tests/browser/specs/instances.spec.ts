import {
  expect,
  expectKernelStatus,
  newNotebook,
  notebookToolbar,
  openLab,
  openRunningPanel,
  runFirstCell,
  snap,
  test
} from '../support/fixtures';

const T3 = 'ml.t3.medium · 2 vCPU · 4 GiB · local';
const M5 = 'ml.m5.large · 2 vCPU · 8 GiB · local';

test('moves a notebook to ml.m5.large from its toolbar, then shuts that instance down', async ({ page, lab }, testInfo) => {
  await openLab(page, lab, testInfo);
  const name = await newNotebook(page);

  // The toolbar says where the kernel runs: the default type, as the server reports it.
  const spec = notebookToolbar(page, name).getByRole('button', { name: /^Instance: / });
  await expect(spec).toHaveAccessibleName(`Instance: ${T3}`);
  await expect(spec).toHaveAttribute('data-source', 'kernel');
  await expect(spec).toHaveText(T3);
  await snap(page, testInfo, '01-toolbar-ml-t3-medium');

  // The picker lists every type of the catalog (unavailable ones disabled, with their reason) and the images.
  await spec.click();
  const picker = page.getByRole('dialog', { name: `Instance for ${name}` });
  await expect(picker).toBeVisible();
  const types = picker.getByRole('radiogroup', { name: 'Instance type' });
  for (const type of await lab.instanceTypes()) {
    const radio = types.getByRole('radio', { name: new RegExp(`^${type.name.replace(/\./g, '\\.')} `) });
    await expect(radio).toBeEnabled({ enabled: type.available });
    if (!type.available) {
      await expect(types.locator('label').filter({ hasText: type.name })).toContainText(type.unavailable_reason as string);
    }
  }
  await expect(types.getByRole('radio', { name: /^ml\.t3\.medium / })).toBeChecked();
  await expect(types.getByRole('radio', { name: /^ml\.m5\.large 2 vCPU · 8 GiB · \$0\.115\/h/ })).toBeVisible();
  await expect(picker.getByRole('radiogroup', { name: 'Image' }).getByRole('radio', { name: /^local / })).toBeChecked();
  await types.getByRole('radio', { name: /^ml\.m5\.large / }).check();
  await snap(page, testInfo, '02-picker-ml-m5-large');
  await picker.getByRole('button', { name: 'Select', exact: true }).click();

  // Confirmation: the kernel restarts on the new instance and its state is lost.
  const confirm = page.getByRole('dialog', { name: /^Restart on ml\.m5\.large\?/ });
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText(`The kernel of ${name} restarts on an ml.m5.large instance.`);
  await expect(confirm).toContainText('Its state (variables, imported modules) is lost.');
  await snap(page, testInfo, '03-confirm-restart');
  await confirm.getByRole('button', { name: 'Restart Kernel', exact: true }).click();
  await expect(confirm).toBeHidden();

  // The toolbar follows the kernel to its new instance; the kernel runs code there.
  await expect(spec).toHaveAccessibleName(`Instance: ${M5}`, { timeout: 90_000 });
  await expect(spec).toHaveAttribute('data-source', 'kernel');
  await expectKernelStatus(page, name, /^Python 3 \(ipykernel\) \| Idle$/);
  const cells = await runFirstCell(page, name, 'print(6*7)');
  const firstCell = cells.locator('.jp-CodeCell').first();
  await expect(firstCell.locator('.jp-OutputArea-output')).toHaveText('42');
  await expect(firstCell.locator('.jp-InputPrompt')).toHaveText('[1]:');
  await snap(page, testInfo, '04-toolbar-ml-m5-large-output-42');

  // The saved file asks for ml.m5.large, and the server runs the notebook's kernel there.
  const metadata = await lab.savedNotebookMetadata(name);
  expect(metadata.instance_type).toBe('ml.m5.large');
  expect(metadata.atelier?.image).toBe('local');
  const kernels = (await lab.atelierKernels()).filter(k => k.path === name);
  expect(kernels.map(k => [k.instance_type, k.image])).toEqual([['ml.m5.large', 'local']]);

  // The Running panel lists the instance with the notebook, uptime ticking.
  const panel = await openRunningPanel(page);
  const instances = panel.getByRole('list', { name: 'Running instances' });
  const label = 'ml.m5.large · local';
  const item = instances.getByRole('listitem', { name: `Instance ${label}`, exact: true });
  await expect(item).toHaveCount(1);
  await expect(item).toHaveAttribute('data-instance-id', kernels[0].instance_id as string);
  await expect(item.getByRole('list', { name: `Notebooks on ${label}` }).getByRole('listitem')).toHaveText([name]);
  await expect(item.locator('.jp-AtelierRunning-kernelCount')).toHaveText('1');
  const uptime = item.locator('.jp-AtelierRunning-uptime');
  const before = await uptime.innerText();
  await expect(uptime).not.toHaveText(before, { timeout: 5_000 });
  await expect(item.locator('.jp-AtelierRunning-cost')).toHaveText(/^\$\d+\.\d{4}$/);
  await snap(page, testInfo, '05-running-instances');

  // Shut it down from the panel: the confirmation names the instance and lists the notebook.
  await item.getByRole('button', { name: `Shut down instance ${label}`, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Shut down instance ${label}?`, exact: true });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('list', { name: 'Kernels to shut down' }).getByRole('listitem')).toHaveText([name]);
  await snap(page, testInfo, '06-confirm-shut-down-instance');
  await dialog.getByRole('button', { name: 'Shut Down Instance', exact: true }).click();
  await expect(dialog).toBeHidden();

  await expect(item).toHaveCount(0);
  await expect
    .poll(async () => (await lab.atelierInstances()).map(i => i.instance_type), {
      message: 'instance types the server still runs'
    })
    .not.toContain('ml.m5.large');
  // Its kernel is left dead with the reason (Restart Kernel brings it back on a new instance).
  const left = (await lab.atelierKernels()).filter(k => k.id === kernels[0].id);
  expect(left.map(k => k.execution_state)).toEqual(['dead']);
  expect((left[0] as { reason?: string }).reason).toMatch(/instance/);
  await snap(page, testInfo, '07-instance-gone');
});
