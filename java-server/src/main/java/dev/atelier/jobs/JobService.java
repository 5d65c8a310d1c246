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
  private final JobContext ctx;
  private final JobKinds kinds;
  private final InstanceCatalog types;
  private final Path rootDir;
  private final String user;
  private final Clock clock;
  private final Map<String, JobRun> running = new ConcurrentHashMap<>();
  private final Map<String, Job> live = new ConcurrentHashMap<>();
  private final List<Consumer<ObjectNode>> listeners = new CopyOnWriteArrayList<>();
  private final java.util.function.Supplier<String> dockerProblem;
  private final JobTracking tracking = new JobTracking();

  /**
   * @param user who creates jobs here (shown as CreatedBy)
   * @param dockerProblem why Docker cannot be used, or null when it can
   */
  public JobService(AtelierConfig config, JobStore store, ObjectStore objects, BatchRuntime containers,
      InstanceCatalog types, String owner, String containerUser, String user, Clock clock,
      java.util.function.Supplier<String> dockerProblem, java.util.function.Supplier<String> apiUrl) {
    this(config, JobKinds.standard(), store, objects, containers, types, owner, containerUser, user, clock,
        dockerProblem, apiUrl);
  }

  /**
   * @param kinds the kinds of job run here
   * @param apiUrl where containers reach Atelier's API once the server listens (null before)
   */
  public JobService(AtelierConfig config, JobKinds kinds, JobStore store, ObjectStore objects,
      BatchRuntime containers, InstanceCatalog types, String owner, String containerUser, String user, Clock clock,
      java.util.function.Supplier<String> dockerProblem, java.util.function.Supplier<String> apiUrl) {
    this.kinds = kinds;
    this.ctx = new JobContext(store, objects, containers, config.dataDir(), owner, containerUser, config.s3Region(),
        config.jobStopGrace(), config.jobDownloadRetry(), config.jobUploadRetry(), apiUrl, tracking,
        new java.util.concurrent.atomic.AtomicReference<>());
    this.types = types;
    this.rootDir = config.rootDir();
    this.user = user;
    this.clock = clock;
    this.dockerProblem = dockerProblem;
  }

  /**
   * Records each job created from now on as an experiment run, and ends the runs of jobs as they
   * end; call before {@link #adopt}.
   */
  public void trackRunsWith(dev.atelier.http.RunTracker tracker) {
    tracking.use(tracker);
  }

  /**
   * Gives every training job created or picked up from now on the companion's work beside it (the
   * debugger's rules and profiler) when its request asks for it; call before {@link #adopt}.
   */
  public void superviseTrainingWith(TrainingCompanion companion) {
    ctx.companion().set(companion);
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

  /** The kinds of job this service runs. */
  public JobKinds kinds() {
    return kinds;
  }

  /** Validates a request of {@code kind}, naming the field at fault; nothing is stored. */
  public <S extends JobKind.Request> S parse(JobKind<S> kind, JsonNode body) {
    return kind.parse(body, parsing());
  }

  private JobKind.Parsing parsing() {
    return new JobKind.Parsing(types, rootDir, ctx.objects().keys(), ctx.companion().get());
  }

  /**
   * Stores a validated job of {@code kind} and starts it; returns its ARN.
   *
   * @param body the request as sent, kept as the job's request and echoed in its description
   */
  public <S extends JobKind.Request> String create(JobKind<S> kind, S spec, ObjectNode body) {
    return create(kind, spec, body, user);
  }

  /**
   * Stores a validated job of {@code kind} owned by {@code owner} (its CreatedBy) and starts it;
   * returns its ARN. Job names are unique across owners, as the store keys jobs by kind and name.
   */
  public <S extends JobKind.Request> String create(JobKind<S> kind, S spec, ObjectNode body, String owner) {
    requireDocker(spec.image(), kind.imageField());
    if (ctx.store().get(kind.name(), spec.name()) != null) {
      throw ApiException.conflict("a " + kind.name() + " job named '" + spec.name()
          + "' already exists; job names are unique");
    }
    JobKind.Accepted<S> accepted = kind.accept(spec, body.deepCopy(), ctx.workDir(kind.name(), spec.name()), parsing());
    S run = accepted.spec();
    ObjectNode request = accepted.request();
    Instant now = clock.instant();
    ObjectNode d = request.deepCopy();
    if (d.path(ExperimentConfig.FIELD).isNull()) {
      d.remove(ExperimentConfig.FIELD);
    }
    d.put(kind.arnField(), ctx.arn(kind.name(), run.name()));
    d.put(kind.statusField(), "InProgress");
    d.put("SecondaryStatus", "Starting");
    d.put("CreationTime", now.toString());
    d.put("LastModifiedTime", now.toString());
    d.withObject("CreatedBy").put("UserProfileName", owner);
    kind.describeNew(d, run, body, parsing());
    d.putArray("SecondaryStatusTransitions").addObject()
        .put("Status", "Starting").put("StartTime", now.toString())
        .put("StatusMessage", kind.startingMessage());
    JobStore.Row row = new JobStore.Row(kind.name(), run.name(), "InProgress", "Starting",
        run.instanceType().name(), run.image(), owner, now.toEpochMilli(), now.toEpochMilli(), null, request, d);
    ctx.store().insert(row);
    Job job = open(row);
    job.log().note("job created by " + owner + " on " + run.instanceType().name() + " with " + run.image());
    tracking.start(job, kind.tracking(run), ExperimentConfig.parse(request));
    launch(job, kind.run(job, ctx, run, request));
    return d.get(kind.arnField()).asText();
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

  private Job open(JobStore.Row row) {
    Job job = new Job(kinds.of(row.kind()), row, new JobLog(ctx.workDir(row.kind(), row.name()).resolve("log.jsonl")),
        ctx.store(), clock, this::changed);
    live.put(key(row.kind(), row.name()), job);
    return job;
  }

  private JobRun runFor(Job job, JobStore.Row row) {
    return runFor(kinds.of(row.kind()), job, row);
  }

  private <S extends JobKind.Request> JobRun runFor(JobKind<S> kind, Job job, JobStore.Row row) {
    ObjectNode request = (ObjectNode) row.request();
    return kind.run(job, ctx, kind.parse(request, parsing()), request);
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
    tracking.changed(job, kinds.of(job.kind()));
    ObjectNode s = summary(kinds.of(job.kind()), job.name(), job.status(), job.secondary(), job.instanceType(), job.image(),
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

  /**
   * The description of a job {@code owner} created; a 404 for another owner's job, as for one
   * that does not exist, so that callers cannot tell them apart.
   */
  public ObjectNode describe(String kind, String name, String owner) {
    requireOwned(kind, name, owner);
    return describe(kind, name);
  }

  /** Stops a job {@code owner} created; a 404 for another owner's, a 409 when it has ended. */
  public void stop(String kind, String name, String owner) {
    requireOwned(kind, name, owner);
    stop(kind, name);
  }

  /** The log of a job {@code owner} created; a 404 for another owner's. */
  public JobLog.Page logs(String kind, String name, long offset, int limit, String owner) {
    requireOwned(kind, name, owner);
    return logs(kind, name, offset, limit);
  }

  private void requireOwned(String kind, String name, String owner) {
    Job j = live.get(key(kind, name));
    String createdBy;
    if (j != null) {
      createdBy = j.createdBy();
    } else {
      JobStore.Row r = ctx.store().get(kind, name);
      createdBy = r == null ? null : r.createdBy();
    }
    if (createdBy == null || !createdBy.equals(owner)) {
      throw ApiException.notFound("no " + kind + " job named '" + name + "'");
    }
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
      return summary(kinds.of(r.kind()), r.name(), j != null ? j.status() : r.status(),
          j != null ? j.secondary() : r.secondary(),
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

  static ObjectNode summary(JobKind<?> kind, String name, String status, String secondary, String type,
      String image, String createdBy, long createdAt, ObjectNode d) {
    ObjectNode s = Json.mapper().createObjectNode();
    s.put("Kind", kind.name());
    s.put("Name", name);
    s.put("Arn", d.path(kind.arnField()).asText());
    s.put("Status", status);
    s.put("SecondaryStatus", secondary);
    s.put("InstanceType", type);
    s.put("Image", image);
    s.put("CreatedBy", createdBy);
    s.put("CreationTime", Instant.ofEpochMilli(createdAt).toString());
    s.put("LastModifiedTime", d.path("LastModifiedTime").asText(null));
    String start = d.path(kind.startField()).asText(null);
    String end = d.path(kind.endField()).asText(null);
    s.put("StartTime", start);
    s.put("EndTime", end);
    Instant from = start != null ? Instant.parse(start) : Instant.ofEpochMilli(createdAt);
    Instant to = end != null ? Instant.parse(end) : Instant.now();
    s.put("DurationSeconds", Math.max(0, Duration.between(from, to).toMillis()) / 1000.0);
    s.put("FailureReason", d.path("FailureReason").asText(null));
    s.put(kind.nameField(), name);
    s.put(kind.statusField(), status);
    s.put(kind.arnField(), s.get("Arn").asText());
    s.put(kind.endField(), end);
    if (d.path(ExperimentConfig.FIELD).isObject()) {
      s.set(ExperimentConfig.FIELD, d.get(ExperimentConfig.FIELD));
    }
    if (d.has(JobTracking.RUN_ID)) {
      s.put(JobTracking.RUN_ID, d.get(JobTracking.RUN_ID).asText());
      s.put(JobTracking.EXPERIMENT_ID, d.path(JobTracking.EXPERIMENT_ID).asText(null));
    }
    kind.summarize(s, d);
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
