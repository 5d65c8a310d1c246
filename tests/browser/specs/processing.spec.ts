import * as fs from 'node:fs';

import { expect, openJobsPanel, openLab, snap, test } from '../support/fixtures';
import { unzip } from '../support/zip';

const TYPE = 'ml.t3.medium';

/** Counts the rows of every CSV under its input and writes a summary; prints its arguments. */
const SCRIPT = `import argparse, glob, os
parser = argparse.ArgumentParser()
parser.add_argument("--label")
args = parser.parse_args()
rows = 0
for path in glob.glob("/opt/ml/processing/input/raw/*.csv"):
    with open(path) as f:
        rows += sum(1 for line in f) - 1
os.makedirs("/opt/ml/processing/output/summary", exist_ok=True)
with open("/opt/ml/processing/output/summary/summary.txt", "w") as f:
    f.write(f"rows={rows} label={args.label}\\n")
print(f"processed {rows} rows, label column {args.label}", flush=True)
`;

test('runs a script from the notebook folder as a processing job, from the form to its outputs', async ({
  page,
  lab
}, testInfo) => {
  const stamp = Date.now();
  const script = `prep-${stamp}.py`;
  await lab.saveFile(script, SCRIPT);
  const rawUri = `s3://atelier/data/prep-${stamp}/`;
  const csv = ['label,x', ...Array.from({ length: 40 }, (_, i) => `${i % 2},${i}`)].join('\n') + '\n';
  await lab.putObject(`${rawUri}raw.csv`, csv);

  await openLab(page, lab, testInfo);
  const panel = await openJobsPanel(page);
  await panel.getByTestId('jobs-new-processing').click();
  const form = page.getByTestId('processing-form');
  await expect(form).toBeVisible();
  await form.getByTestId('processing-form-image').fill('atelier/sklearn:latest');
  await form.getByTestId('processing-form-instance-type').selectOption(TYPE);
  const name = await form.getByTestId('processing-form-name').inputValue();
  expect(name).toMatch(/^sklearn-\d{4}(-\d+)+$/);

  // Neither a script nor a command: the form says so next to the command, and sends nothing.
  await form.getByTestId('processing-form-submit').click();
  const command = form.locator('.jp-AtelierJobs-field', { has: page.getByTestId('processing-form-command') });
  await expect(command.getByRole('alert')).toContainText('Give a script, or the command to run');

  await form.getByTestId('processing-form-script').fill(script);
  await expect(command.getByRole('alert')).toHaveCount(0);
  await form.getByTestId('processing-form-arguments').fill('--label label');
  await form.getByTestId('processing-form-input-add').click();
  await form.getByTestId('processing-form-input-name-0').fill('raw');
  await form.getByTestId('processing-form-input-uri-0').fill(rawUri);
  await expect(form.getByTestId('processing-form-input-path-0')).toHaveAttribute(
    'placeholder',
    '/opt/ml/processing/input/raw'
  );
  await form.getByTestId('processing-form-output-add').click();
  await form.getByTestId('processing-form-output-name-0').fill('summary');
  const outputUri = `s3://atelier/jobs/${name}/output/summary`;
  await expect(form.getByTestId('processing-form-output-uri-0')).toHaveAttribute('placeholder', outputUri);
  await snap(page, testInfo, '01-new-processing-job');
  await form.getByTestId('processing-form-submit').click();

  // The detail view opens on the new job and follows it to the end.
  const detail = page.getByTestId('job-detail');
  await expect(detail.getByTestId('job-detail-name')).toHaveText(name);
  await expect(detail.getByTestId('job-log')).toContainText('processed 40 rows, label column label', {
    timeout: 120_000
  });
  await expect(detail).toHaveAttribute('data-status', 'Completed', { timeout: 60_000 });
  await snap(page, testInfo, '02-processing-job-completed');

  const described = await lab.processingJob(name);
  expect(described.ProcessingJobStatus).toBe('Completed');
  expect(described.AppSpecification.ContainerEntrypoint).toEqual([
    'python3',
    `/opt/ml/processing/input/code/${script}`
  ]);
  expect(described.AppSpecification.ContainerArguments).toEqual(['--label', 'label']);
  expect(described.ProcessingInputs.map((i: any) => [i.InputName, i.S3Input.S3Uri])).toEqual([
    ['raw', rawUri],
    ['code', `s3://atelier/jobs/${name}/code/${script}`]
  ]);
  expect(await lab.objectText(`s3://atelier/jobs/${name}/code/${script}`)).toBe(SCRIPT);
  expect(await lab.objectText(`${outputUri}/summary.txt`)).toBe('rows=40 label=label\n');
  await expect(detail.getByTestId('job-outputs')).toContainText(outputUri);

  // The output is a folder: no download link that would answer 404, but its listing and a zip,
  // downloaded through a short-lived ticket (no token in the URL the browser keeps).
  const outputs = detail.getByTestId('job-outputs');
  await expect(outputs.getByRole('link', { name: outputUri, exact: true })).toHaveCount(0);
  const downloading = page.waitForEvent('download');
  await outputs.getByRole('button', { name: `Download ${outputUri} as a zip`, exact: true }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('summary.zip');
  expect(new URL(download.url()).pathname).toBe('/atelier/api/objects/download');
  expect(download.url()).not.toContain(lab.token);
  const entries = unzip(fs.readFileSync(await download.path()));
  expect([...entries.keys()]).toEqual(['summary.txt']);
  expect(entries.get('summary.txt')?.toString('utf8')).toBe('rows=40 label=label\n');
  await outputs.getByRole('button', { name: `List objects under ${outputUri}`, exact: true }).click();
  const listing = page.getByRole('dialog', { name: `Objects under ${outputUri}` });
  await expect(listing.getByRole('link', { name: `jobs/${name}/output/summary/summary.txt`, exact: true })).toBeVisible();
  await snap(page, testInfo, '03-output-folder-listed');
  await listing.getByRole('button', { name: 'Close' }).click();

  // The same name again, with the script changed on disk: refused before the script is sent, so
  // the job's code stays what it ran.
  await lab.saveFile(script, '# changed\n');
  await panel.getByTestId('jobs-new-processing').click();
  const again = page.getByTestId('processing-form');
  await expect(again).toBeVisible();
  await again.getByTestId('processing-form-image').fill('atelier/sklearn:latest');
  await again.getByTestId('processing-form-instance-type').selectOption(TYPE);
  await again.getByTestId('processing-form-name').fill(name);
  await again.getByTestId('processing-form-script').fill(script);
  await again.getByTestId('processing-form-submit').click();
  const nameField = again.locator('.jp-AtelierJobs-field', { has: page.getByTestId('processing-form-name') });
  await expect(nameField.getByRole('alert')).toContainText(`a processing job named '${name}' already exists`);
  await expect(again.getByTestId('processing-form-submit')).toBeEnabled();
  expect(await lab.objectText(`s3://atelier/jobs/${name}/code/${script}`)).toBe(SCRIPT);
});
