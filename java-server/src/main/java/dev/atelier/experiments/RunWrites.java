package dev.atelier.experiments;

import dev.atelier.experiments.Model.DatasetInput;
import dev.atelier.experiments.Model.Point;
import dev.atelier.experiments.Model.Summary;
import dev.atelier.http.Json;
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
  static void params(Statements st, long pk, String runId, List<Map.Entry<String, String>> params, String owner)
      throws SQLException {
    Map<String, String> existing = new HashMap<>();
    List<Object> args = new ArrayList<>();
    args.add(pk);
    params.forEach(p -> args.add(p.getKey()));
    PreparedStatement existingParams = st.get("SELECT key, value FROM run_params WHERE run_pk = ? AND key IN ("
        + String.join(",", Collections.nCopies(params.size(), "?")) + ")");
    RunSearch.bind(existingParams, args);
    try (ResultSet rs = existingParams.executeQuery()) {
      while (rs.next()) {
        existing.put(rs.getString(1), rs.getString(2));
      }
    }
    PreparedStatement insert = st.get(
        "INSERT INTO run_params (run_pk, key, value, owner) VALUES (?, ?, ?, ?)");
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
      insert.setLong(1, pk);
      insert.setString(2, p.getKey());
      insert.setString(3, p.getValue());
      insert.setString(4, owner);
      insert.addBatch();
      any = true;
    }
    if (any) {
      insert.executeBatch();
    }
  }

  static void tags(Statements st, long pk, Map<String, String> tags, String owner) throws SQLException {
    if (tags.isEmpty()) {
      return;
    }
    PreparedStatement upsert = st.get("INSERT INTO run_tags (run_pk, key, value, owner) VALUES (?, ?, ?, ?)"
        + " ON CONFLICT (run_pk, key) DO UPDATE SET value = excluded.value");
    for (Map.Entry<String, String> t : tags.entrySet()) {
      upsert.setLong(1, pk);
      upsert.setString(2, t.getKey());
      upsert.setString(3, t.getValue());
      upsert.setString(4, owner);
      upsert.addBatch();
    }
    upsert.executeBatch();
    String name = tags.get(Model.RUN_NAME_TAG);
    if (name != null) {
      PreparedStatement rename = st.get("UPDATE runs SET name = ? WHERE run_pk = ?");
      rename.setString(1, name);
      rename.setLong(2, pk);
      rename.executeUpdate();
    }
    if (RunSource.touches(tags.keySet())) {
      source(st, pk);
    }
  }

  /** The run's source column again from its source tags (see {@link RunSource}). */
  static void source(Statements st, long pk) throws SQLException {
    Map<String, String> found = new HashMap<>();
    PreparedStatement sourceTags = st.get("SELECT key, value FROM run_tags WHERE run_pk = ? AND key IN (?, ?)");
    sourceTags.setLong(1, pk);
    sourceTags.setString(2, RunSource.TYPE_TAG);
    sourceTags.setString(3, RunSource.NAME_TAG);
    try (ResultSet rs = sourceTags.executeQuery()) {
      while (rs.next()) {
        found.put(rs.getString(1), rs.getString(2));
      }
    }
    PreparedStatement update = st.get("UPDATE runs SET source = ? WHERE run_pk = ?");
    update.setString(1, RunSource.of(found.get(RunSource.TYPE_TAG), found.get(RunSource.NAME_TAG)));
    update.setLong(2, pk);
    update.executeUpdate();
  }

  static void deleteTag(Statements st, long pk, String runId, String key) throws SQLException {
    PreparedStatement delete = st.get("DELETE FROM run_tags WHERE run_pk = ? AND key = ?");
    delete.setLong(1, pk);
    delete.setString(2, key);
    if (delete.executeUpdate() == 0) {
      throw MlflowErrors.notFound("No tag with name: " + key + " in run with id " + runId);
    }
    if (RunSource.touches(List.of(key))) {
      source(st, pk);
    }
  }

  /** Stores the points and folds them into each metric's summary row. */
  static void points(Statements st, long pk, List<Point> points, String owner, AtomicLong seq) throws SQLException {
    PreparedStatement insert = st.get(
        "INSERT INTO metric_points (run_pk, key, step, ts, value, seq, owner) VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (Point p : points) {
      insert.setLong(1, pk);
      insert.setString(2, p.key());
      insert.setLong(3, p.step());
      insert.setLong(4, p.timestamp());
      setValue(insert, 5, p.value());
      insert.setLong(6, seq.getAndIncrement());
      insert.setString(7, owner);
      insert.addBatch();
    }
    insert.executeBatch();
    Map<String, Summary> merged = new LinkedHashMap<>();
    for (Point p : points) {
      merged.merge(p.key(), Summary.of(p), (a, b) -> a.plus(p));
    }
    List<Object> args = new ArrayList<>();
    args.add(pk);
    args.addAll(merged.keySet());
    PreparedStatement stored = st.get("SELECT * FROM metric_summary WHERE run_pk = ? AND key IN ("
        + String.join(",", Collections.nCopies(merged.size(), "?")) + ")");
    RunSearch.bind(stored, args);
    try (ResultSet rs = stored.executeQuery()) {
      while (rs.next()) {
        Summary old = RunStore.summary(rs);
        merged.put(old.key(), combine(old, merged.get(old.key())));
      }
    }
    PreparedStatement upsert = st.get("INSERT INTO metric_summary (run_pk, key, last_value, last_step,"
        + " last_ts, min_value, max_value, point_count, sum_value, sum_sq, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (run_pk, key) DO UPDATE SET last_value = excluded.last_value, last_step = excluded.last_step,"
        + " last_ts = excluded.last_ts, min_value = excluded.min_value, max_value = excluded.max_value,"
        + " point_count = excluded.point_count, sum_value = excluded.sum_value, sum_sq = excluded.sum_sq");
    for (Summary s : merged.values()) {
      upsert.setLong(1, pk);
      upsert.setString(2, s.key());
      setValue(upsert, 3, s.last());
      upsert.setLong(4, s.lastStep());
      upsert.setLong(5, s.lastTimestamp());
      setValue(upsert, 6, s.min());
      setValue(upsert, 7, s.max());
      upsert.setLong(8, s.count());
      setValue(upsert, 9, s.sum());
      setValue(upsert, 10, s.sumSquares());
      upsert.setString(11, owner);
      upsert.addBatch();
    }
    upsert.executeBatch();
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

  static void inputs(Statements st, long pk, List<DatasetInput> inputs, String owner) throws SQLException {
    PreparedStatement upsert = st.get("INSERT INTO run_inputs (run_pk, name, digest, source_type, source,"
        + " schema_json, profile, tags, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (run_pk, name, digest) DO UPDATE SET tags = excluded.tags");
    for (DatasetInput d : inputs) {
      upsert.setLong(1, pk);
      upsert.setString(2, d.name());
      upsert.setString(3, d.digest());
      upsert.setString(4, d.sourceType());
      upsert.setString(5, d.source());
      upsert.setString(6, d.schema());
      upsert.setString(7, d.profile());
      upsert.setString(8, Json.encode(d.tags()));
      upsert.setString(9, owner);
      upsert.addBatch();
    }
    upsert.executeBatch();
  }
}
