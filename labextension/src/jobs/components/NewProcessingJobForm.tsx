import * as React from 'react';

import { IJobsApi } from '../api';
import { cloneTitle, processingStateFromJob } from '../clone';
import { errorsFromServer } from '../formRules';
import { IJobDescription } from '../tokens';
import {
  CODE_PATH,
  IProcessingFormState,
  buildProcessingRequest,
  initialProcessingState,
  processingImageChange,
  outputUri,
  scriptErrors,
  scriptUri,
  validateProcessingForm
} from '../processingForm';
import { messageOf, statusOf } from '../../messages';
import { notifyError } from '../../notify';
import { useFormCatalog } from './formCatalog';
import { EnvironmentRows, MaxRuntimeField, TextField } from './FormFields';
import { JobFormFrame } from './JobFormFrame';
import { MountRows } from './MountRows';
import { useJobForm } from './useJobForm';

export interface INewProcessingJobFormProps {
  api: IJobsApi;
  /** A Python file to start with (relative to the notebook root), or "". */
  script: string;
  /** Reads a file of the notebook root (the script to send). */
  readFile: (path: string) => Promise<Blob>;
  /** The job a clone is filled from, or none for a new form. */
  from?: IJobDescription;
  onCreated: (name: string) => void;
}

/** The request paths the form shows next to a field of its own. */
const KNOWN = [
  'ProcessingJobName',
  'AppSpecification.ImageUri',
  'ProcessingResources.ClusterConfig.InstanceType',
  'AppSpecification',
  'Script',
  'ProcessingInputs',
  'ProcessingOutputConfig',
  'StoppingCondition',
  'Environment'
] as const;

/** True when the server has a processing job of that name. */
async function processingJobExists(
  api: IJobsApi,
  name: string
): Promise<boolean> {
  try {
    await api.describe('processing', name);
    return true;
  } catch (error) {
    if (statusOf(error) === 404) {
      return false;
    }
    throw error;
  }
}

/**
 * The "New processing job" form: sends the script (if any) to the object
 * store, then a CreateProcessingJob that stages it and runs it.
 */
export function NewProcessingJobForm(
  props: INewProcessingJobFormProps
): JSX.Element {
  const { api, from } = props;
  // The catalog's defaults fill what the user has not set by then.
  const catalog = useFormCatalog(api, 'processing', defaults =>
    form.setState(old =>
      old.image
        ? { ...old, instanceType: old.instanceType || defaults.instanceType }
        : {
            ...old,
            ...processingImageChange(defaults.image, form.touched.current),
            instanceType: old.instanceType || defaults.instanceType
          }
    )
  );
  const { types, bucket } = catalog;
  const form = useJobForm<IProcessingFormState>(
    () =>
      from
        ? processingStateFromJob(from)
        : initialProcessingState({ script: props.script }),
    state => validateProcessingForm(state, types, bucket),
    [types, bucket]
  );
  const { state, update, setErrors, under, exact, touched } = form;
  const [busy, setBusy] = React.useState<string | null>(null);

  const onImage = (image: string): void =>
    update(processingImageChange(image, touched.current));

  const submit = async (): Promise<void> => {
    if (!form.check()) {
      return;
    }
    const script = state.script.trim();
    try {
      if (script && bucket) {
        // The script goes to the job's own folder: never over another job's.
        setBusy('Checking the name…');
        if (await processingJobExists(api, state.name.trim())) {
          setErrors({
            ProcessingJobName: `a processing job named '${state.name.trim()}' already exists; job names are unique`
          });
          return;
        }
        setBusy(`Sending ${script}…`);
        let body: Blob;
        try {
          body = await props.readFile(script);
        } catch (error) {
          setErrors({ Script: `Cannot read ${script}: ${messageOf(error)}` });
          return;
        }
        await api.uploadObject(scriptUri(script, state.name, bucket), body);
      }
      setBusy('Creating…');
      const request = buildProcessingRequest(state, bucket);
      await api.createProcessingJob(request);
      props.onCreated(request.ProcessingJobName);
    } catch (error) {
      setErrors(
        scriptErrors(
          errorsFromServer(
            statusOf(error),
            messageOf(error),
            'ProcessingJobName'
          ),
          state
        )
      );
      notifyError('Could not create the processing job', error);
    } finally {
      setBusy(null);
    }
  };

  const script = state.script.trim();

  return (
    <JobFormFrame
      title="New processing job"
      subtitle={from && cloneTitle('processing', from)}
      testId="processing-form"
      idPrefix="atelier-processing"
      catalog={catalog}
      errors={form.errors}
      known={KNOWN}
      name={state.name}
      image={state.image}
      instanceType={state.instanceType}
      onName={name => {
        touched.current.add('name');
        update({ name });
      }}
      onImage={onImage}
      onInstanceType={instanceType => update({ instanceType })}
      submitText="Create processing job"
      busy={busy}
      disabled={busy !== null}
      onSubmit={() => void submit()}
    >
      <fieldset className="jp-AtelierJobs-fieldset">
        <legend>Code</legend>
        <TextField
          label="Script (optional)"
          id="atelier-processing-script"
          testId="processing-form-script"
          errors={exact('Script')}
          hint={`A file relative to the notebook root; sent with the job to ${CODE_PATH}/`}
          placeholder="preprocess.py"
          value={state.script}
          onChange={value => update({ script: value })}
        />
        <TextField
          label={script ? 'Interpreter' : 'Command'}
          id="atelier-processing-command"
          testId="processing-form-command"
          errors={under('AppSpecification.ContainerEntrypoint')}
          hint={
            script
              ? 'Runs the script; python3 when empty'
              : 'The container entrypoint, as words ("quotes" keep blanks)'
          }
          placeholder={script ? 'python3' : 'python3 /opt/ml/code/run.py'}
          value={state.command}
          onChange={value => update({ command: value })}
        />
        <TextField
          label="Arguments"
          id="atelier-processing-arguments"
          testId="processing-form-arguments"
          errors={under('AppSpecification.ContainerArguments')}
          placeholder="--train-ratio 0.8"
          value={state.arguments}
          onChange={value => update({ arguments: value })}
        />
      </fieldset>
      <MountRows
        kind="input"
        testId="processing-form-input"
        rows={state.inputs}
        rowErrors={i => under(`ProcessingInputs[${i}]`)}
        errors={exact('ProcessingInputs')}
        onChange={inputs => update({ inputs })}
      />
      <MountRows
        kind="output"
        testId="processing-form-output"
        rows={state.outputs}
        defaultUri={row => outputUri(row, state.name, bucket)}
        rowErrors={i => under(`ProcessingOutputConfig.Outputs[${i}]`)}
        errors={exact('ProcessingOutputConfig.Outputs')}
        onChange={outputs => update({ outputs })}
      />
      <MaxRuntimeField
        idPrefix="atelier-processing"
        testId="processing-form"
        errors={under('StoppingCondition')}
        value={state.maxRuntime}
        onChange={maxRuntime => update({ maxRuntime })}
      />
      <EnvironmentRows
        testId="processing-form"
        errors={under('Environment')}
        rows={state.environment}
        onChange={environment => update({ environment })}
      />
    </JobFormFrame>
  );
}
