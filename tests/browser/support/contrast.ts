import { Locator, Page } from '@playwright/test';

import { expect } from './fixtures';

/**
 * WCAG 2 contrast ratio of an element's text against what is behind it, from
 * getComputedStyle: the text colour composited over the element's and its
 * ancestors' backgrounds (colours of any syntax, color-mix() included, are
 * resolved by drawing them on a canvas).
 */
export async function contrast(locator: Locator): Promise<{ ratio: number; text: string; background: string }> {
  return locator.evaluate((element: Element) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const rgba = (css: string): number[] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return [r, g, b, a / 255];
    };
    const over = (top: number[], bottom: number[]): number[] => [
      top[0] * top[3] + bottom[0] * (1 - top[3]),
      top[1] * top[3] + bottom[1] * (1 - top[3]),
      top[2] * top[3] + bottom[2] * (1 - top[3]),
      1
    ];
    const layers: number[][] = [];
    for (let node: Element | null = element; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) {
        layers.push(colour);
        if (colour[3] === 1) {
          break;
        }
      }
    }
    let background = [255, 255, 255, 1];
    for (const layer of layers.reverse()) {
      background = over(layer, background);
    }
    const text = over(rgba(getComputedStyle(element).color), background);
    const luminance = (c: number[]): number => {
      const [r, g, b] = c.slice(0, 3).map(v => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [hi, lo] = [luminance(text), luminance(background)].sort((a, b) => b - a);
    const show = (c: number[]): string => `rgb(${c.slice(0, 3).map(Math.round).join(',')})`;
    return { ratio: (hi + 0.05) / (lo + 0.05), text: show(text), background: show(background) };
  });
}

export async function expectReadable(what: string, locator: Locator): Promise<void> {
  await expect(locator).toBeVisible();
  const result = await contrast(locator);
  expect(result.ratio, `${what}: ${result.text} on ${result.background}`).toBeGreaterThanOrEqual(4.5);
}

/** Settings > Theme > <name>, then wait until JupyterLab says it is applied. */
export async function switchTheme(page: Page, name: string, light: boolean): Promise<void> {
  await page.getByRole('menubar').getByText('Settings', { exact: true }).click();
  // A submenu opener has no menuitem role in Lumino's menus.
  await page.getByRole('menu').getByText('Theme', { exact: true }).click();
  await page
    .getByRole('menuitemcheckbox', { name, exact: true })
    .or(page.getByRole('menuitem', { name, exact: true }))
    .click();
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-name', name);
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', String(light));
}
