package dev.atelier.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A kernel WebSocket client speaking the legacy protocol, as jupyter_server does. */
public final class KernelSocket implements AutoCloseable {
  private final java.net.http.WebSocket ws;
  private final LinkedBlockingQueue<JsonNode> inbox;
  private final String session;
  private final List<String> errors;

  private KernelSocket(java.net.http.WebSocket ws, String session, Listener listener) {
    this.ws = ws;
    this.session = session;
    this.inbox = listener.inbox;
    this.errors = listener.errors;
  }

  /** Opens the channels socket with the JDK client (it aggregates fragmented messages itself). */
  public static KernelSocket open(Vertx vertx, int port, String kernelId, String sessionId) throws Exception {
    Listener listener = new Listener();
    java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Authorization", "token " + TestServer.TOKEN)
        .buildAsync(java.net.URI.create("ws://127.0.0.1:" + port + "/api/kernels/" + kernelId
            + "/channels?session_id=" + sessionId), listener)
        .get(30, TimeUnit.SECONDS);
    return new KernelSocket(ws, sessionId, listener);
  }

  private static final class Listener implements java.net.http.WebSocket.Listener {
    // The listener keeps what arrives itself: a server may send a message (a dead kernel's status)
    // while the handshake's future is still completing, before open() has built the socket.
    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

    @Override
    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String whole = text.toString();
        text.setLength(0);
        inbox.add(parse(whole.getBytes(StandardCharsets.UTF_8), List.of()));
      }
      ws.request(1);
      return null;
    }

    @Override
    public java.util.concurrent.CompletionStage<?> onBinary(java.net.http.WebSocket ws, ByteBuffer data, boolean last) {
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      binary.writeBytes(chunk);
      if (last) {
        byte[] whole = binary.toByteArray();
        binary.reset();
        inbox.add(decodeBinary(Buffer.buffer(whole)));
      }
      ws.request(1);
      return null;
    }

    @Override
    public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
      errors.add("closed: " + code + " " + reason);
      return null;
    }

    @Override
    public void onError(java.net.http.WebSocket ws, Throwable error) {
      errors.add(error.toString());
    }
  }

  private static JsonNode parse(byte[] json, List<byte[]> buffers) {
    try {
      ObjectNode n = (ObjectNode) Json.mapper().readTree(json);
      var arr = n.putArray("buffers");
      for (byte[] b : buffers) {
        arr.add(b);
      }
      return n;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode decodeBinary(Buffer b) {
    ByteBuffer in = ByteBuffer.wrap(b.getBytes());
    int n = in.getInt();
    int[] off = new int[n + 1];
    for (int i = 0; i < n; i++) {
      off[i] = in.getInt();
    }
    off[n] = b.length();
    byte[] all = b.getBytes();
    List<byte[]> bufs = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      bufs.add(java.util.Arrays.copyOfRange(all, off[i], off[i + 1]));
    }
    return parse(java.util.Arrays.copyOfRange(all, off[0], off[1]), bufs);
  }

  /** Sends a request; returns its msg_id. */
  public String send(String channel, String msgType, Object content) {
    String id = UUID.randomUUID().toString();
    ObjectNode m = header(channel, msgType, id, content);
    ws.sendText(Json.encode(m), true).join();
    return id;
  }

  /** Sends a request with binary buffers in a legacy binary frame. */
  public String sendBinary(String channel, String msgType, Object content, byte[]... buffers) {
    String id = UUID.randomUUID().toString();
    byte[] json = Json.encode(header(channel, msgType, id, content)).getBytes(StandardCharsets.UTF_8);
    int n = 1 + buffers.length;
    int total = 4 * (n + 1) + json.length;
    for (byte[] x : buffers) {
      total += x.length;
    }
    ByteBuffer out = ByteBuffer.allocate(total);
    out.putInt(n);
    int o = 4 * (n + 1);
    out.putInt(o);
    o += json.length;
    for (int i = 0; i < buffers.length; i++) {
      out.putInt(o);
      o += buffers[i].length;
    }
    out.put(json);
    for (byte[] x : buffers) {
      out.put(x);
    }
    ws.sendBinary(ByteBuffer.wrap(out.array()), true).join();
    return id;
  }

  private ObjectNode header(String channel, String msgType, String id, Object content) {
    ObjectNode m = Json.mapper().createObjectNode();
    ObjectNode h = m.putObject("header");
    h.put("msg_id", id).put("msg_type", msgType).put("username", "test").put("session", session)
        .put("date", Instant.now().toString()).put("version", "5.3");
    m.putObject("parent_header");
    m.putObject("metadata");
    m.set("content", Json.mapper().valueToTree(content));
    m.put("channel", channel);
    return m;
  }

  /** The next message matching, within the timeout; fails the test otherwise. */
  public JsonNode next(Predicate<JsonNode> match, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode m = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : null;
      if (m == null) {
        throw new AssertionError("no matching kernel message within " + timeoutMillis + " ms");
      }
      if (match.test(m)) {
        return m;
      }
    }
  }

  /** Every message parented by the request until its iopub idle status, in arrival order. */
  public List<JsonNode> collectUntilIdle(String msgId, long timeoutMillis) throws InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode m = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : null;
      if (m == null) {
        throw new AssertionError("request " + msgId + " did not reach idle within " + timeoutMillis + " ms; got "
            + out.size() + " messages " + out.stream().map(x -> x.path("msg_type").asText()).toList()
            + "; socket errors: " + errors);
      }
      if (!msgId.equals(m.path("parent_header").path("msg_id").asText())) {
        continue;
      }
      out.add(m);
      if ("status".equals(m.path("msg_type").asText())
          && "idle".equals(m.path("content").path("execution_state").asText())) {
        return out;
      }
    }
  }

  /**
   * The text of the messages' {@code stream} outputs named {@code name} ("stdout", "stderr"), joined
   * in order. A kernel may send one print in several stream messages (ipykernel flushes on a
   * timer), so output is compared, or split into lines, only once joined.
   */
  public static String streamText(List<JsonNode> messages, String name) {
    StringBuilder text = new StringBuilder();
    for (JsonNode m : messages) {
      if ("stream".equals(m.path("msg_type").asText()) && name.equals(m.path("content").path("name").asText())) {
        text.append(m.path("content").path("text").asText());
      }
    }
    return text.toString();
  }

  public static Predicate<JsonNode> type(String msgType) {
    return m -> msgType.equals(m.path("msg_type").asText());
  }

  public void clear() {
    inbox.clear();
  }

  @Override
  public void close() {
    ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "").join();
  }
}
