package dev.atelier.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.BatchRuntime;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;

/** A training job under SageMaker's container contract (REFERENCE section 6). */
final class TrainingRun extends JobRun {
  static final String SOURCE_ARCHIVE = "sourcedir.tar.gz";

  private final TrainingJobSpec spec;
  private final List<JobStore.Sample> pending = new ArrayList<>();
  private final Map<String, JobStore.Sample> latest = new LinkedHashMap<>();
  private boolean metricsChanged;
  /** Each metric's next step (the order its samples were parsed in), once known. */
  private Map<String, Long> steps;

  /** The companion's work beside this job (the debugger), or null when its request asks for none. */
  private final TrainingCompanion.Session companion;

  TrainingRun(Job job, JobContext ctx, TrainingJobSpec spec, ObjectNode request) {
    super(job, ctx);
    this.spec = spec;
    TrainingCompanion c = ctx.companion().get();
    this.companion = c == null ? null : c.open(new CompanionHandle(job, ctx, work, this), request);
  }

  @Override
  void containerRunning(String id) {
    if (companion != null) {
      companion.started(id);
    }
  }

  @Override
  void containerExited() {
    if (companion != null) {
      companion.exited();
    }
  }

  @Override
  void ended() {
    if (companion != null) {
      companion.ended();
    }
  }

  @Override
  void detached() {
    if (companion != null) {
      companion.detach();
    }
  }

  private Path ml() {
    return work.resolve("ml");
  }

  private S3Uri outputPrefix() {
    return spec.outputPath().child(spec.name() + "/output");
  }

  @Override
  void prepare() throws Exception {
    try {
      ctx.containers().requireImage(spec.image());
    } catch (RuntimeFailure e) {
      throw JobFailure.of(e);
    }
    deleteTree(ml());
    for (String d : List.of("input/config", "input/data", "model", "output/data", "code", "checkpoints")) {
      Files.createDirectories(ml().resolve(d));
    }
    job.transition("Downloading", "Downloading input data");
    long total = 0;
    for (TrainingJobSpec.Channel c : spec.channels()) {
      String what = "checking channel '" + c.name() + "'";
      if (withStore(what, ctx.downloadRetry(), () -> ctx.objects().list(c.uri()).isEmpty())) {
        throw new JobFailure("ClientError: no object at " + c.uri() + " (InputDataConfig channel '" + c.name() + "')");
      }
      total += withStore(what, ctx.downloadRetry(), () -> ctx.objects().totalSize(c.uri()));
    }
    stageSource();
    if (spec.checkpointUri() != null) {
      total += withStore("checking checkpoints", ctx.downloadRetry(),
          () -> ctx.objects().totalSize(spec.checkpointUri()));
    }
    AtomicLong done = new AtomicLong();
    long all = total;
    for (TrainingJobSpec.Channel c : spec.channels()) {
      checkStop();
      Path dir = ml().resolve("input/data").resolve(c.name());
      withStore("downloading channel '" + c.name() + "'", ctx.downloadRetry(), () -> {
        deleteTree(dir);
        return ctx.objects().download(c.uri(), dir, b -> progress("Downloading", done.addAndGet(b), all));
      });
      job.log().note("channel '" + c.name() + "' staged from " + c.uri());
    }
    if (spec.checkpointUri() != null && !withStore("checking checkpoints", ctx.downloadRetry(),
        () -> ctx.objects().list(spec.checkpointUri()).isEmpty())) {
      withStore("downloading checkpoints", ctx.downloadRetry(), () -> ctx.objects().download(
          spec.checkpointUri(), ml().resolve("checkpoints"), b -> progress("Downloading", done.addAndGet(b), all)));
    }
    writeConfig();
  }

  private void progress(String phase, long done, long total) {
    checkStop();
    job.progress(phase, done, total);
  }

  /** Script mode: the packed source goes to S3 (as the sagemaker SDK does) and into /opt/ml/code. */
  private void stageSource() throws Exception {
    String submit = spec.hyperParameters().get("sagemaker_submit_directory");
    if (submit == null) {
      return;
    }
    Path local = work.resolve(SOURCE_ARCHIVE);
    S3Uri uri = S3Uri.parse(unquote(submit));
    if (Files.exists(local)) {
      withStore("uploading the source", ctx.downloadRetry(), () -> ctx.objects().uploadFile(local, uri, b -> {}));
      try (InputStream in = Files.newInputStream(local)) {
        Archives.unpack(in, ml().resolve("code"));
      }
    } else {
      withStore("downloading the source", ctx.downloadRetry(), () -> {
        try (InputStream in = ctx.objects().get(uri)) {
          Archives.unpack(in, ml().resolve("code"));
        }
        return null;
      });
    }
    job.log().note("source staged from " + uri);
  }

  private void writeConfig() throws IOException {
    Path cfg = ml().resolve("input/config");
    Files.writeString(cfg.resolve("hyperparameters.json"), Json.encode(spec.hyperParameters()));
    Files.writeString(cfg.resolve("inputdataconfig.json"), Json.encode(inputDataConfig()));
    Files.writeString(cfg.resolve("resourceconfig.json"), Json.encode(resourceConfig()));
    if (companion != null) {
      companion.prepare(cfg);
    }
  }

  private ObjectNode inputDataConfig() {
    ObjectNode inputs = Json.mapper().createObjectNode();
    for (TrainingJobSpec.Channel c : spec.channels()) {
      ObjectNode ch = inputs.putObject(c.name());
      if (c.contentType() != null) {
        ch.put("ContentType", c.contentType());
      }
      ch.put("TrainingInputMode", "File");
      ch.put("S3DistributionType", "FullyReplicated");
      ch.put("RecordWrapperType", "None");
    }
    return inputs;
  }

  private ObjectNode resourceConfig() {
    ObjectNode r = Json.mapper().createObjectNode();
    r.put("current_host", "algo-1");
    r.put("current_instance_type", spec.instanceType().name());
    r.put("current_group_name", "homogeneousCluster");
    r.putArray("hosts").add("algo-1");
    ObjectNode g = r.putArray("instance_groups").addObject();
    g.put("instance_group_name", "homogeneousCluster");
    g.put("instance_type", spec.instanceType().name());
    g.putArray("hosts").add("algo-1");
    r.put("network_interface_name", "eth0");
    return r;
  }

  @Override
  BatchRuntime.Spec container() {
    Map<String, String> binds = new LinkedHashMap<>();
    binds.put(ml().resolve("input").toString(), "/opt/ml/input");
    binds.put(ml().resolve("model").toString(), "/opt/ml/model");
    binds.put(ml().resolve("output").toString(), "/opt/ml/output");
    if (spec.hyperParameters().containsKey("sagemaker_submit_directory")) {
      binds.put(ml().resolve("code").toString(), "/opt/ml/code");
    }
    if (spec.checkpointUri() != null) {
      binds.put(ml().resolve("checkpoints").toString(), spec.checkpointLocalPath());
    }
    if (companion != null) {
      binds.putAll(companion.binds());
    }
    List<String> command = spec.entrypoint().isEmpty() && spec.arguments().isEmpty() ? List.of("train")
        : spec.arguments();
    Map<String, String> labels = Map.of(JobContext.LABEL_OWNER, ctx.owner(),
        JobContext.LABEL_JOB, Job.TRAINING + "/" + spec.name());
    return new BatchRuntime.Spec("atelier-training-" + spec.name(), spec.image(), spec.entrypoint(), command,
        environment(), labels, binds, spec.instanceType().vcpus(), spec.instanceType().memoryBytes(), ctx.user());
  }

  /** The toolkit's variables (SM_*), then the request's Environment. */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TRAINING_JOB_NAME", spec.name());
    env.put("TRAINING_JOB_ARN", ctx.arn(Job.TRAINING, spec.name()));
    env.put("HOME", "/tmp");
    env.put("PYTHONUNBUFFERED", "1");
    // Images whose entrypoint is tini (Atelier's are) run under Docker's init here: tini reaps as a subreaper.
    env.put("TINI_SUBREAPER", "1");
    Map<String, com.fasterxml.jackson.databind.JsonNode> channels = new LinkedHashMap<>();
    ObjectNode inputs = inputDataConfig();
    inputs.properties().forEach(e -> channels.put(e.getKey(), e.getValue()));
    env.putAll(TrainingEnvironment.of(spec.name(), spec.hyperParameters(), channels, resourceConfig(),
        spec.instanceType().name(), Math.max(1, Math.round(spec.instanceType().vcpus())), spec.instanceType().gpus()));
    String program = spec.hyperParameters().get("sagemaker_program");
    if (program != null) {
      env.put("SAGEMAKER_PROGRAM", unquote(program));
    }
    env.putAll(ctx.trackingEnvironment(job));
    env.putAll(spec.environment());
    return env;
  }

  /** The sagemaker SDK JSON-encodes hyperparameter values ({@code "\"train.py\""}). */
  static String unquote(String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
  }

  @Override
  void onLine(long millis, String text) {
    for (TrainingJobSpec.MetricDefinition m : spec.metrics()) {
      Matcher x = m.regex().matcher(text);
      if (x.find() && x.group(1) != null) {
        try {
          double v = Double.parseDouble(x.group(1).trim());
          if (Double.isFinite(v)) {
            synchronized (pending) {
              JobStore.Sample s = new JobStore.Sample(m.name(), millis, v);
              pending.add(s);
              latest.put(m.name(), s);
              metricsChanged = true;
            }
          }
        } catch (NumberFormatException e) {
          // not a number: not a sample
        }
      }
    }
  }

  @Override
  void tick() {
    syncCheckpoints();
    List<JobStore.Sample> batch;
    Map<String, JobStore.Sample> last;
    synchronized (pending) {
      if (!metricsChanged) {
        return;
      }
      batch = new ArrayList<>(pending);
      pending.clear();
      last = new LinkedHashMap<>(latest);
      metricsChanged = false;
    }
    if (steps == null) {
      // After a restart the numbering goes on from what was parsed before.
      steps = new java.util.HashMap<>();
      ctx.store().samples(Job.TRAINING, spec.name()).forEach((k, v) -> steps.put(k, (long) v.size()));
    }
    ctx.store().addSamples(Job.TRAINING, spec.name(), batch);
    List<dev.atelier.http.RunTracker.Point> points = new ArrayList<>();
    for (JobStore.Sample s : batch) {
      long step = steps.merge(s.metric(), 1L, Long::sum) - 1;
      points.add(new dev.atelier.http.RunTracker.Point(s.metric(), s.value(), s.ts(), step));
    }
    ctx.tracking().metrics(job, points);
    job.edit(d -> {
      ArrayNode list = d.putArray("FinalMetricDataList");
      last.values().forEach(s -> {
        ObjectNode m = list.addObject();
        m.put("MetricName", s.metric());
        m.put("Value", s.value());
        m.put("Timestamp", Instant.ofEpochMilli(s.ts()).toString());
      });
    });
  }

  private long lastCheckpointSync = System.currentTimeMillis();

  /** While the job runs, checkpoints written since the last sync go to CheckpointConfig.S3Uri every 30 s. */
  private void syncCheckpoints() {
    long now = System.currentTimeMillis();
    if (spec.checkpointUri() == null || now - lastCheckpointSync < 30_000) {
      return;
    }
    long since = lastCheckpointSync;
    lastCheckpointSync = now;
    Path dir = ml().resolve("checkpoints");
    try (var files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        if (Files.getLastModifiedTime(f).toMillis() >= since - 1000) {
          String rel = dir.relativize(f).toString().replace('\\', '/');
          ctx.objects().uploadFile(f, spec.checkpointUri().child(rel), b -> {});
        }
      }
    } catch (IOException | RuntimeException e) {
      job.log().note("checkpoints could not be synced yet: " + e.getMessage());
    }
  }

  @Override
  String uploadingMessage() {
    return "Uploading generated training model and output";
  }

  @Override
  Duration maxRuntime() {
    return Duration.ofSeconds(spec.maxRuntimeSeconds());
  }

  @Override
  String runningStatus() {
    return "Training";
  }

  @Override
  String runningMessage() {
    return "Training image download completed. Training in progress.";
  }

  @Override
  String failureFile() {
    return readReason(ml().resolve("output/failure"));
  }

  @Override
  void upload(boolean succeeded) throws Exception {
    Path modelTar = work.resolve("model.tar.gz");
    Path outputTar = work.resolve("output.tar.gz");
    boolean withModel = succeeded || stopRequested() || hasFiles(ml().resolve("model"));
    if (withModel) {
      Archives.pack(ml().resolve("model"), modelTar, Long.MAX_VALUE);
    }
    Archives.pack(ml().resolve("output/data"), outputTar, Long.MAX_VALUE);
    Path checkpoints = ml().resolve("checkpoints");
    long total = (withModel ? Files.size(modelTar) : 0) + Files.size(outputTar)
        + (spec.checkpointUri() != null ? sizeOf(checkpoints) : 0);
    AtomicLong done = new AtomicLong();
    S3Uri out = outputPrefix();
    if (withModel) {
      S3Uri model = out.child("model.tar.gz");
      withStore("uploading the model", ctx.uploadRetry(),
          () -> ctx.objects().uploadFile(modelTar, model, b -> job.progress("Uploading", done.addAndGet(b), total)));
      job.edit(d -> d.putObject("ModelArtifacts").put("S3ModelArtifacts", model.toString()));
    }
    S3Uri output = out.child("output.tar.gz");
    withStore("uploading the output", ctx.uploadRetry(),
        () -> ctx.objects().uploadFile(outputTar, output, b -> job.progress("Uploading", done.addAndGet(b), total)));
    job.edit(d -> d.putObject("OutputArtifacts").put("S3OutputArtifacts", output.toString()));
    if (spec.checkpointUri() != null && hasFiles(checkpoints)) {
      withStore("uploading checkpoints", ctx.uploadRetry(), () -> ctx.objects().uploadDirectory(checkpoints,
          spec.checkpointUri(), b -> job.progress("Uploading", done.addAndGet(b), total)));
    }
    Files.deleteIfExists(modelTar);
    Files.deleteIfExists(outputTar);
  }
}
