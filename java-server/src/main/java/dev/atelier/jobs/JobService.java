package dev.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.config.AtelierConfig;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.runtime.BatchRuntime;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.storage.ObjectStore;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training and processing jobs: created from SageMaker-shaped requests, run on their own
 * virtual threads, kept in the metadata store, picked up again after a server restart.
 */
public final class JobService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobService.class);
  /** The largest SourceDir packed for script mode. */
  static final long MAX_SOURCE_BYTES = 256L << 20;

  private final JobContext ctx;
  private final InstanceCatalog types;
  private final Path rootDir;
  private final String user;
  private final Clock clock;
  private final Map<String, JobRun> running = new ConcurrentHashMap<>();
  private final Map<String, Job> live = new ConcurrentHashMap<>();
  private final List<Consumer<ObjectNode>> listeners = new CopyOnWriteArrayList<>();
  private final java.util.function.Supplier<String> dockerProblem;

  /**
   * @param user who creates jobs here (shown as CreatedBy)
   * @param dockerProblem why Docker cannot be used, or null when it can
   */
  public JobService(AtelierConfig config, JobStore store, ObjectStore objects, BatchRuntime containers,
      InstanceCatalog types, String owner, String containerUser, String user, Clock clock,
      java.util.function.Supplier<String> dockerProblem) {
    this.ctx = new JobContext(store, objects, containers, config.dataDir(), owner, containerUser, config.s3Region(),
        config.jobStopGrace(), config.jobDownloadRetry(), config.jobUploadRetry());
    this.types = types;
    this.rootDir = config.rootDir();
    this.user = user;
    this.clock = clock;
    this.dockerProblem = dockerProblem;
  }

  /** Told a job's summary whenever it changes. */
  public void onChange(Consumer<ObjectNode> listener) {
    listeners.add(listener);
  }

  /** Picks up the jobs that were running when the server last stopped. */
  public void adopt() {
    String problem = dockerProblem.get();
    List<JobStore.Row> unfinished = ctx.store().unfinished();
    if (problem != null && !unfinished.isEmpty()) {
      LOG.warn("{} job(s) were running when the server stopped; they are picked up once Docker can be used: {}",
          unfinished.size(), problem);
      return;
    }
    for (JobStore.Row row : unfinished) {
      LOG.info("job {} ({}) was {} when the server stopped: picking it up", row.name(), row.kind(), row.secondary());
      try {
        Job job = open(row);
        job.log().note("picked up again after a server restart");
        launch(job, runFor(job, row));
      } catch (RuntimeException e) {
        LOG.error("job {} cannot be picked up: {}", row.name(), e.toString());
      }
    }
  }

  /** Validates and stores a training job, then starts it; returns its ARN. */
  public String createTraining(JsonNode body) {
    TrainingJobSpec spec = TrainingJobSpec.parse(body, types, rootDir, ctx.objects().keys());
    requireDocker(spec.image(), "AlgorithmSpecification.TrainingImage");
    if (ctx.store().get(Job.TRAINING, spec.name()) != null) {
      throw ApiException.conflict("a training job named '" + spec.name() + "' already exists; job names are unique");
    }
    ObjectNode request = ((ObjectNode) body).deepCopy();
    Path work = ctx.workDir(Job.TRAINING, spec.name());
    if (spec.scriptMode() != null) {
      request.remove("ScriptMode");
      ObjectNode hps = request.withObject("HyperParameters");
      S3Uri source = spec.outputPath().child(spec.name() + "/source/" + TrainingRun.SOURCE_ARCHIVE);
      hps.put("sagemaker_program", spec.scriptMode().entryPoint());
      hps.put("sagemaker_submit_directory", source.toString());
      packSource(spec.scriptMode(), work.resolve(TrainingRun.SOURCE_ARCHIVE));
      spec = TrainingJobSpec.parse(request, types, rootDir, ctx.objects().keys());
    }
    Instant now = clock.instant();
    ObjectNode d = request.deepCopy();
    d.put("TrainingJobArn", ctx.arn(Job.TRAINING, spec.name()));
    d.put("TrainingJobStatus", "InProgress");
    d.put("SecondaryStatus", "Starting");
    d.put("CreationTime", now.toString());
    d.put("LastModifiedTime", now.toString());
    d.withObject("ResourceConfig").put("InstanceCount", 1);
    d.withObject("CreatedBy").put("UserProfileName", user);
    if (body.has("ScriptMode")) {
      ObjectNode sm = d.putObject("ScriptMode");
      sm.put("EntryPoint", spec.scriptMode() == null ? body.path("ScriptMode").path("EntryPoint").asText()
          : spec.scriptMode().entryPoint());
      if (body.path("ScriptMode").has("SourceDir")) {
        sm.put("SourceDir", body.path("ScriptMode").path("SourceDir").asText());
      }
    }
    d.putArray("SecondaryStatusTransitions").addObject()
        .put("Status", "Starting").put("StartTime", now.toString())
        .put("StatusMessage", "Preparing the instances for training");
    JobStore.Row row = new JobStore.Row(Job.TRAINING, spec.name(), "InProgress", "Starting",
        spec.instanceType().name(), spec.image(), user, now.toEpochMilli(), now.toEpochMilli(), null, request, d);
    ctx.store().insert(row);
    Job job = open(row);
    job.log().note("job created by " + user + " on " + spec.instanceType().name() + " with " + spec.image());
    launch(job, new TrainingRun(job, ctx, spec));
    return d.get("TrainingJobArn").asText();
  }

  /** Validates and stores a processing job, then starts it; returns its ARN. */
  public String createProcessing(JsonNode body) {
    ProcessingJobSpec spec = ProcessingJobSpec.parse(body, types, ctx.objects().keys());
    requireDocker(spec.image(), "AppSpecification.ImageUri");
    if (ctx.store().get(Job.PROCESSING, spec.name()) != null) {
      throw ApiException.conflict("a processing job named '" + spec.name() + "' already exists; job names are unique");
    }
    ObjectNode request = ((ObjectNode) body).deepCopy();
    Instant now = clock.instant();
    ObjectNode d = request.deepCopy();
    d.put("ProcessingJobArn", ctx.arn(Job.PROCESSING, spec.name()));
    d.put("ProcessingJobStatus", "InProgress");
    d.put("SecondaryStatus", "Starting");
    d.put("CreationTime", now.toString());
    d.put("LastModifiedTime", now.toString());
    d.withObject("CreatedBy").put("UserProfileName", user);
    d.withObject("StoppingCondition").put("MaxRuntimeInSeconds", spec.maxRuntimeSeconds());
    d.putArray("SecondaryStatusTransitions").addObject()
        .put("Status", "Starting").put("StartTime", now.toString())
        .put("StatusMessage", "Preparing the instance for processing");
    JobStore.Row row = new JobStore.Row(Job.PROCESSING, spec.name(), "InProgress", "Starting",
        spec.instanceType().name(), spec.image(), user, now.toEpochMilli(), now.toEpochMilli(), null, request, d);
    ctx.store().insert(row);
    Job job = open(row);
    job.log().note("job created by " + user + " on " + spec.instanceType().name() + " with " + spec.image());
    launch(job, new ProcessingRun(job, ctx, spec, request));
    return d.get("ProcessingJobArn").asText();
  }

  private void requireDocker(String image, String field) {
    String problem = dockerProblem.get();
    if (problem != null) {
      throw ApiException.unavailable("jobs run in Docker containers, and Docker cannot be used: " + problem);
    }
    try {
      ctx.containers().requireImage(image);
    } catch (RuntimeFailure e) {
      // A missing image is the request's fault and names its field; an engine that stopped
      // answering since the check above is not, and keeps its 503.
      throw e.about(field);
    }
  }

  private void packSource(TrainingJobSpec.ScriptMode sm, Path target) {
    try {
      Files.createDirectories(target.getParent());
      if (sm.sourceDir() != null) {
        Archives.pack(sm.sourceDir(), target, MAX_SOURCE_BYTES);
      } else {
        Archives.packFiles(sm.files(), target);
      }
    } catch (IOException e) {
      throw ApiException.badRequest("ScriptMode.SourceDir: cannot pack the source: " + e.getMessage());
    }
  }

  private Job open(JobStore.Row row) {
    Job job = new Job(row, new JobLog(ctx.workDir(row.kind(), row.name()).resolve("log.jsonl")), ctx.store(),
        clock, this::changed);
    live.put(key(row.kind(), row.name()), job);
    return job;
  }

  private JobRun runFor(Job job, JobStore.Row row) {
    return switch (row.kind()) {
      case Job.TRAINING -> new TrainingRun(job, ctx, TrainingJobSpec.parse(row.request(), types, rootDir, ctx.objects().keys()));
      case Job.PROCESSING -> new ProcessingRun(job, ctx, ProcessingJobSpec.parse(row.request(), types, ctx.objects().keys()), row.request());
      default -> throw new IllegalStateException("unknown job kind " + row.kind());
    };
  }

  private void launch(Job job, JobRun run) {
    String k = key(job.kind(), job.name());
    running.put(k, run);
    Thread.ofVirtual().name("job-" + job.name()).start(() -> {
      try {
        run.run();
      } finally {
        running.remove(k, run);
        if (!"InProgress".equals(job.status()) && !"Stopping".equals(job.status())) {
          live.remove(k, job);
        }
      }
    });
  }

  private void changed(Job job) {
    ObjectNode s = summary(job.kind(), job.name(), job.status(), job.secondary(), job.instanceType(), job.image(),
        job.createdBy(), job.createdAt(), job.describe());
    listeners.forEach(l -> l.accept(s));
  }

  /** The description, live for a running job; a 404 when there is none. */
  public ObjectNode describe(String kind, String name) {
    Job j = live.get(key(kind, name));
    if (j != null) {
      return j.describe();
    }
    JobStore.Row r = ctx.store().get(kind, name);
    if (r == null) {
      throw ApiException.notFound("no " + kind + " job named '" + name + "'");
    }
    return r.description();
  }

  /** Asks a running job to stop; a 409 when it has ended. */
  public void stop(String kind, String name) {
    describe(kind, name);
    JobRun run = running.get(key(kind, name));
    Job job = live.get(key(kind, name));
    if (run == null || job == null || !"InProgress".equals(job.status())) {
      String status = job == null ? ctx.store().get(kind, name).status() : job.status();
      if ("Stopping".equals(status)) {
        return;
      }
      throw ApiException.conflict("the " + kind + " job '" + name + "' is " + status + "; only a job in progress"
          + " can be stopped");
    }
    job.status("Stopping");
    job.transition("Stopping", "Stopping the job (SIGTERM, then SIGKILL after " + ctx.stopGrace().toSeconds() + " s)");
    run.requestStop();
  }

  /** Summaries, newest first. */
  public List<ObjectNode> list(JobStore.Filter f) {
    return ctx.store().list(f).stream().map(r -> {
      Job j = live.get(key(r.kind(), r.name()));
      ObjectNode d = j != null ? j.describe() : r.description();
      return summary(r.kind(), r.name(), j != null ? j.status() : r.status(), j != null ? j.secondary() : r.secondary(),
          r.instanceType(), r.image(), r.createdBy(), r.createdAt(), d);
    }).toList();
  }

  public JobLog.Page logs(String kind, String name, long offset, int limit) {
    describe(kind, name);
    Job j = live.get(key(kind, name));
    JobLog log = j != null ? j.log() : new JobLog(ctx.workDir(kind, name).resolve("log.jsonl"));
    return log.read(offset, limit);
  }

  public Map<String, List<JobStore.Sample>> metrics(String kind, String name) {
    describe(kind, name);
    return ctx.store().samples(kind, name);
  }

  static ObjectNode summary(String kind, String name, String status, String secondary, String type, String image,
      String createdBy, long createdAt, ObjectNode d) {
    boolean training = Job.TRAINING.equals(kind);
    ObjectNode s = Json.mapper().createObjectNode();
    s.put("Kind", kind);
    s.put("Name", name);
    s.put("Arn", d.path(training ? "TrainingJobArn" : "ProcessingJobArn").asText());
    s.put("Status", status);
    s.put("SecondaryStatus", secondary);
    s.put("InstanceType", type);
    s.put("Image", image);
    s.put("CreatedBy", createdBy);
    s.put("CreationTime", Instant.ofEpochMilli(createdAt).toString());
    String start = d.path(training ? "TrainingStartTime" : "ProcessingStartTime").asText(null);
    String end = d.path(training ? "TrainingEndTime" : "ProcessingEndTime").asText(null);
    s.put("StartTime", start);
    s.put("EndTime", end);
    Instant from = start != null ? Instant.parse(start) : Instant.ofEpochMilli(createdAt);
    Instant to = end != null ? Instant.parse(end) : Instant.now();
    s.put("DurationSeconds", Math.max(0, Duration.between(from, to).toMillis()) / 1000.0);
    s.put("FailureReason", d.path("FailureReason").asText(null));
    if (training) {
      s.put("TrainingJobName", name);
      s.put("TrainingJobStatus", status);
      s.put("TrainingJobArn", s.get("Arn").asText());
      s.put("TrainingEndTime", end);
      s.put("LastModifiedTime", d.path("LastModifiedTime").asText(null));
    } else {
      s.put("ProcessingJobName", name);
      s.put("ProcessingJobStatus", status);
      s.put("ProcessingJobArn", s.get("Arn").asText());
      s.put("ProcessingEndTime", end);
    }
    return s;
  }

  private static String key(String kind, String name) {
    return kind + "/" + name;
  }

  /** Running jobs are left to run; the next server picks them up. */
  @Override
  public void close() {
    running.values().forEach(JobRun::detach);
  }
}
