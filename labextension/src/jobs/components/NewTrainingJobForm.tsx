import * as React from 'react';

import { IJobsApi } from '../api';
import { messageOf, statusOf } from '../../messages';
import { notifyError } from '../../notify';
import { errorsFromServer } from '../formRules';
import { cloneNotes, cloneTitle, trainingStateFromJob } from '../clone';
import { builtinAlgorithmOf, csvColumns, withColumns } from '../imageOffers';
import { IJobDescription } from '../tokens';
import {
  CodeMode,
  IJobFormState,
  buildRequest,
  initialFormState,
  trainingHyperParametersChange,
  trainingImageChange,
  trainingModeChange,
  validateForm
} from '../trainingForm';
import { uploadUri } from '../s3';
import { ChannelRows, IUploadState } from './ChannelRows';
import { useFormCatalog } from './formCatalog';
import { EnvironmentRows, MaxRuntimeField, TextField } from './FormFields';
import { JobFormFrame } from './JobFormFrame';
import { KeyValueRows } from './KeyValueRows';
import { useJobForm } from './useJobForm';

export interface INewTrainingJobFormProps {
  api: IJobsApi;
  /** The folder the file browser shows (relative to the notebook root). */
  sourceDir: string;
  /** The job a clone is filled from, or none for a new form. */
  from?: IJobDescription;
  onCreated: (name: string) => void;
}

/** A clone keeps the job's own choices, which the image's defaults never replace. */
const CLONE_TOUCHED = ['mode', 'hyperParameters', 'metrics'];

/** The "New training job" form: builds and sends a CreateTrainingJob. */
export function NewTrainingJobForm(
  props: INewTrainingJobFormProps
): JSX.Element {
  const { api, from } = props;
  // The catalog's defaults fill what the user has not set by then.
  const catalog = useFormCatalog(api, 'training', defaults =>
    form.setState(old => {
      const next = { ...old };
      if (!next.image && defaults.image) {
        Object.assign(
          next,
          trainingImageChange(next, defaults.image, form.touched.current)
        );
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
  const form = useJobForm<IJobFormState>(
    () =>
      from
        ? trainingStateFromJob(from)
        : initialFormState({ sourceDir: props.sourceDir }),
    state => validateForm(state, types),
    [types],
    from ? CLONE_TOUCHED : []
  );
  const { state, update, setState, under, exact, touched } = form;
  const [busy, setBusy] = React.useState(false);
  const [uploads, setUploads] = React.useState<
    ReadonlyMap<number, IUploadState>
  >(new Map());
  // The columns of the CSV file last uploaded, which `target` can name.
  const [columns, setColumns] = React.useState<string[]>([]);

  const onImage = (image: string): void =>
    update(trainingImageChange(state, image, touched.current));
  const onMode = (mode: CodeMode): void => {
    touched.current.add('mode');
    update(trainingModeChange(state, mode, touched.current));
  };
  const builtin = builtinAlgorithmOf(state.image);

  const onUpload = (index: number, file: File): void => {
    if (!bucket) {
      return;
    }
    const uri = uploadUri(bucket, file.name);
    if (/\.csv$/i.test(file.name)) {
      // The first line is enough: a header row's names, else the count.
      void file
        .slice(0, 65536)
        .text()
        .then(text => setColumns(csvColumns(text)))
        // Unreadable here: target is typed, as without an upload.
        .catch(() => undefined);
    }
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
    if (!form.check()) {
      return;
    }
    setBusy(true);
    try {
      const request = buildRequest(state);
      await api.createTrainingJob(request);
      props.onCreated(request.TrainingJobName);
    } catch (error) {
      form.setErrors(errorsFromServer(statusOf(error), messageOf(error)));
      notifyError('Could not create the training job', error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <JobFormFrame
      title="New training job"
      subtitle={from && cloneTitle('training', from)}
      notes={from && cloneNotes('training', from)}
      testId="job-form"
      idPrefix="atelier-job"
      catalog={catalog}
      errors={form.errors}
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
        touched.current.add('name');
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
              onChange={() => onMode('script')}
            />{' '}
            Script mode (my script runs in the image)
          </label>
          <label>
            <input
              type="radio"
              name="atelier-job-mode"
              data-testid="job-form-mode-algorithm"
              checked={state.mode === 'algorithm'}
              onChange={() => onMode('algorithm')}
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
              hint="Relative to the notebook root, packed and sent with the job; . for the whole root. Empty: the entry point alone is sent, from the notebook root."
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
        {state.mode === 'algorithm' && (
          <p className="jp-AtelierJobs-hint" data-testid="job-form-mode-hint">
            {builtin
              ? `This image trains with its built-in ${builtin.id} algorithm on the CSV files of the channel train: the hyperparameters below choose the estimator and the label's column.`
              : 'No built-in algorithm is known for this image: it has to train on its own, without a script.'}
          </p>
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
        known={
          builtin && state.mode === 'algorithm'
            ? withColumns(builtin, columns)
            : []
        }
        onChange={rows => {
          touched.current.add('hyperParameters');
          update(trainingHyperParametersChange(state, rows, touched.current));
        }}
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
          touched.current.add('metrics');
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
