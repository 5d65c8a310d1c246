import {
  IUpdateForm,
  alarmNames,
  errorRateAlarm,
  fieldOfUpdateRefusal,
  initialUpdateForm,
  latencyAlarm,
  parseAlarm,
  updateRequestOf,
  validateUpdate
} from '../update';

const form = (patch: Partial<IUpdateForm> = {}): IUpdateForm => ({
  ...initialUpdateForm(
    {
      EndpointName: 'ep',
      EndpointStatus: 'InService',
      EndpointConfigName: 'v1'
    },
    ['v1', 'v2']
  ),
  ...patch
});

describe('the Update form', () => {
  it('starts on another config, all at once, with no alarm', () => {
    const f = form();
    expect(f.config).toBe('v2');
    expect(validateUpdate(f, ['v1', 'v2'])).toEqual({});
    expect(updateRequestOf(f)).toEqual({
      EndpointConfigName: 'v2',
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: {
            Type: 'ALL_AT_ONCE',
            WaitIntervalInSeconds: 0
          },
          TerminationWaitInSeconds: 0,
          MaximumExecutionTimeoutInSeconds: 3600
        }
      }
    });
  });

  it('sends a canary with its size, waits and both alarms', () => {
    const f = form({
      routing: 'CANARY',
      canaryType: 'INSTANCE_COUNT',
      canaryValue: '1',
      wait: '300',
      terminationWait: '60',
      maxTimeout: '1800',
      errorRateOn: true,
      errorRate: '2.5',
      latencyOn: true,
      latencyMs: '250'
    });
    expect(validateUpdate(f)).toEqual({});
    expect(updateRequestOf(f).DeploymentConfig).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          WaitIntervalInSeconds: 300,
          CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 }
        },
        TerminationWaitInSeconds: 60,
        MaximumExecutionTimeoutInSeconds: 1800
      },
      AutoRollbackConfiguration: {
        Alarms: [
          { AlarmName: 'Invocation5XXErrorRate > 2.5' },
          { AlarmName: 'ModelLatencyP99 > 250000' }
        ]
      }
    });
  });

  it('sends a linear step and no canary size', () => {
    const body = updateRequestOf(
      form({ routing: 'LINEAR', linearValue: '25', wait: '30' })
    );
    const routing =
      body.DeploymentConfig!.BlueGreenUpdatePolicy.TrafficRoutingConfiguration;
    expect(routing).toEqual({
      Type: 'LINEAR',
      WaitIntervalInSeconds: 30,
      LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 }
    });
    expect(body.DeploymentConfig!.AutoRollbackConfiguration).toBeUndefined();
  });

  it("refuses what the server's ranges refuse, field by field", () => {
    expect(
      validateUpdate(
        form({
          config: '',
          wait: '3601',
          terminationWait: '-1',
          maxTimeout: '599'
        })
      )
    ).toEqual({
      config: 'Choose the endpoint config to move to',
      wait: 'Give a whole number from 0 to 3600',
      terminationWait: 'Give a whole number from 0 to 3600',
      maxTimeout: 'Give a whole number from 600 to 14400'
    });
    expect(validateUpdate(form({ maxTimeout: '14401' })).maxTimeout).toBe(
      'Give a whole number from 600 to 14400'
    );
    expect(validateUpdate(form({ wait: '1.5' })).wait).toBeDefined();
    expect(validateUpdate(form({ config: 'gone' }), ['v1', 'v2']).config).toBe(
      'There is no endpoint config gone'
    );
  });

  it('keeps a canary at most 50% and a linear step 10% to 50%', () => {
    const canary = (canaryValue: string) =>
      validateUpdate(form({ routing: 'CANARY', canaryValue })).canaryValue;
    expect(canary('50')).toBeUndefined();
    expect(canary('51')).toBe('Give a percent from 1 to 50');
    expect(canary('0')).toBe('Give a percent from 1 to 50');
    const linear = (linearValue: string) =>
      validateUpdate(form({ routing: 'LINEAR', linearValue })).linearValue;
    expect(linear('10')).toBeUndefined();
    expect(linear('9')).toBe('Give a percent from 10 to 50');
    expect(linear('60')).toBe('Give a percent from 10 to 50');
    const count = validateUpdate(
      form({
        routing: 'LINEAR',
        linearType: 'INSTANCE_COUNT',
        linearValue: '0'
      })
    ).linearValue;
    expect(count).toBe('Give a whole number of instances from 1 to 1000');
    expect(
      validateUpdate(
        form({
          routing: 'CANARY',
          canaryType: 'INSTANCE_COUNT',
          canaryValue: '1001'
        })
      ).canaryValue
    ).toBe('Give a whole number of instances from 1 to 1000');
    // A size of the routing not chosen is not checked.
    expect(validateUpdate(form({ canaryValue: 'x' }))).toEqual({});
  });

  it('checks an alarm threshold only when its alarm is on', () => {
    expect(validateUpdate(form({ errorRate: 'abc', latencyMs: '' }))).toEqual(
      {}
    );
    expect(
      validateUpdate(
        form({
          errorRateOn: true,
          errorRate: '100',
          latencyOn: true,
          latencyMs: '0'
        })
      )
    ).toEqual({
      errorRate: 'Give a percent from 0 to below 100',
      latencyMs: 'Give milliseconds above 0, such as 250'
    });
  });

  it('names the refused field from the path in the server message', () => {
    const f = form({ latencyOn: true });
    const at = (message: string) => fieldOfUpdateRefusal(message, f);
    expect(
      at(
        'DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.WaitIntervalInSeconds: must be 0 to 3600'
      )
    ).toBe('wait');
    expect(
      at(
        'DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.CanarySize.Value: at most 50%'
      )
    ).toBe('canaryValue');
    expect(
      at(
        'DeploymentConfig.AutoRollbackConfiguration.Alarms[0].AlarmName: accepted forms are ...'
      )
    ).toBe('latencyMs');
    expect(at("EndpointConfigName: no endpoint config named 'x'")).toBe(
      'config'
    );
    expect(at('the endpoint is Updating; try again once it is InService')).toBe(
      null
    );
  });
});

describe('alarm names', () => {
  it('builds the built-in forms, the latency in microseconds', () => {
    expect(errorRateAlarm(5)).toBe('Invocation5XXErrorRate > 5');
    expect(errorRateAlarm(0.1 + 0.2)).toBe('Invocation5XXErrorRate > 0.3');
    expect(latencyAlarm(250)).toBe('ModelLatencyP99 > 250000');
    expect(latencyAlarm(0.5)).toBe('ModelLatencyP99 > 500');
    expect(alarmNames(form({ errorRateOn: true, errorRate: '1' }))).toEqual([
      'Invocation5XXErrorRate > 1'
    ]);
  });

  it('reads a name back', () => {
    expect(parseAlarm('ModelLatencyP99 > 250000')).toEqual({
      metric: 'ModelLatencyP99',
      threshold: 250000
    });
    expect(parseAlarm('my-cloudwatch-alarm')).toBeNull();
  });
});
