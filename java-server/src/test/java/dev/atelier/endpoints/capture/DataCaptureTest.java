package dev.atelier.endpoints.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.endpoints.router.InvocationCapture.Captured;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** DataCaptureConfig's validation, the record encoding and the sampling (pure logic). */
class DataCaptureTest {
  private static final String OK = "{\"EnableCapture\": true, \"InitialSamplingPercentage\": 50,"
      + " \"DestinationS3Uri\": \"s3://atelier/capture\", \"CaptureOptions\": [{\"CaptureMode\": \"Input\"},"
      + " {\"CaptureMode\": \"Output\"}]}";

  static JsonNode json(String s) throws Exception {
    return Json.mapper().readTree(s);
  }

  static DataCaptureConfig config(String s) throws Exception {
    return DataCaptureConfig.parse(json(s), "DataCaptureConfig");
  }

  @Test
  void aValidConfigIsRead() throws Exception {
    DataCaptureConfig c = config(OK);
    assertThat(c.enabled()).isTrue();
    assertThat(c.samplingPercentage()).isEqualTo(50);
    assertThat(c.destination().toString()).isEqualTo("s3://atelier/capture");
    assertThat(c.input()).isTrue();
    assertThat(c.output()).isTrue();
    assertThat(c.encoding("text/csv; charset=utf-8")).isEqualTo("CSV");
    assertThat(c.encoding("Application/JSON")).isEqualTo("JSON");
    assertThat(c.encoding("application/x-npy")).isEqualTo("BASE64");
    assertThat(c.encoding(null)).isEqualTo("BASE64");
  }

  @Test
  void badFieldsAreNamedByTheirPath() {
    assertBad("[]", "DataCaptureConfig: must be an object");
    assertBad(OK.replace("50", "101"), "DataCaptureConfig.InitialSamplingPercentage: must be a whole number");
    assertBad(OK.replace("50", "\"50\""), "DataCaptureConfig.InitialSamplingPercentage");
    assertBad(OK.replace("50", "18446744073709551666"), "DataCaptureConfig.InitialSamplingPercentage: must be a whole");
    assertBad(OK.replace("\"InitialSamplingPercentage\": 50,", ""), "DataCaptureConfig.InitialSamplingPercentage: is required");
    assertBad(OK.replace("s3://atelier/capture", "http://x"), "DataCaptureConfig.DestinationS3Uri: 'http://x' is not an S3 URI");
    assertBad(OK.replace("s3://atelier/capture", "s3://A_B/x"), "DataCaptureConfig.DestinationS3Uri:");
    assertBad(OK.replace("\"Output\"", "\"Both\""), "DataCaptureConfig.CaptureOptions[1].CaptureMode: 'Both' is not a mode");
    assertBad(OK.replace("[{\"CaptureMode\": \"Input\"}, {\"CaptureMode\": \"Output\"}]", "[]"),
        "DataCaptureConfig.CaptureOptions: must be a list of 1 to 32");
    assertBad(OK.replace("true", "\"yes\""), "DataCaptureConfig.EnableCapture: must be true or false");
    assertBad(OK.replace("}]}", "}], \"Sampling\": 1}"), "DataCaptureConfig.Sampling: is not a field");
    assertBad(OK.replace("}]}", "}], \"CaptureContentTypeHeader\": {\"CsvContentTypes\": [\"csv\"]}}"),
        "DataCaptureConfig.CaptureContentTypeHeader.CsvContentTypes[0]: 'csv' is not a content type");
    assertBad(OK.replace("}]}", "}], \"CaptureContentTypeHeader\": {\"JsonContentTypes\": []}}"),
        "DataCaptureConfig.CaptureContentTypeHeader.JsonContentTypes: must be a list");
  }

  private static void assertBad(String body, String message) {
    assertThatThrownBy(() -> config(body)).isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).startsWith(message);
    });
  }

  @Test
  void listedTypesAreTextOthersBase64() throws Exception {
    DataCaptureConfig c = config(OK.replace("}]}", "}], \"CaptureContentTypeHeader\": {\"CsvContentTypes\":"
        + " [\"text/csv\"], \"JsonContentTypes\": [\"application/jsonlines\"]}}"));
    byte[] npy = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 0, (byte) 0xff};
    Captured inv = new Captured("ep", "AllTraffic", "req-7", "text/csv", "1,2,3\n".getBytes(StandardCharsets.UTF_8),
        "application/x-npy", npy, Instant.parse("2026-12-03T14:05:06.789123Z"));
    UUID id = UUID.fromString("3c2a4b6e-0000-4000-8000-000000000001");
    JsonNode r = json(CaptureRecord.line(inv, c, id));
    JsonNode in = r.path("captureData").path("endpointInput");
    assertThat(in.path("observedContentType").asText()).isEqualTo("text/csv");
    assertThat(in.path("mode").asText()).isEqualTo("INPUT");
    assertThat(in.path("data").asText()).isEqualTo("1,2,3\n");
    assertThat(in.path("encoding").asText()).isEqualTo("CSV");
    JsonNode out = r.path("captureData").path("endpointOutput");
    assertThat(out.path("mode").asText()).isEqualTo("OUTPUT");
    assertThat(out.path("encoding").asText()).isEqualTo("BASE64");
    assertThat(Base64.getDecoder().decode(out.path("data").asText())).isEqualTo(npy);
    assertThat(r.path("eventMetadata").path("eventId").asText()).isEqualTo(id.toString());
    assertThat(r.path("eventMetadata").path("inferenceId").asText()).isEqualTo("req-7");
    assertThat(r.path("eventMetadata").path("inferenceTime").asText()).isEqualTo("2026-12-03T14:05:06.789Z");
    assertThat(r.path("eventVersion").asText()).isEqualTo("0");
    // application/json is no longer JSON once the header lists its own types
    Captured json = new Captured("ep", "v", null, "application/json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
        "application/jsonlines", "{\"p\":1}\n".getBytes(StandardCharsets.UTF_8), Instant.now());
    JsonNode j = json(CaptureRecord.line(json, c, id));
    assertThat(j.at("/captureData/endpointInput/encoding").asText()).isEqualTo("BASE64");
    assertThat(j.at("/captureData/endpointOutput/encoding").asText()).isEqualTo("JSON");
    assertThat(j.at("/captureData/endpointOutput/data").asText()).isEqualTo("{\"p\":1}\n");
    assertThat(j.path("eventMetadata").has("inferenceId")).isFalse();
  }

  @Test
  void aListedTypeThatIsNotUtf8IsBase64AndOnlyTheChosenModesAreKept() throws Exception {
    DataCaptureConfig c = config(OK.replace(", {\"CaptureMode\": \"Output\"}", ""));
    Captured inv = new Captured("ep", "v", null, "text/csv", new byte[] {(byte) 0xc3, 0x28}, "text/csv",
        "1\n".getBytes(StandardCharsets.UTF_8), Instant.now());
    JsonNode r = json(CaptureRecord.line(inv, c, UUID.randomUUID()));
    assertThat(r.at("/captureData/endpointInput/encoding").asText()).isEqualTo("BASE64");
    assertThat(r.path("captureData").has("endpointOutput")).isFalse();
  }

  @Test
  void samplingFollowsThePercentage() throws Exception {
    AtomicInteger i = new AtomicInteger();
    // a deterministic "random" sweeping [0, 1): exactly the percentage is sampled
    CaptureSink sink = new CaptureSink(null, Files.createTempDirectory("capture-sample"), CaptureSink.Options.DEFAULTS,
        () -> (i.getAndIncrement() % 100) / 100.0);
    assertThat(sink.sample("ep")).isFalse(); // no config
    sink.configure("ep", config(OK.replace("50", "30")));
    int sampled = 0;
    for (int n = 0; n < 1000; n++) {
      sampled += sink.sample("ep") ? 1 : 0;
    }
    assertThat(sampled).isEqualTo(300);
    sink.configure("ep", config(OK.replace("50", "0")));
    assertThat(sink.sample("ep")).isFalse();
    sink.configure("ep", config(OK.replace("50", "100")));
    assertThat(sink.sample("ep")).isTrue();
    sink.configure("ep", config(OK.replace("true", "false")));
    assertThat(sink.sample("ep")).isFalse();
    sink.forget("ep");
    assertThat(sink.sample("ep")).isFalse();
  }

  @Test
  void theSpoolCountsALineInUtf8BytesAsTheWriterWritesIt() {
    for (String line : new String[] {"", "{\"a\":1}", "é", "€uro", "\uD83D\uDE00 smile", "mixé€\uD83D\uDE00"}) {
      assertThat(CaptureSpool.utf8Length(line)).as(line).isEqualTo(line.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void producersOnManyThreadsFillTheBoundedQueueAndTheWriterDrainsItWithoutBeingWoken() throws Exception {
    CaptureSink sink = new CaptureSink(null, Files.createTempDirectory("capture-lockfree"),
        new CaptureSink.Options(50, 1 << 20, java.time.Duration.ofSeconds(30), 10, java.time.Duration.ofSeconds(1)),
        () -> 0);
    sink.configure("ep", config(OK));
    Thread[] producers = new Thread[4];
    for (int t = 0; t < producers.length; t++) {
      producers[t] = Thread.ofPlatform().start(() -> {
        for (int n = 0; n < 100; n++) {
          sink.captured(new Captured("ep", "v", null, "text/csv", new byte[10], "text/csv", new byte[10], Instant.now()));
        }
      });
    }
    for (Thread t : producers) {
      t.join();
    }
    JsonNode s = sink.status("ep");
    assertThat(s.path("Captured").asLong()).as("the queue's bound, whatever the interleaving").isEqualTo(50);
    assertThat(s.path("Dropped").asLong()).isEqualTo(350);
    int drained = 0;
    while (sink.poll(0) != null) {
      drained++;
    }
    assertThat(drained).as("every queued record, at once, with no wait").isEqualTo(50);
    sink.captured(new Captured("ep", "v", null, "text/csv", new byte[10], "text/csv", new byte[10], Instant.now()));
    assertThat(sink.status("ep").path("Captured").asLong()).as("room again once drained").isEqualTo(51);
    assertThat(sink.poll(0)).isNotNull();
    assertThat(sink.poll(0)).isNull();
  }

  @Test
  void aQueueFullByBytesDropsWhatWouldGoOver() throws Exception {
    CaptureSink sink = new CaptureSink(null, Files.createTempDirectory("capture-bytes"),
        new CaptureSink.Options(100, 100, java.time.Duration.ofSeconds(30), 10, java.time.Duration.ofSeconds(1)),
        () -> 0);
    sink.configure("ep", config(OK));
    for (int n = 0; n < 3; n++) {
      sink.captured(new Captured("ep", "v", null, "text/csv", new byte[20], "text/csv", new byte[20], Instant.now()));
    }
    assertThat(sink.status("ep").path("Captured").asLong()).as("40 bytes each, 100 at most").isEqualTo(2);
    assertThat(sink.poll(0)).isNotNull();
    sink.captured(new Captured("ep", "v", null, "text/csv", new byte[20], "text/csv", new byte[20], Instant.now()));
    assertThat(sink.status("ep").path("Captured").asLong()).isEqualTo(3);
  }

  @Test
  void recordIdsAreVersion4UuidsThatDoNotRepeat() {
    java.util.Set<UUID> seen = new java.util.HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      UUID id = CaptureRecord.randomId();
      assertThat(id.version()).isEqualTo(4);
      assertThat(id.variant()).isEqualTo(2);
      seen.add(id);
    }
    assertThat(seen).hasSize(100_000);
  }

  @Test
  void aFullQueueDropsAndCounts() throws Exception {
    CaptureSink sink = new CaptureSink(null, Files.createTempDirectory("capture-full"),
        new CaptureSink.Options(2, 1 << 20, java.time.Duration.ofSeconds(30), 10, java.time.Duration.ofSeconds(1)),
        () -> 0);
    sink.configure("ep", config(OK));
    for (int n = 0; n < 5; n++) {
      sink.captured(new Captured("ep", "v", null, "text/csv", new byte[10], "text/csv", new byte[10], Instant.now()));
    }
    JsonNode s = sink.status("ep");
    assertThat(s.path("Captured").asLong()).isEqualTo(2);
    assertThat(s.path("Dropped").asLong()).isEqualTo(3);
    assertThat(s.path("DroppedSpoolFull").asLong()).as("the queue, not the spool").isZero();
    assertThat(s.path("SpoolMaxBytes").asLong()).isEqualTo(CaptureSink.Options.DEFAULT_SPOOL_BYTES);
    assertThat(s.path("Pending").asLong()).isEqualTo(2);
    assertThat(s.path("CaptureStatus").asText()).isEqualTo("Started");
    assertThat(s.path("CurrentSamplingPercentage").asInt()).isEqualTo(50);
  }
}
