import { IKernelInfo } from '../../tokens';

/** A kernel as the Atelier API serves it, with overrides. */
export function kernel(overrides: Partial<IKernelInfo> = {}): IKernelInfo {
  return {
    id: '5f4a0d8e-1111-4c2b-9d2e-000000000001',
    name: 'python3',
    display_name: 'Python 3 (ipykernel)',
    language: 'python',
    path: 'analysis/train.ipynb',
    execution_state: 'idle',
    last_activity: '2026-05-25T16:51:55.360609Z',
    started: '2026-05-25T16:40:00.000000Z',
    connections: 1,
    reason: null,
    ...overrides
  };
}

/** 2026-05-25T16:52:07.360Z: 12 s after the fixture's last activity. */
export const NOW = Date.parse('2026-05-25T16:52:07.360Z');
