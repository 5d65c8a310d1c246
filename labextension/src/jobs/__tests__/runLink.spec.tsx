import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { CommandRegistry } from '@lumino/commands';

import { RunLink } from '../components/RunLink';
import { runOpener } from '../runLink';
import { EXPERIMENTS_OPEN_COMMAND, IJobDescription } from '../tokens';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const job: IJobDescription = {
  TrainingJobName: 'iris',
  TrainingJobStatus: 'Completed',
  RunId: '5f0c1e2d3b4a',
  ExperimentId: '3',
  ExperimentConfig: { ExperimentName: 'iris-tuning', TrialName: 'baseline' }
};

describe('the job detail links to the job run', () => {
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

  const show = (j: IJobDescription, commands?: CommandRegistry) =>
    act(() =>
      root.render(
        <RunLink job={j} opener={commands ? runOpener(commands) : undefined} />
      )
    );
  const byTestId = (id: string) =>
    container.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;

  it('runs atelier:experiments-open with the run id when the Experiments panel is there', async () => {
    const commands = new CommandRegistry();
    const opened: unknown[] = [];
    commands.addCommand(EXPERIMENTS_OPEN_COMMAND, {
      execute: args => {
        opened.push(args);
      }
    });
    show(job, commands);
    const button = byTestId('job-open-run');
    expect(button?.textContent).toBe('Open run');
    await act(async () => button!.click());
    expect(opened).toEqual([{ runId: '5f0c1e2d3b4a' }]);
    expect(byTestId('job-run')?.textContent).toContain(
      'iris-tuning / baseline'
    );
  });

  it('shows the run id without a link when the command is not registered', () => {
    show(job, new CommandRegistry());
    expect(byTestId('job-open-run')).toBeNull();
    expect(byTestId('job-run-id')?.textContent).toBe('5f0c1e2d3b4a');
  });

  it('says why a job has no run, and shows nothing for a job tracking never saw', () => {
    show(
      {
        TrainingJobName: 'x',
        TrackingFailureReason: 'the run store did not answer'
      },
      new CommandRegistry()
    );
    expect(byTestId('job-open-run')).toBeNull();
    expect(byTestId('job-tracking-failure')?.textContent).toContain(
      'the run store did not answer'
    );
    show({ TrainingJobName: 'old' }, new CommandRegistry());
    expect(byTestId('job-run')).toBeNull();
  });
});
