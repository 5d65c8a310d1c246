import {
  cloneNotes,
  cloneTitle,
  joinWords,
  processingStateFromJob,
  trainingStateFromJob
} from '../clone';
import {
  buildProcessingRequest,
  splitWords,
  validateProcessingForm
} from '../processingForm';
import { IJobDescription } from '../tokens';
import { buildRequest, validateForm } from '../trainingForm';

const NOW = new Date(2026, 4, 25, 16, 51, 55, 123);
const TYPES = [{ name: 'ml.m5.large', available: true }];

/** A script mode job as the server describes it. */
const TRAINING: IJobDescription = {
  TrainingJobName: 'iris-1',
  AlgorithmSpecification: {
    TrainingImage: 'atelier/datascience:latest',
    MetricDefinitions: [{ Name: 'loss', Regex: 'loss=([0-9.]+)' }]
  },
  HyperParameters: {
    epochs: '5',
    sagemaker_program: 'train.py',
    sagemaker_submit_directory:
      's3://atelier/jobs/iris-1/source/sourcedir.tar.gz'
  },
  InputDataConfig: [
    {
      ChannelName: 'train',
      DataSource: { S3DataSource: { S3Uri: 's3://atelier/data/iris.csv' } }
    }
  ],
  OutputDataConfig: { S3OutputPath: 's3://atelier/jobs/' },
  CheckpointConfig: { S3Uri: 's3://atelier/ckpt/' },
  ResourceConfig: { InstanceType: 'ml.m5.large' },
  StoppingCondition: { MaxRuntimeInSeconds: 3600 },
  Environment: { SEED: '1' },
  ScriptMode: { EntryPoint: 'train.py', SourceDir: 'projects/iris' }
};

describe('a training job cloned', () => {
  it('fills the form with the job, under a fresh name', () => {
    const state = trainingStateFromJob(TRAINING, NOW);
    expect(state).toEqual({
      name: 'datascience-2026-05-25-16-51-55-123',
      image: 'atelier/datascience:latest',
      instanceType: 'ml.m5.large',
      mode: 'script',
      entryPoint: 'train.py',
      sourceDir: 'projects/iris',
      hyperParameters: [{ key: 'epochs', value: '5' }],
      channels: [{ name: 'train', uri: 's3://atelier/data/iris.csv' }],
      outputPath: 's3://atelier/jobs/',
      checkpointUri: 's3://atelier/ckpt/',
      maxRuntime: '3600',
      metrics: [{ key: 'loss', value: 'loss=([0-9.]+)' }],
      environment: [{ key: 'SEED', value: '1' }]
    });
    expect(validateForm(state, TYPES)).toEqual({});
    const request = buildRequest(state);
    expect(request.HyperParameters).toEqual({ epochs: '5' });
    expect(request.ScriptMode).toEqual(TRAINING.ScriptMode);
    expect(request.InputDataConfig?.[0].DataSource.S3DataSource.S3Uri).toBe(
      's3://atelier/data/iris.csv'
    );
    expect(cloneTitle('training', TRAINING)).toBe(
      'Filled from training job iris-1'
    );
    expect(cloneNotes('training', TRAINING)).toEqual([]);
  });

  it("keeps a built-in algorithm's hyperparameters, the SDK's ones too", () => {
    const state = trainingStateFromJob(
      {
        TrainingJobName: 'b',
        AlgorithmSpecification: { TrainingImage: 'atelier/sklearn:latest' },
        HyperParameters: { algorithm: 'ridge', target: 'y', sagemaker_x: '1' }
      },
      NOW
    );
    expect(state.mode).toBe('algorithm');
    expect(state.hyperParameters.map(r => r.key)).toEqual([
      'algorithm',
      'target',
      'sagemaker_x'
    ]);
    expect(state.maxRuntime).toBe('86400');
  });

  it('says what the form cannot carry', () => {
    expect(
      cloneNotes('training', {
        AlgorithmSpecification: {
          TrainingImage: 'atelier/base:latest',
          ContainerEntrypoint: ['sh', '-c', 'echo working'],
          ContainerArguments: ['--fast']
        }
      })
    ).toEqual([
      'Its container entrypoint (sh -c "echo working") is not part of this form: the image\'s own is used.',
      'Its container arguments (--fast) are not part of this form.'
    ]);
  });
});

/** A processing job the form made from `prep.py`, as the server describes it. */
const PROCESSING: IJobDescription = {
  ProcessingJobName: 'prep-1',
  AppSpecification: {
    ImageUri: 'atelier/datascience:latest',
    ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/prep.py'],
    ContainerArguments: ['--title', 'two words', '--sep', '']
  },
  ProcessingInputs: [
    {
      InputName: 'raw',
      S3Input: {
        S3Uri: 's3://bkt/raw/',
        LocalPath: '/opt/ml/processing/input/raw'
      }
    },
    {
      InputName: 'code',
      S3Input: {
        S3Uri: 's3://bkt/jobs/prep-1/code/prep.py',
        LocalPath: '/opt/ml/processing/input/code'
      }
    }
  ],
  ProcessingOutputConfig: {
    Outputs: [
      {
        OutputName: 'summary',
        S3Output: {
          S3Uri: 's3://bkt/jobs/prep-1/output/summary',
          LocalPath: '/opt/ml/processing/output/summary'
        }
      },
      {
        OutputName: 'report',
        S3Output: {
          S3Uri: 's3://bkt/reports/',
          LocalPath: '/opt/ml/processing/reports'
        }
      }
    ]
  },
  ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.large' } },
  StoppingCondition: { MaxRuntimeInSeconds: 600 },
  Environment: { MODE: 'fast' }
};

describe('a processing job cloned', () => {
  it('runs the same script from the same object, its outputs under the new job', () => {
    const state = processingStateFromJob(PROCESSING, NOW);
    expect(state).toEqual({
      name: 'datascience-2026-05-25-16-51-55-123',
      image: 'atelier/datascience:latest',
      instanceType: 'ml.m5.large',
      script: '',
      command: 'python3 /opt/ml/processing/input/code/prep.py',
      arguments: '--title "two words" --sep ""',
      inputs: [
        { name: 'raw', uri: 's3://bkt/raw/', localPath: '' },
        {
          name: 'code',
          uri: 's3://bkt/jobs/prep-1/code/prep.py',
          localPath: '/opt/ml/processing/input/code'
        }
      ],
      outputs: [
        { name: 'summary', uri: '', localPath: '' },
        {
          name: 'report',
          uri: 's3://bkt/reports/',
          localPath: '/opt/ml/processing/reports'
        }
      ],
      maxRuntime: '600',
      environment: [{ key: 'MODE', value: 'fast' }]
    });
    expect(validateProcessingForm(state, TYPES, 'bkt')).toEqual({});
    const request = buildProcessingRequest(state, 'bkt');
    expect(request.AppSpecification).toEqual(PROCESSING.AppSpecification);
    expect(request.ProcessingInputs?.map(i => i.S3Input.S3Uri)).toEqual([
      's3://bkt/raw/',
      's3://bkt/jobs/prep-1/code/prep.py'
    ]);
    expect(request.ProcessingOutputConfig?.Outputs[0].S3Output.S3Uri).toBe(
      `s3://bkt/jobs/${state.name}/output/summary`
    );
    expect(cloneTitle('processing', PROCESSING)).toBe(
      'Filled from processing job prep-1'
    );
  });

  it('writes words back as splitWords reads them', () => {
    for (const words of [
      ['sh', '-c', 'echo "hi there"'],
      ["it's", 'a b', ''],
      []
    ]) {
      expect(splitWords(joinWords(words))).toEqual(words);
    }
  });
});
