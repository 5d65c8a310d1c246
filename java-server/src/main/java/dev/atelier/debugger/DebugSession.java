package dev.atelier.debugger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.jobs.TrainingCompanion;
import dev.atelier.runtime.BatchRuntime;
import dev.atelier.storage.ObjectStore;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The debugger's work beside one run of a training job: the hook's and profiler's config files,
 * the tensors folder mounted at LocalPath, the upload of tensors and profiler samples to S3 every
 * 2 s (and a last pass when the container exits), the end marker, the profiler sampler, and the
 * rule containers with their statuses, which live in the job's description and go out on the event
 * stream. After the training container exits, rules still evaluating get {@link #RULE_GRACE}.
 */
final class DebugSession implements TrainingCompanion.Session, RuleContainer.Session {
  private static final Logger LOG = LoggerFactory.getLogger(DebugSession.class);
  static final Duration RULE_GRACE = Duration.ofSeconds(120);
  static final Duration UPLOAD_EVERY = Duration.ofSeconds(2);

  private final TrainingCompanion.Handle job;
  private final DebugConfig config;
  private final BatchRuntime runtime;
  private final ObjectStore store;
  private final Consumer<ObjectNode> publish;
  private final Path tensorsDir;
  private final Path profilerDir;
  private final List<RuleContainer> rules = new ArrayList<>();
  private final TensorUploader tensors;
  private final TensorUploader samples;
  private final ProfilerSampler sampler;
  private volatile boolean started;
  private volatile boolean exited;
  private volatile boolean finished;
  private volatile boolean detached;
  private volatile boolean dirty;
  private Thread ticker;

  /** @param publish told the {@code debugger} frame of each status change */
  DebugSession(TrainingCompanion.Handle job, DebugConfig config, List<RuleStatus> statuses, BatchRuntime runtime,
      ObjectStore store, Consumer<ObjectNode> publish) {
    this.job = job;
    this.config = config;
    this.runtime = runtime;
    this.store = store;
    this.publish = publish;
    this.tensorsDir = config.hook() == null ? null : job.workDir().resolve("debug-output");
    this.profilerDir = config.profiler() == null ? null : job.workDir().resolve("profiler-output");
    this.tensors = tensorsDir == null ? null : new TensorUploader(store, tensorsDir, config.tensorsUri());
    this.samples = profilerDir == null ? null
        : new TensorUploader(store, profilerDir, profilerPrefix(config, job.name()));
    this.sampler = profilerDir == null ? null
        : new ProfilerSampler(profilerDir.resolve("system"), config.profiler().intervalMillis());
    for (RuleStatus s : statuses) {
      rules.add(new RuleContainer(s.rule(), s, job.workDir().resolve("rules").resolve(s.rule().kind() + "-"
          + s.rule().name()), this));
    }
  }

  static S3Uri profilerPrefix(DebugConfig config, String jobName) {
    return config.profiler().base().child(jobName + "/profiler-output");
  }

  @Override
  public void prepare(Path configDir) throws IOException {
    if (tensorsDir != null) {
      Files.createDirectories(tensorsDir);
      Files.writeString(configDir.resolve("debughookconfig.json"), Json.encode(config.hook()));
    }
    if (profilerDir != null) {
      Files.createDirectories(profilerDir.resolve("system"));
      Files.writeString(configDir.resolve("profilerconfig.json"), Json.encode(config.profiler().config()));
    }
  }

  @Override
  public java.util.Map<String, String> binds() {
    return tensorsDir == null ? java.util.Map.of() : java.util.Map.of(tensorsDir.toString(), config.localPath());
  }

  @Override
  public synchronized void started(String containerId) {
    if (started || detached) {
      return;
    }
    started = true;
    // Rule containers a server before this one started for this job are replaced by fresh ones.
    for (BatchRuntime.Found f : runtime.find(RuleContainer.LABEL_RULE_OF, "training/" + job.name())) {
      runtime.remove(f.id());
    }
    if (sampler != null) {
      sampler.start(runtime, containerId);
    }
    ticker = Thread.ofVirtual().name("debugger-" + job.name()).start(this::tick);
    for (int i = 0; i < rules.size(); i++) {
      RuleContainer r = rules.get(i);
      int index = i;
      Thread.ofVirtual().name("rule-" + job.name() + "-" + r.rule().name()).start(() -> r.run(index));
    }
    job.note("Debugger: " + rules.size() + " rule(s) started beside the training"
        + (tensorsDir != null ? "; tensors go to " + config.tensorsUri() : "")
        + (sampler != null ? "; the profiler samples every " + config.profiler().intervalMillis() + " ms" : ""));
  }

  /** Every second: statuses whose details changed are saved; every 2 s what is new goes to S3. */
  private void tick() {
    long n = 0;
    while (!finished && !detached) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      if (dirty) {
        save();
      }
      if (++n % (UPLOAD_EVERY.toSeconds()) == 0) {
        upload(false);
      }
    }
  }

  private boolean upload(boolean last) {
    boolean ok = true;
    for (TensorUploader u : new TensorUploader[] {tensors, samples}) {
      if (u == null) {
        continue;
      }
      try {
        u.pass();
      } catch (IOException | RuntimeException e) {
        ok = false;
        if (last) {
          job.note("Debugger: not everything could be uploaded to " + u.prefix() + ": " + RuleContainer.message(e));
        }
      }
    }
    return ok;
  }

  @Override
  public void exited() {
    synchronized (this) {
      if (!started || detached || exited) {
        return;
      }
      exited = true;
    }
    if (sampler != null) {
      sampler.close();
    }
    // Rules stop waiting for more when they see the marker: in the tensors, and in the profiler's folder
    // for profiler rules of a job that saves no tensors. The hook may have written it already.
    for (Path dir : new Path[] {tensorsDir, profilerDir}) {
      if (dir != null && !Files.exists(dir.resolve(TensorUploader.END_MARKER))) {
        try {
          Path tmp = dir.resolve("." + TensorUploader.END_MARKER + ".tmp");
          Files.writeString(tmp, String.format("%.3f%n", Instant.now().toEpochMilli() / 1000.0), StandardCharsets.UTF_8);
          Files.move(tmp, dir.resolve(TensorUploader.END_MARKER), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          job.note("Debugger: the end marker could not be written in " + dir + ": " + e.getMessage());
        }
      }
    }
    upload(true);
    Thread.ofVirtual().name("rules-end-" + job.name()).start(this::endRules);
  }

  /** Gives rules still evaluating their grace period, stops the rest, uploads their outputs, cleans up. */
  private void endRules() {
    Instant deadline = Instant.now().plus(RULE_GRACE);
    try {
      for (RuleContainer r : rules) {
        Duration left = Duration.between(Instant.now(), deadline);
        if (!r.awaitExit(left.isNegative() ? Duration.ZERO : left) && !detached) {
          r.stopNow();
          r.awaitExit(Duration.ofSeconds(30));
        }
      }
    } catch (InterruptedException e) {
      return;
    }
    if (detached) {
      return;
    }
    for (RuleContainer r : rules) {
      uploadOutputs(r);
      r.remove();
    }
    finished = true;
    save();
    if (upload(true)) {
      deleteTree(tensorsDir);
      deleteTree(profilerDir);
    }
  }

  private void uploadOutputs(RuleContainer r) {
    Path out = r.outputs();
    try {
      if (!Files.isDirectory(out)) {
        return;
      }
      try (var entries = Files.list(out)) {
        if (entries.findAny().isEmpty()) {
          return;
        }
      }
      S3Uri target = ruleOutputs(r.rule());
      Path report = out.resolve("profiler-report");
      try (var files = Files.walk(out)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          String rel = out.relativize(f).toString().replace('\\', '/');
          if (f.startsWith(report)) {
            rel = "profiler-output/" + report.relativize(f).toString().replace('\\', '/');
          }
          store.uploadFile(f, target.child(rel), ObjectStore.Progress.NONE);
        }
      }
    } catch (IOException | RuntimeException e) {
      job.note("Debugger: the outputs of rule " + r.rule().name() + " could not be uploaded: "
          + RuleContainer.message(e));
    }
  }

  /** Where a rule's outputs go: its S3OutputPath, else {@code <base>/<job>/rule-output/<rule>/}. */
  S3Uri ruleOutputs(RuleConfigs.Rule rule) {
    if (rule.outputUri() != null) {
      return rule.outputUri();
    }
    S3Uri base = config.profiler() != null ? config.profiler().base()
        : S3Uri.parse(config.hook().path("S3OutputPath").asText());
    return base.child(job.name() + "/rule-output/" + rule.name());
  }

  @Override
  public void ended() {
    if (started) {
      // The job ended another way than through its container's exit (a failure while following it).
      exited();
    } else {
      for (RuleContainer r : rules) {
        r.status().neverStarted("Stopped: the training job ended before its container ran", Instant.now());
      }
      finished = true;
      save();
    }
  }

  @Override
  public void detach() {
    detached = true;
    rules.forEach(RuleContainer::detach);
    if (sampler != null) {
      sampler.close();
    }
    Thread t = ticker;
    if (t != null) {
      t.interrupt();
    }
  }

  @Override
  public void changed(RuleContainer rule, boolean stop) {
    if (stop) {
      String why = "Stopped by the rule " + rule.rule().name() + " (StopTraining): " + rule.status().details();
      job.note("Debugger: " + why);
      job.stop(why.length() > 1000 ? why.substring(0, 1000) : why);
    }
    if (!rule.status().status().equals(lastStatus(rule)) || rule.status().done()) {
      save();
    } else {
      dirty = true;
    }
  }

  private final java.util.Map<RuleContainer, String> saved = new java.util.concurrent.ConcurrentHashMap<>();

  private String lastStatus(RuleContainer r) {
    return saved.getOrDefault(r, "InProgress");
  }

  /** Stores the statuses in the job's description and publishes them. */
  private synchronized void save() {
    dirty = false;
    ArrayNode debug = Json.mapper().createArrayNode();
    ArrayNode profiler = Json.mapper().createArrayNode();
    for (RuleContainer r : rules) {
      saved.put(r, r.status().status());
      (r.rule().kind().equals("profiler") ? profiler : debug).add(r.status().toJson());
    }
    try {
      job.edit(d -> {
        d.set("DebugRuleEvaluationStatuses", debug.deepCopy());
        d.set("ProfilerRuleEvaluationStatuses", profiler.deepCopy());
      });
    } catch (RuntimeException e) {
      LOG.warn("rule statuses of job {} not stored: {}", job.name(), e.toString());
    }
    ObjectNode frame = Json.mapper().createObjectNode();
    frame.put("TrainingJobName", job.name());
    frame.set("DebugRuleEvaluationStatuses", debug);
    frame.set("ProfilerRuleEvaluationStatuses", profiler);
    publish.accept(frame);
  }

  private static void deleteTree(Path p) {
    if (p == null || !Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // left behind; uploaded already
    }
  }

  // RuleContainer.Session

  @Override
  public String jobName() {
    return job.name();
  }

  @Override
  public String owner() {
    return job.ownerLabel();
  }

  @Override
  public String user() {
    return job.containerUser();
  }

  @Override
  public BatchRuntime runtime() {
    return runtime;
  }

  @Override
  public ObjectStore store() {
    return store;
  }

  @Override
  public Path tensorsDir() {
    return tensorsDir;
  }

  @Override
  public Path profilerDir() {
    return profilerDir;
  }

  @Override
  public String tensorsUri() {
    return config.tensorsUri() == null ? null : config.tensorsUri().toString();
  }
}
