import { expect, launcherPanel, newNotebook, openLab, snap, test } from '../support/fixtures';

test("the status bar shows the current notebook's instance, image and cost, and opens the picker", async ({
  page,
  lab
}, testInfo) => {
  await openLab(page, lab, testInfo);
  const statusBar = page.getByRole('contentinfo');
  const item = statusBar.getByRole('button', { name: /^Instance: / });
  // Only a notebook has an instance: nothing is shown while the launcher is current.
  await expect(launcherPanel(page)).toBeVisible();
  await expect(item).toHaveCount(0);

  const name = await newNotebook(page);
  // Its kernel runs on an instance: the type, the image and the instance's cost so far.
  await expect(item).toHaveAccessibleName(/^Instance: ml\.t3\.medium · local · \$\d+\.\d+$/, { timeout: 60_000 });
  await expect(item).toHaveAttribute('title', /2 vCPU, 4 GiB/);
  await expect(item).toHaveAttribute('title', /has cost \$\d+\.\d+ so far/);
  await snap(page, testInfo, '01-status-bar');

  // A click opens the same picker as the notebook's toolbar item.
  await item.click();
  const picker = page.getByRole('dialog', { name: `Instance for ${name}` });
  await expect(picker.getByRole('radiogroup', { name: 'Image' })).toBeVisible();
  await snap(page, testInfo, '02-picker-from-status-bar');
  await picker.getByRole('button', { name: 'Cancel' }).click();
  await expect(picker).toBeHidden();

  // The command palette has it (under Atelier; the modal palette shows no headers while searching).
  await page.keyboard.press('Control+Shift+C');
  const palette = page.locator('#command-palette');
  await expect(palette).toBeVisible();
  await page.keyboard.type('Change Instance Type');
  await expect(palette.locator('.lm-CommandPalette-item', { hasText: 'Change Instance Type or Image…' })).toBeVisible();
  await page.keyboard.press('Escape');

  // Back on the launcher, the item goes away again.
  await page.getByRole('main').getByRole('button', { name: 'New Launcher' }).click();
  await expect(launcherPanel(page)).toBeVisible();
  await expect(item).toHaveCount(0);
});
