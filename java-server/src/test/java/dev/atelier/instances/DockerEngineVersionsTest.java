package dev.atelier.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.atelier.catalog.ImageCatalog;
import dev.atelier.runtime.docker.DockerRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Docker runtime talks to current Docker (29 refuses API versions below 1.44) as well as to
 * Debian's 20.10 (API 1.41 at most), because its requests are unversioned. The engine here is a
 * small fake of Docker 29's HTTP API on 127.0.0.1: what is under test is only which paths the
 * client sends, so the real client construction is pointed at it over {@code tcp://}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DockerEngineVersionsTest {
  private static final Pattern VERSIONED = Pattern.compile("^/v(\\d+)\\.(\\d+)(/.*)$");
  private static final String TOO_OLD = "{\"message\":\"client version 1.41 is too old. Minimum supported API"
      + " version is 1.44, please upgrade your client to a newer version\"}";
  private static final String VERSION = "{\"Version\":\"29.0.0\",\"ApiVersion\":\"1.52\","
      + "\"MinAPIVersion\":\"1.44\",\"Os\":\"linux\",\"Arch\":\"amd64\"}";
  private static final String IMAGES = "[{\"Id\":\"sha256:0123\",\"ParentId\":\"\",\"RepoTags\":[\"atelier/base:latest\"],"
      + "\"Created\":1767225600,\"Size\":123456789,\"Labels\":{\"dev.atelier.kernelspecs\":\"python3\","
      + "\"dev.atelier.display-name\":\"Atelier base\"}}]";

  private HttpServer engine;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startFakeEngine() throws IOException {
    engine = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    engine.createContext("/", this::answerLikeDocker29);
    engine.start();
  }

  @AfterEach
  void stopFakeEngine() {
    engine.stop(0);
  }

  /** Docker 29: versions below 1.44 are refused with a 400; unversioned paths are served. */
  private void answerLikeDocker29(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
    Matcher versioned = VERSIONED.matcher(path);
    if (versioned.matches()) {
      int major = Integer.parseInt(versioned.group(1));
      int minor = Integer.parseInt(versioned.group(2));
      if (major == 1 && minor < 44) {
        reply(exchange, 400, "application/json", TOO_OLD);
        return;
      }
      path = versioned.group(3);
    }
    switch (path) {
      case "/_ping" -> reply(exchange, 200, "text/plain", "OK");
      case "/version" -> reply(exchange, 200, "application/json", VERSION);
      case "/images/json" -> reply(exchange, 200, "application/json", IMAGES);
      default -> reply(exchange, 404, "application/json", "{\"message\":\"page not found\"}");
    }
  }

  private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Api-Version", "1.52");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private DockerRuntime runtime() {
    return new DockerRuntime("tcp://127.0.0.1:" + engine.getAddress().getPort(), null, Duration.ofSeconds(10), "test");
  }

  @Test
  void dockerIsAvailableAndImagesAreListedOnAnEngineThatRefusesApiVersionsBelow144() {
    try (DockerRuntime docker = runtime()) {
      ImageCatalog images = new ImageCatalog(docker, () -> List.of("python3"), ImageCatalog.LOCAL);

      assertThat(images.dockerProblem()).isNull();
      assertThat(images.dockerStatus().get("available").asBoolean()).isTrue();
      assertThat(docker.engineVersion()).isEqualTo("29.0.0");
      assertThat(images.list()).extracting(ImageCatalog.Image::name).containsExactly("local", "atelier/base:latest");
      assertThat(images.list().get(1).kernelspecs()).containsExactly("python3");
    }
    assertThat(requests).isNotEmpty();
    assertThat(requests).anySatisfy(r -> assertThat(r).startsWith("GET /version"));
    assertThat(requests).anySatisfy(r -> assertThat(r).startsWith("GET /images/json"));
    assertThat(requests).noneSatisfy(r -> assertThat(r).matches("^\\w+ /v1\\.([0-3]\\d|4[0-3])/.*"));
  }

  @Test
  void aVersionNamedInTheEnvironmentIsNotPinned() {
    String before = System.getProperty("api.version");
    System.setProperty("api.version", "1.41");
    try (DockerRuntime docker = runtime()) {
      ImageCatalog images = new ImageCatalog(docker, () -> List.of("python3"), ImageCatalog.LOCAL);
      assertThat(images.dockerProblem()).isNull();
      assertThat(images.list()).hasSize(2);
    } finally {
      if (before == null) {
        System.clearProperty("api.version");
      } else {
        System.setProperty("api.version", before);
      }
    }
    assertThat(requests).isNotEmpty().allSatisfy(r -> assertThat(r).doesNotContain(" /v1."));
  }

  @Test
  void theFakeEngineRefusesAClientPinnedTo141LikeDocker29() throws IOException {
    // Guards the test itself: a client pinned to 1.41 fails against this engine, so the tests
    // above pass because the requests are unversioned, not by accident.
    String host = "tcp://127.0.0.1:" + engine.getAddress().getPort();
    DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(host).withApiVersion("1.41").build();
    try (DockerClient pinned = DockerClientImpl.getInstance(config,
        new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build())) {
      assertThatThrownBy(() -> pinned.versionCmd().exec()).hasMessageContaining("Minimum supported API version is 1.44");
    }
    assertThat(requests).containsExactly("GET /v1.41/version");
  }
}
