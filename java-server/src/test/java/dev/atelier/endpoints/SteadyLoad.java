package dev.atelier.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Invocations of one endpoint at a steady rate from the test's own Vert.x, on 127.0.0.1, for at
 * most {@code atMost}: each answer kept with when its request was sent, its status and the variant
 * that answered ({@code X-Amzn-Invoked-Production-Variant}). At most 64 in flight; a tick that
 * finds 64 sends nothing (and is counted).
 */
final class SteadyLoad implements AutoCloseable {
  /** One invocation: status -1 when no answer came (the connection failed). */
  record Answer(long sentNanos, int status, String variant, String body) {}

  private static final int MAX_IN_FLIGHT = 64;
  private final Vertx vertx;
  private final WebClient http;
  private final String path;
  private final Buffer body;
  private final long timer;
  private final Instant end;
  private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger skipped = new AtomicInteger();
  private volatile boolean stopped;

  SteadyLoad(TestServer server, String endpoint, String body, int perSecond, Duration atMost) {
    this.vertx = server.clientVertx();
    this.http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.port()), new PoolOptions().setHttp1MaxSize(MAX_IN_FLIGHT));
    this.path = Api.API + "endpoints/" + endpoint + "/invocations";
    this.body = Buffer.buffer(body);
    this.end = Instant.now().plus(atMost);
    this.timer = vertx.setPeriodic(Math.max(1, 1000 / perSecond), id -> tick());
  }

  private void tick() {
    if (stopped || Instant.now().isAfter(end)) {
      stopped = true;
      return;
    }
    if (inFlight.get() >= MAX_IN_FLIGHT) {
      skipped.incrementAndGet();
      return;
    }
    inFlight.incrementAndGet();
    long sent = System.nanoTime();
    http.post(path).putHeader("Authorization", "token " + TestServer.TOKEN)
        .putHeader("Content-Type", "application/json").sendBuffer(body)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            var r = ar.result();
            answers.add(new Answer(sent, r.statusCode(), r.getHeader("X-Amzn-Invoked-Production-Variant"),
                r.statusCode() == 200 ? "" : r.bodyAsString()));
          } else {
            answers.add(new Answer(sent, -1, null, String.valueOf(ar.cause())));
          }
          inFlight.decrementAndGet();
        });
  }

  List<Answer> answers() {
    return List.copyOf(answers);
  }

  List<Answer> sentAfter(long nanos) {
    return answers.stream().filter(a -> a.sentNanos() > nanos).toList();
  }

  /** The invocations that did not answer 200. */
  List<Answer> failures() {
    return answers.stream().filter(a -> a.status() != 200).toList();
  }

  /** How many invocations sent in [{@code from}, {@code to}) (System.nanoTime) answered 200. */
  long answeredBetween(long from, long to) {
    return answers.stream().filter(a -> a.status() == 200 && a.sentNanos() >= from && a.sentNanos() < to).count();
  }

  /** Waits (with a deadline) until {@code count} answers match; they keep coming meanwhile. */
  void awaitAnswers(Predicate<Answer> match, int count, Duration within, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(within);
    while (answers.stream().filter(match).count() < count) {
      assertThat(stopped).as("the load ended before %s (%d answers, %d ticks skipped)", what, answers.size(),
          skipped.get()).isFalse();
      assertThat(Instant.now()).as("%d answers %s within %s", count, what, within).isBefore(deadline);
      Thread.sleep(100);
    }
  }

  /** Stops sending and waits (with a deadline) for the answers still in flight. */
  @Override
  public void close() throws InterruptedException {
    stopped = true;
    vertx.cancelTimer(timer);
    Instant deadline = Instant.now().plusSeconds(90);
    while (inFlight.get() > 0) {
      assertThat(Instant.now()).as("the invocations in flight answered").isBefore(deadline);
      Thread.sleep(50);
    }
    http.close();
  }
}
