/**
 * Jupyter widgets whose state carries binary buffers, through the front door: the PNG bytes of an
 * Image go from the kernel to the browser, a FileUpload's file content from the browser to the
 * kernel, and a FloatSlider's value both ways. All of it travels in comm messages on the kernel
 * channels WebSocket that the Atelier server serves itself.
 */
import { createHash } from 'node:crypto';

import type { Locator, Page } from '@playwright/test';

import { expect, newNotebook, notebookPanel, openLab, snap, test } from '../support/fixtures';

/**
 * Puts `code` into the notebook's last cell (empty: a new notebook's first cell, or the one
 * JupyterLab adds after running the last one) and runs it with Shift+Enter. Returns that cell.
 *
 * The code is inserted as one piece of text, not typed key by key, so the editor adds no
 * indentation or closing brackets of its own.
 */
async function runCell(page: Page, name: string, code: string): Promise<Locator> {
  const cells = notebookPanel(page, name).getByRole('feed', { name: 'Cells' });
  const all = cells.locator('.jp-CodeCell');
  const index = (await all.count()) - 1;
  const cell = all.nth(index);
  const editor = cell.getByRole('textbox');
  await expect(editor).toHaveText('');
  await editor.click();
  await expect(editor).toBeFocused();
  await page.keyboard.insertText(code);
  // The editor's lines, without the line breaks between them.
  await expect(editor).toHaveText(code.replace(/\n/g, ''));
  await page.keyboard.press('Shift+Enter');
  // Ran: the prompt shows an execution count; JupyterLab added an empty cell below.
  await expect(cell.locator('.jp-InputPrompt')).toHaveText(/^\[\d+\]:$/);
  await expect(all).toHaveCount(index + 2);
  return cell;
}

/**
 * Records the binary frames of the page's kernel channels WebSockets (`/api/kernels/<id>/channels`
 * on the front door), both ways. Call before the page opens JupyterLab.
 */
function recordKernelFrames(page: Page, base: string): { received: Buffer[]; sent: Buffer[]; urls: string[] } {
  const frames = { received: [] as Buffer[], sent: [] as Buffer[], urls: [] as string[] };
  const prefix = `${base.replace(/^http:/, 'ws:')}/api/kernels/`;
  page.on('websocket', ws => {
    const url = new URL(ws.url());
    if (!ws.url().startsWith(prefix) || !url.pathname.endsWith('/channels')) {
      return;
    }
    frames.urls.push(ws.url());
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string') frames.received.push(payload);
    });
    ws.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string') frames.sent.push(payload);
    });
  });
  return frames;
}

/** What the cell printed (its stdout output, all of it). */
function stdout(cell: Locator): Locator {
  return cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]');
}

/**
 * A 64x64 RGB PNG built in the kernel with zlib and struct only: red rises from left to right,
 * green from top to bottom, and blue is a checkerboard of 8x8 squares (on where the square's
 * column and row add up to an even number). Prints the PNG's size and SHA-256.
 */
const PNG_CELL = `import hashlib, struct, zlib
import ipywidgets as widgets
from IPython.display import display

def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))

def pixel(x, y):
    return bytes((4 * x, 4 * y, 255 if (x // 8 + y // 8) % 2 == 0 else 0))

rows = b''.join(b'\\x00' + b''.join(pixel(x, y) for x in range(64)) for y in range(64))
png = (b'\\x89PNG\\r\\n\\x1a\\n'
       + chunk(b'IHDR', struct.pack('>IIBBBBB', 64, 64, 8, 2, 0, 0, 0))
       + chunk(b'IDAT', zlib.compress(rows, 9))
       + chunk(b'IEND', b''))
print(len(png), hashlib.sha256(png).hexdigest())
image = widgets.Image(value=png, format='png', width=256, height=256)
display(image)`;

/** The pattern of PNG_CELL, as RGBA. */
function expectedPixel(x: number, y: number): number[] {
  return [4 * x, 4 * y, (Math.floor(x / 8) + Math.floor(y / 8)) % 2 === 0 ? 255 : 0, 255];
}

const SAMPLES: Array<[number, number]> = [
  [0, 0],
  [8, 0],
  [40, 20],
  [63, 63],
  [17, 50]
];

test('renders an Image widget from PNG bytes sent by the kernel', async ({ page, lab }, testInfo) => {
  const frames = recordKernelFrames(page, lab.base);
  await openLab(page, lab, testInfo);
  const name = await newNotebook(page);
  const cell = await runCell(page, name, PNG_CELL);

  // The kernel's view of the bytes.
  await expect(stdout(cell)).toHaveText(/^\d+ [0-9a-f]{64}\s*$/);
  const [size, sha256] = (await stdout(cell).innerText()).trim().split(' ');
  expect(Number(size)).toBeGreaterThan(1000);

  // The widget's <img>: its source is a blob: URL made from the binary buffer, decoded as a
  // 64x64 image and shown at 256x256.
  const output = cell.locator('.jp-OutputArea-output').filter({ has: page.locator('.widget-image') });
  const img = output.getByRole('img');
  await expect(img).toHaveCount(1);
  await expect(img).toBeVisible();
  await expect(img).toHaveAttribute('src', /^blob:/);
  await expect(img).toHaveJSProperty('complete', true);
  await expect(img).toHaveJSProperty('naturalWidth', 64);
  await expect(img).toHaveJSProperty('naturalHeight', 64);
  const box = await img.boundingBox();
  expect(box && [Math.round(box.width), Math.round(box.height)]).toEqual([256, 256]);
  await snap(page, testInfo, '01-image-widget');

  // Byte for byte what the kernel sent, and the pixels the kernel drew.
  const seen = await img.evaluate(async (element: HTMLImageElement, samples: Array<[number, number]>) => {
    const bytes = await (await fetch(element.src)).arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const canvas = document.createElement('canvas');
    canvas.width = element.naturalWidth;
    canvas.height = element.naturalHeight;
    const context = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
    context.drawImage(element, 0, 0);
    return {
      bytes: Array.from(new Uint8Array(bytes)),
      size: bytes.byteLength,
      sha256: Array.from(digest, b => b.toString(16).padStart(2, '0')).join(''),
      pixels: samples.map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data))
    };
  }, SAMPLES);
  expect(seen.size).toBe(Number(size));
  expect(seen.sha256).toBe(sha256);
  expect(seen.pixels).toEqual(SAMPLES.map(([x, y]) => expectedPixel(x, y)));

  // The PNG came as it is, a binary buffer in a frame of the kernel channels WebSocket (no base64
  // or JSON around it).
  const png = Buffer.from(seen.bytes);
  expect(frames.urls.length, 'kernel channels WebSockets on the front door').toBeGreaterThan(0);
  expect(frames.received.filter(frame => frame.includes(png)).length, 'received frames holding the PNG').toBeGreaterThan(0);
});

test('moves a FloatSlider in the browser and reads its value in the kernel', async ({ page, lab }, testInfo) => {
  await openLab(page, lab, testInfo);
  const name = await newNotebook(page);
  const sliderCell = await runCell(
    page,
    name,
    `import ipywidgets as widgets
moved = []
s = widgets.FloatSlider(min=0, max=10, step=0.5, value=2, description='Gain')
s.observe(lambda change: moved.append(change['new']), names='value')
s`
  );
  const widget = sliderCell.locator('.widget-slider');
  const slider = widget.getByRole('slider');
  const readout = widget.locator('.widget-readout');
  await expect(slider).toHaveAttribute('aria-valuemin', '0.0');
  await expect(slider).toHaveAttribute('aria-valuemax', '10.0');
  await expect(slider).toHaveAttribute('aria-valuenow', '2.0');
  await expect(readout).toHaveText('2.00');

  // One step right with the keyboard.
  await slider.focus();
  await expect(slider).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(slider).toHaveAttribute('aria-valuenow', '2.5');
  await expect(readout).toHaveText('2.50');
  await expect(stdout(await runCell(page, name, 'print(s.value, moved)'))).toHaveText('2.5 [2.5]');

  // To the maximum with End.
  await slider.focus();
  await page.keyboard.press('End');
  await expect(slider).toHaveAttribute('aria-valuenow', '10.0');
  await expect(readout).toHaveText('10.00');
  await snap(page, testInfo, '01-slider-at-end');
  await expect(stdout(await runCell(page, name, 'print(s.value, moved)'))).toHaveText('10.0 [2.5, 10.0]');

  // Dragged with the mouse past the left end of its track: the minimum. (While it moves the
  // slider sends the values in between too, so only the last one is printed after the first two.)
  const handle = await slider.boundingBox();
  const track = await widget.locator('.noUi-target').boundingBox();
  if (!handle || !track) {
    throw new Error('the slider has no layout box');
  }
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(track.x + track.width / 2, handle.y + handle.height / 2, { steps: 5 });
  await page.mouse.move(track.x - 40, handle.y + handle.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(slider).toHaveAttribute('aria-valuenow', '0.0');
  await expect(readout).toHaveText('0.00');
  // ipywidgets sends a model's next update only once the kernel has answered the previous one
  // (it holds back what changes meanwhile), so the last value of a drag may still be on its way
  // when the next cell is sent: the cell is run again until the kernel has it.
  await expect(async () => {
    const check = await runCell(page, name, 'print(s.value, moved[:2], moved[-1])');
    await expect(stdout(check)).toHaveText('0.0 [2.5, 10.0] 0.0', { timeout: 10_000 });
  }).toPass({ timeout: 60_000, intervals: [0] });

  // And back: the kernel sets the value, the slider in the page follows.
  await runCell(page, name, 's.value = 7.5');
  await expect(slider).toHaveAttribute('aria-valuenow', '7.5');
  await expect(readout).toHaveText('7.50');
  await sliderCell.scrollIntoViewIfNeeded();
  await snap(page, testInfo, '02-slider-set-by-kernel');
});

test('uploads a file with a FileUpload widget and reads its bytes in the kernel', async ({ page, lab }, testInfo) => {
  const frames = recordKernelFrames(page, lab.base);
  await openLab(page, lab, testInfo);
  const name = await newNotebook(page);
  const uploadCell = await runCell(
    page,
    name,
    `import hashlib
import ipywidgets as widgets
up = widgets.FileUpload(description='Upload')
up`
  );
  const button = uploadCell.getByRole('button', { name: 'Upload (0)' });
  await expect(button).toBeVisible();

  // 96 KiB with every byte value, in an order that compresses badly.
  const content = Buffer.alloc(96 * 1024);
  let state = 12345;
  for (let i = 0; i < content.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    content[i] = state >>> 24;
  }
  content.set(Array.from({ length: 256 }, (_, i) => i), 0);
  const sha256 = createHash('sha256').update(content).digest('hex');

  const chooser = page.waitForEvent('filechooser');
  await button.click();
  await (await chooser).setFiles({ name: 'data.bin', mimeType: 'application/octet-stream', buffer: content });
  await expect(uploadCell.getByRole('button', { name: 'Upload (1)' })).toBeVisible();

  const check = await runCell(
    page,
    name,
    `f = up.value[0]
print(f['name'], f['size'], len(f['content']), hashlib.sha256(f['content']).hexdigest())`
  );
  await expect(stdout(check)).toHaveText(`data.bin ${content.length} ${content.length} ${sha256}`);
  await snap(page, testInfo, '01-file-uploaded');

  // The content left the page as it is, a binary buffer in a frame of the kernel channels WebSocket.
  expect(frames.urls.length, 'kernel channels WebSockets on the front door').toBeGreaterThan(0);
  expect(frames.sent.filter(frame => frame.includes(content)).length, 'sent frames holding the file').toBeGreaterThan(0);
});
