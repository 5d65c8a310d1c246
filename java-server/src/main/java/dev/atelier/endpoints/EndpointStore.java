package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.storage.Database;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Models, endpoint configs and endpoints in the metadata database (SQLite or PostgreSQL): each row
 * its owner, creation time and SageMaker-shaped description; an endpoint also its status and plan.
 * Every call is one transaction.
 */
final class EndpointStore {
  /** A stored model or endpoint config. */
  record Resource(String name, String createdBy, long createdAt, ObjectNode description) {}

  /** A stored endpoint. */
  record Endpoint(String name, String configName, String status, String createdBy, long createdAt, long updatedAt,
      ObjectNode description, ObjectNode plan) {}

  /** The two tables of plain resources, and what a person calls them. */
  enum Kind {
    MODEL("endpoint_models", "model"), CONFIG("endpoint_configs", "endpoint config");

    final String table;
    final String noun;

    Kind(String table, String noun) {
      this.table = table;
      this.noun = noun;
    }
  }

  private final Database db;

  EndpointStore(Database db) {
    this.db = db;
  }

  /** Stores a new model or config; a 409 when one of that name exists. */
  void insert(Kind kind, Resource r) {
    db.tx(c -> {
      if (exists(c, kind.table, r.name())) {
        throw ApiException.conflict("a " + kind.noun + " named '" + r.name() + "' already exists; "
            + kind.noun + " names are unique");
      }
      try (PreparedStatement q = c.prepareStatement("INSERT INTO " + kind.table
          + " (name, created_by, created_at, description) VALUES (?, ?, ?, ?)")) {
        q.setString(1, r.name());
        q.setString(2, r.createdBy());
        q.setLong(3, r.createdAt());
        q.setString(4, Json.encode(r.description()));
        q.executeUpdate();
      }
      return null;
    });
  }

  Resource get(Kind kind, String name) {
    List<Resource> rows = db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT * FROM " + kind.table + " WHERE name = ?")) {
        q.setString(1, name);
        return resources(q);
      }
    });
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** Newest first. */
  List<Resource> list(Kind kind) {
    return db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT * FROM " + kind.table
          + " ORDER BY created_at DESC, name")) {
        return resources(q);
      }
    });
  }

  /** Whether it was there. */
  boolean delete(Kind kind, String name) {
    return db.tx(c -> delete(c, kind.table, name));
  }

  /** Stores a new endpoint; a 409 when one of that name exists. */
  void insert(Endpoint e) {
    db.tx(c -> {
      if (exists(c, "endpoints", e.name())) {
        throw ApiException.conflict("an endpoint named '" + e.name() + "' already exists; endpoint names are unique");
      }
      try (PreparedStatement q = c.prepareStatement("INSERT INTO endpoints (name, config_name, status, created_by,"
          + " created_at, updated_at, description, plan) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        q.setString(1, e.name());
        q.setString(2, e.configName());
        q.setString(3, e.status());
        q.setString(4, e.createdBy());
        q.setLong(5, e.createdAt());
        q.setLong(6, e.updatedAt());
        q.setString(7, Json.encode(e.description()));
        q.setString(8, Json.encode(e.plan()));
        q.executeUpdate();
      }
      return null;
    });
  }

  /** Rewrites an endpoint's state. */
  void update(String name, String status, ObjectNode description, ObjectNode plan, long now) {
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("UPDATE endpoints SET status = ?, description = ?, plan = ?,"
          + " updated_at = ? WHERE name = ?")) {
        q.setString(1, status);
        q.setString(2, Json.encode(description));
        q.setString(3, Json.encode(plan));
        q.setLong(4, now);
        q.setString(5, name);
        q.executeUpdate();
      }
      return null;
    });
  }

  Endpoint endpoint(String name) {
    List<Endpoint> rows = db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT * FROM endpoints WHERE name = ?")) {
        q.setString(1, name);
        return endpoints(q);
      }
    });
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** Newest first. */
  List<Endpoint> endpoints() {
    return db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT * FROM endpoints ORDER BY created_at DESC, name")) {
        return endpoints(q);
      }
    });
  }

  /** Names of the endpoints created from the config. */
  List<String> endpointsOf(String configName) {
    return db.tx(c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement q = c.prepareStatement("SELECT name FROM endpoints WHERE config_name = ? ORDER BY name")) {
        q.setString(1, configName);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    });
  }

  boolean deleteEndpoint(String name) {
    return db.tx(c -> delete(c, "endpoints", name));
  }

  private static boolean exists(java.sql.Connection c, String table, String name) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM " + table + " WHERE name = ?")) {
      q.setString(1, name);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static boolean delete(java.sql.Connection c, String table, String name) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("DELETE FROM " + table + " WHERE name = ?")) {
      q.setString(1, name);
      return q.executeUpdate() > 0;
    }
  }

  private static List<Resource> resources(PreparedStatement q) throws SQLException {
    List<Resource> out = new ArrayList<>();
    try (ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        out.add(new Resource(rs.getString("name"), rs.getString("created_by"), rs.getLong("created_at"),
            json(rs, "description")));
      }
    }
    return out;
  }

  private static List<Endpoint> endpoints(PreparedStatement q) throws SQLException {
    List<Endpoint> out = new ArrayList<>();
    try (ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        out.add(new Endpoint(rs.getString("name"), rs.getString("config_name"), rs.getString("status"),
            rs.getString("created_by"), rs.getLong("created_at"), rs.getLong("updated_at"), json(rs, "description"),
            json(rs, "plan")));
      }
    }
    return out;
  }

  private static ObjectNode json(ResultSet rs, String column) throws SQLException {
    try {
      return (ObjectNode) Json.mapper().readTree(rs.getString(column));
    } catch (IOException | ClassCastException e) {
      throw new SQLException("'" + rs.getString("name") + "' has an unreadable " + column, e);
    }
  }
}
