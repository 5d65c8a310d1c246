import * as React from 'react';

import { StepSeries } from '../shape';
import { StepChart } from './StepChart';

export interface ITensorReductionsProps {
  names: ReadonlyArray<string>;
  /** The chosen tensor (null: none chosen yet). */
  tensor: string | null;
  series: StepSeries;
  markStep?: number | null;
  onChoose: (tensor: string) => void;
}

/** A chooser of the saved tensors and the chosen one's reductions over steps. */
export function TensorReductions(props: ITensorReductionsProps): JSX.Element {
  const { names, tensor, series, markStep, onChoose } = props;
  return (
    <div className="jp-AtelierDebugger-tensor">
      <label className="jp-AtelierDebugger-choose">
        Tensor{' '}
        <select
          data-testid="debugger-tensor-select"
          value={tensor ?? ''}
          onChange={e => onChoose(e.target.value)}
          disabled={names.length === 0}
        >
          {names.length === 0 && <option value="">none saved yet</option>}
          {names.map(n => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <StepChart
        title={tensor ? `${tensor}: reductions` : 'Reductions'}
        series={series}
        testId="debugger-reductions-chart"
        markStep={markStep}
        empty="No reductions saved for this tensor yet (a collection's reductions: norm, mean, min, max)."
      />
    </div>
  );
}
