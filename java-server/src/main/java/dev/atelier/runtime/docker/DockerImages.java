package dev.atelier.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.ImageSource;
import dev.atelier.runtime.RuntimeFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The instance images on a Docker engine: those declaring their kernelspecs in a label ({@link ImageSource}). */
final class DockerImages {
  static final String KERNELSPECS_LABEL = "dev.atelier.kernelspecs";

  private DockerImages() {}

  /** Tagged images carrying the kernelspecs label, one entry per tag. */
  static List<ImageSource.Entry> list(DockerClient docker) {
    List<ImageSource.Entry> out = new ArrayList<>();
    try {
      for (var image : docker.listImagesCmd().withLabelFilter(KERNELSPECS_LABEL).exec()) {
        if (image.getRepoTags() == null) {
          continue;
        }
        for (String tag : image.getRepoTags()) {
          if (!tag.startsWith("<none>")) {
            out.add(new ImageSource.Entry(tag, image.getId(), image.getLabels() == null ? Map.of() : image.getLabels(),
                image.getSize() == null ? 0 : image.getSize(), image.getCreated() == null ? 0 : image.getCreated()));
          }
        }
      }
    } catch (RuntimeException e) {
      throw new AgentException("the Docker engine is not reachable: " + RuntimeFailure.rootMessage(e));
    }
    return out;
  }

  /** The image if the engine has it and it declares its kernelspecs; empty otherwise. */
  static Optional<ImageSource.Entry> find(DockerClient docker, String name) {
    try {
      var image = docker.inspectImageCmd(name).exec();
      Map<String, String> labels = image.getConfig() == null || image.getConfig().getLabels() == null
          ? Map.of() : image.getConfig().getLabels();
      if (!labels.containsKey(KERNELSPECS_LABEL)) {
        return Optional.empty();
      }
      return Optional.of(new ImageSource.Entry(name.contains(":") ? name : name + ":latest", image.getId(), labels,
          image.getSize() == null ? 0 : image.getSize(), 0));
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      throw new AgentException("the Docker engine is not reachable: " + RuntimeFailure.rootMessage(e));
    }
  }
}
