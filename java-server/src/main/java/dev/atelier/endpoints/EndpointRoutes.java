package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.EndpointStore.Kind;
import dev.atelier.endpoints.bluegreen.DeploymentPolicy;
import dev.atelier.http.ApiException;
import dev.atelier.http.Blocking;
import dev.atelier.http.Json;
import dev.atelier.http.Routes;
import dev.atelier.jobs.Fields;
import dev.atelier.storage.KeyPolicy;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.Callable;

/**
 * The hosting API under {@code {base}atelier/api/}, in SageMaker's shapes: models, endpoint configs,
 * endpoints (create, describe, list, delete, weights and capacities), and their invocation metrics.
 * The work runs on virtual threads; failures are {@link ApiException}s for the one failure handler.
 */
final class EndpointRoutes {
  private static final long MAX_BODY = 1L << 20;

  private final Vertx vertx;
  private final EndpointService endpoints;
  private final ModelsAndConfigs definitions;
  private final Invocations invocations;
  private final InstanceUsage usage;
  private final KeyPolicy keys;

  EndpointRoutes(Vertx vertx, EndpointService endpoints, Invocations invocations, InstanceUsage usage,
      KeyPolicy keys) {
    this.vertx = vertx;
    this.endpoints = endpoints;
    this.definitions = endpoints.definitions();
    this.invocations = invocations;
    this.usage = usage;
    this.keys = keys;
  }

  void mount(Router router, String baseUrl) {
    String api = baseUrl + "atelier/api/";
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY);
    router.post(api + "models").handler(body).handler(this::createModel);
    router.get(api + "models").handler(ctx -> answer(ctx, 200, () -> definitions.list(Kind.MODEL)));
    router.get(api + "models/:name").handler(ctx -> answer(ctx, 200, () -> definitions.describe(Kind.MODEL, name(ctx))));
    router.delete(api + "models/:name").handler(ctx -> gone(ctx, 204, () -> definitions.delete(Kind.MODEL, name(ctx))));

    router.post(api + "endpoint-configs").handler(body).handler(this::createConfig);
    router.get(api + "endpoint-configs").handler(ctx -> answer(ctx, 200, () -> definitions.list(Kind.CONFIG)));
    router.get(api + "endpoint-configs/:name")
        .handler(ctx -> answer(ctx, 200, () -> definitions.describe(Kind.CONFIG, name(ctx))));
    router.delete(api + "endpoint-configs/:name")
        .handler(ctx -> gone(ctx, 204, () -> definitions.delete(Kind.CONFIG, name(ctx))));

    // Before endpoints/:name, which would take "metrics" for a name.
    router.get(api + "endpoints/metrics").handler(this::prometheus);
    router.post(api + "endpoints").handler(body).handler(this::createEndpoint);
    router.get(api + "endpoints").handler(ctx -> answer(ctx, 200, endpoints::list));
    router.get(api + "endpoints/:name")
        .handler(ctx -> answer(ctx, 200, () -> usage.describe(endpoints.describe(name(ctx)))));
    router.delete(api + "endpoints/:name")
        .handler(ctx -> answer(ctx, 202, () -> usage.describe(endpoints.delete(name(ctx)))));
    router.post(api + "endpoints/:name/weights-and-capacities").handler(body).handler(this::weights);
    router.post(api + "endpoints/:name/update").handler(body).handler(this::update);
    router.get(api + "endpoints/:name/metrics").handler(this::metrics);
  }

  private void createModel(RoutingContext ctx) {
    answer(ctx, 201, () -> {
      String arn = definitions.createModel(EndpointRequests.model(Routes.objectBody(ctx), keys));
      return Json.mapper().createObjectNode().put("ModelArn", arn);
    });
  }

  private void createConfig(RoutingContext ctx) {
    answer(ctx, 201, () -> {
      String arn = definitions.createConfig(EndpointRequests.config(Routes.objectBody(ctx), definitions.types()));
      return Json.mapper().createObjectNode().put("EndpointConfigArn", arn);
    });
  }

  private void createEndpoint(RoutingContext ctx) {
    answer(ctx, 201, () -> {
      String arn = endpoints.create(EndpointRequests.endpoint(Routes.objectBody(ctx)));
      return Json.mapper().createObjectNode().put("EndpointArn", arn);
    });
  }

  private void weights(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String name = name(ctx);
      endpoints.updateWeightsAndCapacities(name, EndpointRequests.weightsAndCapacities(Routes.objectBody(ctx)));
      return Json.mapper().createObjectNode().put("EndpointArn", endpoints.describe(name).path("EndpointArn").asText());
    });
  }

  /**
   * UpdateEndpoint: to another config, blue/green as its DeploymentConfig says (or, with
   * RetainDeploymentConfig and none given, as the last update's did).
   */
  private void update(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String name = name(ctx);
      JsonNode body = Routes.objectBody(ctx);
      Fields.onlyKnown(body, "", java.util.Set.of("EndpointName", "EndpointConfigName", "DeploymentConfig",
          "RetainAllVariantProperties", "ExcludeRetainedVariantProperties", "RetainDeploymentConfig"));
      String config = Fields.name(body, "EndpointConfigName", "");
      JsonNode deployment = body.get("DeploymentConfig");
      if ((deployment == null || deployment.isNull()) && body.path("RetainDeploymentConfig").asBoolean(false)) {
        deployment = endpoints.describe(name).get("LastDeploymentConfig"); // as SageMaker: the last one used
      }
      DeploymentPolicy policy = DeploymentPolicy.parse(deployment);
      endpoints.updateEndpoint(name, config, policy);
      return Json.mapper().createObjectNode().put("EndpointArn", endpoints.describe(name).path("EndpointArn").asText());
    });
  }

  private void metrics(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String name = name(ctx);
      endpoints.describe(name);
      String m = ctx.request().getParam("minutes");
      int minutes;
      try {
        minutes = m == null ? 60 : Integer.parseInt(m);
      } catch (NumberFormatException e) {
        minutes = -1;
      }
      if (minutes < 1 || minutes > 1440) {
        throw ApiException.badRequest("minutes: '" + abbreviate(m) + "' must be a whole number from 1 to 1440");
      }
      return usage.metrics(name, invocations.minutes(name, minutes), minutes);
    });
  }

  private void prometheus(RoutingContext ctx) {
    ctx.response().setStatusCode(200).putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(invocations.prometheus() + usage.prometheus());
  }

  private void answer(RoutingContext ctx, int status, Callable<ObjectNode> work) {
    Blocking.run(vertx, "endpoints-api", work).onSuccess(b -> Routes.json(ctx, status, b)).onFailure(ctx::fail);
  }

  private void gone(RoutingContext ctx, int status, Runnable work) {
    Blocking.run(vertx, "endpoints-api", () -> {
      work.run();
      return null;
    }).onSuccess(b -> ctx.response().setStatusCode(status).end()).onFailure(ctx::fail);
  }

  static String name(RoutingContext ctx) {
    String n = ctx.pathParam("name");
    if (n == null || !Fields.NAME.matcher(n).matches()) {
      throw ApiException.badRequest("'" + abbreviate(n) + "' is not a name (1-63 letters, digits and hyphens)");
    }
    return n;
  }

  static String abbreviate(String s) {
    return s == null ? "" : s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
