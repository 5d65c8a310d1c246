import * as React from 'react';

import { DetailLoading, RefreshError } from '../../components/DetailStates';
import { DownloadTarget } from '../../objects/client';
import { IJobsApi } from '../api';
import { JobDetailModel } from '../detailModel';
import {
  hyperParameterRows,
  inputLinks,
  jobFacts,
  outputLinks
} from '../describe';
import { isTerminal, progressView } from '../format';
import { ArtifactLinks } from './ArtifactLinks';
import { DetailHeader } from './DetailHeader';
import { HyperParameters } from './HyperParameters';
import { LogView } from './LogView';
import { MetricCharts } from './MetricCharts';
import { ProgressBar } from './ProgressBar';
import { RunLink } from './RunLink';
import { IRunOpener } from '../runLink';
import { Timeline } from './Timeline';
import { DebuggerView } from '../debugger/components/DebuggerView';
import { DebuggerModel } from '../debugger/model';

export interface IJobDetailViewProps {
  model: JobDetailModel;
  api: IJobsApi;
  now: number;
  logVersion: number;
  stopping: boolean;
  onStop: () => void;
  onClone: () => void;
  onList: (uri: string) => void;
  /** Downloads an object, or a folder as a zip. */
  onDownload: (target: DownloadTarget) => void;
  /** Changes when JupyterLab's theme changes. */
  themeVersion?: number;
  /** Opens the job's run in the Experiments panel. */
  runOpener?: IRunOpener;
  /** Deploys the job's model (a Completed training job), where endpoints are served. */
  onDeploy?: () => void;
  /** The job's debugger data, for a training job with debugger or profiler config. */
  debugger?: DebuggerModel | null;
  /** Changes whenever the debugger model does. */
  debuggerVersion?: number;
}

/** Everything about one job: header, timeline, progress, logs, metrics, I/O. */
export function JobDetailView(props: IJobDetailViewProps): JSX.Element {
  const { model, api, now, logVersion, stopping, onStop, onClone, onList } =
    props;
  const { onDownload } = props;
  const job = model.description;
  if (!job) {
    return <DetailLoading noun="job" name={model.name} error={model.error} />;
  }
  const facts = jobFacts(job, model.kind, model.name);
  const progress = progressView(job.Progress);
  const live = !isTerminal(facts.status) || !model.logs.done;
  return (
    <div
      className="jp-AtelierJobs-detail"
      data-testid="job-detail"
      data-status={facts.status}
    >
      <DetailHeader
        facts={facts}
        kind={model.kind}
        now={now}
        canStop={model.canStop}
        stopping={stopping || facts.status === 'Stopping'}
        onStop={onStop}
        onClone={onClone}
        onDeploy={props.onDeploy}
      />
      <RefreshError error={model.error} />
      <RunLink job={job} opener={props.runOpener} />
      {progress && <ProgressBar progress={progress} />}
      <Timeline transitions={job.SecondaryStatusTransitions} now={now} />
      <LogView buffer={model.logs.buffer} version={logVersion} live={live} />
      {model.kind === 'training' && (
        <MetricCharts
          series={model.metrics}
          live={!isTerminal(facts.status)}
          themeVersion={props.themeVersion}
        />
      )}
      {props.debugger && (
        <DebuggerView
          model={props.debugger}
          version={props.debuggerVersion ?? 0}
        />
      )}
      {model.kind === 'training' && (
        <HyperParameters rows={hyperParameterRows(job)} />
      )}
      <ArtifactLinks
        title="Inputs"
        testId="job-inputs"
        links={inputLinks(job)}
        objectURL={api.objectURL}
        onList={onList}
        onDownload={onDownload}
      />
      <ArtifactLinks
        title="Outputs"
        testId="job-outputs"
        links={outputLinks(job)}
        objectURL={api.objectURL}
        onList={onList}
        onDownload={onDownload}
      />
    </div>
  );
}
