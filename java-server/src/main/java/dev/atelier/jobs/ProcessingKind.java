package dev.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Processing jobs (CreateProcessingJob). */
final class ProcessingKind implements JobKind<ProcessingJobSpec> {
  @Override
  public String name() {
    return Job.PROCESSING;
  }

  @Override
  public String noun() {
    return "Processing";
  }

  @Override
  public String path() {
    return "processing-jobs";
  }

  @Override
  public String imageField() {
    return "AppSpecification.ImageUri";
  }

  @Override
  public String startingMessage() {
    return "Preparing the instance for processing";
  }

  @Override
  public ProcessingJobSpec parse(JsonNode body, Parsing parsing) {
    return ProcessingJobSpec.parse(body, parsing.types(), parsing.keys());
  }

  @Override
  public void describeNew(ObjectNode d, ProcessingJobSpec spec, JsonNode body) {
    d.withObject("StoppingCondition").put("MaxRuntimeInSeconds", spec.maxRuntimeSeconds());
  }

  /** Inputs as inputs, outputs as tags with their S3 URIs; a processing job has no hyperparameters. */
  @Override
  public JobTracking.Plan tracking(ProcessingJobSpec spec) {
    java.util.List<dev.atelier.http.RunTracker.Input> inputs = new java.util.ArrayList<>();
    java.util.Map<String, String> tags = new java.util.LinkedHashMap<>();
    for (ProcessingJobSpec.Mount m : spec.inputs()) {
      inputs.add(new dev.atelier.http.RunTracker.Input(m.name(), m.uri().toString()));
      tags.put("atelier.input." + m.name(), m.uri().toString());
    }
    for (ProcessingJobSpec.Mount m : spec.outputs()) {
      tags.put("atelier.output." + m.name(), m.uri().toString());
    }
    tags.put("atelier.job.image", spec.image());
    tags.put("atelier.job.instance_type", spec.instanceType().name());
    return new JobTracking.Plan("PROCESSING_JOB", "processing-jobs", java.util.Map.of(), inputs, tags);
  }

  @Override
  public JobRun run(Job job, JobContext ctx, ProcessingJobSpec spec, ObjectNode request) {
    return new ProcessingRun(job, ctx, spec, request);
  }
}
