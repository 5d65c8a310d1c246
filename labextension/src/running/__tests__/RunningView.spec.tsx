import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { IRunningActions, RunningView } from '../components/RunningView';
import { RunningModel } from '../model';
import { kernel, NOW } from './fixtures';

// React 18 warns unless it knows the test drives act().
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

describe('RunningView', () => {
  let container: HTMLDivElement;
  let root: Root;
  let model: RunningModel;
  let actions: { [K in keyof IRunningActions]: jest.Mock };

  const render = () =>
    act(() => {
      root.render(<RunningView model={model} actions={actions} />);
    });

  const byLabel = (label: string) =>
    container.querySelector(`[aria-label="${label}"]`) as HTMLElement | null;

  beforeEach(() => {
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
    model = new RunningModel({ now: () => NOW });
    actions = {
      refresh: jest.fn(async () => undefined),
      shutdown: jest.fn(async () => undefined),
      shutdownAll: jest.fn(async () => undefined)
    };
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
    model.dispose();
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
});
