import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import {
  RolloutProgress,
  showsRollbackReason
} from '../components/RolloutProgress';
import { IEndpointDescription } from '../tokens';

// React 18 warns unless it knows the test drives act().
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const NOW = Date.parse('2026-12-03T10:00:00Z');

const updating = (
  extra: Partial<IEndpointDescription> = {}
): IEndpointDescription => ({
  EndpointName: 'ep',
  EndpointStatus: 'Updating',
  PendingDeploymentSummary: {
    EndpointConfigName: 'v2',
    StartTime: '2026-12-03T09:58:00Z',
    ProductionVariants: [
      {
        VariantName: 'Green',
        InstanceType: 'ml.t3.medium',
        Instances: [
          { Id: 'g-0', Healthy: true },
          { Id: 'g-1', Healthy: false }
        ]
      }
    ]
  },
  TrafficShift: {
    Type: 'LINEAR',
    Phase: 'Shifting',
    NewFleetTrafficPercent: 40,
    Step: 2,
    Steps: 5,
    PhaseEndsAt: '2026-12-03T10:00:30Z',
    Alarms: [
      { AlarmName: 'Invocation5XXErrorRate > 5', State: 'OK', Value: 1.5 },
      {
        AlarmName: 'ModelLatencyP99 > 250000',
        State: 'INSUFFICIENT_DATA',
        Value: null
      }
    ]
  },
  ...extra
});

describe('RolloutProgress', () => {
  let container: HTMLDivElement;
  let root: Root;

  const render = (endpoint: IEndpointDescription, rolledBack = false) =>
    act(() => {
      root.render(
        <RolloutProgress
          endpoint={endpoint}
          rolledBack={rolledBack}
          now={NOW}
        />
      );
    });
  const byTestId = (id: string) =>
    container.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;

  beforeEach(() => {
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });

  it('shows the phase, the traffic bar, the step, the time left, the new fleet and the alarms', () => {
    render(updating());
    expect(container.querySelector('h3')?.textContent).toBe('Updating to v2');
    expect(byTestId('endpoint-rollout-phase')?.textContent).toBe(
      'Shifting: Shifting traffic to the new fleet'
    );
    const bar = container.querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute('aria-valuenow')).toBe('40');
    expect(bar.getAttribute('aria-valuetext')).toBe('40% · step 2 of 5');
    expect(byTestId('endpoint-rollout-step')?.textContent).toBe('step 2 of 5');
    expect(byTestId('endpoint-rollout-time-left')?.textContent).toBe(
      '30 s left'
    );
    expect(byTestId('endpoint-rollout-health')?.textContent).toBe(
      '1 of 2 healthy'
    );
    const rows = [
      ...container.querySelectorAll(
        '[data-testid="endpoint-rollout-alarms"] tbody tr'
      )
    ].map(r => r.textContent);
    expect(rows).toEqual([
      '5xx rate above 5%OK1.5%',
      'p99 model latency above 250 msnot enough data—'
    ]);
    expect(container.querySelector('[role="alert"]')).toBeNull();
  });

  it('says a rollback prominently as it happens, then why once it is over', () => {
    render(
      updating({
        EndpointStatus: 'RollingBack',
        TrafficShift: {
          Type: 'LINEAR',
          Phase: 'RollingBack',
          NewFleetTrafficPercent: 0
        }
      }),
      true
    );
    const section = byTestId('endpoint-rollout')!;
    expect(section.dataset.phase).toBe('RollingBack');
    expect(section.classList.contains('jp-mod-rollingBack')).toBe(true);
    expect(container.querySelector('h3')?.textContent).toBe(
      'Rolling back the update to v2'
    );
    expect(container.querySelector('[role="alert"]')?.textContent).toMatch(
      /all traffic goes back to the old fleet/
    );

    const reason =
      "the update to v2 was rolled back: alarm 'Invocation5XXErrorRate > 5' fired: 40% of 20 invocations";
    render(
      {
        EndpointName: 'ep',
        EndpointStatus: 'InService',
        FailureReason: reason
      },
      true
    );
    expect(byTestId('endpoint-rollout')?.dataset.phase).toBe('RolledBack');
    expect(byTestId('endpoint-rollout-reason')?.textContent).toBe(reason);
  });

  it('shows nothing when no update runs and none rolled back', () => {
    render({
      EndpointName: 'ep',
      EndpointStatus: 'InService',
      FailureReason: 'old'
    });
    expect(container.innerHTML).toBe('');
  });

  it('says a rollback reason in its section only once the rollback is over', () => {
    const rolled: IEndpointDescription = {
      EndpointName: 'ep',
      EndpointStatus: 'InService',
      FailureReason: 'the update to v2 was rolled back: alarm fired'
    };
    expect(showsRollbackReason(rolled, true)).toBe(true);
    expect(showsRollbackReason(rolled, false)).toBe(false);
    expect(
      showsRollbackReason({ ...rolled, EndpointStatus: 'RollingBack' }, true)
    ).toBe(false);
    expect(
      showsRollbackReason({ ...rolled, FailureReason: undefined }, true)
    ).toBe(false);
    expect(showsRollbackReason(updating(), true)).toBe(false);
  });

  it('marks each new instance healthy or starting', () => {
    render(updating());
    const badges = Array.from(
      container.querySelectorAll('[data-testid="endpoint-instance-health"]')
    ).map(b => b.textContent);
    expect(badges).toEqual(['healthy', 'starting']);
  });
});
