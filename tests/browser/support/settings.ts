/**
 * JupyterLab's JSON settings editor ("Advanced Settings Editor"), used as a person would: opened
 * from the command palette, a plugin picked by its title, the user preferences replaced and saved.
 */
import { Page } from '@playwright/test';

import { expect } from './fixtures';

/** Opens the Advanced Settings Editor on the plugin titled `title`. */
export async function openJsonSettings(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Control+Shift+C');
  const palette = page.locator('#command-palette');
  await expect(palette).toBeVisible();
  await palette.locator('input').fill('Advanced Settings Editor');
  await palette.locator('.lm-CommandPalette-item', { hasText: 'Advanced Settings Editor' }).first().click();
  const entry = page.locator('.jp-PluginList-entry', { hasText: title }).first();
  await expect(entry).toBeVisible();
  await entry.click();
  await expect(page.locator('.jp-SettingsRawEditor')).toBeVisible();
  await expect(page.locator('.jp-SettingsRawEditor-user .cm-content')).toBeVisible();
}

/** Replaces the user preferences of the open plugin with `json`, then saves them. */
export async function saveUserSettings(page: Page, json: string): Promise<void> {
  const user = page.locator('.jp-SettingsRawEditor-user .cm-content');
  await user.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // insertText: no key events, so no brackets or quotes are closed automatically.
  await page.keyboard.insertText(json);
  await expect(user).toContainText(json.slice(0, 12));
  await page.keyboard.press('Control+S');
}
