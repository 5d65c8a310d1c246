package dev.atelier.experiments.artifacts;

import dev.atelier.experiments.artifacts.ArtifactPath.Kind;
import dev.atelier.http.ApiException;
import dev.atelier.http.Blocking;
import dev.atelier.http.RequestBodyStream;
import dev.atelier.http.Routes;
import dev.atelier.storage.ObjectRoutes;
import dev.atelier.storage.ObjectStore.ObjectInfo;
import dev.atelier.storage.ObjectStore.S3Uri;
import dev.atelier.storage.ObjectStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * MLflow's proxied artifact service, as the unmodified {@code mlflow} client calls it for an
 * {@code mlflow-artifacts:/} artifact URI, under {@code {base}atelier/mlflow/api/2.0/mlflow-artifacts/}
 * (and {@code ajax-api/}): upload ({@code PUT artifacts/<path>}), download ({@code GET
 * artifacts/<path>}), list ({@code GET artifacts?path=}), delete ({@code DELETE artifacts/<path>}).
 * An artifact {@code <path>} is the object {@code experiments/<path>} in the default bucket; bodies
 * stream both ways, never held whole in memory. The client resolves {@code mlflow-artifacts:/x}
 * against the tracking URI's path ({@code http://host/atelier/mlflow} gives
 * {@code http://host/atelier/mlflow/api/2.0/mlflow-artifacts/artifacts/x}), which is where these are.
 *
 * <p>Presigned multipart uploads and downloads answer 501, on which the client goes through the
 * proxied routes above: it asks for them only when the server's info says they are on or the user
 * turned them on.
 */
public final class ArtifactRoutes {
  /** The most entries one listing returns (MLflow's artifact listing has no pages). */
  static final int LIST_LIMIT = 10_000;

  private final Vertx vertx;
  private final ObjectStore store;
  private final String bucket;
  private final long maxUploadBytes;

  public ArtifactRoutes(Vertx vertx, ObjectStore store, String bucket, long maxUploadBytes) {
    this.vertx = vertx;
    this.store = store;
    this.bucket = bucket;
    this.maxUploadBytes = maxUploadBytes;
  }

  /** Mounts under {@code {baseUrl}atelier/mlflow/}; may be called for several routers. */
  public void mount(Router router, String baseUrl) {
    for (String api : List.of("api", "ajax-api")) {
      String root = baseUrl + "atelier/mlflow/" + api + "/2.0/mlflow-artifacts/";
      String files = root + "artifacts/";
      router.route(baseUrl + "atelier/mlflow/*").handler(ctx -> refuseEscapes(ctx, files));
      router.get(root + "artifacts").handler(this::list);
      router.put(files + "*").handler(ctx -> upload(ctx, files));
      router.get(files + "*").handler(ctx -> download(ctx, files));
      router.delete(files + "*").handler(ctx -> delete(ctx, files));
      router.post(root + "mpu/*").handler(this::presignedUnsupported);
      router.get(root + "presigned/*").handler(this::presignedUnsupported);
    }
  }

  private void list(RoutingContext ctx) {
    ArtifactPath path = path(() -> ArtifactPath.of(ctx.request().getParam("path"), "path", Kind.FOLDER));
    S3Uri folder = uri(path.folderKey());
    blocking(() -> store.listFolder(folder, LIST_LIMIT)).onSuccess(entries -> {
      List<Map<String, Object>> files = new ArrayList<>();
      // A path that names one artifact lists nothing, as MLflow's server answers: the client tells
      // a file from a folder by that.
      for (ObjectInfo entry : entries) {
        boolean dir = entry.key().endsWith("/");
        String name = entry.key().substring(folder.key().length(), entry.key().length() - (dir ? 1 : 0));
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("path", name);
        file.put("is_dir", dir);
        if (!dir) {
          file.put("file_size", entry.size());
        }
        files.add(file);
      }
      Routes.json(ctx, 200, Map.of("files", files));
    }).onFailure(e -> ctx.fail(ArtifactErrors.of(e)));
  }

  private void upload(RoutingContext ctx, String prefix) {
    ArtifactPath path = rawPath(ctx, prefix, Kind.FILE);
    S3Uri target = uri(path.key());
    String problem = store.keys().problem(target.key(), dev.atelier.storage.KeyPolicy.Use.OBJECT);
    if (problem != null) {
      throw ArtifactErrors.invalid("Invalid path '" + path.value() + "': " + problem);
    }
    String lengthHeader = ctx.request().getHeader("Content-Length");
    long length = -1;
    if (lengthHeader != null) {
      try {
        length = Long.parseLong(lengthHeader.trim());
      } catch (NumberFormatException e) {
        throw ArtifactErrors.invalid("Content-Length: '" + lengthHeader + "' is not a number");
      }
    } else if (!chunked(ctx)) {
      throw new ApiException(411, "Length Required", "the upload has no body: send the artifact's bytes with"
          + " Content-Length (0 for an empty file) or Transfer-Encoding: chunked");
    }
    if (length > maxUploadBytes) {
      ctx.response().putHeader("Connection", "close");
      throw tooLarge(length);
    }
    String type = ObjectRoutes.storedType(ctx.request().getHeader("Content-Type"));
    RequestBodyStream body = new RequestBodyStream(ctx.request(), vertx.getOrCreateContext(), maxUploadBytes);
    long size = length;
    blocking(() -> {
      try (InputStream in = body) {
        return store.upload(in, size, target, type, ObjectStore.Progress.NONE);
      }
    }).onSuccess(stored -> Routes.json(ctx, 200, Map.of())).onFailure(e -> {
      if (body.tooLarge()) {
        ctx.response().putHeader("Connection", "close");
        ctx.fail(tooLarge(body.received()));
      } else {
        ctx.fail(ArtifactErrors.of(e));
      }
    });
  }

  private void download(RoutingContext ctx, String prefix) {
    ArtifactPath path = rawPath(ctx, prefix, Kind.FILE);
    S3Uri object = uri(path.key());
    blocking(() -> store.read(object)).onSuccess(content -> {
      HttpServerResponse response = ctx.response();
      // Artifacts are anyone's files served from the notebook's own origin: never rendered as a
      // page there (MLflow's server does the same), always saved.
      response.putHeader("Content-Type", servedType(content.contentType()))
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Content-Disposition", "attachment; filename=\"" + path.fileName().replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "_") + "\"");
      if (content.size() >= 0) {
        response.putHeader("Content-Length", Long.toString(content.size()));
      } else {
        response.setChunked(true);
      }
      Thread.ofVirtual().name("artifact-download").start(() -> ObjectRoutes.pump(content, response));
    }).onFailure(e -> ctx.fail(e instanceof dev.atelier.storage.NoSuchObjectException
        ? ArtifactErrors.missing("No artifact at '" + path.value() + "'") : ArtifactErrors.of(e)));
  }

  /** Deletes the artifact the path names, or every artifact below it when it names a folder. */
  private void delete(RoutingContext ctx, String prefix) {
    ArtifactPath path = rawPath(ctx, prefix, Kind.FOLDER);
    if (path.value().isEmpty()) {
      throw ArtifactErrors.invalid("Invalid path '': name the artifact or folder to delete, such as"
          + " <experiment_id>/<run_id>/artifacts/model");
    }
    blocking(() -> {
      List<S3Uri> doomed = new ArrayList<>();
      store.stat(uri(path.key())).ifPresent(o -> doomed.add(uri(o.key())));
      for (ObjectInfo o : store.list(uri(path.folderKey()))) {
        doomed.add(uri(o.key()));
      }
      doomed.forEach(store::delete);
      return doomed.size();
    }).onSuccess(n -> {
      if (n == 0) {
        ctx.fail(ArtifactErrors.missing("No artifact at '" + path.value() + "'"));
      } else {
        Routes.json(ctx, 200, Map.of());
      }
    }).onFailure(e -> ctx.fail(ArtifactErrors.of(e)));
  }

  /**
   * The router resolves {@code ..} segments (also encoded ones) before it matches routes, so
   * {@code artifacts/%2e%2e/x} would reach another route: an artifact path that climbs out of the
   * artifact routes is refused here, before any route sees it.
   */
  private static void refuseEscapes(RoutingContext ctx, String files) {
    if (ctx.request().path() != null && ctx.request().path().startsWith(files) && !ctx.normalizedPath().startsWith(files)) {
      ctx.fail(ArtifactErrors.invalid("Invalid path '" + ctx.request().path().substring(files.length())
          .replaceAll("\\p{Cntrl}", "?") + "': it has a '..' segment, which would leave the artifact root"));
      return;
    }
    ctx.next();
  }

  private void presignedUnsupported(RoutingContext ctx) {
    ctx.fail(ArtifactErrors.notImplemented("This server does not hand out presigned URLs for artifacts:"
        + " upload and download through the artifact routes (mlflow-artifacts/artifacts/<path>)"));
  }

  /**
   * The artifact path of a request, from the path as it was sent: the router's view of it has
   * {@code ..} segments already resolved, and a traversal must be refused, not followed.
   */
  private static ArtifactPath rawPath(RoutingContext ctx, String prefix, Kind kind) {
    String raw = ctx.request().path();
    if (raw == null || !raw.startsWith(prefix)) {
      throw ArtifactErrors.invalid("Invalid path '" + (raw == null ? "" : raw.replaceAll("\\p{Cntrl}", "?"))
          + "': artifact paths are " + prefix + "<path>, with no '..', '.' or empty segments");
    }
    return path(() -> ArtifactPath.ofRaw(raw.substring(prefix.length()), "artifact path", kind));
  }

  private static ArtifactPath path(java.util.function.Supplier<ArtifactPath> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw ArtifactErrors.invalid(e.getMessage());
    }
  }

  private S3Uri uri(String key) {
    try {
      return new S3Uri(bucket, key);
    } catch (IllegalArgumentException e) {
      throw ArtifactErrors.invalid("Invalid path: " + e.getMessage());
    }
  }

  private ApiException tooLarge(long size) {
    return new ApiException(413, "Payload Too Large", "the artifact is " + (size >= 0 ? "at least " + size + " bytes"
        : "too large") + "; this server accepts at most " + maxUploadBytes + " bytes per file (maxUploadMib)");
  }

  /** Types a browser would run as a page or script are served as text. */
  static String servedType(String stored) {
    String t = stored == null ? "" : stored.toLowerCase(Locale.ROOT);
    if (t.contains("html") || t.contains("javascript") || t.contains("svg") || t.contains("xml") || t.isBlank()) {
      return t.isBlank() ? "application/octet-stream" : "text/plain; charset=utf-8";
    }
    return stored;
  }

  private static boolean chunked(RoutingContext ctx) {
    String te = ctx.request().getHeader("Transfer-Encoding");
    return (te != null && te.toLowerCase(Locale.ROOT).contains("chunked"))
        || ctx.request().version() == io.vertx.core.http.HttpVersion.HTTP_2;
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return Blocking.run(vertx, "mlflow-artifacts", work);
  }
}
