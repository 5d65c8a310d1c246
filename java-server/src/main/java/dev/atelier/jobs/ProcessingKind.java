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

  @Override
  public JobRun run(Job job, JobContext ctx, ProcessingJobSpec spec, ObjectNode request) {
    return new ProcessingRun(job, ctx, spec, request);
  }
}
