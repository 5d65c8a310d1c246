package dev.atelier.endpoints.capture;

import com.fasterxml.jackson.core.JsonGenerator;
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

  /**
   * A random (version 4) UUID for a record's eventId or a file's name, from ThreadLocalRandom:
   * {@link UUID#randomUUID} draws from a SecureRandom, a lock and far more work per record, and
   * nothing here needs an id that cannot be guessed, only one that does not repeat.
   */
  static UUID randomId() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    long high = (r.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long low = (r.nextLong() & ~(0x3L << 62)) | (0x2L << 62); // IETF variant
    return new UUID(high, low);
  }

  /**
   * The record's JSON line, without its newline. Written with Jackson's streaming generator, in
   * the order SageMaker writes the fields: no tree of nodes is built for a record (the writer
   * thread shares the machine's cores with the event loops, so its work per record is the
   * capture's cost to the router's throughput).
   */
  static String line(Captured c, DataCaptureConfig config, UUID eventId) {
    java.io.StringWriter out = new java.io.StringWriter(256 + length(c.request()) + length(c.response()));
    try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("captureData");
      if (config.input()) {
        body(g, "endpointInput", "INPUT", c.requestContentType(), c.request(), config);
      }
      if (config.output()) {
        body(g, "endpointOutput", "OUTPUT", c.responseContentType(), c.response(), config);
      }
      g.writeEndObject();
      g.writeObjectFieldStart("eventMetadata");
      g.writeStringField("eventId", eventId.toString());
      if (c.inferenceId() != null && !c.inferenceId().isEmpty()) {
        g.writeStringField("inferenceId", c.inferenceId());
      }
      g.writeStringField("inferenceTime", c.time().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
      g.writeEndObject();
      g.writeStringField("eventVersion", "0");
      g.writeEndObject();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("a capture record could not be written", e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static int length(byte[] b) {
    return b == null ? 0 : Math.min(b.length, 1 << 20);
  }

  private static void body(JsonGenerator g, String field, String mode, String contentType, byte[] bytes,
      DataCaptureConfig config) throws java.io.IOException {
    byte[] b = bytes == null ? new byte[0] : bytes;
    String encoding = config.encoding(contentType);
    String text = "BASE64".equals(encoding) ? null : utf8(b);
    g.writeObjectFieldStart(field);
    g.writeStringField("observedContentType", contentType == null ? "" : contentType);
    g.writeStringField("mode", mode);
    if (text == null) {
      g.writeStringField("data", Base64.getEncoder().encodeToString(b));
      g.writeStringField("encoding", "BASE64");
    } else {
      g.writeStringField("data", text);
      g.writeStringField("encoding", encoding);
    }
    g.writeEndObject();
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
