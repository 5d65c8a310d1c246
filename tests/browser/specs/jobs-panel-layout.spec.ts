import { expect, openJobsPanel, openLab, snap, test } from '../support/fixtures';

test('the Jobs panel toolbar and filters fit the default sidebar width', async ({ page, lab }, testInfo) => {
  await openLab(page, lab, testInfo);
  const panel = await openJobsPanel(page);
  const box = async (locator: ReturnType<typeof panel.locator>) => {
    const b = await locator.boundingBox();
    expect(b).not.toBeNull();
    return b!;
  };
  const title = await box(panel.getByRole('heading', { name: /^Jobs/ }));
  const refresh = await box(panel.getByTestId('jobs-refresh'));
  const training = await box(panel.getByTestId('jobs-new'));
  const processing = await box(panel.getByTestId('jobs-new-processing'));
  const panelBox = await box(panel);
  const middle = (b: { y: number; height: number }): number => b.y + b.height / 2;
  // Refresh beside the title; both new job buttons side by side on the row below, inside the panel.
  expect(Math.abs(middle(refresh) - middle(title)), "Refresh on the title's line").toBeLessThan(4);
  expect(Math.abs(middle(training) - middle(processing)), 'the new job buttons on one row').toBeLessThan(2);
  expect(training.x + training.width).toBeLessThanOrEqual(processing.x);
  for (const [what, b] of [['Refresh', refresh], ['+ Training', training], ['+ Processing', processing]] as const) {
    expect(b.height, `${what} on one line of text`).toBeLessThan(2 * title.height);
    expect(b.x + b.width, `${what} inside the panel`).toBeLessThanOrEqual(panelBox.x + panelBox.width);
  }
  for (const [what, button] of [['+ Training', 'jobs-new'], ['+ Processing', 'jobs-new-processing']] as const) {
    const clipped = await panel.getByTestId(button).evaluate(n => n.scrollWidth > n.clientWidth);
    expect(clipped, `${what} shows its whole label`).toBe(false);
  }
  // The filters in two even rows: the name and the status, then the kind and the instance type.
  const filters = panel.locator('.jp-AtelierJobs-filters');
  const controls = filters.locator('input, select');
  await expect(controls).toHaveCount(4);
  const tops = await controls.evaluateAll(nodes => nodes.map(n => Math.round(n.getBoundingClientRect().top)));
  expect(tops[0], 'the name and the status on one row').toBe(tops[1]);
  expect(tops[2], 'the kind and the instance type on one row').toBe(tops[3]);
  expect(tops[2]).toBeGreaterThan(tops[0]);
  await snap(page, testInfo, '01-jobs-panel');
});
