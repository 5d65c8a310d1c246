import './domStubs';
import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { RuleStatusList } from '../components/RuleStatusList';
import { StepChart } from '../components/StepChart';
import { IRuleStatus } from '../tokens';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

describe('the Debugger view components', () => {
  let container: HTMLDivElement;
  let root: Root;

  beforeEach(() => {
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });

  const statuses: IRuleStatus[] = [
    {
      RuleConfigurationName: 'vanishing',
      RuleEvaluationStatus: 'IssuesFound',
      StatusDetails: 'gradients/a mean 1e-9 < 1e-7',
      Step: 12,
      TensorName: 'gradients/a',
      Mode: 'TRAIN'
    },
    { RuleConfigurationName: 'loss', RuleEvaluationStatus: 'InProgress' }
  ];

  it('badges each rule and links a fired rule to its tensor at its step', () => {
    const shown: Array<[string, number]> = [];
    act(() =>
      root.render(
        <RuleStatusList
          title="Rules"
          statuses={statuses}
          testId="debugger-rules"
          onShowTensor={(t, s) => shown.push([t, s])}
        />
      )
    );
    const badges = [
      ...container.querySelectorAll('[data-testid="debugger-rule-badge"]')
    ];
    expect(
      badges.map(b => [b.textContent, b.getAttribute('data-status')])
    ).toEqual([
      ['Issues found', 'IssuesFound'],
      ['In progress', 'InProgress']
    ]);
    expect(badges[0].className).toContain('jp-AtelierJobs-badge-error');
    const fired = container.querySelector(
      '[data-testid="debugger-rule-fired"]'
    )!;
    expect(fired.textContent).toBe('at step 12 (TRAIN) on gradients/a');
    act(() => fired.querySelector('button')!.click());
    expect(shown).toEqual([['gradients/a', 12]]);
    expect(container.textContent).toContain('gradients/a mean 1e-9 < 1e-7');
  });

  it('renders nothing without rules', () => {
    act(() =>
      root.render(<RuleStatusList title="Rules" statuses={[]} testId="r" />)
    );
    expect(container.innerHTML).toBe('');
  });

  it('says what is missing on a chart with nothing to draw', () => {
    act(() =>
      root.render(
        <StepChart
          title="Losses and metrics"
          series={{}}
          testId="chart"
          empty="No losses or metrics saved yet."
        />
      )
    );
    const chart = container.querySelector('[data-testid="chart"]')!;
    expect(chart.getAttribute('data-points')).toBe('0');
    expect(chart.textContent).toContain('No losses or metrics saved yet.');
    expect(chart.querySelector('[role="img"]')).toBeNull();
  });
});
