package dev.atelier.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds {@link AtelierConfig} from layered sources. Keys are camelCase ({@code dataDir}); a
 * system property is {@code atelier.dataDir}, an environment variable {@code ATELIER_DATA_DIR}.
 */
public final class ConfigLoader {
  /** Every key with its default ("" means none). */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("host", "127.0.0.1");
    DEFAULTS.put("port", "8890");
    DEFAULTS.put("token", "");
    DEFAULTS.put("tokenFile", "");
    DEFAULTS.put("dataDir", ".atelier");
    DEFAULTS.put("python", "python3");
    DEFAULTS.put("rootDir", ".");
    DEFAULTS.put("readyFile", "");
    DEFAULTS.put("kernelLaunchTimeoutSeconds", "60");
    DEFAULTS.put("kernelRestartLimit", "5");
    DEFAULTS.put("cullIdleTimeoutSeconds", "0");
    DEFAULTS.put("cullIntervalSeconds", "300");
    DEFAULTS.put("cullConnected", "false");
    DEFAULTS.put("cullBusy", "false");
    DEFAULTS.put("replayBufferMib", "64");
    DEFAULTS.put("maxMessageMib", "256");
    DEFAULTS.put("clientBufferMib", "64");
    DEFAULTS.put("clientDrainSeconds", "5");
    DEFAULTS.put("websocketCompression", "false");
    DEFAULTS.put("frontDoorPort", "-1");
    DEFAULTS.put("jupyterUrl", "http://127.0.0.1:8889");
    DEFAULTS.put("baseUrl", "/");
    DEFAULTS.put("instanceTypesFile", "");
    DEFAULTS.put("defaultInstanceType", "");
    DEFAULTS.put("defaultImage", "auto");
    DEFAULTS.put("dockerHost", "unix:///var/run/docker.sock");
    DEFAULTS.put("instanceStopGraceSeconds", "60");
    DEFAULTS.put("keepInstancesOnStop", "false");
    DEFAULTS.put("cgroupParent", "");
    DEFAULTS.put("databaseUrl", "");
    DEFAULTS.put("databaseUser", "");
    DEFAULTS.put("databasePassword", "");
    DEFAULTS.put("s3Endpoint", "");
    DEFAULTS.put("s3Region", "us-east-1");
    DEFAULTS.put("s3AccessKey", "");
    DEFAULTS.put("s3SecretKey", "");
    DEFAULTS.put("s3PathStyle", "true");
    DEFAULTS.put("s3Port", "0");
    DEFAULTS.put("defaultBucket", "atelier");
    DEFAULTS.put("maxUploadMib", "5120");
    DEFAULTS.put("idleCheckMillis", "15000");
    DEFAULTS.put("jobStopGraceSeconds", "120");
    DEFAULTS.put("jobDownloadRetrySeconds", "120");
    DEFAULTS.put("jobUploadRetrySeconds", "600");
    DEFAULTS.put("captureUploadSeconds", "30");
    DEFAULTS.put("captureSpoolMaxMib", "1024");
    DEFAULTS.put("endpointMinuteSeconds", "60");
    DEFAULTS.put("awsAccountId", "000000000000");
  }

  private ConfigLoader() {}

  /**
   * Merges the layers in order; later layers win.
   *
   * @param configFile a JSON object of keys to values, or null
   * @param env the process environment
   * @param sysprops system properties
   * @param cli options given on the command line
   */
  public static AtelierConfig load(
      Path configFile, Map<String, String> env, Map<Object, Object> sysprops, Map<String, String> cli) {
    Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
    if (configFile != null) {
      values.putAll(readFile(configFile));
    }
    for (String key : DEFAULTS.keySet()) {
      Object prop = sysprops.get("atelier." + key);
      if (prop != null) {
        values.put(key, prop.toString());
      }
      String fromEnv = env.get(envName(key));
      if (fromEnv != null) {
        values.put(key, fromEnv);
      }
    }
    cli.forEach((k, v) -> {
      if (v != null) {
        values.put(k, v);
      }
    });
    return build(values);
  }

  /** {@code dataDir} -> {@code ATELIER_DATA_DIR}. */
  public static String envName(String key) {
    return "ATELIER_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  private static Map<String, String> readFile(Path file) {
    JsonNode root;
    try {
      root = Json.mapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new ConfigException("config file " + file + " is not readable JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException("config file " + file + " must hold a JSON object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    root.properties().forEach(e -> {
      if (!DEFAULTS.containsKey(e.getKey())) {
        throw new ConfigException("config file " + file + ": unknown key '" + e.getKey()
            + "' (known: " + String.join(", ", DEFAULTS.keySet()) + ")");
      }
      out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
    });
    return out;
  }

  private static AtelierConfig build(Map<String, String> v) {
    int port = intValue(v, "port", 0, 65535);
    Path dataDir = Path.of(v.get("dataDir")).toAbsolutePath().normalize();
    Path rootDir = Path.of(v.get("rootDir")).toAbsolutePath().normalize();
    if (!Files.isDirectory(rootDir)) {
      throw new ConfigException("rootDir: " + rootDir + " is not a directory");
    }
    return new AtelierConfig(
        nonEmpty(v, "host"),
        port,
        token(v, dataDir),
        dataDir,
        nonEmpty(v, "python"),
        rootDir,
        v.get("readyFile").isEmpty() ? null : Path.of(v.get("readyFile")).toAbsolutePath(),
        Duration.ofSeconds(intValue(v, "kernelLaunchTimeoutSeconds", 1, 3600)),
        intValue(v, "kernelRestartLimit", 0, 100),
        Duration.ofSeconds(intValue(v, "cullIdleTimeoutSeconds", 0, Integer.MAX_VALUE)),
        Duration.ofSeconds(intValue(v, "cullIntervalSeconds", 1, 86_400)),
        bool(v, "cullConnected"),
        bool(v, "cullBusy"),
        (long) intValue(v, "replayBufferMib", 1, 4096) << 20,
        intValue(v, "maxMessageMib", 11, 1024) << 20,
        (long) intValue(v, "clientBufferMib", 1, 4096) << 20,
        Duration.ofSeconds(intValue(v, "clientDrainSeconds", 1, 3600)),
        bool(v, "websocketCompression"),
        intValue(v, "frontDoorPort", -1, 65535),
        jupyterUrl(v.get("jupyterUrl")),
        baseUrl(v.get("baseUrl")),
        v.get("instanceTypesFile").isBlank() ? null : Path.of(v.get("instanceTypesFile")).toAbsolutePath(),
        v.get("defaultInstanceType").isBlank() ? null : v.get("defaultInstanceType").trim(),
        nonEmpty(v, "defaultImage"),
        v.get("dockerHost").trim(),
        Duration.ofSeconds(intValue(v, "instanceStopGraceSeconds", 0, 86_400)),
        bool(v, "keepInstancesOnStop"),
        cgroupParent(v.get("cgroupParent")),
        databaseUrl(v.get("databaseUrl")),
        v.get("databaseUser").trim(),
        v.get("databasePassword"),
        s3Endpoint(v.get("s3Endpoint")),
        nonEmpty(v, "s3Region"),
        v.get("s3AccessKey").trim(),
        v.get("s3SecretKey").trim(),
        bool(v, "s3PathStyle"),
        intValue(v, "s3Port", 0, 65535),
        bucket(v.get("defaultBucket")),
        (long) intValue(v, "maxUploadMib", 1, 5 << 20) << 20,
        Duration.ofMillis(intValue(v, "idleCheckMillis", 100, 86_400_000)),
        Duration.ofSeconds(intValue(v, "jobStopGraceSeconds", 0, 86_400)),
        Duration.ofSeconds(intValue(v, "jobDownloadRetrySeconds", 0, 86_400)),
        Duration.ofSeconds(intValue(v, "jobUploadRetrySeconds", 0, 86_400)),
        Duration.ofSeconds(intValue(v, "captureUploadSeconds", 1, 3600)),
        (long) intValue(v, "captureSpoolMaxMib", 1, 1 << 24) << 20,
        Duration.ofSeconds(intValue(v, "endpointMinuteSeconds", 1, 60)),
        awsAccountId(v.get("awsAccountId")));
  }

  private static String token(Map<String, String> v, Path dataDir) {
    if (!v.get("token").isEmpty()) {
      return v.get("token");
    }
    String file = v.get("tokenFile");
    if (!file.isEmpty()) {
      try {
        String t = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
        if (t.isEmpty()) {
          throw new ConfigException("tokenFile: " + file + " is empty");
        }
        return t;
      } catch (IOException e) {
        throw new ConfigException("tokenFile: cannot read " + file + ": " + e.getMessage());
      }
    }
    // No token given: generate one so the server is never open. It is printed at start.
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String awsAccountId(String s) {
    String id = s.trim();
    if (!id.matches("\\d{12}")) {
      throw new ConfigException("awsAccountId: '" + id + "' must be 12 digits, as an AWS account id (default 000000000000)");
    }
    return id;
  }

  private static java.net.URI jupyterUrl(String s) {
    try {
      java.net.URI u = new java.net.URI(s.trim());
      if (!"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() <= 0) {
        throw new ConfigException("jupyterUrl: '" + s + "' must look like http://127.0.0.1:8889");
      }
      return u;
    } catch (java.net.URISyntaxException e) {
      throw new ConfigException("jupyterUrl: '" + s + "' is not a URL");
    }
  }

  private static String databaseUrl(String s) {
    String u = s.trim();
    if (!u.isEmpty() && !u.startsWith("jdbc:postgresql:") && !u.startsWith("jdbc:sqlite:")) {
      throw new ConfigException("databaseUrl: '" + u
          + "' must be a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/atelier (empty: SQLite in dataDir)");
    }
    return u;
  }

  private static java.net.URI s3Endpoint(String s) {
    String e = s.trim();
    if (e.isEmpty()) {
      return null;
    }
    try {
      java.net.URI u = new java.net.URI(e);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw new ConfigException("s3Endpoint: '" + s + "' must look like http://127.0.0.1:9000 (empty: embedded)");
      }
      return u;
    } catch (java.net.URISyntaxException ex) {
      throw new ConfigException("s3Endpoint: '" + s + "' is not a URL");
    }
  }

  /** S3's bucket naming rules (3-63 lowercase letters, digits, dots and hyphens). */
  private static String bucket(String s) {
    String b = s.trim();
    if (!b.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      throw new ConfigException("defaultBucket: '" + s + "' is not a valid S3 bucket name");
    }
    return b;
  }

  /** Empty (beside the server's own cgroup), {@code none}, or an absolute cgroup path. */
  private static String cgroupParent(String s) {
    String p = s.trim();
    if (p.isEmpty() || p.equals("none")) {
      return p;
    }
    if (!p.startsWith("/") || p.matches(".*(^|/)\\.\\.?(/|$).*") || p.chars().anyMatch(Character::isISOControl)) {
      throw new ConfigException("cgroupParent: '" + s + "' must be an absolute cgroup path such as /atelier"
          + " (empty: atelier inside the server's own cgroup on cgroup v1, /atelier on v2; none: no limits)");
    }
    return p.length() > 1 ? p.replaceAll("/+$", "") : p;
  }

  private static String baseUrl(String s) {
    String b = s.trim();
    if (!b.startsWith("/") || b.contains("..") || b.contains("?") || b.contains("#")) {
      throw new ConfigException("baseUrl: '" + s + "' must be a path such as / or /user/ada/");
    }
    return b.endsWith("/") ? b : b + "/";
  }

  private static String nonEmpty(Map<String, String> v, String key) {
    String s = v.get(key);
    if (s == null || s.isBlank()) {
      throw new ConfigException(key + ": must not be empty");
    }
    return s.trim();
  }

  private static int intValue(Map<String, String> v, String key, int min, int max) {
    String s = v.get(key).trim();
    try {
      int n = Integer.parseInt(s);
      if (n < min || n > max) {
        throw new ConfigException(key + ": " + n + " is out of range [" + min + ", " + max + "]");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(key + ": '" + s + "' is not a whole number");
    }
  }

  private static boolean bool(Map<String, String> v, String key) {
    String s = v.get(key).trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new ConfigException(key + ": '" + s + "' is not true or false");
    };
  }
}
