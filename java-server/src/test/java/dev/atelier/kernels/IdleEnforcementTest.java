package dev.atelier.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.instances.IdlePolicies;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When culling and the idle rules end a kernel or an instance. */
class IdleEnforcementTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final Duration CULL_AFTER = Duration.ofMinutes(10);

  private static Kernel kernel(String state, Instant lastActivity, int connections) {
    Kernel k = new Kernel("k-" + state, "python3", "Python 3", "python", "a.ipynb", T0);
    k.placement("i-1", "ml.m5.large", "local");
    k.executionState(state);
    k.touch(lastActivity);
    k.connections(connections);
    return k;
  }

  private static IdlePolicies.Policy policy(int kernelIdleMinutes, int instanceIdleMinutes) {
    return new IdlePolicies.Policy("ml.m5.large", kernelIdleMinutes, instanceIdleMinutes);
  }

  @Test
  void cullingTakesIdleAndDeadKernelsPastTheTimeoutAndBusyOrConnectedOnesOnlyWhenAllowed() {
    Instant now = T0.plus(CULL_AFTER).plusSeconds(1);
    assertThat(IdleEnforcement.cullable(kernel("idle", T0, 0), now, CULL_AFTER, false, false)).isTrue();
    assertThat(IdleEnforcement.cullable(kernel("dead", T0, 0), now, CULL_AFTER, false, false)).isTrue();
    assertThat(IdleEnforcement.cullable(kernel("idle", T0, 0), T0.plus(CULL_AFTER), CULL_AFTER, false, false)).isFalse();
    assertThat(IdleEnforcement.cullable(kernel("busy", T0, 0), now, CULL_AFTER, false, false)).isFalse();
    assertThat(IdleEnforcement.cullable(kernel("busy", T0, 0), now, CULL_AFTER, true, false)).isTrue();
    assertThat(IdleEnforcement.cullable(kernel("starting", T0, 0), now, CULL_AFTER, true, true)).isFalse();
    assertThat(IdleEnforcement.cullable(kernel("idle", T0, 1), now, CULL_AFTER, false, false)).isFalse();
    assertThat(IdleEnforcement.cullable(kernel("idle", T0, 1), now, CULL_AFTER, false, true)).isTrue();
  }

  @Test
  void aKernelsIdleRuleAppliesOnlyWhileItIsIdleAndItsTypeHasOne() {
    assertThat(IdleEnforcement.kernelShutdownAt(kernel("idle", T0, 1), t -> policy(30, 0)))
        .isEqualTo(T0.plus(Duration.ofMinutes(30)));
    assertThat(IdleEnforcement.kernelShutdownAt(kernel("busy", T0, 0), t -> policy(30, 0))).isNull();
    assertThat(IdleEnforcement.kernelShutdownAt(kernel("dead", T0, 0), t -> policy(30, 0))).isNull();
    assertThat(IdleEnforcement.kernelShutdownAt(kernel("idle", T0, 0), t -> policy(0, 60))).isNull();
    Kernel unplaced = new Kernel("k", "python3", "Python 3", "python", null, T0);
    unplaced.executionState("idle");
    assertThat(IdleEnforcement.kernelShutdownAt(unplaced, t -> policy(30, 0))).isNull();
  }

  @Test
  void anInstanceStopsItsRulesTimeAfterItStartedOrItsKernelsLastActivityWhicheverIsLater() {
    Instant started = T0.minus(Duration.ofHours(1));
    assertThat(IdleEnforcement.instanceStopAt("running", started, policy(0, 60), List.of()))
        .isEqualTo(T0);
    assertThat(IdleEnforcement.instanceStopAt("running", started, policy(0, 60),
        List.of(kernel("idle", T0, 0), kernel("dead", T0.minusSeconds(5), 0))))
        .isEqualTo(T0.plus(Duration.ofHours(1)));
  }

  @Test
  void anInstanceWithAWorkingKernelOrNoRuleOrNotRunningIsNotStoppedForIdleness() {
    Instant started = T0.minus(Duration.ofHours(1));
    for (String state : List.of("busy", "starting", "restarting")) {
      assertThat(IdleEnforcement.instanceStopAt("running", started, policy(0, 60),
          List.of(kernel("idle", T0, 0), kernel(state, T0, 0)))).as(state).isNull();
    }
    assertThat(IdleEnforcement.instanceStopAt("running", started, policy(30, 0), List.of())).isNull();
    assertThat(IdleEnforcement.instanceStopAt("starting", null, policy(0, 60), List.of())).isNull();
    assertThat(IdleEnforcement.instanceStopAt("stopping", started, policy(0, 60), List.of())).isNull();
  }
}
