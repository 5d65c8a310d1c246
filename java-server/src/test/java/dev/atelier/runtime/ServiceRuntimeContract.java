package dev.atelier.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.runtime.ServiceRuntime.Found;
import dev.atelier.runtime.ServiceRuntime.Replica;
import dev.atelier.runtime.ServiceRuntime.Service;
import dev.atelier.runtime.ServiceRuntime.ServiceSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What every service runtime must do, run against each implementation by a short subclass: start
 * N replicas each answering on its own port, see them healthy, see a dead one and replace it on
 * its index, stop them within the grace period (forcing one that ignores SIGTERM), and let a
 * restarted server adopt the running replicas while the ended ones are left missing, and say what
 * a running replica uses (CPU and memory; nothing for one that has stopped). The replicas
 * are a small real HTTP server (Python's http.server) started by the runtime under test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
public abstract class ServiceRuntimeContract {
  /**
   * The replica: answers every GET with its {@code GREETING} and a token of its own, ends after answering
   * {@code /exit}, ignores SIGTERM when {@code IGNORE_TERM} is set, and keeps a thread busy when {@code BUSY} is.
   */
  protected static final String SERVER = String.join("\n",
      "import http.server, os, signal, threading, uuid",
      "TOKEN = uuid.uuid4().hex",
      "def spin():",
      "    while True:",
      "        pass",
      "if os.environ.get('BUSY'):",
      "    threading.Thread(target=spin, daemon=True).start()",
      "if os.environ.get('IGNORE_TERM'):",
      "    signal.signal(signal.SIGTERM, signal.SIG_IGN)",
      "class H(http.server.BaseHTTPRequestHandler):",
      "    def do_GET(self):",
      "        body = (os.environ.get('GREETING', '') + ' ' + TOKEN).encode()",
      "        self.send_response(200)",
      "        self.send_header('Content-Length', str(len(body)))",
      "        self.end_headers()",
      "        self.wfile.write(body)",
      "        self.wfile.flush()",
      "        if self.path == '/exit':",
      "            os._exit(3)",
      "    def log_message(self, *args):",
      "        pass",
      "http.server.HTTPServer((os.environ['BIND_ADDRESS'], int(os.environ['PORT'])), H).serve_forever()");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
      .version(HttpClient.Version.HTTP_1_1).build();

  protected ServiceRuntime runtime;
  /** What the tests started, so that the tear-down stops what a failed test left running. */
  private final Map<String, ServiceSpec> started = new ConcurrentHashMap<>();

  /** A runtime of this implementation; each call is a new one (a restarted server) with the same owner. */
  protected abstract ServiceRuntime createRuntime();

  /** A spec running {@link #SERVER} with this runtime's Python (and image). */
  protected abstract ServiceSpec spec(String name, int replicas, Map<String, String> env);

  @BeforeAll
  protected void setUp() {
    runtime = createRuntime();
  }

  @AfterAll
  protected void tearDown() {
    if (runtime == null) {
      return;
    }
    try {
      for (ServiceSpec spec : started.values()) {
        List<Replica> left = runtime.list().stream().filter(f -> f.service().equals(spec.name()))
            .map(Found::replica).toList();
        runtime.stop(new Service(spec, left), Duration.ZERO);
      }
    } finally {
      runtime.close();
    }
  }

  protected Service start(String prefix, int replicas, Map<String, String> env) {
    ServiceSpec spec = spec(prefix + "-" + UUID.randomUUID().toString().substring(0, 8), replicas, env);
    started.put(spec.name(), spec);
    return runtime.start(spec);
  }

  static void await(String what, Duration max, BooleanSupplier done) throws InterruptedException {
    Instant deadline = Instant.now().plus(max);
    while (!done.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + max + ": " + what);
      }
      Thread.sleep(200);
    }
  }

  void awaitHealthy(Service s, Replica r) throws InterruptedException {
    await("replica " + r.index() + " of " + s.name() + " healthy on 127.0.0.1:" + r.port(), Duration.ofSeconds(90),
        () -> runtime.health(s, r, Duration.ofSeconds(2)).healthy());
  }

  static String get(Replica r, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void everyReplicaAnswersOnItsOwnPortWithTheEnvironmentAndStopsForGood() throws Exception {
    Service s = start("answers", 2, Map.of("GREETING", "hello"));
    assertThat(s.replicas()).extracting(Replica::index).containsExactly(0, 1);
    assertThat(s.replicas()).extracting(Replica::port).doesNotHaveDuplicates();
    assertThat(s.missing()).isEmpty();
    for (Replica r : s.replicas()) {
      awaitHealthy(s, r);
      assertThat(runtime.running(r)).isTrue();
      assertThat(get(r, "/ping")).startsWith("hello ");
    }
    assertThat(get(s.replica(0), "/ping")).isNotEqualTo(get(s.replica(1), "/ping"));
    assertThat(runtime.list()).filteredOn(f -> f.service().equals(s.name()))
        .extracting(f -> f.replica().id()).containsExactlyInAnyOrderElementsOf(s.replicas().stream().map(Replica::id).toList());

    runtime.stop(s, Duration.ofSeconds(10));

    for (Replica r : s.replicas()) {
      assertThat(runtime.running(r)).isFalse();
      assertThat(runtime.health(s, r, Duration.ofSeconds(2)).healthy()).isFalse();
    }
    assertThat(runtime.list()).noneMatch(f -> f.service().equals(s.name()));
  }

  @Test
  void aDeadReplicaIsSeenAndReplacedOnItsIndex() throws Exception {
    Service s = start("replace", 1, Map.of());
    Replica first = s.replica(0);
    awaitHealthy(s, first);
    get(first, "/exit");
    await("the replica that exited is seen ended", Duration.ofSeconds(60), () -> !runtime.running(first));
    ServiceRuntime.Health dead = runtime.health(s, first, Duration.ofSeconds(2));
    assertThat(dead.healthy()).isFalse();
    assertThat(dead.problem()).isNotBlank();

    Service replaced = runtime.replace(s, 0);

    Replica second = replaced.replica(0);
    assertThat(replaced.replicas()).hasSize(1);
    assertThat(second.id()).isNotEqualTo(first.id());
    awaitHealthy(replaced, second);
    assertThat(runtime.list()).filteredOn(f -> f.service().equals(s.name()))
        .extracting(f -> f.replica().id()).containsExactly(second.id());
    runtime.stop(replaced, Duration.ofSeconds(10));
  }

  @Test
  void aReplicaThatIgnoresSigtermIsForcedAfterTheGracePeriod() throws Exception {
    Service s = start("stubborn", 1, Map.of("IGNORE_TERM", "1"));
    awaitHealthy(s, s.replica(0));

    runtime.stop(s, Duration.ofSeconds(2));

    assertThat(runtime.running(s.replica(0))).isFalse();
    assertThat(runtime.list()).noneMatch(f -> f.service().equals(s.name()));
  }

  @Test
  void aRestartedServerAdoptsTheRunningReplicasAndLeavesTheEndedOnesMissing() throws Exception {
    ServiceRuntime before = createRuntime();
    ServiceSpec spec = spec("adopt-" + UUID.randomUUID().toString().substring(0, 8), 2, Map.of("GREETING", "kept"));
    started.put(spec.name(), spec);
    Service s = before.start(spec);
    for (Replica r : s.replicas()) {
      awaitHealthy(s, r);
    }
    before.close(); // the server stops; its services go on
    assertThat(runtime.running(s.replica(0))).isTrue();
    get(s.replica(1), "/exit");

    ServiceRuntime next = createRuntime();
    try {
      await("replica 1 seen ended", Duration.ofSeconds(60), () -> !next.running(s.replica(1)));
      assertThat(next.list()).filteredOn(f -> f.service().equals(s.name()))
          .extracting(f -> f.replica().id(), Found::running)
          .contains(org.assertj.core.groups.Tuple.tuple(s.replica(0).id(), true));

      Service adopted = next.adopt(s.spec());

      assertThat(adopted.replicas()).containsExactly(s.replica(0));
      assertThat(adopted.missing()).containsExactly(1);
      assertThat(next.health(adopted, adopted.replica(0), Duration.ofSeconds(5)).healthy()).isTrue();
      assertThat(get(adopted.replica(0), "/ping")).isEqualTo(get(s.replica(0), "/ping"));
      assertThat(next.list()).filteredOn(f -> f.service().equals(s.name())).extracting(f -> f.replica().index())
          .containsExactly(0);

      Service whole = next.replace(adopted, 1);
      assertThat(whole.missing()).isEmpty();
      awaitHealthy(whole, whole.replica(1));
      next.stop(whole, Duration.ofSeconds(10));
      assertThat(next.list()).noneMatch(f -> f.service().equals(s.name()));
    } finally {
      next.close();
    }
  }

  @Test
  void aRunningReplicaSaysItsCpuAndMemoryAndAStoppedOneNothing() throws Exception {
    Service s = start("usage", 1, Map.of("BUSY", "1"));
    Replica r = s.replica(0);
    awaitHealthy(s, r);
    ServiceRuntime.Usage[] last = new ServiceRuntime.Usage[1];
    // A thread spinning in the replica: some sample within the minute shows it, however loaded the host.
    await("the busy replica's CPU above 10% of a core", Duration.ofSeconds(60), () -> {
      last[0] = runtime.usage(s, r);
      return last[0] != null && last[0].cpuPercent() > 10;
    });
    assertThat(last[0].memoryBytes()).isPositive();
    assertThat(last[0].memoryLimitBytes()).isGreaterThan(last[0].memoryBytes());
    assertThat(last[0].at()).isBefore(Instant.now().plusSeconds(1));

    runtime.stop(s, Duration.ofSeconds(5));

    assertThat(runtime.usage(s, r)).isNull();
  }

  @Test
  void aSpecWithoutReplicasOrWithABadNameOrHealthPathIsRefusedSayingWhy() {
    ServiceSpec good = spec("refused", 1, Map.of());
    assertThatThrownBy(() -> new ServiceSpec(good.name(), good.image(), good.entrypoint(), good.command(), good.env(),
        good.labels(), good.binds(), 0, 0, 0, "/ping", 0))
        .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("at least one replica");
    assertThatThrownBy(() -> new ServiceSpec("no spaces", good.image(), good.entrypoint(), good.command(), good.env(),
        good.labels(), good.binds(), 1, 0, 0, "/ping", 0))
        .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("'no spaces'");
    assertThatThrownBy(() -> new ServiceSpec(good.name(), good.image(), good.entrypoint(), good.command(), good.env(),
        good.labels(), good.binds(), 1, 0, 0, "ping", 0))
        .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("health path");
  }
}
