package dev.atelier.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.experiments.Model.Point;
import dev.atelier.experiments.Model.Run;
import dev.atelier.experiments.Model.Summary;
import dev.atelier.http.ApiException;
import dev.atelier.storage.Database;
import dev.atelier.support.StoreBackend;
import dev.atelier.support.StoreTest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Experiments, runs and what they log, through the service, on SQLite and PostgreSQL. */
class ExperimentStoreTest {
  static ExperimentService service(Database db) {
    return new ExperimentService(db, "ada", Clock.systemUTC());
  }

  static void log(ExperimentService s, String runId, List<Point> metrics, List<Map.Entry<String, String>> params,
      Map<String, String> tags) {
    try {
      s.log(runId, metrics, params, tags, List.of(), List.of()).get();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw (RuntimeException) e.getCause();
    }
  }

  static String code(Throwable e) {
    return ((ApiException) e).errorCode();
  }

  @StoreTest
  void theDefaultExperimentExistsAndNamesAreUnique(StoreBackend backend) {
    try (Database db = backend.open(); ExperimentService s = service(db)) {
      assertThat(s.experiment("0").name()).isEqualTo("Default");
      long id = s.createExperiment("iris", null, Map.of("team", "ml"));
      assertThat(id).isEqualTo(1);
      assertThat(s.experimentByName("iris").artifactLocation()).isEqualTo("mlflow-artifacts:/1");
      assertThat(s.experiment("1").tags()).containsEntry("team", "ml");
      assertThatThrownBy(() -> s.createExperiment("iris", null, Map.of()))
          .satisfies(e -> assertThat(code(e)).isEqualTo("RESOURCE_ALREADY_EXISTS"));
      assertThatThrownBy(() -> s.experiment("99")).satisfies(e -> assertThat(code(e)).isEqualTo("RESOURCE_DOES_NOT_EXIST"));
      assertThatThrownBy(() -> s.deleteExperiment("0")).satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_PARAMETER_VALUE"));
      s.createExperiment("wine", null, Map.of());
      assertThat(s.searchExperiments(null, "name LIKE 'i%'", List.of(), null, null).items())
          .extracting(Model.Experiment::name).containsExactly("iris");
      assertThat(s.searchExperiments(null, "tags.team = 'ml'", List.of(), null, null).items()).hasSize(1);
      s.deleteExperiment("2");
      assertThat(s.searchExperiments(null, null, List.of("name ASC"), null, null).items())
          .extracting(Model.Experiment::name).containsExactly("Default", "iris");
      assertThat(s.searchExperiments("DELETED_ONLY", null, List.of(), null, null).items())
          .extracting(Model.Experiment::name).containsExactly("wine");
      s.restoreExperiment("2");
      var first = s.searchExperiments(null, null, List.of("name ASC"), 2L, null);
      assertThat(first.items()).extracting(Model.Experiment::name).containsExactly("Default", "iris");
      assertThat(s.searchExperiments(null, null, List.of("name ASC"), 2L, first.nextPageToken()).items())
          .extracting(Model.Experiment::name).containsExactly("wine");
    }
    try (Database db = backend.open(); ExperimentService s = service(db)) {
      assertThat(s.createExperiment("after-reopen", null, Map.of())).isEqualTo(3);
    }
  }

  @StoreTest
  void aRunKeepsParamsTagsAndMetricSummariesWithNanAndInfinities(StoreBackend backend) {
    try (Database db = backend.open(); ExperimentService s = service(db)) {
      Run created = s.createRun("0", null, null, 1_000L, Map.of("team", "ml"), "train.ipynb", null);
      String id = created.info().runId();
      assertThat(created.info().name()).matches("[a-z]+-[a-z]+-\\d+");
      assertThat(created.tags()).containsEntry(Model.RUN_NAME_TAG, created.info().name());
      assertThat(created.info().artifactUri()).isEqualTo("mlflow-artifacts:/0/" + id + "/artifacts");
      log(s, id, List.of(new Point("loss", 3, 10, 0), new Point("loss", 1, 11, 1), new Point("loss", 2, 12, 2),
          new Point("loss", Double.NaN, 9, 0), new Point("odd", Double.POSITIVE_INFINITY, 10, 0)),
          List.of(Map.entry("lr", "0.1")), Map.of("stage", "dev"));
      log(s, id, List.of(new Point("odd", Double.NEGATIVE_INFINITY, 11, 1)), List.of(Map.entry("lr", "0.1")), Map.of());
      Run r = s.run(id);
      assertThat(r.params()).containsExactly(Map.entry("lr", "0.1"));
      assertThat(r.tags()).containsEntry("stage", "dev").containsEntry("team", "ml");
      Summary loss = r.metrics().stream().filter(m -> m.key().equals("loss")).findFirst().orElseThrow();
      assertThat(loss.last()).isEqualTo(2);
      assertThat(loss.lastStep()).isEqualTo(2);
      assertThat(loss.min()).isEqualTo(1);
      assertThat(loss.max()).isEqualTo(3);
      assertThat(loss.count()).isEqualTo(3);
      Summary odd = r.metrics().stream().filter(m -> m.key().equals("odd")).findFirst().orElseThrow();
      assertThat(odd.last()).isEqualTo(Double.NEGATIVE_INFINITY);
      assertThat(odd.max()).isEqualTo(Double.POSITIVE_INFINITY);
      List<Point> history = s.history(id, "loss", null, null).items();
      assertThat(history).extracting(Point::step).containsExactly(0L, 0L, 1L, 2L);
      assertThat(history.get(0).value()).isNaN();
      var page = s.history(id, "loss", 3L, null);
      assertThat(page.items()).hasSize(3);
      assertThat(s.history(id, "loss", 3L, page.nextPageToken()).items()).extracting(Point::value).containsExactly(2.0);
    }
  }

  @StoreTest
  void theDatabaseReportsEachMetricsSummaryWithMeanAndDeviation(StoreBackend backend) {
    try (Database db = backend.open(); ExperimentService s = service(db)) {
      String a = s.createRun("0", null, null, 1_000L, Map.of(), null, null).info().runId();
      String b = s.createRun("0", null, null, 1_000L, Map.of(), null, null).info().runId();
      String empty = s.createRun("0", null, null, 1_000L, Map.of(), null, null).info().runId();
      // Two batches: the sums the second folds in must give the same figures as one batch.
      log(s, a, List.of(new Point("loss", 3, 10, 0), new Point("loss", Double.NaN, 9, 0),
          new Point("odd", Double.POSITIVE_INFINITY, 10, 0), new Point("nan", Double.NaN, 10, 0)), List.of(), Map.of());
      log(s, a, List.of(new Point("loss", 1, 11, 1), new Point("loss", 2, 12, 2), new Point("odd", 1, 11, 1)),
          List.of(), Map.of());
      log(s, b, List.of(new Point("loss", 5, 10, 0), new Point("loss", 5, 11, 1), new Point("acc", 0.5, 10, 0)),
          List.of(), Map.of());
      var all = s.metricSummaries(List.of(b, a, empty), List.of());
      assertThat(all.keySet()).containsExactly(b, a, empty);
      assertThat(all.get(empty)).isEmpty();
      assertThat(all.get(a)).extracting(Model.MetricStats::key).containsExactly("loss", "nan", "odd");
      Model.MetricStats loss = all.get(a).get(0);
      assertThat(loss).isEqualTo(new Model.MetricStats("loss", 2, 2, 12, 1.0, 3.0, 3, 2.0, loss.stddev()));
      assertThat(loss.stddev()).isCloseTo(Math.sqrt(2.0 / 3), org.assertj.core.data.Offset.offset(1e-9));
      // Only NaN: no aggregates. An infinity: min and max as they are, mean and deviation undefined.
      assertThat(all.get(a).get(1)).isEqualTo(new Model.MetricStats("nan", Double.NaN, 0, 10, null, null, 0, null,
          null));
      assertThat(all.get(a).get(2)).isEqualTo(new Model.MetricStats("odd", 1, 1, 11, 1.0, Double.POSITIVE_INFINITY, 2,
          Double.POSITIVE_INFINITY, null));
      // A constant series has no deviation: 0, not a rounding error below it.
      assertThat(all.get(b).get(1)).isEqualTo(new Model.MetricStats("loss", 5, 1, 11, 5.0, 5.0, 2, 5.0, 0.0));
      assertThat(s.metricSummaries(List.of(a, b), List.of("acc", "loss")).values())
          .containsExactly(List.of(loss), List.of(all.get(b).get(0), all.get(b).get(1)));
      assertThatThrownBy(() -> s.metricSummaries(List.of(a, "no-such-run"), List.of()))
          .satisfies(e -> assertThat(code(e)).isEqualTo("RESOURCE_DOES_NOT_EXIST"))
          .hasMessageContaining("no-such-run");
    }
  }

  @StoreTest
  void aChangedParamRefusesTheWholeBatchAndADeletedRunTakesNoLogging(StoreBackend backend) {
    try (Database db = backend.open(); ExperimentService s = service(db)) {
      String id = s.createRun("0", null, "r", null, Map.of(), null, null).info().runId();
      log(s, id, List.of(), List.of(Map.entry("lr", "0.1")), Map.of());
      assertThatThrownBy(() -> log(s, id, List.of(new Point("loss", 1, 1, 0)), List.of(Map.entry("lr", "0.2")),
          Map.of("t", "v"))).satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_PARAMETER_VALUE"))
          .hasMessageContaining("Changing param values is not allowed");
      Run r = s.run(id);
      assertThat(r.params()).containsExactly(Map.entry("lr", "0.1"));
      assertThat(r.metrics()).isEmpty();
      assertThat(r.tags()).doesNotContainKey("t");
      assertThatThrownBy(() -> log(s, id, List.of(), List.of(Map.entry("a", "1"), Map.entry("a", "2")), Map.of()))
          .hasMessageContaining("Duplicate parameter keys");
      List<Point> tooMany = new ArrayList<>();
      for (int i = 0; i <= 1000; i++) {
        tooMany.add(new Point("m", i, i, i));
      }
      assertThatThrownBy(() -> log(s, id, tooMany, List.of(), Map.of())).hasMessageContaining("at most 1000 metrics");
      assertThatThrownBy(() -> log(s, "0123456789abcdef0123456789abcdef", List.of(new Point("m", 1, 1, 1)), List.of(),
          Map.of())).satisfies(e -> assertThat(code(e)).isEqualTo("RESOURCE_DOES_NOT_EXIST"));
      s.deleteRun(id);
      assertThatThrownBy(() -> log(s, id, List.of(new Point("m", 1, 1, 1)), List.of(), Map.of()))
          .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_PARAMETER_VALUE"))
          .hasMessageContaining("must be in the 'active' state");
      s.restoreRun(id);
      log(s, id, List.of(new Point("m", 1, 1, 1)), List.of(), Map.of());
      assertThat(s.run(id).metrics()).hasSize(1);
    }
  }

  @StoreTest
  void searchFiltersByMetricParamTagAndAttributesAndOrdersByAMetric(StoreBackend backend) {
    try (Database db = backend.open(); ExperimentService s = service(db)) {
      long exp = s.createExperiment("grid", null, Map.of());
      for (int i = 0; i < 20; i++) {
        String id = s.createRun(Long.toString(exp), null, "run-" + i, 1_000L + i, Map.of(), null, null).info().runId();
        log(s, id, List.of(new Point("acc", i / 20.0, 1, 0), new Point("loss", 20 - i, 1, 0)),
            List.of(Map.entry("model", i % 2 == 0 ? "Tree" : "linear")), Map.of("parity", i % 2 == 0 ? "even" : "odd"));
        if (i == 19) {
          s.updateRun(id, "FAILED", 5_000L, null);
        }
      }
      List<String> e = List.of(Long.toString(exp));
      var page = s.searchRuns(e, "metrics.acc >= 0.5 AND params.model = 'Tree'", null, null,
          List.of("metrics.loss ASC"), null);
      assertThat(page.items()).extracting(r -> r.info().name())
          .containsExactly("run-18", "run-16", "run-14", "run-12", "run-10");
      assertThat(s.searchRuns(e, "params.model LIKE 'tree'", null, null, List.of(), null).items()).isEmpty();
      assertThat(s.searchRuns(e, "params.model ILIKE 'tree'", null, null, List.of(), null).items()).hasSize(10);
      assertThat(s.searchRuns(e, "tags.parity = 'odd' AND attributes.status = 'FAILED'", null, null, List.of(), null)
          .items()).extracting(r -> r.info().name()).containsExactly("run-19");
      assertThat(s.searchRuns(e, "run_name IN ('run-3', 'run-4')", null, null, List.of("attributes.run_name DESC"),
          null).items()).extracting(r -> r.info().name()).containsExactly("run-4", "run-3");
      assertThat(s.searchRuns(e, "params.missing IS NULL", null, null, List.of(), null).items()).hasSize(20);
      var p1 = s.searchRuns(e, null, null, 15L, List.of("metrics.acc DESC"), null);
      assertThat(p1.items()).hasSize(15);
      var p2 = s.searchRuns(e, null, null, 15L, List.of("metrics.acc DESC"), p1.nextPageToken());
      assertThat(p2.items()).extracting(r -> r.info().name()).containsExactly("run-4", "run-3", "run-2", "run-1", "run-0");
      assertThat(p2.nextPageToken()).isNull();
    }
  }

  @StoreTest
  void theSourceColumnFollowsTheSourceTags(StoreBackend backend) {
    try (Database db = backend.open(); ExperimentService s = service(db)) {
      Map<String, String> notebook = Map.of("atelier.source.type", "NOTEBOOK", "atelier.source.name", "work/a.ipynb");
      String tagged = s.createRun("0", null, "nb", null, notebook, null, null).info().runId();
      assertThat(s.run(tagged).info().source()).isEqualTo("NOTEBOOK:work/a.ipynb");
      String job = s.createRun("0", null, "job", null, Map.of(), "TRAINING_JOB:my-job", null).info().runId();
      log(s, job, List.of(), List.of(), Map.of("stage", "dev"));
      assertThat(s.run(job).info().source()).isEqualTo("TRAINING_JOB:my-job");
      String later = s.createRun("0", null, "later", null, Map.of(), null, null).info().runId();
      assertThat(s.run(later).info().source()).isNull();
      log(s, later, List.of(), List.of(), Map.of("atelier.source.type", "NOTEBOOK"));
      assertThat(s.run(later).info().source()).isEqualTo("NOTEBOOK");
      log(s, later, List.of(), List.of(), Map.of("atelier.source.name", "b.ipynb"));
      assertThat(s.run(later).info().source()).isEqualTo("NOTEBOOK:b.ipynb");
      assertThat(s.searchRuns(List.of("0"), "attributes.source = 'NOTEBOOK:b.ipynb'", null, null, List.of(), null)
          .items()).extracting(r -> r.info().runId()).containsExactly(later);
      assertThat(s.searchRuns(List.of("0"), "attributes.source LIKE 'NOTEBOOK:%'", null, null,
          List.of("attributes.run_name ASC"), null).items()).extracting(r -> r.info().name()).containsExactly("later", "nb");
      s.log(later, List.of(), List.of(), Map.of(), List.of("atelier.source.name"), List.of()).join();
      assertThat(s.run(later).info().source()).isEqualTo("NOTEBOOK");
      s.log(later, List.of(), List.of(), Map.of(), List.of("atelier.source.type"), List.of()).join();
      assertThat(s.run(later).info().source()).isNull();
    }
  }

  @StoreTest
  void eightConcurrentWritersLoseNoPoint(StoreBackend backend) throws Exception {
    int writers = 8;
    int points = 250;
    try (Database db = backend.open(); ExperimentService s = service(db)) {
      String id = s.createRun("0", null, "busy", null, Map.of(), null, null).info().runId();
      List<CompletableFuture<Void>> all = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        threads.add(Thread.ofVirtual().start(() -> {
          for (int i = 0; i < points; i++) {
            CompletableFuture<Void> f = s.log(id, List.of(new Point("w" + writer, i, i, i)), List.of(), Map.of(),
                List.of(), List.of());
            synchronized (all) {
              all.add(f);
            }
          }
        }));
      }
      for (Thread t : threads) {
        t.join();
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
      Run r = s.run(id);
      assertThat(r.metrics()).hasSize(writers);
      for (Summary m : r.metrics()) {
        assertThat(m.count()).as(m.key()).isEqualTo(points);
        assertThat(m.last()).isEqualTo(points - 1);
        assertThat(s.history(id, m.key(), null, null).items()).hasSize(points);
      }
    }
  }
}
