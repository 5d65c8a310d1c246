package dev.atelier.experiments;

import dev.atelier.experiments.Model.DatasetInput;
import dev.atelier.experiments.Model.Point;
import dev.atelier.experiments.Model.Run;
import dev.atelier.experiments.Model.RunInfo;
import dev.atelier.experiments.Model.Summary;
import dev.atelier.http.Json;
import dev.atelier.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs in the metadata database: their rows, and reading them back with their params, tags,
 * metric summaries and inputs. Logging to a run goes through {@link LogWriter}.
 */
public final class RunStore {
  /** Statements take at most this many run keys in one IN list. */
  private static final int CHUNK = 1_000;

  private final Database db;
  private final AtomicLong nextPk;

  public RunStore(Database db) {
    this.db = db;
    this.nextPk = new AtomicLong(db.tx(c -> ExperimentStore.maxOf(c, "SELECT MAX(run_pk) FROM runs")) + 1);
  }

  Database db() {
    return db;
  }

  /** Stores a new run with its first tags; the caller has checked the experiment. */
  public RunInfo create(String runId, long experimentId, String name, Long startTime, String userId, String owner,
      String source, String trialName, String artifactUri, Map<String, String> tags) {
    long pk = nextPk.getAndIncrement();
    RunInfo info = new RunInfo(pk, runId, experimentId, name, "RUNNING", startTime, null, Model.ACTIVE, userId, owner,
        source, trialName, artifactUri);
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("INSERT INTO runs (run_pk, run_id, experiment_id, name, status,"
          + " start_time, end_time, lifecycle_stage, user_id, owner, source, trial_name, artifact_uri)"
          + " VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)")) {
        q.setLong(1, pk);
        q.setString(2, runId);
        q.setLong(3, experimentId);
        q.setString(4, name);
        q.setString(5, info.status());
        q.setObject(6, startTime);
        q.setString(7, Model.ACTIVE);
        q.setString(8, userId);
        q.setString(9, owner);
        q.setString(10, source);
        q.setString(11, trialName);
        q.setString(12, artifactUri);
        q.executeUpdate();
      }
      LogWriter.upsertTags(c, pk, tags, owner);
      return null;
    });
    return info;
  }

  public RunInfo info(String runId) {
    return db.tx(c -> info(c, runId));
  }

  static RunInfo info(Connection c, String runId) throws SQLException {
    try (Statements st = new Statements(c)) {
      return info(st, runId);
    }
  }

  static RunInfo info(Statements st, String runId) throws SQLException {
    PreparedStatement q = st.get("SELECT * FROM runs WHERE run_id = ?");
    q.setString(1, runId);
    try (ResultSet rs = q.executeQuery()) {
      return rs.next() ? info(rs) : null;
    }
  }

  private static RunInfo info(ResultSet rs) throws SQLException {
    return new RunInfo(rs.getLong("run_pk"), rs.getString("run_id"), rs.getLong("experiment_id"), rs.getString("name"),
        rs.getString("status"), (Long) nullable(rs, "start_time"), (Long) nullable(rs, "end_time"),
        rs.getString("lifecycle_stage"), rs.getString("user_id"), rs.getString("owner"), rs.getString("source"),
        rs.getString("trial_name"), rs.getString("artifact_uri"));
  }

  private static Object nullable(ResultSet rs, String col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : v;
  }

  /** Sets status, end time and name (each when not null); a new name is also the mlflow.runName tag. */
  public void update(RunInfo run, String status, Long endTime, String name) {
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("UPDATE runs SET status = COALESCE(?, status),"
          + " end_time = COALESCE(?, end_time), name = COALESCE(?, name) WHERE run_pk = ?")) {
        q.setString(1, status);
        q.setObject(2, endTime);
        q.setString(3, name);
        q.setLong(4, run.pk());
        q.executeUpdate();
      }
      if (name != null) {
        LogWriter.upsertTags(c, run.pk(), Map.of(Model.RUN_NAME_TAG, name), run.owner());
      }
      return null;
    });
  }

  public void setStage(RunInfo run, String stage, long now) {
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement(
          "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_pk = ?")) {
        q.setString(1, stage);
        q.setObject(2, Model.DELETED.equals(stage) ? now : null, java.sql.Types.BIGINT);
        q.setLong(3, run.pk());
        q.executeUpdate();
      }
      return null;
    });
  }

  /** Active runs per experiment id (experiments without runs are absent). */
  public Map<Long, Long> counts() {
    return db.tx(c -> {
      Map<Long, Long> out = new LinkedHashMap<>();
      try (PreparedStatement q = c.prepareStatement(
          "SELECT experiment_id, COUNT(*) FROM runs WHERE lifecycle_stage = ? GROUP BY experiment_id")) {
        q.setString(1, Model.ACTIVE);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getLong(1), rs.getLong(2));
          }
        }
      }
      return out;
    });
  }

  /** Active runs of one experiment. */
  public long count(long experimentId) {
    return db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement(
          "SELECT COUNT(*) FROM runs WHERE experiment_id = ? AND lifecycle_stage = ?")) {
        q.setLong(1, experimentId);
        q.setString(2, Model.ACTIVE);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

  /** The run with its data, or null. */
  public Run get(String runId) {
    return db.tx(c -> {
      RunInfo info = info(c, runId);
      return info == null ? null : load(c, List.of(info), true).get(0);
    });
  }

  /** The runs the search SQL picks, in its order, with their data. */
  public List<Run> query(String sql, List<Object> args) {
    return db.tx(c -> {
      List<RunInfo> infos = new ArrayList<>();
      try (PreparedStatement q = c.prepareStatement(sql)) {
        RunSearch.bind(q, args);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            infos.add(info(rs));
          }
        }
      }
      return load(c, infos, false);
    });
  }

  /**
   * Adds params, tags, metrics and inputs to the runs, a few statements for all of them. With
   * {@code aggregates} false the metrics carry only their latest point ({@link Summary#latest}),
   * all that MLflow's runs show; reading the aggregates of a page of runs would cost several times
   * as much.
   */
  static List<Run> load(Connection c, List<RunInfo> infos, boolean aggregates) throws SQLException {
    Map<Long, Run> byPk = new LinkedHashMap<>();
    for (RunInfo i : infos) {
      byPk.put(i.pk(), new Run(i, new LinkedHashMap<>(), new LinkedHashMap<>(), new ArrayList<>(), new ArrayList<>()));
    }
    boolean sqlite = c.getMetaData().getURL().startsWith("jdbc:sqlite:");
    List<Long> pks = new ArrayList<>(byPk.keySet());
    for (int from = 0; from < pks.size(); from += CHUNK) {
      List<Long> part = pks.subList(from, Math.min(pks.size(), from + CHUNK));
      String in = String.join(",", Collections.nCopies(part.size(), "?"));
      List<Object> args = new ArrayList<>(part);
      if (sqlite) {
        RunRows.paramsAndTags(c, in, args, byPk);
      } else {
        each(c, "SELECT run_pk, key, value FROM run_params WHERE run_pk IN (" + in + ")", args,
            rs -> byPk.get(rs.getLong(1)).params().put(rs.getString(2), rs.getString(3)));
        each(c, "SELECT run_pk, key, value FROM run_tags WHERE run_pk IN (" + in + ")", args,
            rs -> byPk.get(rs.getLong(1)).tags().put(rs.getString(2), rs.getString(3)));
      }
      if (aggregates) {
        each(c, "SELECT * FROM metric_summary WHERE run_pk IN (" + in + ")", args,
            rs -> byPk.get(rs.getLong("run_pk")).metrics().add(summary(rs)));
      } else {
        each(c, "SELECT run_pk, key, last_value, last_step, last_ts FROM metric_summary WHERE run_pk IN (" + in + ")",
            args, rs -> byPk.get(rs.getLong(1)).metrics().add(Summary.latest(rs.getString(2), nan(rs, "last_value"),
                rs.getLong(4), rs.getLong(5))));
      }
      each(c, "SELECT * FROM run_inputs WHERE run_pk IN (" + in + ")", args,
          rs -> byPk.get(rs.getLong("run_pk")).inputs().add(new DatasetInput(rs.getString("name"),
              rs.getString("digest"), rs.getString("source_type"), rs.getString("source"), rs.getString("schema_json"),
              rs.getString("profile"), tags(rs.getString("tags")))));
    }
    return new ArrayList<>(byPk.values());
  }

  static Summary summary(ResultSet rs) throws SQLException {
    return new Summary(rs.getString("key"), nan(rs, "last_value"), rs.getLong("last_step"), rs.getLong("last_ts"),
        dbl(rs, "min_value"), dbl(rs, "max_value"), rs.getLong("point_count"), dbl(rs, "sum_value"),
        dbl(rs, "sum_sq"));
  }

  /** NULL is how NaN is stored. */
  static double nan(ResultSet rs, String col) throws SQLException {
    double v = rs.getDouble(col);
    return rs.wasNull() ? Double.NaN : v;
  }

  private static Double dbl(ResultSet rs, String col) throws SQLException {
    double v = rs.getDouble(col);
    return rs.wasNull() ? null : v;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> tags(String json) {
    try {
      return json == null ? Map.of() : Json.mapper().readValue(json, LinkedHashMap.class);
    } catch (java.io.IOException e) {
      return Map.of();
    }
  }

  /** See {@link MetricSummaries#read}. */
  public Map<String, List<Model.MetricStats>> summaries(List<String> runIds, List<String> keys) {
    return db.tx(c -> MetricSummaries.read(c, runIds, keys));
  }

  /** A metric's points in step, then timestamp, order: {@code limit} of them from {@code offset}. */
  public List<Point> history(long runPk, String key, int offset, int limit) {
    return db.tx(c -> {
      List<Point> out = new ArrayList<>();
      try (PreparedStatement q = c.prepareStatement("SELECT step, ts, value FROM metric_points WHERE run_pk = ?"
          + " AND key = ? ORDER BY step, ts, seq LIMIT ? OFFSET ?")) {
        q.setLong(1, runPk);
        q.setString(2, key);
        q.setInt(3, limit);
        q.setInt(4, offset);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            double v = rs.getDouble(3);
            out.add(new Point(key, rs.wasNull() ? Double.NaN : v, rs.getLong(2), rs.getLong(1)));
          }
        }
      }
      return out;
    });
  }

  /** The points of each run with steps in [start, end], for the bulk-interval history. */
  public Map<Long, List<Point>> historyBetween(List<Long> runPks, String key, long start, long end, int limit) {
    return db.tx(c -> {
      Map<Long, List<Point>> out = new HashMap<>();
      for (long pk : runPks) {
        List<Point> l = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT step, ts, value FROM metric_points WHERE run_pk = ?"
            + " AND key = ? AND step >= ? AND step <= ? ORDER BY step, ts, seq LIMIT ?")) {
          q.setLong(1, pk);
          q.setString(2, key);
          q.setLong(3, start);
          q.setLong(4, end);
          q.setInt(5, limit);
          try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
              l.add(new Point(key, nan(rs, "value"), rs.getLong("ts"), rs.getLong("step")));
            }
          }
        }
        out.put(pk, l);
      }
      return out;
    });
  }

  interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  static void each(Connection c, String sql, List<Object> args, RowReader reader) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(sql)) {
      RunSearch.bind(q, args);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
    }
  }
}
