package dev.atelier.runtime.docker;

import dev.atelier.runtime.RuntimeFailure;

/** The Docker engine the contract tests run on: an assertion error saying what to do when it or the image is missing. */
final class DockerTestEngine {
  private DockerTestEngine() {}

  /** An engine that answers and has {@link DockerRuntimeContractIT#IMAGE}; the caller closes it. */
  static DockerEngine require() {
    DockerEngine engine = new DockerEngine(DockerRuntimeContractIT.DOCKER_HOST);
    try {
      engine.version();
      engine.requireImage(DockerRuntimeContractIT.IMAGE);
    } catch (RuntimeFailure e) {
      engine.close();
      throw new AssertionError("these tests need a Docker engine at " + DockerRuntimeContractIT.DOCKER_HOST
          + " and the image " + DockerRuntimeContractIT.IMAGE + ": start dockerd, then run 'bash images/build.sh' ("
          + e.getMessage() + ")", e);
    }
    return engine;
  }
}
