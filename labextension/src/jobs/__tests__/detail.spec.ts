import { IJobsApi } from '../api';
import {
  factsDurationSeconds,
  hyperParameterRows,
  inputLinks,
  jobFacts,
  outputLinks
} from '../describe';
import { JobDetailModel } from '../detailModel';
import { IJobDescription, ILogEvents } from '../tokens';

const training: IJobDescription = {
  TrainingJobName: 'iris',
  TrainingJobStatus: 'Completed',
  SecondaryStatus: 'Completed',
  CreationTime: '2026-05-25T10:00:00Z',
  TrainingStartTime: '2026-05-25T10:00:10Z',
  TrainingEndTime: '2026-05-25T10:01:10Z',
  ResourceConfig: { InstanceType: 'ml.m5.large' },
  AlgorithmSpecification: { TrainingImage: 'atelier/sklearn:latest' },
  CreatedBy: { UserProfileName: 'ada' },
  HyperParameters: { sagemaker_program: 'train.py', n: '3', alpha: '0.1' },
  InputDataConfig: [
    {
      ChannelName: 'train',
      DataSource: { S3DataSource: { S3Uri: 's3://atelier/data/train/' } }
    }
  ],
  OutputDataConfig: { S3OutputPath: 's3://atelier/jobs/' },
  ModelArtifacts: {
    S3ModelArtifacts: 's3://atelier/jobs/iris/output/model.tar.gz'
  },
  CheckpointConfig: { S3Uri: 's3://atelier/ckpt/iris/' },
  StoppingCondition: { MaxRuntimeInSeconds: 3600 }
};

describe('describe helpers', () => {
  it('reads the header facts of either kind', () => {
    const facts = jobFacts(training, 'training', 'iris');
    expect(facts).toMatchObject({
      name: 'iris',
      status: 'Completed',
      instanceType: 'ml.m5.large',
      image: 'atelier/sklearn:latest',
      creator: 'ada',
      failureReason: null,
      maxRuntimeSeconds: 3600
    });
    expect(factsDurationSeconds(facts, Date.now())).toBe(60);
    const processing = jobFacts(
      {
        ProcessingJobStatus: 'Failed',
        FailureReason: 'exit 1',
        AppSpecification: { ImageUri: 'img' },
        ProcessingResources: { ClusterConfig: { InstanceType: 'ml.t3.medium' } }
      },
      'processing',
      'prep'
    );
    expect(processing).toMatchObject({
      name: 'prep',
      status: 'Failed',
      image: 'img',
      instanceType: 'ml.t3.medium',
      failureReason: 'exit 1'
    });
  });

  it('links inputs and outputs; prefixes get listed, objects downloaded', () => {
    expect(inputLinks(training)).toEqual([
      {
        label: 'train',
        uri: 's3://atelier/data/train/',
        prefix: true,
        localPath: '/opt/ml/input/data/train'
      }
    ]);
    expect(outputLinks(training).map(l => [l.label, l.prefix])).toEqual([
      ['Model artifacts', false],
      ['Output path', true],
      ['Checkpoints', true]
    ]);
  });

  it('reads a processing output as a folder, however it is spelled', () => {
    const links = outputLinks({
      ProcessingJobName: 'prep',
      ProcessingOutputConfig: {
        Outputs: [
          {
            OutputName: 'summary',
            S3Output: {
              S3Uri: 's3://atelier/jobs/prep/output/summary',
              LocalPath: '/opt/ml/processing/output/summary',
              S3UploadMode: 'EndOfJob'
            }
          }
        ]
      }
    } as any);
    expect(links).toEqual([
      {
        label: 'summary',
        uri: 's3://atelier/jobs/prep/output/summary',
        prefix: true,
        localPath: '/opt/ml/processing/output/summary'
      }
    ]);
  });

  it("sorts hyperparameters with the SDK's own last", () => {
    expect(hyperParameterRows(training).map(r => r.name)).toEqual([
      'alpha',
      'n',
      'sagemaker_program'
    ]);
  });
});

describe('JobDetailModel', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function fakeApi(): {
    api: IJobsApi;
    state: { status: string; lines: string[] };
    calls: string[];
  } {
    const state = { status: 'InProgress', lines: ['a'] };
    const calls: string[] = [];
    const api = {
      describe: jest.fn(async () => {
        calls.push('describe');
        return { TrainingJobName: 'iris', TrainingJobStatus: state.status };
      }),
      logs: jest.fn(
        async (
          _k: string,
          _n: string,
          token: string | undefined
        ): Promise<ILogEvents> => {
          calls.push(`logs:${token ?? ''}`);
          const from = Number(token ?? 0);
          const page = state.lines.slice(from);
          return {
            events: page.map(message => ({ timestamp: 0, message })),
            nextForwardToken: String(from + page.length)
          };
        }
      ),
      metrics: jest.fn(async () => {
        calls.push('metrics');
        return { metrics: { loss: [{ timestamp: 1, value: 0.5 }] } };
      }),
      stop: jest.fn(async () => {
        state.status = 'Stopping';
      })
    } as unknown as IJobsApi;
    return { api, state, calls };
  }

  it('reads while visible, pauses while hidden, and settles when the job ends', async () => {
    const { api, state, calls } = fakeApi();
    const model = new JobDetailModel({
      api,
      kind: 'training',
      name: 'iris',
      interval: 1000
    });
    model.resume();
    await jest.advanceTimersByTimeAsync(0);
    expect(model.status).toBe('InProgress');
    expect(model.canStop).toBe(true);
    expect(model.logs.buffer.lines.map(l => l.message)).toEqual(['a']);
    expect(model.metrics.loss.length).toBe(1);

    state.lines.push('b');
    await jest.advanceTimersByTimeAsync(1000);
    expect(model.logs.buffer.total).toBe(2);

    model.pause();
    const paused = calls.length;
    await jest.advanceTimersByTimeAsync(10000);
    expect(calls.length).toBe(paused);

    state.status = 'Completed';
    state.lines.push('c');
    model.resume();
    await jest.advanceTimersByTimeAsync(5000);
    expect(model.status).toBe('Completed');
    expect(model.logs.done).toBe(true);
    expect(model.logs.buffer.total).toBe(3);
    expect(model.settled).toBe(true);
    const settled = calls.length;
    await jest.advanceTimersByTimeAsync(10000);
    expect(calls.length).toBe(settled);
    model.dispose();
  });

  it('stops through the API and reads the new state', async () => {
    const { api } = fakeApi();
    const model = new JobDetailModel({ api, kind: 'training', name: 'iris' });
    model.resume();
    await jest.advanceTimersByTimeAsync(0);
    await model.stop();
    expect(api.stop).toHaveBeenCalledWith('training', 'iris');
    expect(model.status).toBe('Stopping');
    expect(model.canStop).toBe(false);
    model.dispose();
  });

  it('shows the stop answer at once, and a describe sent before the stop does not undo it', async () => {
    const { api, state } = fakeApi();
    const model = new JobDetailModel({
      api,
      kind: 'training',
      name: 'iris',
      interval: 1000
    });
    model.resume();
    await jest.advanceTimersByTimeAsync(0);
    expect(model.status).toBe('InProgress');

    // The next describe is slow: it answers InProgress after the stop.
    let answer: (value: unknown) => void = () => undefined;
    (api.describe as jest.Mock).mockImplementationOnce(
      () => new Promise(resolve => (answer = resolve))
    );
    await jest.advanceTimersByTimeAsync(2000);
    expect(api.describe).toHaveBeenCalledTimes(2);
    (api.stop as jest.Mock).mockImplementationOnce(async () => {
      state.status = 'Stopping';
      return { TrainingJobName: 'iris', TrainingJobStatus: 'Stopping' };
    });
    const changes: string[] = [];
    model.changed.connect(() => changes.push(model.status));
    await model.stop();
    expect(model.status).toBe('Stopping');
    expect(changes[0]).toBe('Stopping');

    answer({ TrainingJobName: 'iris', TrainingJobStatus: 'InProgress' });
    await jest.advanceTimersByTimeAsync(0);
    expect(model.status).toBe('Stopping');
    expect(changes).not.toContain('InProgress');

    state.status = 'Stopped';
    await jest.advanceTimersByTimeAsync(3000);
    expect(model.status).toBe('Stopped');
    model.dispose();
  });

  it('keeps the last error and retries less often', async () => {
    const { api } = fakeApi();
    (api.describe as jest.Mock).mockRejectedValueOnce(new Error('no such job'));
    const model = new JobDetailModel({
      api,
      kind: 'training',
      name: 'iris',
      interval: 1000
    });
    model.resume();
    await jest.advanceTimersByTimeAsync(0);
    expect(model.error).toBe('no such job');
    await jest.advanceTimersByTimeAsync(1000);
    expect(api.describe).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(4000);
    expect(model.error).toBeNull();
    model.dispose();
  });
});
