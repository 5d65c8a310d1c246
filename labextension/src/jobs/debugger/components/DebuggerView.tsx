import * as React from 'react';

import { DebuggerModel } from '../model';
import {
  firedAt,
  profilerColumns,
  reducedTensorNames,
  reductionSeries,
  scalarSeries
} from '../shape';
import { ProfilerChart } from './ProfilerChart';
import { RuleStatusList } from './RuleStatusList';
import { StepChart } from './StepChart';
import { TensorReductions } from './TensorReductions';

export interface IDebuggerViewProps {
  model: DebuggerModel;
  /** Changes whenever the model does (the widget re-renders on it). */
  version: number;
}

/**
 * A training job's Debugger section: rule statuses (live), saved scalars
 * over steps, a chosen tensor's reductions and the profiler's charts.
 */
export function DebuggerView(props: IDebuggerViewProps): JSX.Element {
  const { model, version } = props;
  const [chosen, setChosen] = React.useState<string | null>(null);
  const [mark, setMark] = React.useState<number | null>(null);
  const steps = React.useMemo(() => [...model.steps.values()], [version]);
  const scalars = React.useMemo(
    () => scalarSeries(steps, model.scalars),
    [steps]
  );
  const names = React.useMemo(() => reducedTensorNames(steps), [steps]);
  // A rule that fired on a tensor shows that tensor first.
  const fired = model.debugStatuses
    .map(firedAt)
    .find(f => f?.tensor && names.includes(f.tensor));
  const tensor =
    (chosen && names.includes(chosen) ? chosen : null) ??
    fired?.tensor ??
    names[0] ??
    null;
  const reductions = React.useMemo(
    () => (tensor ? reductionSeries(steps, tensor) : {}),
    [steps, tensor]
  );
  const profiler = React.useMemo(
    () => profilerColumns(model.samples),
    [version]
  );
  const markStep =
    mark ?? (fired && fired.tensor === tensor ? fired.step : null);
  return (
    <section
      className="jp-AtelierJobs-section jp-AtelierDebugger"
      aria-labelledby="atelier-job-debugger"
      data-testid="job-debugger"
      data-steps={steps.length}
    >
      <h3 id="atelier-job-debugger">Debugger</h3>
      {model.error && (
        <p className="jp-AtelierJobs-muted" role="status">
          Could not read the debugger data: {model.error}
        </p>
      )}
      <RuleStatusList
        title="Rules"
        statuses={model.debugStatuses}
        testId="debugger-rules"
        onShowTensor={(name, step) => {
          setChosen(name);
          setMark(step);
        }}
      />
      <RuleStatusList
        title="Profiler rules"
        statuses={model.profilerStatuses}
        testId="debugger-profiler-rules"
      />
      <div className="jp-AtelierJobs-charts">
        <StepChart
          title="Losses and metrics"
          series={scalars}
          testId="debugger-scalars-chart"
          empty="No losses or metrics saved yet."
        />
        <TensorReductions
          names={names}
          tensor={tensor}
          series={reductions}
          markStep={markStep}
          onChoose={name => {
            setChosen(name);
            setMark(null);
          }}
        />
      </div>
      {model.profilingEnabled && (
        <div className="jp-AtelierJobs-charts">
          <ProfilerChart
            title="CPU"
            unit="%"
            testId="debugger-cpu-chart"
            data={profiler.cpu}
          />
          <ProfilerChart
            title="Memory"
            unit="MiB"
            testId="debugger-memory-chart"
            data={profiler.memory}
          />
        </div>
      )}
    </section>
  );
}
