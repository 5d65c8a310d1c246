package dev.atelier.instances;

import dev.atelier.catalog.ImageCatalog;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.http.Capability;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Map;

/**
 * Instances: the catalogs of instance types and images, running instances, usage and idle rules;
 * in health, the Docker engine's state, the default image and type, and the host's process limits.
 */
public final class InstancesCapability implements Capability {
  private final InstancePool pool;
  private final InstanceCatalog types;
  private final ImageCatalog images;
  private final InstanceRoutes routes;

  public InstancesCapability(Vertx vertx, InstancePool pool, InstanceCatalog types, ImageCatalog images,
      UsageMeter meter, InstanceKernels kernels, IdlePolicies idle) {
    this.pool = pool;
    this.types = types;
    this.images = images;
    this.routes = new InstanceRoutes(vertx, pool, types, images, meter, kernels, idle);
  }

  @Override
  public String name() {
    return "instances";
  }

  @Override
  public void mount(Router router, String baseUrl) {
    routes.mount(router, baseUrl);
  }

  /** The process runtime works without Docker: the engine's state is part of the answer, not its status. */
  @Override
  public void health(Map<String, Object> body) {
    body.put("docker", images.dockerStatus());
    body.put("default_image", images.defaultImage());
    body.put("default_image_reason", images.defaultImageReason());
    body.put("process_limits", InstanceRoutes.processLimitsModel(pool.hostLimits("process")));
    body.put("default_instance_type", types.defaultType().name());
  }
}
