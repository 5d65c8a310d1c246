package dev.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** Training jobs (CreateTrainingJob), script mode included. */
final class TrainingKind implements JobKind<TrainingJobSpec> {
  /** The largest SourceDir packed for script mode. */
  static final long MAX_SOURCE_BYTES = 256L << 20;

  @Override
  public String name() {
    return Job.TRAINING;
  }

  @Override
  public String noun() {
    return "Training";
  }

  @Override
  public String path() {
    return "training-jobs";
  }

  @Override
  public String imageField() {
    return "AlgorithmSpecification.TrainingImage";
  }

  @Override
  public String startingMessage() {
    return "Preparing the instances for training";
  }

  @Override
  public boolean hasMetrics() {
    return true;
  }

  @Override
  public TrainingJobSpec parse(JsonNode body, Parsing parsing) {
    TrainingJobSpec spec = TrainingJobSpec.parse(body, parsing.types(), parsing.rootDir(), parsing.keys());
    if (parsing.companion() != null) {
      parsing.companion().check(companionRequest(body, spec, parsing));
    }
    return spec;
  }

  private static TrainingCompanion.Request companionRequest(JsonNode body, TrainingJobSpec spec, Parsing parsing) {
    return new TrainingCompanion.Request(body, spec.name(), spec.outputPath(), parsing.keys(), parsing.types());
  }

  @Override
  public void describeNew(ObjectNode d, TrainingJobSpec spec, JsonNode body, Parsing parsing) {
    describeNew(d, spec, body);
    if (parsing.companion() != null) {
      parsing.companion().accept(companionRequest(body, spec, parsing), d);
    }
  }

  /**
   * Script mode: the source is packed now and the job runs as the SDK's framework jobs do, with
   * {@code sagemaker_program} and {@code sagemaker_submit_directory} among its hyperparameters; the
   * stored request is what SageMaker would have been sent.
   */
  @Override
  public Accepted<TrainingJobSpec> accept(TrainingJobSpec spec, ObjectNode request, Path workDir, Parsing parsing) {
    if (spec.scriptMode() == null) {
      return new Accepted<>(spec, request);
    }
    request.remove("ScriptMode");
    ObjectNode hps = request.withObject("HyperParameters");
    S3Uri source = spec.outputPath().child(spec.name() + "/source/" + TrainingRun.SOURCE_ARCHIVE);
    hps.put("sagemaker_program", spec.scriptMode().entryPoint());
    hps.put("sagemaker_submit_directory", source.toString());
    packSource(spec.scriptMode(), workDir.resolve(TrainingRun.SOURCE_ARCHIVE));
    // The rewritten request is checked as any other (its hyperparameters' limits included).
    return new Accepted<>(parse(request, parsing), request);
  }

  @Override
  public void describeNew(ObjectNode d, TrainingJobSpec spec, JsonNode body) {
    d.withObject("ResourceConfig").put("InstanceCount", 1);
    if (body.has("ScriptMode")) {
      ObjectNode sm = d.putObject("ScriptMode");
      sm.put("EntryPoint", spec.scriptMode() == null ? body.path("ScriptMode").path("EntryPoint").asText()
          : spec.scriptMode().entryPoint());
      if (body.path("ScriptMode").has("SourceDir")) {
        sm.put("SourceDir", body.path("ScriptMode").path("SourceDir").asText());
      }
    }
  }

  /** Hyperparameters as parameters (as sent), channels as inputs, the output path as a tag. */
  @Override
  public JobTracking.Plan tracking(TrainingJobSpec spec) {
    java.util.List<dev.atelier.http.RunTracker.Input> inputs = new java.util.ArrayList<>();
    java.util.Map<String, String> tags = new java.util.LinkedHashMap<>();
    for (TrainingJobSpec.Channel c : spec.channels()) {
      inputs.add(new dev.atelier.http.RunTracker.Input(c.name(), c.uri().toString()));
      tags.put("atelier.input." + c.name(), c.uri().toString());
    }
    tags.put("atelier.output.path", spec.outputPath().child(spec.name()).toString());
    tags.put("atelier.job.image", spec.image());
    tags.put("atelier.job.instance_type", spec.instanceType().name());
    return new JobTracking.Plan("TRAINING_JOB", "training-jobs", spec.hyperParameters(), inputs, tags);
  }

  @Override
  public JobRun run(Job job, JobContext ctx, TrainingJobSpec spec, ObjectNode request) {
    return new TrainingRun(job, ctx, spec, request);
  }

  @Override
  public void summarize(ObjectNode s, ObjectNode d) {
    s.put("LastModifiedTime", d.path("LastModifiedTime").asText(null));
  }

  @Override
  public void finished(ObjectNode d, Instant started, Instant ended) {
    if (started != null) {
      long secs = Duration.between(started, ended).toSeconds();
      d.put("TrainingTimeInSeconds", secs);
      d.put("BillableTimeInSeconds", secs);
    }
  }

  private static void packSource(TrainingJobSpec.ScriptMode sm, Path target) {
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
}
