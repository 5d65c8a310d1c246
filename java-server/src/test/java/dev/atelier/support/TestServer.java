package dev.atelier.support;

import dev.atelier.Main;
import dev.atelier.config.AtelierConfig;
import dev.atelier.config.ConfigLoader;
import io.vertx.core.Future;
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

  @Override
  public void close() {
    running.close();
  }

  /** Waits for a Vert.x future from a test thread. */
  public static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
