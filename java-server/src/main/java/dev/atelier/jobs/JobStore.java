package dev.atelier.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.storage.Database;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Jobs in the metadata database: the SageMaker-shaped description as JSON, the columns lists
 * filter on, and metric samples. Every call is one transaction.
 */
public final class JobStore {
  /** A stored job. */
  public record Row(String kind, String name, String status, String secondary, String instanceType, String image,
      String createdBy, long createdAt, long updatedAt, String containerId, ObjectNode request,
      ObjectNode description) {}

  /** List filters; null means any. */
  public record Filter(String kind, String status, String nameContains, String instanceType, String createdBy,
      int limit) {}

  /** One metric sample. */
  public record Sample(String metric, long ts, double value) {}

  private final Database db;

  public JobStore(Database db) {
    this.db = db;
  }

  /** Stores a new job; a 409 when the kind already has a job of that name. */
  public void insert(Row r) {
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM jobs WHERE kind = ? AND name = ?")) {
        q.setString(1, r.kind());
        q.setString(2, r.name());
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next()) {
            throw ApiException.conflict("a " + r.kind() + " job named '" + r.name() + "' already exists;"
                + " job names are unique");
          }
        }
      }
      try (PreparedStatement q = c.prepareStatement("INSERT INTO jobs (kind, name, status, secondary,"
          + " instance_type, image, created_by, created_at, updated_at, container_id, request, description)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        q.setString(1, r.kind());
        q.setString(2, r.name());
        q.setString(3, r.status());
        q.setString(4, r.secondary());
        q.setString(5, r.instanceType());
        q.setString(6, r.image());
        q.setString(7, r.createdBy());
        q.setLong(8, r.createdAt());
        q.setLong(9, r.updatedAt());
        q.setString(10, r.containerId());
        q.setString(11, Json.encode(r.request()));
        q.setString(12, Json.encode(r.description()));
        q.executeUpdate();
      }
      return null;
    });
  }

  /** Rewrites a job's state. */
  public void update(String kind, String name, String status, String secondary, String containerId,
      ObjectNode description, long now) {
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("UPDATE jobs SET status = ?, secondary = ?, container_id = ?,"
          + " description = ?, updated_at = ? WHERE kind = ? AND name = ?")) {
        q.setString(1, status);
        q.setString(2, secondary);
        q.setString(3, containerId);
        q.setString(4, Json.encode(description));
        q.setLong(5, now);
        q.setString(6, kind);
        q.setString(7, name);
        q.executeUpdate();
      }
      return null;
    });
  }

  public Row get(String kind, String name) {
    List<Row> rows = db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT * FROM jobs WHERE kind = ? AND name = ?")) {
        q.setString(1, kind);
        q.setString(2, name);
        return read(q);
      }
    });
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** Newest first. */
  public List<Row> list(Filter f) {
    StringBuilder sql = new StringBuilder("SELECT * FROM jobs WHERE 1 = 1");
    List<String> args = new ArrayList<>();
    if (f.kind() != null) {
      sql.append(" AND kind = ?");
      args.add(f.kind());
    }
    if (f.status() != null) {
      sql.append(" AND status = ?");
      args.add(f.status());
    }
    if (f.instanceType() != null) {
      sql.append(" AND instance_type = ?");
      args.add(f.instanceType());
    }
    if (f.createdBy() != null) {
      sql.append(" AND created_by = ?");
      args.add(f.createdBy());
    }
    if (f.nameContains() != null) {
      sql.append(" AND LOWER(name) LIKE ? ESCAPE '!'");
      args.add("%" + f.nameContains().toLowerCase(java.util.Locale.ROOT)
          .replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
    }
    sql.append(" ORDER BY created_at DESC, name LIMIT ").append(f.limit());
    return db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          q.setString(i + 1, args.get(i));
        }
        return read(q);
      }
    });
  }

  /** Jobs that were running when the server last stopped. */
  public List<Row> unfinished() {
    return db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement(
          "SELECT * FROM jobs WHERE status IN ('InProgress', 'Stopping') ORDER BY created_at")) {
        return read(q);
      }
    });
  }

  public void addSamples(String kind, String name, List<Sample> samples) {
    if (samples.isEmpty()) {
      return;
    }
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement(
          "INSERT INTO job_metrics (kind, name, metric, ts, value) VALUES (?, ?, ?, ?, ?)")) {
        for (Sample s : samples) {
          q.setString(1, kind);
          q.setString(2, name);
          q.setString(3, s.metric());
          q.setLong(4, s.ts());
          q.setDouble(5, s.value());
          q.addBatch();
        }
        q.executeBatch();
      }
      return null;
    });
  }

  /** Metric name -> samples in time order. */
  public Map<String, List<Sample>> samples(String kind, String name) {
    return db.tx(c -> {
      Map<String, List<Sample>> out = new LinkedHashMap<>();
      try (PreparedStatement q = c.prepareStatement("SELECT metric, ts, value FROM job_metrics"
          + " WHERE kind = ? AND name = ? ORDER BY metric, ts")) {
        q.setString(1, kind);
        q.setString(2, name);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                .add(new Sample(rs.getString(1), rs.getLong(2), rs.getDouble(3)));
          }
        }
      }
      return out;
    });
  }

  private static List<Row> read(PreparedStatement q) throws java.sql.SQLException {
    List<Row> out = new ArrayList<>();
    try (ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        ObjectNode d;
        ObjectNode req;
        try {
          d = (ObjectNode) Json.mapper().readTree(rs.getString("description"));
          req = (ObjectNode) Json.mapper().readTree(rs.getString("request"));
        } catch (IOException e) {
          throw new java.sql.SQLException("job " + rs.getString("name") + " has an unreadable description", e);
        }
        out.add(new Row(rs.getString("kind"), rs.getString("name"), rs.getString("status"),
            rs.getString("secondary"), rs.getString("instance_type"), rs.getString("image"),
            rs.getString("created_by"), rs.getLong("created_at"), rs.getLong("updated_at"),
            rs.getString("container_id"), req, d));
      }
    }
    return out;
  }
}
