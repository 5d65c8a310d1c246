package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.Deployment.Variant;
import dev.atelier.endpoints.bluegreen.Alarm;
import dev.atelier.endpoints.bluegreen.DeploymentPolicy;
import dev.atelier.endpoints.bluegreen.Drain;
import dev.atelier.endpoints.bluegreen.ShiftSchedule;
import dev.atelier.endpoints.bluegreen.ShiftSchedule.Phase;
import dev.atelier.endpoints.router.FleetWindow;
import dev.atelier.endpoints.router.Routes;
import dev.atelier.runtime.ServiceRuntime.Replica;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UpdateEndpoint as a blue/green deployment, on the update's (virtual) thread: the new fleet is provisioned beside the old one, traffic moves to it as the
 * {@link ShiftSchedule} says while its alarms are read every second, the old fleet stays up idle
 * through the termination wait, and stops once the router has no request in flight to it (see
 * {@link Drain}). An alarm that fires, or the update running past
 * MaximumExecutionTimeoutInSeconds (counted from the request, the new fleet's start included),
 * rolls it back: RollingBack, all traffic to the old fleet at once, the new fleet stopped,
 * InService again saying why. A new fleet not healthy by the deadline ends the update without
 * moving any traffic.
 *
 * <p>The endpoint's lock is held only to make the new fleet the endpoint's: the health monitor
 * keeps watching (and repairing) the old fleet while the update provisions and shifts, which can
 * take an hour. Nothing else changes an endpoint that is Updating; a delete meanwhile is seen at
 * the next look, and the new fleet stopped.
 */
final class BlueGreenUpdate {
  private static final Logger LOG = LoggerFactory.getLogger(BlueGreenUpdate.class);
  /** How often the alarms are read. */
  private static final Duration TICK = Duration.ofSeconds(1);

  private final Rollout rollout;
  private final Clock clock;
  /** The router's requests in flight to an instance. */
  private final ToIntFunction<Routes.Instance> inFlight;
  private final Drain drain;

  BlueGreenUpdate(Rollout rollout, Clock clock, ToIntFunction<Routes.Instance> inFlight, Drain drain) {
    this.rollout = rollout;
    this.clock = clock;
    this.inFlight = inFlight;
    this.drain = drain;
  }

  /**
   * Runs the update of {@code dep} to {@code next}; the FailureReason it leaves (the endpoint then
   * serves on its old fleet), or null once the new fleet is the endpoint's. Status stays Updating
   * (RollingBack while rolling back) for the caller to end. Call without the endpoint's lock.
   */
  String run(Deployment dep, List<Variant> next, String configName, ObjectNode capture, DeploymentPolicy policy) {
    Instant started = clock.instant();
    Instant deadline = started.plus(policy.maximumExecutionTimeout());
    TrafficShift shift = new TrafficShift(configName, policy, next, started, new FleetWindow(clock::millis));
    ShiftSchedule schedule = ShiftSchedule.of(policy, instances(next));
    shift.steps = schedule.steps();
    dep.shift = shift;
    rollout.save(dep); // stored with it: a server that restarts meanwhile knows what to stop and say
    // The new fleet's start counts in the update's time: its health checks end at the deadline too.
    String problem = rollout.provision(dep, next, deadline);
    if (problem != null || dep.deleting) {
      dep.shift = null;
      if (problem == null) {
        return null;
      }
      return "the update to " + configName + " did not complete" + (clock.instant().isAfter(deadline)
          ? " within MaximumExecutionTimeoutInSeconds (" + policy.maximumExecutionTimeout().toSeconds() + " s)" : "")
          + ": " + problem;
    }
    Instant first = clock.instant();
    shift.routed = true;
    int at = -1;
    List<Alarm.Reading> last = shift.readings;
    while (true) {
      if (dep.deleting) {
        shift.routed = false;
        rollout.stop(next, Duration.ZERO, dep.name);
        dep.shift = null;
        return null;
      }
      Instant now = clock.instant();
      if (now.isAfter(deadline)) {
        // Before the schedule's end is looked at: an update past its time is rolled back even at its last step.
        return rollBack(dep, shift, "the update to " + configName + " was rolled back: it did not complete within"
            + " MaximumExecutionTimeoutInSeconds (" + policy.maximumExecutionTimeout().toSeconds() + " s)");
      }
      ShiftSchedule.Position p = schedule.at(Duration.between(first, now));
      if (p == null) {
        break;
      }
      boolean change = false;
      if (p.index() != at) {
        at = p.index();
        shift.share = p.stage().share();
        shift.phase = p.stage().phase();
        shift.step = p.stage().step();
        shift.phaseEndsAt = first.plus(p.endsAfter());
        LOG.info("endpoint {}: update to {}: {} step {}/{}, the new fleet gets {}% of the traffic", dep.name,
            configName, shift.phase, shift.step, shift.steps, Math.round(shift.share * 1000) / 10.0);
        change = true;
      }
      String fired = watch(shift);
      if (!shift.readings.equals(last)) {
        last = shift.readings;
        change = true;
      }
      if (fired != null) {
        return rollBack(dep, shift, "the update to " + configName + " was rolled back: " + fired);
      }
      if (change) {
        rollout.changed(dep);
      }
      Duration left = Duration.between(clock.instant(), shift.phaseEndsAt);
      pause(left.compareTo(TICK) < 0 ? left : TICK);
    }
    List<Variant> old;
    dep.lock.lock();
    try {
      if (dep.deleting) {
        shift.routed = false;
        rollout.stop(next, Duration.ZERO, dep.name);
        dep.shift = null;
        return null;
      }
      old = dep.variants;
      dep.variants = next;
      dep.configName = configName;
      dep.dataCapture = capture;
      dep.lastDeploymentConfig = policy.toJson();
      dep.shift = null;
      rollout.save(dep);
    } finally {
      dep.lock.unlock();
    }
    drained(dep, old, "its previous fleet");
    rollout.stop(old, rollout.stopGrace(), dep.name);
    return null;
  }

  /** Waits until the router has no request in flight to {@code fleet} (at most the drain's limit). */
  private void drained(Deployment dep, List<Variant> fleet, String what) {
    int left = drain.await(() -> inFlight(fleet), () -> dep.deleting);
    if (left > 0 && !dep.deleting) {
      LOG.warn("endpoint {}: {} still had {} invocation(s) in flight after {} s; stopping it all the same", dep.name,
          what, left, drain.limit().toSeconds());
    }
  }

  private int inFlight(List<Variant> fleet) {
    int n = 0;
    for (Variant v : fleet) {
      for (Replica r : v.replicas()) {
        n += inFlight.applyAsInt(new Routes.Instance(r.id(), r.port()));
      }
    }
    return n;
  }

  /** Reads every alarm on the new fleet's window; what the first one in ALARM saw, or null. */
  private static String watch(TrafficShift shift) {
    FleetWindow.Snapshot window = shift.window.snapshot();
    List<Alarm> alarms = shift.policy.alarms();
    List<Alarm.Reading> readings = new ArrayList<>(alarms.size());
    String fired = null;
    for (Alarm a : alarms) {
      Alarm.Reading r = a.evaluate(window);
      readings.add(r);
      if (fired == null && r.state() == Alarm.State.ALARM) {
        fired = "alarm '" + a.name() + "' fired: " + a.saw(r, window);
      }
    }
    shift.readings = List.copyOf(readings);
    return fired;
  }

  /** All traffic back to the old fleet at once, then the new fleet stops. */
  private String rollBack(Deployment dep, TrafficShift shift, String reason) {
    LOG.warn("endpoint {}: {}", dep.name, reason);
    shift.share = 0;
    shift.phase = Phase.RollingBack;
    shift.phaseEndsAt = null;
    shift.rollbackReason = reason;
    dep.status("RollingBack", null, clock.instant());
    rollout.save(dep);
    drained(dep, shift.next, "the new fleet");
    shift.routed = false;
    rollout.changed(dep);
    rollout.stop(shift.next, rollout.stopGrace(), dep.name);
    dep.lastDeploymentConfig = shift.policy.toJson();
    dep.shift = null;
    return reason;
  }

  private static int instances(List<Variant> fleet) {
    return fleet.stream().mapToInt(v -> v.plan.instanceCount()).sum();
  }

  private static void pause(Duration d) {
    if (d.isNegative() || d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
