import { expect, openJobsPanel, openLab, snap, test } from '../support/fixtures';

const TYPE = 'ml.t3.medium';
const SKLEARN = 'atelier/sklearn:latest';
/** What `atelier/toolkit/sklearn_builtin.py` offers as `algorithm` (its ALGORITHMS). */
const ALGORITHM_COUNT = 20;

test('the training form follows the built-in algorithm image, the processing form its own kind', async ({
  page,
  lab
}, testInfo) => {
  await openLab(page, lab, testInfo);
  const panel = await openJobsPanel(page);

  // Training: the built-in algorithm's image, its mode and the hyperparameters it reads.
  await panel.getByTestId('jobs-new').click();
  const form = page.getByTestId('job-form');
  await expect(form.getByTestId('job-form-image')).toHaveValue(SKLEARN);
  await expect(form.getByTestId('job-form-mode-algorithm')).toBeChecked();
  await expect(form.getByTestId('job-form-entry-point')).toHaveCount(0);
  await expect(form.getByTestId('job-form-mode-hint')).toContainText('built-in sklearn algorithm');
  await expect(form.getByTestId('job-form-hp-key-0')).toHaveValue('algorithm');
  await expect(form.getByTestId('job-form-hp-value-0')).toHaveValue('random_forest_classifier');
  const choices = form.getByTestId('job-form-hp-choice-0');
  await expect(choices).toHaveValue('random_forest_classifier');
  // Every algorithm the image knows, after the "Other" entry.
  await expect(choices.locator('option')).toHaveCount(ALGORITHM_COUNT + 1);
  await expect(choices.locator('option[value="gradient_boosting_regressor"]')).toHaveCount(1);
  await expect(form.getByTestId('job-form-hp-hint-0')).toContainText('scikit-learn estimator');
  await expect(form.getByTestId('job-form-hp-key-1')).toHaveValue('target');
  await expect(form.getByTestId('job-form-hp-value-1')).toHaveValue('');
  await expect(form.getByTestId('job-form-hp-hint-1')).toContainText('0-based index');
  // No data yet, so no columns to choose from.
  await expect(form.getByTestId('job-form-hp-choice-1')).toHaveCount(0);
  // The image's other hyperparameters are suggested as names.
  await expect(form.getByTestId('job-form-hp-keys').locator('option')).toHaveCount(5);
  await expect(form.getByTestId('job-form-metric-key-0')).toHaveValue('validation:accuracy');
  await snap(page, testInfo, '01-training-built-in-defaults');

  // A regressor, picked from the choices: its metrics follow.
  await choices.selectOption('gradient_boosting_regressor');
  await expect(form.getByTestId('job-form-hp-value-0')).toHaveValue('gradient_boosting_regressor');
  await expect(form.getByTestId('job-form-metric-key-0')).toHaveValue('validation:rmse');
  await form.getByTestId('job-form-hp-value-1').fill('price');
  // A value outside the choices is refused in the form, next to the hyperparameters.
  await form.getByTestId('job-form-hp-value-0').fill('forest');
  await expect(choices).toHaveValue('');
  await form.getByTestId('job-form-instance-type').selectOption(TYPE);
  await form.getByTestId('job-form-submit').click();
  const hpSection = form.getByTestId('job-form-hp');
  await expect(hpSection.getByTestId('job-form-field-error')).toHaveText('algorithm forest is not one of the choices');
  await choices.selectOption('ridge');
  await expect(hpSection.getByTestId('job-form-field-error')).toHaveCount(0);

  // A CSV uploaded from the channel row: its header's columns become the target's choices.
  await form.getByTestId('job-form-channel-add').click();
  const choosing = page.waitForEvent('filechooser');
  await form.getByTestId('job-form-channels').getByText('Upload file…').click();
  const fileName = `columns-${Date.now()}.csv`;
  await (await choosing).setFiles({
    name: fileName,
    mimeType: 'text/csv',
    buffer: Buffer.from('price,rooms,area\n100,2,40\n180,3,75\n')
  });
  await expect(form.getByTestId('job-form-channel-uri-0')).toHaveValue(new RegExp(`/data/${fileName.replace(/\./g, '\\.')}$`));
  const targetChoices = form.getByTestId('job-form-hp-choice-1');
  await expect
    .poll(async () => targetChoices.locator('option').evaluateAll(options => options.map(o => (o as HTMLOptionElement).value)))
    .toEqual(['', 'price', 'rooms', 'area']);
  await expect(targetChoices).toHaveValue('price');
  await targetChoices.selectOption('area');
  await expect(form.getByTestId('job-form-hp-value-1')).toHaveValue('area');
  await snap(page, testInfo, '02-training-regressor');

  // An image without a built-in algorithm: script mode. Its rows were edited, so they stay.
  await form.getByTestId('job-form-image').fill('atelier/datascience:latest');
  await expect(form.getByTestId('job-form-mode-script')).toBeChecked();
  await expect(form.getByTestId('job-form-entry-point')).toBeVisible();
  await expect(form.getByTestId('job-form-hp-key-0')).toHaveValue('algorithm');
  await expect(form.getByTestId('job-form-hp-choice-0')).toHaveCount(0);
  await expect(form.getByTestId('job-form-name')).toHaveValue(/^datascience-\d{4}(-\d+)+$/);

  // Processing: the data science image, a name after it, not the training image's.
  await panel.getByTestId('jobs-new-processing').click();
  const processing = page.getByTestId('processing-form');
  await expect(processing.getByTestId('processing-form-image')).toHaveValue('atelier/datascience:latest');
  await expect(processing.getByTestId('processing-form-image-select')).toHaveValue('atelier/datascience:latest');
  await expect(processing.getByTestId('processing-form-name')).toHaveValue(/^datascience-\d{4}(-\d+)+$/);
  await snap(page, testInfo, '03-processing-defaults');
});

test('Clone opens a new job form filled from a job, from its list row and from its detail view', async ({
  page,
  lab
}, testInfo) => {
  const stamp = Date.now();
  const dataUri = `s3://atelier/data/clone-${stamp}/train.csv`;
  const rows = ['label,x1,x2', ...Array.from({ length: 30 }, (_, i) => `${i % 2},${i},${30 - i}`)];
  await lab.putObject(dataUri, rows.join('\n') + '\n');
  const training = `clone-src-${stamp}`;
  await lab.createTrainingJob({
    TrainingJobName: training,
    AlgorithmSpecification: {
      TrainingImage: SKLEARN,
      TrainingInputMode: 'File',
      MetricDefinitions: [{ Name: 'validation:f1', Regex: 'validation:f1=([0-9\\.]+)' }]
    },
    HyperParameters: { algorithm: 'extra_trees_classifier', target: 'label', n_estimators: '5' },
    InputDataConfig: [
      {
        ChannelName: 'train',
        DataSource: { S3DataSource: { S3Uri: dataUri, S3DataType: 'S3Prefix', S3DataDistributionType: 'FullyReplicated' } }
      }
    ],
    OutputDataConfig: { S3OutputPath: 's3://atelier/jobs/' },
    ResourceConfig: { InstanceType: TYPE, InstanceCount: 1, VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
    Environment: { SEED: '7' }
  });
  const prep = `clone-prep-${stamp}`;
  await lab.createProcessingJob({
    ProcessingJobName: prep,
    AppSpecification: {
      ImageUri: 'atelier/base:latest',
      ContainerEntrypoint: ['sh', '-c', 'echo "two words" > /opt/ml/processing/output/out/o.txt'],
      ContainerArguments: ['--sep', ' ']
    },
    ProcessingInputs: [
      {
        InputName: 'raw',
        S3Input: { S3Uri: dataUri, LocalPath: '/opt/ml/processing/input/raw', S3DataType: 'S3Prefix', S3InputMode: 'File' }
      }
    ],
    ProcessingOutputConfig: {
      Outputs: [
        {
          OutputName: 'out',
          S3Output: {
            S3Uri: `s3://atelier/jobs/${prep}/output/out`,
            LocalPath: '/opt/ml/processing/output/out',
            S3UploadMode: 'EndOfJob'
          }
        }
      ]
    },
    ProcessingResources: { ClusterConfig: { InstanceType: TYPE, InstanceCount: 1, VolumeSizeInGB: 1 } },
    StoppingCondition: { MaxRuntimeInSeconds: 300 }
  });
  try {
    await openLab(page, lab, testInfo);
    const panel = await openJobsPanel(page);

    // From the list row: the training job's form, under a new name.
    const row = panel.locator(`[data-testid="job-row"][data-job-name="${training}"]`);
    await row.getByRole('button', { name: `Clone training job ${training}` }).click();
    const form = page.getByTestId('job-form');
    await expect(form.getByTestId('job-form-subtitle')).toHaveText(`Filled from training job ${training}`);
    await expect(form.getByTestId('job-form-name')).toHaveValue(/^sklearn-\d{4}(-\d+)+$/);
    await expect(form.getByTestId('job-form-image')).toHaveValue(SKLEARN);
    await expect(form.getByTestId('job-form-instance-type')).toHaveValue(TYPE);
    await expect(form.getByTestId('job-form-mode-algorithm')).toBeChecked();
    const hp = async (i: number) => [
      await form.getByTestId(`job-form-hp-key-${i}`).inputValue(),
      await form.getByTestId(`job-form-hp-value-${i}`).inputValue()
    ];
    expect([await hp(0), await hp(1), await hp(2)]).toEqual([
      ['algorithm', 'extra_trees_classifier'],
      ['target', 'label'],
      ['n_estimators', '5']
    ]);
    await expect(form.getByTestId('job-form-hp-choice-0')).toHaveValue('extra_trees_classifier');
    await expect(form.getByTestId('job-form-channel-name-0')).toHaveValue('train');
    await expect(form.getByTestId('job-form-channel-uri-0')).toHaveValue(dataUri);
    await expect(form.getByTestId('job-form-output')).toHaveValue('s3://atelier/jobs/');
    await expect(form.getByTestId('job-form-max-runtime')).toHaveValue('600');
    // The job's own metric definitions, not the image's.
    await expect(form.getByTestId('job-form-metric-key-0')).toHaveValue('validation:f1');
    await expect(form.getByTestId('job-form-metric-key-1')).toHaveCount(0);
    await expect(form.getByTestId('job-form-env-key-0')).toHaveValue('SEED');
    await expect(form.getByTestId('job-form-env-value-0')).toHaveValue('7');
    await snap(page, testInfo, '01-training-clone-from-row');

    // From the detail view: the processing job's form, its outputs under the new job.
    await panel.locator(`[data-testid="job-row"][data-job-name="${prep}"]`).click();
    const detail = page.getByTestId('job-detail');
    await expect(detail.getByTestId('job-detail-name')).toHaveText(prep);
    await detail.getByRole('button', { name: `Clone job ${prep}` }).click();
    const processing = page.getByTestId('processing-form');
    await expect(processing.getByTestId('processing-form-subtitle')).toHaveText(`Filled from processing job ${prep}`);
    await expect(processing.getByTestId('processing-form-image')).toHaveValue('atelier/base:latest');
    await expect(processing.getByTestId('processing-form-name')).toHaveValue(/^base-\d{4}(-\d+)+$/);
    await expect(processing.getByTestId('processing-form-instance-type')).toHaveValue(TYPE);
    await expect(processing.getByTestId('processing-form-command')).toHaveValue(
      `sh -c 'echo "two words" > /opt/ml/processing/output/out/o.txt'`
    );
    await expect(processing.getByTestId('processing-form-arguments')).toHaveValue('--sep " "');
    await expect(processing.getByTestId('processing-form-input-name-0')).toHaveValue('raw');
    await expect(processing.getByTestId('processing-form-input-uri-0')).toHaveValue(dataUri);
    await expect(processing.getByTestId('processing-form-output-name-0')).toHaveValue('out');
    // Empty: the new job's own folder, shown as the placeholder.
    await expect(processing.getByTestId('processing-form-output-uri-0')).toHaveValue('');
    const name = await processing.getByTestId('processing-form-name').inputValue();
    await expect(processing.getByTestId('processing-form-output-uri-0')).toHaveAttribute(
      'placeholder',
      `s3://atelier/jobs/${name}/output/out`
    );
    await expect(processing.getByTestId('processing-form-max-runtime')).toHaveValue('300');
    await snap(page, testInfo, '02-processing-clone-from-detail');
  } finally {
    await lab.stopTrainingJobIfRunning(training);
    await lab.stopProcessingJobIfRunning(prep);
  }
});
