package dev.atelier.storage;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Download tickets and zips of folders, against a real server and its embedded S3 server. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class DownloadRoutesIT {
  private static TestServer server;
  private static Vertx vertx;
  private static WebClient http;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
    vertx = Vertx.vertx();
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
    put("s3://atelier/out/job/summary/summary.txt", "rows=40");
    put("s3://atelier/out/job/summary/deep/part-0.csv", "a,b\n1,2\n");
    put("s3://atelier/out/job/summary2/other.txt", "not in the folder");
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
    server.close();
  }

  private static void put(String uri, String body) throws Exception {
    HttpResponse<Buffer> r = await(http.request(HttpMethod.PUT, "/atelier/api/objects").addQueryParam("uri", uri)
        .putHeader("Authorization", "token " + TestServer.TOKEN).putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer(body)));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
  }

  private static HttpResponse<Buffer> ticket(JsonObject body) throws Exception {
    return await(http.post("/atelier/api/objects/tickets")
        .putHeader("Authorization", "token " + TestServer.TOKEN).sendJsonObject(body));
  }

  /** GET a path exactly as a browser follows a link: no Authorization header, no token. */
  private static HttpResponse<Buffer> follow(String url) throws Exception {
    return await(http.get(url).send());
  }

  private static Map<String, String> unzip(byte[] zip) throws Exception {
    Map<String, String> entries = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        entries.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return entries;
  }

  @Test
  void aTicketDownloadsItsObjectWithoutTheTokenInTheUrl() throws Exception {
    HttpResponse<Buffer> issued = ticket(new JsonObject().put("uri", "s3://atelier/out/job/summary/summary.txt"));
    assertThat(issued.statusCode()).as(issued.bodyAsString()).isEqualTo(201);
    JsonObject body = issued.bodyAsJsonObject();
    String url = body.getString("url");
    assertThat(url).startsWith("/atelier/api/objects/download?ticket=").doesNotContain(TestServer.TOKEN);
    assertThat(body.getString("file_name")).isEqualTo("summary.txt");
    Instant expires = Instant.parse(body.getString("expires_at"));
    assertThat(expires).isAfter(Instant.now()).isBefore(Instant.now().plusSeconds(61));

    HttpResponse<Buffer> down = follow(url);
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(down.bodyAsString()).isEqualTo("rows=40");
    assertThat(down.getHeader("Content-Disposition")).startsWith("attachment; filename=\"summary.txt\"");
  }

  @Test
  void aFolderTicketDownloadsAZipOfTheFolderOnly() throws Exception {
    // No trailing slash, as processing outputs are named: still the folder, not summary2/.
    HttpResponse<Buffer> issued = ticket(new JsonObject().put("prefix", "s3://atelier/out/job/summary"));
    assertThat(issued.statusCode()).as(issued.bodyAsString()).isEqualTo(201);
    assertThat(issued.bodyAsJsonObject().getString("file_name")).isEqualTo("summary.zip");
    HttpResponse<Buffer> zip = follow(issued.bodyAsJsonObject().getString("url"));
    assertThat(zip.statusCode()).as(zip.bodyAsString()).isEqualTo(200);
    assertThat(zip.getHeader("Content-Type")).isEqualTo("application/zip");
    assertThat(zip.getHeader("Content-Disposition")).startsWith("attachment; filename=\"summary.zip\"");
    assertThat(unzip(zip.body().getBytes())).containsExactly(
        Map.entry("deep/part-0.csv", "a,b\n1,2\n"), Map.entry("summary.txt", "rows=40"));

    // Asked for as an object, the folder's 404 says how to get it.
    HttpResponse<Buffer> asObject = await(http.get("/atelier/api/objects").addQueryParam("uri", "s3://atelier/out/job/summary")
        .putHeader("Authorization", "token " + TestServer.TOKEN).send());
    assertThat(asObject.statusCode()).isEqualTo(404);
    assertThat(asObject.bodyAsJsonObject().getString("message")).contains("a folder of objects").contains("objects/zip");

    // The same zip for a caller with the token.
    HttpResponse<Buffer> direct = await(http.get("/atelier/api/objects/zip").addQueryParam("prefix", "s3://atelier/out/job/summary/")
        .putHeader("Authorization", "token " + TestServer.TOKEN).send());
    assertThat(direct.statusCode()).isEqualTo(200);
    assertThat(unzip(direct.body().getBytes())).containsOnlyKeys("deep/part-0.csv", "summary.txt");
  }

  @Test
  void aTicketReachesNothingElse() throws Exception {
    String url = ticket(new JsonObject().put("uri", "s3://atelier/out/job/summary/summary.txt")).bodyAsJsonObject().getString("url");
    String ticket = url.substring(url.indexOf("ticket=") + "ticket=".length());
    for (String path : new String[] {"/atelier/api/objects/list?prefix=s3://atelier/", "/atelier/api/objects?uri=s3://atelier/out/job/summary/summary.txt",
        "/atelier/api/kernels", "/atelier/api/objects/zip?prefix=s3://atelier/out/"}) {
      HttpResponse<Buffer> r = follow(path + (path.contains("?") ? "&" : "?") + "ticket=" + ticket);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
    }
    // Nor as a token, where TokenAuth admits scoped tokens only on their paths.
    HttpResponse<Buffer> asToken = await(http.get("/atelier/api/objects/list").addQueryParam("prefix", "s3://atelier/")
        .putHeader("Authorization", "token " + ticket).send());
    assertThat(asToken.statusCode()).isEqualTo(403);
    // A ticket cannot issue tickets.
    HttpResponse<Buffer> mint = await(http.post("/atelier/api/objects/tickets").putHeader("Authorization", "token " + ticket)
        .sendJsonObject(new JsonObject().put("prefix", "s3://atelier/")));
    assertThat(mint.statusCode()).isEqualTo(403);
  }

  @Test
  void forgedMissingAndServerTokenTicketsAreRefused() throws Exception {
    assertThat(follow("/atelier/api/objects/download?ticket=atls1.forged.sig").statusCode()).isEqualTo(401);
    // The server's own token is never a ticket.
    assertThat(follow("/atelier/api/objects/download?ticket=" + TestServer.TOKEN).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> none = await(http.get("/atelier/api/objects/download")
        .putHeader("Authorization", "token " + TestServer.TOKEN).send());
    assertThat(none.statusCode()).isEqualTo(400);
    assertThat(none.bodyAsJsonObject().getString("message")).startsWith("ticket:");
  }

  @Test
  void badTicketRequestsAre400NamingTheField() throws Exception {
    Map<JsonObject, String> bad = new LinkedHashMap<>();
    bad.put(new JsonObject(), "uri:");
    bad.put(new JsonObject().put("uri", "s3://atelier/a.txt").put("prefix", "s3://atelier/"), "uri:");
    bad.put(new JsonObject().put("uri", "s3://atelier/dir/"), "uri:");
    bad.put(new JsonObject().put("uri", "http://x/y"), "uri:");
    bad.put(new JsonObject().put("uri", 7), "uri:");
    bad.put(new JsonObject().put("prefix", "s3://atelier/a/../../etc"), "prefix:");
    bad.put(new JsonObject().put("uri", "s3://atelier/a.txt").put("owner", "me"), "owner:");
    for (Map.Entry<JsonObject, String> e : bad.entrySet()) {
      HttpResponse<Buffer> r = ticket(e.getKey());
      assertThat(r.statusCode()).as(e.getKey().encode()).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("message")).as(e.getKey().encode()).startsWith(e.getValue());
    }
    HttpResponse<Buffer> empty = follow(ticket(new JsonObject().put("prefix", "s3://atelier/nothing/here/"))
        .bodyAsJsonObject().getString("url"));
    assertThat(empty.statusCode()).isEqualTo(404);
    assertThat(empty.bodyAsJsonObject().getString("message")).contains("no objects under s3://atelier/nothing/here/");
  }
}
