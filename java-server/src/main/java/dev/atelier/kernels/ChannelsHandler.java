package dev.atelier.kernels;

import dev.atelier.http.ApiException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
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

  private final KernelService kernels;

  public ChannelsHandler(KernelService kernels) {
    this.kernels = kernels;
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
    LegacySink sink = new LegacySink(ws);
    connection.attach(sessionId, sink).whenComplete((handle, err) -> {
      if (err != null) {
        ws.close((short) 1011, "kernel unavailable");
        return;
      }
      ws.textMessageHandler(text -> forward(kernel, handle, () -> WireCodec.fromLegacyJson(text.getBytes(StandardCharsets.UTF_8))));
      ws.binaryMessageHandler(bin -> forward(kernel, handle, () -> WireCodec.fromLegacyBinary(bin.getBytes())));
      ws.closeHandler(v -> handle.detach());
      ws.exceptionHandler(e -> LOG.debug("kernel {} websocket error: {}", kernel.id(), e.toString()));
      ws.resume();
    });
  }

  private static void forward(Kernel kernel, KernelConnection.ClientHandle handle, java.util.function.Supplier<WireMessage> parse) {
    WireMessage m;
    try {
      m = parse.get();
    } catch (ApiException e) {
      LOG.info("kernel {}: dropped a client message: {}", kernel.id(), e.getMessage());
      return;
    }
    handle.send(m);
  }

  /** Writes messages in the legacy encodings. */
  static final class LegacySink implements ClientSink {
    private final ServerWebSocket ws;

    LegacySink(ServerWebSocket ws) {
      this.ws = ws;
    }

    @Override
    public void send(WireMessage m) {
      if (ws.isClosed()) {
        return;
      }
      if (m.buffers().isEmpty()) {
        ws.writeTextMessage(new String(WireCodec.toLegacyJson(m), StandardCharsets.UTF_8));
      } else {
        ws.writeBinaryMessage(Buffer.buffer(WireCodec.toLegacyBinary(m)));
      }
    }

    @Override
    public void close(String why) {
      if (!ws.isClosed()) {
        ws.close((short) 1000, why.length() > 100 ? why.substring(0, 100) : why);
      }
    }
  }
}
