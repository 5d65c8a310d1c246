package dev.atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.http.RunTracker;
import dev.atelier.storage.Database;
import dev.atelier.support.StoreBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job side of tracking over a tracker that records calls (pure logic): a run per job, ended
 * once with the job's status as MLflow names it, and a tracker that fails never stops the job.
 */
class JobTrackingTest {
  @TempDir Path dir;

  private static final class Recorder implements RunTracker {
    final List<String> calls = new ArrayList<>();
    boolean failing;

    @Override
    public Started start(Start s) {
      if (failing) {
        throw new IllegalStateException("the run store did not answer within 30 s");
      }
      calls.add("start " + s.experimentName() + " " + s.runName() + " " + s.trialName() + " " + s.owner() + " "
          + s.sourceType() + " " + s.params());
      return new Started("run-1", "4", "tok");
    }

    @Override
    public String token(String experimentId, String runId) {
      return "tok";
    }

    @Override
    public void log(String runId, String owner, List<Point> points, Map<String, String> tags) {
      if (failing) {
        throw new IllegalStateException("database is locked");
      }
      calls.add("log " + runId + " " + points);
    }

    @Override
    public void status(String runId, String status) {
      calls.add("status " + runId + " " + status);
    }

    @Override
    public void end(String runId, String status, long endMillis) {
      calls.add("end " + runId + " " + status);
    }
  }

  private Job job(JobStore store, String name) {
    JobStore.Row row = JobStoreTest.row("training", name, 1_000, "InProgress");
    store.insert(row);
    return new Job(new TrainingKind(), row, new JobLog(dir.resolve(name + ".log")), store, Clock.systemUTC(), j -> {});
  }

  private static JobTracking.Plan plan() {
    return new JobTracking.Plan("TRAINING_JOB", "training-jobs", Map.of("epochs", "3"), List.of(), Map.of());
  }

  @Test
  void aJobIsARunEndedOnceWithItsStatus() {
    try (StoreBackend backend = new StoreBackend.Sqlite(); Database db = backend.open()) {
      Recorder r = new Recorder();
      JobTracking tracking = new JobTracking();
      tracking.use(r);
      Job job = job(new JobStore(db), "j1");
      tracking.start(job, plan(), new ExperimentConfig("exp", "t1", null, null));
      assertThat(job.describe().path("RunId").asText()).isEqualTo("run-1");
      assertThat(job.describe().path("ExperimentId").asText()).isEqualTo("4");
      tracking.changed(job, new TrainingKind());
      job.started(java.time.Instant.ofEpochMilli(1_500), "Training", "Training in progress");
      tracking.changed(job, new TrainingKind());
      tracking.metrics(job, List.of(new RunTracker.Point("loss", 0.5, 2_000, 0)));
      tracking.changed(job, new TrainingKind());
      job.finish("Stopped", "Stopped", "Stopped by request", null);
      tracking.changed(job, new TrainingKind());
      tracking.changed(job, new TrainingKind());
      assertThat(r.calls).containsExactly("start exp j1 t1 ada TRAINING_JOB {epochs=3}",
          "status run-1 SCHEDULED", "status run-1 RUNNING", "log run-1 [Point[key=loss, value=0.5, timestampMillis=2000, step=0]]", "end run-1 KILLED");
    }
  }

  @Test
  void aTrackerThatFailsLeavesTheJobWithoutARunSayingWhy() {
    try (StoreBackend backend = new StoreBackend.Sqlite(); Database db = backend.open()) {
      Recorder r = new Recorder();
      r.failing = true;
      JobTracking tracking = new JobTracking();
      tracking.use(r);
      Job job = job(new JobStore(db), "j2");
      tracking.start(job, plan(), ExperimentConfig.NONE);
      assertThat(job.describe().has("RunId")).isFalse();
      assertThat(job.describe().path("TrackingFailureReason").asText())
          .isEqualTo("the job's run could not be created: the run store did not answer within 30 s");
      assertThat(tracking.environment(job, "http://127.0.0.1:8890/atelier/api/")).isEmpty();
      assertThat(job.log().read(0, 100).events()).anyMatch(e -> e.path("message").asText()
          .equals("[atelier] experiment tracking: the job's run could not be created: the run store did not answer"
              + " within 30 s"));
      job.finish("Completed", "Completed", "Job completed", null);
      tracking.changed(job, new TrainingKind());
      assertThat(job.status()).isEqualTo("Completed");
      assertThat(r.calls).isEmpty();
    }
  }
}
