package dev.atelier.runtime.docker;

import dev.atelier.runtime.RuntimeFailure;

/**
 * The one Docker engine the contract tests run on, shared by every runtime they make (each leaves
 * it open) and closed when the test run ends; an assertion error saying what to do when it or the
 * image is missing.
 */
final class DockerTestEngine {
  /** The base instance image, built by images/build.sh. */
  static final String IMAGE = System.getProperty("atelier.testImage", "atelier/base:latest");
  /** DOCKER_HOST when it names a Unix socket, as the docker command would use; else the default socket. */
  static final String DOCKER_HOST = System.getenv("DOCKER_HOST") != null && System.getenv("DOCKER_HOST").startsWith("unix://")
      ? System.getenv("DOCKER_HOST") : "unix:///var/run/docker.sock";

  private static DockerEngine shared;

  private DockerTestEngine() {}

  /** The engine, once it answers and has {@link #IMAGE}. */
  static synchronized DockerEngine require() {
    if (shared == null) {
      DockerEngine engine = new DockerEngine(DOCKER_HOST);
      try {
        engine.version();
        engine.requireImage(IMAGE);
      } catch (RuntimeFailure e) {
        engine.close();
        throw new AssertionError("these tests need a Docker engine at " + DOCKER_HOST + " and the image " + IMAGE
            + ": start dockerd, then run 'bash images/build.sh' (" + e.getMessage() + ")", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(engine::close, "docker-test-engine-close"));
      shared = engine;
    }
    return shared;
  }
}
