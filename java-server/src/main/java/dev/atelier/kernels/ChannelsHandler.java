package dev.atelier.kernels;

import dev.atelier.http.ApiException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/kernels/{id}/channels}: the kernel WebSocket in Jupyter's legacy protocol.
 * Messages without buffers travel as JSON text frames; messages with buffers as legacy binary
 * frames, so buffers stay intact for clients that read them. A client reconnecting with the same
 * {@code session_id} first receives what it missed.
 */
public final class ChannelsHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelsHandler.class);

  private final Vertx vertx;
  private final KernelService kernels;
  private final long maxPendingBytes;
  private final Duration drainTimeout;

  /**
   * @param maxPendingBytes output queued for one slow client before its connection is closed (it
   *     reconnects with the same session_id and the replay buffer heals the gap)
   * @param drainTimeout how long a client over {@code maxPendingBytes} may read nothing before it is closed
   */
  public ChannelsHandler(Vertx vertx, KernelService kernels, long maxPendingBytes, Duration drainTimeout) {
    this.vertx = vertx;
    this.kernels = kernels;
    this.maxPendingBytes = maxPendingBytes;
    this.drainTimeout = drainTimeout;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!GatewayRoutes.KERNEL_ID.matcher(id).matches()) {
      throw ApiException.notFound("kernel " + id + " not found");
    }
    Kernel kernel = kernels.get(id);
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      throw ApiException.badRequest("this endpoint only accepts WebSocket upgrades");
    }
    String param = ctx.request().getParam("session_id");
    String sessionId = param == null || param.isBlank() ? UUID.randomUUID().toString() : param;
    KernelConnection connection = kernel.connection();
    if (connection == null) {
      throw ApiException.unavailable("kernel " + id + " is still starting; try again");
    }
    ctx.request().toWebSocket().onFailure(ctx::fail).onSuccess(ws -> relay(kernel, connection, sessionId, ws));
  }

  private void relay(Kernel kernel, KernelConnection connection, String sessionId, ServerWebSocket ws) {
    ws.pause();
    boolean v1 = WireCodec.V1_PROTOCOL.equals(ws.subProtocol());
    BoundedSink sink = v1 ? new V1Sink(vertx, ws, maxPendingBytes, drainTimeout)
        : new LegacySink(vertx, ws, maxPendingBytes, drainTimeout);
    connection.attach(sessionId, sink).whenComplete((handle, err) -> {
      if (err != null) {
        ws.close((short) 1011, "kernel unavailable");
        return;
      }
      ws.textMessageHandler(text -> forward(kernel, handle, () -> WireCodec.fromLegacyJson(text.getBytes(StandardCharsets.UTF_8))));
      ws.binaryMessageHandler(bin -> forward(kernel, handle,
          () -> v1 ? WireCodec.fromV1(bin.getBytes()) : WireCodec.fromLegacyBinary(bin.getBytes())));
      ws.closeHandler(v -> handle.detach());
      sink.onGiveUp(handle::detach);
      if (kernel.isDead()) {
        handle.status("dead", KernelRecovery.statusMetadata(kernel));
      }
      ws.exceptionHandler(e -> LOG.debug("kernel {} websocket error: {}", kernel.id(), e.toString()));
      ws.resume();
    });
  }

  private static void forward(Kernel kernel, KernelConnection.ClientHandle handle, java.util.function.Supplier<WireMessage> parse) {
    WireMessage m;
    try {
      m = parse.get();
    } catch (ApiException e) {
      LOG.info("kernel {}: dropped a client message: {}", kernel.id(), dev.atelier.http.LogText.of(e.getMessage()));
      return;
    }
    handle.send(m);
  }

  /**
   * Writes to one WebSocket, counting what the socket has not written yet. A client that stops
   * reading (a backlog over the limit and no write completed for the drain timeout), or falls
   * hopelessly behind (four times the limit), is closed with 1013 so it never holds memory or
   * other clients up; its session lets it go at once (so what follows is kept for its replay, and
   * the kernel counts it gone) and its reconnect with the same session_id replays what it missed.
   * While the backlog is over the limit a timer looks again, so a stuck client is let go after the
   * drain timeout even when the kernel sends nothing more.
   */
  abstract static class BoundedSink implements ClientSink {
    private final Vertx vertx;
    private final ServerWebSocket ws;
    private final long limit;
    private final long drainNanos;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicBoolean watching = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile Runnable onGiveUp;

    BoundedSink(Vertx vertx, ServerWebSocket ws, long limit, Duration drainTimeout) {
      this.vertx = vertx;
      this.ws = ws;
      this.limit = limit;
      this.drainNanos = drainTimeout.toNanos();
    }

    abstract io.vertx.core.Future<Void> write(ServerWebSocket ws, WireMessage m);

    @Override
    public void send(WireMessage m) {
      if (closing.get() || ws.isClosed()) {
        return;
      }
      long backlog = pending.get();
      if ((backlog > limit && undrained() >= drainNanos) || backlog > 4 * limit) {
        giveUp(backlog);
        return;
      }
      long size = m.size();
      if (pending.addAndGet(size) > limit && watching.compareAndSet(false, true)) {
        lookAgainIn(drainNanos);
      }
      write(ws, m).onComplete(r -> {
        pending.addAndGet(-size);
        lastProgressNanos = System.nanoTime();
      });
    }

    /** How long since a write last completed. */
    private long undrained() {
      return System.nanoTime() - lastProgressNanos;
    }

    private void lookAgainIn(long nanos) {
      vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos) + 1), id -> {
        long backlog = pending.get();
        if (closing.get() || ws.isClosed() || backlog <= limit) {
          watching.set(false);
        } else if (undrained() >= drainNanos) {
          watching.set(false);
          giveUp(backlog);
        } else {
          lookAgainIn(drainNanos - undrained());
        }
      });
    }

    private void giveUp(long backlog) {
      if (!closing.compareAndSet(false, true)) {
        return;
      }
      LOG.warn("closing a kernel websocket whose client is not reading ({} bytes queued)", backlog);
      ws.close((short) 1013, "client too slow; reconnect to replay");
      Runnable then = onGiveUp;
      if (then != null) {
        then.run();
      }
    }

    /** Runs {@code then} once this sink gives its client up (at once when it already has). */
    void onGiveUp(Runnable then) {
      onGiveUp = then;
      if (closing.get()) {
        then.run();
      }
    }

    @Override
    public void close(String why) {
      if (!ws.isClosed()) {
        ws.close((short) 1000, why.length() > 100 ? why.substring(0, 100) : why);
      }
    }
  }

  /** The legacy protocol: JSON text frames, or binary frames with an offset table when there are buffers. */
  static final class LegacySink extends BoundedSink {
    LegacySink(Vertx vertx, ServerWebSocket ws, long limit, Duration drainTimeout) {
      super(vertx, ws, limit, drainTimeout);
    }

    @Override
    io.vertx.core.Future<Void> write(ServerWebSocket ws, WireMessage m) {
      return m.buffers().isEmpty()
          ? ws.writeTextMessage(new String(WireCodec.toLegacyJson(m), StandardCharsets.UTF_8))
          : ws.writeBinaryMessage(Buffer.buffer(WireCodec.toLegacyBinary(m)));
    }
  }

  /** The v1 protocol: every message one binary frame of raw parts. */
  static final class V1Sink extends BoundedSink {
    V1Sink(Vertx vertx, ServerWebSocket ws, long limit, Duration drainTimeout) {
      super(vertx, ws, limit, drainTimeout);
    }

    @Override
    io.vertx.core.Future<Void> write(ServerWebSocket ws, WireMessage m) {
      return ws.writeBinaryMessage(WireCodec.toV1(m));
    }
  }
}
