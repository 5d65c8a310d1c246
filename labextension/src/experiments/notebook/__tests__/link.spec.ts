import { parseLink, PANEL_MISSING, renderLink } from '../link';
import { ICommandRunner, OPEN_EXPERIMENTS_COMMAND } from '../tokens';

/** A command registry that has the Experiments panel's command or not. */
class Commands implements ICommandRunner {
  calls: Array<{ id: string; args: unknown }> = [];
  constructor(
    public registered: boolean,
    private readonly fail?: string
  ) {}
  hasCommand(id: string): boolean {
    return this.registered && id === OPEN_EXPERIMENTS_COMMAND;
  }
  execute(id: string, args?: unknown): Promise<unknown> {
    this.calls.push({ id, args });
    return this.fail ? Promise.reject(new Error(this.fail)) : Promise.resolve();
  }
}

function button(host: HTMLElement): HTMLButtonElement {
  const b = host.querySelector('button');
  if (!b) {
    throw new Error('no button rendered');
  }
  return b;
}

const note = (host: HTMLElement) =>
  host.querySelector('.atelier-ExperimentsLink-note')?.textContent;

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('parseLink', () => {
  it('reads a run, an experiment and the label', () => {
    expect(
      parseLink({ experimentId: '7', runId: 'r1', label: 'Open baseline' })
    ).toEqual({
      args: { experimentId: '7', runId: 'r1' },
      label: 'Open baseline'
    });
    expect(parseLink({ experimentId: 3 })).toEqual({
      args: { experimentId: '3' },
      label: 'Open in Experiments'
    });
    expect(parseLink({ runId: 'abc', label: '  ' })).toEqual({
      args: { runId: 'abc' },
      label: 'Open run abc in Experiments'
    });
  });

  it('says so when the data names nothing to open', () => {
    for (const bad of [
      null,
      undefined,
      'run',
      [],
      {},
      { label: 'x' },
      { runId: '' },
      { runId: {} }
    ]) {
      expect(parseLink(bad)).toHaveProperty('error');
    }
  });

  it('cuts a very long label', () => {
    const parsed = parseLink({ runId: 'r', label: 'x'.repeat(500) });
    expect('label' in parsed && parsed.label.length).toBe(200);
  });
});

describe('renderLink', () => {
  it('is a button that opens the run in the Experiments panel', async () => {
    const host = document.createElement('div');
    const commands = new Commands(true);
    renderLink(
      host,
      { experimentId: '7', runId: 'r1', label: 'Open baseline in Experiments' },
      commands
    );
    const b = button(host);
    expect(b.textContent).toBe('Open baseline in Experiments');
    expect(b.title).toBe('Show run r1 in the Experiments panel');
    b.click();
    await flush();
    expect(commands.calls).toEqual([
      { id: OPEN_EXPERIMENTS_COMMAND, args: { experimentId: '7', runId: 'r1' } }
    ]);
    expect(note(host)).toBe('');
  });

  it('says the panel is missing when the command is not there, and opens once it is', async () => {
    const host = document.createElement('div');
    const commands = new Commands(false);
    renderLink(host, { experimentId: '2' }, commands);
    button(host).click();
    expect(commands.calls).toEqual([]);
    expect(note(host)).toBe(PANEL_MISSING);
    commands.registered = true;
    button(host).click();
    await flush();
    expect(commands.calls).toEqual([
      { id: OPEN_EXPERIMENTS_COMMAND, args: { experimentId: '2' } }
    ]);
    expect(note(host)).toBe('');
  });

  it('tells when the panel fails to open it', async () => {
    const host = document.createElement('div');
    renderLink(host, { runId: 'gone' }, new Commands(true, 'no run gone'));
    button(host).click();
    await flush();
    expect(note(host)).toBe(
      'The Experiments panel could not open it: no run gone'
    );
  });

  it('keeps the label as text, never markup', () => {
    const host = document.createElement('div');
    renderLink(
      host,
      { runId: 'r', label: '<img src=x onerror=alert(1)>' },
      new Commands(true)
    );
    expect(host.querySelector('img')).toBeNull();
    expect(button(host).textContent).toBe('<img src=x onerror=alert(1)>');
  });

  it('renders no button for data that names nothing', () => {
    const host = document.createElement('div');
    renderLink(host, { label: 'Open' }, new Commands(true));
    expect(host.querySelector('button')).toBeNull();
    expect(note(host)).toBe('This output names no run or experiment to open.');
  });
});
