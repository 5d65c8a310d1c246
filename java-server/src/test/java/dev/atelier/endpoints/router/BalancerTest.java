package dev.atelier.endpoints.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.endpoints.router.Routes.Instance;
import dev.atelier.endpoints.router.Routes.Route;
import dev.atelier.endpoints.router.Routes.Variant;
import dev.atelier.http.ApiException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which variant and which instance an invocation goes to. */
class BalancerTest {
  private static final Instance A = new Instance("i-a", 9001);
  private static final Instance B = new Instance("i-b", 9002);
  private static final Instance C = new Instance("i-c", 9003);

  private static Route route(Variant... variants) {
    return new Route("ep", "InService", List.of(variants));
  }

  private static Map<String, Integer> draws(Route route, int n, Random random) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(Balancer.variant(route, null, random).name(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void variantsGetTrafficInProportionToTheirWeights() {
    Route route = route(new Variant("blue", 3, List.of(A)), new Variant("green", 1, List.of(B)),
        new Variant("canary", 0.5, List.of(C)));
    int n = 200_000;
    Map<String, Integer> counts = draws(route, n, new Random(42));
    // Each share within 5 standard deviations of weight / sum (a false failure about 1 in 10^6).
    for (Variant v : route.variants()) {
      double p = v.weight() / 4.5;
      double sigma = Math.sqrt(p * (1 - p) / n);
      assertThat(counts.get(v.name()) / (double) n).as(v.name()).isCloseTo(p, org.assertj.core.data.Offset.offset(5 * sigma));
    }
  }

  @Test
  void aVariantOfWeightZeroIsNeverChosen() {
    Route route = route(new Variant("live", 1, List.of(A)), new Variant("shadow", 0, List.of(B)));
    assertThat(draws(route, 50_000, new Random(7))).containsOnlyKeys("live");
  }

  @Test
  void aVariantWithoutHealthyInstancesGetsNoShareWhileAnotherCanAnswer() {
    Route route = route(new Variant("broken", 5, List.of()), new Variant("ok", 1, List.of(A)));
    assertThat(draws(route, 10_000, new Random(1))).containsOnlyKeys("ok");
  }

  @Test
  void targetVariantOverridesTheWeightsEvenAZeroOne() {
    Route route = route(new Variant("live", 1, List.of(A)), new Variant("shadow", 0, List.of(B)));
    for (int i = 0; i < 100; i++) {
      assertThat(Balancer.variant(route, "shadow", new Random(i)).name()).isEqualTo("shadow");
    }
  }

  @Test
  void unknownTargetVariantIsRefusedNamingItAndTheKnownOnes() {
    Route route = route(new Variant("blue", 1, List.of(A)), new Variant("green", 1, List.of(B)));
    assertThatThrownBy(() -> Balancer.variant(route, "purple", new Random()))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage()).contains("'purple'", "'blue'", "'green'", "X-Amzn-SageMaker-Target-Variant");
        });
  }

  @Test
  void noVariantTakingTrafficIsUnavailableSayingWhy() {
    Route zero = route(new Variant("a", 0, List.of(A)), new Variant("b", 0, List.of(B)));
    assertThatThrownBy(() -> Balancer.variant(zero, null, new Random()))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(503);
          assertThat(e.getMessage()).contains("weight is 0");
        });
    Route dead = route(new Variant("a", 1, List.of()));
    assertThatThrownBy(() -> Balancer.variant(dead, null, new Random()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("no healthy instance"));
    assertThatThrownBy(() -> Balancer.variant(dead, "a", new Random()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
  }

  @Test
  void theInstanceWithFewestRequestsInFlightIsChosen() {
    Balancer balancer = new Balancer();
    Variant v = new Variant("v", 1, List.of(A, B, C));
    balancer.acquire(A);
    balancer.acquire(A);
    balancer.acquire(C);
    Random random = new Random(3);
    for (int i = 0; i < 100; i++) {
      assertThat(balancer.instance(v, null, random)).isEqualTo(B);
    }
    balancer.acquire(B);
    balancer.acquire(B);
    assertThat(balancer.instance(v, null, random)).isEqualTo(C);
    assertThat(balancer.outstanding(A)).isEqualTo(2);
  }

  @Test
  void tiesAreBrokenAtRandomAcrossEveryTiedInstance() {
    Balancer balancer = new Balancer();
    Variant v = new Variant("v", 1, List.of(A, B, C));
    balancer.acquire(B);
    Map<Instance, Integer> counts = new HashMap<>();
    Random random = new Random(11);
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      counts.merge(balancer.instance(v, null, random), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys(A, C);
    assertThat(counts.get(A) / (double) n).isBetween(0.47, 0.53);
  }

  @Test
  void aFailedInstanceIsAvoidedUnlessItIsTheOnlyOne() {
    Balancer balancer = new Balancer();
    balancer.acquire(B);
    balancer.acquire(B);
    Variant two = new Variant("v", 1, List.of(A, B));
    assertThat(balancer.instance(two, A, new Random())).isEqualTo(B);
    assertThat(balancer.instance(new Variant("v", 1, List.of(A)), A, new Random())).isEqualTo(A);
    assertThat(balancer.instance(new Variant("v", 1, List.of()), null, new Random())).isNull();
  }

  @Test
  void anInstanceIsNoLongerTrackedOnceItsRequestsEnded() {
    Balancer balancer = new Balancer();
    balancer.acquire(A);
    balancer.acquire(A);
    balancer.release(A);
    assertThat(balancer.outstanding(A)).isEqualTo(1);
    balancer.release(A);
    balancer.release(A); // one too many: stays at zero
    assertThat(balancer.outstanding(A)).isZero();
    assertThat(balancer.tracked()).isZero();
  }

  private static final Instance D = new Instance("i-d", 9004);

  private static Route shifting(double share, List<Variant> serving, List<Variant> pending) {
    return new Route("ep", "Updating", serving, pending, share);
  }

  @Test
  void theNewFleetGetsItsShareThenEachFleetSplitsByWeight() {
    FleetWindow window = new FleetWindow();
    Route route = shifting(0.2, List.of(new Variant("blue", 1, List.of(A))),
        List.of(new Variant("green", 3, List.of(B), window), new Variant("teal", 1, List.of(C), window)));
    int n = 200_000;
    Map<String, Integer> counts = draws(route, n, new Random(5));
    Map<String, Double> expected = Map.of("blue", 0.8, "green", 0.2 * 0.75, "teal", 0.2 * 0.25);
    expected.forEach((name, p) -> {
      double sigma = Math.sqrt(p * (1 - p) / n);
      assertThat(counts.get(name) / (double) n).as(name).isCloseTo(p, org.assertj.core.data.Offset.offset(5 * sigma));
    });
  }

  @Test
  void sameVariantNamesInBothFleetsAreToldApartByTheNewFleetsWindow() {
    FleetWindow window = new FleetWindow();
    Route route = shifting(0.5, List.of(new Variant("only", 1, List.of(A))),
        List.of(new Variant("only", 1, List.of(B), window)));
    Map<Boolean, Integer> byFleet = new HashMap<>();
    Random random = new Random(9);
    for (int i = 0; i < 10_000; i++) {
      Variant v = Balancer.variant(route, null, random);
      byFleet.merge(v.window() == window, 1, Integer::sum);
    }
    assertThat(byFleet.get(true) / 10_000.0).isBetween(0.45, 0.55);
  }

  @Test
  void aShareOfZeroOrOneSendsEverythingToOneFleet() {
    List<Variant> serving = List.of(new Variant("blue", 1, List.of(A)));
    List<Variant> pending = List.of(new Variant("green", 1, List.of(B), new FleetWindow()));
    assertThat(draws(shifting(0, serving, pending), 10_000, new Random(2))).containsOnlyKeys("blue");
    assertThat(draws(shifting(1, serving, pending), 10_000, new Random(2))).containsOnlyKeys("green");
  }

  @Test
  void aFleetWithoutHealthyInstancesLeavesItsShareToTheOther() {
    List<Variant> up = List.of(new Variant("blue", 1, List.of(A)));
    List<Variant> down = List.of(new Variant("green", 1, List.of(), new FleetWindow()));
    assertThat(draws(shifting(0.9, up, down), 10_000, new Random(4))).containsOnlyKeys("blue");
    List<Variant> oldDown = List.of(new Variant("blue", 1, List.of()));
    List<Variant> newUp = List.of(new Variant("green", 1, List.of(D), new FleetWindow()));
    assertThat(draws(shifting(0.1, oldDown, newUp), 10_000, new Random(4))).containsOnlyKeys("green");
  }

  @Test
  void targetVariantPicksTheServingFleetsVariantOfThatNameFirst() {
    FleetWindow window = new FleetWindow();
    Route route = shifting(1, List.of(new Variant("a", 1, List.of(A))),
        List.of(new Variant("a", 1, List.of(B), window), new Variant("b", 1, List.of(C), window)));
    for (int i = 0; i < 100; i++) {
      assertThat(Balancer.variant(route, "a", new Random(i)).window()).isNull();
      assertThat(Balancer.variant(route, "b", new Random(i)).window()).isSameAs(window);
    }
    Route oldDown = shifting(0.5, List.of(new Variant("a", 1, List.of())), List.of(new Variant("a", 1, List.of(B),
        window)));
    assertThat(Balancer.variant(oldDown, "a", new Random()).window()).isSameAs(window);
  }
}
