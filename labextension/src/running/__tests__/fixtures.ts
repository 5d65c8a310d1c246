import { IInstanceInfo, IKernelInfo } from '../tokens';

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

/** An instance as `GET atelier/api/instances` serves it, with overrides. */
export function instance(
  overrides: Partial<IInstanceInfo> = {}
): IInstanceInfo {
  return {
    id: 'i-ml-t3-medium-local-1',
    instance_type: 'ml.t3.medium',
    image: 'local',
    runtime: 'process',
    state: 'running',
    vcpus: 2,
    memory_bytes: 4 * 1024 * 1024 * 1024,
    price_per_hour: 0.05,
    // 2026-05-25T16:52:07.360Z (NOW) minus 125 s.
    started: '2026-05-25T16:50:02.360123Z',
    uptime_seconds: 125,
    cost_so_far: 0.001736,
    stops_at: null,
    idle_shutdown_at: null,
    kernels: [
      {
        id: '5f4a0d8e-1111-4c2b-9d2e-000000000001',
        name: 'python3',
        path: 'analysis/train.ipynb',
        execution_state: 'idle'
      }
    ],
    ...overrides
  };
}
