package dev.atelier.endpoints.bluegreen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When a blue/green update moves how much traffic to the new fleet, as pure logic over the time
 * since the first shift: CANARY the canary share for WaitIntervalInSeconds, then all of it; LINEAR
 * steps of the step share, each held WaitIntervalInSeconds, until all of it; ALL_AT_ONCE all of it
 * at once, then WaitIntervalInSeconds of baking. Every plan ends with TerminationWaitInSeconds on
 * all of it (the old fleet idle but up), after which the old fleet stops.
 */
public final class ShiftSchedule {
  /** The phases DescribeEndpoint's TrafficShift shows, by their names there. */
  public enum Phase {
    Provisioning, Shifting, Baking, TerminationWait, RollingBack
  }

  /**
   * One stage: the new fleet's share of the traffic (0 to 1) for {@code hold}.
   *
   * @param step which traffic step this is, from 1 (the stages after the last step keep its number)
   */
  public record Stage(Phase phase, double share, Duration hold, int step) {}

  /** Where the plan is: its stage, and how long after the first shift that stage ends. */
  public record Position(int index, Stage stage, Duration endsAfter) {}

  private final List<Stage> stages;
  private final int steps;

  private ShiftSchedule(List<Stage> stages) {
    this.stages = List.copyOf(stages);
    this.steps = stages.stream().mapToInt(Stage::step).max().orElse(1);
  }

  /** The plan of {@code policy} for a new fleet of {@code instances} instances. */
  public static ShiftSchedule of(DeploymentPolicy policy, int instances) {
    List<Stage> stages = new ArrayList<>();
    Duration wait = policy.waitInterval();
    int step = 1;
    switch (policy.type()) {
      case ALL_AT_ONCE -> stages.add(new Stage(Phase.Baking, 1, wait, step));
      case CANARY -> {
        stages.add(new Stage(Phase.Shifting, Math.min(0.5, policy.size().share(instances)), wait, step));
        step++;
      }
      case LINEAR -> {
        double each = policy.size().share(instances);
        // Whole steps of the share, rounded so that 3 steps of 33.3% do not leave a 4th of 0.1%.
        int count = (int) Math.ceil(1 / each - 1e-9);
        for (; step < count; step++) {
          stages.add(new Stage(Phase.Shifting, step * each, wait, step));
        }
      }
    }
    stages.add(new Stage(Phase.TerminationWait, 1, policy.terminationWait(), step));
    return new ShiftSchedule(stages);
  }

  public List<Stage> stages() {
    return stages;
  }

  /** How many traffic steps the plan has. */
  public int steps() {
    return steps;
  }

  /** The whole plan's length from the first shift. */
  public Duration length() {
    return stages.stream().map(Stage::hold).reduce(Duration.ZERO, Duration::plus);
  }

  /** Where the plan is {@code elapsed} after the first shift; null once it is over. */
  public Position at(Duration elapsed) {
    Duration end = Duration.ZERO;
    for (int i = 0; i < stages.size(); i++) {
      end = end.plus(stages.get(i).hold());
      if (elapsed.compareTo(end) < 0) {
        return new Position(i, stages.get(i), end);
      }
    }
    return null;
  }
}
