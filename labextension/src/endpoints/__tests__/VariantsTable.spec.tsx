import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { VariantsTable } from '../components/VariantsTable';
import { IVariantSummary } from '../tokens';

// React 18 warns unless it knows the test drives act().
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const NOW = Date.parse('2026-12-03T10:00:00Z');

describe('VariantsTable', () => {
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

  it('says which instances run without their limits, and why', () => {
    const variant: IVariantSummary = {
      VariantName: 'AllTraffic',
      CurrentInstanceCount: 2,
      Instances: [
        { Id: 'pid-1', Healthy: true, LimitsEnforced: true },
        {
          Id: 'pid-2',
          Healthy: true,
          LimitsEnforced: false,
          LimitsProblem: 'the host has no writable cgroup hierarchy'
        }
      ]
    };
    act(() => root.render(<VariantsTable variants={[variant]} now={NOW} />));
    const warnings = container.querySelectorAll(
      '[data-testid="endpoint-instance-no-limits"]'
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0].closest('li')?.getAttribute('data-instance-id')).toBe(
      'pid-2'
    );
    expect(warnings[0].textContent).toBe(
      ' runs without its CPU and memory limits: the host has no writable cgroup hierarchy'
    );
  });
});
