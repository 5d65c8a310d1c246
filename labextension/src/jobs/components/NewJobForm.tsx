import * as React from 'react';

import { IJobsApi } from '../api';
import { messageOf, statusOf } from '../../messages';
import { notifyError } from '../../notify';
import {
  FORM_ERROR,
  FormErrors,
  IJobFormState,
  buildRequest,
  defaultJobName,
  defaultMetricsFor,
  errorsFromServer,
  errorsUnder,
  initialFormState,
  jobImages,
  validateForm
} from '../jobForm';
import { uploadUri } from '../s3';
import { IImageInfo, IInstanceType } from '../../tokens';
import { ChannelRows, IUploadState } from './ChannelRows';
import { FieldError } from './FieldError';
import { KeyValueRows } from './KeyValueRows';

export interface INewJobFormProps {
  api: IJobsApi;
  /** The folder the file browser shows (relative to the notebook root). */
  sourceDir: string;
  onCreated: (name: string) => void;
}

/** A labelled field with its error next to it. */
function Field(props: {
  label: string;
  htmlFor: string;
  errors: ReadonlyArray<string>;
  hint?: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-AtelierJobs-field">
      <label htmlFor={props.htmlFor}>{props.label}</label>
      {props.children}
      {props.hint && <span className="jp-AtelierJobs-hint">{props.hint}</span>}
      <FieldError messages={props.errors} />
    </div>
  );
}

/** A labelled text input with its hint and the server's errors for it. */
function TextField(props: {
  label: string;
  id: string;
  testId: string;
  errors: ReadonlyArray<string>;
  hint?: string;
  placeholder?: string;
  inputMode?: 'numeric';
  value: string;
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <Field
      label={props.label}
      htmlFor={props.id}
      errors={props.errors}
      hint={props.hint}
    >
      <input
        id={props.id}
        className="jp-AtelierJobs-input"
        data-testid={props.testId}
        placeholder={props.placeholder}
        inputMode={props.inputMode}
        value={props.value}
        onChange={event => props.onChange(event.target.value)}
      />
    </Field>
  );
}

/** The "New training job" form: builds and sends a CreateTrainingJob. */
export function NewJobForm(props: INewJobFormProps): JSX.Element {
  const { api } = props;
  const [state, setState] = React.useState<IJobFormState>(() =>
    initialFormState({ sourceDir: props.sourceDir })
  );
  const [images, setImages] = React.useState<IImageInfo[]>([]);
  const [types, setTypes] = React.useState<IInstanceType[]>([]);
  const [bucket, setBucket] = React.useState<string | null>(null);
  const [loadError, setLoadError] = React.useState<string | null>(null);
  const [errors, setErrors] = React.useState<FormErrors>({});
  const [submitted, setSubmitted] = React.useState(false);
  const [busy, setBusy] = React.useState(false);
  const [uploads, setUploads] = React.useState<
    ReadonlyMap<number, IUploadState>
  >(new Map());
  const nameTouched = React.useRef(false);
  const metricsTouched = React.useRef(false);

  React.useEffect(() => {
    void Promise.allSettled([
      api.images(),
      api.instanceTypes(),
      api.health()
    ]).then(([imagesResult, typesResult, healthResult]) => {
      const problems: string[] = [];
      let image = '';
      let type = '';
      let defaultBucket: string | null = null;
      if (imagesResult.status === 'fulfilled') {
        const docker = jobImages(imagesResult.value?.images ?? []);
        setImages(docker);
        const sklearn = docker.find(i => i.name.startsWith('atelier/sklearn'));
        image = (sklearn ?? docker[0])?.name ?? '';
      } else {
        problems.push(`images: ${messageOf(imagesResult.reason)}`);
      }
      if (typesResult.status === 'fulfilled') {
        const list = typesResult.value?.instance_types ?? [];
        setTypes(list);
        const preferred = list.find(
          t => t.name === typesResult.value?.default && t.available
        );
        type = (preferred ?? list.find(t => t.available))?.name ?? '';
      } else {
        problems.push(`instance types: ${messageOf(typesResult.reason)}`);
      }
      if (healthResult.status === 'fulfilled') {
        defaultBucket =
          healthResult.value?.object_store?.default_bucket ?? null;
        setBucket(defaultBucket);
      }
      setLoadError(
        problems.length ? `Cannot load ${problems.join('; ')}` : null
      );
      setState(old => {
        const next = { ...old };
        if (!next.image && image) {
          next.image = image;
          if (!metricsTouched.current) {
            next.metrics = defaultMetricsFor(image).map(m => ({
              key: m.Name,
              value: m.Regex
            }));
          }
          if (!nameTouched.current) {
            next.name = defaultJobName(image);
          }
        }
        if (!next.instanceType && type) {
          next.instanceType = type;
        }
        if (!next.outputPath && defaultBucket) {
          next.outputPath = `s3://${defaultBucket}/jobs/`;
        }
        return next;
      });
    });
  }, []);

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
  const known = new Set([
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
  ]);
  const other = Object.entries(errors)
    .filter(
      ([key]) =>
        key === FORM_ERROR ||
        ![...known].some(k => key === k || key.startsWith(k))
    )
    .map(([key, message]) =>
      key === FORM_ERROR ? message : `${key}: ${message}`
    );
  const imageListed = images.some(i => i.name === state.image);
  const selectedType = types.find(t => t.name === state.instanceType);

  return (
    <form
      className="jp-AtelierJobs-form"
      data-testid="job-form"
      aria-label="New training job"
      noValidate
      onSubmit={event => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2>New training job</h2>
      {loadError && (
        <p className="jp-AtelierJobs-error" role="alert">
          {loadError}
        </p>
      )}
      {other.length > 0 && (
        <div
          className="jp-AtelierJobs-failure"
          role="alert"
          data-testid="job-form-errors"
        >
          {other.map(message => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
      <TextField
        label="Job name"
        id="atelier-job-name"
        testId="job-form-name"
        errors={exact('TrainingJobName')}
        hint="1-63 letters, digits and hyphens"
        value={state.name}
        onChange={value => {
          nameTouched.current = true;
          update({ name: value });
        }}
      />
      <Field
        label="Image"
        htmlFor="atelier-job-image"
        errors={exact('AlgorithmSpecification.TrainingImage')}
        hint="A Docker image; pick one or type any name"
      >
        <div className="jp-AtelierJobs-kvRow">
          <select
            className="jp-AtelierJobs-select"
            data-testid="job-form-image-select"
            aria-label="Known images"
            value={imageListed ? state.image : ''}
            onChange={event =>
              event.target.value && onImage(event.target.value)
            }
          >
            <option value="">
              {images.length ? 'Other (type it)' : 'No Docker images found'}
            </option>
            {images.map(image => (
              <option key={image.name} value={image.name}>
                {image.display_name || image.name}
              </option>
            ))}
          </select>
          <input
            id="atelier-job-image"
            className="jp-AtelierJobs-input jp-AtelierJobs-grow"
            data-testid="job-form-image"
            placeholder="atelier/sklearn:latest"
            value={state.image}
            onChange={event => onImage(event.target.value)}
          />
        </div>
      </Field>
      <Field
        label="Instance type"
        htmlFor="atelier-job-instance-type"
        errors={exact('ResourceConfig.InstanceType')}
        hint={selectedType?.description ?? undefined}
      >
        <select
          id="atelier-job-instance-type"
          className="jp-AtelierJobs-select"
          data-testid="job-form-instance-type"
          value={state.instanceType}
          onChange={event => update({ instanceType: event.target.value })}
        >
          {!selectedType && (
            <option value={state.instanceType}>
              {state.instanceType || 'Choose…'}
            </option>
          )}
          {types.map(type => (
            <option
              key={type.name}
              value={type.name}
              disabled={!type.available}
              title={
                type.available
                  ? undefined
                  : (type.unavailable_reason ?? 'unavailable')
              }
            >
              {type.name} ({type.vcpus} vCPU, {type.memory_gib} GiB
              {type.gpus ? `, ${type.gpus} GPU` : ''})
              {type.available
                ? ''
                : ` — ${type.unavailable_reason ?? 'unavailable'}`}
            </option>
          ))}
        </select>
      </Field>
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
      <TextField
        label="Max runtime (seconds)"
        id="atelier-job-max-runtime"
        testId="job-form-max-runtime"
        errors={under('StoppingCondition')}
        hint="The job is stopped after this long (86400 = 1 day)"
        inputMode="numeric"
        value={state.maxRuntime}
        onChange={value => update({ maxRuntime: value })}
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
      <KeyValueRows
        title="Environment"
        testId="job-form-env"
        keyLabel="Variable"
        valueLabel="Value"
        rows={state.environment}
        rowErrors={() => []}
        errors={under('Environment')}
        onChange={rows => update({ environment: rows })}
      />
      <div className="jp-AtelierJobs-formActions">
        <button
          type="submit"
          className="jp-AtelierJobs-button jp-mod-accept"
          data-testid="job-form-submit"
          aria-label="Create the training job"
          title="Create the training job"
          disabled={busy || uploads.size > 0}
        >
          {busy ? 'Creating…' : 'Create training job'}
        </button>
      </div>
    </form>
  );
}
