package dev.atelier.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.config.ConfigException;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The instance types users pick from: SageMaker's names with their vCPUs, memory, GPUs and an
 * hourly price. Built in ({@code instance-types.json}); replaced by a file of the same shape
 * ({@code instanceTypesFile}).
 */
public final class InstanceCatalog {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{0,62}");

  private final Map<String, InstanceType> types;
  private final String defaultType;
  private final int hostGpus;

  InstanceCatalog(Map<String, InstanceType> types, String defaultType, int hostGpus) {
    this.types = types;
    this.defaultType = defaultType;
    this.hostGpus = hostGpus;
  }

  /**
   * @param file a catalog file, or null for the built-in one
   * @param defaultOverride the default type from the configuration, or null for the catalog's own
   */
  public static InstanceCatalog load(Path file, String defaultOverride, int hostGpus) {
    String where = file == null ? "the built-in instance type catalog" : "instance type catalog " + file;
    JsonNode root;
    try (InputStream in = file == null
        ? InstanceCatalog.class.getResourceAsStream("/instance-types.json")
        : Files.newInputStream(file)) {
      root = Json.mapper().readTree(in);
    } catch (IOException e) {
      throw new ConfigException(where + " is not readable JSON: " + e.getMessage());
    }
    if (root == null || !root.path("types").isArray() || root.path("types").isEmpty()) {
      throw new ConfigException(where + ": needs a non-empty array 'types'");
    }
    Map<String, InstanceType> types = new LinkedHashMap<>();
    int i = 0;
    for (JsonNode t : root.path("types")) {
      String at = where + ": types[" + i++ + "]";
      String name = t.path("name").asText("");
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException(at + ".name: '" + name + "' is not a valid instance type name");
      }
      double vcpus = positive(t, "vcpus", at);
      double memGib = positive(t, "memory_gib", at);
      int gpus = t.path("gpus").asInt(0);
      if (gpus < 0) {
        throw new ConfigException(at + ".gpus: must not be negative");
      }
      double price = t.path("price_per_hour").asDouble(0);
      if (price < 0) {
        throw new ConfigException(at + ".price_per_hour: must not be negative");
      }
      if (types.put(name, new InstanceType(name, vcpus, (long) (memGib * (1L << 30)), gpus, price,
          t.path("description").asText(""))) != null) {
        throw new ConfigException(at + ".name: '" + name + "' appears twice");
      }
    }
    String def = defaultOverride != null && !defaultOverride.isBlank() ? defaultOverride : root.path("default").asText("");
    if (!types.containsKey(def)) {
      throw new ConfigException("default instance type '" + def + "' is not in " + where + " (" + String.join(", ", types.keySet()) + ")");
    }
    return new InstanceCatalog(types, def, hostGpus);
  }

  private static double positive(JsonNode t, String field, String at) {
    JsonNode v = t.path(field);
    if (!v.isNumber() || v.asDouble() <= 0) {
      throw new ConfigException(at + "." + field + ": must be a positive number");
    }
    return v.asDouble();
  }

  /** GPUs on this host: the NVIDIA device nodes the driver creates. */
  public static int detectHostGpus() {
    try (Stream<Path> dev = Files.list(Path.of("/dev"))) {
      return (int) dev.filter(p -> p.getFileName().toString().matches("nvidia[0-9]+")).count();
    } catch (IOException e) {
      return 0;
    }
  }

  public List<InstanceType> all() {
    return new ArrayList<>(types.values());
  }

  public InstanceType defaultType() {
    return types.get(defaultType);
  }

  public int hostGpus() {
    return hostGpus;
  }

  /** Why the type cannot run here, or null when it can. */
  public String unavailableReason(InstanceType t) {
    if (t.gpus() > hostGpus) {
      return t.name() + " needs " + t.gpus() + " GPU" + (t.gpus() > 1 ? "s" : "") + "; this host has "
          + (hostGpus == 0 ? "none" : hostGpus);
    }
    return null;
  }

  /**
   * A listed type, whether or not this host can run it, or a 400 listing the valid ones: for
   * settings of a type (idle rules), which mean something on any host the catalog is used on.
   */
  public InstanceType listed(String name) {
    InstanceType t = types.get(name);
    if (t == null) {
      throw ApiException.badRequest("unknown instance type '" + name + "'; valid types: "
          + String.join(", ", types.keySet()));
    }
    return t;
  }

  /** The type to place something on, or a 400 listing the valid ones (or saying why it cannot run on this host). */
  public InstanceType require(String name) {
    InstanceType t = listed(name);
    String why = unavailableReason(t);
    if (why != null) {
      throw ApiException.badRequest("instance type " + why);
    }
    return t;
  }
}
