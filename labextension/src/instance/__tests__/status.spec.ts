import { toInstanceRow } from '../../running/instanceFormat';
import { instance, NOW } from '../../running/__tests__/fixtures';
import { asNotebookPanel, statusText } from '../status';
import { catalogs, kernelOn } from './catalogs';

describe('statusText', () => {
  it('says nothing while nothing is known', () => {
    expect(statusText(null, undefined, undefined, catalogs())).toBeNull();
  });

  it("names the type, the image and the kernel's instance cost", () => {
    const kernel = kernelOn('ml.t3.medium', 'local');
    const row = toInstanceRow(instance({ id: 'i1' }), NOW, NOW);
    const s = statusText(
      { instanceType: 'ml.t3.medium', image: 'local', source: 'kernel' },
      kernel,
      row,
      catalogs()
    )!;
    expect(s.text).toBe(`ml.t3.medium · local · ${row.costLabel}`);
    expect(row.costLabel).toMatch(/^\$/);
    expect(s.title).toContain('2 vCPU, 4 GiB, $0.05/h');
    expect(s.title).toContain(`has cost ${row.costLabel} so far`);
    expect(s.title).toContain('Click to change');
  });

  it("leaves the cost out when the instance is another kernel's", () => {
    const kernel = kernelOn('ml.t3.medium', 'local');
    const other = toInstanceRow(instance({ id: 'i-other' }), NOW, NOW);
    const s = statusText(
      { instanceType: 'ml.t3.medium', image: 'local', source: 'kernel' },
      kernel,
      other,
      catalogs()
    )!;
    expect(s.text).toBe('ml.t3.medium · local');
  });

  it('says when no kernel runs yet on what the notebook asks for', () => {
    const s = statusText(
      { instanceType: 'ml.m5.large', image: 'local', source: 'notebook' },
      undefined,
      undefined,
      null
    )!;
    expect(s.text).toBe('ml.m5.large · local');
    expect(s.title).toContain('No kernel is running on it yet');
  });
});

describe('asNotebookPanel', () => {
  it('takes a widget with a session and a document model', () => {
    const panel = {
      sessionContext: {},
      context: { path: 'a.ipynb', model: { getMetadata: () => null } }
    };
    expect(asNotebookPanel(panel as any)).toBe(panel);
  });

  it('refuses other widgets', () => {
    expect(asNotebookPanel(null)).toBeNull();
    expect(
      asNotebookPanel({ context: { model: { getMetadata: () => 1 } } } as any)
    ).toBeNull();
    expect(asNotebookPanel({ sessionContext: {} } as any)).toBeNull();
  });
});
