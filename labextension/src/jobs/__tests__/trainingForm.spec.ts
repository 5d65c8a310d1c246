import {
  defaultJobName,
  errorsUnder,
  jobImages,
  JOB_NAME_PATTERN
} from '../formRules';
import {
  IJobFormState,
  buildRequest,
  defaultMetricsFor,
  initialFormState,
  sourceDirOf,
  validateForm
} from '../trainingForm';
import { defaultOutputPath, isS3Prefix, isS3Uri, uploadUri } from '../s3';

const valid = (change: Partial<IJobFormState> = {}): IJobFormState => ({
  ...initialFormState({
    image: 'atelier/sklearn:latest',
    instanceType: 'ml.m5.large',
    bucket: 'atelier',
    sourceDir: 'projects/iris',
    now: new Date(2026, 4, 25, 16, 51, 55, 123)
  }),
  entryPoint: 'train.py',
  ...change
});

describe('defaults', () => {
  it('names a job after its image and the time, within the name rule', () => {
    const now = new Date(2026, 4, 25, 16, 51, 55, 123);
    expect(defaultJobName('atelier/sklearn:latest', now)).toBe(
      'sklearn-2026-05-25-16-51-55-123'
    );
    expect(defaultJobName('', now)).toBe('training-2026-05-25-16-51-55-123');
    const long = defaultJobName(`registry.local/${'x_'.repeat(60)}:1`, now);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(JOB_NAME_PATTERN.test(long)).toBe(true);
  });

  it('prefills the sklearn metrics and the output path', () => {
    const state = valid();
    expect(state.metrics).toEqual([
      { key: 'validation:accuracy', value: 'validation:accuracy=([0-9\\.]+)' },
      { key: 'train:accuracy', value: 'train:accuracy=([0-9\\.]+)' }
    ]);
    expect(defaultMetricsFor('my/own:1')).toEqual([]);
    expect(state.outputPath).toBe('s3://atelier/jobs/');
    expect(state.maxRuntime).toBe('86400');
  });

  it('offers only Docker images', () => {
    expect(
      jobImages([
        { name: 'local', runtime: 'process' },
        { name: 'atelier/sklearn:latest', runtime: 'docker' }
      ]).map(i => i.name)
    ).toEqual(['atelier/sklearn:latest']);
  });
});

describe('validateForm', () => {
  it('accepts a complete form', () => {
    expect(validateForm(valid())).toEqual({});
  });

  it.each(['', '-a', 'a-', 'a_b', 'x'.repeat(64)])(
    'rejects the name %p',
    name => {
      expect(validateForm(valid({ name })).TrainingJobName).toBeTruthy();
    }
  );

  it('accepts names with inner hyphens', () => {
    expect(
      validateForm(valid({ name: 'a--b-1' })).TrainingJobName
    ).toBeUndefined();
  });

  it('requires image, instance type, entry point, output and a runtime', () => {
    const errors = validateForm(
      valid({
        image: ' ',
        instanceType: '',
        entryPoint: '',
        outputPath: 'bucket/x',
        maxRuntime: '0'
      })
    );
    expect(Object.keys(errors).sort()).toEqual([
      'AlgorithmSpecification.TrainingImage',
      'OutputDataConfig.S3OutputPath',
      'ResourceConfig.InstanceType',
      'ScriptMode.EntryPoint',
      'StoppingCondition.MaxRuntimeInSeconds'
    ]);
    expect(
      validateForm(valid({ maxRuntime: '1.5' }))[
        'StoppingCondition.MaxRuntimeInSeconds'
      ]
    ).toBeTruthy();
    expect(
      validateForm(valid({ maxRuntime: '2419201' }))[
        'StoppingCondition.MaxRuntimeInSeconds'
      ]
    ).toBeTruthy();
  });

  it('needs no entry point for a built-in algorithm', () => {
    expect(validateForm(valid({ mode: 'algorithm', entryPoint: '' }))).toEqual(
      {}
    );
  });

  it('keeps script paths inside the notebook root', () => {
    expect(
      validateForm(valid({ entryPoint: '/etc/passwd' }))[
        'ScriptMode.EntryPoint'
      ]
    ).toMatch(/relative/);
    expect(
      validateForm(valid({ sourceDir: '../other' }))['ScriptMode.SourceDir']
    ).toMatch(/\.\./);
  });

  it('explains an unavailable instance type', () => {
    const errors = validateForm(valid({ instanceType: 'ml.p3.2xlarge' }), [
      {
        name: 'ml.p3.2xlarge',
        available: false,
        unavailable_reason: 'this host has no GPU'
      }
    ]);
    expect(errors['ResourceConfig.InstanceType']).toBe(
      'ml.p3.2xlarge cannot run here: this host has no GPU'
    );
  });

  it('checks channel names, duplicates and URIs by row, skipping empty rows', () => {
    const errors = validateForm(
      valid({
        channels: [
          { name: 'train', uri: 's3://atelier/data/train/' },
          { name: '', uri: '' },
          { name: 'bad name', uri: 's3://atelier/x' },
          { name: 'train', uri: 'http://x' }
        ]
      })
    );
    expect(errors).toEqual({
      'InputDataConfig[2].ChannelName': 'Use letters, digits, ".", "-" and "_"',
      'InputDataConfig[3].ChannelName': 'The channel train is given twice',
      'InputDataConfig[3].DataSource.S3DataSource.S3Uri':
        'Give an S3 URI, such as s3://bucket/data/train/'
    });
    expect(errorsUnder(errors, 'InputDataConfig[3]').length).toBe(2);
    expect(errorsUnder(errors, 'InputDataConfig[1]')).toEqual([]);
  });

  it('checks metric regexes, hyperparameter and environment names', () => {
    const errors = validateForm(
      valid({
        metrics: [{ key: 'loss', value: 'loss=([0-9' }],
        hyperParameters: [
          { key: 'lr', value: '0.1' },
          { key: 'lr', value: '0.2' }
        ],
        environment: [{ key: '1BAD', value: 'x' }]
      })
    );
    expect(errors['AlgorithmSpecification.MetricDefinitions[0].Regex']).toMatch(
      /Not a valid regex/
    );
    expect(errorsUnder(errors, 'HyperParameters')).toEqual([
      'lr is given twice'
    ]);
    expect(errorsUnder(errors, 'Environment')).toEqual([
      '1BAD is not a valid variable name'
    ]);
  });
});

describe('buildRequest', () => {
  it('builds a CreateTrainingJob request in script mode', () => {
    const request = buildRequest(
      valid({
        name: ' my-job ',
        hyperParameters: [
          { key: 'n_estimators', value: '100' },
          { key: '', value: '' }
        ],
        channels: [{ name: 'train', uri: ' s3://atelier/data/iris.csv ' }],
        environment: [{ key: 'SEED', value: '1' }],
        checkpointUri: 's3://atelier/ckpt/',
        maxRuntime: '3600'
      })
    );
    expect(request).toEqual({
      TrainingJobName: 'my-job',
      AlgorithmSpecification: {
        TrainingImage: 'atelier/sklearn:latest',
        TrainingInputMode: 'File',
        MetricDefinitions: [
          {
            Name: 'validation:accuracy',
            Regex: 'validation:accuracy=([0-9\\.]+)'
          },
          { Name: 'train:accuracy', Regex: 'train:accuracy=([0-9\\.]+)' }
        ]
      },
      HyperParameters: { n_estimators: '100' },
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: {
            S3DataSource: {
              S3Uri: 's3://atelier/data/iris.csv',
              S3DataType: 'S3Prefix',
              S3DataDistributionType: 'FullyReplicated'
            }
          }
        }
      ],
      OutputDataConfig: { S3OutputPath: 's3://atelier/jobs/' },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      Environment: { SEED: '1' },
      CheckpointConfig: { S3Uri: 's3://atelier/ckpt/' },
      ScriptMode: { EntryPoint: 'train.py', SourceDir: 'projects/iris' }
    });
  });

  it('leaves out empty sections and script mode for a built-in algorithm', () => {
    const request = buildRequest(
      valid({ mode: 'algorithm', metrics: [], image: 'my/algo:1' })
    );
    expect(request.ScriptMode).toBeUndefined();
    expect(request.HyperParameters).toBeUndefined();
    expect(request.InputDataConfig).toBeUndefined();
    expect(request.AlgorithmSpecification.MetricDefinitions).toBeUndefined();
    expect(request.CheckpointConfig).toBeUndefined();
  });

  it('sends no SourceDir when the folder is left empty, "." for the whole root', () => {
    // Without SourceDir the server sends the entry point alone, from the notebook root.
    for (const typed of ['', '  ']) {
      expect(buildRequest(valid({ sourceDir: typed })).ScriptMode).toEqual({
        EntryPoint: 'train.py'
      });
    }
    for (const typed of ['.', './', ' . ']) {
      expect(
        buildRequest(valid({ sourceDir: typed })).ScriptMode?.SourceDir
      ).toBe('.');
    }
    expect(
      buildRequest(valid({ sourceDir: 'a/b/' })).ScriptMode?.SourceDir
    ).toBe('a/b');
    expect(sourceDirOf('./projects/iris/')).toBe('projects/iris');
  });
});

describe('s3 helpers', () => {
  it('recognizes URIs and prefixes', () => {
    expect(isS3Uri('s3://atelier/data/x.csv')).toBe(true);
    expect(isS3Uri('s3://atelier')).toBe(true);
    expect(isS3Uri('s3:/atelier/x')).toBe(false);
    expect(isS3Uri('s3://A_B/x')).toBe(false);
    expect(isS3Prefix('s3://atelier/jobs/')).toBe(true);
    expect(isS3Prefix('s3://atelier')).toBe(true);
    expect(isS3Prefix('s3://atelier/jobs/x/output/model.tar.gz')).toBe(false);
  });

  it('puts uploads under data/ with a safe name', () => {
    expect(uploadUri('atelier', 'iris.csv')).toBe('s3://atelier/data/iris.csv');
    expect(uploadUri('atelier', '../my file (1).csv')).toBe(
      's3://atelier/data/my_file_1_.csv'
    );
    expect(defaultOutputPath('atelier')).toBe('s3://atelier/jobs/');
  });
});
