package dev.atelier.jobs;

import dev.atelier.runtime.BatchRuntime;
import dev.atelier.storage.ObjectStore;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What every job run uses: the store, objects, the engine, where work folders live, and the
 * timings of the contract.
 *
 * @param owner the owner label on job containers (the server's user)
 * @param user the user containers run as ({@code uid:gid}), so files they write belong to the server's user
 * @param stopGrace SIGTERM to SIGKILL (SageMaker: 120 s)
 * @param downloadRetry how long staging waits for an unreachable object store before the job fails
 * @param uploadRetry how long uploading waits for an unreachable object store before the job fails
 * @param apiUrl where containers reach Atelier's API ({@code http://127.0.0.1:PORT/atelier/api/}), null
 *     before the server listens
 * @param tracking each job's run: what its container gets to log to it
 * @param companion what runs beside training jobs (the debugger), once given one
 */
record JobContext(
    JobStore store,
    ObjectStore objects,
    BatchRuntime containers,
    Path dataDir,
    String owner,
    String user,
    String region,
    Duration stopGrace,
    Duration downloadRetry,
    Duration uploadRetry,
    java.util.function.Supplier<String> apiUrl,
    JobTracking tracking,
    java.util.concurrent.atomic.AtomicReference<TrainingCompanion> companion) {
  /** Not the instances' owner label: a restarted server adopts or removes instance containers by that one. */
  static final String LABEL_OWNER = "dev.atelier.job-owner";
  /** {@code kind/name} of the job a container runs. */
  static final String LABEL_JOB = "dev.atelier.job";

  /**
   * The MLflow client's variables for a job container, so an MLflow call in the job logs to the
   * job's run on this server, with a token that reaches that run only.
   */
  java.util.Map<String, String> trackingEnvironment(Job job) {
    return tracking.environment(job, apiUrl.get());
  }

  Path workDir(String kind, String name) {
    return dataDir.resolve("jobs").resolve(kind).resolve(name);
  }

  String arn(String kind, String name) {
    return "arn:atelier:sagemaker:" + region + ":000000000000:" + kind + "-job/" + name.toLowerCase(java.util.Locale.ROOT);
  }
}
