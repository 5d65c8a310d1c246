package dev.atelier.jobs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.atelier.http.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON as SageMaker's training toolkit reads and writes it in Python, so that the variables the
 * server sets are byte for byte what the toolkit would set: {@code json.loads} with the toolkit's
 * fallback to the string itself, {@code json.dumps(v, sort_keys=True, separators=(",", ":"),
 * ensure_ascii=True)} and Python's {@code str()} of a value.
 */
final class PythonJson {
  private static final ObjectReader STRICT = Json.mapper().reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private PythonJson() {}

  /** {@code json.loads(value)}, or the string itself when it is not JSON (as the toolkit decodes hyperparameters). */
  static JsonNode decode(String value) {
    try {
      JsonNode n = STRICT.readTree(value.strip());
      return n == null || n.isMissingNode() ? TextNode.valueOf(value) : n;
    } catch (java.io.IOException e) {
      return TextNode.valueOf(value);
    }
  }

  /** A variable's value as the toolkit's {@code to_env_vars} writes it: strings as they are, the rest as compact JSON. */
  static String envValue(JsonNode v) {
    return v == null || v.isNull() ? "" : v.isTextual() ? v.asText() : dumps(v);
  }

  /** {@code json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=True)}. */
  static String dumps(JsonNode v) {
    StringBuilder b = new StringBuilder();
    write(v, b);
    return b.toString();
  }

  private static void write(JsonNode v, StringBuilder b) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      b.append("null");
    } else if (v.isTextual()) {
      string(v.asText(), b);
    } else if (v.isBoolean()) {
      b.append(v.booleanValue() ? "true" : "false");
    } else if (v.isIntegralNumber()) {
      b.append(v.bigIntegerValue());
    } else if (v.isNumber()) {
      b.append(floatRepr(v.doubleValue()));
    } else if (v.isArray()) {
      b.append('[');
      for (int i = 0; i < v.size(); i++) {
        b.append(i == 0 ? "" : ",");
        write(v.get(i), b);
      }
      b.append(']');
    } else {
      List<String> keys = new ArrayList<>();
      v.fieldNames().forEachRemaining(keys::add);
      // Python sorts str keys by code point; Java's String order is by UTF-16 unit, the same
      // but for characters above U+FFFF against U+E000-U+FFFF, which no key here uses.
      keys.sort(null);
      b.append('{');
      for (int i = 0; i < keys.size(); i++) {
        b.append(i == 0 ? "" : ",");
        string(keys.get(i), b);
        b.append(':');
        write(v.get(keys.get(i)), b);
      }
      b.append('}');
    }
  }

  private static void string(String s, StringBuilder b) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  /** Python's {@code repr(float)}: the shortest digits that read back, with an exponent outside 1e-4 .. 1e16. */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0.0" : "0.0";
    }
    BigDecimal shortest = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    String digits = shortest.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - shortest.scale();
    String sign = d < 0 ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
    String plain = shortest.abs().toPlainString();
    return sign + (plain.contains(".") ? plain : plain + ".0");
  }

  /** Python's {@code str(v)} of a decoded value, as the toolkit's {@code to_cmd_args} writes an argument. */
  static String str(JsonNode v) {
    if (v == null || v.isNull()) {
      return "None";
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isBoolean()) {
      return v.booleanValue() ? "True" : "False";
    }
    if (v.isIntegralNumber()) {
      return v.bigIntegerValue().toString();
    }
    if (v.isNumber()) {
      String r = floatRepr(v.doubleValue());
      return r.equals("NaN") ? "nan" : r.equals("Infinity") ? "inf" : r.equals("-Infinity") ? "-inf" : r;
    }
    StringBuilder b = new StringBuilder();
    if (v.isArray()) {
      b.append('[');
      for (int i = 0; i < v.size(); i++) {
        b.append(i == 0 ? "" : ", ").append(repr(v.get(i)));
      }
      return b.append(']').toString();
    }
    b.append('{');
    Iterator<Map.Entry<String, JsonNode>> it = v.properties().iterator();
    for (boolean first = true; it.hasNext(); first = false) {
      Map.Entry<String, JsonNode> e = it.next();
      b.append(first ? "" : ", ").append(repr(TextNode.valueOf(e.getKey()))).append(": ").append(repr(e.getValue()));
    }
    return b.append('}').toString();
  }

  private static String repr(JsonNode v) {
    if (v != null && v.isTextual()) {
      String s = v.asText();
      char quote = s.contains("'") && !s.contains("\"") ? '"' : '\'';
      StringBuilder b = new StringBuilder().append(quote);
      for (char c : s.toCharArray()) {
        b.append(c == '\\' ? "\\\\" : c == quote ? "\\" + quote : c == '\n' ? "\\n" : c == '\t' ? "\\t" : String.valueOf(c));
      }
      return b.append(quote).toString();
    }
    return str(v);
  }
}
