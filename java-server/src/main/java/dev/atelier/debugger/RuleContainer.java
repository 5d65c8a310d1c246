package dev.atelier.debugger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.BatchRuntime;
import dev.atelier.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rule's container beside a training job, from its start to its exit: the tensors (and the
 * profiler's samples) mounted read-only, the rule's configuration in {@code ATELIER_RULE_CONFIG},
 * a custom rule's source staged and mounted, its output followed for status lines. Whatever the
 * rule does, the training job is not affected: a rule that cannot start or crashes is an Error.
 */
final class RuleContainer {
  private static final Logger LOG = LoggerFactory.getLogger(RuleContainer.class);
  static final String LABEL_RULE_OF = "dev.atelier.rule-of";
  static final String LABEL_OWNER = "dev.atelier.job-owner";
  static final String TENSORS = "/opt/ml/processing/input/tensors";
  static final String PROFILER = "/opt/ml/processing/input/profiler";
  static final String RULE_SOURCE = "/opt/ml/processing/input/rule";

  /** What the session gives each of its rules. */
  interface Session {
    String jobName();

    String owner();

    String user();

    BatchRuntime runtime();

    ObjectStore store();

    /** The host folder of tensors, null when the job saves none. */
    Path tensorsDir();

    /** The host folder of profiler samples, null when the profiler is off. */
    Path profilerDir();

    String tensorsUri();

    /** Told when the status changed; {@code stop} when the rule asks for the training to stop. */
    void changed(RuleContainer rule, boolean stop);
  }

  private final RuleConfigs.Rule rule;
  private final RuleStatus status;
  private final Path dir;
  private final Session session;
  private final CountDownLatch exited = new CountDownLatch(1);
  private volatile String id;
  private volatile boolean stoppedByServer;
  private volatile boolean detached;

  /** @param dir the rule's own host folder (its source and outputs) */
  RuleContainer(RuleConfigs.Rule rule, RuleStatus status, Path dir, Session session) {
    this.rule = rule;
    this.status = status;
    this.dir = dir;
    this.session = session;
  }

  RuleConfigs.Rule rule() {
    return rule;
  }

  RuleStatus status() {
    return status;
  }

  /** The host folder the rule writes its outputs into. */
  Path outputs() {
    return dir.resolve("outputs");
  }

  String containerName(int index) {
    return "atelier-rule-" + session.jobName() + "-" + rule.kind().charAt(0) + index;
  }

  /** Runs the rule to its exit; call on a thread of its own. */
  void run(int index) {
    try {
      Files.createDirectories(outputs());
      Map<String, String> binds = new LinkedHashMap<>();
      if (session.tensorsDir() != null) {
        binds.put(session.tensorsDir().toString(), TENSORS + ":ro");
      }
      if (session.profilerDir() != null) {
        binds.put(session.profilerDir().toString(), PROFILER + ":ro");
      }
      binds.put(outputs().toString(), rule.localPath());
      ObjectNode config = config();
      if (rule.source() != null) {
        Path src = stageSource();
        binds.put(src.toString(), RULE_SOURCE + ":ro");
        config.put("SourcePath", RULE_SOURCE + (rule.source().key().endsWith(".py") ? "/rule.py" : ""));
      }
      Map<String, String> env = new LinkedHashMap<>();
      env.put("ATELIER_RULE_CONFIG", Json.encode(config));
      env.put("HOME", "/tmp");
      env.put("PYTHONUNBUFFERED", "1");
      env.put("TRAINING_JOB_NAME", session.jobName());
      Map<String, String> labels = Map.of(LABEL_OWNER, session.owner(), LABEL_RULE_OF, "training/" + session.jobName(),
          "dev.atelier.rule", rule.name());
      List<String> entrypoint = rule.runner() ? List.of("python") : null;
      List<String> command = rule.runner() ? List.of("-m", "atelier.debugger.rule_runner") : null;
      BatchRuntime rt = session.runtime();
      rt.requireImage(rule.image());
      id = rt.create(new BatchRuntime.Spec(containerName(index), rule.image(), entrypoint, command, env, labels, binds,
          rule.type().vcpus(), rule.type().memoryBytes(), session.user()));
      if (detached) {
        return;
      }
      rt.start(id);
    } catch (Exception e) {
      status.failed("the rule could not be started: " + message(e), Instant.now());
      session.changed(this, false);
      exited.countDown();
      return;
    }
    follow();
  }

  private void follow() {
    BatchRuntime rt = session.runtime();
    try (BatchRuntime.Follow f = rt.follow(id, null, (ts, err, text) -> {
      boolean stop = status.onOutput(text, Instant.now());
      if (stop || RuleStatus.parse(text) != null) {
        session.changed(this, stop);
      }
    })) {
      BatchRuntime.Exit exit = rt.await(id);
      f.awaitEnd(Duration.ofSeconds(10));
      if (detached) {
        return;
      }
      status.onExit(exit.code(), exit.oomKilled(), stoppedByServer, Instant.now());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (!detached) {
        status.failed("the rule's container could not be followed: " + message(e), Instant.now());
      }
    } finally {
      exited.countDown();
    }
    if (!detached) {
      session.changed(this, false);
    }
  }

  /** What the rule runner reads: the interface's ATELIER_RULE_CONFIG. */
  ObjectNode config() {
    ObjectNode c = Json.mapper().createObjectNode();
    c.put("RuleConfigurationName", rule.name());
    c.set("RuleParameters", Json.mapper().valueToTree(rule.params()));
    c.put("TensorsPath", TENSORS);
    c.put("ProfilerPath", PROFILER);
    c.put("S3OutputPath", session.tensorsUri());
    c.put("TrainingJobName", session.jobName());
    c.put("Kind", rule.kind());
    c.put("OutputPath", rule.localPath());
    return c;
  }

  /** A custom rule's source: a .py file as {@code rule.py}, or a tar.gz unpacked, in a folder of its own. */
  private Path stageSource() throws IOException {
    Path src = dir.resolve("source");
    Files.createDirectories(src);
    try (InputStream in = session.store().get(rule.source())) {
      if (rule.source().key().endsWith(".py")) {
        Files.copy(in, src.resolve("rule.py"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } else {
        unpack(in, src);
      }
    }
    return src;
  }

  private static void unpack(InputStream in, Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        Path target = root.resolve(e.getName()).normalize();
        if (!target.startsWith(root) || e.isSymbolicLink() || e.isLink()) {
          throw new IOException("the rule's source archive has an entry outside its folder: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else if (e.isFile()) {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Waits for the rule to exit; false when {@code max} passed first. */
  boolean awaitExit(Duration max) throws InterruptedException {
    return exited.await(max.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The grace period is over: SIGTERM, then SIGKILL; the rule ends Stopped. */
  void stopNow() {
    stoppedByServer = true;
    status.stopping(Instant.now());
    session.changed(this, false);
    String c = id;
    if (c != null) {
      session.runtime().stop(c, Duration.ofSeconds(10));
    }
  }

  /** Removes the exited container. */
  void remove() {
    String c = id;
    if (c != null) {
      try {
        session.runtime().remove(c);
      } catch (RuntimeException e) {
        LOG.warn("could not remove the container of rule {} of job {}: {}", rule.name(), session.jobName(), message(e));
      }
    }
  }

  /** The server is stopping: stop following, leave the container. */
  void detach() {
    detached = true;
  }

  static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
