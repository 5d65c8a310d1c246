package dev.atelier.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.http.Routes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Kernel Gateway REST API that stock jupyter_server's GatewayClient calls
 * ({@code --gateway-url}): kernelspecs, their resources, and kernel lifecycle.
 */
public final class GatewayRoutes {
  static final Pattern KERNEL_ID = Pattern.compile("\\w+-\\w+-\\w+-\\w+-\\w+");
  private static final int MAX_BODY = 1 << 20;

  private final Vertx vertx;
  private final KernelService kernels;

  public GatewayRoutes(Vertx vertx, KernelService kernels) {
    this.vertx = vertx;
    this.kernels = kernels;
  }

  public void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY);
    router.get("/api").handler(this::version);
    router.get("/api/kernelspecs").handler(this::listKernelspecs);
    router.get("/api/kernelspecs/:name").handler(this::getKernelspec);
    router.get("/kernelspecs/:name/:file").handler(this::getKernelspecResource);
    router.get("/api/kernels").handler(this::listKernels);
    router.post("/api/kernels").handler(body).handler(this::startKernel);
    router.get("/api/kernels/:id").handler(this::getKernel);
    router.delete("/api/kernels/:id").handler(this::deleteKernel);
    router.post("/api/kernels/:id/interrupt").handler(body).handler(this::interruptKernel);
    router.post("/api/kernels/:id/restart").handler(body).handler(this::restartKernel);
  }

  private void version(RoutingContext ctx) {
    Routes.json(ctx, 200, Map.of("version", Version.VALUE));
  }

  private void listKernelspecs(RoutingContext ctx) {
    Routes.onContext(vertx, kernels.kernelspecs().gatewayModel())
        .onSuccess(m -> Routes.json(ctx, 200, m))
        .onFailure(ctx::fail);
  }

  private void getKernelspec(RoutingContext ctx) {
    Routes.onContext(vertx, kernels.kernelspecs().gatewayModel(ctx.pathParam("name")))
        .onSuccess(m -> Routes.json(ctx, 200, m))
        .onFailure(ctx::fail);
  }

  private void getKernelspecResource(RoutingContext ctx) {
    Routes.onContext(vertx, kernels.kernelspecs().resource(ctx.pathParam("name"), ctx.pathParam("file")))
        .onSuccess(r -> ctx.response()
            .putHeader("Content-Type", r.mimetype())
            .putHeader("Cache-Control", "max-age=3600")
            .end(Buffer.buffer(r.content())))
        .onFailure(ctx::fail);
  }

  private void listKernels(RoutingContext ctx) {
    ArrayNode list = Json.mapper().createArrayNode();
    kernels.list().forEach(k -> list.add(k.gatewayModel()));
    Routes.json(ctx, 200, list);
  }

  private void startKernel(RoutingContext ctx) {
    JsonNode body = parseBody(ctx);
    String name = null;
    JsonNode nameNode = body.get("name");
    if (nameNode != null && !nameNode.isNull()) {
      if (!nameNode.isTextual()) {
        throw ApiException.badRequest("field 'name' must be a string (a kernelspec name)");
      }
      name = nameNode.asText();
    }
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode envNode = body.get("env");
    if (envNode != null && !envNode.isNull()) {
      if (!envNode.isObject()) {
        throw ApiException.badRequest("field 'env' must be an object of strings");
      }
      envNode.properties().forEach(e -> {
        if (!e.getValue().isTextual()) {
          throw ApiException.badRequest("field 'env." + e.getKey() + "' must be a string");
        }
        if (e.getKey().isEmpty() || e.getKey().contains("=") || e.getKey().indexOf('\0') >= 0
            || e.getValue().asText().indexOf('\0') >= 0) {
          throw ApiException.badRequest("field 'env." + e.getKey() + "' is not a valid environment variable");
        }
        env.put(e.getKey(), e.getValue().asText());
      });
    }
    Routes.onContext(vertx, kernels.start(name, env))
        .onSuccess(k -> {
          ctx.response().putHeader("Location", "/api/kernels/" + k.id());
          Routes.json(ctx, 201, k.gatewayModel());
        })
        .onFailure(ctx::fail);
  }

  private static JsonNode parseBody(RoutingContext ctx) {
    return dev.atelier.http.Routes.objectBody(ctx);
  }

  private Kernel kernel(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!KERNEL_ID.matcher(id).matches()) {
      throw ApiException.notFound("kernel " + id + " not found (kernel ids look like UUIDs)");
    }
    return kernels.get(id);
  }

  private void getKernel(RoutingContext ctx) {
    Routes.json(ctx, 200, kernel(ctx).gatewayModel());
  }

  private void deleteKernel(RoutingContext ctx) {
    Kernel k = kernel(ctx);
    Routes.onContext(vertx, kernels.shutdown(k.id()))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private void interruptKernel(RoutingContext ctx) {
    Kernel k = kernel(ctx);
    Routes.onContext(vertx, kernels.interrupt(k.id()))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private void restartKernel(RoutingContext ctx) {
    Kernel k = kernel(ctx);
    Routes.onContext(vertx, kernels.restart(k.id()))
        .onSuccess(kernel -> Routes.json(ctx, 200, kernel.gatewayModel()))
        .onFailure(ctx::fail);
  }
}
