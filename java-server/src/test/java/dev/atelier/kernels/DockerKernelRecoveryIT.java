package dev.atelier.kernels;

import java.util.Map;

/**
 * Kernel death and recovery on the Docker runtime: kernels on a container of the base instance
 * image (built by images/build.sh). Fails, never skips, without an engine or the image.
 */
class DockerKernelRecoveryIT extends KernelRecoveryContract {
  static final String IMAGE = System.getProperty("atelier.testImage", "atelier/base:latest");

  @Override
  protected Map<String, String> runtimeConfig() {
    return Map.of("defaultImage", IMAGE);
  }

  @Override
  protected String runtime() {
    return "docker";
  }
}
