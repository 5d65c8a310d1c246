package dev.atelier.experiments;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One MLflow request's fields, from the JSON body (POST) or the query string (GET), read with the
 * types MLflow's messages declare: a field of the wrong type is INVALID_PARAMETER_VALUE naming it.
 */
final class MlflowRequest {
  /** Python's json writes NaN and Infinity bare; protobuf's JSON writes them as strings. Both are read. */
  private static final ObjectReader READER = Json.mapper().reader()
      .with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());

  private final ObjectNode body;
  private final RoutingContext ctx;

  private MlflowRequest(ObjectNode body, RoutingContext ctx) {
    this.body = body;
    this.ctx = ctx;
  }

  static MlflowRequest of(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return new MlflowRequest(null, ctx);
    }
    JsonNode node;
    try {
      node = READER.readTree(raw.getBytes());
    } catch (IOException e) {
      String m = e.getMessage() == null ? "" : e.getMessage();
      int nl = m.indexOf('\n');
      throw MlflowErrors.invalid("Malformed request body, not valid JSON: " + (nl < 0 ? m : m.substring(0, nl)));
    }
    if (node == null || !node.isObject()) {
      throw MlflowErrors.invalid("The request body must be a JSON object");
    }
    return new MlflowRequest((ObjectNode) node, ctx);
  }

  private JsonNode node(String field) {
    if (body != null) {
      JsonNode n = body.get(field);
      return n == null || n.isNull() ? null : n;
    }
    String v = ctx.request().getParam(field);
    return v == null ? null : Json.mapper().getNodeFactory().textNode(v);
  }

  static RuntimeException wrongType(String field, JsonNode n, String expected) {
    String shown = n.toString();
    return MlflowErrors.invalid("Invalid value " + (shown.length() > 80 ? shown.substring(0, 77) + "..." : shown)
        + " for parameter '" + field + "' supplied: expected " + expected);
  }

  String string(String field) {
    return string(node(field), field);
  }

  static String string(JsonNode n, String field) {
    if (n == null) {
      return null;
    }
    if (!n.isTextual()) {
      throw wrongType(field, n, "a string");
    }
    return n.asText();
  }

  String required(String field) {
    String v = string(field);
    if (v == null || v.isEmpty()) {
      throw MlflowErrors.missing(field);
    }
    return v;
  }

  /** {@code run_id}, or the older {@code run_uuid} the client may send instead. */
  String runId() {
    String id = string("run_id");
    if (id == null || id.isEmpty()) {
      id = string("run_uuid");
    }
    if (id == null || id.isEmpty()) {
      throw MlflowErrors.missing("run_id");
    }
    return id;
  }

  Long integer(String field) {
    return integer(node(field), field);
  }

  static Long integer(JsonNode n, String field) {
    if (n == null) {
      return null;
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.asLong();
    }
    if (n.isTextual()) {
      try {
        return Long.parseLong(n.asText().trim());
      } catch (NumberFormatException e) {
        // falls through to the error
      }
    }
    throw wrongType(field, n, "an integer");
  }

  static double number(JsonNode n, String field) {
    if (n == null) {
      throw MlflowErrors.missing(field);
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    if (n.isTextual()) {
      String s = n.asText().trim();
      switch (s) {
        case "NaN":
          return Double.NaN;
        case "Infinity", "inf":
          return Double.POSITIVE_INFINITY;
        case "-Infinity", "-inf":
          return Double.NEGATIVE_INFINITY;
        default:
          try {
            return Double.parseDouble(s);
          } catch (NumberFormatException e) {
            break;
          }
      }
    }
    throw wrongType(field, n, "a number");
  }

  JsonNode raw(String field) {
    return node(field);
  }

  /** A repeated string field: a JSON array of strings, or the repeated query parameter. */
  List<String> strings(String field) {
    if (body == null) {
      return ctx.request().params().getAll(field);
    }
    JsonNode n = node(field);
    List<String> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    if (!n.isArray()) {
      throw wrongType(field, n, "a list of strings");
    }
    for (JsonNode e : n) {
      out.add(string(e, field));
    }
    return out;
  }

  /** A repeated message field: a JSON array of objects. */
  List<JsonNode> objects(String field) {
    JsonNode n = body == null ? null : node(field);
    List<JsonNode> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    if (!n.isArray()) {
      throw wrongType(field, n, "a list of objects");
    }
    for (JsonNode e : n) {
      if (!e.isObject()) {
        throw wrongType(field, e, "an object");
      }
      out.add(e);
    }
    return out;
  }

  /** {@code [{"key": k, "value": v}, ...]} as an ordered map. */
  Map<String, String> keyValues(String field) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode t : objects(field)) {
      String key = string(t.get("key"), field + ".key");
      if (key == null || key.isEmpty()) {
        throw MlflowErrors.missing(field + ".key");
      }
      String value = string(t.get("value"), field + ".value");
      out.put(key, value == null ? "" : value);
    }
    return out;
  }
}
