import { Locator, Page } from '@playwright/test';

import { expect, newNotebook, openLab, snap, test } from '../support/fixtures';

const TYPE = 'ml.t3.medium';

/** A JupyterLab notification (toast) with this text. */
function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.Toastify__toast').filter({ hasText: text });
}

function trainingJob(name: string, script: string): Record<string, unknown> {
  return {
    TrainingJobName: name,
    AlgorithmSpecification: {
      TrainingImage: 'atelier/base:latest',
      TrainingInputMode: 'File',
      ContainerEntrypoint: ['sh', '-c', script]
    },
    OutputDataConfig: { S3OutputPath: 's3://atelier/jobs/' },
    ResourceConfig: { InstanceType: TYPE, InstanceCount: 1, VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 }
  };
}

test('notifies when a job it saw running completes, fails or is stopped', async ({ page, lab }, testInfo) => {
  const stamp = Date.now();
  const before = `before-${stamp}`;
  const done = `done-${stamp}`;
  const failing = `failing-${stamp}`;
  const sleeper = `sleeper-${stamp}`;
  try {
    // Ended before the page loaded: the page never saw it run, so it says nothing about it.
    await lab.createTrainingJob(trainingJob(before, 'echo early'));
    await expect.poll(() => lab.trainingJobStatus(before), { timeout: 90_000 }).toBe('Completed');

    await openLab(page, lab, testInfo);
    // The user works in a notebook; the Jobs panel is not open.
    const notebook = await newNotebook(page);
    await expect(page.locator('#atelier-jobs')).toBeHidden();

    await lab.createTrainingJob(trainingJob(done, 'echo working; sleep 3'));
    await lab.createTrainingJob(trainingJob(failing, 'echo working; sleep 3; echo "no rows" >&2; exit 3'));
    await lab.createTrainingJob(trainingJob(sleeper, 'echo working; sleep 300'));

    const completed = toast(page, `Training job ${done} completed.`);
    await expect(completed).toBeVisible({ timeout: 90_000 });
    const failed = toast(page, `Training job ${failing} failed:`);
    await expect(failed).toBeVisible({ timeout: 90_000 });
    await snap(page, testInfo, '01-completed-and-failed');

    await expect.poll(() => lab.trainingJobStatus(sleeper), { timeout: 60_000 }).toBe('InProgress');
    await lab.stopTrainingJobIfRunning(sleeper);
    const stopped = toast(page, `Training job ${sleeper} was stopped.`);
    await expect(stopped).toBeVisible({ timeout: 90_000 });
    // For the screenshot: the toast has slid in fully.
    const width = page.viewportSize()!.width;
    await expect
      .poll(async () => {
        const box = await stopped.boundingBox();
        return box ? box.x + box.width <= width : false;
      })
      .toBe(true);
    await snap(page, testInfo, '02-stopped');

    // Each is announced once; the job that ended before the page loaded is not.
    await expect(completed).toHaveCount(1);
    await expect(failed).toHaveCount(1);
    await expect(toast(page, before)).toHaveCount(0);

    // The notification's action opens the job's tab, from the notebook.
    await expect(page.getByRole('main').getByRole('tab', { name: notebook })).toBeVisible();
    await failed.getByRole('button', { name: 'Open job' }).click();
    const detail = page.getByTestId('job-detail');
    await expect(detail.getByTestId('job-detail-name')).toHaveText(failing);
    await expect(detail).toHaveAttribute('data-status', 'Failed');
    await snap(page, testInfo, '03-opened-from-notification');
  } finally {
    for (const name of [before, done, failing, sleeper]) {
      await lab.stopTrainingJobIfRunning(name);
    }
  }
});
