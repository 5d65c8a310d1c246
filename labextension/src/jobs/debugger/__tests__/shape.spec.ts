import {
  alignSteps,
  decodeScalar,
  firedAt,
  hasDebugger,
  isScalar,
  mergeSamples,
  profilerColumns,
  reducedTensorNames,
  reductionNumber,
  reductionSeries,
  ruleBadge,
  scalarKey,
  scalarSeries,
  scalarsToRead
} from '../shape';
import { IIndexTensor, ITensorStep } from '../tokens';

const FILE = (s: number) => `s3://atelier/jobs/j/debug-output/events/${s}.atd`;

function step(s: number, tensors: IIndexTensor[], size = 100): ITensorStep {
  return {
    step: s,
    index: [
      {
        worker: 'worker_0',
        event_file: FILE(s),
        entry: { version: 1, step: s, worker: 'worker_0', size, tensors }
      }
    ]
  };
}

const loss = (mode: string, offset: number): IIndexTensor => ({
  name: 'losses/loss',
  mode,
  mode_step: 0,
  collections: ['losses'],
  dtype: '<f8',
  shape: [],
  offset,
  length: 8
});

const grad = (norm: number | string, mode = 'TRAIN'): IIndexTensor => ({
  name: 'gradients/dense/kernel',
  mode,
  mode_step: 0,
  collections: ['gradients'],
  reductions: {
    norm: norm as number,
    mean: 0.5,
    histogram: { edges: [0, 1], counts: [1] }
  }
});

describe('which jobs have a Debugger view', () => {
  it('is shown for hook, rule or profiler config, not otherwise', () => {
    expect(hasDebugger(null)).toBe(false);
    expect(hasDebugger({ TrainingJobName: 'j' })).toBe(false);
    expect(hasDebugger({ DebugHookConfig: { S3OutputPath: 's3://b/' } })).toBe(
      true
    );
    expect(hasDebugger({ DebugRuleConfigurations: [] })).toBe(false);
    expect(
      hasDebugger({ DebugRuleConfigurations: [{ RuleConfigurationName: 'r' }] })
    ).toBe(true);
    expect(hasDebugger({ ProfilerConfig: { DisableProfiler: true } })).toBe(
      false
    );
    expect(hasDebugger({ ProfilerConfig: {} })).toBe(true);
  });
});

describe('rule statuses', () => {
  it('badges each status, an unknown one as itself', () => {
    expect(ruleBadge('IssuesFound')).toEqual({
      tone: 'error',
      label: 'Issues found'
    });
    expect(ruleBadge('NoIssuesFound').tone).toBe('success');
    expect(ruleBadge('InProgress').tone).toBe('running');
    expect(ruleBadge('Error').tone).toBe('warning');
    expect(ruleBadge('Odd')).toEqual({ tone: 'neutral', label: 'Odd' });
  });

  it('says where a rule fired only when it found issues at a step', () => {
    const base = { RuleConfigurationName: 'vg', Step: 7 };
    expect(
      firedAt({
        ...base,
        RuleEvaluationStatus: 'IssuesFound',
        TensorName: 'gradients/a',
        Mode: 'TRAIN'
      })
    ).toEqual({ step: 7, tensor: 'gradients/a', mode: 'TRAIN' });
    expect(firedAt({ ...base, RuleEvaluationStatus: 'InProgress' })).toBeNull();
    expect(
      firedAt({
        RuleConfigurationName: 'x',
        RuleEvaluationStatus: 'IssuesFound'
      })
    ).toBeNull();
  });
});

describe('tensor values', () => {
  it('reads the index strings of non-finite reductions back', () => {
    expect(reductionNumber(2)).toBe(2);
    expect(reductionNumber('NaN')).toBeNaN();
    expect(reductionNumber('Infinity')).toBe(Infinity);
    expect(reductionNumber('-Infinity')).toBe(-Infinity);
    expect(reductionNumber({ edges: [] })).toBeNull();
    expect(reductionNumber(undefined)).toBeNull();
  });

  it('decodes a little-endian scalar at its offset, refusing what does not fit', () => {
    const buffer = new ArrayBuffer(20);
    const view = new DataView(buffer);
    view.setFloat64(4, 0.125, true);
    view.setFloat32(12, 2.5, true);
    view.setInt32(16, -3, true);
    expect(decodeScalar(buffer, 4, 8, '<f8')).toBe(0.125);
    expect(decodeScalar(buffer, 12, 4, '<f4')).toBe(2.5);
    expect(decodeScalar(buffer, 16, 4, '<i4')).toBe(-3);
    expect(decodeScalar(buffer, 16, 8, '<f8')).toBeNull();
    expect(decodeScalar(buffer, 4, 8, '<c16')).toBeNull();
    expect(decodeScalar(buffer, 4, 2, '<f8')).toBeNull();
  });

  it('takes losses, metrics and saved scalars as scalars, not a reduced tensor', () => {
    expect(isScalar(loss('TRAIN', 4))).toBe(true);
    expect(isScalar(grad(1))).toBe(false);
    expect(
      isScalar({ ...loss('TRAIN', 4), collections: ['weights'], shape: [3] })
    ).toBe(false);
  });
});

describe('series over steps', () => {
  const steps = [
    step(0, [loss('TRAIN', 4), grad(3)]),
    step(1, [loss('EVAL', 4)]),
    step(2, [loss('TRAIN', 4), grad('Infinity')])
  ];
  const values = new Map([
    [scalarKey(FILE(0), 4), 0.9],
    [scalarKey(FILE(1), 4), 1.1],
    [scalarKey(FILE(2), 4), 0.5]
  ]);

  it('puts train and eval scalars on their global steps, a series a mode', () => {
    expect(scalarSeries(steps, values)).toEqual({
      'losses/loss (TRAIN)': [
        [0, 0.9],
        [2, 0.5]
      ],
      'losses/loss (EVAL)': [[1, 1.1]]
    });
  });

  it('uses a scalar mean reduction when the value was not decoded', () => {
    const reduced = step(3, [
      { ...loss('TRAIN', 4), offset: undefined, reductions: { mean: 0.2 } }
    ]);
    expect(scalarSeries([reduced], new Map())).toEqual({
      'losses/loss (TRAIN)': [[3, 0.2]]
    });
  });

  it('reads only small event files for their scalars', () => {
    expect(scalarsToRead(steps[0], 1000)).toEqual([
      { eventFile: FILE(0), tensors: [loss('TRAIN', 4)] }
    ]);
    expect(scalarsToRead(step(5, [loss('TRAIN', 4)], 5000), 1000)).toEqual([]);
  });

  it('lists reduced tensors gradients first and charts their reductions', () => {
    const weights = { ...grad(1), name: 'weights/a' };
    expect(reducedTensorNames([...steps, step(4, [weights])])).toEqual([
      'gradients/dense/kernel',
      'weights/a'
    ]);
    expect(reductionSeries(steps, 'gradients/dense/kernel')).toEqual({
      norm: [
        [0, 3],
        [2, Infinity]
      ],
      mean: [
        [0, 0.5],
        [2, 0.5]
      ]
    });
    const both = reductionSeries(
      [step(0, [grad(1)]), step(1, [grad(2, 'EVAL')])],
      'gradients/dense/kernel'
    );
    expect(Object.keys(both).sort()).toEqual([
      'mean (EVAL)',
      'mean (TRAIN)',
      'norm (EVAL)',
      'norm (TRAIN)'
    ]);
  });

  it('aligns series on the union of their steps, non-finite values as gaps', () => {
    expect(
      alignSteps({
        b: [
          [2, 1],
          [4, Infinity]
        ],
        a: [[3, 5]]
      })
    ).toEqual({
      names: ['a', 'b'],
      data: [
        [2, 3, 4],
        [null, 5, null],
        [1, null, null]
      ]
    });
  });
});

describe('profiler samples', () => {
  it('merges by time and gives CPU percent and memory in MiB', () => {
    const merged = mergeSamples(
      [
        { ts: 2, cpu_total: 50 },
        { ts: 1, cpu_total: 10 }
      ],
      [{ ts: 2, cpu_total: 60, memory_bytes: 2 * 1024 * 1024 }, { ts: NaN }]
    );
    expect(merged.map(s => s.ts)).toEqual([1, 2]);
    expect(profilerColumns(merged)).toEqual({
      cpu: [
        [1, 2],
        [10, 60]
      ],
      memory: [
        [1, 2],
        [null, 2]
      ]
    });
  });
});
