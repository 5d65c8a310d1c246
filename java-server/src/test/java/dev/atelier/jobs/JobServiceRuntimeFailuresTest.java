package dev.atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.config.AtelierConfig;
import dev.atelier.config.ConfigLoader;
import dev.atelier.http.ApiException;
import dev.atelier.runtime.docker.DockerEngine;
import dev.atelier.runtime.docker.JobContainers;
import dev.atelier.storage.Database;
import dev.atelier.storage.KeyPolicy;
import dev.atelier.storage.MinioObjectStore;
import dev.atelier.support.StoreBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a job request is answered when its runtime fails: a failure of the machine is not blamed on
 * a field of the request. The engine here is a real client pointed at a port on 127.0.0.1 where
 * nothing listens, as when the engine stops between the availability check and the image check.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JobServiceRuntimeFailuresTest {
  @TempDir Path data;
  @TempDir Path root;

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void aJobRequestWhileTheEngineDoesNotAnswerIsA503NotABadTrainingImage() throws Exception {
    try (StoreBackend backend = new StoreBackend.Sqlite(); Database db = backend.open();
        DockerEngine engine = new DockerEngine("tcp://127.0.0.1:" + closedPort())) {
      JobStore store = new JobStore(db);
      // The availability check saw the engine a moment ago; the image check is the first to fail.
      // A real S3 client too; the request fails before any object is read.
      MinioObjectStore objects = new MinioObjectStore(URI.create("http://127.0.0.1:" + closedPort()), "us-east-1", "",
          "", true, "health", KeyPolicy.ANY_S3, null);
      AtelierConfig config = ConfigLoader.load(null, java.util.Map.of(), java.util.Map.of(),
          java.util.Map.of("dataDir", data.toString(), "rootDir", root.toString()));
      JobService jobs = new JobService(config, store, objects, new JobContainers(engine), TrainingJobSpecTest.TYPES,
          "owner", "0:0", "ada", Clock.systemUTC(), () -> null, () -> null);

      TrainingKind training = new TrainingKind();
      var body = TrainingJobSpecTest.valid();
      assertThatThrownBy(() -> jobs.create(training, jobs.parse(training, body), body))
          .isInstanceOf(ApiException.class)
          .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(503))
          .hasMessageContaining("the Docker engine is not reachable")
          .hasMessageNotContaining("AlgorithmSpecification.TrainingImage");
      assertThat(store.get(Job.TRAINING, "iris-1")).isNull();
    }
  }
}
