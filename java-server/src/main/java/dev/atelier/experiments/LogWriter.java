package dev.atelier.experiments;

import dev.atelier.experiments.Model.DatasetInput;
import dev.atelier.experiments.Model.Point;
import dev.atelier.http.ApiException;
import dev.atelier.storage.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of what runs log (metrics, params, tags, inputs): group commit. Each call
 * submits a batch and gets a future; the writer takes every batch waiting, applies each under a
 * savepoint (a batch that breaks a rule is rolled back alone, with its error) and commits them in
 * one transaction, then completes the futures. So a log-batch is all or nothing, concurrent
 * single-point calls share a transaction instead of paying one each, nothing is lost between
 * concurrent writers (there is one), and a completed future means committed.
 */
public final class LogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
  /** Batches per transaction, at most: bounds how long a transaction holds the database. */
  private static final int GROUP = 1_000;

  /** What one call logs to one run. Empty lists and maps log nothing of that kind. */
  public record Batch(String runId, String owner, List<Point> metrics, List<Map.Entry<String, String>> params,
      Map<String, String> tags, List<String> deleteTags, List<DatasetInput> inputs) {}

  private record Pending(Batch batch, CompletableFuture<Void> done) {}

  private final Database db;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final AtomicLong seq;
  private volatile boolean closed;

  public LogWriter(Database db) {
    this.db = db;
    // Point sequence numbers only tell apart points of one run and key logged with the same step
    // and timestamp; starting from the clock keeps them increasing across restarts without a
    // scan of every point for the largest.
    this.seq = new AtomicLong(System.currentTimeMillis() * 1_000);
    this.thread = Thread.ofPlatform().name("experiment-writer").daemon().start(this::loop);
  }

  /** Queues the batch; the future completes once it is committed, or fails with the rule it broke. */
  public CompletableFuture<Void> submit(Batch batch) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(ApiException.unavailable("the server is stopping; log again after it restarts"));
      return done;
    }
    queue.add(new Pending(batch, done));
    return done;
  }

  private void loop() {
    List<Pending> group = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group, GROUP - 1);
        write(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        LOG.error("writing {} logged batch(es) failed", group.size(), e);
        group.forEach(p -> p.done().completeExceptionally(e));
      } finally {
        group.clear();
      }
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      p.done().completeExceptionally(ApiException.unavailable("the server stopped before this was written"));
    }
  }

  private void write(List<Pending> group) {
    RuntimeException[] failures = new RuntimeException[group.size()];
    db.tx(c -> {
      // One set of statements for the group: each is compiled once, not once per batch.
      try (Statements st = new Statements(c)) {
        applyAll(c, st, group, failures);
      }
      return null;
    });
    for (int i = 0; i < group.size(); i++) {
      if (failures[i] != null) {
        group.get(i).done().completeExceptionally(failures[i]);
      } else {
        group.get(i).done().complete(null);
      }
    }
  }

  private void applyAll(Connection c, Statements st, List<Pending> group, RuntimeException[] failures)
      throws SQLException {
    for (int i = 0; i < group.size(); i++) {
      Savepoint sp = c.setSavepoint();
      try {
        apply(st, group.get(i).batch());
        c.releaseSavepoint(sp);
      } catch (ApiException e) {
        c.rollback(sp);
        failures[i] = e;
      } catch (SQLException e) {
        c.rollback(sp);
        failures[i] = new IllegalStateException("database error: " + e.getMessage(), e);
      }
    }
  }

  private void apply(Statements st, Batch b) throws SQLException {
    Model.RunInfo run = RunStore.info(st, b.runId());
    if (run == null) {
      throw MlflowErrors.noRun(b.runId());
    }
    if (!Model.ACTIVE.equals(run.lifecycleStage())) {
      throw MlflowErrors.invalid("The run " + b.runId() + " must be in the 'active' state. Current state is "
          + run.lifecycleStage() + ".");
    }
    long pk = run.pk();
    if (!b.params().isEmpty()) {
      RunWrites.params(st, pk, b.runId(), b.params(), b.owner());
    }
    if (!b.tags().isEmpty()) {
      RunWrites.tags(st, pk, b.tags(), b.owner());
    }
    for (String key : b.deleteTags()) {
      RunWrites.deleteTag(st, pk, b.runId(), key);
    }
    if (!b.metrics().isEmpty()) {
      RunWrites.points(st, pk, b.metrics(), b.owner(), seq);
    }
    if (!b.inputs().isEmpty()) {
      RunWrites.inputs(st, pk, b.inputs(), b.owner());
    }
  }

  /** Sets tags (a new mlflow.runName renames the run, as MLflow keeps the two the same). */
  static void upsertTags(Connection c, long pk, Map<String, String> tags, String owner) throws SQLException {
    try (Statements st = new Statements(c)) {
      RunWrites.tags(st, pk, tags, owner);
    }
  }

  /** Writes what is queued, then stops; later submissions fail with 503. */
  @Override
  public void close() {
    closed = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
