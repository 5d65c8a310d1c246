package dev.atelier.instances;

import dev.atelier.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Instance-seconds per type, kept in the metadata database so they survive restarts. An instance
 * is billed from its start to its stop, whatever runs on it (SageMaker's rule); an instance left
 * running by a server that died is billed up to the last time it was seen running.
 */
public final class UsageMeter {
  private final Database db;
  private final Clock clock;

  public UsageMeter(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Clock clock() {
    return clock;
  }

  public void started(String instanceId, String type, String image, String runtime) {
    long now = clock.millis();
    db.tx(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO instance_usage "
          + "(instance_id, instance_type, image, runtime, started_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)")) {
        s.setString(1, instanceId);
        s.setString(2, type);
        s.setString(3, image);
        s.setString(4, runtime);
        s.setLong(5, now);
        s.setLong(6, now);
        return s.executeUpdate();
      }
    });
  }

  /** The instances are still running now. */
  public void seen(Collection<String> instanceIds) {
    if (instanceIds.isEmpty()) {
      return;
    }
    long now = clock.millis();
    db.tx(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE instance_usage SET last_seen_at = ? WHERE instance_id = ? AND stopped_at IS NULL")) {
        for (String id : instanceIds) {
          s.setLong(1, now);
          s.setString(2, id);
          s.addBatch();
        }
        return s.executeBatch().length;
      }
    });
  }

  public void stopped(String instanceId, String reason) {
    long now = clock.millis();
    db.tx(c -> {
      try (PreparedStatement s = c.prepareStatement("UPDATE instance_usage SET stopped_at = ?, last_seen_at = ?, "
          + "stop_reason = ? WHERE instance_id = ? AND stopped_at IS NULL")) {
        s.setLong(1, now);
        s.setLong(2, now);
        s.setString(3, reason);
        s.setString(4, instanceId);
        return s.executeUpdate();
      }
    });
  }

  /** At start: instances a previous server left open end when they were last seen. */
  public int closeLeftOpen(Collection<String> adopted, String reason) {
    return db.tx(c -> {
      int n = 0;
      try (PreparedStatement q = c.prepareStatement("SELECT instance_id FROM instance_usage WHERE stopped_at IS NULL");
           ResultSet rs = q.executeQuery();
           PreparedStatement u = c.prepareStatement(
               "UPDATE instance_usage SET stopped_at = last_seen_at, stop_reason = ? WHERE instance_id = ?")) {
        while (rs.next()) {
          String id = rs.getString(1);
          if (!adopted.contains(id)) {
            u.setString(1, reason);
            u.setString(2, id);
            u.addBatch();
            n++;
          }
        }
        u.executeBatch();
      }
      return n;
    });
  }

  /** Seconds per instance type within [from, to); running instances count up to now. */
  public Map<String, Double> secondsByType(Instant from, Instant to) {
    long f = from.toEpochMilli();
    long t = to.toEpochMilli();
    long now = clock.millis();
    return db.tx(c -> {
      Map<String, Double> out = new TreeMap<>();
      try (PreparedStatement s = c.prepareStatement("SELECT instance_type, started_at, stopped_at FROM instance_usage "
          + "WHERE started_at < ? AND (stopped_at IS NULL OR stopped_at > ?)")) {
        s.setLong(1, t);
        s.setLong(2, f);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            long start = Math.max(rs.getLong(2), f);
            long stop = rs.getObject(3) == null ? now : rs.getLong(3);
            long end = Math.min(stop, t);
            if (end > start) {
              out.merge(rs.getString(1), (end - start) / 1000.0, Double::sum);
            }
          }
        }
      }
      return out;
    });
  }
}
