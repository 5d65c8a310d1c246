package dev.atelier.storage;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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

/** The objects API against a real server with its embedded S3 server, bad input included. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ObjectRoutesIT {
  private static TestServer server;
  private static Vertx vertx;
  private static WebClient http;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of("maxUploadMib", "8"));
    vertx = Vertx.vertx();
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
    server.close();
  }

  private static HttpRequest<Buffer> request(io.vertx.core.http.HttpMethod method, String path, String uriParam, String uri) {
    return http.request(method, path).addQueryParam(uriParam, uri)
        .putHeader("Authorization", "token " + TestServer.TOKEN);
  }

  private static HttpResponse<Buffer> put(String uri, byte[] body, String type) throws Exception {
    return await(request(io.vertx.core.http.HttpMethod.PUT, "/atelier/api/objects", "uri", uri)
        .putHeader("Content-Type", type).sendBuffer(Buffer.buffer(body)));
  }

  private static HttpResponse<Buffer> get(String path, String param, String uri) throws Exception {
    return await(request(io.vertx.core.http.HttpMethod.GET, path, param, uri).send());
  }

  @Test
  void uploadListAndDownloadRoundTrip() throws Exception {
    byte[] data = new byte[3 << 20];
    new Random(7).nextBytes(data);
    HttpResponse<Buffer> created = put("s3://atelier/uploads/my data.bin", data, "application/x-test");
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    assertThat(created.bodyAsJsonObject()).isEqualTo(new JsonObject()
        .put("uri", "s3://atelier/uploads/my data.bin").put("size", data.length));
    put("s3://atelier/uploads/nested/ü.txt", "ü".getBytes(StandardCharsets.UTF_8), "text/plain");

    HttpResponse<Buffer> listed = get("/atelier/api/objects/list", "prefix", "s3://atelier/uploads/");
    assertThat(listed.statusCode()).isEqualTo(200);
    JsonObject list = listed.bodyAsJsonObject();
    assertThat(list.getBoolean("truncated")).isFalse();
    assertThat(list.getJsonArray("objects")).hasSize(2);
    JsonObject first = list.getJsonArray("objects").getJsonObject(0);
    assertThat(first.getString("key")).isEqualTo("uploads/my data.bin");
    assertThat(first.getString("uri")).isEqualTo("s3://atelier/uploads/my data.bin");
    assertThat(first.getLong("size")).isEqualTo(data.length);
    assertThat(first.getString("last_modified")).isNotBlank();

    HttpResponse<Buffer> down = get("/atelier/api/objects", "uri", "s3://atelier/uploads/my data.bin");
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(down.getHeader("Content-Type")).isEqualTo("application/x-test");
    assertThat(down.getHeader("Content-Disposition")).startsWith("attachment; filename=\"my data.bin\"");
    assertThat(down.body().getBytes()).isEqualTo(data);

    HttpResponse<Buffer> unicode = get("/atelier/api/objects", "uri", "s3://atelier/uploads/nested/ü.txt");
    assertThat(unicode.bodyAsString()).isEqualTo("ü");
    assertThat(unicode.getHeader("Content-Disposition")).contains("filename*=UTF-8''%C3%BC.txt");
  }

  @Test
  void missingObjectIs404NamingTheUri() throws Exception {
    HttpResponse<Buffer> r = get("/atelier/api/objects", "uri", "s3://atelier/nope/missing.txt");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.bodyAsJsonObject().getString("message")).contains("s3://atelier/nope/missing.txt");
    HttpResponse<Buffer> bucket = get("/atelier/api/objects", "uri", "s3://no-such-bucket-here/x");
    assertThat(bucket.statusCode()).isEqualTo(404);
  }

  @Test
  void badUrisAre400NamingTheParameter() throws Exception {
    for (String bad : new String[] {"s3://../x", "s3://Bad_Bucket/x", "s3://atelier/a/../../etc/passwd", "http://x/y", ""}) {
      HttpResponse<Buffer> r = get("/atelier/api/objects", "uri", bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("message")).as(bad).startsWith("uri:");
      HttpResponse<Buffer> up = put(bad, new byte[] {1}, "application/octet-stream");
      assertThat(up.statusCode()).as(bad).isEqualTo(400);
      HttpResponse<Buffer> list = get("/atelier/api/objects/list", "prefix", bad);
      assertThat(list.statusCode()).as(bad).isEqualTo(400);
    }
    assertThat(get("/atelier/api/objects", "uri", "s3://atelier/dir/").statusCode()).isEqualTo(400);
  }

  @Test
  void withoutTokenEveryRouteIs401() throws Exception {
    assertThat(await(http.get("/atelier/api/objects?uri=s3://atelier/x").send()).statusCode()).isEqualTo(401);
    assertThat(await(http.get("/atelier/api/objects/list?prefix=s3://atelier/").send()).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> up = await(http.put("/atelier/api/objects?uri=s3://atelier/x").sendBuffer(Buffer.buffer("x")));
    assertThat(up.statusCode()).isEqualTo(401);
    assertThat(get("/atelier/api/objects", "uri", "s3://atelier/x").statusCode()).isEqualTo(404);
  }

  @Test
  void uploadOverTheCapIs413AndStoresNothing() throws Exception {
    HttpResponse<Buffer> r = put("s3://atelier/too/big.bin", new byte[(8 << 20) + 1], "application/octet-stream");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.bodyAsJsonObject().getString("message")).contains("maxUploadMib");
    assertThat(get("/atelier/api/objects", "uri", "s3://atelier/too/big.bin").statusCode()).isEqualTo(404);
  }

  @Test
  void anUnreachableExternalStoreDoesNotStopTheServerAndHealthSaysSo() throws Exception {
    try (TestServer other = TestServer.start(Map.of("s3Endpoint", "http://127.0.0.1:1", "s3AccessKey", "k",
        "s3SecretKey", "s"))) {
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(other.port()));
      JsonObject store = await(client.get("/atelier/api/health").putHeader("Authorization", "token " + TestServer.TOKEN)
          .send()).bodyAsJsonObject().getJsonObject("object_store");
      assertThat(store.getString("endpoint")).isEqualTo("http://127.0.0.1:1");
      assertThat(store.getBoolean("embedded")).isFalse();
      assertThat(store.getBoolean("available")).isFalse();
      assertThat(store.getString("problem")).contains("http://127.0.0.1:1").contains("cannot be reached");
      HttpResponse<Buffer> down = await(client.get("/atelier/api/objects").addQueryParam("uri", "s3://atelier/x")
          .putHeader("Authorization", "token " + TestServer.TOKEN).send());
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.bodyAsJsonObject().getString("message")).contains("cannot be reached");
    }
  }

  @Test
  void healthReportsTheEmbeddedObjectStore() throws Exception {
    HttpResponse<Buffer> r = await(http.get("/atelier/api/health").putHeader("Authorization", "token " + TestServer.TOKEN).send());
    JsonObject store = r.bodyAsJsonObject().getJsonObject("object_store");
    assertThat(store.getString("endpoint")).startsWith("http://127.0.0.1:");
    assertThat(store.getBoolean("embedded")).isTrue();
    assertThat(store.getBoolean("available")).isTrue();
    assertThat(store.getValue("problem")).isNull();
    assertThat(store.getString("default_bucket")).isEqualTo("atelier");
  }
}
