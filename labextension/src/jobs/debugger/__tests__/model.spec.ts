import { EventStream } from '../../../events/stream';
import { FakeSocket } from '../../../events/__tests__/fakeSocket';
import { IDebuggerClient } from '../client';
import { DebuggerModel } from '../model';
import { IDebuggerOverview, IRuleStatus, ITensorStep } from '../tokens';

const settle = () => jest.advanceTimersByTimeAsync(0);

const rule = (
  status: string,
  extra: Partial<IRuleStatus> = {}
): IRuleStatus => ({
  RuleConfigurationName: 'vanishing',
  RuleEvaluationStatus: status,
  ...extra
});

/** Bytes of an event file holding one float64 at offset 4. */
function eventFile(value: number): ArrayBuffer {
  const buffer = new ArrayBuffer(12);
  new DataView(buffer).setFloat64(4, value, true);
  return buffer;
}

function stepOf(step: number): ITensorStep {
  return {
    step,
    index: [
      {
        worker: 'worker_0',
        event_file: `s3://b/e/${step}.atd`,
        entry: {
          version: 1,
          step,
          worker: 'worker_0',
          size: 12,
          tensors: [
            {
              name: 'losses/loss',
              mode: 'TRAIN',
              mode_step: step,
              collections: ['losses'],
              dtype: '<f8',
              shape: [],
              offset: 4,
              length: 8
            }
          ]
        }
      }
    ]
  };
}

/** A server of one job whose steps and samples grow between reads. */
class FakeServer implements IDebuggerClient {
  statuses: IRuleStatus[] = [rule('InProgress')];
  savedSteps = [0];
  ended = false;
  stepReads: number[] = [];
  afters: Array<number | undefined> = [];

  overview = async (name: string): Promise<IDebuggerOverview> => ({
    TrainingJobName: name,
    ProfilingStatus: 'Enabled',
    TensorsS3Uri: 's3://b/e/',
    DebugRuleEvaluationStatuses: this.statuses,
    ProfilerRuleEvaluationStatuses: []
  });
  profiler = async (_: string, after?: number) => {
    this.afters.push(after);
    const all = [
      { ts: 1, cpu_total: 20 },
      { ts: 2, cpu_total: 40 }
    ];
    return { samples: all.filter(s => after === undefined || s.ts > after) };
  };
  steps = async () => ({
    ended: this.ended,
    steps: this.savedSteps.map(step => ({ step, workers: ['worker_0'] }))
  });
  step = async (_: string, step: number) => {
    this.stepReads.push(step);
    return stepOf(step);
  };
  objectBytes = async (uri: string) =>
    eventFile(Number(/(\d+)\.atd$/.exec(uri)![1]) / 10);
}

describe('DebuggerModel', () => {
  let stream: EventStream;
  let server: FakeServer;
  let model: DebuggerModel;
  let terminal = false;

  beforeEach(() => {
    jest.useFakeTimers();
    FakeSocket.instances = [];
    stream = new EventStream({
      url: 'ws://x/atelier/api/events',
      createSocket: url => new FakeSocket(url),
      reconnectDelay: 1000,
      reconnectMaxDelay: 8000
    });
    server = new FakeServer();
    terminal = false;
    model = new DebuggerModel({
      name: 'job-1',
      client: server,
      events: stream,
      interval: 1000
    });
  });

  afterEach(() => {
    model.dispose();
    stream.dispose();
    jest.useRealTimers();
  });

  it('reads steps once each, their scalars and the profiler after its last sample', async () => {
    model.start(() => terminal);
    await settle();
    expect([...model.steps.keys()]).toEqual([0]);
    expect(model.samples.map(s => s.ts)).toEqual([1, 2]);
    expect(model.profilingEnabled).toBe(true);

    server.savedSteps = [0, 1, 2];
    await jest.advanceTimersByTimeAsync(1000);
    expect([...model.steps.keys()].sort()).toEqual([0, 1, 2]);
    expect(server.stepReads).toEqual([0, 1, 2]);
    expect(model.scalars.get('s3://b/e/2.atd#4')).toBe(0.2);
    expect(server.afters).toEqual([undefined, 2]);
  });

  it('takes statuses live from debugger frames of its job only', async () => {
    model.start(() => terminal);
    await settle();
    FakeSocket.last.open();
    const seen: string[] = [];
    model.changed.connect(() =>
      seen.push(model.debugStatuses[0]?.RuleEvaluationStatus)
    );
    const send = (frame: unknown) =>
      FakeSocket.last.send(JSON.stringify(frame));
    send({
      type: 'debugger',
      TrainingJobName: 'other',
      DebugRuleEvaluationStatuses: [rule('Error')],
      ProfilerRuleEvaluationStatuses: []
    });
    send({
      type: 'debugger',
      TrainingJobName: 'job-1',
      DebugRuleEvaluationStatuses: [
        rule('IssuesFound', { Step: 3, TensorName: 'gradients/a' })
      ],
      ProfilerRuleEvaluationStatuses: []
    });
    expect(seen).toEqual(['IssuesFound']);
    expect(model.debugStatuses[0].Step).toBe(3);
  });

  it('stops reading after one read once the job has ended', async () => {
    terminal = true;
    server.ended = true;
    model.start(() => terminal);
    await settle();
    const reads = server.afters.length;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(server.afters.length).toBe(reads);
    expect(model.ended).toBe(true);
  });

  it('says why a read failed and asks again later, less often', async () => {
    let calls = 0;
    const working = server.overview;
    server.overview = async name => {
      calls++;
      if (calls === 1) {
        throw new Error('S3 is down');
      }
      return working(name);
    };
    model.start(() => terminal);
    await settle();
    expect(model.error).toBe('S3 is down');
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(1);
    await jest.advanceTimersByTimeAsync(4000);
    expect(calls).toBe(2);
    expect(model.error).toBeNull();
  });
});
