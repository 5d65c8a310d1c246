package dev.atelier.experiments.artifacts;

import dev.atelier.storage.Database;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MLflow 3's logged models in the metadata database: created by {@code log_model} before its files
 * are uploaded, finalized once they are, found by experiment and name when a {@code runs:/<run>/<name>}
 * URI is resolved. A model's artifacts live below its experiment's artifact location.
 */
final class LoggedModelStore {
  static final String PENDING = "LOGGED_MODEL_PENDING";
  static final List<String> STATUSES = List.of(PENDING, "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED");

  /** One model as MLflow describes it. */
  record LoggedModel(String modelId, long experimentId, String name, String sourceRunId, String modelType,
      String status, String artifactLocation, long created, long updated, Map<String, String> tags,
      Map<String, String> params) {}

  private final Database db;
  private final String owner;
  private final SecureRandom random = new SecureRandom();

  LoggedModelStore(Database db, String owner) {
    this.db = db;
    this.owner = owner;
  }

  LoggedModel create(long experimentId, String name, String sourceRunId, String modelType, Map<String, String> tags,
      Map<String, String> params, long now) {
    return db.tx(c -> {
      String location = experimentLocation(c, experimentId);
      byte[] id = new byte[16];
      random.nextBytes(id);
      String modelId = "m-" + HexFormat.of().formatHex(id);
      try (PreparedStatement q = c.prepareStatement("INSERT INTO logged_models (model_id, experiment_id, name,"
          + " source_run_id, model_type, status, artifact_location, creation_time, last_updated_time, owner)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        q.setString(1, modelId);
        q.setLong(2, experimentId);
        q.setString(3, name == null || name.isEmpty() ? "model" : name);
        q.setString(4, sourceRunId);
        q.setString(5, modelType);
        q.setString(6, PENDING);
        q.setString(7, location.replaceAll("/+$", "") + "/models/" + modelId + "/artifacts");
        q.setLong(8, now);
        q.setLong(9, now);
        q.setString(10, owner);
        q.executeUpdate();
      }
      putAll(c, "logged_model_tags", modelId, tags);
      putAll(c, "logged_model_params", modelId, params);
      return get(c, modelId);
    });
  }

  LoggedModel get(String modelId) {
    return db.tx(c -> get(c, modelId));
  }

  /** The model's experiment id and source run id (null when it has none), or null when there is no such model. */
  String[] source(String modelId) {
    return db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement(
          "SELECT experiment_id, source_run_id FROM logged_models WHERE model_id = ?")) {
        q.setString(1, modelId);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next() ? new String[] {Long.toString(rs.getLong(1)), rs.getString(2)} : null;
        }
      }
    });
  }

  LoggedModel finalize(String modelId, String status, long now) {
    return db.tx(c -> {
      get(c, modelId);
      try (PreparedStatement q = c.prepareStatement(
          "UPDATE logged_models SET status = ?, last_updated_time = ? WHERE model_id = ?")) {
        q.setString(1, status);
        q.setLong(2, now);
        q.setString(3, modelId);
        q.executeUpdate();
      }
      return get(c, modelId);
    });
  }

  void setTags(String modelId, Map<String, String> tags) {
    db.tx(c -> {
      get(c, modelId);
      putAll(c, "logged_model_tags", modelId, tags);
      return null;
    });
  }

  void setParams(String modelId, Map<String, String> params) {
    db.tx(c -> {
      get(c, modelId);
      putAll(c, "logged_model_params", modelId, params);
      return null;
    });
  }

  void deleteTag(String modelId, String key) {
    db.tx(c -> {
      get(c, modelId);
      try (PreparedStatement q = c.prepareStatement("DELETE FROM logged_model_tags WHERE model_id = ? AND key = ?")) {
        q.setString(1, modelId);
        q.setString(2, key);
        q.executeUpdate();
      }
      return null;
    });
  }

  /** Records that the run produced the models (MLflow's log_outputs); each model must exist. */
  void logOutputs(String runId, Map<String, Long> modelSteps) {
    db.tx(c -> {
      for (Map.Entry<String, Long> m : modelSteps.entrySet()) {
        get(c, m.getKey());
        try (PreparedStatement q = c.prepareStatement("INSERT INTO run_model_outputs (run_id, model_id, step, owner)"
            + " VALUES (?, ?, ?, ?) ON CONFLICT (run_id, model_id) DO UPDATE SET step = excluded.step")) {
          q.setString(1, runId);
          q.setString(2, m.getKey());
          q.setLong(3, m.getValue());
          q.setString(4, owner);
          q.executeUpdate();
        }
      }
      return null;
    });
  }

  /** Newest first; {@code name} null for any. One more than {@code max} tells whether a next page exists. */
  List<LoggedModel> search(List<Long> experimentIds, String name, int offset, int max) {
    return db.tx(c -> {
      StringBuilder sql = new StringBuilder("SELECT model_id FROM logged_models WHERE experiment_id IN (");
      for (int i = 0; i < experimentIds.size(); i++) {
        sql.append(i == 0 ? "?" : ", ?");
      }
      sql.append(")");
      if (name != null) {
        sql.append(" AND name = ?");
      }
      sql.append(" ORDER BY creation_time DESC, model_id LIMIT ? OFFSET ?");
      List<String> ids = new ArrayList<>();
      try (PreparedStatement q = c.prepareStatement(sql.toString())) {
        int i = 1;
        for (long e : experimentIds) {
          q.setLong(i++, e);
        }
        if (name != null) {
          q.setString(i++, name);
        }
        q.setInt(i++, max);
        q.setInt(i, offset);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      List<LoggedModel> out = new ArrayList<>();
      for (String id : ids) {
        out.add(get(c, id));
      }
      return out;
    });
  }

  private static String experimentLocation(Connection c, long experimentId) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT artifact_location FROM experiments WHERE experiment_id = ?")) {
      q.setLong(1, experimentId);
      try (ResultSet rs = q.executeQuery()) {
        if (!rs.next()) {
          throw ArtifactErrors.missing("No Experiment with id=" + experimentId + " exists");
        }
        return rs.getString(1);
      }
    }
  }

  private LoggedModel get(Connection c, String modelId) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT experiment_id, name, source_run_id, model_type, status,"
        + " artifact_location, creation_time, last_updated_time FROM logged_models WHERE model_id = ?")) {
      q.setString(1, modelId);
      try (ResultSet rs = q.executeQuery()) {
        if (!rs.next()) {
          throw ArtifactErrors.missing("Logged model with ID '" + modelId + "' not found");
        }
        return new LoggedModel(modelId, rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8),
            pairs(c, "logged_model_tags", modelId), pairs(c, "logged_model_params", modelId));
      }
    }
  }

  private static Map<String, String> pairs(Connection c, String table, String modelId) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    try (PreparedStatement q = c.prepareStatement("SELECT key, value FROM " + table + " WHERE model_id = ? ORDER BY key")) {
      q.setString(1, modelId);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return out;
  }

  private void putAll(Connection c, String table, String modelId, Map<String, String> values) throws SQLException {
    for (Map.Entry<String, String> e : values.entrySet()) {
      try (PreparedStatement q = c.prepareStatement("INSERT INTO " + table + " (model_id, key, value, owner)"
          + " VALUES (?, ?, ?, ?) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value")) {
        q.setString(1, modelId);
        q.setString(2, e.getKey());
        q.setString(3, e.getValue());
        q.setString(4, owner);
        q.executeUpdate();
      }
    }
  }
}
