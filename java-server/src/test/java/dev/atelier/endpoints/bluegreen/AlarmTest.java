package dev.atelier.endpoints.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.endpoints.bluegreen.Alarm.State;
import dev.atelier.endpoints.router.FleetWindow;
import org.junit.jupiter.api.Test;

/** The built-in alarms on a new fleet's last minute of invocations. */
class AlarmTest {
  private static Alarm alarm(String name) {
    return Alarm.parse(name, "AlarmName");
  }

  @Test
  void theErrorRateAlarmFiresAboveItsPercentOnceThereAreTenInvocations() {
    Alarm a = alarm("Invocation5XXErrorRate > 5");
    assertThat(a.evaluate(new FleetWindow.Snapshot(9, 9, 100)).state()).isEqualTo(State.INSUFFICIENT_DATA);
    assertThat(a.evaluate(new FleetWindow.Snapshot(9, 9, 100)).value()).isNull();
    assertThat(a.evaluate(new FleetWindow.Snapshot(100, 5, 100))).isEqualTo(new Alarm.Reading(State.OK, 5.0));
    Alarm.Reading fired = a.evaluate(new FleetWindow.Snapshot(100, 6, 100));
    assertThat(fired.state()).isEqualTo(State.ALARM);
    assertThat(a.saw(fired, new FleetWindow.Snapshot(100, 6, 100)))
        .isEqualTo("6.0% of the new fleet's 100 invocations in the last 60 s failed (6)");
  }

  @Test
  void theLatencyAlarmReadsTheP99InMicroseconds() {
    Alarm a = alarm("ModelLatencyP99 > 2000.5");
    assertThat(a.evaluate(new FleetWindow.Snapshot(10, 0, 2000)).state()).isEqualTo(State.OK);
    assertThat(a.evaluate(new FleetWindow.Snapshot(10, 0, 2001)).state()).isEqualTo(State.ALARM);
    assertThat(a.evaluate(new FleetWindow.Snapshot(10, 10, Double.NaN)).state())
        .as("no model answered: no latency").isEqualTo(State.INSUFFICIENT_DATA);
  }
}
