package dev.atelier.endpoints.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.endpoints.bluegreen.DeploymentPolicy.Size;
import dev.atelier.endpoints.bluegreen.DeploymentPolicy.Type;
import dev.atelier.endpoints.bluegreen.ShiftSchedule.Phase;
import dev.atelier.endpoints.bluegreen.ShiftSchedule.Position;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When each share of the traffic goes to the new fleet, on a clock the test moves. */
class ShiftScheduleTest {
  private static DeploymentPolicy policy(Type type, long wait, Size size, long termination) {
    return new DeploymentPolicy(type, Duration.ofSeconds(wait), size, Duration.ofSeconds(termination),
        Duration.ofSeconds(3600), List.of());
  }

  private static Position at(ShiftSchedule s, double seconds) {
    return s.at(Duration.ofMillis((long) (seconds * 1000)));
  }

  @Test
  void aCanaryHoldsItsShareForTheWaitThenAllOfItThroughTheTerminationWait() {
    ShiftSchedule s = ShiftSchedule.of(policy(Type.CANARY, 2, new Size(false, 10), 3), 4);
    assertThat(s.steps()).isEqualTo(2);
    assertThat(at(s, 0).stage()).isEqualTo(new ShiftSchedule.Stage(Phase.Shifting, 0.1, Duration.ofSeconds(2), 1));
    assertThat(at(s, 1.999).stage().share()).isEqualTo(0.1);
    assertThat(at(s, 1.999).endsAfter()).isEqualTo(Duration.ofSeconds(2));
    assertThat(at(s, 2).stage().phase()).isEqualTo(Phase.TerminationWait);
    assertThat(at(s, 2).stage().share()).isEqualTo(1.0);
    assertThat(at(s, 2).stage().step()).isEqualTo(2);
    assertThat(at(s, 4.999).endsAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(at(s, 5)).isNull();
    assertThat(s.length()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aCanaryInInstancesIsItsShareOfTheNewFleet() {
    ShiftSchedule s = ShiftSchedule.of(policy(Type.CANARY, 1, new Size(true, 1), 0), 4);
    assertThat(at(s, 0).stage().share()).isEqualTo(0.25);
  }

  @Test
  void linearStepsEachHoldTheWaitUntilAllOfIt() {
    ShiftSchedule s = ShiftSchedule.of(policy(Type.LINEAR, 10, new Size(false, 25), 0), 4);
    assertThat(s.steps()).isEqualTo(4);
    assertThat(s.stages()).extracting(ShiftSchedule.Stage::share).containsExactly(0.25, 0.5, 0.75, 1.0);
    assertThat(at(s, 0).stage().step()).isEqualTo(1);
    assertThat(at(s, 10).stage().share()).isEqualTo(0.5);
    assertThat(at(s, 29.9).stage().share()).isEqualTo(0.75);
    assertThat(at(s, 29.9).endsAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(at(s, 30)).as("no termination wait: the plan ends at 100%").isNull();
  }

  @Test
  void aStepThatDoesNotDivideAHundredEndsWithASmallerLastStep() {
    ShiftSchedule thirds = ShiftSchedule.of(policy(Type.LINEAR, 1, new Size(true, 1), 1), 3);
    assertThat(thirds.stages()).extracting(ShiftSchedule.Stage::share).hasSize(3).last().isEqualTo(1.0);
    ShiftSchedule forty = ShiftSchedule.of(policy(Type.LINEAR, 1, new Size(false, 40), 1), 1);
    assertThat(forty.stages()).extracting(ShiftSchedule.Stage::share).containsExactly(0.4, 0.8, 1.0);
    assertThat(forty.steps()).isEqualTo(3);
  }

  @Test
  void allAtOnceBakesForTheWaitThenWaitsToTerminate() {
    ShiftSchedule s = ShiftSchedule.of(policy(Type.ALL_AT_ONCE, 4, null, 6), 2);
    assertThat(s.steps()).isEqualTo(1);
    assertThat(at(s, 0).stage().phase()).isEqualTo(Phase.Baking);
    assertThat(at(s, 0).stage().share()).isEqualTo(1.0);
    assertThat(at(s, 4).stage().phase()).isEqualTo(Phase.TerminationWait);
    assertThat(at(s, 10)).isNull();
  }

  @Test
  void withoutWaitsThePlanIsOverAtOnce() {
    assertThat(ShiftSchedule.of(DeploymentPolicy.DEFAULT, 1).at(Duration.ZERO)).isNull();
  }
}
