package dev.atelier.endpoints.capture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.ApiException;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * SageMaker's DataCaptureConfig of an endpoint config: {@code {EnableCapture, InitialSamplingPercentage,
 * DestinationS3Uri, KmsKeyId, CaptureOptions: [{CaptureMode: Input|Output|InputAndOutput}],
 * CaptureContentTypeHeader: {CsvContentTypes, JsonContentTypes}}}. Without a CaptureContentTypeHeader,
 * {@code text/csv} is captured as CSV and {@code application/json} as JSON, anything else as BASE64.
 */
public record DataCaptureConfig(boolean enabled, int samplingPercentage, S3Uri destination, boolean input,
    boolean output, Set<String> csvTypes, Set<String> jsonTypes) {
  private static final Set<String> FIELDS = Set.of("EnableCapture", "InitialSamplingPercentage", "DestinationS3Uri",
      "KmsKeyId", "CaptureOptions", "CaptureContentTypeHeader");
  /** SageMaker's pattern for a content type in CaptureContentTypeHeader. */
  private static final Pattern CONTENT_TYPE = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9.+])*/[a-zA-Z0-9](-*[a-zA-Z0-9.+])*");

  public DataCaptureConfig {
    csvTypes = Set.copyOf(csvTypes);
    jsonTypes = Set.copyOf(jsonTypes);
  }

  /**
   * Reads and checks the JSON; a problem is a 400 naming the field by its path below {@code path}
   * (such as {@code DataCaptureConfig.CaptureOptions[0].CaptureMode}).
   */
  public static DataCaptureConfig parse(JsonNode node, String path) {
    String at = path == null || path.isEmpty() ? "DataCaptureConfig" : path;
    if (node == null || !node.isObject()) {
      throw bad(at, "must be an object such as {\"EnableCapture\": true, \"InitialSamplingPercentage\": 100,"
          + " \"DestinationS3Uri\": \"s3://bucket/capture\", \"CaptureOptions\": [{\"CaptureMode\": \"Input\"},"
          + " {\"CaptureMode\": \"Output\"}]}");
    }
    onlyKnown(node, at, FIELDS);
    boolean enabled = true;
    JsonNode e = node.get("EnableCapture");
    if (e != null && !e.isNull()) {
      if (!e.isBoolean()) {
        throw bad(at + ".EnableCapture", "must be true or false");
      }
      enabled = e.asBoolean();
    }
    JsonNode pct = node.get("InitialSamplingPercentage");
    if (pct == null || pct.isNull()) {
      throw bad(at + ".InitialSamplingPercentage", "is required: the percentage of invocations captured, 0 to 100");
    }
    if (!pct.isIntegralNumber() || !pct.canConvertToLong() || pct.asLong() < 0 || pct.asLong() > 100) {
      throw bad(at + ".InitialSamplingPercentage", "must be a whole number from 0 to 100, not " + abbreviate(pct.toString()));
    }
    S3Uri destination = destination(node.get("DestinationS3Uri"), at + ".DestinationS3Uri");
    JsonNode kms = node.get("KmsKeyId");
    if (kms != null && !kms.isNull() && (!kms.isTextual() || kms.asText().length() > 2048)) {
      throw bad(at + ".KmsKeyId", "must be a string of at most 2048 characters");
    }
    boolean input = false;
    boolean output = false;
    JsonNode options = node.get("CaptureOptions");
    if (options == null || options.isNull()) {
      throw bad(at + ".CaptureOptions", "is required: [{\"CaptureMode\": \"Input\"}, {\"CaptureMode\": \"Output\"}]");
    }
    if (!options.isArray() || options.isEmpty() || options.size() > 32) {
      throw bad(at + ".CaptureOptions", "must be a list of 1 to 32 {\"CaptureMode\": \"Input\" | \"Output\"}");
    }
    for (int i = 0; i < options.size(); i++) {
      String p = at + ".CaptureOptions[" + i + "]";
      JsonNode o = options.get(i);
      if (!o.isObject()) {
        throw bad(p, "must be an object {\"CaptureMode\": \"Input\" | \"Output\"}");
      }
      onlyKnown(o, p, Set.of("CaptureMode"));
      JsonNode mode = o.get("CaptureMode");
      String m = mode != null && mode.isTextual() ? mode.asText() : null;
      if ("Input".equals(m)) {
        input = true;
      } else if ("Output".equals(m)) {
        output = true;
      } else if ("InputAndOutput".equals(m)) {
        input = true;
        output = true;
      } else {
        throw bad(p + ".CaptureMode", (mode == null ? "is required" : "'" + abbreviate(mode.asText()) + "' is not a mode")
            + ": one of Input, Output, InputAndOutput");
      }
    }
    Set<String> csv = Set.of("text/csv");
    Set<String> json = Set.of("application/json");
    JsonNode header = node.get("CaptureContentTypeHeader");
    if (header != null && !header.isNull()) {
      String p = at + ".CaptureContentTypeHeader";
      if (!header.isObject()) {
        throw bad(p, "must be an object {\"CsvContentTypes\": [...], \"JsonContentTypes\": [...]}");
      }
      onlyKnown(header, p, Set.of("CsvContentTypes", "JsonContentTypes"));
      csv = contentTypes(header.get("CsvContentTypes"), p + ".CsvContentTypes");
      json = contentTypes(header.get("JsonContentTypes"), p + ".JsonContentTypes");
      for (String t : csv) {
        if (json.contains(t)) {
          throw bad(p, "'" + t + "' is listed both as CSV and as JSON");
        }
      }
    }
    return new DataCaptureConfig(enabled, (int) pct.asLong(), destination, input, output, csv, json);
  }

  /**
   * How a body of this content type is captured: {@code CSV} or {@code JSON} (as text) when its
   * type, without parameters, is listed; otherwise {@code BASE64}.
   */
  public String encoding(String contentType) {
    String base = baseType(contentType);
    if (base == null) {
      return "BASE64";
    }
    if (csvTypes.contains(base)) {
      return "CSV";
    }
    return jsonTypes.contains(base) ? "JSON" : "BASE64";
  }

  static String baseType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    String base = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
    return base.isEmpty() ? null : base;
  }

  private static S3Uri destination(JsonNode node, String path) {
    if (node == null || node.isNull()) {
      throw bad(path, "is required: an S3 URI such as s3://bucket/capture");
    }
    if (!node.isTextual() || node.asText().length() > 512) {
      throw bad(path, "must be an S3 URI of at most 512 characters");
    }
    try {
      return S3Uri.parse(node.asText());
    } catch (IllegalArgumentException e) {
      throw bad(path, e.getMessage());
    }
  }

  private static Set<String> contentTypes(JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return Set.of();
    }
    if (!node.isArray() || node.isEmpty() || node.size() > 10) {
      throw bad(path, "must be a list of 1 to 10 content types such as \"text/csv\"");
    }
    Set<String> types = new LinkedHashSet<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode t = node.get(i);
      if (!t.isTextual() || t.asText().length() > 256 || !CONTENT_TYPE.matcher(t.asText()).matches()) {
        throw bad(path + "[" + i + "]", "'" + abbreviate(t.asText()) + "' is not a content type such as text/csv");
      }
      types.add(t.asText().toLowerCase(java.util.Locale.ROOT));
    }
    return types;
  }

  private static void onlyKnown(JsonNode node, String path, Set<String> known) {
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
      String f = it.next();
      if (!known.contains(f)) {
        unknown.add(f);
      }
    }
    if (!unknown.isEmpty()) {
      throw bad(path + "." + abbreviate(unknown.get(0)), "is not a field of " + path.replaceAll("\\[\\d+]$", "")
          + " (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
    }
  }

  static ApiException bad(String field, String problem) {
    return ApiException.badRequest(field + ": " + problem);
  }

  private static String abbreviate(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
