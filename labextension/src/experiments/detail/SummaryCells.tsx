import * as React from 'react';

import { formatNumber, IMetricSummary } from './series';

/** The headers of a metric summary's cells, in their order. */
export const SUMMARY_COLUMNS: ReadonlyArray<string> = [
  'Last',
  'Min',
  'Max',
  'Avg',
  'StdDev',
  'Count'
];

/** A metric summary's cells of a table row ("—" for none yet). */
export function SummaryCells(props: {
  summary: IMetricSummary | null | undefined;
}): JSX.Element {
  const s = props.summary;
  return (
    <>
      <td>{formatNumber(s?.last)}</td>
      <td>{formatNumber(s?.min)}</td>
      <td>{formatNumber(s?.max)}</td>
      <td>{formatNumber(s?.avg)}</td>
      <td>{formatNumber(s?.stddev)}</td>
      <td>{s ? s.count.toLocaleString('en-US') : '—'}</td>
    </>
  );
}
