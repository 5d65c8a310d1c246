package dev.atelier.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one event stream the panels listen to ({@code {base}atelier/api/events}, a WebSocket): any
 * capability publishes typed frames ({@code {"type": "job", ...}}) from any thread, and each open
 * socket gets every frame after the greetings (the current state) it was sent on connect. A frame
 * published for an owner ({@link #publish(String, ObjectNode, String)}: a run, an experiment) goes
 * only to the sockets whose verified caller is that owner. The Vert.x event bus carries the frames,
 * so a socket is written only on its own event loop.
 */
public final class EventStream {
  private static final String ADDRESS = "atelier.events";
  private static final String OWNER = "owner";

  private final Vertx vertx;
  private final Function<RoutingContext, String> caller;
  private final List<Supplier<ObjectNode>> greetings = new CopyOnWriteArrayList<>();
  private final AtomicInteger subscribers = new AtomicInteger();

  /**
   * @param caller the verified caller of a request that passed the token check (whom its socket's
   *     owned frames must belong to)
   */
  public EventStream(Vertx vertx, Function<RoutingContext, String> caller) {
    this.vertx = vertx;
    this.caller = caller;
  }

  /** A frame each new subscriber gets first (the state the later frames change), of its {@code type}. */
  public void greet(String type, Supplier<ObjectNode> frame) {
    greetings.add(() -> typed(type, frame.get()));
  }

  /** Sends a frame of {@code type} to every subscriber; any thread. */
  public void publish(String type, ObjectNode frame) {
    vertx.eventBus().publish(ADDRESS, Json.encode(typed(type, frame)));
  }

  /** Sends a frame of {@code type} to the subscribers whose caller is {@code owner} only; any thread. */
  public void publish(String type, ObjectNode frame, String owner) {
    vertx.eventBus().publish(ADDRESS, Json.encode(typed(type, frame)),
        new DeliveryOptions().addHeader(OWNER, Objects.requireNonNull(owner, "owner")));
  }

  /** Mounts the stream under {@code {baseUrl}atelier/api/events}. */
  public void mount(Router router, String baseUrl) {
    router.get(baseUrl + "atelier/api/events").handler(this::connect);
  }

  /** The frame with its {@code type}: kept where the publisher put it, else added last. */
  private static ObjectNode typed(String type, ObjectNode frame) {
    if (!frame.has("type")) {
      frame.put("type", type);
    } else if (!type.equals(frame.path("type").asText())) {
      throw new IllegalArgumentException("a frame of type " + type + " says it is " + frame.path("type"));
    }
    return frame;
  }

  /** Whether any socket is listening. */
  public boolean hasSubscribers() {
    return subscribers.get() > 0;
  }

  private void connect(RoutingContext ctx) {
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      throw ApiException.badRequest("this endpoint only accepts WebSocket upgrades");
    }
    String who = caller.apply(ctx);
    ctx.request().toWebSocket().onFailure(ctx::fail).onSuccess(ws -> {
      // A slow reader misses frames rather than growing the server's memory; the next list resyncs it.
      MessageConsumer<String> frames = vertx.eventBus().localConsumer(ADDRESS, m -> {
        String owner = m.headers().get(OWNER);
        if (owner != null && !owner.equals(who)) {
          return;
        }
        if (!ws.isClosed() && !ws.writeQueueFull()) {
          ws.writeTextMessage(m.body());
        }
      });
      subscribers.incrementAndGet();
      AtomicBoolean gone = new AtomicBoolean();
      Runnable leave = () -> {
        if (gone.compareAndSet(false, true)) {
          frames.unregister();
          subscribers.decrementAndGet();
        }
      };
      ws.closeHandler(v -> leave.run());
      ws.exceptionHandler(e -> leave.run());
      // Clients only listen; anything they send is ignored.
      ws.handler(b -> {});
      for (Supplier<ObjectNode> greeting : greetings) {
        ws.writeTextMessage(Json.encode(greeting.get()));
      }
    });
  }
}
