package dev.atelier.kernels;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Translates between ZeroMQ frames and the WebSocket encodings JupyterLab and jupyter_server use:
 * the legacy JSON text frame, and the legacy binary frame (offset table, JSON, buffers) that the
 * legacy protocol uses when a message carries buffers.
 */
public final class WireCodec {
  private static final ObjectMapper MAPPER = Json.mapper();
  private static final byte[] EMPTY_DICT = "{}".getBytes(StandardCharsets.US_ASCII);

  private WireCodec() {}

  /**
   * Parses frames received from a kernel socket, verifying the signature.
   *
   * @return the message, or empty when the frames are malformed or badly signed
   */
  public static Optional<WireMessage> fromFrames(String channel, List<byte[]> frames, WireSigner signer) {
    int d = WireMessage.delimiterIndex(frames);
    if (d < 0 || frames.size() < d + 6) {
      return Optional.empty();
    }
    byte[] signature = frames.get(d + 1);
    byte[] header = frames.get(d + 2);
    byte[] parent = frames.get(d + 3);
    byte[] metadata = frames.get(d + 4);
    byte[] content = frames.get(d + 5);
    if (!signer.verify(signature, header, parent, metadata, content)) {
      return Optional.empty();
    }
    String[] idAndType = headerIdAndType(header);
    if (idAndType == null) {
      return Optional.empty();
    }
    List<byte[]> buffers = new ArrayList<>(frames.subList(d + 6, frames.size()));
    return Optional.of(new WireMessage(channel, idAndType[0], idAndType[1], header, parent, metadata, content, buffers));
  }

  /** Reads msg_id and msg_type from a header without building a tree; null when absent. */
  static String[] headerIdAndType(byte[] header) {
    String msgId = null;
    String msgType = null;
    try (JsonParser p = MAPPER.getFactory().createParser(header)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("msg_id".equals(name) && value == JsonToken.VALUE_STRING) {
          msgId = p.getText();
        } else if ("msg_type".equals(name) && value == JsonToken.VALUE_STRING) {
          msgType = p.getText();
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      return null;
    }
    return msgType == null ? null : new String[] {msgId == null ? "" : msgId, msgType};
  }

  /** The legacy JSON text frame, with buffers base64-encoded only if asked (the JSON form drops them otherwise). */
  public static byte[] toLegacyJson(WireMessage m) {
    return legacyJson(m);
  }

  private static final byte[] HEADER_KEY = "{\"header\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MSG_ID_KEY = ",\"msg_id\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MSG_TYPE_KEY = ",\"msg_type\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PARENT_KEY = ",\"parent_header\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] METADATA_KEY = ",\"metadata\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTENT_KEY = ",\"content\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHANNEL_KEY = ",\"buffers\":[],\"channel\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = {'}'};

  /** The legacy JSON of a message, its parts copied once into an array of the exact size. */
  private static byte[] legacyJson(WireMessage m) {
    byte[][] parts = {HEADER_KEY, m.header(), MSG_ID_KEY, quote(m.msgId()), MSG_TYPE_KEY, quote(m.msgType()),
        PARENT_KEY, m.parentHeader(), METADATA_KEY, m.metadata(), CONTENT_KEY, m.content(), CHANNEL_KEY,
        quote(m.channel()), CLOSE};
    long length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] out = new byte[Math.toIntExact(length)];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }


  /**
   * The legacy binary frame: {@code uint32 n}, n big-endian offsets, the JSON message, then each
   * buffer; used when a message carries buffers so that they arrive intact.
   */
  public static byte[] toLegacyBinary(WireMessage m) {
    byte[] json = toLegacyJson(m);
    int n = 1 + m.buffers().size();
    int headerLength = 4 * (n + 1);
    long total = headerLength + json.length;
    for (byte[] b : m.buffers()) {
      total += b.length;
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(total));
    out.putInt(n);
    int offset = headerLength;
    out.putInt(offset);
    offset += json.length;
    for (int i = 0; i < m.buffers().size() - 1; i++) {
      out.putInt(offset);
      offset += m.buffers().get(i).length;
    }
    if (!m.buffers().isEmpty()) {
      out.putInt(offset);
    }
    out.put(json);
    for (byte[] b : m.buffers()) {
      out.put(b);
    }
    return out.array();
  }

  /** The v1 protocol name JupyterLab offers in Sec-WebSocket-Protocol. */
  public static final String V1_PROTOCOL = "v1.kernel.websocket.jupyter.org";

  /**
   * The v1 binary frame ({@code v1.kernel.websocket.jupyter.org}): a little-endian uint64 count,
   * that many uint64 offsets, the channel name, then the raw header, parent header, metadata,
   * content and buffers; nothing is re-encoded. The frame is a view over the message's own parts
   * behind a small offset table, so a 20 MB output is not copied on its way to the socket.
   */
  public static Buffer toV1(WireMessage m) {
    byte[] channel = m.channel().getBytes(StandardCharsets.UTF_8);
    // frame[0] is the offset table and the channel; the message's own parts follow as they are.
    byte[][] frame = new byte[5 + m.buffers().size()][];
    frame[1] = m.header();
    frame[2] = m.parentHeader();
    frame[3] = m.metadata();
    frame[4] = m.content();
    for (int i = 0; i < m.buffers().size(); i++) {
      frame[5 + i] = m.buffers().get(i);
    }
    int offsets = frame.length + 1;
    ByteBuffer table = ByteBuffer.allocate(8 * (offsets + 1) + channel.length)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    table.putLong(offsets);
    long offset = 8L * (offsets + 1);
    table.putLong(offset);
    offset += channel.length;
    table.putLong(offset);
    for (int i = 1; i < frame.length; i++) {
      offset += frame[i].length;
      table.putLong(offset);
    }
    table.put(channel);
    frame[0] = table.array();
    // Vert.x's public Buffer factories copy their bytes; this one wraps Netty's composite view.
    return BufferInternal.buffer(Unpooled.wrappedBuffer(frame));
  }

  /** Parses a v1 binary frame from a client; the dict frames are kept as the bytes received. */
  public static WireMessage fromV1(byte[] frame) {
    ByteBuffer in = ByteBuffer.wrap(frame).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    if (frame.length < 8) {
      throw ApiException.badRequest("v1 kernel message is shorter than its offset count");
    }
    long n = in.getLong();
    if (n < 6 || n > 4096 || 8 * (n + 1) > frame.length) {
      throw ApiException.badRequest("v1 kernel message has an invalid offset count " + n);
    }
    int[] offsets = new int[(int) n];
    for (int i = 0; i < n; i++) {
      long o = in.getLong();
      if (o < 8 * (n + 1) || o > frame.length || (i > 0 && o < offsets[i - 1])) {
        throw ApiException.badRequest("v1 kernel message has invalid offsets");
      }
      offsets[i] = (int) o;
    }
    String channel = new String(frame, offsets[0], offsets[1] - offsets[0], StandardCharsets.UTF_8);
    if (!"shell".equals(channel) && !"control".equals(channel) && !"stdin".equals(channel)) {
      throw ApiException.badRequest("kernel message channel must be shell, control or stdin");
    }
    List<byte[]> parts = new ArrayList<>();
    for (int i = 1; i < n - 1; i++) {
      parts.add(java.util.Arrays.copyOfRange(frame, offsets[i], offsets[i + 1]));
    }
    String[] idAndType = headerIdAndType(parts.get(0));
    if (idAndType == null) {
      throw ApiException.badRequest("kernel message header must be an object with a msg_type");
    }
    return new WireMessage(channel, idAndType[0], idAndType[1], parts.get(0), parts.get(1), parts.get(2),
        parts.get(3), new ArrayList<>(parts.subList(4, parts.size())));
  }

  /** Parses a legacy JSON text frame from a client into a message to send to the kernel. */
  public static WireMessage fromLegacyJson(byte[] text) {
    return fromClientTree(parseObject(text), List.of());
  }

  /** Parses a legacy binary frame (offset table, JSON, buffers) from a client. */
  public static WireMessage fromLegacyBinary(byte[] frame) {
    if (frame.length < 8) {
      throw new ApiException(400, "Bad Request", "binary kernel message is shorter than its offset table");
    }
    ByteBuffer in = ByteBuffer.wrap(frame);
    int n = in.getInt();
    if (n < 1 || n > 1024 || 4L * (n + 1) > frame.length) {
      throw new ApiException(400, "Bad Request", "binary kernel message has an invalid buffer count " + n);
    }
    int[] offsets = new int[n + 1];
    for (int i = 0; i < n; i++) {
      offsets[i] = in.getInt();
    }
    offsets[n] = frame.length;
    for (int i = 0; i < n; i++) {
      if (offsets[i] < 4 * (n + 1) || offsets[i] > offsets[i + 1]) {
        throw new ApiException(400, "Bad Request", "binary kernel message has invalid offsets");
      }
    }
    byte[] json = java.util.Arrays.copyOfRange(frame, offsets[0], offsets[1]);
    List<byte[]> buffers = new ArrayList<>(n - 1);
    for (int i = 1; i < n; i++) {
      buffers.add(java.util.Arrays.copyOfRange(frame, offsets[i], offsets[i + 1]));
    }
    return fromClientTree(parseObject(json), buffers);
  }

  private static ObjectNode parseObject(byte[] json) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new ApiException(400, "Bad Request", "kernel message is not valid JSON: " + e.getMessage());
    }
    if (!(node instanceof ObjectNode obj)) {
      throw new ApiException(400, "Bad Request", "kernel message must be a JSON object");
    }
    return obj;
  }

  private static WireMessage fromClientTree(ObjectNode msg, List<byte[]> binaryBuffers) {
    String channel = text(msg, "channel");
    if (!"shell".equals(channel) && !"control".equals(channel) && !"stdin".equals(channel)) {
      throw new ApiException(400, "Bad Request", "kernel message field 'channel' must be shell, control or stdin");
    }
    JsonNode header = msg.get("header");
    if (header == null || !header.isObject() || !header.path("msg_type").isTextual()) {
      throw new ApiException(400, "Bad Request", "kernel message field 'header' must be an object with a msg_type");
    }
    List<byte[]> buffers = binaryBuffers;
    JsonNode jsonBuffers = msg.get("buffers");
    if (buffers.isEmpty() && jsonBuffers != null && jsonBuffers.isArray() && !jsonBuffers.isEmpty()) {
      // Some clients send base64 buffers in the JSON form; decode them rather than dropping them.
      buffers = new ArrayList<>();
      for (JsonNode b : jsonBuffers) {
        if (b.isTextual()) {
          buffers.add(Base64.getDecoder().decode(b.asText()));
        }
      }
    }
    return new WireMessage(
        channel,
        header.path("msg_id").asText(""),
        header.path("msg_type").asText(),
        bytes(header),
        dict(msg.get("parent_header")),
        dict(msg.get("metadata")),
        dict(msg.get("content")),
        buffers);
  }

  private static String text(ObjectNode msg, String field) {
    JsonNode n = msg.get(field);
    return n != null && n.isTextual() ? n.asText() : null;
  }

  private static byte[] dict(JsonNode node) {
    return node == null || node.isNull() ? EMPTY_DICT : bytes(node);
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] quote(String s) {
    try {
      return MAPPER.writeValueAsBytes(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
