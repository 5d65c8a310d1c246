package dev.atelier.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Talks to one kernel agent over its control socket (kernel-gateway/PROTOCOL.md): signed JSON
 * requests with ids, replies matched to them, and unsolicited events such as a kernel's exit.
 */
public final class AgentClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentClient.class);

  private final ZmqLoop loop;
  private final byte[] key;
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final String endpoint;
  private volatile Consumer<JsonNode> eventListener = e -> {};
  private ZMQ.Socket socket;

  /** Connects to the agent's control socket at {@code tcp://host:port}. */
  public AgentClient(ZmqLoop loop, String host, int port, String key) {
    this.loop = loop;
    this.key = key.getBytes(StandardCharsets.UTF_8);
    this.endpoint = "tcp://" + host + ":" + port;
    loop.execute(() -> {
      socket = loop.context().createSocket(SocketType.DEALER);
      socket.setLinger(0);
      socket.connect(endpoint);
      loop.register(socket, this::onFrames);
    });
  }

  /**
   * Waits until the agent answers {@code hello}, asking again every second: a request sent while
   * the connection is still being set up can be lost on a busy machine, and later requests must
   * not pay for that.
   */
  public JsonNode handshake(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    AgentException last = null;
    int attempt = 0;
    while (System.nanoTime() < deadline) {
      if (attempt++ > 0) {
        // JeroMQ can leave a fresh TCP connection with the agent's greeting unread for tens of
        // seconds (seen on loopback under JDK 25): a new connection does not wait for that.
        reconnect();
      }
      try {
        return request("hello", Map.of(), Duration.ofSeconds(1)).join();
      } catch (java.util.concurrent.CompletionException e) {
        last = e.getCause() instanceof AgentException a ? a : new AgentException(String.valueOf(e.getCause()));
      }
    }
    throw last != null ? last : new AgentException("the kernel agent did not answer");
  }

  public void onEvent(Consumer<JsonNode> listener) {
    this.eventListener = listener;
  }

  /**
   * Sends a request; the future completes with the reply, or fails with {@link AgentException}
   * carrying the agent's error, or a timeout.
   */
  public CompletableFuture<JsonNode> request(String op, Map<String, ?> fields, Duration timeout) {
    String id = "r" + ids.incrementAndGet();
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("id", id);
    body.put("op", op);
    fields.forEach((k, v) -> body.set(k, Json.mapper().valueToTree(v)));
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    byte[] bytes;
    try {
      bytes = Json.mapper().writeValueAsBytes(body);
    } catch (IOException e) {
      pending.remove(id);
      return CompletableFuture.failedFuture(e);
    }
    loop.execute(() -> {
      socket.sendMore(sign(bytes));
      socket.send(bytes);
    });
    return reply
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> pending.remove(id))
        .exceptionallyCompose(e -> {
          Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
          if (cause instanceof TimeoutException) {
            return CompletableFuture.failedFuture(new AgentException(
                "the kernel agent did not answer '" + op + "' within " + timeout.toSeconds() + " s"));
          }
          return CompletableFuture.failedFuture(cause);
        });
  }

  private void onFrames(List<byte[]> frames) {
    if (frames.size() != 2 || !MessageDigest.isEqual(sign(frames.get(1)), frames.get(0))) {
      LOG.warn("dropped a badly signed or malformed message from the agent at {}", endpoint);
      return;
    }
    JsonNode msg;
    try {
      msg = Json.mapper().readTree(frames.get(1));
    } catch (IOException e) {
      LOG.warn("dropped a message from the agent that is not JSON");
      return;
    }
    if (msg.hasNonNull("event")) {
      eventListener.accept(msg);
      return;
    }
    CompletableFuture<JsonNode> reply = pending.get(msg.path("id").asText());
    if (reply == null) {
      return;
    }
    if (msg.path("ok").asBoolean(false)) {
      reply.complete(msg);
    } else {
      reply.completeExceptionally(new AgentException(msg.path("error").asText("the agent refused the request")));
    }
  }

  private byte[] sign(byte[] body) {
    if (key.length == 0) {
      return new byte[0];
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return java.util.HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Drops the TCP connection to the agent and makes a new one (requests in flight may be lost). */
  public void reconnect() {
    loop.execute(() -> {
      if (socket != null) {
        socket.disconnect(endpoint);
        socket.connect(endpoint);
      }
    });
  }

  @Override
  public void close() {
    pending.values().forEach(f -> f.completeExceptionally(new AgentException("the kernel agent connection closed")));
    loop.execute(() -> {
      if (socket != null) {
        loop.closeSocket(socket);
      }
    });
  }
}
