import * as React from 'react';

import { IUsageTable } from '../usageFormat';

export interface IUsageTableProps {
  table: IUsageTable;
  /** The period, e.g. "Last 30 days". */
  caption: string;
  /** True while running instances' time moves on in the table. */
  live?: boolean;
}

/** A type name that may wrap after its dots only: "ml.t3.<wbr>medium". */
function breakableName(name: string): React.ReactNode[] {
  return name.split('.').map((part, i, parts) =>
    i < parts.length - 1 ? (
      <React.Fragment key={i}>
        {part}.<wbr />
      </React.Fragment>
    ) : (
      part
    )
  );
}

/** Instance hours and cost per type, and the totals. */
export function UsageTable(props: IUsageTableProps): JSX.Element {
  const { table, caption } = props;
  return (
    <table
      className="jp-AtelierUsage-table"
      aria-label="Usage by instance type"
      data-live={props.live ? 'true' : 'false'}
    >
      <caption className="jp-AtelierUsage-caption">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Instance type</th>
          <th scope="col" className="jp-AtelierUsage-number">
            Time used
          </th>
          <th scope="col" className="jp-AtelierUsage-number">
            Cost
          </th>
        </tr>
      </thead>
      <tbody>
        {table.rows.map(row => (
          <tr
            key={row.instanceType}
            data-instance-type={row.instanceType}
            data-hours={row.hours}
            data-cost={row.cost}
          >
            <th
              scope="row"
              className="jp-AtelierUsage-type"
              title={`${row.instanceType} at ${row.priceLabel}`}
            >
              {breakableName(row.instanceType)}
            </th>
            <td className="jp-AtelierUsage-number jp-AtelierUsage-hours">
              {row.hoursLabel}
            </td>
            <td className="jp-AtelierUsage-number jp-AtelierUsage-cost">
              {row.costLabel}
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr data-total-cost={table.totalCost}>
          <th scope="row">Total</th>
          <td className="jp-AtelierUsage-number jp-AtelierUsage-hours">
            {table.totalHoursLabel}
          </td>
          <td className="jp-AtelierUsage-number jp-AtelierUsage-cost">
            {table.totalCostLabel}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
