package dev.atelier.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.BatchRuntime;
import dev.atelier.runtime.RuntimeFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A processing job: inputs staged under {@code /opt/ml/processing/}, the image's own entrypoint
 * (or ContainerEntrypoint) run with {@code /opt/ml/config/processingjobconfig.json} and
 * {@code resourceconfig.json}, outputs uploaded from their local paths at the end.
 */
final class ProcessingRun extends JobRun {
  private final ProcessingJobSpec spec;
  private final ObjectNode request;

  ProcessingRun(Job job, JobContext ctx, ProcessingJobSpec spec, ObjectNode request) {
    super(job, ctx);
    this.spec = spec;
    this.request = request;
  }

  private Path root() {
    return work.resolve("ml");
  }

  private Path input(ProcessingJobSpec.Mount m) {
    return root().resolve("processing/input").resolve(m.name());
  }

  private Path output(ProcessingJobSpec.Mount m) {
    return root().resolve("processing/output").resolve(m.name());
  }

  @Override
  void prepare() throws Exception {
    try {
      ctx.containers().requireImage(spec.image());
    } catch (RuntimeFailure e) {
      throw JobFailure.of(e);
    }
    deleteTree(root());
    Files.createDirectories(root().resolve("config"));
    Files.createDirectories(root().resolve("output"));
    job.transition("Downloading", "Downloading input data");
    long total = 0;
    for (ProcessingJobSpec.Mount m : spec.inputs()) {
      String what = "checking input '" + m.name() + "'";
      if (withStore(what, ctx.downloadRetry(), () -> ctx.objects().list(m.uri()).isEmpty())) {
        throw new JobFailure("ClientError: no object at " + m.uri() + " (ProcessingInputs '" + m.name() + "')");
      }
      total += withStore(what, ctx.downloadRetry(), () -> ctx.objects().totalSize(m.uri()));
    }
    AtomicLong done = new AtomicLong();
    long all = total;
    for (ProcessingJobSpec.Mount m : spec.inputs()) {
      checkStop();
      withStore("downloading input '" + m.name() + "'", ctx.downloadRetry(), () -> {
        deleteTree(input(m));
        return ctx.objects().download(m.uri(), input(m), b -> {
          checkStop();
          job.progress("Downloading", done.addAndGet(b), all);
        });
      });
      job.log().note("input '" + m.name() + "' staged from " + m.uri() + " to " + m.localPath());
    }
    for (ProcessingJobSpec.Mount m : spec.outputs()) {
      Files.createDirectories(output(m));
    }
    ObjectNode config = request.deepCopy();
    config.put("ProcessingJobArn", ctx.arn(Job.PROCESSING, spec.name()));
    Files.writeString(root().resolve("config/processingjobconfig.json"), Json.encode(config));
    ObjectNode rc = Json.mapper().createObjectNode();
    rc.put("current_host", "algo-1");
    rc.putArray("hosts").add("algo-1");
    Files.writeString(root().resolve("config/resourceconfig.json"), Json.encode(rc));
  }

  @Override
  BatchRuntime.Spec container() {
    Map<String, String> binds = new LinkedHashMap<>();
    binds.put(root().resolve("config").toString(), "/opt/ml/config");
    binds.put(root().resolve("output").toString(), "/opt/ml/output");
    spec.inputs().forEach(m -> binds.put(input(m).toString(), m.localPath()));
    spec.outputs().forEach(m -> binds.put(output(m).toString(), m.localPath()));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PROCESSING_JOB_NAME", spec.name());
    env.put("HOME", "/tmp");
    env.put("PYTHONUNBUFFERED", "1");
    env.put("TINI_SUBREAPER", "1");
    env.putAll(ctx.trackingEnvironment(job));
    env.putAll(spec.environment());
    Map<String, String> labels = Map.of(JobContext.LABEL_OWNER, ctx.owner(),
        JobContext.LABEL_JOB, Job.PROCESSING + "/" + spec.name());
    return new BatchRuntime.Spec("atelier-processing-" + spec.name(), spec.image(), spec.entrypoint(),
        spec.arguments(), env, labels, binds, spec.instanceType().vcpus(), spec.instanceType().memoryBytes(),
        ctx.user());
  }

  @Override
  Duration maxRuntime() {
    return Duration.ofSeconds(spec.maxRuntimeSeconds());
  }

  @Override
  String failureFile() {
    String m = readReason(root().resolve("output/message"));
    if (m != null) {
      job.edit(d -> d.put("ExitMessage", m));
    }
    return m;
  }

  @Override
  void upload(boolean succeeded) throws Exception {
    long total = 0;
    for (ProcessingJobSpec.Mount m : spec.outputs()) {
      total += sizeOf(output(m));
    }
    AtomicLong done = new AtomicLong();
    long all = total;
    for (ProcessingJobSpec.Mount m : spec.outputs()) {
      withStore("uploading output '" + m.name() + "'", ctx.uploadRetry(), () -> ctx.objects().uploadDirectory(
          output(m), m.uri(), b -> job.progress("Uploading", done.addAndGet(b), all)));
      job.log().note("output '" + m.name() + "' uploaded to " + m.uri());
    }
  }

  @Override
  String runningStatus() {
    return "Processing";
  }

  @Override
  String runningMessage() {
    return "Processing in progress";
  }
}
