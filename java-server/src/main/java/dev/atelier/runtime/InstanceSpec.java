package dev.atelier.runtime;

import java.nio.file.Path;
import java.util.Map;

/**
 * What an instance is: the environment for one (instance type, image), with its limits.
 *
 * @param instanceType the catalog name, such as {@code ml.t3.medium}
 * @param image the container image (ignored by the process runtime)
 * @param cpus CPU limit in cores (0: none)
 * @param memoryBytes memory limit (0: none)
 * @param workDir the notebook root, mounted at the same path so notebooks' relative paths work
 * @param labels extra labels naming owner, type and image
 */
public record InstanceSpec(
    String instanceType, String image, double cpus, long memoryBytes, Path workDir, Map<String, String> labels) {

  /** Why an instance that reached its memory limit ended, for a person: the same on every runtime. */
  public String outOfMemory() {
    return "the instance ran out of memory (" + instanceType + " allows " + (memoryBytes >> 20) + " MiB) and was killed";
  }

  /** A local instance without limits: the process runtime's default. */
  public static InstanceSpec local(Path workDir) {
    return new InstanceSpec("local", "", 0, 0, workDir, Map.of());
  }
}
