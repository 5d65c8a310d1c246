package dev.atelier.experiments;

import dev.atelier.experiments.Model.DatasetInput;
import dev.atelier.experiments.Model.Point;
import dev.atelier.experiments.Model.Summary;
import dev.atelier.http.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** The statements that log to a run, each run inside the writer's transaction. */
final class RunWrites {
  private RunWrites() {}

  /** New params are stored; a param logged again must keep its value (MLflow's rule). */
  static void params(Connection c, long pk, String runId, List<Map.Entry<String, String>> params, String owner)
      throws SQLException {
    Map<String, String> existing = new HashMap<>();
    List<Object> args = new ArrayList<>();
    args.add(pk);
    params.forEach(p -> args.add(p.getKey()));
    try (PreparedStatement q = c.prepareStatement("SELECT key, value FROM run_params WHERE run_pk = ? AND key IN ("
        + String.join(",", Collections.nCopies(params.size(), "?")) + ")")) {
      RunSearch.bind(q, args);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          existing.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    try (PreparedStatement q = c.prepareStatement(
        "INSERT INTO run_params (run_pk, key, value, owner) VALUES (?, ?, ?, ?)")) {
      boolean any = false;
      for (Map.Entry<String, String> p : params) {
        String old = existing.get(p.getKey());
        if (old != null) {
          if (!old.equals(p.getValue())) {
            throw MlflowErrors.invalid("Changing param values is not allowed. Param with key='" + p.getKey()
                + "' was already logged with value='" + old + "' for run ID='" + runId + "'. Attempted logging new"
                + " value '" + p.getValue() + "'.");
          }
          continue;
        }
        existing.put(p.getKey(), p.getValue());
        q.setLong(1, pk);
        q.setString(2, p.getKey());
        q.setString(3, p.getValue());
        q.setString(4, owner);
        q.addBatch();
        any = true;
      }
      if (any) {
        q.executeBatch();
      }
    }
  }

  static void tags(Connection c, long pk, Map<String, String> tags, String owner) throws SQLException {
    if (tags.isEmpty()) {
      return;
    }
    try (PreparedStatement q = c.prepareStatement("INSERT INTO run_tags (run_pk, key, value, owner) VALUES (?, ?, ?, ?)"
        + " ON CONFLICT (run_pk, key) DO UPDATE SET value = excluded.value")) {
      for (Map.Entry<String, String> t : tags.entrySet()) {
        q.setLong(1, pk);
        q.setString(2, t.getKey());
        q.setString(3, t.getValue());
        q.setString(4, owner);
        q.addBatch();
      }
      q.executeBatch();
    }
    String name = tags.get(Model.RUN_NAME_TAG);
    if (name != null) {
      try (PreparedStatement q = c.prepareStatement("UPDATE runs SET name = ? WHERE run_pk = ?")) {
        q.setString(1, name);
        q.setLong(2, pk);
        q.executeUpdate();
      }
    }
    if (RunSource.touches(tags.keySet())) {
      source(c, pk);
    }
  }

  /** The run's source column again from its source tags (see {@link RunSource}). */
  static void source(Connection c, long pk) throws SQLException {
    Map<String, String> found = new HashMap<>();
    try (PreparedStatement q = c.prepareStatement("SELECT key, value FROM run_tags WHERE run_pk = ? AND key IN (?, ?)")) {
      q.setLong(1, pk);
      q.setString(2, RunSource.TYPE_TAG);
      q.setString(3, RunSource.NAME_TAG);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          found.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    try (PreparedStatement q = c.prepareStatement("UPDATE runs SET source = ? WHERE run_pk = ?")) {
      q.setString(1, RunSource.of(found.get(RunSource.TYPE_TAG), found.get(RunSource.NAME_TAG)));
      q.setLong(2, pk);
      q.executeUpdate();
    }
  }

  static void deleteTag(Connection c, long pk, String runId, String key) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("DELETE FROM run_tags WHERE run_pk = ? AND key = ?")) {
      q.setLong(1, pk);
      q.setString(2, key);
      if (q.executeUpdate() == 0) {
        throw MlflowErrors.notFound("No tag with name: " + key + " in run with id " + runId);
      }
    }
    if (RunSource.touches(List.of(key))) {
      source(c, pk);
    }
  }

  /** Stores the points and folds them into each metric's summary row. */
  static void points(Connection c, long pk, List<Point> points, String owner, AtomicLong seq) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(
        "INSERT INTO metric_points (run_pk, key, step, ts, value, seq, owner) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (Point p : points) {
        q.setLong(1, pk);
        q.setString(2, p.key());
        q.setLong(3, p.step());
        q.setLong(4, p.timestamp());
        setValue(q, 5, p.value());
        q.setLong(6, seq.getAndIncrement());
        q.setString(7, owner);
        q.addBatch();
      }
      q.executeBatch();
    }
    Map<String, Summary> merged = new LinkedHashMap<>();
    for (Point p : points) {
      merged.merge(p.key(), Summary.of(p), (a, b) -> a.plus(p));
    }
    List<Object> args = new ArrayList<>();
    args.add(pk);
    args.addAll(merged.keySet());
    try (PreparedStatement q = c.prepareStatement("SELECT * FROM metric_summary WHERE run_pk = ? AND key IN ("
        + String.join(",", Collections.nCopies(merged.size(), "?")) + ")")) {
      RunSearch.bind(q, args);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          Summary old = RunStore.summary(rs);
          merged.put(old.key(), combine(old, merged.get(old.key())));
        }
      }
    }
    try (PreparedStatement q = c.prepareStatement("INSERT INTO metric_summary (run_pk, key, last_value, last_step,"
        + " last_ts, min_value, max_value, point_count, sum_value, sum_sq, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (run_pk, key) DO UPDATE SET last_value = excluded.last_value, last_step = excluded.last_step,"
        + " last_ts = excluded.last_ts, min_value = excluded.min_value, max_value = excluded.max_value,"
        + " point_count = excluded.point_count, sum_value = excluded.sum_value, sum_sq = excluded.sum_sq")) {
      for (Summary s : merged.values()) {
        q.setLong(1, pk);
        q.setString(2, s.key());
        setValue(q, 3, s.last());
        q.setLong(4, s.lastStep());
        q.setLong(5, s.lastTimestamp());
        setValue(q, 6, s.min());
        setValue(q, 7, s.max());
        q.setLong(8, s.count());
        setValue(q, 9, s.sum());
        setValue(q, 10, s.sumSquares());
        q.setString(11, owner);
        q.addBatch();
      }
      q.executeBatch();
    }
  }

  /** Two summaries of disjoint points as one. */
  static Summary combine(Summary a, Summary b) {
    boolean later = b.lastStep() > a.lastStep() || (b.lastStep() == a.lastStep() && (b.lastTimestamp() > a.lastTimestamp()
        || (b.lastTimestamp() == a.lastTimestamp() && Double.compare(b.last(), a.last()) > 0)));
    Summary l = later ? b : a;
    return new Summary(a.key(), l.last(), l.lastStep(), l.lastTimestamp(), pick(a.min(), b.min(), true),
        pick(a.max(), b.max(), false), a.count() + b.count(), add(a.sum(), b.sum()), add(a.sumSquares(), b.sumSquares()));
  }

  private static Double pick(Double x, Double y, boolean min) {
    if (x == null || y == null) {
      return x == null ? y : x;
    }
    return min ? Math.min(x, y) : Math.max(x, y);
  }

  private static Double add(Double x, Double y) {
    return x == null ? y : y == null ? x : x + y;
  }

  /** NaN is stored as NULL: SQLite has no NaN. */
  private static void setValue(PreparedStatement q, int i, Double v) throws SQLException {
    if (v == null || v.isNaN()) {
      q.setNull(i, Types.DOUBLE);
    } else {
      q.setDouble(i, v);
    }
  }

  static void inputs(Connection c, long pk, List<DatasetInput> inputs, String owner) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("INSERT INTO run_inputs (run_pk, name, digest, source_type, source,"
        + " schema_json, profile, tags, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (run_pk, name, digest) DO UPDATE SET tags = excluded.tags")) {
      for (DatasetInput d : inputs) {
        q.setLong(1, pk);
        q.setString(2, d.name());
        q.setString(3, d.digest());
        q.setString(4, d.sourceType());
        q.setString(5, d.source());
        q.setString(6, d.schema());
        q.setString(7, d.profile());
        q.setString(8, Json.encode(d.tags()));
        q.setString(9, owner);
        q.addBatch();
      }
      q.executeBatch();
    }
  }
}
