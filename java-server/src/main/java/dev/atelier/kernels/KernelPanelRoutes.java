package dev.atelier.kernels;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.EventStream;
import dev.atelier.http.Json;
import dev.atelier.http.Routes;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * Atelier's own kernel API for its panels, under {@code /atelier/api/}: the kernels with their
 * notebook paths and live state; on the event stream, the list on every change ({@code kernels}),
 * each death ({@code kernel_death}) and each instance an idle rule stopped ({@code instance_stopped}).
 */
public final class KernelPanelRoutes {
  private static final long COALESCE_MILLIS = 250;

  private final Vertx vertx;
  private final KernelService kernels;
  private final IdleEnforcement idle;
  private final EventStream events;
  private boolean flushScheduled;

  /** @param idle tells when each kernel's idle rule shuts it down */
  public KernelPanelRoutes(Vertx vertx, KernelService kernels, IdleEnforcement idle, EventStream events) {
    this.vertx = vertx;
    this.kernels = kernels;
    this.idle = idle;
    this.events = events;
  }

  /** Subscribes to the kernels' changes; once, on the server's context. */
  public void start() {
    Context context = vertx.getOrCreateContext();
    events.greet("kernels", this::snapshot);
    kernels.onChange(() -> context.runOnContext(v -> scheduleFlush()));
    // A death is its own event too, so a notebook can say it once (the list only shows the latest state).
    kernels.onKernelEvent((k, action) -> events.publish("kernel_death", deathEvent(k, action)));
    idle.onIdleStop(stop -> events.publish("instance_stopped", stoppedEvent(stop)));
  }

  /** Mounts under {@code {baseUrl}atelier/api/}; may be called for several routers. */
  public void mount(Router router, String baseUrl) {
    router.get(baseUrl + "atelier/api/kernels").handler(this::listKernels);
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

  /**
   * {@code {"type": "instance_stopped", "reason": "idle", "instance": {id, instance_type, image},
   * "notebooks": [paths], "message"}}: what a notification tells the user.
   */
  static ObjectNode stoppedEvent(IdleEnforcement.IdleStop stop) {
    ObjectNode msg = Json.mapper().createObjectNode();
    msg.put("type", "instance_stopped");
    msg.put("reason", "idle");
    ObjectNode instance = msg.putObject("instance");
    instance.put("id", stop.instanceId());
    instance.put("instance_type", stop.instanceType());
    instance.put("image", stop.image());
    ArrayNode notebooks = msg.putArray("notebooks");
    stop.notebooks().forEach(notebooks::add);
    String which = stop.notebooks().isEmpty() ? "it had no kernels"
        : "its kernels were shut down: " + String.join(", ", stop.notebooks());
    msg.put("message", "The " + stop.instanceType() + " instance (" + stop.image() + ") was stopped by its idle rule; "
        + which);
    return msg;
  }

  private void listKernels(RoutingContext ctx) {
    Routes.json(ctx, 200, snapshot());
  }

  /** Changes come in bursts (busy, idle, activity): send at most one list per interval. */
  private void scheduleFlush() {
    if (flushScheduled) {
      return;
    }
    flushScheduled = true;
    vertx.setTimer(COALESCE_MILLIS, t -> {
      flushScheduled = false;
      events.publish("kernels", snapshot());
    });
  }
}
