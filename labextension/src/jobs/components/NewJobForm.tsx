import * as React from 'react';

import { IJobsApi } from '../api';
import { messageOf, statusOf } from '../../messages';
import { notifyError } from '../../notify';
import {
  FormErrors,
  IJobFormState,
  buildRequest,
  defaultJobName,
  defaultMetricsFor,
  errorsFromServer,
  errorsUnder,
  initialFormState,
  validateForm
} from '../jobForm';
import { uploadUri } from '../s3';
import { ChannelRows, IUploadState } from './ChannelRows';
import {
  EnvironmentRows,
  JobFormFrame,
  MaxRuntimeField,
  TextField,
  useFormCatalog
} from './FormFields';
import { KeyValueRows } from './KeyValueRows';

export interface INewJobFormProps {
  api: IJobsApi;
  /** The folder the file browser shows (relative to the notebook root). */
  sourceDir: string;
  onCreated: (name: string) => void;
}

/** The "New training job" form: builds and sends a CreateTrainingJob. */
export function NewJobForm(props: INewJobFormProps): JSX.Element {
  const { api } = props;
  const [state, setState] = React.useState<IJobFormState>(() =>
    initialFormState({ sourceDir: props.sourceDir })
  );
  const [errors, setErrors] = React.useState<FormErrors>({});
  const [submitted, setSubmitted] = React.useState(false);
  const [busy, setBusy] = React.useState(false);
  const [uploads, setUploads] = React.useState<
    ReadonlyMap<number, IUploadState>
  >(new Map());
  const nameTouched = React.useRef(false);
  const metricsTouched = React.useRef(false);
  const catalog = useFormCatalog(api, defaults =>
    setState(old => {
      const next = { ...old };
      if (!next.image && defaults.image) {
        next.image = defaults.image;
        if (!metricsTouched.current) {
          next.metrics = defaultMetricsFor(defaults.image).map(m => ({
            key: m.Name,
            value: m.Regex
          }));
        }
        if (!nameTouched.current) {
          next.name = defaultJobName(defaults.image);
        }
      }
      if (!next.instanceType && defaults.instanceType) {
        next.instanceType = defaults.instanceType;
      }
      if (!next.outputPath && defaults.bucket) {
        next.outputPath = `s3://${defaults.bucket}/jobs/`;
      }
      return next;
    })
  );
  const { types, bucket } = catalog;

  const update = (change: Partial<IJobFormState>): void => {
    setState(old => ({ ...old, ...change }));
  };

  // After a first submit, errors follow the edits.
  React.useEffect(() => {
    if (submitted) {
      setErrors(validateForm(state, types));
    }
  }, [state, types]);

  const onImage = (image: string): void => {
    const change: Partial<IJobFormState> = { image };
    if (!metricsTouched.current) {
      change.metrics = defaultMetricsFor(image).map(m => ({
        key: m.Name,
        value: m.Regex
      }));
    }
    if (!nameTouched.current) {
      change.name = defaultJobName(image);
    }
    update(change);
  };

  const onUpload = (index: number, file: File): void => {
    if (!bucket) {
      return;
    }
    const uri = uploadUri(bucket, file.name);
    const progress = (done: number, total: number): void =>
      setUploads(old =>
        new Map(old).set(index, { file: file.name, done, total })
      );
    progress(0, file.size);
    api
      .uploadObject(uri, file, progress)
      .then(() =>
        setState(old => ({
          ...old,
          channels: old.channels.map((row, i) =>
            i === index ? { name: row.name || 'train', uri } : row
          )
        }))
      )
      .catch(error => notifyError(`Could not upload ${file.name}`, error))
      .finally(() =>
        setUploads(old => {
          const next = new Map(old);
          next.delete(index);
          return next;
        })
      );
  };

  const submit = async (): Promise<void> => {
    setSubmitted(true);
    const found = validateForm(state, types);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      return;
    }
    setBusy(true);
    try {
      const request = buildRequest(state);
      await api.createTrainingJob(request);
      props.onCreated(request.TrainingJobName);
    } catch (error) {
      setErrors(errorsFromServer(statusOf(error), messageOf(error)));
      notifyError('Could not create the training job', error);
    } finally {
      setBusy(false);
    }
  };

  const under = (prefix: string): string[] => errorsUnder(errors, prefix);
  const exact = (key: string): string[] => (errors[key] ? [errors[key]] : []);
  return (
    <JobFormFrame
      title="New training job"
      testId="job-form"
      idPrefix="atelier-job"
      catalog={catalog}
      errors={errors}
      known={[
        'TrainingJobName',
        'AlgorithmSpecification.TrainingImage',
        'ResourceConfig.InstanceType',
        'ScriptMode',
        'HyperParameters',
        'Environment',
        'AlgorithmSpecification.MetricDefinitions',
        'InputDataConfig',
        'OutputDataConfig',
        'CheckpointConfig',
        'StoppingCondition'
      ]}
      name={state.name}
      image={state.image}
      instanceType={state.instanceType}
      onName={name => {
        nameTouched.current = true;
        update({ name });
      }}
      onImage={onImage}
      onInstanceType={instanceType => update({ instanceType })}
      submitText="Create training job"
      busy={busy ? 'Creating…' : null}
      disabled={busy || uploads.size > 0}
      onSubmit={() => void submit()}
    >
      <fieldset className="jp-AtelierJobs-fieldset">
        <legend>Code</legend>
        <div
          className="jp-AtelierJobs-radios"
          role="radiogroup"
          aria-label="How the code is given"
        >
          <label>
            <input
              type="radio"
              name="atelier-job-mode"
              data-testid="job-form-mode-script"
              checked={state.mode === 'script'}
              onChange={() => update({ mode: 'script' })}
            />{' '}
            Script mode (my script runs in the image)
          </label>
          <label>
            <input
              type="radio"
              name="atelier-job-mode"
              data-testid="job-form-mode-algorithm"
              checked={state.mode === 'algorithm'}
              onChange={() => update({ mode: 'algorithm' })}
            />{' '}
            Built-in algorithm (the image's own training)
          </label>
        </div>
        {state.mode === 'script' && (
          <>
            <TextField
              label="Source folder"
              id="atelier-job-source-dir"
              testId="job-form-source-dir"
              errors={exact('ScriptMode.SourceDir')}
              hint="Relative to the notebook root; empty for the root. Packed and sent with the job."
              value={state.sourceDir}
              onChange={value => update({ sourceDir: value })}
            />
            <TextField
              label="Entry point"
              id="atelier-job-entry-point"
              testId="job-form-entry-point"
              errors={under('ScriptMode.EntryPoint')}
              hint="The script in the source folder, such as train.py"
              placeholder="train.py"
              value={state.entryPoint}
              onChange={value => update({ entryPoint: value })}
            />
          </>
        )}
      </fieldset>
      <KeyValueRows
        title="Hyperparameters"
        testId="job-form-hp"
        keyLabel="Name"
        valueLabel="Value"
        rows={state.hyperParameters}
        rowErrors={() => []}
        errors={under('HyperParameters')}
        onChange={rows => update({ hyperParameters: rows })}
      />
      <ChannelRows
        rows={state.channels}
        rowErrors={i => under(`InputDataConfig[${i}]`)}
        errors={exact('InputDataConfig')}
        uploads={uploads}
        uploadTarget={bucket ? `s3://${bucket}/data/` : null}
        onChange={rows => update({ channels: rows })}
        onUpload={onUpload}
      />
      <TextField
        label="Output S3 path"
        id="atelier-job-output"
        testId="job-form-output"
        errors={under('OutputDataConfig')}
        hint="The model and output data go under <path>/<job name>/"
        placeholder="s3://bucket/jobs/"
        value={state.outputPath}
        onChange={value => update({ outputPath: value })}
      />
      <TextField
        label="Checkpoint S3 URI (optional)"
        id="atelier-job-checkpoint"
        testId="job-form-checkpoint"
        errors={under('CheckpointConfig')}
        value={state.checkpointUri}
        onChange={value => update({ checkpointUri: value })}
      />
      <MaxRuntimeField
        idPrefix="atelier-job"
        testId="job-form"
        errors={under('StoppingCondition')}
        value={state.maxRuntime}
        onChange={maxRuntime => update({ maxRuntime })}
      />
      <KeyValueRows
        title="Metric definitions"
        testId="job-form-metric"
        keyLabel="Metric name"
        valueLabel="Regex with one group for the value"
        rows={state.metrics}
        rowErrors={i => under(`AlgorithmSpecification.MetricDefinitions[${i}]`)}
        errors={exact('AlgorithmSpecification.MetricDefinitions')}
        onChange={rows => {
          metricsTouched.current = true;
          update({ metrics: rows });
        }}
      />
      <EnvironmentRows
        testId="job-form"
        errors={under('Environment')}
        rows={state.environment}
        onChange={environment => update({ environment })}
      />
    </JobFormFrame>
  );
}
