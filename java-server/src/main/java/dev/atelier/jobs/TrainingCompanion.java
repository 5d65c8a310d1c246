package dev.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.storage.KeyPolicy;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Work that runs beside a training job and is asked for in its request (the debugger: tensors,
 * rules, the profiler). The jobs capability owns this seam and never sees how the work is done: it
 * lets the companion check the request, add to a new job's description, and follow the job's
 * container from start to end. {@code Main} gives the job service one with
 * {@link JobService#superviseTrainingWith}. Calls may block (files, the engine, the object store).
 */
public interface TrainingCompanion {
  /**
   * A training request as the companion sees it.
   *
   * @param body the request as sent
   * @param outputPath the job's {@code OutputDataConfig.S3OutputPath}
   * @param keys the object store's key policy
   * @param types the instance types there are
   */
  record Request(JsonNode body, String jobName, S3Uri outputPath, KeyPolicy keys, InstanceCatalog types) {}

  /** Checks the fields the companion handles, without side effects; throws a 400 naming the field. */
  void check(Request request);

  /** At creation only: checks that need the engine (images), and what a new job's description starts with. */
  void accept(Request request, ObjectNode description);

  /** The work for a job about to run or picked up again; null when its request asks for none. */
  Session open(Handle job, JsonNode request);

  /** What the companion may do to the job it follows. */
  interface Handle {
    String name();

    /** The verified caller the job belongs to. */
    String owner();

    /** The job's own folder on the host (its log lives there); the companion's files go below it. */
    Path workDir();

    /** The {@code uid:gid} job containers run as. */
    String containerUser();

    /** The label value marking containers as this server's jobs'. */
    String ownerLabel();

    /** Edits the job's description: stored, and published to the panels. */
    void edit(Consumer<ObjectNode> edit);

    /** A line of the job's log, from the server. */
    void note(String line);

    /** Stops the job (SIGTERM, then SIGKILL): it ends Stopped, with {@code reason} as its message. */
    void stop(String reason);
  }

  /** The companion's part in one run of a training job. */
  interface Session {
    /** Writes the companion's files into the container's {@code /opt/ml/input/config}. */
    void prepare(Path configDir) throws IOException;

    /** Host folder to container path, as in {@link dev.atelier.runtime.BatchRuntime.Spec#binds()}. */
    Map<String, String> binds();

    /** The training container runs: newly started, or found running by a restarted server. */
    void started(String containerId);

    /** The training container has exited; returns once what the job's outputs include is uploaded. */
    void exited();

    /** The job has ended, however it ended (also before its container ran); never throws. */
    void ended();

    /** The server is stopping: stop following, leave containers for the next server. */
    void detach();
  }
}
