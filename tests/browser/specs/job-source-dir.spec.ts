import { expect, openJobsPanel, openLab, snap, test } from '../support/fixtures';

const TYPE = 'ml.t3.medium';
const IMAGE = 'atelier/datascience:latest';

test('script mode with an empty source folder sends the entry point alone from the notebook root', async ({
  page,
  lab
}, testInfo) => {
  const stamp = Date.now();
  const script = `alone-${stamp}.py`;
  await lab.saveFile(script, "print('ran alone from the root')\n");
  let name = '';
  try {
    await openLab(page, lab, testInfo);
    const panel = await openJobsPanel(page);
    await panel.getByTestId('jobs-new').click();
    const form = page.getByTestId('job-form');
    await form.getByTestId('job-form-image').fill(IMAGE);
    await form.getByTestId('job-form-instance-type').selectOption(TYPE);
    await form.getByTestId('job-form-mode-script').check();
    await form.getByTestId('job-form-source-dir').fill('');
    name = await form.getByTestId('job-form-name').inputValue();

    // A script that is not in the notebook root: the server's refusal, under the entry point.
    await form.getByTestId('job-form-entry-point').fill(`missing-${stamp}.py`);
    await form.getByTestId('job-form-submit').click();
    const entryPointField = form.locator('.jp-AtelierJobs-field').filter({ has: page.getByTestId('job-form-entry-point') });
    await expect(entryPointField.getByTestId('job-form-field-error')).toContainText(
      `'missing-${stamp}.py' is not a file in the notebook root`
    );
    await expect(entryPointField.getByTestId('job-form-field-error')).toContainText('ScriptMode.SourceDir');
    await snap(page, testInfo, '01-entry-point-not-in-root');
    const response = await page.request.get(`${lab.base}/atelier/api/training-jobs/${name}`, {
      headers: { Authorization: `token ${lab.token}` }
    });
    expect(response.status(), 'no job was created').toBe(404);

    // The script that is there: the job runs it, and it alone was sent.
    await form.getByTestId('job-form-entry-point').fill(script);
    await form.getByTestId('job-form-submit').click();
    const detail = page.getByTestId('job-detail');
    await expect(detail.getByTestId('job-detail-name')).toHaveText(name);
    await expect(detail.getByTestId('job-log')).toContainText('ran alone from the root', { timeout: 120_000 });
    await expect(detail).toHaveAttribute('data-status', 'Completed', { timeout: 120_000 });
    const described = await lab.trainingJob(name);
    expect(described.ScriptMode).toEqual({ EntryPoint: script });
    expect(described.HyperParameters.sagemaker_program).toBe(script);
    await snap(page, testInfo, '02-completed');
  } finally {
    if (name) {
      await lab.stopTrainingJobIfRunning(name);
    }
  }
});
