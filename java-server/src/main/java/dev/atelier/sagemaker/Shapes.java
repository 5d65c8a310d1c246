package dev.atelier.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Atelier's SageMaker-shaped documents as SageMaker's wire carries them: timestamps as epoch
 * seconds (JSON numbers with a fraction), ARNs in AWS's form with the configured account and the
 * caller's region.
 */
final class Shapes {
  private Shapes() {}

  /** {@code arn:aws:sagemaker:<region>:<account>:<type>/<name in lower case>}. */
  static String arn(String region, String account, String type, String name) {
    return "arn:aws:sagemaker:" + region + ":" + account + ":" + type + "/" + name.toLowerCase(Locale.ROOT);
  }

  /** Epoch seconds with milliseconds, as AWS answers ({@code 1529870369.986}). */
  static DoubleNode seconds(Instant t) {
    return DoubleNode.valueOf(t.toEpochMilli() / 1000.0);
  }

  /** A copy of {@code doc} with every ISO-8601 timestamp member ({@code *Time}, {@code Timestamp}) in epoch seconds. */
  static ObjectNode withEpochTimes(ObjectNode doc) {
    ObjectNode copy = doc.deepCopy();
    convert(copy);
    return copy;
  }

  private static void convert(JsonNode node) {
    if (node instanceof ObjectNode o) {
      var fields = o.properties().iterator();
      java.util.List<String> names = new java.util.ArrayList<>();
      fields.forEachRemaining(e -> names.add(e.getKey()));
      for (String name : names) {
        JsonNode v = o.get(name);
        if (v.isTextual() && (name.endsWith("Time") || name.equals("Timestamp"))) {
          Instant t = instant(v.asText());
          if (t != null) {
            o.set(name, seconds(t));
          }
        } else {
          convert(v);
        }
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(Shapes::convert);
    }
  }

  /** The instant an ISO-8601 text names, or null. */
  static Instant instant(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
