package dev.atelier.kernels;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.http.Routes;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Atelier's own kernel API for its panels, under {@code /atelier/api/}: the kernels with their
 * notebook paths and live state, and an event WebSocket that pushes the list on every change.
 */
public final class KernelPanelRoutes {
  private static final long COALESCE_MILLIS = 250;

  private final Vertx vertx;
  private final KernelService kernels;
  private final IdleEnforcement idle;
  private final Set<ServerWebSocket> subscribers = ConcurrentHashMap.newKeySet();
  private Context context;
  private boolean flushScheduled;

  /** @param idle tells when each kernel's idle rule shuts it down */
  public KernelPanelRoutes(Vertx vertx, KernelService kernels, IdleEnforcement idle) {
    this.vertx = vertx;
    this.kernels = kernels;
    this.idle = idle;
  }

  /** Mounts under {@code /atelier/api/}. */
  public void mount(Router router) {
    mount(router, "/");
  }

  /** Mounts under {@code {baseUrl}atelier/api/}; may be called for several routers. */
  public synchronized void mount(Router router, String baseUrl) {
    if (context == null) {
      context = vertx.getOrCreateContext();
      kernels.onChange(() -> context.runOnContext(v -> scheduleFlush()));
      // A death is its own event too, so a notebook can say it once (the list only shows the latest state).
      kernels.onKernelEvent((k, action) -> publish(deathEvent(k, action)));
    }
    router.get(baseUrl + "atelier/api/kernels").handler(this::listKernels);
    router.get(baseUrl + "atelier/api/events").handler(this::events);
  }

  private ObjectNode snapshot() {
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode list = body.putArray("kernels");
    kernels.list().forEach(k -> list.add(panelModel(k)));
    return body;
  }

  /** The panel's model of a kernel: Atelier's model and when the idle rule shuts it down. */
  private ObjectNode panelModel(Kernel k) {
    ObjectNode m = k.atelierModel();
    Instant at = idle.kernelShutdownAt(k);
    m.put("idle_shutdown_at", at == null ? null : at.toString());
    return m;
  }

  /** {@code {"type": "kernel_death", "action": "restarting"|"dead", "kernel": {panel model}}}. */
  private ObjectNode deathEvent(Kernel k, String action) {
    ObjectNode msg = Json.mapper().createObjectNode();
    msg.put("type", "kernel_death");
    msg.put("action", action);
    msg.set("kernel", panelModel(k));
    return msg;
  }

  private void listKernels(RoutingContext ctx) {
    Routes.json(ctx, 200, snapshot());
  }

  private void events(RoutingContext ctx) {
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      throw dev.atelier.http.ApiException.badRequest("this endpoint only accepts WebSocket upgrades");
    }
    ctx.request().toWebSocket().onFailure(ctx::fail).onSuccess(ws -> {
      subscribers.add(ws);
      ws.closeHandler(v -> subscribers.remove(ws));
      ws.exceptionHandler(e -> subscribers.remove(ws));
      // Clients only listen; anything they send is ignored.
      ws.handler(b -> {});
      ObjectNode msg = snapshot();
      msg.put("type", "kernels");
      ws.writeTextMessage(Json.encode(msg));
    });
  }

  /** Sends {@code msg} (with its {@code type}) to every subscriber of the event stream; any thread. */
  public void publish(ObjectNode msg) {
    String text = Json.encode(msg);
    vertx.runOnContext(v -> {
      for (ServerWebSocket ws : subscribers) {
        if (!ws.isClosed() && !ws.writeQueueFull()) {
          ws.writeTextMessage(text);
        }
      }
    });
  }

  /** Changes come in bursts (busy, idle, activity): send at most one list per interval. */
  private void scheduleFlush() {
    if (flushScheduled) {
      return;
    }
    flushScheduled = true;
    vertx.setTimer(COALESCE_MILLIS, t -> {
      flushScheduled = false;
      if (subscribers.isEmpty()) {
        return;
      }
      ObjectNode msg = snapshot();
      msg.put("type", "kernels");
      String text = Json.encode(msg);
      for (ServerWebSocket ws : subscribers) {
        if (!ws.isClosed() && !ws.writeQueueFull()) {
          ws.writeTextMessage(text);
        }
      }
    });
  }
}
