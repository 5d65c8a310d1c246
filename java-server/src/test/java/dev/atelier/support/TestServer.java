package dev.atelier.support;

import dev.atelier.Main;
import dev.atelier.config.AtelierConfig;
import dev.atelier.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Atelier server on a free port, with real kernels from the project's Python environment.
 * Fails loudly when that environment is missing: these tests never skip.
 */
public final class TestServer implements AutoCloseable {
  public static final String TOKEN = "test-token-0123456789";

  private final Main.Running running;
  private final Path rootDir;
  private Vertx clientVertx;
  private WebClient http;

  private TestServer(Main.Running running, Path rootDir) {
    this.running = running;
    this.rootDir = rootDir;
  }

  /** The project's venv Python: -Datelier.python, else ../.venv/bin/python. */
  public static String python() {
    String p = System.getProperty("atelier.python");
    Path candidate = p != null ? Path.of(p)
        : Path.of(System.getProperty("atelier.projectRoot", ".."), ".venv", "bin", "python");
    if (!Files.isExecutable(candidate)) {
      throw new IllegalStateException("integration tests need the project's Python environment at " + candidate
          + ": run 'npm start' or 'bash scripts/atelier build' once, or pass -Datelier.python=/path/to/python");
    }
    return candidate.toAbsolutePath().toString();
  }

  public static TestServer start(Map<String, String> extra) throws Exception {
    Path root = Files.createTempDirectory("atelier-it-root");
    Path data = Files.createTempDirectory("atelier-it-data");
    // Kernels run in local processes unless a test names another image: the default (auto) would
    // put them in a container whenever Docker and an Atelier image are there.
    Map<String, String> cli = new java.util.HashMap<>(Map.of(
        "port", "0", "token", TOKEN, "rootDir", root.toString(), "dataDir", data.toString(), "python", python(),
        "defaultImage", "local"));
    cli.putAll(extra);
    AtelierConfig config = ConfigLoader.load(null, Map.of(), Map.of(), cli);
    return new TestServer(Main.start(config), root);
  }

  public static TestServer start() throws Exception {
    return start(Map.of());
  }

  public int port() {
    return running.port();
  }

  public Path rootDir() {
    return rootDir;
  }

  public Main.Running running() {
    return running;
  }

  /** A Vert.x for the test's clients (not the server's own), made on first use and closed with the server. */
  public synchronized Vertx clientVertx() {
    if (clientVertx == null) {
      clientVertx = Vertx.vertx();
    }
    return clientVertx;
  }

  /** A web client for this server on 127.0.0.1, on {@link #clientVertx()}; each request adds its token. */
  public synchronized WebClient http() {
    if (http == null) {
      http = WebClient.create(clientVertx(), new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port()));
    }
    return http;
  }

  @Override
  public void close() {
    try {
      if (clientVertx != null) {
        await(clientVertx.close());
      }
    } catch (Exception e) {
      // the server is closed all the same
    } finally {
      running.close();
    }
  }

  /** Waits for a Vert.x future from a test thread. */
  public static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
