package dev.atelier.jobs;

import dev.atelier.runtime.BatchRuntime;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.storage.NoSuchObjectException;
import dev.atelier.storage.ObjectStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job to its end on a virtual thread: prepare (stage inputs), run the container while
 * following its output, enforce the maximum runtime, then collect and upload what it wrote. A
 * server restart picks a job up where it was: before its container exists the staging starts
 * again; once the container exists it is followed (or, if it has ended, its outputs collected).
 */
abstract class JobRun implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);

  /** A failure the job ends with; the message becomes its FailureReason. */
  static final class JobFailure extends Exception {
    JobFailure(String reason) {
      super(reason);
    }

    /** SageMaker's categories: the caller's to fix is a ClientError, the machine's an InternalServerError. */
    static JobFailure of(RuntimeFailure e) {
      return new JobFailure((e.callersFault() ? "ClientError: " : "InternalServerError: ") + e.getMessage());
    }
  }

  /** The job was asked to stop before its container ran. */
  static final class StopRequested extends RuntimeException {
    StopRequested() {
      super("stop requested", null, false, false);
    }
  }

  protected final Job job;
  protected final JobContext ctx;
  protected final Path work;
  private volatile boolean stopRequested;
  private volatile boolean maxRuntimeExceeded;
  private volatile boolean closing;
  private volatile Thread thread;
  /** Why the job is being stopped when something other than a caller's request stops it (a rule's action). */
  private volatile String stopReason;

  JobRun(Job job, JobContext ctx) {
    this.job = job;
    this.ctx = ctx;
    this.work = ctx.workDir(job.kind(), job.name());
  }

  /** Starting and Downloading: inputs into the work folder, config files written. */
  abstract void prepare() throws Exception;

  /** The container to run once prepared. */
  abstract BatchRuntime.Spec container();

  /** Called per line of container output (metrics are parsed here). */
  void onLine(long millis, String text) {}

  /** Called about once a second while the container runs, and at its end. */
  void tick() {}

  /** The container runs (just started, or found running after a server restart). */
  void containerRunning(String id) {}

  /** The container has exited; called before its outputs are collected. */
  void containerExited() {}

  /** The job has ended, however it did; not called when the server detaches from it. */
  void ended() {}

  /** The server is stopping and leaves the job to the next one. */
  void detached() {}

  /** Max runtime from the container's start, or null for none. */
  abstract Duration maxRuntime();

  /** The failure the container reported itself (failure or message file), or null. */
  abstract String failureFile();

  /** Uploads outputs; {@code succeeded} is false after a failure (then it is best effort). */
  abstract void upload(boolean succeeded) throws Exception;

  String uploadingMessage() {
    return "Uploading the outputs";
  }

  /** The secondary status while the container runs, and its message. */
  abstract String runningStatus();

  abstract String runningMessage();

  /** The first 1024 characters of a reason file the container wrote, or null when there is none. */
  static String readReason(Path f) {
    try {
      if (Files.isRegularFile(f)) {
        String s = Files.readString(f, java.nio.charset.StandardCharsets.UTF_8).strip();
        return s.length() > 1024 ? s.substring(0, 1024) : s;
      }
    } catch (IOException e) {
      // as if there were none
    }
    return null;
  }

  @Override
  public final void run() {
    thread = Thread.currentThread();
    try {
      if (job.containerId() == null) {
        removeStrayContainers();
        prepare();
        checkStop();
        startContainer();
      } else if (ctx.containers().running(job.containerId()).isEmpty()) {
        throw new JobFailure("InternalServerError: the job's container " + shortId(job.containerId())
            + " was removed from the Docker engine before its outputs were collected");
      } else {
        containerRunning(job.containerId());
      }
      BatchRuntime.Exit exit = followAndWait();
      if (closing) {
        return;
      }
      containerExited();
      conclude(exit);
    } catch (StopRequested e) {
      job.finish("Stopped", "Stopped", "Stopped before the container started", null);
      cleanUp();
    } catch (JobFailure e) {
      fail(e.getMessage());
    } catch (InterruptedException e) {
      if (!closing) {
        fail("InternalServerError: the job was interrupted");
      }
    } catch (Exception | Error e) {
      if (closing) {
        return;
      }
      LOG.error("job {} failed unexpectedly", job.name(), e);
      fail("InternalServerError: " + e);
    } finally {
      if (!closing) {
        ended();
      }
    }
  }

  /** Stops the job for {@code reason} (a rule's action), as a stop request does; nothing once it has ended. */
  void stopBecause(String reason) {
    synchronized (this) {
      if (stopRequested || !"InProgress".equals(job.status())) {
        return;
      }
      stopReason = reason;
    }
    job.status("Stopping");
    job.transition("Stopping", reason);
    requestStop();
  }

  /** Asks the job to stop; its container gets SIGTERM, then SIGKILL after the grace period. */
  void requestStop() {
    stopRequested = true;
    String id = job.containerId();
    if (id != null) {
      Thread.ofVirtual().name("job-stop-" + job.name()).start(() -> ctx.containers().stop(id, ctx.stopGrace()));
    }
  }

  /** The server is stopping: leave the job (and its container) for the next server to adopt. */
  void detach() {
    closing = true;
    detached();
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  boolean stopRequested() {
    return stopRequested;
  }

  void checkStop() {
    if (stopRequested) {
      throw new StopRequested();
    }
  }

  private void removeStrayContainers() {
    for (BatchRuntime.Found f : ctx.containers().find(JobContext.LABEL_JOB, job.kind() + "/" + job.name())) {
      LOG.info("removing container {} of job {}: it never started", shortId(f.id()), job.name());
      ctx.containers().remove(f.id());
    }
  }

  private void startContainer() throws JobFailure {
    String id;
    try {
      id = ctx.containers().create(container());
    } catch (RuntimeException e) {
      throw new JobFailure("ClientError: the container could not be created: " + rootMessage(e));
    }
    job.setContainer(id);
    try {
      ctx.containers().start(id);
    } catch (RuntimeException e) {
      throw new JobFailure("ClientError: the container could not be started: " + rootMessage(e));
    }
    job.started(job.now(), runningStatus(), runningMessage());
    containerRunning(id);
  }

  private BatchRuntime.Exit followAndWait() throws Exception {
    String id = job.containerId();
    BatchRuntime.Follow follow = ctx.containers().follow(id, job.log().lastEngineTimestamp(), (ts, err, text) -> {
      long ms = parseMillis(ts);
      job.log().append(ms, ts, text);
      onLine(ms, text);
    });
    CompletableFuture<BatchRuntime.Exit> exit = CompletableFuture.supplyAsync(
        () -> ctx.containers().await(id), Thread.ofVirtual().name("job-wait-" + job.name())::start);
    try {
      Duration max = maxRuntime();
      while (true) {
        try {
          BatchRuntime.Exit e = exit.get(1, TimeUnit.SECONDS);
          follow.awaitEnd(Duration.ofSeconds(10));
          tick();
          return e;
        } catch (TimeoutException t) {
          tick();
          Instant started = job.startedAt();
          if (max != null && started != null && !maxRuntimeExceeded && !stopRequested
              && job.now().isAfter(started.plus(max))) {
            maxRuntimeExceeded = true;
            job.transition("MaxRuntimeExceeded", "Job stopped because it exceeded MaxRuntimeInSeconds ("
                + max.toSeconds() + " s)");
            Thread.ofVirtual().start(() -> ctx.containers().stop(id, ctx.stopGrace()));
          }
        }
      }
    } finally {
      follow.close();
    }
  }

  private void conclude(BatchRuntime.Exit exit) throws Exception {
    if (stopRequested || maxRuntimeExceeded) {
      String secondary = maxRuntimeExceeded ? "MaxRuntimeExceeded" : "Stopped";
      job.transition("Uploading", "Uploading what the stopped job wrote");
      upload(false);
      String reason = stopReason;
      job.finish("Stopped", secondary, maxRuntimeExceeded ? "Stopped: MaxRuntimeInSeconds reached"
          : reason != null ? reason : "Stopped by request", maxRuntimeExceeded ? null : reason);
    } else if (exit.code() == 0) {
      job.transition("Uploading", uploadingMessage());
      upload(true);
      job.finish("Completed", "Completed", "Job completed", null);
    } else {
      String reason = failureFile();
      if (reason == null || reason.isBlank()) {
        reason = "AlgorithmError: the container exited with code " + exit.code()
            + (exit.oomKilled() ? " (out of memory: it reached the " + job.instanceType() + " memory limit)" : "")
            + lastLines();
      }
      try {
        upload(false);
      } catch (Exception e) {
        job.log().note("outputs of the failed job could not be uploaded: " + e.getMessage());
      }
      throw new JobFailure(reason);
    }
    cleanUp();
  }

  private void fail(String reason) {
    try {
      job.finish("Failed", "Failed", reason.length() > 200 ? reason.substring(0, 200) + "..." : reason, reason);
    } catch (RuntimeException e) {
      LOG.error("job {} could not be marked Failed: {}", job.name(), e.toString());
    }
    cleanUp();
  }

  /** The container goes; inputs go (they are in S3); the log stays. */
  private void cleanUp() {
    String id = job.containerId();
    if (id != null) {
      try {
        ctx.containers().remove(id);
      } catch (RuntimeException e) {
        LOG.warn("could not remove the container of job {}: {}", job.name(), rootMessage(e));
      }
    }
    deleteTree(work.resolve("ml"));
  }

  private String lastLines() {
    var tail = job.log().tail(5);
    return tail.isEmpty() ? "" : "; last output: " + String.join(" | ", tail);
  }

  /** Runs an object store call, retrying while the store cannot be reached (up to {@code window}). */
  <T> T withStore(String what, Duration window, Callable<T> call) throws Exception {
    Instant deadline = job.now().plus(window);
    long backoff = 1000;
    while (true) {
      try {
        return call.call();
      } catch (NoSuchObjectException e) {
        throw new JobFailure("ClientError: " + e.getMessage());
      } catch (ObjectStoreException e) {
        if (Thread.currentThread().isInterrupted() || closing) {
          throw new InterruptedException("the server is stopping");
        }
        if (job.now().isAfter(deadline)) {
          throw new JobFailure("ClientError: the object store could not be reached while " + what + " for "
              + window.toSeconds() + " s: " + e.getMessage());
        }
        job.statusMessage("Waiting for the object store (" + what + "): " + e.getMessage() + "; retrying in "
            + backoff / 1000 + " s");
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
        checkStop();
      }
    }
  }

  /** Whether the folder holds any regular file. */
  static boolean hasFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.anyMatch(Files::isRegularFile);
    }
  }

  /** The bytes of the regular files under the folder (0 when there is none). */
  static long sizeOf(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> {
        try {
          Files.deleteIfExists(f);
        } catch (IOException e) {
          // left behind; the next run of this folder starts by deleting it again
        }
      });
    } catch (IOException e) {
      // as above
    }
  }

  static long parseMillis(String engineTimestamp) {
    try {
      return Instant.parse(engineTimestamp).toEpochMilli();
    } catch (RuntimeException e) {
      return System.currentTimeMillis();
    }
  }

  static String shortId(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
