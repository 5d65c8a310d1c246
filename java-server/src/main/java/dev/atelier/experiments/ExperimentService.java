package dev.atelier.experiments;

import dev.atelier.experiments.Model.Experiment;
import dev.atelier.experiments.Model.Point;
import dev.atelier.experiments.Model.Run;
import dev.atelier.experiments.Model.RunInfo;
import dev.atelier.experiments.SearchFilter.Order;
import dev.atelier.storage.Database;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Experiments and runs as MLflow's tracking server keeps them: its defaults (the Default
 * experiment 0, a generated run name), its rules (a deleted run takes no more logging) and its
 * paging. Blocking: called from worker threads, except {@link #log}, which returns a future.
 */
public final class ExperimentService implements AutoCloseable {
  private static final Set<String> STATUSES = Set.of("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED");

  /** One page of a search and the token of the next, or null at the end. */
  public record Page<T>(List<T> items, String nextPageToken) {}

  private final Database db;
  private final ExperimentStore experiments;
  private final RunStore runs;
  private final LogWriter writer;
  private final String owner;
  private final Clock clock;
  /** Told the id of each run created, updated, deleted, restored or logged to (any thread). */
  private volatile Consumer<String> runChanged = id -> {};
  /** Told the id of each experiment created, changed, or whose run count may have changed. */
  private volatile LongConsumer experimentChanged = id -> {};

  public ExperimentService(Database db, String owner, Clock clock) {
    this.db = db;
    this.experiments = new ExperimentStore(db);
    this.runs = new RunStore(db);
    this.writer = new LogWriter(db);
    this.owner = owner;
    this.clock = clock;
    experiments.ensureDefault(owner, clock.millis());
  }

  /** Where changes are reported (the event stream's frames); one listener of each. */
  public void onChange(Consumer<String> runs, LongConsumer experiments) {
    this.runChanged = runs;
    this.experimentChanged = experiments;
  }

  /** Active runs per experiment id; experiments without runs are absent. */
  public Map<Long, Long> runCounts() {
    return runs.counts();
  }

  /** Active runs of one experiment. */
  public long runCount(long experimentId) {
    return runs.count(experimentId);
  }

  // ---- experiments

  public long createExperiment(String name, String artifactLocation, Map<String, String> tags) {
    Rules.experimentName(name);
    tags.forEach(Rules::tag);
    long id = experiments.create(name, artifactLocation, owner, clock.millis(), tags);
    experimentChanged.accept(id);
    return id;
  }

  public Experiment experiment(String id) {
    Experiment e = experiments.get(experimentId(id));
    if (e == null) {
      throw MlflowErrors.noExperiment(id);
    }
    return e;
  }

  /** The active experiment of that name, created for {@code expOwner} when there is none. */
  Experiment experimentNamed(String name, String expOwner) {
    Rules.experimentName(name);
    Experiment e = experiments.byName(name);
    if (e == null) {
      try {
        experiments.create(name, null, expOwner, clock.millis(), Map.of());
      } catch (dev.atelier.http.ApiException ex) {
        if (!MlflowErrors.RESOURCE_ALREADY_EXISTS.equals(ex.errorCode())) {
          throw ex;
        }
        // created by a concurrent caller in the meantime
      }
      e = experimentByName(name);
    }
    return e;
  }

  public Experiment experimentByName(String name) {
    Experiment e = experiments.byName(name);
    if (e == null) {
      throw MlflowErrors.notFound("Could not find experiment with name '" + name + "'");
    }
    return e;
  }

  public void renameExperiment(String id, String newName) {
    Rules.experimentName(newName);
    Experiment e = experiment(id);
    if (!Model.ACTIVE.equals(e.lifecycleStage())) {
      throw MlflowErrors.invalid("Cannot rename a non-active experiment.");
    }
    experiments.rename(e.id(), newName, clock.millis());
    experimentChanged.accept(e.id());
  }

  public void deleteExperiment(String id) {
    Experiment e = experiment(id);
    if (e.id() == 0) {
      throw MlflowErrors.invalid("Cannot delete the default experiment '0'. This is an internally reserved"
          + " experiment.");
    }
    experiments.setStage(e.id(), Model.DELETED, clock.millis());
    experimentChanged.accept(e.id());
  }

  public void restoreExperiment(String id) {
    long pk = experiment(id).id();
    experiments.setStage(pk, Model.ACTIVE, clock.millis());
    experimentChanged.accept(pk);
  }

  public void setExperimentTag(String id, String key, String value) {
    Rules.tag(key, value);
    Experiment e = experiment(id);
    if (!Model.ACTIVE.equals(e.lifecycleStage())) {
      throw MlflowErrors.invalid("The experiment " + id + " must be in the 'active' state. Current state is "
          + e.lifecycleStage() + ".");
    }
    experiments.setTag(e.id(), key, value, owner);
    experimentChanged.accept(e.id());
  }

  public Page<Experiment> searchExperiments(String viewType, String filter, List<String> orderBy, Long maxResults,
      String pageToken) {
    int limit = Rules.maxResults(maxResults, 1000, Rules.MAX_SEARCH_RESULTS);
    var clauses = SearchFilter.parse(filter, SearchFilter.EXPERIMENTS);
    List<Order> orders = orders(orderBy, SearchFilter.EXPERIMENTS);
    for (Order o : orders) {
      if (o.entity() != SearchFilter.Entity.ATTRIBUTE) {
        throw MlflowErrors.invalid("Invalid order_by entity: experiments are ordered by name, experiment_id,"
            + " creation_time or last_update_time");
      }
    }
    long offset = offset(pageToken);
    RunSearch.Sql sql = RunSearch.experiments(db.vendor(), stages(viewType), clauses, orders, limit + 1, offset);
    return page(experiments.query(sql.text(), sql.args()), limit, offset);
  }

  // ---- runs

  public Run createRun(String experimentId, String userId, String runName, Long startTime, Map<String, String> tags,
      String source, String trialName) {
    return createRun(experimentId, userId, runName, startTime, tags, source, trialName, owner);
  }

  /** A run that belongs to {@code runOwner}: work Atelier runs for a user (a job) rather than its caller. */
  Run createRun(String experimentId, String userId, String runName, Long startTime, Map<String, String> tags,
      String source, String trialName, String runOwner) {
    Experiment e = experiment(experimentId == null ? "0" : experimentId);
    if (!Model.ACTIVE.equals(e.lifecycleStage())) {
      throw MlflowErrors.invalid("The experiment " + e.id() + " must be in the 'active' state. Current state is "
          + e.lifecycleStage() + ".");
    }
    tags.forEach(Rules::tag);
    String tagName = tags.get(Model.RUN_NAME_TAG);
    if (runName != null && !runName.isEmpty() && tagName != null && !tagName.equals(runName)) {
      throw MlflowErrors.invalid("Both 'run_name' argument and 'mlflow.runName' tag are specified, but with"
          + " different values (run_name='" + runName + "', mlflow.runName='" + tagName + "').");
    }
    String name = runName != null && !runName.isEmpty() ? runName : tagName != null ? tagName : RunNames.generate();
    Map<String, String> all = new java.util.LinkedHashMap<>(tags);
    all.put(Model.RUN_NAME_TAG, name);
    String runId = UUID.randomUUID().toString().replace("-", "");
    String user = userId == null || userId.isEmpty() ? runOwner : userId;
    long start = startTime == null ? clock.millis() : startTime;
    String artifactUri = e.artifactLocation() + "/" + runId + "/artifacts";
    runs.create(runId, e.id(), name, start, user, runOwner, source, trialName, artifactUri, all);
    runChanged.accept(runId);
    experimentChanged.accept(e.id());
    return run(runId);
  }

  public Run run(String runId) {
    Run r = runs.get(runId == null ? "" : runId);
    if (r == null) {
      throw MlflowErrors.noRun(runId);
    }
    return r;
  }

  private RunInfo info(String runId) {
    RunInfo r = runs.info(runId == null ? "" : runId);
    if (r == null) {
      throw MlflowErrors.noRun(runId);
    }
    return r;
  }

  public RunInfo updateRun(String runId, String status, Long endTime, String runName) {
    RunInfo r = info(runId);
    if (!Model.ACTIVE.equals(r.lifecycleStage())) {
      throw MlflowErrors.invalid("The run " + runId + " must be in the 'active' state. Current state is "
          + r.lifecycleStage() + ".");
    }
    if (status != null && !STATUSES.contains(status)) {
      throw MlflowErrors.invalid("Invalid value \"" + status + "\" for parameter 'status': use one of "
          + String.join(", ", STATUSES.stream().sorted().toList()));
    }
    runs.update(r, status, endTime, runName == null || runName.isEmpty() ? null : runName);
    runChanged.accept(runId);
    return info(runId);
  }

  public void deleteRun(String runId) {
    RunInfo r = info(runId);
    runs.setStage(r, Model.DELETED, clock.millis());
    runChanged.accept(r.runId());
    experimentChanged.accept(r.experimentId());
  }

  public void restoreRun(String runId) {
    RunInfo r = info(runId);
    runs.setStage(r, Model.ACTIVE, clock.millis());
    runChanged.accept(r.runId());
    experimentChanged.accept(r.experimentId());
  }

  public Page<Run> searchRuns(List<String> experimentIds, String filter, String viewType, Long maxResults,
      List<String> orderBy, String pageToken) {
    int limit = Rules.maxResults(maxResults, 1000, Rules.MAX_SEARCH_RESULTS);
    var clauses = SearchFilter.parse(filter, SearchFilter.RUNS);
    List<Order> orders = orders(orderBy, SearchFilter.RUNS);
    long offset = offset(pageToken);
    List<Long> ids = new ArrayList<>();
    for (String id : experimentIds) {
      ids.add(experimentId(id));
    }
    if (ids.isEmpty()) {
      return new Page<>(List.of(), null);
    }
    RunSearch.Sql sql = RunSearch.runs(db.vendor(), ids, stages(viewType), clauses, orders, limit + 1, offset);
    return page(runs.query(sql.text(), sql.args()), limit, offset);
  }

  /** Logs to a run through the group-commit writer; checked against MLflow's limits first. */
  public CompletableFuture<Void> log(String runId, List<Point> metrics, List<Map.Entry<String, String>> params,
      Map<String, String> tags, List<String> deleteTags, List<Model.DatasetInput> inputs) {
    return log(runId, metrics, params, tags, deleteTags, inputs, owner);
  }

  /** Logs rows that belong to {@code rowOwner}. */
  CompletableFuture<Void> log(String runId, List<Point> metrics, List<Map.Entry<String, String>> params,
      Map<String, String> tags, List<String> deleteTags, List<Model.DatasetInput> inputs, String rowOwner) {
    if (runId == null || runId.isEmpty()) {
      throw MlflowErrors.missing("run_id");
    }
    Rules.batch(metrics.size(), params, tags.size());
    metrics.forEach(Rules::metric);
    params.forEach(p -> Rules.param(p.getKey(), p.getValue()));
    tags.forEach(Rules::tag);
    return writer.submit(new LogWriter.Batch(runId, rowOwner, metrics, params, tags, deleteTags, inputs))
        .thenRun(() -> runChanged.accept(runId));
  }

  public Page<Point> history(String runId, String key, Long maxResults, String pageToken) {
    if (key == null || key.isEmpty()) {
      throw MlflowErrors.missing("metric_key");
    }
    RunInfo r = info(runId);
    int limit = Rules.maxResults(maxResults, 25_000, 25_000);
    long offset = offset(pageToken);
    return page(runs.history(r.pk(), key, (int) offset, limit + 1), limit, offset);
  }

  /**
   * Each run's metric summaries, computed by the database (only the metrics {@code keys} names,
   * when it is not empty), by run id in the order asked; a run that does not exist is a 404.
   */
  public Map<String, List<Model.MetricStats>> metricSummaries(List<String> runIds, List<String> keys) {
    Map<String, List<Model.MetricStats>> found = runs.summaries(runIds, keys);
    for (String id : runIds) {
      if (!found.containsKey(id)) {
        throw MlflowErrors.noRun(id);
      }
    }
    return found;
  }

  /** Each run's points of {@code key} with steps in [start, end]; runs that do not exist are an error. */
  public Map<String, List<Point>> historyBetween(List<String> runIds, String key, long start, long end, int limit) {
    Map<String, List<Point>> out = new java.util.LinkedHashMap<>();
    List<Long> pks = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (String id : runIds) {
      pks.add(info(id).pk());
      ids.add(id);
    }
    Map<Long, List<Point>> byPk = runs.historyBetween(pks, key, start, end, limit);
    for (int i = 0; i < ids.size(); i++) {
      out.put(ids.get(i), byPk.get(pks.get(i)));
    }
    return out;
  }

  // ---- helpers

  private static <T> Page<T> page(List<T> rows, int limit, long offset) {
    if (rows.size() <= limit) {
      return new Page<>(rows, null);
    }
    String token = Base64.getUrlEncoder().encodeToString(("{\"offset\": " + (offset + limit) + "}")
        .getBytes(StandardCharsets.UTF_8));
    return new Page<>(rows.subList(0, limit), token);
  }

  private static long offset(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      String json = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      long offset = dev.atelier.http.Json.mapper().readTree(json).get("offset").asLong(-1);
      if (offset < 0) {
        throw new IllegalArgumentException();
      }
      return offset;
    } catch (RuntimeException | java.io.IOException e) {
      throw MlflowErrors.invalid("Invalid page token '" + (token.length() > 60 ? token.substring(0, 57) + "..." : token)
          + "': pass the next_page_token of the previous answer");
    }
  }

  private static List<Order> orders(List<String> orderBy, SearchFilter.Grammar g) {
    List<Order> out = new ArrayList<>();
    for (String term : orderBy) {
      out.add(SearchFilter.parseOrder(term, g));
    }
    return out;
  }

  private static List<String> stages(String viewType) {
    if (viewType == null || viewType.isEmpty() || viewType.equals("ACTIVE_ONLY") || viewType.equals("1")) {
      return List.of(Model.ACTIVE);
    }
    return switch (viewType) {
      case "DELETED_ONLY", "2" -> List.of(Model.DELETED);
      case "ALL", "3" -> List.of(Model.ACTIVE, Model.DELETED);
      default -> throw MlflowErrors.invalid("Invalid value \"" + viewType + "\" for the view type: use ACTIVE_ONLY,"
          + " DELETED_ONLY or ALL");
    };
  }

  private static long experimentId(String id) {
    if (id == null || id.isEmpty()) {
      throw MlflowErrors.missing("experiment_id");
    }
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      throw MlflowErrors.noExperiment(id);
    }
  }

  @Override
  public void close() {
    writer.close();
  }
}
