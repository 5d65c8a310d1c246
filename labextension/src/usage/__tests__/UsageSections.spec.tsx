import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { Signal } from '@lumino/signaling';

import { IIdlePolicy } from '../tokens';
import { IdlePolicySection } from '../components/IdlePolicySection';
import { UsageSection } from '../components/UsageSection';

// React 18 warns unless it knows the test drives act().
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const NOW = new Date('2026-05-25T16:52:07.360Z');

const usage = {
  from: '2026-04-25T16:52:07.360Z',
  to: '2026-05-25T16:52:07.360Z',
  total_cost: 0.05,
  usage: [
    {
      instance_type: 'ml.t3.medium',
      seconds: 3600,
      hours: 1,
      price_per_hour: 0.05,
      cost: 0.05
    }
  ]
};

describe('usage and idle shutdown sections', () => {
  let container: HTMLDivElement;
  let root: Root;

  const byLabel = (label: string) =>
    container.querySelector(`[aria-label="${label}"]`) as HTMLElement | null;

  const flush = () => act(async () => undefined);

  const setValue = (
    element: HTMLInputElement | HTMLSelectElement,
    v: string
  ) => {
    const proto = Object.getPrototypeOf(element);
    Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(element, v);
    element.dispatchEvent(
      new Event(element.tagName === 'SELECT' ? 'change' : 'input', {
        bubbles: true
      })
    );
  };

  beforeEach(() => {
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });

  it('fetches the usage again when the period or the instances change', async () => {
    const api = { fetchUsage: jest.fn(async () => usage) };
    const render = (key: string) =>
      act(() => {
        root.render(
          <UsageSection api={api} instancesKey={key} now={() => NOW} />
        );
      });
    render('a');
    await flush();
    expect(api.fetchUsage).toHaveBeenCalledTimes(1);
    expect((api.fetchUsage.mock.calls[0] as any[])[0].from).toBe(
      '2026-04-25T16:52:07.360Z'
    );
    const table = byLabel('Usage by instance type')!;
    const row = table.querySelector('tbody tr')!;
    expect(row.getAttribute('data-instance-type')).toBe('ml.t3.medium');
    expect(row.textContent).toBe('ml.t3.medium1.00 h$0.0500');
    expect(table.querySelector('tfoot')!.textContent).toBe(
      'Total1.00 h$0.0500'
    );

    await act(async () =>
      setValue(byLabel('Usage period') as HTMLSelectElement, 'day')
    );
    await flush();
    expect(api.fetchUsage).toHaveBeenCalledTimes(2);
    expect((api.fetchUsage.mock.calls[1] as any[])[0].from).toBe(
      '2026-05-24T16:52:07.360Z'
    );

    render('a,b');
    await flush();
    expect(api.fetchUsage).toHaveBeenCalledTimes(3);
  });

  it('moves the running instances’ time on every second without fetching again', async () => {
    jest.useFakeTimers();
    try {
      let clock = NOW.getTime();
      const api = { fetchUsage: jest.fn(async () => usage) };
      const running = [{ instanceType: 'ml.t3.medium', pricePerHour: 0.05 }];
      act(() => {
        root.render(
          <UsageSection
            api={api}
            instancesKey="a"
            running={running}
            now={() => new Date(clock)}
          />
        );
      });
      await flush();
      const table = byLabel('Usage by instance type')!;
      expect(table.getAttribute('data-live')).toBe('true');
      expect(table.querySelector('caption')!.textContent).toBe(
        'Last 30 days · live'
      );
      const row = () => table.querySelector('tbody tr')!;
      expect(Number(row().getAttribute('data-hours'))).toBe(1);
      clock += 1800_000;
      act(() => {
        jest.advanceTimersByTime(1000);
      });
      expect(Number(row().getAttribute('data-hours'))).toBeCloseTo(1.5, 10);
      expect(row().textContent).toBe('ml.t3.medium1.50 h$0.0750');
      expect(api.fetchUsage).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('shows the server message when the usage cannot load', async () => {
    const api = {
      fetchUsage: jest.fn(async () => {
        throw new Error('from: must be before to');
      })
    };
    act(() => {
      root.render(<UsageSection api={api} instancesKey="" now={() => NOW} />);
    });
    await flush();
    expect(container.querySelector('[role="alert"]')!.textContent).toBe(
      'Could not load the usage: from: must be before to'
    );
  });

  it('saves a type rule, refusing bad minutes before asking the server', async () => {
    const api = {
      fetchInstanceTypes: jest.fn(async () => [
        { name: 'ml.t3.medium' },
        { name: 'ml.m5.large' }
      ]),
      fetchIdlePolicies: jest.fn(async () => []),
      saveIdlePolicy: jest.fn(async (type: string, body: any) => ({
        instance_type: type,
        ...body
      }))
    };
    act(() => {
      root.render(<IdlePolicySection api={api} />);
    });
    await flush();
    const kernelInput = byLabel(
      'Kernel idle minutes for ml.t3.medium'
    ) as HTMLInputElement;
    const save = byLabel(
      'Save idle rule for ml.t3.medium'
    ) as HTMLButtonElement;
    expect(kernelInput.value).toBe('0');
    expect(save.disabled).toBe(true);

    await act(async () => setValue(kernelInput, '1.5'));
    expect(save.disabled).toBe(false);
    await act(async () => save.click());
    expect(api.saveIdlePolicy).not.toHaveBeenCalled();
    expect(container.querySelector('[role="alert"]')!.textContent).toContain(
      '"1.5" is not a whole number of minutes'
    );

    await act(async () => setValue(kernelInput, '30'));
    await act(async () => save.click());
    await flush();
    expect(api.saveIdlePolicy).toHaveBeenCalledWith('ml.t3.medium', {
      kernel_idle_minutes: 30,
      instance_idle_minutes: 0
    });
    expect(kernelInput.value).toBe('30');
    expect(save.disabled).toBe(true);
    expect(byLabel('Idle rule count')!.textContent).toBe('1');
  });

  it('shows a rule changed in the settings without resetting another being typed', async () => {
    const changed = new Signal<unknown, IIdlePolicy>({});
    const api = {
      fetchInstanceTypes: jest.fn(async () => [
        { name: 'ml.t3.medium' },
        { name: 'ml.m5.large' }
      ]),
      fetchIdlePolicies: jest.fn(async () => []),
      saveIdlePolicy: jest.fn(),
      idlePolicyChanged: changed
    };
    act(() => {
      root.render(<IdlePolicySection api={api} />);
    });
    await flush();
    const large = byLabel(
      'Kernel idle minutes for ml.m5.large'
    ) as HTMLInputElement;
    await act(async () => setValue(large, '15'));

    await act(async () =>
      changed.emit({
        instance_type: 'ml.t3.medium',
        kernel_idle_minutes: 60,
        instance_idle_minutes: 120
      })
    );
    expect(
      (byLabel('Kernel idle minutes for ml.t3.medium') as HTMLInputElement)
        .value
    ).toBe('60');
    expect(
      (byLabel('Instance idle minutes for ml.t3.medium') as HTMLInputElement)
        .value
    ).toBe('120');
    expect(large.value).toBe('15');
    expect(byLabel('Idle rule count')!.textContent).toBe('1');
  });
});
