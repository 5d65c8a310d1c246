package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.storage.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** Variants' scaling policies in the metadata database, with who put them. Every call is one transaction. */
final class ScalingStore {
  /** A stored policy, as {@link dev.atelier.endpoints.scaling.ScalingPolicy#toJson}. */
  record Policy(String endpoint, String variant, String createdBy, long createdAt, ObjectNode policy) {}

  private final Database db;

  ScalingStore(Database db) {
    this.db = db;
  }

  /** Stores the variant's policy, replacing an earlier one. */
  void put(Policy p) {
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("INSERT INTO endpoint_scaling (endpoint_name, variant_name,"
          + " created_by, created_at, policy) VALUES (?, ?, ?, ?, ?) ON CONFLICT (endpoint_name, variant_name)"
          + " DO UPDATE SET created_by = excluded.created_by, created_at = excluded.created_at,"
          + " policy = excluded.policy")) {
        q.setString(1, p.endpoint());
        q.setString(2, p.variant());
        q.setString(3, p.createdBy());
        q.setLong(4, p.createdAt());
        q.setString(5, Json.encode(p.policy()));
        q.executeUpdate();
      }
      return null;
    });
  }

  /** Removes the variant's policy; false when it had none. */
  boolean delete(String endpoint, String variant) {
    return db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement(
          "DELETE FROM endpoint_scaling WHERE endpoint_name = ? AND variant_name = ?")) {
        q.setString(1, endpoint);
        q.setString(2, variant);
        return q.executeUpdate() > 0;
      }
    });
  }

  /** Removes every policy of the endpoint. */
  void deleteEndpoint(String endpoint) {
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("DELETE FROM endpoint_scaling WHERE endpoint_name = ?")) {
        q.setString(1, endpoint);
        q.executeUpdate();
      }
      return null;
    });
  }

  /** Every stored policy, by endpoint and variant. */
  List<Policy> all() {
    return db.tx(c -> {
      List<Policy> out = new ArrayList<>();
      try (PreparedStatement q = c.prepareStatement(
          "SELECT * FROM endpoint_scaling ORDER BY endpoint_name, variant_name"); ResultSet r = q.executeQuery()) {
        while (r.next()) {
          out.add(new Policy(r.getString("endpoint_name"), r.getString("variant_name"), r.getString("created_by"),
              r.getLong("created_at"), object(r.getString("policy"))));
        }
      }
      return out;
    });
  }

  private static ObjectNode object(String json) {
    try {
      return (ObjectNode) Json.mapper().readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
