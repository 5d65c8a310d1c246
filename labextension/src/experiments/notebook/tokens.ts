/**
 * Links from notebook outputs to the Experiments panel: the MIME type the
 * `atelier` package emits (`atelier.experiments.open(...)`, the display of an
 * mlflow `Run`) and the command its button runs.
 */

/** Id of the plugin that renders the links. */
export const EXPERIMENTS_LINK_PLUGIN_ID =
  '@atelier/labextension:experiments-notebook';

/** The notebook output a link is: data `{experimentId?, runId?, label?}`. */
export const EXPERIMENTS_MIME = 'application/vnd.atelier.experiments+json';

/**
 * The Experiments panel's command: opens the panel on an experiment, or on a
 * run's detail. Registered by the panel; this plugin only runs it.
 */
export const OPEN_EXPERIMENTS_COMMAND = 'atelier:experiments-open';

/** The data of an {@link EXPERIMENTS_MIME} output. */
export interface IExperimentsLinkData {
  experimentId?: string;
  runId?: string;
  label?: string;
}

/** The arguments of {@link OPEN_EXPERIMENTS_COMMAND}. */
export interface IOpenExperimentsArgs {
  experimentId?: string;
  runId?: string;
}

/** What runs the command: JupyterLab's command registry, as this uses it. */
export interface ICommandRunner {
  hasCommand(id: string): boolean;
  execute(id: string, args?: any): Promise<unknown>;
}
