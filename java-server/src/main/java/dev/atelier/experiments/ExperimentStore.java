package dev.atelier.experiments;

import dev.atelier.experiments.Model.Experiment;
import dev.atelier.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Experiments and their tags in the metadata database. */
public final class ExperimentStore {
  private final Database db;
  private final AtomicLong nextId;

  public ExperimentStore(Database db) {
    this.db = db;
    this.nextId = new AtomicLong(db.tx(c -> maxOf(c, "SELECT MAX(experiment_id) FROM experiments")) + 1);
  }

  static long maxOf(Connection c, String sql) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(sql); ResultSet rs = q.executeQuery()) {
      return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : -1;
    }
  }

  /** Creates MLflow's Default experiment, id 0, when there is none. */
  public void ensureDefault(String owner, long now) {
    db.tx(c -> {
      if (get(c, 0) == null) {
        insert(c, 0, "Default", "mlflow-artifacts:/0", owner, now, Map.of());
        nextId.accumulateAndGet(1, Math::max);
      }
      return null;
    });
  }

  /** Stores a new experiment and returns its id; RESOURCE_ALREADY_EXISTS when the name is taken. */
  public long create(String name, String artifactLocation, String owner, long now, Map<String, String> tags) {
    return db.tx(c -> {
      Experiment same = byName(c, name);
      if (same != null) {
        throw MlflowErrors.exists(Model.DELETED.equals(same.lifecycleStage())
            ? "Experiment '" + name + "' already exists in deleted state. You can restore the experiment, or"
                + " permanently delete it from the store before creating a new one with the same name."
            : "Experiment(name=" + name + ") already exists.");
      }
      long id = nextId.getAndIncrement();
      String location = artifactLocation == null || artifactLocation.isEmpty() ? "mlflow-artifacts:/" + id
          : artifactLocation;
      insert(c, id, name, location, owner, now, tags);
      return id;
    });
  }

  private static void insert(Connection c, long id, String name, String location, String owner, long now,
      Map<String, String> tags) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("INSERT INTO experiments (experiment_id, name, artifact_location,"
        + " lifecycle_stage, owner, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      q.setLong(1, id);
      q.setString(2, name);
      q.setString(3, location);
      q.setString(4, Model.ACTIVE);
      q.setString(5, owner);
      q.setLong(6, now);
      q.setLong(7, now);
      q.executeUpdate();
    }
    for (Map.Entry<String, String> t : tags.entrySet()) {
      setTag(c, id, t.getKey(), t.getValue(), owner);
    }
  }

  public Experiment get(long id) {
    return db.tx(c -> get(c, id));
  }

  public Experiment byName(String name) {
    return db.tx(c -> byName(c, name));
  }

  static Experiment get(Connection c, long id) throws SQLException {
    List<Experiment> l = select(c, "SELECT * FROM experiments WHERE experiment_id = ?", List.of(id));
    return l.isEmpty() ? null : l.get(0);
  }

  private static Experiment byName(Connection c, String name) throws SQLException {
    List<Experiment> l = select(c, "SELECT * FROM experiments WHERE name = ?", List.of(name));
    return l.isEmpty() ? null : l.get(0);
  }

  /** Renames; RESOURCE_ALREADY_EXISTS when another experiment has the name. */
  public void rename(long id, String name, long now) {
    db.tx(c -> {
      Experiment same = byName(c, name);
      if (same != null && same.id() != id) {
        throw MlflowErrors.exists("Experiment(name=" + name + ") already exists.");
      }
      try (PreparedStatement q = c.prepareStatement(
          "UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?")) {
        q.setString(1, name);
        q.setLong(2, now);
        q.setLong(3, id);
        q.executeUpdate();
      }
      return null;
    });
  }

  /** Sets the experiment's stage and, as MLflow does, the stage of its runs. */
  public void setStage(long id, String stage, long now) {
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement(
          "UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?")) {
        q.setString(1, stage);
        q.setLong(2, now);
        q.setLong(3, id);
        q.executeUpdate();
      }
      try (PreparedStatement q = c.prepareStatement(
          "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?")) {
        q.setString(1, stage);
        if (Model.DELETED.equals(stage)) {
          q.setLong(2, now);
        } else {
          q.setNull(2, java.sql.Types.BIGINT);
        }
        q.setLong(3, id);
        q.executeUpdate();
      }
      return null;
    });
  }

  public void setTag(long id, String key, String value, String owner) {
    db.tx(c -> {
      setTag(c, id, key, value, owner);
      return null;
    });
  }

  private static void setTag(Connection c, long id, String key, String value, String owner) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("INSERT INTO experiment_tags (experiment_id, key, value, owner)"
        + " VALUES (?, ?, ?, ?) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value")) {
      q.setLong(1, id);
      q.setString(2, key);
      q.setString(3, value);
      q.setString(4, owner);
      q.executeUpdate();
    }
  }

  /** Runs a search the caller built ({@link ExperimentSearch}): experiments in the order of the SQL. */
  public List<Experiment> query(String sql, List<Object> args) {
    return db.tx(c -> select(c, sql, args));
  }

  static List<Experiment> select(Connection c, String sql, List<Object> args) throws SQLException {
    Map<Long, Experiment> byId = new LinkedHashMap<>();
    try (PreparedStatement q = c.prepareStatement(sql)) {
      RunSearch.bind(q, args);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong("experiment_id");
          byId.put(id, new Experiment(id, rs.getString("name"), rs.getString("artifact_location"),
              rs.getString("lifecycle_stage"), rs.getString("owner"), rs.getLong("creation_time"),
              rs.getLong("last_update_time"), new LinkedHashMap<>()));
        }
      }
    }
    if (byId.isEmpty()) {
      return List.of();
    }
    String in = String.join(",", java.util.Collections.nCopies(byId.size(), "?"));
    try (PreparedStatement q = c.prepareStatement(
        "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (" + in + ") ORDER BY key")) {
      RunSearch.bind(q, new ArrayList<>(byId.keySet()));
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          byId.get(rs.getLong(1)).tags().put(rs.getString(2), rs.getString(3));
        }
      }
    }
    return new ArrayList<>(byId.values());
  }
}
