package dev.atelier.sagemaker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.config.AtelierConfig;
import dev.atelier.http.Capability;
import dev.atelier.http.Json;
import dev.atelier.http.Routes;
import dev.atelier.jobs.JobService;
import dev.atelier.storage.Database;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The SageMaker-compatible API: AWS JSON 1.1 requests signed with an access key Atelier issues,
 * at {@code /atelier/api/sagemaker} (and at the root, for clients given a bare URL), serving
 * SageMaker's training and processing job operations over the jobs capability and CloudWatch Logs'
 * reads of their logs. The caller's key is shown and rotated at
 * {@code {base}atelier/api/sagemaker/access-key}, behind the server's token like the rest of the API.
 */
public final class SageMakerCapability implements Capability {
  /** Where signed requests are posted on the API listener. */
  public static final String PATH = "/atelier/api/sagemaker";

  private final Vertx vertx;
  private final AccessKeys keys;
  private final AwsJsonRoutes routes;
  private final String owner;
  private final String region;
  private final Supplier<String> apiUrl;

  /**
   * @param owner who the server's token speaks for: the owner of the key it shows
   * @param apiUrl where the API listens once it does ({@code http://host:port/atelier/api/}), or null before
   */
  public SageMakerCapability(Vertx vertx, AtelierConfig config, Database db, JobService jobs, String owner,
      Supplier<String> apiUrl) {
    this.vertx = vertx;
    this.owner = owner;
    this.region = config.s3Region();
    this.apiUrl = apiUrl;
    this.keys = new AccessKeys(db, SecretSeal.open(config.dataDir().resolve("access-keys.seal")), Clock.systemUTC());
    this.routes = new AwsJsonRoutes(vertx, keys, Clock.systemUTC(), Map.of(
        Target.SAGEMAKER, new JobOperations(jobs, config.awsAccountId()).operations(),
        Target.LOGS, new LogOperations(jobs, config.awsAccountId()).operations()));
  }

  @Override
  public String name() {
    return "sagemaker";
  }

  /** Signed requests carry no server token: they are taken before the token check. */
  @Override
  public void mountSigned(Router router) {
    routes.mount(router, PATH, false);
    routes.mount(router, PATH + "/", false);
    routes.mount(router, "/", true);
  }

  @Override
  public void mount(Router router, String baseUrl) {
    String base = baseUrl + "atelier/api/sagemaker/access-key";
    router.get(base).handler(ctx -> ok(ctx, () -> shown(keys.current(owner))));
    router.post(base + "/rotate").handler(ctx -> ok(ctx, () -> shown(keys.rotate(owner))));
  }

  private ObjectNode shown(AccessKeys.Issued key) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("AccessKeyId", key.accessKeyId());
    o.put("SecretAccessKey", key.secretAccessKey());
    o.put("CreatedAt", key.createdAt().toString());
    String api = apiUrl.get();
    if (api != null) {
      o.put("EndpointUrl", api + "sagemaker");
    }
    o.put("Region", region);
    return o;
  }

  private void ok(RoutingContext ctx, Callable<Object> work) {
    vertx.executeBlocking(work, false).onSuccess(b -> Routes.json(ctx, 200, b)).onFailure(ctx::fail);
  }
}
