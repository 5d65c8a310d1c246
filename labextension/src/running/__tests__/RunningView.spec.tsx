import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { IRunningActions, RunningView } from '../components/RunningView';
import { InstancesModel } from '../instancesModel';
import { RunningModel } from '../model';
import { instance, kernel, NOW } from './fixtures';

// React 18 warns unless it knows the test drives act().
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

describe('RunningView', () => {
  let container: HTMLDivElement;
  let root: Root;
  let model: RunningModel;
  let instances: InstancesModel;
  let actions: { [K in keyof IRunningActions]: jest.Mock };

  const render = () =>
    act(() => {
      root.render(
        <RunningView model={model} instances={instances} actions={actions} />
      );
    });

  const byLabel = (label: string) =>
    container.querySelector(`[aria-label="${label}"]`) as HTMLElement | null;

  beforeEach(() => {
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
    model = new RunningModel({ now: () => NOW });
    instances = new InstancesModel({ now: () => NOW });
    actions = {
      refresh: jest.fn(async () => undefined),
      shutdown: jest.fn(async () => undefined),
      shutdownAll: jest.fn(async () => undefined),
      shutdownInstance: jest.fn(async () => undefined),
      shutdownAllInstances: jest.fn(async () => undefined)
    };
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
    model.dispose();
    instances.dispose();
  });

  it('says when loading and when nothing runs', () => {
    render();
    expect(container.textContent).toContain('Loading kernels…');
    model.update([]);
    render();
    expect(container.textContent).toContain('No kernels are running.');
    const all = byLabel('Shut down all kernels') as HTMLButtonElement;
    expect(all.disabled).toBe(true);
  });

  it('says in the instances section why Docker is unavailable, and nothing once it is', () => {
    instances.update([]);
    instances.setDocker({
      available: false,
      problem: 'the Docker engine is not reachable: Connection refused'
    });
    render();
    const notice = byLabel('Docker status')!;
    expect(notice.getAttribute('role')).toBe('note');
    expect(notice.closest('section')!.getAttribute('aria-labelledby')).toBe(
      'atelier-instances-title'
    );
    expect(notice.textContent).toBe(
      'Docker is unavailable: the Docker engine is not reachable: Connection refused. ' +
        'Notebooks run in local processes.'
    );

    instances.setDocker({ available: true, problem: null });
    render();
    expect(byLabel('Docker status')).toBeNull();
  });

  it("warns on an instance's row when its limits are not enforced, and only then", () => {
    instances.update([
      instance({
        id: 'i-free',
        instance_type: 'ml.m5.large',
        limits: {
          enforced: false,
          problem:
            'cannot create the cgroup parent /sys/fs/cgroup/atelier: permission denied'
        }
      }),
      instance({ id: 'i-held', limits: { enforced: true, problem: null } })
    ]);
    render();
    const notice = byLabel('Limits of ml.m5.large · local')!;
    expect(notice.getAttribute('role')).toBe('note');
    expect(
      notice.closest('[data-instance-id]')!.getAttribute('data-instance-id')
    ).toBe('i-free');
    expect(notice.textContent).toBe(
      'Limits not enforced: cannot create the cgroup parent /sys/fs/cgroup/atelier: ' +
        "permission denied. Its kernels may use all of the host's CPU and memory."
    );
    expect(byLabel('Limits of ml.t3.medium · local')).toBeNull();
  });

  it('says how often a kernel was restarted and why it died', () => {
    model.update([
      kernel({
        id: 'k1',
        path: 'a.ipynb',
        restart_count: 1,
        restart_limit: 5,
        last_death: {
          reason: 'the kernel process was killed by signal 9 (SIGKILL)',
          restarted: true
        }
      })
    ]);
    render();
    const item = byLabel('Kernel a.ipynb')!;
    expect(item.querySelector('.jp-AtelierRunning-restarts')?.textContent).toBe(
      'restarted once: the kernel process was killed by signal 9 (SIGKILL)'
    );
    expect(item.querySelector('[data-state="idle"]')?.textContent).toBe('idle');
  });

  it('renders an accessible list of kernels', () => {
    model.update([
      kernel({ id: 'k1', path: 'a.ipynb', connections: 2 }),
      kernel({
        id: 'k2',
        path: null,
        execution_state: 'dead',
        reason: 'Out of memory'
      })
    ]);
    render();

    const list = byLabel('Running kernels');
    expect(list?.tagName).toBe('UL');
    const items = list!.querySelectorAll('li');
    expect(items).toHaveLength(2);
    expect(items[0].getAttribute('aria-label')).toBe('Kernel a.ipynb');
    expect(items[0].textContent).toContain('Python 3 (ipykernel)');
    expect(items[0].textContent).toContain('12 s ago');
    expect(
      items[0].querySelector('.jp-AtelierRunning-connections')?.textContent
    ).toBe('2');
    expect(items[0].querySelector('[data-state="idle"]')?.textContent).toBe(
      'idle'
    );

    const dead = items[1];
    expect(dead.getAttribute('aria-label')).toBe(
      'Kernel Python 3 (ipykernel) k2'
    );
    expect(dead.textContent).toContain('—');
    const badge = dead.querySelector('[data-state="dead"]') as HTMLElement;
    expect(badge.title).toBe('dead: Out of memory');
    expect(dead.textContent).toContain('Out of memory');
    expect(dead.querySelector('.jp-AtelierRunning-restarts')).toBeNull();

    expect(byLabel('Shut down kernel a.ipynb')?.tagName).toBe('BUTTON');
    expect(byLabel('Update status')?.getAttribute('role')).toBe('status');
    expect(byLabel('Kernel count')?.textContent).toBe('2');
  });

  it('calls the actions from the buttons', async () => {
    model.update([kernel({ id: 'k1', path: 'a.ipynb' })]);
    render();
    await act(async () => {
      byLabel('Shut down kernel a.ipynb')!.click();
    });
    expect(actions.shutdown).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'k1' })
    );
    await act(async () => {
      byLabel('Shut down all kernels')!.click();
    });
    expect(actions.shutdownAll).toHaveBeenCalledTimes(1);
    await act(async () => {
      byLabel('Refresh kernels')!.click();
    });
    expect(actions.refresh).toHaveBeenCalledTimes(1);
  });

  it('shows the feed status and its error', () => {
    model.setFeed('polling', 'Atelier server unavailable');
    model.update([]);
    render();
    const status = byLabel('Update status')!;
    expect(status.dataset.status).toBe('polling');
    expect(status.textContent).toContain('Atelier server unavailable');
  });

  it('heads its two sections like SageMaker Studio', () => {
    render();
    const headings = [...container.querySelectorAll('h2')].map(
      h => h.firstChild?.textContent
    );
    expect(headings).toEqual(['Running instances', 'Kernel sessions']);
    expect(container.textContent).toContain('Loading instances…');
    instances.update([]);
    render();
    expect(container.textContent).toContain('No instances are running.');
    const all = byLabel('Shut down all instances') as HTMLButtonElement;
    expect(all.disabled).toBe(true);
  });

  it('renders each instance with its notebooks, uptime, cost and time left', () => {
    instances.update([
      instance({
        id: 'i1',
        instance_type: 'ml.m5.large',
        stops_at: '2026-05-25T16:53:07.360Z',
        kernels: [
          { id: 'k1', path: 'work/a.ipynb', execution_state: 'idle' },
          { id: 'k2', path: 'b.ipynb', execution_state: 'busy' }
        ]
      })
    ]);
    render();
    const list = byLabel('Running instances');
    const item = list!.querySelector('li') as HTMLElement;
    expect(item.getAttribute('aria-label')).toBe(
      'Instance ml.m5.large · local'
    );
    expect(item.dataset.instanceType).toBe('ml.m5.large');
    expect(
      item.querySelector('.jp-AtelierRunning-kernelCount')?.textContent
    ).toBe('2');
    const notebooks = byLabel('Notebooks on ml.m5.large · local');
    expect(
      [...notebooks!.querySelectorAll('li')].map(li => li.textContent)
    ).toEqual(['b.ipynb', 'a.ipynb']);
    expect(item.textContent).toContain('2 min 05 s');
    expect(item.textContent).toContain('$0.0017');
    expect(item.textContent).toContain('stops in 1 min 00 s');
    expect(byLabel('Instance count')?.textContent).toBe('1');
  });

  it('calls the instance actions from the buttons', async () => {
    instances.update([instance({ id: 'i1' })]);
    render();
    await act(async () => {
      byLabel('Shut down instance ml.t3.medium · local')!.click();
    });
    expect(actions.shutdownInstance).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'i1' })
    );
    await act(async () => {
      byLabel('Shut down all instances')!.click();
    });
    expect(actions.shutdownAllInstances).toHaveBeenCalledTimes(1);
  });

  it("shows a kernel's instance", () => {
    model.update([
      kernel({ id: 'k1', instance_type: 'ml.m5.large', image: 'local' })
    ]);
    render();
    expect(
      container.querySelector('.jp-AtelierRunning-kernelInstance')?.textContent
    ).toBe('ml.m5.large · local');
  });
});
