package dev.atelier.kernels;

import dev.atelier.config.AtelierConfig;
import dev.atelier.http.Capability;
import dev.atelier.http.EventStream;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Instant;

/**
 * Kernels: the Jupyter kernel gateway API at the API listener's root, kernel channels on both
 * listeners, the panel's kernel list and kernel frames on the event stream, and the idle rules
 * applied on their timers.
 */
public final class KernelsCapability implements Capability {
  private final Vertx vertx;
  private final AtelierConfig config;
  private final KernelService kernels;
  private final IdleEnforcement idleRules;
  private final GatewayRoutes gateway;
  private final ChannelsHandler channels;
  private final KernelPanelRoutes panel;

  public KernelsCapability(Vertx vertx, AtelierConfig config, KernelService kernels, IdleEnforcement idleRules,
      EventStream events) {
    this.vertx = vertx;
    this.config = config;
    this.kernels = kernels;
    this.idleRules = idleRules;
    this.gateway = new GatewayRoutes(vertx, kernels);
    this.channels = new ChannelsHandler(vertx, kernels, config.clientBufferBytes(), config.clientDrainTimeout());
    this.panel = new KernelPanelRoutes(vertx, kernels, idleRules, events);
  }

  @Override
  public String name() {
    return "kernels";
  }

  @Override
  public void start() {
    panel.start();
    vertx.setPeriodic(config.idleCheckInterval().toMillis(), id -> vertx.executeBlocking(() -> {
      idleRules.enforce(Instant.now());
      return null;
    }, false));
    if (config.cullingEnabled()) {
      vertx.setPeriodic(config.cullInterval().toMillis(), id -> idleRules.cull(Instant.now()));
    }
  }

  @Override
  public void mountRoot(Router router) {
    gateway.mount(router);
  }

  @Override
  public void mount(Router router, String baseUrl) {
    // The front door puts jupyter_server's own access checks in front of this route.
    router.get(baseUrl + "api/kernels/:id/channels").handler(channels);
    panel.mount(router, baseUrl);
  }

  @Override
  public void close() {
    kernels.close();
  }
}
