import {
  EXPERIMENTS_MIME,
  ICommandRunner,
  IOpenExperimentsArgs,
  OPEN_EXPERIMENTS_COMMAND
} from './tokens';

/** A link's data read: what the command gets and the button's text. */
export interface IParsedLink {
  args: IOpenExperimentsArgs;
  label: string;
}

/** What the output says when the Experiments panel is not in this JupyterLab. */
export const PANEL_MISSING =
  'The Experiments panel is not installed in this JupyterLab: open the run with the MLflow client instead.';

const MAX_LABEL = 200;

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim()) {
    return value.trim();
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  return undefined;
}

/**
 * The output's data as a link, or the reason it is none (it names neither a
 * run nor an experiment). Ids may come as numbers (MLflow's experiment ids).
 */
export function parseLink(value: unknown): IParsedLink | { error: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { error: `${EXPERIMENTS_MIME} output without data` };
  }
  const data = value as Record<string, unknown>;
  const args: IOpenExperimentsArgs = {};
  const experimentId = text(data.experimentId);
  const runId = text(data.runId);
  if (experimentId) {
    args.experimentId = experimentId;
  }
  if (runId) {
    args.runId = runId;
  }
  if (!experimentId && !runId) {
    return { error: 'This output names no run or experiment to open.' };
  }
  let label =
    text(data.label) ??
    (runId ? `Open run ${runId} in Experiments` : 'Open in Experiments');
  if (label.length > MAX_LABEL) {
    label = label.slice(0, MAX_LABEL - 1) + '…';
  }
  return { args, label };
}

/**
 * Renders the link into `host`: a button that runs the Experiments panel's
 * command, or says the panel is missing when the command is not there when
 * it is clicked (plugins may activate after the output renders). Text only:
 * the label never becomes markup.
 */
export function renderLink(
  host: HTMLElement,
  value: unknown,
  commands: ICommandRunner
): void {
  host.replaceChildren();
  host.classList.add('atelier-ExperimentsLink');
  const parsed = parseLink(value);
  const note = document.createElement('span');
  note.className = 'atelier-ExperimentsLink-note';
  if ('error' in parsed) {
    note.textContent = parsed.error;
    host.append(note);
    return;
  }
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'jp-Button jp-mod-styled atelier-ExperimentsLink-button';
  button.textContent = parsed.label;
  button.title = parsed.args.runId
    ? `Show run ${parsed.args.runId} in the Experiments panel`
    : `Show experiment ${parsed.args.experimentId} in the Experiments panel`;
  button.dataset.experimentId = parsed.args.experimentId ?? '';
  button.dataset.runId = parsed.args.runId ?? '';
  button.addEventListener('click', () => {
    if (!commands.hasCommand(OPEN_EXPERIMENTS_COMMAND)) {
      note.textContent = PANEL_MISSING;
      return;
    }
    note.textContent = '';
    commands
      .execute(OPEN_EXPERIMENTS_COMMAND, { ...parsed.args })
      .catch((e: unknown) => {
        note.textContent = `The Experiments panel could not open it: ${
          e instanceof Error ? e.message : String(e)
        }`;
      });
  });
  host.append(button, note);
}
