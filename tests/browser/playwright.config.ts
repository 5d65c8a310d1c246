import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * Browser tests: Debian's Chromium drives stock JupyterLab in front of a real Atelier server,
 * both started by `scripts/atelier start` in global setup. Playwright's own browser builds are
 * never used (and never downloaded).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

try {
  fs.accessSync(CHROMIUM_PATH, fs.constants.X_OK);
} catch {
  throw new Error(
    `No Chromium at ${CHROMIUM_PATH}: install chromium (apt-get install -y chromium), ` +
      'or point CHROMIUM_PATH at a Chromium binary. The browser tests cannot run without it.'
  );
}

export default defineConfig({
  testDir: path.join(__dirname, 'specs'),
  outputDir: path.join(__dirname, 'test-results'),
  globalSetup: path.join(__dirname, 'support', 'global-setup.ts'),
  // One stack, one browser at a time: the tests look at the server's list of all kernels.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  // Bounded everywhere: the whole run, each test, each assertion.
  globalTimeout: 1_800_000,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      // Playwright gives every launched browser a fresh temporary user-data-dir.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  }
});
