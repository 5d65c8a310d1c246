import { expectReadable, switchTheme } from '../support/contrast';
import { expect, newNotebook, openJobsPanel, openLab, openRunningPanel, snap, test } from '../support/fixtures';

const TYPE = 'ml.t3.medium';

test('follows light and dark themes live, with readable text in both', async ({ page, lab }, testInfo) => {
  const name = `failing-${Date.now()}`;
  await lab.createTrainingJob({
    TrainingJobName: name,
    AlgorithmSpecification: {
      TrainingImage: 'atelier/base:latest',
      TrainingInputMode: 'File',
      ContainerEntrypoint: ['sh', '-c', 'echo loss=0.5; echo loss=0.25; echo "bad input: no rows" >&2; exit 3'],
      MetricDefinitions: [{ Name: 'train:loss', Regex: 'loss=([0-9.]+)' }]
    },
    OutputDataConfig: { S3OutputPath: 's3://atelier/jobs/' },
    ResourceConfig: { InstanceType: TYPE, InstanceCount: 1, VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 }
  });
  try {
    await openLab(page, lab, testInfo);
    await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'true');
    const notebook = await newNotebook(page);
    const running = await openRunningPanel(page);
    const kernel = running.getByRole('listitem', { name: `Kernel ${notebook}` });
    await expect(kernel).toHaveAttribute('data-state', 'idle');
    const jobs = await openJobsPanel(page);
    const row = jobs.locator(`[data-testid="job-row"][data-job-name="${name}"]`);
    await expect(row).toHaveAttribute('data-status', 'Failed', { timeout: 90_000 });
    await row.click();
    const detail = page.getByTestId('job-detail');
    await expect(detail).toHaveAttribute('data-status', 'Failed');
    const failure = detail.getByTestId('job-failure-reason');
    await expect(failure).toBeVisible();
    const chart = detail.locator('[data-testid="job-metric-chart"][data-metric="train:loss"]');
    await expect(chart.getByTestId('job-metric-latest')).toHaveText('0.2500', { timeout: 90_000 });
    const plot = chart.locator('.uplot');

    /** What the chart was last drawn with, and the theme's colours at the chart. */
    const chartColours = async (): Promise<{ drawnAxis: string; themeAxis: string; drawnLine: string; themeLine: string }> =>
      plot.evaluate((node: HTMLElement) => {
        const style = getComputedStyle(node);
        return {
          drawnAxis: node.dataset.axisStroke ?? '',
          themeAxis: style.getPropertyValue('--jp-ui-font-color1').trim(),
          drawnLine: node.dataset.lineStroke ?? '',
          themeLine: style.getPropertyValue('--jp-brand-color1').trim()
        };
      });

    const checkJobs = async (theme: string): Promise<void> => {
      await openJobsPanel(page);
      await expectReadable(`${theme}: failure reason`, failure);
      await expectReadable(`${theme}: job status badge in the detail`, detail.getByTestId('job-status-badge'));
      await expectReadable(`${theme}: job status badge in the list`, row.getByTestId('job-status-badge'));
      await expectReadable(`${theme}: job name in the list`, row.getByText(name, { exact: true }).first());
      await expectReadable(`${theme}: Jobs heading`, jobs.getByRole('heading', { name: /^Jobs/ }));
      await expectReadable(`${theme}: chart's latest value`, chart.getByTestId('job-metric-latest'));
      const colours = await chartColours();
      expect(colours.drawnAxis, `${theme}: chart axis drawn in the theme's text colour`).toBe(colours.themeAxis);
      expect(colours.drawnLine, `${theme}: chart line drawn in the theme's brand colour`).toBe(colours.themeLine);
    };
    const checkRunning = async (theme: string): Promise<void> => {
      await openRunningPanel(page);
      await expectReadable(`${theme}: kernel state badge`, kernel.locator('.jp-AtelierRunning-badge'));
      await expectReadable(`${theme}: Running panel heading`, running.getByRole('heading', { name: /^Kernel sessions/ }));
    };

    await checkJobs('light');
    const light = await chartColours();
    await snap(page, testInfo, '01-light-jobs');
    await checkRunning('light');
    await snap(page, testInfo, '02-light-running');
    await openJobsPanel(page);
    await switchTheme(page, 'JupyterLab Dark', false);
    // The same tab, not reopened: the chart is drawn again in the dark theme's colours.
    await expect
      .poll(async () => (await chartColours()).drawnAxis, { message: 'the chart follows the theme' })
      .not.toBe(light.drawnAxis);
    await checkJobs('dark');
    await snap(page, testInfo, '03-dark-jobs');
    await checkRunning('dark');
    await snap(page, testInfo, '04-dark-running');
    await openJobsPanel(page);
    await switchTheme(page, 'JupyterLab Light', true);
    await expect
      .poll(async () => (await chartColours()).drawnAxis, { message: 'the chart follows the theme back' })
      .toBe(light.drawnAxis);
    await checkJobs('light again');
  } finally {
    await lab.stopTrainingJobIfRunning(name);
  }
});
