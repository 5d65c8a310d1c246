package dev.atelier.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.experiments.Model.Run;
import dev.atelier.http.RunTracker;
import dev.atelier.http.ScopedTokens;
import dev.atelier.storage.Database;
import dev.atelier.support.StoreBackend;
import dev.atelier.support.StoreTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs of jobs in the store, on SQLite and PostgreSQL: owner, source, trial, params, inputs, points, end. */
class TrackedRunsTest {
  private static RunTracker.Start start(String experiment, String job, Map<String, String> params) {
    return new RunTracker.Start(experiment, job, "trial-1", "grace", "TRAINING_JOB", job, 5_000, params,
        Map.of("atelier.input.train", "s3://atelier/data/train/"),
        List.of(new RunTracker.Input("train", "s3://atelier/data/train/")));
  }

  @StoreTest
  void aJobsRunBelongsToItsOwnerWithItsSourceTrialParamsAndInputs(StoreBackend backend) {
    try (Database db = backend.open(); ExperimentService service = new ExperimentService(db, "server", java.time.Clock.systemUTC())) {
      ScopedTokens tokens = new ScopedTokens("t");
      TrackedRuns tracked = new TrackedRuns(service, tokens);
      Map<String, String> params = new LinkedHashMap<>();
      params.put("epochs", "3");
      params.put("not allowed!", "x");
      RunTracker.Started s = tracked.start(start("jobs-exp", "job-a", params));
      RunTracker.Started again = tracked.start(start("jobs-exp", "job-b", Map.of()));
      assertThat(again.experimentId()).as("the experiment is created once").isEqualTo(s.experimentId());
      assertThat(tokens.verify(s.token())).isEqualTo(RunScope.of(s.experimentId(), s.runId()));

      Run run = service.run(s.runId());
      assertThat(run.info().owner()).isEqualTo("grace");
      assertThat(run.info().userId()).isEqualTo("grace");
      assertThat(run.info().source()).isEqualTo("TRAINING_JOB:job-a");
      assertThat(run.info().trialName()).isEqualTo("trial-1");
      assertThat(run.info().name()).isEqualTo("job-a");
      assertThat(run.info().startTime()).isEqualTo(5_000L);
      assertThat(run.params()).containsExactly(Map.entry("epochs", "3"));
      assertThat(run.tags()).containsEntry("atelier.params.skipped", "not allowed!")
          .containsEntry("atelier.source.type", "TRAINING_JOB").containsEntry("atelier.source.name", "job-a")
          .containsEntry("mlflow.source.type", "JOB").containsEntry("mlflow.source.name", "job-a")
          .containsEntry("atelier.input.train", "s3://atelier/data/train/");
      assertThat(run.inputs()).extracting(Model.DatasetInput::name, Model.DatasetInput::sourceType)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("train", "s3"));

      tracked.log(s.runId(), "grace", List.of(new RunTracker.Point("loss", 0.5, 6_000, 0),
          new RunTracker.Point("loss", 0.25, 7_000, 1)), Map.of("atelier.output.model", "s3://atelier/m.tar.gz"));
      tracked.end(s.runId(), "KILLED", 8_000);
      run = service.run(s.runId());
      assertThat(run.info().status()).isEqualTo("KILLED");
      assertThat(run.info().endTime()).isEqualTo(8_000L);
      assertThat(run.tags()).containsEntry("atelier.output.model", "s3://atelier/m.tar.gz");
      assertThat(service.history(s.runId(), "loss", null, null).items())
          .extracting(Model.Point::step, Model.Point::value).containsExactly(
              org.assertj.core.groups.Tuple.tuple(0L, 0.5), org.assertj.core.groups.Tuple.tuple(1L, 0.25));
    }
  }
}
