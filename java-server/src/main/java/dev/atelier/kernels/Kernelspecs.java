package dev.atelier.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.runtime.AgentClient;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The kernelspecs an instance's agent offers, in the Kernel Gateway's shapes; cached briefly. */
public final class Kernelspecs {
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /** What a kernel start needs to know about its spec. */
  public record Spec(String name, String displayName, String language) {}

  /** A file from a spec's resource directory (logos). */
  public record Resource(String mimetype, byte[] content) {}

  private final Supplier<CompletableFuture<AgentClient>> agent;
  private volatile JsonNode cached;
  private volatile long cachedAtNanos;

  Kernelspecs(Supplier<CompletableFuture<AgentClient>> agent) {
    this.agent = agent;
  }

  /** The agent's reply: {@code default} and {@code kernelspecs} by name. */
  public CompletableFuture<JsonNode> all() {
    JsonNode c = cached;
    if (c != null && System.nanoTime() - cachedAtNanos < TTL.toNanos()) {
      return CompletableFuture.completedFuture(c);
    }
    return agent.get()
        .thenCompose(a -> a.request("kernelspecs", Map.of(), Duration.ofSeconds(30)))
        .thenApply(reply -> {
          cached = reply;
          cachedAtNanos = System.nanoTime();
          return reply;
        });
  }

  /** {@code GET /api/kernelspecs}: {@code {"default", "kernelspecs": {name: {name, spec, resources}}}}. */
  public CompletableFuture<ObjectNode> gatewayModel() {
    return all().thenApply(reply -> {
      ObjectNode out = Json.mapper().createObjectNode();
      out.put("default", reply.path("default").asText("python3"));
      ObjectNode specs = out.putObject("kernelspecs");
      reply.path("kernelspecs").properties().forEach(e -> specs.set(e.getKey(), model(e.getKey(), e.getValue())));
      return out;
    });
  }

  /** {@code GET /api/kernelspecs/{name}}, or 404. */
  public CompletableFuture<ObjectNode> gatewayModel(String name) {
    return all().thenApply(reply -> {
      JsonNode entry = reply.path("kernelspecs").get(name);
      if (entry == null) {
        throw new CompletionException(ApiException.notFound("kernelspec " + name + " not found"));
      }
      return model(name, entry);
    });
  }

  private static ObjectNode model(String name, JsonNode entry) {
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("name", name);
    m.set("spec", entry.path("spec"));
    ObjectNode resources = m.putObject("resources");
    for (JsonNode f : entry.path("resources")) {
      String file = f.asText();
      int dot = file.lastIndexOf('.');
      String stem = dot > 0 ? file.substring(0, dot) : file;
      if (file.startsWith("logo-") || file.equals("kernel.js") || file.equals("kernel.css")) {
        resources.put(file.startsWith("logo-") ? stem : file, "/kernelspecs/" + name + "/" + file);
      }
    }
    return m;
  }

  /** The spec to start, or a 404 that lists the valid names. */
  public CompletableFuture<Spec> require(String name) {
    return all().thenCompose(reply -> {
      String wanted = name == null || name.isEmpty() ? reply.path("default").asText("python3") : name;
      JsonNode entry = reply.path("kernelspecs").get(wanted);
      if (entry == null) {
        // A spec installed since the last look is found after one refresh.
        cached = null;
        return all().thenApply(fresh -> {
          JsonNode again = fresh.path("kernelspecs").get(wanted);
          if (again == null) {
            throw new CompletionException(ApiException.notFound("kernelspec " + wanted + " not found (available: "
                + String.join(", ", (Iterable<String>) () -> fresh.path("kernelspecs").fieldNames()) + ")"));
          }
          return spec(wanted, again);
        });
      }
      return CompletableFuture.completedFuture(spec(wanted, entry));
    });
  }

  private static Spec spec(String name, JsonNode entry) {
    JsonNode s = entry.path("spec");
    return new Spec(name, s.path("display_name").asText(name), s.path("language").asText(""));
  }

  /** A resource file such as {@code logo-64x64.png}; names with path separators are refused. */
  public CompletableFuture<Resource> resource(String name, String file) {
    if (!SAFE_NAME.matcher(name).matches() || !SAFE_NAME.matcher(file).matches() || file.contains("..")) {
      return CompletableFuture.failedFuture(ApiException.badRequest(
          "kernelspec name and file must be plain names (letters, digits, '.', '_', '-')"));
    }
    return require(name)
        .thenCompose(spec -> agent.get())
        .thenCompose(a -> a.request("resource", Map.of("kernelspec", name, "file", file), Duration.ofSeconds(10)))
        .handle((reply, err) -> {
          if (err != null) {
            Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (c instanceof ApiException api) {
              throw new CompletionException(api);
            }
            throw new CompletionException(ApiException.notFound(
                "kernelspec " + name + " has no resource " + file));
          }
          return new Resource(reply.path("mimetype").asText("application/octet-stream"),
              Base64.getDecoder().decode(reply.path("content_base64").asText("")));
        });
  }
}
