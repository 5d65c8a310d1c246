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

  private static String message(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getString("message");
  }

  @Test
  void keysTheEmbeddedStoreWouldMergeAre400SayingWhyAndNothingIsOverwritten() throws Exception {
    assertThat(put("s3://atelier/p/odd/a/b", "original".getBytes(StandardCharsets.UTF_8), "text/plain").statusCode())
        .isEqualTo(201);
    HttpResponse<Buffer> doubled = put("s3://atelier/p/odd/a//b", "intruder".getBytes(StandardCharsets.UTF_8), "text/plain");
    assertThat(doubled.statusCode()).as(doubled.bodyAsString()).isEqualTo(400);
    assertThat(message(doubled)).startsWith("uri: 's3://atelier/p/odd/a//b'").contains("empty segment ('//')");
    assertThat(get("/atelier/api/objects", "uri", "s3://atelier/p/odd/a/b").bodyAsString()).isEqualTo("original");
    assertThat(get("/atelier/api/objects", "uri", "s3://atelier/p/odd/a//b").statusCode()).isEqualTo(400);
    HttpResponse<Buffer> listed = get("/atelier/api/objects/list", "prefix", "s3://atelier/p/odd/");
    assertThat(listed.bodyAsJsonObject().getJsonArray("objects")).hasSize(1);
    assertThat(get("/atelier/api/objects/list", "prefix", "s3://atelier/p/odd//").statusCode()).isEqualTo(400);

    for (String dot : new String[] {"s3://atelier/p/odd/./c", "s3://atelier/p/odd/.", "s3://atelier/./c"}) {
      HttpResponse<Buffer> up = put(dot, new byte[] {1}, "application/octet-stream");
      assertThat(up.statusCode()).as(dot + ": " + up.bodyAsString()).isEqualTo(400);
      assertThat(message(up)).as(dot).startsWith("uri:").contains("relative paths").doesNotContain("Exception");
      assertThat(get("/atelier/api/objects", "uri", dot).statusCode()).as(dot).isEqualTo(400);
    }

    for (String lead : new String[] {"s3://atelier//etc/passwd", "s3://atelier//"}) {
      HttpResponse<Buffer> down = get("/atelier/api/objects", "uri", lead);
      assertThat(down.statusCode()).as(lead).isEqualTo(400);
      HttpResponse<Buffer> list = get("/atelier/api/objects/list", "prefix", lead);
      assertThat(list.statusCode()).as(lead + ": " + list.bodyAsString()).isEqualTo(400);
      assertThat(message(list)).as(lead).startsWith("prefix:").contains("starts with '/'");
    }
    HttpResponse<Buffer> up = put("s3://atelier//etc/passwd", new byte[] {1}, "application/octet-stream");
    assertThat(up.statusCode()).isEqualTo(400);
    assertThat(message(up)).contains("starts with '/'");

    HttpResponse<Buffer> reserved = put("s3://atelier/p/odd/.mpus-x", new byte[] {1}, "application/octet-stream");
    assertThat(reserved.statusCode()).isEqualTo(400);
    assertThat(message(reserved)).contains("'.mpus-'");
    HttpResponse<Buffer> tooLong = put("s3://atelier/p/odd/" + "n".repeat(230), new byte[] {1}, "application/octet-stream");
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(message(tooLong)).contains("230 bytes long").contains("218");
  }

  @Test
  void percentSignsPlusAndUnicodeKeysRoundTripAsThemselves() throws Exception {
    String[] keys = {"p/enc/a%2Fb", "p/enc/a/b", "p/enc/%41", "p/enc/A", "p/enc/x+y", "p/enc/x y", "p/enc/\u00e9",
        "p/enc/e\u0301"};
    for (String k : keys) {
      HttpResponse<Buffer> r = put("s3://atelier/" + k, k.getBytes(StandardCharsets.UTF_8), "text/plain");
      assertThat(r.statusCode()).as(k).isEqualTo(201);
      assertThat(r.bodyAsJsonObject().getString("uri")).isEqualTo("s3://atelier/" + k);
    }
    for (String k : keys) {
      assertThat(get("/atelier/api/objects", "uri", "s3://atelier/" + k).bodyAsString()).as(k).isEqualTo(k);
    }
    HttpResponse<Buffer> listed = get("/atelier/api/objects/list", "prefix", "s3://atelier/p/enc/");
    assertThat(listed.bodyAsJsonObject().getJsonArray("objects").stream()
        .map(o -> ((JsonObject) o).getString("key")).toList()).containsExactlyInAnyOrder(keys);
  }

  @Test
  void anObjectWhereAFolderShouldBeIs409NamingIt() throws Exception {
    assertThat(put("s3://atelier/p/both/x", "file".getBytes(StandardCharsets.UTF_8), "text/plain").statusCode())
        .isEqualTo(201);
    HttpResponse<Buffer> under = put("s3://atelier/p/both/x/y", "under".getBytes(StandardCharsets.UTF_8), "text/plain");
    assertThat(under.statusCode()).as(under.bodyAsString()).isEqualTo(409);
    assertThat(message(under)).contains("'s3://atelier/p/both/x' is an object");
    assertThat(get("/atelier/api/objects", "uri", "s3://atelier/p/both/x").bodyAsString()).isEqualTo("file");
  }

  /** One raw HTTP/1.1 request, so that exactly the headers given are sent; returns the status line's code. */
  private static int rawPut(String path, String headers) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.getOutputStream().write(("PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token "
          + TestServer.TOKEN + "\r\nConnection: close\r\n" + headers + "\r\n").getBytes(StandardCharsets.UTF_8));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return Integer.parseInt(response.substring(9, 12));
    }
  }

  @Test
  void aPutWithNoBodyIs411AndAnExplicitEmptyBodyIsAnEmptyObject() throws Exception {
    assertThat(rawPut("/atelier/api/objects?uri=s3://atelier/p/empty/none", "")).isEqualTo(411);
    assertThat(get("/atelier/api/objects", "uri", "s3://atelier/p/empty/none").statusCode()).isEqualTo(404);

    assertThat(rawPut("/atelier/api/objects?uri=s3://atelier/p/empty/zero", "Content-Length: 0\r\n")).isEqualTo(201);
    HttpResponse<Buffer> zero = get("/atelier/api/objects", "uri", "s3://atelier/p/empty/zero");
    assertThat(zero.statusCode()).isEqualTo(200);
    assertThat(zero.body() == null ? 0 : zero.body().length()).isZero();

    assertThat(rawPut("/atelier/api/objects?uri=s3://atelier/p/empty/chunked",
        "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n")).isEqualTo(201);
    assertThat(get("/atelier/api/objects", "uri", "s3://atelier/p/empty/chunked").bodyAsString()).isEqualTo("abc");
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
