package dev.atelier.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireCodecTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // Made by jupyter_server's serialize_binary_message for a comm_msg with buffers [00 01 02] and "xyz".
  private static final String JUPYTER_BINARY =
      "AAAAAwAAABAAAACWAAAAmXsiaGVhZGVyIjogeyJtc2dfaWQiOiAiYjIiLCAibXNnX3R5cGUiOiAiY29tbV9tc2cifSwgInBhcmVudF9oZWFkZXIi"
          + "OiB7fSwgIm1ldGFkYXRhIjoge30sICJjb250ZW50IjogeyJkYXRhIjoge319LCAiY2hhbm5lbCI6ICJzaGVsbCJ9AAECeHl6";

  @Test
  void readsJupyterServersLegacyBinaryFrames() {
    WireMessage m = WireCodec.fromLegacyBinary(Base64.getDecoder().decode(JUPYTER_BINARY));
    assertThat(m.channel()).isEqualTo("shell");
    assertThat(m.msgType()).isEqualTo("comm_msg");
    assertThat(m.buffers()).hasSize(2);
    assertThat(m.buffers().get(0)).containsExactly(0, 1, 2);
    assertThat(new String(m.buffers().get(1), StandardCharsets.UTF_8)).isEqualTo("xyz");
  }

  @Test
  void binaryFramesRoundTripWithBuffersIntact() throws Exception {
    byte[] big = new byte[1 << 20];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    WireMessage m = new WireMessage("iopub", "m1", "comm_msg", b("{\"msg_id\":\"m1\",\"msg_type\":\"comm_msg\"}"),
        b("{}"), b("{}"), b("{\"comm_id\":\"c\"}"), List.of(big, b("tail")));
    byte[] frame = WireCodec.toLegacyBinary(m);
    // A client echoes the JSON back on shell: rewrite the channel and parse as a client frame.
    WireMessage back = WireCodec.fromLegacyBinary(withShellChannel(frame));
    assertThat(back.buffers().get(0)).isEqualTo(big);
    assertThat(back.buffers().get(1)).isEqualTo(b("tail"));
    assertThat(Json.mapper().readTree(back.content()).path("comm_id").asText()).isEqualTo("c");
  }

  private static byte[] withShellChannel(byte[] frame) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(frame);
    int n = in.getInt();
    int[] offsets = new int[n + 1];
    for (int i = 0; i < n; i++) {
      offsets[i] = in.getInt();
    }
    offsets[n] = frame.length;
    String json = new String(frame, offsets[0], offsets[1] - offsets[0], StandardCharsets.UTF_8)
        .replace("\"channel\":\"iopub\"", "\"channel\":\"shell\"");
    List<byte[]> parts = new ArrayList<>();
    parts.add(b(json));
    for (int i = 1; i < n; i++) {
      parts.add(java.util.Arrays.copyOfRange(frame, offsets[i], offsets[i + 1]));
    }
    int header = 4 * (n + 1);
    int total = header + parts.stream().mapToInt(p -> p.length).sum();
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(total);
    out.putInt(n);
    int off = header;
    for (byte[] p : parts) {
      out.putInt(off);
      off += p.length;
    }
    parts.forEach(out::put);
    return out.array();
  }

  @Test
  void legacyJsonKeepsContentBytesVerbatim() throws Exception {
    byte[] content = b("{\"name\":\"stdout\",\"text\":\"h\\u00e9llo \\\"q\\\"\\n\"}");
    WireMessage m = new WireMessage("iopub", "id-1", "stream", b("{\"msg_id\":\"id-1\",\"msg_type\":\"stream\"}"),
        b("{}"), b("{}"), content, List.of());
    JsonNode json = Json.mapper().readTree(WireCodec.toLegacyJson(m));
    assertThat(json.path("msg_type").asText()).isEqualTo("stream");
    assertThat(json.path("msg_id").asText()).isEqualTo("id-1");
    assertThat(json.path("channel").asText()).isEqualTo("iopub");
    assertThat(json.path("content").path("text").asText()).isEqualTo("héllo \"q\"\n");
    assertThat(json.path("buffers").isArray()).isTrue();
  }

  @Test
  void parsesSignedFramesAndDropsBadSignatures() {
    WireSigner signer = new WireSigner("key");
    WireMessage m = new WireMessage("shell", "x", "execute_reply", b("{\"msg_id\":\"x\",\"msg_type\":\"execute_reply\"}"),
        b("{}"), b("{}"), b("{\"status\":\"ok\"}"), List.of(b("buf")));
    List<byte[]> frames = new ArrayList<>(m.toFrames(signer));
    frames.add(0, b("identity"));
    assertThat(WireCodec.fromFrames("shell", frames, signer)).hasValueSatisfying(got -> {
      assertThat(got.msgType()).isEqualTo("execute_reply");
      assertThat(got.buffers()).hasSize(1);
    });
    frames.set(frames.size() - 2, b("{\"status\":\"error\"}"));
    assertThat(WireCodec.fromFrames("shell", frames, signer)).isEmpty();
  }

  @Test
  void clientMessagesMustNameAValidChannelAndHeader() {
    assertThatThrownBy(() -> WireCodec.fromLegacyJson(b("{\"channel\":\"iopub\",\"header\":{\"msg_type\":\"x\"}}")))
        .isInstanceOf(ApiException.class).hasMessageContaining("channel");
    assertThatThrownBy(() -> WireCodec.fromLegacyJson(b("{\"channel\":\"shell\",\"header\":5}")))
        .isInstanceOf(ApiException.class).hasMessageContaining("header");
    assertThatThrownBy(() -> WireCodec.fromLegacyJson(b("not json")))
        .isInstanceOf(ApiException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> WireCodec.fromLegacyBinary(new byte[] {0, 0, 0, 9, 0, 0, 0, 1}))
        .isInstanceOf(ApiException.class);
  }

  // Made by jupyter_server's serialize_msg_to_ws_v1 for a comm_msg on shell with one buffer 00 01 02.
  private static final String JUPYTER_V1 =
      "BwAAAAAAAABAAAAAAAAAAEUAAAAAAAAAaQAAAAAAAABrAAAAAAAAAG0AAAAAAAAAfAAAAAAAAAB/AAAAAAAAAHNoZWxseyJtc2dfaWQiOiJ2Iiwi"
          + "bXNnX3R5cGUiOiJjb21tX21zZyJ9e317fXsiY29tbV9pZCI6ImMifQABAg==";

  @Test
  void readsAndWritesJupyterServersV1Frames() {
    byte[] frame = Base64.getDecoder().decode(JUPYTER_V1);
    WireMessage m = WireCodec.fromV1(frame);
    assertThat(m.channel()).isEqualTo("shell");
    assertThat(m.msgType()).isEqualTo("comm_msg");
    assertThat(new String(m.content(), StandardCharsets.UTF_8)).isEqualTo("{\"comm_id\":\"c\"}");
    assertThat(m.buffers()).hasSize(1);
    assertThat(m.buffers().get(0)).containsExactly(0, 1, 2);
    // Writing the same message back gives jupyter_server's exact bytes.
    assertThat(WireCodec.toV1(m).getBytes()).isEqualTo(frame);
  }

  @Test
  void malformedV1FramesAreRefused() {
    assertThatThrownBy(() -> WireCodec.fromV1(new byte[] {1, 2, 3})).isInstanceOf(ApiException.class);
    byte[] bad = Base64.getDecoder().decode(JUPYTER_V1);
    bad[8] = (byte) 0xff;
    assertThatThrownBy(() -> WireCodec.fromV1(bad)).isInstanceOf(ApiException.class);
  }
}
