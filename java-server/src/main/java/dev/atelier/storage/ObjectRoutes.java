package dev.atelier.storage;

import dev.atelier.http.ApiException;
import dev.atelier.http.Blocking;
import dev.atelier.http.RequestBodyStream;
import dev.atelier.http.Routes;
import dev.atelier.storage.ObjectStore.ObjectContent;
import dev.atelier.storage.ObjectStore.ObjectInfo;
import dev.atelier.storage.ObjectStore.S3Uri;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;

/**
 * The objects API under {@code {base}atelier/api/}: download one object, list a prefix, upload one
 * object. Bodies stream both ways on virtual threads; nothing holds a whole object in memory.
 */
public final class ObjectRoutes {
  /** The most objects one listing returns. */
  static final int LIST_LIMIT = 1000;
  private static final int CHUNK = 64 * 1024;
  /** Chunks written to a client but not yet flushed: bounds the memory of one download. */
  private static final int IN_FLIGHT = 16;

  private final Vertx vertx;
  private final ObjectStore store;
  private final long maxUploadBytes;

  public ObjectRoutes(Vertx vertx, ObjectStore store, long maxUploadBytes) {
    this.vertx = vertx;
    this.store = store;
    this.maxUploadBytes = maxUploadBytes;
  }

  /** Mounts under {@code {baseUrl}atelier/api/}; may be called for several routers. */
  public void mount(Router router, String baseUrl) {
    String api = baseUrl + "atelier/api/";
    router.get(api + "objects/list").handler(this::list);
    router.get(api + "objects").handler(this::download);
    router.put(api + "objects").handler(this::upload);
  }

  private void list(RoutingContext ctx) {
    S3Uri prefix = uriParam(ctx, "prefix", KeyPolicy.Use.PREFIX);
    blocking(() -> store.list(prefix, LIST_LIMIT + 1)).onSuccess(objects -> {
      List<Map<String, Object>> out = new ArrayList<>();
      for (ObjectInfo o : objects.subList(0, Math.min(LIST_LIMIT, objects.size()))) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("key", o.key());
        // Built as text: a key another client stored may be one this server would not accept.
        item.put("uri", "s3://" + prefix.bucket() + "/" + o.key());
        item.put("size", o.size());
        item.put("last_modified", o.lastModified() == null ? null : o.lastModified().toString());
        out.add(item);
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("objects", out);
      body.put("truncated", objects.size() > LIST_LIMIT);
      Routes.json(ctx, 200, body);
    }).onFailure(ctx::fail);
  }

  private void download(RoutingContext ctx) {
    S3Uri uri = uriParam(ctx, "uri", null);
    if (uri.key().isEmpty() || uri.key().endsWith("/")) {
      throw ApiException.badRequest("uri: '" + uri + "' names no object (use objects/list for a prefix)");
    }
    checkKey(uri, "uri", KeyPolicy.Use.OBJECT);
    sendObject(vertx, store, ctx, uri);
  }

  /** Streams one object to the client as an attachment named after its key's last segment. */
  static void sendObject(Vertx vertx, ObjectStore store, RoutingContext ctx, S3Uri uri) {
    Blocking.run(vertx, "objects", () -> store.read(uri)).onSuccess(content -> {
      HttpServerResponse response = ctx.response();
      response.putHeader("Content-Type", content.contentType())
          .putHeader("Content-Disposition", contentDisposition(uri.fileName()));
      if (content.size() >= 0) {
        response.putHeader("Content-Length", Long.toString(content.size()));
      } else {
        response.setChunked(true);
      }
      Thread.ofVirtual().name("object-download").start(() -> pump(content, response));
    }).onFailure(e -> notAnObject(vertx, store, ctx, uri, e));
  }

  /** A missing object whose key is a folder (a processing output's URI) says how to get the folder. */
  private static void notAnObject(Vertx vertx, ObjectStore store, RoutingContext ctx, S3Uri uri, Throwable e) {
    if (!(e instanceof NoSuchObjectException)) {
      ctx.fail(e);
      return;
    }
    Blocking.run(vertx, "objects", () -> store.list(DownloadRoutes.asFolder(uri), 1)).onComplete(listed -> {
      if (listed.succeeded() && !listed.result().isEmpty()) {
        ctx.fail(new ApiException(404, "Not Found", "uri: no object at " + uri + ", but a folder of objects:"
            + " list it with objects/list?prefix=, or download it as a zip with objects/zip?prefix="));
      } else {
        ctx.fail(e);
      }
    });
  }

  private void upload(RoutingContext ctx) {
    S3Uri uri = uriParam(ctx, "uri", null);
    if (uri.key().isEmpty() || uri.key().endsWith("/")) {
      throw ApiException.badRequest("uri: '" + uri + "' names no object: the key must not be empty or end with '/'");
    }
    checkKey(uri, "uri", KeyPolicy.Use.OBJECT);
    String lengthHeader = ctx.request().getHeader("Content-Length");
    if (lengthHeader == null && !hasChunkedBody(ctx)) {
      // As S3 answers a PUT without Content-Length (MissingContentLength): a request with neither
      // Content-Length nor a chunked body has no body at all, which is not an empty file.
      throw new ApiException(411, "Length Required", "the upload has no body: send the object's bytes with"
          + " Content-Length (Content-Length: 0 for an empty object) or Transfer-Encoding: chunked");
    }
    long length = -1;
    if (lengthHeader != null) {
      try {
        length = Long.parseLong(lengthHeader.trim());
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("Content-Length: '" + lengthHeader + "' is not a number");
      }
    }
    if (length > maxUploadBytes) {
      ctx.response().putHeader("Connection", "close");
      throw tooLarge(length);
    }
    String type = storedType(ctx.request().getHeader("Content-Type"));
    RequestBodyStream body = new RequestBodyStream(ctx.request(), vertx.getOrCreateContext(), maxUploadBytes);
    long size = length;
    blocking(() -> {
      try (InputStream in = body) {
        return store.upload(in, size, uri, type, ObjectStore.Progress.NONE);
      }
    }).onSuccess(stored -> {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("uri", uri.toString());
      out.put("size", stored);
      Routes.json(ctx, 201, out);
    }).onFailure(e -> {
      if (body.tooLarge()) {
        ctx.response().putHeader("Connection", "close");
        ctx.fail(tooLarge(body.received()));
      } else {
        ctx.fail(e);
      }
    });
  }

  private ApiException tooLarge(long size) {
    return new ApiException(413, "Payload Too Large", "the upload is " + (size >= 0 ? "at least " + size + " bytes" : "too large")
        + "; this server accepts at most " + maxUploadBytes + " bytes per object (maxUploadMib)");
  }

  /**
   * Copies the object to the client (its headers set) from a virtual thread, a bounded number of
   * chunks ahead; call it on that thread. Closes the object.
   */
  public static void pump(ObjectContent content, HttpServerResponse response) {
    Semaphore window = new Semaphore(IN_FLIGHT);
    try (content) {
      InputStream in = content.body();
      byte[] chunk = new byte[CHUNK];
      for (int n; (n = in.readNBytes(chunk, 0, CHUNK)) > 0; ) {
        window.acquire();
        if (response.closed()) {
          return;
        }
        response.write(Buffer.buffer(n).appendBytes(chunk, 0, n)).onComplete(ar -> window.release());
      }
      response.end();
    } catch (Exception e) {
      // Headers are out: the only way left to tell the client is to break the connection.
      response.reset();
    }
  }

  static String contentDisposition(String name) {
    String ascii = name.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "_");
    String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
  }

  /** HTTP/1.1 with {@code Transfer-Encoding: chunked}, or HTTP/2, where a body needs no length. */
  private static boolean hasChunkedBody(RoutingContext ctx) {
    String te = ctx.request().getHeader("Transfer-Encoding");
    return (te != null && te.toLowerCase(java.util.Locale.ROOT).contains("chunked"))
        || ctx.request().version() == io.vertx.core.http.HttpVersion.HTTP_2;
  }

  /** The store's key policy, before any byte is read or sent: 400 naming the parameter and why. */
  private void checkKey(S3Uri uri, String name, KeyPolicy.Use use) {
    String problem = store.keys().problem(uri.key(), use);
    if (problem != null) {
      throw ApiException.badRequest(name + ": '" + uri + "': " + problem);
    }
  }

  private S3Uri uriParam(RoutingContext ctx, String name, KeyPolicy.Use use) {
    String value = ctx.request().getParam(name);
    if (value == null || value.isEmpty()) {
      throw ApiException.badRequest(name + ": the query parameter '" + name + "' is required, such as " + name
          + "=s3://bucket/key");
    }
    S3Uri uri;
    try {
      uri = S3Uri.parse(value);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(name + ": " + e.getMessage());
    }
    if (use != null) {
      checkKey(uri, name, use);
    }
    return uri;
  }

  /**
   * The type the object is stored with. A form type (what curl --data-binary and HTML forms send
   * by default) describes the upload, not the file, and S3 servers built on servlets read such
   * bodies as form fields: stored as bytes instead.
   */
  public static String storedType(String header) {
    if (header == null || header.isBlank()) {
      return "application/octet-stream";
    }
    String t = header.toLowerCase(java.util.Locale.ROOT).trim();
    if (t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/form-data")) {
      return "application/octet-stream";
    }
    return header.trim();
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return Blocking.run(vertx, "objects", work);
  }
}
