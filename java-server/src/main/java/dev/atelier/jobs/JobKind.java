package dev.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.catalog.InstanceType;
import dev.atelier.storage.KeyPolicy;
import java.nio.file.Path;

/**
 * One kind of job (training, processing; tuning and monitoring schedules later): what the generic
 * service, routes, descriptions and summaries need to know of it. SageMaker names a kind's fields
 * after it ({@code TrainingJobArn}, {@code ProcessingStartTime}); {@link #noun} gives that name.
 * A new kind is one of these, its run class, and one entry in {@link JobKinds#standard()}.
 *
 * @param <S> the kind's validated request
 */
public interface JobKind<S extends JobKind.Request> {
  /** What the generic code needs of every kind's validated request. */
  interface Request {
    String name();

    String image();

    InstanceType instanceType();
  }

  /**
   * What parsing a request may consult.
   *
   * @param companion what runs beside training jobs and checks its part of their requests (null: none)
   */
  record Parsing(InstanceCatalog types, Path rootDir, KeyPolicy keys, TrainingCompanion companion) {}

  /** What is stored and run for an accepted request. */
  record Accepted<S>(S spec, ObjectNode request) {}

  /** The kind as stored and as the {@code kind} query parameter names it ({@code training}). */
  String name();

  /** The word SageMaker's field names start with ({@code Training}). */
  String noun();

  /** The collection under {@code {base}atelier/api/} ({@code training-jobs}). */
  String path();

  /** The request field that names the image, for errors about it. */
  String imageField();

  /** The first transition's message. */
  String startingMessage();

  /** Whether the kind has metrics parsed from its log ({@code /metrics}). */
  default boolean hasMetrics() {
    return false;
  }

  /** Validates a request, naming the field at fault; nothing is stored yet. */
  S parse(JsonNode body, Parsing parsing);

  /** Turns a valid request into what is stored and run (script mode packs its source into {@code workDir}). */
  default Accepted<S> accept(S spec, ObjectNode request, Path workDir, Parsing parsing) {
    return new Accepted<>(spec, request);
  }

  /** Adds the kind's own fields to a new job's description. */
  default void describeNew(ObjectNode description, S spec, JsonNode body) {}

  /** {@link #describeNew(ObjectNode, Request, JsonNode)} with what parsing consulted; called once, at creation. */
  default void describeNew(ObjectNode description, S spec, JsonNode body, Parsing parsing) {
    describeNew(description, spec, body);
  }

  /**
   * What the job's experiment run records of it: source ({@code TRAINING_JOB}), default experiment
   * (the kind's collection, {@code training-jobs}), params, inputs and tags.
   */
  default JobTracking.Plan tracking(S spec) {
    return new JobTracking.Plan(noun().toUpperCase(java.util.Locale.ROOT) + "_JOB", path(), java.util.Map.of(),
        java.util.List.of(), java.util.Map.of());
  }

  /** The run that takes the job from Starting to its end. */
  JobRun run(Job job, JobContext ctx, S spec, ObjectNode request);

  /** Adds the kind's own fields to a summary. */
  default void summarize(ObjectNode summary, ObjectNode description) {}

  /** Adds what the kind reports when a job ends (training's billable seconds). */
  default void finished(ObjectNode description, java.time.Instant started, java.time.Instant ended) {}

  default String arnField() {
    return noun() + "JobArn";
  }

  default String statusField() {
    return noun() + "JobStatus";
  }

  default String nameField() {
    return noun() + "JobName";
  }

  default String startField() {
    return noun() + "StartTime";
  }

  default String endField() {
    return noun() + "EndTime";
  }

  /** The list field of {@code GET {path}} ({@code TrainingJobSummaries}). */
  default String summariesField() {
    return noun() + "JobSummaries";
  }
}
