package dev.atelier.endpoints.capture;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.router.InvocationCapture.Captured;
import dev.atelier.http.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * One captured invocation as a line of SageMaker's capture files: {@code {"captureData":
 * {"endpointInput": {observedContentType, mode: "INPUT", data, encoding}, "endpointOutput": {...,
 * mode: "OUTPUT"}}, "eventMetadata": {eventId, inferenceId, inferenceTime}, "eventVersion": "0"}}.
 * A body whose content type the config lists as CSV or JSON is kept as text (when it is UTF-8),
 * any other as BASE64.
 */
final class CaptureRecord {
  private CaptureRecord() {}

  /** The record's JSON line, without its newline. */
  static String line(Captured c, DataCaptureConfig config, UUID eventId) {
    ObjectNode root = Json.mapper().createObjectNode();
    ObjectNode data = root.putObject("captureData");
    if (config.input()) {
      body(data.putObject("endpointInput"), "INPUT", c.requestContentType(), c.request(), config);
    }
    if (config.output()) {
      body(data.putObject("endpointOutput"), "OUTPUT", c.responseContentType(), c.response(), config);
    }
    ObjectNode meta = root.putObject("eventMetadata");
    meta.put("eventId", eventId.toString());
    if (c.inferenceId() != null && !c.inferenceId().isEmpty()) {
      meta.put("inferenceId", c.inferenceId());
    }
    meta.put("inferenceTime", c.time().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
    root.put("eventVersion", "0");
    return Json.encode(root);
  }

  private static void body(ObjectNode node, String mode, String contentType, byte[] bytes, DataCaptureConfig config) {
    byte[] b = bytes == null ? new byte[0] : bytes;
    String encoding = config.encoding(contentType);
    String text = "BASE64".equals(encoding) ? null : utf8(b);
    node.put("observedContentType", contentType == null ? "" : contentType);
    node.put("mode", mode);
    if (text == null) {
      node.put("data", Base64.getEncoder().encodeToString(b));
      node.put("encoding", "BASE64");
    } else {
      node.put("data", text);
      node.put("encoding", encoding);
    }
  }

  /** The bytes as text, or null when they are not UTF-8. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
