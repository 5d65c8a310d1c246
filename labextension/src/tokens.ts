/**
 * What other JupyterLab extensions can use: the tokens Atelier provides,
 * the shapes they hand out, and the ids of its plugins, panels and
 * commands. Each capability keeps its own in its folder's `tokens.ts`.
 */

import { ENDPOINTS_PLUGIN_ID } from './endpoints/tokens';
import { EVENTS_PLUGIN_ID } from './events/tokens';
import { INSTANCE_SPEC_PLUGIN_ID } from './instance/tokens';
import { JOBS_PLUGIN_ID } from './jobs/tokens';
import { KERNEL_DEATH_PLUGIN_ID } from './kernelDeath/tokens';
import { RUNNING_PLUGIN_ID } from './running/tokens';

export {
  EventFrame,
  EventFrameType,
  EventsStatus,
  IAtelierEvents,
  IEndpointEvent,
  IEventFrameMap,
  IJobEvent,
  IKernelDeathEvent,
  IKernelsEvent
} from './events/tokens';
export {
  ExecutionState,
  FeedStatus,
  IAtelierRunning,
  IKernelDeathInfo,
  IKernelInfo,
  IKernelRow,
  IRunningModel,
  RUNNING_PANEL_ID,
  RunningCommandIDs
} from './running/tokens';
export { TOOLBAR_ITEM } from './instance/tokens';
export {
  IJobSummary,
  JOBS_PANEL_ID,
  JobCommandIDs,
  JobKind
} from './jobs/tokens';

export {
  ENDPOINTS_PANEL_ID,
  EndpointCommandIDs,
  IEndpointSummary
} from './endpoints/tokens';

/** Plugin ids (the part after the colon names the settings schema file). */
export const PluginIDs = {
  events: EVENTS_PLUGIN_ID,
  running: RUNNING_PLUGIN_ID,
  instanceSpec: INSTANCE_SPEC_PLUGIN_ID,
  kernelDeath: KERNEL_DEATH_PLUGIN_ID,
  jobs: JOBS_PLUGIN_ID,
  endpoints: ENDPOINTS_PLUGIN_ID
} as const;
