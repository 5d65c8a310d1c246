import {
  CODE_PATH,
  IProcessingFormState,
  buildProcessingRequest,
  initialProcessingState,
  mountPath,
  outputUri,
  scriptUri,
  splitWords,
  validateProcessingForm
} from '../processingForm';

const TYPES = [
  { name: 'ml.m5.large', available: true },
  { name: 'ml.p3.2xlarge', available: false, unavailable_reason: 'no GPU' }
];

const valid = (
  change: Partial<IProcessingFormState> = {}
): IProcessingFormState => ({
  ...initialProcessingState({
    image: 'atelier/sklearn:latest',
    instanceType: 'ml.m5.large',
    now: new Date(2026, 4, 25, 16, 51, 55, 123)
  }),
  script: 'prep/preprocess.py',
  ...change
});

describe('splitWords', () => {
  it('splits on blanks and keeps quoted blanks in one word', () => {
    expect(splitWords('  python3   -u run.py ')).toEqual([
      'python3',
      '-u',
      'run.py'
    ]);
    expect(splitWords('--title "two words" --sep \' \'')).toEqual([
      '--title',
      'two words',
      '--sep',
      ' '
    ]);
    expect(splitWords('')).toEqual([]);
  });
});

describe('validateProcessingForm', () => {
  it('accepts a script with no inputs or outputs', () => {
    expect(validateProcessingForm(valid(), TYPES, 'atelier')).toEqual({});
  });

  it('needs a script or a command', () => {
    const errors = validateProcessingForm(
      valid({ script: '', command: '  ' }),
      TYPES,
      'atelier'
    );
    expect(errors['AppSpecification.ContainerEntrypoint']).toMatch(
      /script, or the command/
    );
    expect(
      validateProcessingForm(
        valid({ script: '', command: 'python3 -c "print(1)"' }),
        TYPES,
        null
      )
    ).toEqual({});
  });

  it('refuses a script outside the notebook root or without a bucket', () => {
    expect(
      validateProcessingForm(valid({ script: '/etc/x.py' }), TYPES, 'bkt')
        .Script
    ).toMatch(/relative/);
    expect(
      validateProcessingForm(valid({ script: '../x.py' }), TYPES, 'bkt').Script
    ).toMatch(/\.\./);
    expect(validateProcessingForm(valid(), TYPES, null).Script).toMatch(
      /no default bucket/
    );
  });

  it('names the fields of the name, image, type and runtime as the server does', () => {
    const errors = validateProcessingForm(
      valid({
        name: 'bad_name',
        image: ' ',
        instanceType: 'ml.p3.2xlarge',
        maxRuntime: '604801'
      }),
      TYPES,
      'bkt'
    );
    expect(Object.keys(errors).sort()).toEqual([
      'AppSpecification.ImageUri',
      'ProcessingJobName',
      'ProcessingResources.ClusterConfig.InstanceType',
      'StoppingCondition.MaxRuntimeInSeconds'
    ]);
    expect(errors['ProcessingResources.ClusterConfig.InstanceType']).toBe(
      'ml.p3.2xlarge cannot run here: no GPU'
    );
  });

  it('checks input and output rows by their request paths', () => {
    const errors = validateProcessingForm(
      valid({
        inputs: [
          { name: 'raw', uri: 'http://x', localPath: '' },
          { name: 'raw', uri: 's3://bkt/a/', localPath: '/tmp/raw' },
          { name: 'code', uri: 's3://bkt/c/', localPath: '' }
        ],
        outputs: [
          { name: 'out', uri: '', localPath: '/opt/ml/processing/input/raw' },
          { name: '', uri: '', localPath: '' }
        ]
      }),
      TYPES,
      'bkt'
    );
    expect(errors['ProcessingInputs[0].S3Input.S3Uri']).toMatch(/S3 URI/);
    expect(errors['ProcessingInputs[1].InputName']).toBe(
      'The input raw is given twice'
    );
    expect(errors['ProcessingInputs[1].S3Input.LocalPath']).toBe(
      'Give a folder under /opt/ml/processing/'
    );
    expect(errors['ProcessingInputs[2].InputName']).toBe(
      "The name code is the script's"
    );
    expect(errors['ProcessingInputs[2].S3Input.LocalPath']).toBe(
      `${CODE_PATH} is where the script goes`
    );
    expect(errors['ProcessingOutputConfig.Outputs[0].S3Output.LocalPath']).toBe(
      '/opt/ml/processing/input/raw is used by another input or output'
    );
    // A blank row is ignored.
    expect(
      Object.keys(errors).some(k =>
        k.startsWith('ProcessingOutputConfig.Outputs[1]')
      )
    ).toBe(false);
  });

  it('counts the script among the ten inputs', () => {
    const inputs = Array.from({ length: 10 }, (_, i) => ({
      name: `in${i}`,
      uri: `s3://bkt/in${i}/`,
      localPath: ''
    }));
    expect(
      validateProcessingForm(valid({ inputs }), TYPES, 'bkt').ProcessingInputs
    ).toBe('At most 9 inputs besides the script');
    expect(
      validateProcessingForm(
        valid({ inputs, script: '', command: 'true' }),
        TYPES,
        'bkt'
      )
    ).toEqual({});
  });

  it('needs an output URI when there is no default bucket', () => {
    const errors = validateProcessingForm(
      valid({
        script: '',
        command: 'true',
        outputs: [{ name: 'o', uri: '', localPath: '' }]
      }),
      TYPES,
      null
    );
    expect(errors['ProcessingOutputConfig.Outputs[0].S3Output.S3Uri']).toMatch(
      /no default bucket/
    );
  });
});

describe('buildProcessingRequest', () => {
  it('sends the script as the last input and runs it with python3', () => {
    const state = valid({
      name: 'prep-1',
      arguments: '--rows 100 --label "a b"',
      inputs: [{ name: 'raw', uri: ' s3://bkt/raw/ ', localPath: '' }],
      outputs: [
        { name: 'train', uri: '', localPath: '' },
        {
          name: 'report',
          uri: 's3://bkt/reports/',
          localPath: '/opt/ml/processing/report/'
        }
      ],
      environment: [
        { key: 'MODE', value: 'fast' },
        { key: '', value: '' }
      ]
    });
    expect(buildProcessingRequest(state, 'atelier')).toEqual({
      ProcessingJobName: 'prep-1',
      AppSpecification: {
        ImageUri: 'atelier/sklearn:latest',
        ContainerEntrypoint: ['python3', `${CODE_PATH}/preprocess.py`],
        ContainerArguments: ['--rows', '100', '--label', 'a b']
      },
      ProcessingInputs: [
        {
          InputName: 'raw',
          S3Input: {
            S3Uri: 's3://bkt/raw/',
            LocalPath: '/opt/ml/processing/input/raw',
            S3DataType: 'S3Prefix',
            S3InputMode: 'File'
          }
        },
        {
          InputName: 'code',
          S3Input: {
            S3Uri: 's3://atelier/jobs/prep-1/code/preprocess.py',
            LocalPath: CODE_PATH,
            S3DataType: 'S3Prefix',
            S3InputMode: 'File'
          }
        }
      ],
      ProcessingOutputConfig: {
        Outputs: [
          {
            OutputName: 'train',
            S3Output: {
              S3Uri: 's3://atelier/jobs/prep-1/output/train',
              LocalPath: '/opt/ml/processing/output/train',
              S3UploadMode: 'EndOfJob'
            }
          },
          {
            OutputName: 'report',
            S3Output: {
              S3Uri: 's3://bkt/reports/',
              LocalPath: '/opt/ml/processing/report',
              S3UploadMode: 'EndOfJob'
            }
          }
        ]
      },
      ProcessingResources: {
        ClusterConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1 }
      },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      Environment: { MODE: 'fast' }
    });
  });

  it('runs a script with the given interpreter, and a bare command as typed', () => {
    const withInterpreter = buildProcessingRequest(
      valid({ name: 'p', command: 'python3 -u' }),
      'bkt'
    );
    expect(withInterpreter.AppSpecification.ContainerEntrypoint).toEqual([
      'python3',
      '-u',
      `${CODE_PATH}/preprocess.py`
    ]);
    const bare = buildProcessingRequest(
      valid({ name: 'p', script: '', command: 'bash -c "echo hi"' }),
      null
    );
    expect(bare.AppSpecification).toEqual({
      ImageUri: 'atelier/sklearn:latest',
      ContainerEntrypoint: ['bash', '-c', 'echo hi']
    });
    expect(bare.ProcessingInputs).toBeUndefined();
    expect(bare.ProcessingOutputConfig).toBeUndefined();
    expect(bare.Environment).toBeUndefined();
  });
});

describe('defaults of a row', () => {
  it('mounts a row under its kind and name, and sends an output under the job', () => {
    expect(mountPath({ name: 'x', uri: '', localPath: '' }, 'input')).toBe(
      '/opt/ml/processing/input/x'
    );
    expect(
      mountPath(
        { name: 'x', uri: '', localPath: '/opt/ml/processing/y//' },
        'output'
      )
    ).toBe('/opt/ml/processing/y');
    expect(outputUri({ name: 'o', uri: '', localPath: '' }, 'job', 'bkt')).toBe(
      's3://bkt/jobs/job/output/o'
    );
    expect(outputUri({ name: 'o', uri: '', localPath: '' }, 'job', null)).toBe(
      ''
    );
    expect(scriptUri('a/b/run.py', 'job', 'bkt')).toBe(
      's3://bkt/jobs/job/code/run.py'
    );
  });
});
