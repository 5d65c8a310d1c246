import {
  expect,
  expectKernelStatus,
  launcherPanel,
  notebookToolbar,
  openLab,
  snap,
  test
} from '../support/fixtures';

test('the Launcher and File > New start a notebook on a chosen instance, a training job and a processing job', async ({
  page,
  lab
}, testInfo) => {
  await openLab(page, lab, testInfo);
  const launcher = launcherPanel(page);
  const section = launcher
    .locator('.jp-Launcher-section')
    .filter({ has: page.getByRole('heading', { name: 'Atelier', exact: true }) });
  await expect(section.getByRole('button', { name: /^Notebook on an Instance/ })).toBeVisible();
  await expect(section.getByRole('button', { name: /^Training Job/ })).toBeVisible();
  await expect(section.getByRole('button', { name: /^Processing Job/ })).toBeVisible();
  await snap(page, testInfo, '01-launcher-atelier-section');

  // A notebook on ml.m5.large: picked before it exists, so its first kernel starts there.
  await section.getByRole('button', { name: /^Notebook on an Instance/ }).click();
  const picker = page.getByRole('dialog', { name: 'New Notebook on an Instance' });
  await picker.getByRole('radiogroup', { name: 'Instance type' }).getByRole('radio', { name: /^ml\.m5\.large / }).check();
  await snap(page, testInfo, '02-new-notebook-picker');
  await picker.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(picker).toBeHidden();
  const tab = page.getByRole('main').getByRole('tab', { selected: true, name: /\.ipynb$/ });
  await expect(tab).toHaveCount(1);
  const name = (await tab.innerText()).trim();
  await expectKernelStatus(page, name, /^Python 3 \(ipykernel\) \| Idle$/);
  const spec = notebookToolbar(page, name).getByRole('button', { name: /^Instance: / });
  await expect(spec).toHaveAccessibleName('Instance: ml.m5.large · 2 vCPU · 8 GiB · local', { timeout: 90_000 });
  await expect(spec).toHaveAttribute('data-source', 'kernel');
  const kernels = (await lab.atelierKernels()).filter(k => k.path === name);
  expect(kernels.map(k => [k.instance_type, k.image])).toEqual([['ml.m5.large', 'local']]);
  const metadata = await lab.savedNotebookMetadata(name);
  expect(metadata.instance_type).toBe('ml.m5.large');

  // File > New has the same three, and they open the job forms.
  await page.getByRole('menubar').getByRole('menuitem', { name: 'File' }).click();
  // The New submenu's own item is a list item labelled "New" in JupyterLab 4.6.
  await page.getByRole('menu').first().getByText('New', { exact: true }).click();
  const newMenu = page.getByRole('menu').last();
  await expect(newMenu.getByRole('menuitem', { name: /^Notebook on an Instance…/ })).toBeVisible();
  await expect(newMenu.getByRole('menuitem', { name: /^Processing Job…/ })).toBeVisible();
  await snap(page, testInfo, '03-file-new-menu');
  await newMenu.getByRole('menuitem', { name: /^Training Job…/ }).click();
  await expect(page.getByTestId('job-form')).toBeVisible();
  await snap(page, testInfo, '04-training-form-from-menu');
});
