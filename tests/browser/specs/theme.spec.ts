import { Locator, Page } from '@playwright/test';

import { expect, newNotebook, openJobsPanel, openLab, openRunningPanel, snap, test } from '../support/fixtures';

const TYPE = 'ml.t3.medium';

/**
 * WCAG 2 contrast ratio of an element's text against what is behind it, from
 * getComputedStyle: the text colour composited over the element's and its
 * ancestors' backgrounds (colours of any syntax, color-mix() included, are
 * resolved by drawing them on a canvas).
 */
async function contrast(locator: Locator): Promise<{ ratio: number; text: string; background: string }> {
  return locator.evaluate((element: Element) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const rgba = (css: string): number[] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return [r, g, b, a / 255];
    };
    const over = (top: number[], bottom: number[]): number[] => [
      top[0] * top[3] + bottom[0] * (1 - top[3]),
      top[1] * top[3] + bottom[1] * (1 - top[3]),
      top[2] * top[3] + bottom[2] * (1 - top[3]),
      1
    ];
    const layers: number[][] = [];
    for (let node: Element | null = element; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) {
        layers.push(colour);
        if (colour[3] === 1) {
          break;
        }
      }
    }
    let background = [255, 255, 255, 1];
    for (const layer of layers.reverse()) {
      background = over(layer, background);
    }
    const text = over(rgba(getComputedStyle(element).color), background);
    const luminance = (c: number[]): number => {
      const [r, g, b] = c.slice(0, 3).map(v => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [hi, lo] = [luminance(text), luminance(background)].sort((a, b) => b - a);
    const show = (c: number[]): string => `rgb(${c.slice(0, 3).map(Math.round).join(',')})`;
    return { ratio: (hi + 0.05) / (lo + 0.05), text: show(text), background: show(background) };
  });
}

async function expectReadable(what: string, locator: Locator): Promise<void> {
  await expect(locator).toBeVisible();
  const result = await contrast(locator);
  expect(result.ratio, `${what}: ${result.text} on ${result.background}`).toBeGreaterThanOrEqual(4.5);
}

/** Settings > Theme > <name>, then wait until JupyterLab says it is applied. */
async function switchTheme(page: Page, name: string, light: boolean): Promise<void> {
  await page.getByRole('menubar').getByText('Settings', { exact: true }).click();
  // A submenu opener has no menuitem role in Lumino's menus.
  await page.getByRole('menu').getByText('Theme', { exact: true }).click();
  await page
    .getByRole('menuitemcheckbox', { name, exact: true })
    .or(page.getByRole('menuitem', { name, exact: true }))
    .click();
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-name', name);
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', String(light));
}

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
    await expect(chart.getByTestId('job-metric-latest')).toHaveText('0.25', { timeout: 90_000 });
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
