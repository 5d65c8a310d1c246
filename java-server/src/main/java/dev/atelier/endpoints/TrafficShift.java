package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.Deployment.Variant;
import dev.atelier.endpoints.bluegreen.Alarm;
import dev.atelier.endpoints.bluegreen.DeploymentPolicy;
import dev.atelier.endpoints.bluegreen.ShiftSchedule.Phase;
import dev.atelier.endpoints.router.FleetWindow;
import dev.atelier.runtime.ServiceRuntime.Replica;
import java.time.Instant;
import java.util.List;

/**
 * A blue/green update under way, as the router and DescribeEndpoint see it: the new fleet, whether
 * it gets traffic yet and its share, the phase and step of the plan, and the alarms' last readings.
 * Written by the update's thread only; read from any thread.
 */
final class TrafficShift {
  final String configName;
  final DeploymentPolicy policy;
  final List<Variant> next;
  final Instant startedAt;
  /** The new fleet's invocations, which its alarms read. */
  final FleetWindow window;
  /** Whether the router sees the new fleet (once all of it is healthy, until it is stopped). */
  volatile boolean routed;
  /** The new fleet's share of the traffic, 0 to 1. */
  volatile double share;
  volatile Phase phase = Phase.Provisioning;
  volatile int step;
  volatile int steps;
  volatile Instant phaseEndsAt;
  volatile List<Alarm.Reading> readings;
  /** Why it is being rolled back, once it is; null before. */
  volatile String rollbackReason;

  TrafficShift(String configName, DeploymentPolicy policy, List<Variant> next, Instant startedAt, FleetWindow window) {
    this.configName = configName;
    this.policy = policy;
    this.next = next;
    this.startedAt = startedAt;
    this.window = window;
    this.readings = policy.alarms().stream().map(a -> new Alarm.Reading(Alarm.State.INSUFFICIENT_DATA, null))
        .toList();
  }

  /**
   * What is stored of it while it runs: enough for a server that restarts meanwhile to stop the new
   * fleet and say which update did not finish, and why it was being rolled back if it was.
   */
  ObjectNode stored() {
    ObjectNode n = dev.atelier.http.Json.mapper().createObjectNode();
    n.put("EndpointConfigName", configName);
    n.put("StartTime", startedAt.toString());
    n.set("DeploymentConfig", policy.toJson());
    ArrayNode plans = n.putArray("Variants");
    next.forEach(v -> plans.add(v.plan.toJson()));
    if (rollbackReason != null) {
      n.put("RollbackReason", rollbackReason);
    }
    return n;
  }

  /** Adds SageMaker's PendingDeploymentSummary and Atelier's TrafficShift to a description. */
  void describeInto(ObjectNode n) {
    ObjectNode pending = n.putObject("PendingDeploymentSummary");
    pending.put("EndpointConfigName", configName);
    pending.put("StartTime", startedAt.toString());
    ArrayNode list = pending.putArray("ProductionVariants");
    double shareNow = routed ? share : 0;
    for (Variant v : next) {
      VariantPlan p = v.plan;
      ObjectNode o = list.addObject();
      o.put("VariantName", p.variant());
      o.put("ModelName", p.model());
      o.put("InstanceType", p.instanceType());
      o.put("CurrentWeight", p.weight() * shareNow);
      o.put("DesiredWeight", p.weight());
      o.put("CurrentInstanceCount", v.replicas().size());
      o.put("DesiredInstanceCount", p.instanceCount());
      ArrayNode instances = o.putArray("Instances");
      for (Replica r : v.replicas()) {
        instances.addObject().put("Id", r.id()).put("Healthy", v.healthy.contains(r.id()))
            .put("StartedAt", r.startedAt().toString());
      }
    }
    ObjectNode t = n.putObject("TrafficShift");
    t.put("Type", policy.type().name());
    t.put("Phase", phase.name());
    t.put("NewFleetTrafficPercent", Math.round(shareNow * 1000) / 10.0);
    t.put("Step", step);
    t.put("Steps", steps);
    Instant ends = phaseEndsAt;
    if (ends == null) {
      t.putNull("PhaseEndsAt");
    } else {
      t.put("PhaseEndsAt", ends.toString());
    }
    ArrayNode alarms = t.putArray("Alarms");
    List<Alarm.Reading> now = readings;
    for (int i = 0; i < policy.alarms().size(); i++) {
      Alarm.Reading r = now.get(i);
      ObjectNode a = alarms.addObject().put("AlarmName", policy.alarms().get(i).name()).put("State", r.state().name());
      if (r.value() == null) {
        a.putNull("Value");
      } else {
        a.put("Value", Math.round(r.value() * 100) / 100.0);
      }
    }
  }
}
