package dev.atelier.runtime.docker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Small images the integration tests build on the base image, with the legacy builder (no
 * registry), and what they ask the engine about containers.
 */
public final class TestImages {
  private TestImages() {}

  /** Builds {@code tag} from the files (a Dockerfile among them); a build of the same files is Docker's cache hit. */
  public static void build(String tag, Map<String, String> files) throws Exception {
    Path dir = Files.createTempDirectory("atelier-test-image");
    for (Map.Entry<String, String> f : files.entrySet()) {
      Files.writeString(dir.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
    }
    DockerTestEngine.require().client().buildImageCmd(dir.toFile()).withTags(Set.of(tag)).withPull(false)
        .start().awaitImageId();
  }

  /** How many containers, running or not, carry {@code label=value}. */
  public static int containersLabelled(String label, String value) {
    return DockerTestEngine.require().client().listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(label, value)).exec().size();
  }
}
