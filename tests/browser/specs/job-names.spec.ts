import { expect, openJobsPanel, openLab, snap, test } from '../support/fixtures';

const TYPE = 'ml.t3.medium';

/** A name as the forms and the sagemaker SDK generate them: `sklearn-YYYY-MM-DD-HH-MM-SS-mmm`. */
function generatedName(base: string, at: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp = [
    at.getUTCFullYear(),
    pad(at.getUTCMonth() + 1),
    pad(at.getUTCDate()),
    pad(at.getUTCHours()),
    pad(at.getUTCMinutes()),
    pad(at.getUTCSeconds()),
    pad(at.getUTCMilliseconds(), 3)
  ].join('-');
  return `${base}-${stamp}`;
}

/** Where two names stop sharing their start. */
function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) {
    i++;
  }
  return i;
}

test('generated job names show where they differ, in the list and in the tab', async ({ page, lab }, testInfo) => {
  const at = new Date();
  const first = generatedName('sklearn', at);
  const second = generatedName('sklearn', new Date(at.getTime() + 1234));
  for (const name of [first, second]) {
    await lab.createTrainingJob({
      TrainingJobName: name,
      AlgorithmSpecification: {
        TrainingImage: 'atelier/base:latest',
        TrainingInputMode: 'File',
        ContainerEntrypoint: ['sh', '-c', 'echo named']
      },
      OutputDataConfig: { S3OutputPath: 's3://atelier/jobs/' },
      ResourceConfig: { InstanceType: TYPE, InstanceCount: 1, VolumeSizeInGB: 1 },
      StoppingCondition: { MaxRuntimeInSeconds: 300 }
    });
  }
  try {
    await openLab(page, lab, testInfo);
    const panel = await openJobsPanel(page);
    const differ = firstDifference(first, second);

    for (const name of [first, second]) {
      const row = panel.locator(`[data-testid="job-row"][data-job-name="${name}"]`);
      await expect(row).toBeVisible();
      const shown = row.getByTestId('job-row-name');
      await expect(shown).toHaveAttribute('title', name);
      await expect(shown).toHaveText(name);
      // The end, from where the names differ, is whole and inside the row.
      const tail = row.getByTestId('job-row-name-tail');
      const tailText = (await tail.textContent()) ?? '';
      expect(name.endsWith(tailText), `${tailText} ends ${name}`).toBe(true);
      expect(name.length - tailText.length, 'the tail starts at or before the first difference').toBeLessThanOrEqual(
        differ
      );
      expect(await tail.evaluate(n => n.scrollWidth <= n.clientWidth), 'the tail is not clipped').toBe(true);
      const tailBox = (await tail.boundingBox())!;
      const rowBox = (await row.boundingBox())!;
      expect(tailBox.x + tailBox.width, 'the tail inside the row').toBeLessThanOrEqual(rowBox.x + rowBox.width);
      expect(tailBox.width).toBeGreaterThan(0);
    }
    await snap(page, testInfo, '01-names-in-list');

    // No interactive content inside another: the row's buttons are siblings.
    expect(await panel.locator('button button, [role="button"] button, [role="button"][tabindex]').count()).toBe(0);

    // Keyboard: the row's open button, then Tab to its Clone, Shift+Tab back, Enter opens.
    const row = panel.locator(`[data-testid="job-row"][data-job-name="${second}"]`);
    const open = row.getByRole('button', { name: `Open training job ${second}` });
    const clone = row.getByRole('button', { name: `Clone training job ${second}` });
    await open.focus();
    await page.keyboard.press('Tab');
    await expect(clone).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(open).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('job-detail')).toBeVisible();

    // The tab: the base and the time of day, the whole name as its caption.
    const label = `sklearn…${second.split('-').slice(4).join('-')}`;
    const tab = page.getByRole('main').getByRole('tab', { name: label });
    await expect(tab).toBeVisible();
    await expect(tab).toHaveAttribute('title', `Training job ${second}`);
    const tabLabel = tab.locator('.lm-TabBar-tabLabel');
    await expect(tabLabel).toHaveText(label);
    expect(await tabLabel.evaluate(n => n.scrollWidth <= n.clientWidth), 'the tab label is not clipped').toBe(true);
    await snap(page, testInfo, '02-name-in-tab');

    // Space on Clone opens the form filled from that job, and does not open the job.
    await clone.focus();
    await page.keyboard.press('Space');
    await expect(page.getByTestId('job-form-subtitle')).toHaveText(`Filled from training job ${second}`);
  } finally {
    for (const name of [first, second]) {
      await lab.stopTrainingJobIfRunning(name);
    }
  }
});
