package dev.atelier.sagemaker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.config.AtelierConfig;
import dev.atelier.http.ApiException;
import dev.atelier.http.Capability;
import dev.atelier.http.Json;
import dev.atelier.http.Routes;
import dev.atelier.jobs.JobService;
import dev.atelier.storage.Database;
import dev.atelier.storage.ObjectStore;
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
  private static final java.util.regex.Pattern OWNER = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

  private final Vertx vertx;
  private final AccessKeys keys;
  private final AwsJsonRoutes routes;
  private final String owner;
  private final String region;
  private final Supplier<String> apiUrl;
  private final ObjectStore objects;
  private final boolean s3TakesKeys;

  /**
   * @param owner who the server's token speaks for: the owner of the key it shows
   * @param apiUrl where the API listens once it does ({@code http://host:port/atelier/api/}), or null before
   */
  public SageMakerCapability(Vertx vertx, AtelierConfig config, Database db, ObjectStore objects, JobService jobs,
      String owner, Supplier<String> apiUrl) {
    this.vertx = vertx;
    this.owner = owner;
    this.region = config.s3Region();
    this.apiUrl = apiUrl;
    this.keys = new AccessKeys(db, SecretSeal.open(config.dataDir().resolve("access-keys.seal")), Clock.systemUTC());
    this.objects = objects;
    // The sagemaker SDK signs its S3 uploads with the key it signs its API calls with.
    this.s3TakesKeys = objects.acceptKeys(id -> {
      SigV4.Key k = keys.find(id);
      return k == null ? null : k.secret();
    });
    String account = config.awsAccountId();
    TagOperations.Resources jobsOf = (who, type, name) -> JobOperations.exists(jobs, who, type, name);
    TagOperations tags = new TagOperations(new TagStore(db), account,
        Map.of("training-job", jobsOf, "processing-job", jobsOf), Clock.systemUTC());
    Map<String, Operation> sagemaker = new java.util.HashMap<>(new JobOperations(jobs, account, tags).operations());
    sagemaker.putAll(tags.operations());
    this.routes = new AwsJsonRoutes(vertx, keys, Clock.systemUTC(), Map.of(
        Target.SAGEMAKER, sagemaker,
        Target.LOGS, new LogOperations(jobs, account).operations()));
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
    // The token's holder runs this server and issues the keys of the others who share it (a hub
    // later does so for each of its users): what a key signs acts as its owner only.
    String others = baseUrl + "atelier/api/sagemaker/access-keys/:owner";
    router.get(others).handler(ctx -> ok(ctx, () -> shown(keys.current(ownerOf(ctx)))));
    router.post(others + "/rotate").handler(ctx -> ok(ctx, () -> shown(keys.rotate(ownerOf(ctx)))));
  }

  private static String ownerOf(RoutingContext ctx) {
    String o = ctx.pathParam("owner");
    if (o == null || !OWNER.matcher(o).matches()) {
      throw ApiException.badRequest("owner: '" + dev.atelier.http.LogText.of(String.valueOf(o)) + "' is not a user"
          + " name (1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit)");
    }
    return o;
  }

  private ObjectNode shown(AccessKeys.Issued key) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("Owner", key.owner());
    o.put("AccessKeyId", key.accessKeyId());
    o.put("SecretAccessKey", key.secretAccessKey());
    o.put("CreatedAt", key.createdAt().toString());
    String api = apiUrl.get();
    if (api != null) {
      o.put("EndpointUrl", api + "sagemaker");
    }
    o.put("Region", region);
    if (s3TakesKeys) {
      o.put("S3EndpointUrl", objects.endpoint());
    }
    return o;
  }

  private void ok(RoutingContext ctx, Callable<Object> work) {
    vertx.executeBlocking(work, false).onSuccess(b -> Routes.json(ctx, 200, b)).onFailure(ctx::fail);
  }
}
