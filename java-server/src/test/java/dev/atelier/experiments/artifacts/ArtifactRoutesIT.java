package dev.atelier.experiments.artifacts;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MLflow's proxied artifact routes against a real server and its embedded S3 server, bad input included. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ArtifactRoutesIT {
  private static final String ROOT = "/atelier/mlflow/api/2.0/mlflow-artifacts/";
  private static final String FILES = ROOT + "artifacts/";
  private static TestServer server;
  private static Vertx vertx;
  private static WebClient http;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of("maxUploadMib", "4"));
    vertx = Vertx.vertx();
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
    server.close();
  }

  /** As the mlflow client authenticates with MLFLOW_TRACKING_TOKEN. */
  private static HttpRequest<Buffer> request(HttpMethod method, String path) {
    return http.request(method, path).putHeader("Authorization", "Bearer " + TestServer.TOKEN);
  }

  private static HttpResponse<Buffer> put(String rawPath, byte[] body) throws Exception {
    return await(request(HttpMethod.PUT, FILES + rawPath).putHeader("Content-Type", "application/octet-stream")
        .sendBuffer(Buffer.buffer(body)));
  }

  private static HttpResponse<Buffer> get(String rawPath) throws Exception {
    return await(request(HttpMethod.GET, FILES + rawPath).send());
  }

  private static HttpResponse<Buffer> list(String path) throws Exception {
    HttpRequest<Buffer> r = request(HttpMethod.GET, ROOT + "artifacts");
    if (path != null) {
      r.addQueryParam("path", path);
    }
    return await(r.send());
  }

  private static JsonArray files(String path) throws Exception {
    HttpResponse<Buffer> r = list(path);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonArray("files");
  }

  /** Every object below experiments/ in the default bucket, through the objects API. */
  private static JsonArray storedObjects() throws Exception {
    HttpResponse<Buffer> r = await(http.get("/atelier/api/objects/list").addQueryParam("prefix", "s3://atelier/experiments/")
        .putHeader("Authorization", "token " + TestServer.TOKEN).send());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonArray("objects");
  }

  @Test
  void uploadListDownloadAndDeleteRoundTripThroughTheObjectStore() throws Exception {
    byte[] blob = new byte[3 << 20];
    new Random(11).nextBytes(blob);
    assertThat(put("7/run-a/artifacts/data/blob.bin", blob).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> notes = put("7/run-a/artifacts/notes%20v1.txt", "hello".getBytes(StandardCharsets.UTF_8));
    assertThat(notes.statusCode()).as(notes.bodyAsString()).isEqualTo(200);
    assertThat(notes.bodyAsJsonObject()).isEqualTo(new JsonObject());

    assertThat(files("7/run-a/artifacts")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("path", "data").put("is_dir", true))
        .add(new JsonObject().put("path", "notes v1.txt").put("is_dir", false).put("file_size", 5)));
    assertThat(files("7/run-a/artifacts/data/")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("path", "blob.bin").put("is_dir", false).put("file_size", blob.length)));
    // A path naming one file lists nothing (the client tells files from folders by it), and so
    // does a path with nothing below it.
    assertThat(files("7/run-a/artifacts/data/blob.bin")).isEmpty();
    assertThat(files("7/no-such-run")).isEmpty();
    assertThat(files(null).stream().map(f -> ((JsonObject) f).getString("path"))).contains("7");

    HttpResponse<Buffer> down = get("7/run-a/artifacts/data/blob.bin");
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(down.body().getBytes()).isEqualTo(blob);
    assertThat(down.getHeader("Content-Disposition")).isEqualTo("attachment; filename=\"blob.bin\"");
    assertThat(get("7/run-a/artifacts/notes%20v1.txt").bodyAsString()).isEqualTo("hello");

    assertThat(storedObjects().stream().map(o -> ((JsonObject) o).getString("key")))
        .contains("experiments/7/run-a/artifacts/data/blob.bin", "experiments/7/run-a/artifacts/notes v1.txt");

    HttpResponse<Buffer> deleted = await(request(HttpMethod.DELETE, FILES + "7/run-a/artifacts/data").send());
    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(200);
    assertThat(get("7/run-a/artifacts/data/blob.bin").statusCode()).isEqualTo(404);
    assertThat(files("7/run-a/artifacts")).hasSize(1);
    assertThat(await(request(HttpMethod.DELETE, FILES + "7/run-a/artifacts/notes%20v1.txt").send()).statusCode())
        .isEqualTo(200);
    assertThat(files("7/run-a/artifacts")).isEmpty();
  }

  @Test
  void htmlArtifactsAreServedAsTextToBeSavedNotRendered() throws Exception {
    HttpResponse<Buffer> up = await(request(HttpMethod.PUT, FILES + "8/r/artifacts/report.html")
        .putHeader("Content-Type", "text/html").sendBuffer(Buffer.buffer("<script>alert(1)</script>")));
    assertThat(up.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> down = get("8/r/artifacts/report.html");
    assertThat(down.getHeader("Content-Type")).startsWith("text/plain");
    assertThat(down.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(down.getHeader("Content-Disposition")).startsWith("attachment");
    assertThat(down.bodyAsString()).isEqualTo("<script>alert(1)</script>");
  }

  @Test
  void unknownArtifactsAre404NamingThePath() throws Exception {
    HttpResponse<Buffer> missing = get("9/none/artifacts/model.pkl");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.bodyAsJsonObject().getString("message")).contains("9/none/artifacts/model.pkl");
    assertThat(missing.bodyAsJsonObject().getString("error_code")).isEqualTo("RESOURCE_DOES_NOT_EXIST");
    HttpResponse<Buffer> delete = await(request(HttpMethod.DELETE, FILES + "9/none/artifacts").send());
    assertThat(delete.statusCode()).isEqualTo(404);
    assertThat(delete.bodyAsJsonObject().getString("error_code")).isEqualTo("RESOURCE_DOES_NOT_EXIST");
  }

  @Test
  void traversalsAndOtherSeparatorsAre400AndStoreNothing() throws Exception {
    int before = storedObjects().size();
    String[] bad = {
      "1/../2/x.txt", "..%2Fx.txt", "%2e%2e/x.txt", "1/%252e%252e/x.txt", "a//b.txt", "/abs.txt", "a%5Cb.txt",
      "a%00b.txt", "C:x.txt", "a/./b.txt", "a%23b.txt", "a%0Ab.txt", "dir/"
    };
    for (String path : bad) {
      HttpResponse<Buffer> up = put(path, new byte[] {1, 2, 3});
      assertThat(up.statusCode()).as(path + ": " + up.bodyAsString()).isEqualTo(400);
      String message = up.bodyAsJsonObject().getString("message");
      assertThat(message).as(path).startsWith("Invalid path").doesNotContain("Exception");
      assertThat(up.bodyAsJsonObject().getString("error_code")).as(path).isEqualTo("INVALID_PARAMETER_VALUE");
      assertThat(get(path).statusCode()).as(path).isIn(400, 404);
    }
    for (String path : new String[] {"../x", "a/../../b", "/etc", "a\\b", "a//b", "%2e%2e/x"}) {
      HttpResponse<Buffer> r = list(path);
      assertThat(r.statusCode()).as(path + ": " + r.bodyAsString()).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("message")).as(path).startsWith("Invalid path");
      assertThat(r.bodyAsJsonObject().getString("error_code")).as(path).isEqualTo("INVALID_PARAMETER_VALUE");
    }
    // Not a URI at all: the HTTP server refuses it before any route.
    assertThat(put("%zz.txt", new byte[] {1}).statusCode()).isEqualTo(400);
    HttpResponse<Buffer> all = await(request(HttpMethod.DELETE, FILES).send());
    assertThat(all.statusCode()).as(all.bodyAsString()).isEqualTo(400);
    assertThat(storedObjects()).hasSize(before);
  }

  @Test
  void anUploadOverTheLimitIs413AndStoresNothing() throws Exception {
    HttpResponse<Buffer> r = put("10/r/artifacts/big.bin", new byte[5 << 20]);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.bodyAsJsonObject().getString("message")).contains("maxUploadMib");
    assertThat(get("10/r/artifacts/big.bin").statusCode()).isEqualTo(404);
  }

  @Test
  void presignedTransfersAre501SoTheClientFallsBackToTheProxiedRoutes() throws Exception {
    HttpResponse<Buffer> create = await(request(HttpMethod.POST, ROOT + "mpu/create/1/r/artifacts")
        .sendJsonObject(new JsonObject().put("path", "big.bin").put("num_parts", 2)));
    assertThat(create.statusCode()).isEqualTo(501);
    assertThat(create.bodyAsJsonObject().getString("error_code")).isEqualTo("NOT_IMPLEMENTED");
    assertThat(await(request(HttpMethod.GET, ROOT + "presigned/1/r/artifacts/big.bin").send()).statusCode())
        .isEqualTo(501);
  }

  @Test
  void theRoutesRefuseRequestsWithoutTheToken() throws Exception {
    HttpResponse<Buffer> r = await(http.get(FILES + "1/r/artifacts/x").send());
    assertThat(r.statusCode()).isEqualTo(401);
  }
}
