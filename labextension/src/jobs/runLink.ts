import { EndpointCommandIDs } from '../endpoints/tokens';
import { EXPERIMENTS_OPEN_COMMAND } from './tokens';

/** What the opener needs of JupyterLab's command registry. */
export interface ICommands {
  hasCommand(id: string): boolean;
  execute(id: string, args?: any): Promise<unknown>;
}

/** Opens a job's run in the Experiments panel, when that panel is there. */
export interface IRunOpener {
  /** Whether the Experiments panel's command is registered (asked at each render). */
  available(): boolean;
  open(runId: string): void;
}

/** The opener over JupyterLab's commands: `atelier:experiments-open {runId}`. */
export function runOpener(commands: ICommands): IRunOpener {
  return {
    available: () => commands.hasCommand(EXPERIMENTS_OPEN_COMMAND),
    open: runId => {
      if (commands.hasCommand(EXPERIMENTS_OPEN_COMMAND)) {
        void commands.execute(EXPERIMENTS_OPEN_COMMAND, { runId });
      }
    }
  };
}

/** Deploys a training job's model from the Endpoints panel, when that panel is there. */
export interface IJobDeployer {
  /** Whether the Endpoints panel's command is registered (asked at each render). */
  available(): boolean;
  deploy(jobName: string): void;
}

/** The deployer over JupyterLab's commands: `atelier:endpoints-deploy-job {job}`. */
export function jobDeployer(commands: ICommands): IJobDeployer {
  const id = EndpointCommandIDs.deployJob;
  return {
    available: () => commands.hasCommand(id),
    deploy: job => {
      if (commands.hasCommand(id)) {
        void commands.execute(id, { job });
      }
    }
  };
}
