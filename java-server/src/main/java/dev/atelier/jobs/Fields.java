package dev.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.ApiException;
import dev.atelier.storage.KeyPolicy;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a JSON request field by field, failing with a 400 that names the field by its path
 * ({@code InputDataConfig[0].DataSource.S3DataSource.S3Uri}) and says what is wrong.
 */
public final class Fields {
  /** SageMaker's resource name rule; it also keeps names safe as file and container names. */
  public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");

  private Fields() {}

  public static ApiException bad(String path, String message) {
    return ApiException.badRequest(path + ": " + message);
  }

  /** Refuses fields not in {@code known} (typos would otherwise be ignored silently). */
  public static void onlyKnown(JsonNode obj, String path, Set<String> known) {
    for (var it = obj.fieldNames(); it.hasNext();) {
      String f = it.next();
      if (!known.contains(f)) {
        throw bad(join(path, f), "unknown field (known: " + String.join(", ", known) + ")");
      }
    }
  }

  public static JsonNode object(JsonNode parent, String field, String path, boolean required) {
    JsonNode n = parent.get(field);
    String p = join(path, field);
    if (n == null || n.isNull()) {
      if (required) {
        throw bad(p, "is required");
      }
      return null;
    }
    if (!n.isObject()) {
      throw bad(p, "must be an object, not " + kind(n));
    }
    return n;
  }

  public static JsonNode array(JsonNode parent, String field, String path, int max) {
    JsonNode n = parent.get(field);
    String p = join(path, field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isArray()) {
      throw bad(p, "must be an array, not " + kind(n));
    }
    if (n.size() > max) {
      throw bad(p, "has " + n.size() + " items; at most " + max + " are allowed");
    }
    return n;
  }

  public static String string(JsonNode parent, String field, String path, boolean required, int maxLength) {
    JsonNode n = parent.get(field);
    String p = join(path, field);
    if (n == null || n.isNull()) {
      if (required) {
        throw bad(p, "is required");
      }
      return null;
    }
    if (!n.isTextual()) {
      throw bad(p, "must be a string, not " + kind(n));
    }
    return checkString(n.asText(), p, maxLength);
  }

  public static String checkString(String s, String path, int maxLength) {
    if (s.length() > maxLength) {
      throw bad(path, "is " + s.length() + " characters long; at most " + maxLength + " are allowed");
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == 0) {
        throw bad(path, "must not contain NUL characters");
      }
    }
    return s;
  }

  public static String oneOf(JsonNode parent, String field, String path, String dflt, String... allowed) {
    String s = string(parent, field, path, false, 64);
    if (s == null) {
      return dflt;
    }
    for (String a : allowed) {
      if (a.equals(s)) {
        return s;
      }
    }
    throw bad(join(path, field), "'" + s + "' is not supported (supported: " + String.join(", ", allowed) + ")");
  }

  public static Long integer(JsonNode parent, String field, String path, boolean required, long min, long max) {
    JsonNode n = parent.get(field);
    String p = join(path, field);
    if (n == null || n.isNull()) {
      if (required) {
        throw bad(p, "is required");
      }
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw bad(p, "must be a whole number, not " + kind(n));
    }
    long v = n.asLong();
    if (v < min || v > max) {
      throw bad(p, v + " is out of range [" + min + ", " + max + "]");
    }
    return v;
  }

  public static String name(JsonNode parent, String field, String path) {
    String s = string(parent, field, path, true, 63);
    if (!NAME.matcher(s).matches()) {
      throw bad(join(path, field), "'" + s + "' must be 1-63 letters, digits and hyphens, starting and ending"
          + " with a letter or digit");
    }
    return s;
  }

  /**
   * An {@code s3://} URI checked up front by the store's key policy, as what it is used for (one
   * object, or a prefix objects are read from or written below), so that a job is refused before
   * anything runs rather than failing when it reaches the store.
   */
  public static S3Uri s3(JsonNode parent, String field, String path, boolean required, KeyPolicy keys, KeyPolicy.Use use) {
    String s = string(parent, field, path, required, 1100);
    if (s == null) {
      return null;
    }
    return s3(s, join(path, field), keys, use);
  }

  public static S3Uri s3(String value, String path, KeyPolicy keys, KeyPolicy.Use use) {
    S3Uri uri;
    try {
      uri = S3Uri.parse(value);
    } catch (IllegalArgumentException e) {
      throw bad(path, e.getMessage());
    }
    String problem = keys.problem(uri.key(), use);
    if (problem != null) {
      throw bad(path, "'" + uri + "': " + problem);
    }
    return uri;
  }

  /** The object the job will write at {@code relative} below {@code prefix}, checked as {@link #s3} checks. */
  public static S3Uri below(S3Uri prefix, String relative, String path, KeyPolicy keys) {
    S3Uri uri;
    try {
      uri = prefix.child(relative);
    } catch (IllegalArgumentException e) {
      throw bad(path, "'" + prefix + "' cannot hold the job's " + relative + ": " + e.getMessage());
    }
    String problem = keys.problem(uri.key(), KeyPolicy.Use.OBJECT);
    if (problem != null) {
      throw bad(path, "'" + prefix + "' cannot hold the job's " + relative + " ('" + uri + "'): " + problem);
    }
    return uri;
  }

  /** A string-to-string map with bounded size, key and value lengths, keys matching {@code keyRule}. */
  public static Map<String, String> stringMap(JsonNode parent, String field, String path, int maxEntries, int maxKey,
      int maxValue, Pattern keyRule) {
    JsonNode n = object(parent, field, path, false);
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null) {
      return out;
    }
    String p = join(path, field);
    if (n.size() > maxEntries) {
      throw bad(p, "has " + n.size() + " entries; at most " + maxEntries + " are allowed");
    }
    for (var it = n.properties().iterator(); it.hasNext();) {
      var e = it.next();
      String kp = p + "." + e.getKey();
      checkString(e.getKey(), kp + " (the key)", maxKey);
      if (keyRule != null && !keyRule.matcher(e.getKey()).matches()) {
        throw bad(kp, "'" + e.getKey() + "' is not a valid name (" + keyRule.pattern() + ")");
      }
      if (!e.getValue().isTextual()) {
        throw bad(kp, "must be a string, not " + kind(e.getValue()));
      }
      out.put(e.getKey(), checkString(e.getValue().asText(), kp, maxValue));
    }
    return out;
  }

  public static List<String> strings(JsonNode parent, String field, String path, int maxItems, int maxLength) {
    JsonNode n = array(parent, field, path, maxItems);
    List<String> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    for (int i = 0; i < n.size(); i++) {
      String p = join(path, field) + "[" + i + "]";
      if (!n.get(i).isTextual()) {
        throw bad(p, "must be a string, not " + kind(n.get(i)));
      }
      out.add(checkString(n.get(i).asText(), p, maxLength));
    }
    return out;
  }

  public static String join(String path, String field) {
    return path == null || path.isEmpty() ? field : path + "." + field;
  }

  private static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      default -> "null";
    };
  }
}
