import { expect, newNotebook, notebookToolbar, openLab, snap, test } from '../support/fixtures';

test('the instance picker shows a caret and its dialog shows every box whole', async ({ page, lab }, testInfo) => {
  await openLab(page, lab, testInfo);
  const name = await newNotebook(page);
  const spec = notebookToolbar(page, name).getByRole('button', { name: /^Instance: / });
  await expect(spec).toHaveAccessibleName(/^Instance: ml\.t3\.medium/);
  // A control: a caret after the label, as JupyterLab's own toolbar dropdowns have.
  const caret = spec.locator('svg[data-icon="ui-components:caret-down"]');
  await expect(caret).toBeVisible();
  const label = await spec.locator('.jp-ToolbarButtonComponent-label').boundingBox();
  const caretBox = await caret.boundingBox();
  expect(caretBox!.x).toBeGreaterThanOrEqual(label!.x + label!.width);
  await snap(page, testInfo, '01-toolbar-caret');

  await spec.click();
  const picker = page.getByRole('dialog', { name: `Instance for ${name}` });
  await expect(picker.getByRole('radiogroup', { name: 'Image' })).toBeVisible();
  const body = picker.locator('.jp-AtelierPicker');
  // Nothing of the picker is cut off: no scrolling needed at this size, and the Image box's
  // bottom border (the last box) lies inside the picker's visible area.
  const sizes = await body.evaluate(node => {
    const image = [...node.querySelectorAll('fieldset')].pop()!.getBoundingClientRect();
    const area = node.getBoundingClientRect();
    const style = getComputedStyle(node);
    return {
      scrollHeight: node.scrollHeight,
      clientHeight: node.clientHeight,
      imageBottom: image.bottom,
      areaBottom: area.bottom - parseFloat(style.borderBottomWidth)
    };
  });
  expect(sizes.scrollHeight, 'the picker needs no scrolling').toBeLessThanOrEqual(sizes.clientHeight);
  expect(sizes.imageBottom, "the Image box's bottom border is inside").toBeLessThanOrEqual(sizes.areaBottom);
  await snap(page, testInfo, '02-picker');
  await picker.getByRole('button', { name: 'Cancel' }).click();
  await expect(picker).toBeHidden();
});
