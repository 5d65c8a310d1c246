import { crumbs, formatBytes, joinPath, previewKind } from '../artifacts';
import { runSource } from '../source';

describe('previewKind', () => {
  it('previews images and text by extension, and not large files', () => {
    expect(previewKind('plots/loss.PNG')).toBe('image');
    expect(previewKind('notes.txt', 10)).toBe('text');
    expect(previewKind('model/MLmodel')).toBe('text');
    expect(previewKind('big.log', 2 * 1024 * 1024)).toBe('none');
    expect(previewKind('model.pkl')).toBe('none');
    expect(previewKind('.hidden')).toBe('none');
  });
});

describe('paths', () => {
  it('joins and splits folders', () => {
    expect(joinPath('', 'a')).toBe('a');
    expect(joinPath('a/b', 'c')).toBe('a/b/c');
    expect(crumbs('')).toEqual([['', 'artifacts']]);
    expect(crumbs('a/b')).toEqual([
      ['', 'artifacts'],
      ['a', 'a'],
      ['a/b', 'b']
    ]);
  });

  it('formats sizes', () => {
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes('1500')).toBe('1.5 kB');
    expect(formatBytes(3_400_000)).toBe('3.4 MB');
    expect(formatBytes(undefined)).toBe('');
  });
});

describe('runSource', () => {
  it('links jobs and notebooks from the atelier.source tags', () => {
    expect(
      runSource({
        'atelier.source.type': 'TRAINING_JOB',
        'atelier.source.name': 'fit'
      })
    ).toEqual({
      kind: 'job',
      jobKind: 'training',
      name: 'fit'
    });
    expect(
      runSource({
        'atelier.source.type': 'PROCESSING_JOB',
        'atelier.source.name': 'prep'
      })
    ).toEqual({
      kind: 'job',
      jobKind: 'processing',
      name: 'prep'
    });
    expect(
      runSource({
        'atelier.source.type': 'NOTEBOOK',
        'atelier.source.name': 'work/a.ipynb'
      })
    ).toEqual({
      kind: 'notebook',
      path: 'work/a.ipynb'
    });
  });

  it("falls back to MLflow's tags, and only links relative notebook paths", () => {
    expect(
      runSource({
        'mlflow.source.type': 'NOTEBOOK',
        'mlflow.source.name': 'b.ipynb'
      })
    ).toEqual({
      kind: 'notebook',
      path: 'b.ipynb'
    });
    expect(
      runSource({
        'mlflow.source.type': 'LOCAL',
        'mlflow.source.name': '/usr/bin/x.py'
      })
    ).toEqual({
      kind: 'other',
      type: 'LOCAL',
      name: '/usr/bin/x.py'
    });
    expect(runSource({})).toBeNull();
  });
});
