package dev.atelier.endpoints.router;

import dev.atelier.endpoints.router.Routes.Instance;
import dev.atelier.endpoints.router.Routes.Route;
import dev.atelier.endpoints.router.Routes.Variant;
import dev.atelier.http.ApiException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Where one invocation goes. The variant: the one the caller names in
 * {@code X-Amzn-SageMaker-Target-Variant}, else one drawn with probability weight / sum of weights
 * (as SageMaker splits traffic). The instance: the one of the variant's healthy instances with the
 * fewest requests in flight from this server, ties broken at random (a sync worker model server
 * answers one request a worker: the least loaded instance answers first).
 */
final class Balancer {
  /** Requests in flight per instance; an entry is removed when its count falls back to 0. */
  private final ConcurrentHashMap<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();

  /**
   * The variant for one invocation. {@code target} (the header, or null) picks a variant by name
   * whatever its weight, the serving fleet's first; otherwise the fleet is drawn first (the new one
   * of a blue/green update with its share of the traffic), then a variant within it with
   * probability weight / sum. Only variants with a weight above 0 and a healthy instance are drawn,
   * so that a variant (or a fleet) whose instances are all being replaced does not fail its share
   * of the traffic while another can answer.
   *
   * @throws ApiException 400 for an unknown target variant (naming the known ones); 503 when no
   *     variant can take the request
   */
  static Variant variant(Route route, String target, RandomGenerator random) {
    List<Variant> variants = route.variants();
    List<Variant> pending = route.pending();
    if (target != null) {
      Variant named = named(variants, target);
      Variant next = named(pending, target);
      if (named == null || named.instances().isEmpty() && next != null) {
        named = next;
      }
      if (named == null) {
        throw ApiException.badRequest("X-Amzn-SageMaker-Target-Variant: endpoint '" + route.endpoint()
            + "' has no variant '" + abbreviate(target) + "'; its variants are " + names(variants)
            + (pending.isEmpty() ? "" : ", and those of the update under way " + names(pending)));
      }
      if (named.instances().isEmpty()) {
        throw ApiException.unavailable("variant '" + target + "' of endpoint '" + route.endpoint()
            + "' has no healthy instance right now; try again once its instances answer /ping");
      }
      return named;
    }
    double serving = sum(variants);
    double next = route.pendingShare() > 0 ? sum(pending) : 0;
    if (next > 0 && (!(serving > 0) || random.nextDouble() < route.pendingShare())) {
      return draw(pending, next, random);
    }
    if (serving > 0) {
      return draw(variants, serving, random);
    }
    boolean weighted = variants.stream().anyMatch(v -> v.weight() > 0);
    throw ApiException.unavailable(weighted
        ? "endpoint '" + route.endpoint() + "' has no healthy instance right now; try again once its"
            + " instances answer /ping"
        : "no variant of endpoint '" + route.endpoint() + "' takes traffic: every variant's weight is 0;"
            + " set a weight (UpdateEndpointWeightsAndCapacities) or name a variant in"
            + " X-Amzn-SageMaker-Target-Variant (" + names(variants) + ")");
  }

  /**
   * The variant for the one retry of an invocation whose instance {@code failed}: drawn again from
   * the endpoint's routing {@code now} (null once it is gone), which may have moved on since the
   * invocation arrived (a fleet stopped after a blue/green swap, an instance taken out), so that the
   * retry does not go back to what is gone. {@code drawn} when the routing has nothing better.
   */
  static Variant redraw(Route now, String target, Variant drawn, Instance failed, RandomGenerator random) {
    if (now == null) {
      return drawn;
    }
    try {
      Variant again = variant(now, target, random);
      return again.instances().stream().anyMatch(i -> !i.equals(failed)) ? again : drawn;
    } catch (ApiException e) {
      return drawn; // no variant can take it now: the retry says so if it fails
    }
  }

  private static Variant named(List<Variant> variants, String name) {
    for (Variant v : variants) {
      if (v.name().equals(name)) {
        return v;
      }
    }
    return null;
  }

  /** The sum of the weights of the variants that take traffic. */
  private static double sum(List<Variant> variants) {
    double sum = 0;
    for (Variant v : variants) {
      if (takesTraffic(v)) {
        sum += v.weight();
      }
    }
    return sum;
  }

  private static Variant draw(List<Variant> variants, double sum, RandomGenerator random) {
    double draw = random.nextDouble() * sum;
    Variant last = null;
    for (Variant v : variants) {
      if (takesTraffic(v)) {
        last = v;
        draw -= v.weight();
        if (draw < 0) {
          return v;
        }
      }
    }
    return last; // rounding: the draw landed on the sum itself
  }

  private static boolean takesTraffic(Variant v) {
    return v.weight() > 0 && Double.isFinite(v.weight()) && !v.instances().isEmpty();
  }

  /**
   * The instance of {@code variant} with the fewest requests in flight, ties broken at random;
   * {@code avoid} (an instance that just failed, or null) is taken only when it is the only one.
   * Null when the variant has no instance.
   */
  Instance instance(Variant variant, Instance avoid, RandomGenerator random) {
    Instance best = null;
    int bestLoad = Integer.MAX_VALUE;
    int ties = 0;
    for (Instance i : variant.instances()) {
      if (i.equals(avoid)) {
        continue;
      }
      int load = outstanding(i);
      if (load < bestLoad) {
        best = i;
        bestLoad = load;
        ties = 1;
      } else if (load == bestLoad && random.nextInt(++ties) == 0) {
        best = i; // reservoir sampling: each of the tied instances with the same chance
      }
    }
    return best != null ? best : avoid != null && variant.instances().contains(avoid) ? avoid : null;
  }

  /** Requests in flight to the instance now. */
  int outstanding(Instance instance) {
    AtomicInteger n = outstanding.get(key(instance));
    return n == null ? 0 : n.get();
  }

  /** One more request in flight to the instance; pair with {@link #release}. */
  void acquire(Instance instance) {
    outstanding.compute(key(instance), (k, n) -> {
      AtomicInteger count = n == null ? new AtomicInteger() : n;
      count.incrementAndGet();
      return count;
    });
  }

  /** The request to the instance has ended, whichever way. */
  void release(Instance instance) {
    outstanding.computeIfPresent(key(instance), (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  /** Instances with requests in flight (for tests: the map empties when traffic stops). */
  int tracked() {
    return outstanding.size();
  }

  private static String key(Instance instance) {
    return instance.id() + "@" + instance.port();
  }

  private static String names(List<Variant> variants) {
    return variants.stream().map(v -> "'" + v.name() + "'").collect(Collectors.joining(", "));
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
