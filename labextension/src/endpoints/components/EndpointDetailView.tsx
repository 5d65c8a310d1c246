import * as React from 'react';

import { DetailLoading, RefreshError } from '../../components/DetailStates';
import { FailureBox } from '../../components/FailureBox';
import { formatTime } from '../../jobs/format';
import { EndpointDetailModel } from '../detailModel';
import { canInvoke, takesInvocations } from '../format';
import { withLatestUsage } from '../metrics';
import { describeDeploymentConfig } from '../progress';
import {
  IDesiredWeightAndCapacity,
  IEndpointDescription,
  IInvokeRequest,
  IInvokeResult
} from '../tokens';
import { EndpointBadge } from './EndpointBadge';
import { CaptureSection } from './CaptureSection';
import { EndpointCharts } from './EndpointCharts';
import { InvokeBox } from './InvokeBox';
import { RolloutProgress, showsRollbackReason } from './RolloutProgress';
import { ScalingSection } from './ScalingEditor';
import { VariantsTable } from './VariantsTable';
import { WeightsEditor } from './WeightsEditor';

export interface IEndpointDetailViewProps {
  model: EndpointDetailModel;
  now: number;
  deleting: boolean;
  onDelete: () => void;
  /** Opens the Update dialog (blue/green to another config). */
  onUpdate: () => void;
  invoke: (request: IInvokeRequest) => Promise<IInvokeResult>;
  onApplyWeights: (desired: IDesiredWeightAndCapacity[]) => Promise<void>;
}

function creatorOf(endpoint: IEndpointDescription): string {
  const by = endpoint.CreatedBy;
  if (typeof by === 'string') {
    return by;
  }
  return by?.UserProfileName ?? '—';
}

/**
 * Everything about one endpoint: status, an update under way, variants and
 * their instances' usage, invoke, metrics, weights, scaling, data capture.
 */
export function EndpointDetailView(
  props: IEndpointDetailViewProps
): JSX.Element {
  const { model, now } = props;
  const endpoint = model.description;
  if (model.gone) {
    return (
      <div
        className="jp-AtelierJobs-detail"
        data-testid="endpoint-detail"
        data-status="Deleted"
      >
        <p className="jp-AtelierJobs-muted" role="status">
          Endpoint {model.name} was deleted.
        </p>
      </div>
    );
  }
  if (!endpoint) {
    return (
      <DetailLoading noun="endpoint" name={model.name} error={model.error} />
    );
  }
  const status = endpoint.EndpointStatus;
  const variants = withLatestUsage(
    endpoint.ProductionVariants ?? [],
    model.metrics
  );
  const lastDeployment = describeDeploymentConfig(
    endpoint.LastDeploymentConfig
  );
  const names = variants.map(v => v.VariantName);
  const live = canInvoke(status);
  const why = live
    ? undefined
    : `The endpoint is ${status}: it takes this once it is InService.`;
  return (
    <div
      className="jp-AtelierJobs-detail"
      data-testid="endpoint-detail"
      data-status={status}
    >
      <header className="jp-AtelierJobs-detailHeader">
        <div className="jp-AtelierJobs-detailTitle">
          <h2 data-testid="endpoint-detail-name">{endpoint.EndpointName}</h2>
          <span className="jp-AtelierJobs-kind">endpoint</span>
          <EndpointBadge status={status} />
          <button
            type="button"
            className="jp-AtelierJobs-button"
            data-testid="endpoint-update"
            aria-label={`Update endpoint ${endpoint.EndpointName}`}
            title={
              live
                ? `Move ${endpoint.EndpointName} to another endpoint config, blue/green`
                : why
            }
            disabled={!live || props.deleting}
            onClick={props.onUpdate}
          >
            Update
          </button>
          <button
            type="button"
            className="jp-AtelierJobs-button jp-mod-warn jp-AtelierJobs-stop"
            data-testid="endpoint-delete"
            aria-label={`Delete endpoint ${endpoint.EndpointName}`}
            title={`Delete endpoint ${endpoint.EndpointName}`}
            disabled={props.deleting || status === 'Deleting'}
            onClick={props.onDelete}
          >
            {props.deleting || status === 'Deleting' ? 'Deleting…' : 'Delete'}
          </button>
        </div>
        <dl className="jp-AtelierJobs-facts">
          <dt>Config</dt>
          <dd data-testid="endpoint-detail-config">
            {endpoint.EndpointConfigName || '—'}
          </dd>
          {lastDeployment && (
            <>
              <dt>Last update</dt>
              <dd data-testid="endpoint-last-deployment">{lastDeployment}</dd>
            </>
          )}
          <dt>Created</dt>
          <dd>{formatTime(endpoint.CreationTime, now)}</dd>
          <dt>Modified</dt>
          <dd>{formatTime(endpoint.LastModifiedTime, now)}</dd>
          <dt>Created by</dt>
          <dd>{creatorOf(endpoint)}</dd>
          <dt>ARN</dt>
          <dd className="jp-AtelierJobs-image">
            {endpoint.EndpointArn || '—'}
          </dd>
        </dl>
        {/* After a rollback the rollout section below says why: once is enough. */}
        <FailureBox
          reason={
            showsRollbackReason(endpoint, model.rolledBack)
              ? null
              : endpoint.FailureReason
          }
          testId="endpoint-failure-reason"
        />
      </header>
      <RefreshError error={model.error} />
      <RolloutProgress
        endpoint={endpoint}
        rolledBack={model.rolledBack}
        now={now}
      />
      <VariantsTable variants={variants} now={now} />
      <InvokeBox
        variants={names}
        enabled={takesInvocations(status)}
        disabledReason={`The endpoint is ${status}: it takes invocations once it is InService.`}
        invoke={props.invoke}
      />
      <EndpointCharts
        metrics={model.metrics}
        variants={names}
        error={model.metricsError}
      />
      <WeightsEditor
        variants={variants}
        enabled={live}
        disabledReason={why}
        onApply={props.onApplyWeights}
      />
      <ScalingSection variants={variants} scaling={model.scaling} now={now} />
      <CaptureSection
        status={model.capture}
        records={model.captureRecords}
        error={model.captureError}
        now={now}
      />
    </div>
  );
}
