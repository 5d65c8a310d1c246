package dev.atelier.sagemaker;

import dev.atelier.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The tags of the resources the SageMaker-compatible API serves, in the metadata database: per
 * owner and resource (its ARN's type and lower-cased name), key to value. Every call is one
 * transaction.
 */
final class TagStore {
  /** A tag as SageMaker shows it. */
  record Tag(String key, String value) {}

  private final Database db;

  TagStore(Database db) {
    this.db = db;
  }

  /**
   * Sets the tags (a key already there gets the new value), unless the resource would then have
   * more than {@code max}: then nothing changes and this answers false.
   */
  boolean put(String owner, String type, String name, Map<String, String> tags, int max, long now) {
    return db.tx(c -> {
      List<Tag> existing = read(c, owner, type, name);
      long added = tags.keySet().stream().filter(k -> existing.stream().noneMatch(t -> t.key().equals(k))).count();
      if (existing.size() + added > max) {
        return false;
      }
      try (PreparedStatement q = c.prepareStatement("INSERT INTO sagemaker_tags (owner, resource_type, resource_name,"
          + " tag_key, tag_value, added_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner, resource_type, resource_name,"
          + " tag_key) DO UPDATE SET tag_value = excluded.tag_value")) {
        for (Map.Entry<String, String> t : tags.entrySet()) {
          q.setString(1, owner);
          q.setString(2, type);
          q.setString(3, name);
          q.setString(4, t.getKey());
          q.setString(5, t.getValue());
          q.setLong(6, now);
          q.addBatch();
        }
        q.executeBatch();
      }
      return true;
    });
  }

  /** The resource's tags, by key. */
  List<Tag> list(String owner, String type, String name) {
    return db.tx(c -> read(c, owner, type, name));
  }

  /** Removes the keys named; keys the resource does not have are left alone. */
  void delete(String owner, String type, String name, Collection<String> keys) {
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("DELETE FROM sagemaker_tags WHERE owner = ? AND resource_type = ?"
          + " AND resource_name = ? AND tag_key = ?")) {
        for (String k : keys) {
          q.setString(1, owner);
          q.setString(2, type);
          q.setString(3, name);
          q.setString(4, k);
          q.addBatch();
        }
        q.executeBatch();
      }
      return null;
    });
  }

  private static List<Tag> read(java.sql.Connection c, String owner, String type, String name)
      throws java.sql.SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT tag_key, tag_value FROM sagemaker_tags WHERE owner = ?"
        + " AND resource_type = ? AND resource_name = ? ORDER BY tag_key")) {
      q.setString(1, owner);
      q.setString(2, type);
      q.setString(3, name);
      try (ResultSet rs = q.executeQuery()) {
        List<Tag> out = new ArrayList<>();
        while (rs.next()) {
          out.add(new Tag(rs.getString(1), rs.getString(2)));
        }
        return out;
      }
    }
  }
}
