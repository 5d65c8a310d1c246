/**
 * Fixtures and page helpers: the running stack (`lab`), JupyterLab's launcher and notebooks, and
 * the Atelier Running panel, all found by role and accessible name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  APIRequestContext,
  Locator,
  Page,
  TestInfo,
  test as base,
  expect
} from '@playwright/test';

import { ENV, RESULTS_DIR, fileTail, requireEnv } from './stack';

export { expect };

export interface KernelInfo {
  id: string;
  name: string;
  execution_state?: string;
  path?: string | null;
  instance_id?: string | null;
  instance_type?: string | null;
  image?: string | null;
  reason?: string | null;
}

export interface InstanceInfo {
  id: string;
  instance_type: string;
  image: string;
  kernels: Array<{ id: string; path: string | null }>;
}

export interface InstanceTypeInfo {
  name: string;
  available: boolean;
  unavailable_reason: string | null;
}

export interface IdlePolicyInfo {
  instance_type: string;
  kernel_idle_minutes: number;
  instance_idle_minutes: number;
}

/** The stack started by the global setup, and its REST APIs (for setup and checks only). */
export class Lab {
  constructor(private readonly request: APIRequestContext) {}

  readonly base = requireEnv(ENV.baseUrl);
  readonly token = requireEnv(ENV.token);

  /** JupyterLab in a workspace of its own, so no layout of an earlier test is restored. */
  workspaceUrl(workspace: string): string {
    return `${this.base}/lab/workspaces/${encodeURIComponent(workspace)}?token=${this.token}`;
  }

  private async getJson<T>(path: string): Promise<T> {
    const response = await this.request.get(`${this.base}${path}`, {
      headers: { Authorization: `token ${this.token}` }
    });
    expect(response.status(), `GET ${path}: ${await response.text()}`).toBe(200);
    return (await response.json()) as T;
  }

  private async delete(path: string): Promise<void> {
    const response = await this.request.delete(`${this.base}${path}`, {
      headers: { Authorization: `token ${this.token}` }
    });
    // 404: it went away meanwhile.
    expect([204, 404], `DELETE ${path}: ${await response.text()}`).toContain(response.status());
  }

  /** Kernels as jupyter_server (in gateway mode) reports them. */
  jupyterKernels(): Promise<KernelInfo[]> {
    return this.getJson<KernelInfo[]>('/api/kernels');
  }

  /** Kernels as the Atelier server reports them (through JupyterLab's proxy, like the panel). */
  async atelierKernels(): Promise<KernelInfo[]> {
    return (await this.getJson<{ kernels: KernelInfo[] }>('/atelier/api/kernels')).kernels;
  }

  /** Running instances as the Atelier server reports them. */
  async atelierInstances(): Promise<InstanceInfo[]> {
    return (await this.getJson<{ instances: InstanceInfo[] }>('/atelier/api/instances')).instances;
  }

  /** The instance type catalog. */
  async instanceTypes(): Promise<InstanceTypeInfo[]> {
    return (await this.getJson<{ instance_types: InstanceTypeInfo[] }>('/atelier/api/instance-types')).instance_types;
  }

  /** Every instance type's idle rules as the Atelier server enforces them. */
  async idlePolicies(): Promise<IdlePolicyInfo[]> {
    return (await this.getJson<{ policies: IdlePolicyInfo[] }>('/atelier/api/idle-policy')).policies;
  }

  /** Sets a type's idle rules on the server (cleanup only; the tests set them through the UI). */
  async setIdlePolicy(type: string, kernelMinutes: number, instanceMinutes: number): Promise<void> {
    const path = `/atelier/api/idle-policy/${encodeURIComponent(type)}`;
    const response = await this.request.put(`${this.base}${path}`, {
      headers: { Authorization: `token ${this.token}` },
      data: { kernel_idle_minutes: kernelMinutes, instance_idle_minutes: instanceMinutes }
    });
    expect(response.status(), `PUT ${path}: ${await response.text()}`).toBe(200);
  }

  /** A plugin's user settings as JupyterLab saved them (parsed by JupyterLab's server). */
  async userSettings(pluginId: string): Promise<Record<string, any>> {
    return (await this.getJson<{ settings: Record<string, any> }>(`/lab/api/settings/${pluginId}`)).settings;
  }

  /** Empties a plugin's user settings on the server (cleanup: later pages load the defaults). */
  async resetUserSettings(pluginId: string): Promise<void> {
    const path = `/lab/api/settings/${pluginId}`;
    const response = await this.request.put(`${this.base}${path}`, {
      headers: { Authorization: `token ${this.token}` },
      data: { raw: '{}' }
    });
    expect(response.status(), `PUT ${path}: ${await response.text()}`).toBe(204);
  }

  /** Stores an object in Atelier's object store (`PUT /atelier/api/objects?uri=`). */
  async putObject(uri: string, body: string | Buffer, contentType = 'text/csv'): Promise<void> {
    const path = `/atelier/api/objects?uri=${encodeURIComponent(uri)}`;
    const response = await this.request.put(`${this.base}${path}`, {
      headers: { Authorization: `token ${this.token}`, 'Content-Type': contentType },
      data: body
    });
    expect(response.status(), `PUT ${path}: ${await response.text()}`).toBe(201);
  }

  /** Creates a training job (`POST /atelier/api/training-jobs`, a CreateTrainingJob request). */
  async createTrainingJob(request: Record<string, unknown>): Promise<void> {
    const path = '/atelier/api/training-jobs';
    const response = await this.request.post(`${this.base}${path}`, {
      headers: { Authorization: `token ${this.token}` },
      data: request
    });
    expect(response.status(), `POST ${path}: ${await response.text()}`).toBe(201);
  }

  /** A training job's status (`GET /atelier/api/training-jobs/<name>`). */
  async trainingJobStatus(name: string): Promise<string> {
    const job = await this.getJson<{ TrainingJobStatus: string }>(`/atelier/api/training-jobs/${encodeURIComponent(name)}`);
    return job.TrainingJobStatus;
  }

  /** Creates a processing job (`POST /atelier/api/processing-jobs`, a CreateProcessingJob request). */
  async createProcessingJob(request: Record<string, unknown>): Promise<void> {
    const path = '/atelier/api/processing-jobs';
    const response = await this.request.post(`${this.base}${path}`, {
      headers: { Authorization: `token ${this.token}` },
      data: request
    });
    expect(response.status(), `POST ${path}: ${await response.text()}`).toBe(201);
  }

  /** DescribeTrainingJob as the Atelier server answers it. */
  trainingJob(name: string): Promise<Record<string, any>> {
    return this.getJson<Record<string, any>>(`/atelier/api/training-jobs/${encodeURIComponent(name)}`);
  }

  /** DescribeProcessingJob as the Atelier server answers it. */
  processingJob(name: string): Promise<Record<string, any>> {
    return this.getJson<Record<string, any>>(`/atelier/api/processing-jobs/${encodeURIComponent(name)}`);
  }

  /** An object's bytes as text (`GET /atelier/api/objects?uri=`). */
  async objectText(uri: string): Promise<string> {
    const path = `/atelier/api/objects?uri=${encodeURIComponent(uri)}`;
    const response = await this.request.get(`${this.base}${path}`, {
      headers: { Authorization: `token ${this.token}` }
    });
    expect(response.status(), `GET ${path}: ${await response.text()}`).toBe(200);
    return response.text();
  }

  /** Saves a text file in the notebook root (jupyter_server's contents API). */
  async saveFile(path: string, text: string): Promise<void> {
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    const response = await this.request.put(`${this.base}/api/contents/${encoded}`, {
      headers: { Authorization: `token ${this.token}` },
      data: { type: 'file', format: 'text', content: text }
    });
    expect([200, 201], `PUT /api/contents/${encoded}: ${await response.text()}`).toContain(response.status());
  }

  /** Stops a training job unless it has ended (cleanup only; 409 when it has ended). */
  async stopTrainingJobIfRunning(name: string): Promise<void> {
    const path = `/atelier/api/training-jobs/${encodeURIComponent(name)}/stop`;
    const response = await this.request.post(`${this.base}${path}`, {
      headers: { Authorization: `token ${this.token}` }
    });
    expect([200, 404, 409], `POST ${path}: ${await response.text()}`).toContain(response.status());
  }

  /** Stops a processing job unless it has ended (cleanup only; 409 when it has ended). */
  async stopProcessingJobIfRunning(name: string): Promise<void> {
    const path = `/atelier/api/processing-jobs/${encodeURIComponent(name)}/stop`;
    const response = await this.request.post(`${this.base}${path}`, {
      headers: { Authorization: `token ${this.token}` }
    });
    expect([200, 404, 409], `POST ${path}: ${await response.text()}`).toContain(response.status());
  }

  /** The metadata of a notebook as saved on disk (jupyter_server's contents API). */
  async savedNotebookMetadata(path: string): Promise<Record<string, any>> {
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    const model = await this.getJson<{ content: { metadata: Record<string, any> } }>(
      `/api/contents/${encoded}?type=notebook&content=1`
    );
    return model.content.metadata;
  }

  /** Ends every session and kernel, and waits until the Atelier server lists no kernel. */
  async shutDownEverything(): Promise<void> {
    for (const session of await this.getJson<Array<{ id: string }>>('/api/sessions')) {
      await this.delete(`/api/sessions/${session.id}`);
    }
    for (const kernel of await this.jupyterKernels()) {
      await this.delete(`/api/kernels/${kernel.id}`);
    }
    for (const kernel of await this.atelierKernels()) {
      await this.delete(`/api/kernels/${kernel.id}`);
    }
    await expect
      .poll(async () => (await this.atelierKernels()).map(k => k.id), {
        message: 'kernels left on the Atelier server',
        timeout: 30_000
      })
      .toEqual([]);
  }
}

export const test = base.extend<{ lab: Lab }>({
  lab: async ({ playwright }, use, testInfo) => {
    const request = await playwright.request.newContext();
    const lab = new Lab(request);
    // Every test starts without kernels, whatever ran before it.
    await lab.shutDownEverything();
    await use(lab);
    if (testInfo.status !== testInfo.expectedStatus) {
      for (const [name, env] of [
        ['atelier-server.log', ENV.serverLog],
        ['launcher-and-jupyterlab.log', ENV.launcherLog]
      ]) {
        const file = process.env[env];
        if (file && fs.existsSync(file)) {
          await testInfo.attach(name, { body: fileTail(file, 200), contentType: 'text/plain' });
        }
      }
    }
    await lab.shutDownEverything();
    await request.dispose();
  }
});

/**
 * Saves a screenshot of the page as test-results/screenshots/<test title>/<name>.png (the
 * directory is emptied at the start of each run).
 */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const dir = path.join(RESULTS_DIR, 'screenshots', slug(testInfo.title));
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

function slug(text: string): string {
  return text
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

/** Opens JupyterLab (fresh workspace) and waits for its launcher. */
export async function openLab(page: Page, lab: Lab, testInfo: TestInfo): Promise<void> {
  const workspace = `browser-${slug(testInfo.title).slice(0, 40)}-${Date.now()}`;
  await page.goto(lab.workspaceUrl(workspace));
  await expect(launcherPanel(page)).toBeVisible({ timeout: 90_000 });
}

export function launcherPanel(page: Page): Locator {
  return page.getByRole('main').getByRole('tabpanel', { name: 'Launcher' });
}

/** The main area's document tabs. */
function mainTabs(page: Page): Locator {
  return page.getByRole('main').getByRole('tablist').first().getByRole('tab');
}

/**
 * Creates a notebook from the launcher's "Notebook" section with the Python 3 kernel and waits
 * until its kernel is idle. Returns the notebook's file name (e.g. "Untitled1.ipynb").
 */
export async function newNotebook(page: Page): Promise<string> {
  const launcher = launcherPanel(page);
  if (!(await launcher.isVisible())) {
    await page.getByRole('main').getByRole('button', { name: 'New Launcher' }).click();
  }
  await expect(launcher).toBeVisible();
  const before = new Set((await mainTabs(page).allInnerTexts()).map(text => text.trim()));
  const notebookCards = launcher
    .locator('.jp-Launcher-section')
    .filter({ has: page.getByRole('heading', { name: 'Notebook', exact: true }) })
    .getByRole('button', { name: /^Python 3/ });
  await expect(notebookCards).toHaveCount(1);
  await notebookCards.click();

  // The new notebook's tab, selected (not one that was open before).
  let name = '';
  await expect
    .poll(
      async () => {
        const tab = page.getByRole('main').getByRole('tab', { selected: true, name: /\.ipynb$/ });
        const names = (await tab.allInnerTexts()).map(text => text.trim());
        name = names.length === 1 && !before.has(names[0]) ? names[0] : '';
        return name;
      },
      { message: 'a new notebook tab is selected' }
    )
    .not.toBe('');
  await expectKernelStatus(page, name, /^Python 3 \(ipykernel\) \| Idle$/);
  return name;
}

/** The notebook's panel in the main area. */
export function notebookPanel(page: Page, name: string): Locator {
  return page.getByRole('main').getByRole('tabpanel', { name });
}

/** JupyterLab's status bar kernel indicator ("<kernel> | <status>") for the notebook shown. */
export async function expectKernelStatus(page: Page, name: string, status: RegExp): Promise<void> {
  await expect(page.getByRole('main').getByRole('tab', { name, selected: true })).toBeVisible();
  await expect(page.getByRole('contentinfo').getByRole('button', { name: status })).toBeVisible({
    timeout: 90_000
  });
}

/** Types code into the notebook's first cell and runs it with Shift+Enter. */
export async function runFirstCell(page: Page, name: string, code: string): Promise<Locator> {
  const cells = notebookPanel(page, name).getByRole('feed', { name: 'Cells' });
  const editor = cells.getByRole('textbox').first();
  await editor.click();
  await expect(editor).toBeFocused();
  await page.keyboard.type(code);
  await expect(editor).toHaveText(code);
  await page.keyboard.press('Shift+Enter');
  return cells;
}

/** The notebook's own toolbar (above its cells). */
export function notebookToolbar(page: Page, name: string): Locator {
  return notebookPanel(page, name).getByRole('toolbar', { name: 'main area toolbar' });
}

/** The Atelier Jobs panel, opened from its sidebar tab unless the layout already shows it. */
export async function openJobsPanel(page: Page): Promise<Locator> {
  const panel = page.locator('#atelier-jobs');
  if (!(await panel.isVisible())) {
    await page.getByRole('tab', { name: 'Atelier: jobs' }).click();
  }
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading', { name: /^Jobs/ })).toBeVisible();
  return panel;
}

/** The Atelier Running panel, opened from its sidebar tab unless the layout already shows it. */
export async function openRunningPanel(page: Page): Promise<Locator> {
  const panel = page.locator('#atelier-running');
  if (!(await panel.isVisible())) {
    await page.getByRole('tab', { name: 'Atelier: running kernels' }).click();
  }
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading', { name: /^Running instances/ })).toBeVisible();
  await expect(panel.getByRole('heading', { name: /^Kernel sessions/ })).toBeVisible();
  return panel;
}
