import { expectReadable, switchTheme } from '../support/contrast';
import { expect, openJobsPanel, openLab, snap, test } from '../support/fixtures';

const TYPE = 'ml.t3.medium';

/**
 * A training script on the explicit hook API: a loss in TRAIN and EVAL and a
 * gradient each step, one a second; healthy for 15 steps, then the gradient
 * vanishes (mean |g| 1e-10, below VanishingGradient's 1e-7).
 */
const TRAIN = `
import time
import numpy as np
from atelier.debugger import get_hook

hook = get_hook()
assert hook is not None, "no debughookconfig.json"
for i in range(30):
    hook.set_mode("TRAIN")
    scale = 1.0 / (i + 1) if i < 15 else 1e-10
    hook.save_scalar("losses/loss", 1.0 / (i + 1), collections=["losses"])
    hook.save_tensor("gradients/dense/kernel", np.linspace(-scale, scale, 64) + scale, collections=["gradients"])
    hook.next_step()
    if i % 3 == 2:
        hook.set_mode("EVAL")
        hook.save_scalar("losses/loss", 1.2 / (i + 1), collections=["losses"])
        hook.next_step()
    print(f"step {i}", flush=True)
    time.sleep(1)
hook.close()
`;

function debuggerJob(name: string): Record<string, unknown> {
  return {
    TrainingJobName: name,
    AlgorithmSpecification: { TrainingImage: 'atelier/datascience:latest', TrainingInputMode: 'File' },
    ScriptMode: { EntryPoint: 'train.py', Files: { 'train.py': TRAIN } },
    OutputDataConfig: { S3OutputPath: 's3://atelier/jobs/' },
    ResourceConfig: { InstanceType: TYPE, InstanceCount: 1, VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
    DebugHookConfig: {
      S3OutputPath: `s3://atelier/jobs/${name}/tensors`,
      CollectionConfigurations: [
        {
          CollectionName: 'gradients',
          CollectionParameters: { reductions: 'norm,mean,min,max,abs_mean', save_interval: '1' }
        }
      ]
    },
    DebugRuleConfigurations: [
      {
        RuleConfigurationName: 'VanishingGradient',
        RuleEvaluatorImage: '503895931360.dkr.ecr.us-east-1.amazonaws.com/sagemaker-debugger-rules:latest',
        InstanceType: TYPE,
        RuleParameters: { rule_to_invoke: 'VanishingGradient', threshold: '0.0000001' }
      }
    ],
    ProfilerConfig: { S3OutputPath: 's3://atelier/jobs/', ProfilingIntervalInMilliseconds: 500 }
  };
}

/** Pixels of the chart's canvas that are not transparent (something was drawn). */
const drawnPixels = (canvas: HTMLCanvasElement): number => {
  const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) {
    n += data[i] > 0 ? 1 : 0;
  }
  return n;
};

test('the Debugger view follows a rule live and charts a gradient norm', async ({ page, lab }, testInfo) => {
  const name = `debugger-${Date.now()}`;
  await lab.createTrainingJob(debuggerJob(name));
  try {
    await openLab(page, lab, testInfo);
    const jobs = await openJobsPanel(page);
    await jobs.locator(`[data-testid="job-row"][data-job-name="${name}"]`).click();
    const detail = page.getByTestId('job-detail');
    const view = detail.getByTestId('job-debugger');
    await expect(view).toBeVisible();
    const rule = view.locator('[data-testid="debugger-rule"][data-rule="VanishingGradient"]');
    const badge = rule.getByTestId('debugger-rule-badge');
    // The healthy steps come first: the rule is evaluating.
    await expect(badge).toHaveAttribute('data-status', 'InProgress');
    await expect(badge).toHaveText('In progress');
    // Marked, so that a reopened view would show: the same view changes below.
    await view.evaluate((node: HTMLElement) => (node.dataset.marked = 'yes'));

    // Scalars of both modes and the gradient's reductions arrive while it runs.
    const scalars = view.getByTestId('debugger-scalars-chart');
    await expect(scalars).toHaveAttribute('data-series', 'losses/loss (EVAL),losses/loss (TRAIN)', {
      timeout: 90_000
    });
    await snap(page, testInfo, '01-debugger-in-progress');

    await expect(badge).toHaveAttribute('data-status', 'IssuesFound', { timeout: 90_000 });
    await expect(badge).toHaveText('Issues found');
    await expect(view).toHaveAttribute('data-marked', 'yes');
    const described = await lab.trainingJob(name);
    const status = described.DebugRuleEvaluationStatuses[0];
    expect(status.RuleEvaluationStatus).toBe('IssuesFound');
    const fired = rule.getByTestId('debugger-rule-fired');
    const mode = status.Mode ? ` (${status.Mode})` : '';
    await expect(fired).toHaveText(`at step ${status.Step}${mode} on gradients/dense/kernel`);

    // The gradient's reductions, its norm among them, drawn with the step the rule fired at marked.
    await fired.getByRole('button', { name: 'gradients/dense/kernel' }).click();
    await expect(view.getByTestId('debugger-tensor-select')).toHaveValue('gradients/dense/kernel');
    const reductions = view.getByTestId('debugger-reductions-chart');
    await expect(reductions).toHaveAttribute('data-series', /(^|,)norm(,|$)/);
    await expect.poll(async () => Number(await reductions.getAttribute('data-points'))).toBeGreaterThan(
      status.Step > 0 ? 1 : 0
    );
    await expect(reductions.locator('.uplot')).toHaveAttribute('data-mark-step', String(status.Step));
    expect(await reductions.locator('canvas').evaluate(drawnPixels)).toBeGreaterThan(0);

    // The profiler's charts of the container.
    await expect
      .poll(async () => Number(await view.getByTestId('debugger-cpu-chart').getAttribute('data-points')))
      .toBeGreaterThan(0);
    await expect
      .poll(async () => Number(await view.getByTestId('debugger-memory-chart').getAttribute('data-points')))
      .toBeGreaterThan(0);
    await view.scrollIntoViewIfNeeded();
    await snap(page, testInfo, '02-debugger-issues-found');

    // Dark theme: the rules stay readable and the charts are drawn again in its colours.
    await switchTheme(page, 'JupyterLab Dark', false);
    await expectReadable('dark: rule badge', badge);
    await expectReadable('dark: rule name', rule.getByText('VanishingGradient', { exact: true }));
    await expectReadable('dark: where the rule fired', fired);
    const plot = reductions.locator('.uplot');
    const themeAxis = await plot.evaluate((node: HTMLElement) =>
      getComputedStyle(node).getPropertyValue('--jp-ui-font-color1').trim()
    );
    await expect
      .poll(() => plot.evaluate((node: HTMLElement) => node.dataset.axisStroke ?? ''), {
        message: 'the reductions chart follows the theme'
      })
      .toBe(themeAxis);
    await snap(page, testInfo, '03-debugger-dark');
    await switchTheme(page, 'JupyterLab Light', true);
  } finally {
    await lab.stopTrainingJobIfRunning(name);
  }
});
