import { EventFrame, EventFrameType, IEventFrameMap } from './tokens';

/** What a frame of each type must carry to be delivered. */
const VALID: {
  [K in EventFrameType]: (frame: IEventFrameMap[K]) => boolean;
} = {
  kernels: frame => Array.isArray(frame.kernels),
  job: frame =>
    !!frame.job &&
    typeof frame.job === 'object' &&
    typeof frame.job.Name === 'string',
  kernel_death: frame =>
    (frame.action === 'restarting' || frame.action === 'dead') &&
    !!frame.kernel &&
    typeof frame.kernel.id === 'string',
  instance_stopped: frame =>
    !!frame.instance &&
    typeof frame.instance.id === 'string' &&
    typeof frame.message === 'string' &&
    Array.isArray(frame.notebooks),
  run: frame =>
    !!frame.run &&
    typeof frame.run === 'object' &&
    !!frame.run.info &&
    typeof frame.run.info.run_id === 'string',
  experiment: frame =>
    !!frame.experiment &&
    typeof frame.experiment === 'object' &&
    typeof frame.experiment.experiment_id === 'string',
  endpoint: frame =>
    !!frame.endpoint &&
    typeof frame.endpoint === 'object' &&
    typeof frame.endpoint.EndpointName === 'string',
  debugger: frame =>
    typeof frame.TrainingJobName === 'string' &&
    Array.isArray(frame.DebugRuleEvaluationStatuses)
};

/**
 * The known frame a decoded JSON value is, or null: an unknown type, or a
 * known type missing what it must carry (a newer or older server may send
 * frames this page does not understand; they are skipped, not errors).
 */
export function frameOf(value: unknown): EventFrame | null {
  if (!value || typeof value !== 'object') {
    return null;
  }
  const type = (value as { type?: unknown }).type;
  if (
    typeof type !== 'string' ||
    !Object.prototype.hasOwnProperty.call(VALID, type)
  ) {
    return null;
  }
  const valid = VALID[type as EventFrameType] as (frame: unknown) => boolean;
  return valid(value) ? (value as EventFrame) : null;
}

/** The known frame a WebSocket message is, or null (not text, not JSON, unknown). */
export function parseFrame(data: unknown): EventFrame | null {
  if (typeof data !== 'string') {
    return null;
  }
  try {
    return frameOf(JSON.parse(data));
  } catch {
    return null;
  }
}
