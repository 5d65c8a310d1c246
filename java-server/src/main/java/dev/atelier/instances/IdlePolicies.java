package dev.atelier.instances;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.catalog.InstanceType;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Idle shutdown per instance type (SageMaker's kernel-level and instance-level rules): a kernel
 * idle for {@code kernelIdleMinutes} is shut down; an instance with no busy kernel for
 * {@code instanceIdleMinutes} is stopped with its kernels. 0 turns a rule off; both are off until
 * set. Kept in the metadata database.
 */
public final class IdlePolicies {
  public static final int MAX_MINUTES = 7 * 24 * 60;

  /** The rules of one type. */
  public record Policy(String instanceType, int kernelIdleMinutes, int instanceIdleMinutes) {
    public Duration kernelIdle() {
      return Duration.ofMinutes(kernelIdleMinutes);
    }

    public Duration instanceIdle() {
      return Duration.ofMinutes(instanceIdleMinutes);
    }

    public ObjectNode model() {
      ObjectNode n = Json.mapper().createObjectNode();
      n.put("instance_type", instanceType);
      n.put("kernel_idle_minutes", kernelIdleMinutes);
      n.put("instance_idle_minutes", instanceIdleMinutes);
      return n;
    }
  }

  private final Database db;
  private final InstanceCatalog types;
  private final Clock clock;
  private final Map<String, Policy> cache = new ConcurrentHashMap<>();

  public IdlePolicies(Database db, InstanceCatalog types, Clock clock) {
    this.db = db;
    this.types = types;
    this.clock = clock;
    db.tx(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "SELECT instance_type, kernel_idle_minutes, instance_idle_minutes FROM idle_policy");
           ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          cache.put(rs.getString(1), new Policy(rs.getString(1), rs.getInt(2), rs.getInt(3)));
        }
      }
      return null;
    });
  }

  /** Every type's rules, in catalog order. */
  public Map<String, Policy> all() {
    Map<String, Policy> out = new LinkedHashMap<>();
    for (InstanceType t : types.all()) {
      out.put(t.name(), get(t.name()));
    }
    return out;
  }

  public Policy get(String instanceType) {
    return cache.getOrDefault(instanceType, new Policy(instanceType, 0, 0));
  }

  /** Sets a type's rules from a JSON body; a 400 names the field at fault. */
  public Policy put(String instanceType, JsonNode body) {
    // A rule is a setting, not a placement: a listed type this host cannot run (a GPU type on a
    // host without one) takes one too, so the same settings work on every host.
    types.listed(instanceType);
    Policy current = get(instanceType);
    int kernel = minutes(body, "kernel_idle_minutes", current.kernelIdleMinutes());
    int instance = minutes(body, "instance_idle_minutes", current.instanceIdleMinutes());
    for (var it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("kernel_idle_minutes") && !f.equals("instance_idle_minutes")) {
        throw ApiException.badRequest(f + ": unknown field (known: kernel_idle_minutes, instance_idle_minutes)");
      }
    }
    Policy p = new Policy(instanceType, kernel, instance);
    db.tx(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO idle_policy (instance_type, kernel_idle_minutes, "
          + "instance_idle_minutes, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(instance_type) DO UPDATE SET "
          + "kernel_idle_minutes = excluded.kernel_idle_minutes, instance_idle_minutes = excluded.instance_idle_minutes, "
          + "updated_at = excluded.updated_at")) {
        s.setString(1, instanceType);
        s.setInt(2, kernel);
        s.setInt(3, instance);
        s.setLong(4, clock.millis());
        return s.executeUpdate();
      }
    });
    cache.put(instanceType, p);
    return p;
  }

  private static int minutes(JsonNode body, String field, int current) {
    JsonNode v = body.get(field);
    if (v == null) {
      return current;
    }
    if (!v.isInt() || v.asInt() < 0 || v.asInt() > MAX_MINUTES) {
      throw ApiException.badRequest(field + ": must be a whole number of minutes from 0 (off) to " + MAX_MINUTES
          + ", not " + (v.isTextual() ? "\"" + v.asText() + "\"" : v.toString()));
    }
    return v.asInt();
  }
}
