import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { JobRow } from '../components/JobRow';
import { IJobSummary } from '../tokens';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const job: IJobSummary = {
  Kind: 'training',
  Name: 'sklearn-2026-12-02-05-23-30-784',
  Status: 'Completed',
  CreationTime: '2026-12-02T05:23:30Z'
};

describe('a job row', () => {
  let container: HTMLUListElement;
  let root: Root;
  const opened: string[] = [];
  const cloned: string[] = [];

  beforeEach(() => {
    opened.length = 0;
    cloned.length = 0;
    container = document.createElement('ul');
    document.body.appendChild(container);
    root = createRoot(container);
    act(() =>
      root.render(
        <JobRow
          job={job}
          now={Date.parse('2026-12-02T06:00:00Z')}
          names={[job.Name, 'sklearn-2026-12-02-05-24-10-001']}
          onOpen={j => opened.push(j.Name)}
          onClone={j => cloned.push(j.Name)}
        />
      )
    );
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });

  it('has its open and clone buttons side by side, never one inside the other', () => {
    const buttons = [...container.querySelectorAll('button')];
    expect(buttons.map(b => b.getAttribute('aria-label'))).toEqual([
      `Open training job ${job.Name}`,
      `Clone training job ${job.Name}`
    ]);
    for (const button of buttons) {
      expect(button.querySelector('button, a, input, [tabindex]')).toBeNull();
      expect(
        button.parentElement?.closest('button, [role="button"]')
      ).toBeNull();
    }
    const row = container.querySelector('li')!;
    expect(row.getAttribute('role')).toBeNull();
    expect(row.getAttribute('tabindex')).toBeNull();
  });

  it('opens from its name button and clones from its own button alone', () => {
    const [open, clone] = [...container.querySelectorAll('button')];
    act(() => open.click());
    expect(opened).toEqual([job.Name]);
    expect(cloned).toEqual([]);
    act(() => clone.click());
    expect(cloned).toEqual([job.Name]);
    expect(opened).toEqual([job.Name]);
  });

  it('keeps the part of its name that differs whole, the full name as the tooltip', () => {
    const name = container.querySelector('[data-testid="job-row-name"]')!;
    expect(name.getAttribute('title')).toBe(job.Name);
    expect(name.textContent).toBe(job.Name);
    expect(
      container.querySelector('[data-testid="job-row-name-tail"]')?.textContent
    ).toBe('23-30-784');
  });
});
