package dev.atelier.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Blocking;
import dev.atelier.http.Routes;
import dev.atelier.http.ScopedTokens;
import dev.atelier.storage.ObjectStore.ObjectInfo;
import dev.atelier.storage.ObjectStore.S3Uri;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Downloads a browser can start without the server's token in its URL (where it would stay in the
 * download history): a caller with the token asks for a <em>download ticket</em>, a
 * {@linkplain ScopedTokens scoped token} for one object or one folder that expires after
 * {@link #TICKET_LIFETIME}, and the browser follows {@code objects/download?ticket=...}, the only
 * path a ticket reaches (through the front door, with the browser's JupyterLab cookie as well). A folder (an S3 prefix) downloads as a zip streamed from the store, one
 * object after the other; {@code objects/zip?prefix=} serves the same zip to callers with the token.
 */
public final class DownloadRoutes {
  /** The audience of download tickets. */
  public static final String AUDIENCE = "download";
  /** How long a ticket may be used. */
  public static final Duration TICKET_LIFETIME = Duration.ofSeconds(60);
  /** The most objects one zip holds. */
  static final int ZIP_LIMIT = 1000;

  private final Vertx vertx;
  private final ObjectStore store;
  private final ScopedTokens tickets;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public DownloadRoutes(Vertx vertx, ObjectStore store, ScopedTokens tickets, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.tickets = tickets;
    this.clock = clock;
  }

  /** Mounts under {@code {baseUrl}atelier/api/}; may be called for several routers. */
  public void mount(Router router, String baseUrl) {
    String api = baseUrl + "atelier/api/";
    tickets.admit(AUDIENCE, api + "objects/download");
    router.post(api + "objects/tickets").handler(BodyHandler.create(false).setBodyLimit(16 * 1024))
        .handler(ctx -> issue(ctx, api));
    router.get(api + "objects/download").handler(this::download);
    router.get(api + "objects/zip").handler(this::zipOfPrefix);
  }

  /**
   * {@code {"uri": "s3://b/key"}} for an object or {@code {"prefix": "s3://b/folder/"}} for a zip of a
   * folder: 201 {@code {"ticket", "url", "expires_at", "file_name"}} ({@code url} is the download's
   * path on this listener; a client behind another base path puts the ticket on its own).
   */
  private void issue(RoutingContext ctx, String api) {
    if (ScopedTokens.of(ctx) != null) {
      throw ScopedTokens.denied("a scoped token cannot issue download tickets");
    }
    JsonNode body = Routes.objectBody(ctx);
    body.fieldNames().forEachRemaining(f -> {
      if (!f.equals("uri") && !f.equals("prefix")) {
        throw ApiException.badRequest(f + ": unknown field (known: uri, prefix)");
      }
    });
    boolean folder = body.has("prefix");
    if (folder == body.has("uri")) {
      throw ApiException.badRequest("uri: give either uri (an object) or prefix (a folder, downloaded as a zip)");
    }
    String field = folder ? "prefix" : "uri";
    JsonNode value = body.get(field);
    if (!value.isTextual()) {
      throw ApiException.badRequest(field + ": must be an S3 URI string such as s3://bucket/key");
    }
    S3Uri uri = parse(field, value.asText());
    if (folder) {
      checkKey(uri, field, KeyPolicy.Use.PREFIX);
    } else {
      if (uri.key().isEmpty() || uri.key().endsWith("/")) {
        throw ApiException.badRequest("uri: '" + uri + "' names a folder; give it as prefix for a zip");
      }
      checkKey(uri, field, KeyPolicy.Use.OBJECT);
    }
    Instant expires = clock.instant().plus(TICKET_LIFETIME);
    byte[] nonce = new byte[9];
    random.nextBytes(nonce);
    String ticket = tickets.issue(new ScopedTokens.Scope(AUDIENCE, Map.of(
        "kind", folder ? "zip" : "object",
        "uri", uri.toString(),
        "exp", Long.toString(expires.getEpochSecond()),
        "nonce", HexFormat.of().formatHex(nonce))));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ticket", ticket);
    out.put("url", api + "objects/download?ticket=" + ticket);
    out.put("expires_at", expires.toString());
    out.put("file_name", folder ? zipName(uri) : uri.fileName());
    Routes.json(ctx, 201, out);
  }

  /** {@code GET objects/download?ticket=}: the ticket's object, or its folder as a zip. */
  private void download(RoutingContext ctx) {
    // Read here, not only by the token check: the front door checks the caller with jupyter_server
    // (its cookie) and leaves the ticket to this route.
    String presented = ctx.request().getParam("ticket");
    if (presented == null || presented.isEmpty()) {
      throw ApiException.badRequest("ticket: objects/download takes a download ticket (POST objects/tickets);"
          + " with the server's token, use objects?uri= or objects/zip?prefix=");
    }
    ScopedTokens.Scope scope = tickets.verify(presented);
    if (scope == null || !AUDIENCE.equals(scope.audience())) {
      throw ScopedTokens.denied("ticket: not a download ticket this server issued: ask for a new download link");
    }
    long exp;
    try {
      exp = Long.parseLong(scope.claim("exp"));
    } catch (NumberFormatException e) {
      throw ScopedTokens.denied("the download ticket has no expiry");
    }
    if (clock.instant().getEpochSecond() > exp) {
      throw ScopedTokens.denied("the download ticket expired at " + Instant.ofEpochSecond(exp)
          + "; tickets last " + TICKET_LIFETIME.toSeconds() + " s: ask for a new one");
    }
    S3Uri uri = S3Uri.parse(scope.claim("uri"));
    if ("zip".equals(scope.claim("kind"))) {
      sendZip(ctx, uri);
    } else {
      ObjectRoutes.sendObject(vertx, store, ctx, uri);
    }
  }

  /** {@code GET objects/zip?prefix=}: the folder as a zip, for callers with the server's token. */
  private void zipOfPrefix(RoutingContext ctx) {
    String value = ctx.request().getParam("prefix");
    if (value == null || value.isEmpty()) {
      throw ApiException.badRequest("prefix: the query parameter 'prefix' is required, such as"
          + " prefix=s3://bucket/folder/");
    }
    S3Uri prefix = parse("prefix", value);
    checkKey(prefix, "prefix", KeyPolicy.Use.PREFIX);
    sendZip(ctx, prefix);
  }

  private void sendZip(RoutingContext ctx, S3Uri prefix) {
    S3Uri folder = asFolder(prefix);
    blocking(() -> store.list(folder, ZIP_LIMIT + 1)).onSuccess(objects -> {
      if (objects.isEmpty()) {
        ctx.fail(new ApiException(404, "Not Found", "prefix: no objects under " + folder));
        return;
      }
      if (objects.size() > ZIP_LIMIT) {
        ctx.fail(ApiException.badRequest("prefix: " + folder + " holds more than " + ZIP_LIMIT
            + " objects; list it (objects/list) and download them one by one"));
        return;
      }
      HttpServerResponse response = ctx.response();
      response.putHeader("Content-Type", "application/zip")
          .putHeader("Content-Disposition", ObjectRoutes.contentDisposition(zipName(prefix)))
          .setChunked(true);
      List<ObjectInfo> list = objects;
      Thread.ofVirtual().name("zip-download").start(() -> ZipStream.write(store, folder, list, response));
    }).onFailure(ctx::fail);
  }

  /** A prefix read as a folder: {@code s3://b/out} covers {@code out/...}, not {@code outer/...}. */
  static S3Uri asFolder(S3Uri prefix) {
    String key = prefix.key();
    return key.isEmpty() || key.endsWith("/") ? prefix : new S3Uri(prefix.bucket(), key + "/");
  }

  /** The zip's file name: the folder's last segment (or the bucket's name) and {@code .zip}. */
  static String zipName(S3Uri prefix) {
    String name = prefix.fileName();
    return (name.isEmpty() ? prefix.bucket() : name) + ".zip";
  }

  private S3Uri parse(String field, String value) {
    try {
      return S3Uri.parse(value);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(field + ": " + e.getMessage());
    }
  }

  private void checkKey(S3Uri uri, String name, KeyPolicy.Use use) {
    String problem = store.keys().problem(uri.key(), use);
    if (problem != null) {
      throw ApiException.badRequest(name + ": '" + uri + "': " + problem);
    }
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return Blocking.run(vertx, "objects", work);
  }
}
