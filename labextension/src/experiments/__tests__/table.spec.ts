import {
  IRunRow,
  combinedFilter,
  errorPosition,
  formatDuration,
  keyColumns,
  serverOrder,
  sortRows,
  toCsv,
  toRow,
  BASE_COLUMNS,
  column
} from '../table';
import { IRun } from '../tokens';

function run(
  id: string,
  extra: Partial<IRun['info']> = {},
  data: IRun['data'] = {}
): IRun {
  return {
    info: {
      run_id: id,
      experiment_id: '1',
      status: 'FINISHED',
      start_time: 1000,
      end_time: 4000,
      ...extra
    },
    data
  };
}

describe('toRow', () => {
  it('flattens params, metrics and tags and reads the source tags', () => {
    const row = toRow(
      run(
        'a',
        { run_name: 'first' },
        {
          params: [{ key: 'lr', value: '0.1' }],
          metrics: [
            { key: 'rmse', value: 0.5 },
            { key: 'nan', value: 'NaN' }
          ],
          tags: [
            { key: 'atelier.source.type', value: 'TRAINING_JOB' },
            { key: 'atelier.source.name', value: 'my-job' }
          ]
        }
      )
    );
    expect(row.name).toBe('first');
    expect(row.params).toEqual({ lr: '0.1' });
    expect(row.metrics.rmse).toBe(0.5);
    expect(row.metrics.nan).toBeNaN();
    expect(row.source).toBe('TRAINING_JOB:my-job');
    expect(row.sourceType).toBe('TRAINING_JOB');
  });

  it('names a run without a name by its id', () => {
    expect(toRow(run('abc')).name).toBe('abc');
    expect(toRow(run('abc')).source).toBe('');
  });
});

describe('sortRows', () => {
  const rows: IRunRow[] = [
    toRow(
      run(
        'a',
        {},
        {
          metrics: [{ key: 'm', value: 2 }],
          params: [{ key: 'p', value: '10' }]
        }
      )
    ),
    toRow(
      run(
        'b',
        {},
        {
          metrics: [{ key: 'm', value: 'NaN' }],
          params: [{ key: 'p', value: '9' }]
        }
      )
    ),
    toRow(run('c', {}, { metrics: [{ key: 'm', value: -1 }] })),
    toRow(
      run(
        'd',
        {},
        {
          metrics: [{ key: 'm', value: 2 }],
          params: [{ key: 'p', value: 'x' }]
        }
      )
    )
  ];
  const ids = (list: IRunRow[]) => list.map(r => r.id).join('');

  it('orders metrics as numbers with missing and NaN values last, ties stable', () => {
    expect(
      ids(sortRows(rows, { column: 'metric:m', descending: false }, 0))
    ).toBe('cadb');
    expect(
      ids(sortRows(rows, { column: 'metric:m', descending: true }, 0))
    ).toBe('adcb');
  });

  it('orders numeric params as numbers, before text, missing last', () => {
    expect(
      ids(sortRows(rows, { column: 'param:p', descending: false }, 0))
    ).toBe('badc');
  });

  it('keeps the order without a sort and does not change its input', () => {
    const copy = rows.slice();
    expect(ids(sortRows(rows, null, 0))).toBe('abcd');
    sortRows(rows, { column: 'name', descending: true }, 0);
    expect(rows).toEqual(copy);
  });

  it('sorts 25,000 rows', () => {
    const many = Array.from({ length: 25_000 }, (_, i) =>
      toRow(
        run(
          `r${i}`,
          {},
          { metrics: [{ key: 'm', value: (i * 7919) % 25_000 }] }
        )
      )
    );
    const sorted = sortRows(many, { column: 'metric:m', descending: false }, 0);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i - 1].metrics.m).toBeLessThanOrEqual(sorted[i].metrics.m);
    }
  });

  it('sorts running runs by their duration so far', () => {
    const running = toRow(
      run('r', { status: 'RUNNING', start_time: 0, end_time: undefined })
    );
    const done = toRow(run('d', { start_time: 0, end_time: 50 }));
    expect(
      ids(
        sortRows([running, done], { column: 'duration', descending: true }, 100)
      )
    ).toBe('rd');
  });
});

describe('combinedFilter', () => {
  it('ANDs the typed filter with the quick filters', () => {
    expect(combinedFilter('  metrics.a > 1 ', [], [])).toBe('metrics.a > 1');
    expect(combinedFilter('', ['RUNNING'], [])).toBe(
      "attributes.status = 'RUNNING'"
    );
    expect(
      combinedFilter('params.x = "1"', ['FAILED', 'KILLED'], ['NOTEBOOK'])
    ).toBe(
      "params.x = \"1\" AND attributes.status IN ('FAILED', 'KILLED') AND tags.\"atelier.source.type\" = 'NOTEBOOK'"
    );
    expect(combinedFilter('', [], [])).toBe('');
  });
});

describe('errorPosition', () => {
  it('reads the position of the server message, shifted by leading blanks that were trimmed', () => {
    const m =
      'Invalid search expression "metrics.a >": at the end (position 11): expected a value';
    expect(errorPosition(m, 'metrics.a >')).toBe(11);
    expect(errorPosition(m, '  metrics.a >')).toBe(13);
    expect(errorPosition('at position 4 (x): bad', 'ab x')).toBe(4);
    expect(errorPosition('something else', 'x')).toBeNull();
  });
});

describe('keyColumns and toCsv', () => {
  const rows = [
    toRow(
      run(
        'a',
        { run_name: 'one, "quoted"' },
        {
          metrics: [{ key: 'acc', value: 0.25 }],
          tags: [{ key: 't', value: 'x' }]
        }
      )
    ),
    toRow(run('b', {}, { params: [{ key: 'lr', value: '0.1' }] }))
  ];

  it('lists metrics, params and tags of every row', () => {
    expect(keyColumns(rows).map(c => c.id)).toEqual([
      'metric:acc',
      'param:lr',
      'tag:t'
    ]);
  });

  it('writes the shown columns, quoting what needs it', () => {
    const csv = toCsv(
      rows,
      [...BASE_COLUMNS, column('metric', 'acc'), column('param', 'lr')],
      0
    );
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'run_id,name,status,start,duration,source,metrics.acc,params.lr'
    );
    expect(lines[1]).toBe(
      'a,"one, ""quoted""",FINISHED,1970-01-01T00:00:01.000Z,3000,,0.25,'
    );
    expect(lines[2]).toBe('b,b,FINISHED,1970-01-01T00:00:01.000Z,3000,,,0.1');
    expect(lines).toHaveLength(4);
  });

  it('formats durations', () => {
    expect(formatDuration(59_400)).toBe('59s');
    expect(formatDuration(61_000)).toBe('1m 1s');
    expect(formatDuration(3_720_000)).toBe('1h 2m');
  });

  it("gives the server the sort as MLflow's order_by, or null when it cannot order by the column", () => {
    expect(serverOrder(null)).toEqual([]);
    expect(serverOrder({ column: 'start', descending: true })).toEqual([
      'attributes.start_time DESC'
    ]);
    expect(serverOrder({ column: 'source', descending: false })).toEqual([
      'attributes.source ASC'
    ]);
    expect(
      serverOrder({ column: 'metric:val loss', descending: false })
    ).toEqual(['metrics.`val loss` ASC']);
    expect(serverOrder({ column: 'param:lr', descending: true })).toEqual([
      'params.`lr` DESC'
    ]);
    expect(serverOrder({ column: 'tag:a`b', descending: true })).toBeNull();
    expect(serverOrder({ column: 'duration', descending: true })).toBeNull();
  });
});
