package dev.atelier.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An operation's input, read member by member: a wrong type, a value out of range, a name that
 * breaks SageMaker's pattern or a member the operation does not have is a {@code ValidationException}
 * naming the member, worded as AWS words its validation errors.
 */
final class Input {
  /** SageMaker's pattern for job names. */
  static final Pattern NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
  private final JsonNode body;

  private Input(JsonNode body) {
    this.body = body;
  }

  /** The input of {@code operation}, which may have only the {@code members} named. */
  static Input of(String operation, JsonNode body, Set<String> members) {
    var names = body.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!members.contains(n)) {
        throw AwsException.validation("Unknown parameter in input: \"" + SigV4.abbreviate(n) + "\", must be one of: "
            + String.join(", ", new java.util.TreeSet<>(members)) + " (" + operation + ")");
      }
    }
    return new Input(body);
  }

  boolean has(String member) {
    JsonNode v = body.get(member);
    return v != null && !v.isNull();
  }

  /** A string member, or null when absent and not required. */
  String string(String member, boolean required, int max) {
    JsonNode v = body.get(member);
    if (v == null || v.isNull()) {
      if (required) {
        throw AwsException.validation("1 validation error detected: Value null at '" + member
            + "' failed to satisfy constraint: Member must not be null");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw failed(v, member, "Member must be a string");
    }
    String s = v.asText();
    if (s.length() > max) {
      throw failed(v, member, "Member must have length less than or equal to " + max);
    }
    return s;
  }

  /** A string member matching {@code pattern}. */
  String matching(String member, boolean required, int max, Pattern pattern) {
    String s = string(member, required, max);
    if (s != null && !pattern.matcher(s).matches()) {
      throw failed(body.get(member), member, "Member must satisfy regular expression pattern: " + pattern.pattern());
    }
    return s;
  }

  /** A job name: SageMaker's pattern, 1-63 characters. */
  String name(String member) {
    return matching(member, true, 63, NAME);
  }

  /** One of {@code values}, or {@code dflt} when absent. */
  String oneOf(String member, String dflt, List<String> values) {
    String s = string(member, false, 64);
    if (s == null) {
      return dflt;
    }
    if (!values.contains(s)) {
      throw failed(body.get(member), member, "Member must satisfy enum value set: [" + String.join(", ", values) + "]");
    }
    return s;
  }

  /** A whole number from {@code min} to {@code max}, or {@code dflt} when absent. */
  int integer(String member, int dflt, int min, int max) {
    JsonNode v = body.get(member);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw failed(v, member, "Member must be an integer");
    }
    int n = v.asInt();
    if (n < min) {
      throw failed(v, member, "Member must have value greater than or equal to " + min);
    }
    if (n > max) {
      throw failed(v, member, "Member must have value less than or equal to " + max);
    }
    return n;
  }

  /** A whole number, or {@code dflt} when absent. */
  long longValue(String member, long dflt) {
    JsonNode v = body.get(member);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
      throw failed(v, member, "Member must be a whole number of milliseconds since the epoch");
    }
    return v.asLong();
  }

  boolean bool(String member, boolean dflt) {
    JsonNode v = body.get(member);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw failed(v, member, "Member must be a boolean");
    }
    return v.asBoolean();
  }

  /** A timestamp: epoch seconds (botocore sends these, with a fraction when there is one) or ISO 8601. */
  Instant time(String member) {
    JsonNode v = body.get(member);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isNumber()) {
      double s = v.asDouble();
      if (!Double.isFinite(s) || Math.abs(s) > 1e13) {
        throw failed(v, member, "Member must be a timestamp");
      }
      return Instant.ofEpochMilli(Math.round(s * 1000));
    }
    if (v.isTextual()) {
      try {
        return Instant.parse(v.asText());
      } catch (DateTimeParseException e) {
        // refused below
      }
    }
    throw failed(v, member, "Member must be a timestamp (epoch seconds or ISO 8601)");
  }

  private static AwsException failed(JsonNode value, String member, String constraint) {
    String shown = value.isTextual() ? value.asText() : value.toString();
    return AwsException.validation("1 validation error detected: Value '" + SigV4.abbreviate(shown) + "' at '"
        + member + "' failed to satisfy constraint: " + constraint);
  }
}
