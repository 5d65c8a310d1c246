package dev.atelier.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.ImageSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The images instances run: {@code local} (the project's own Python environment, run by the
 * process runtime, no Docker needed) and every Docker image that declares the kernelspecs it
 * offers in its {@code dev.atelier.kernelspecs} label (built by {@code images/build.sh}).
 *
 * <p>Each image names the runtime that runs it ({@link Image#runtime()}): {@code process} for
 * {@code local}, the image source's runtime for the others.
 *
 * <p>The default image {@code auto} is, as in SageMaker Studio, the Data Science image when the
 * Docker engine answers and it is built (else the base image), and {@code local} otherwise, with
 * the reason in {@link #defaultImageReason()}.
 */
public final class ImageCatalog {
  public static final String LOCAL = "local";
  public static final String AUTO = "auto";
  /** What {@code auto} picks from, first built wins. */
  public static final List<String> AUTO_CHOICES = List.of("atelier/datascience:latest", "atelier/base:latest");
  /** How long one look at the engine decides {@code auto}: an image built or an engine started is seen this soon. */
  private static final long AUTO_TTL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

  private record Choice(String image, String reason, long atNanos) {}

  /** An image and the kernelspecs it offers. */
  public record Image(String name, String displayName, String runtime, List<String> kernelspecs, long sizeBytes) {
    public ObjectNode model() {
      ObjectNode n = Json.mapper().createObjectNode();
      n.put("name", name);
      n.put("display_name", displayName);
      n.put("runtime", runtime);
      n.set("kernelspecs", Json.mapper().valueToTree(kernelspecs));
      n.put("size_bytes", sizeBytes);
      return n;
    }
  }

  private final ImageSource docker;
  private final Supplier<List<String>> localKernelspecs;
  private final String defaultImage;
  private volatile Choice choice;

  /**
   * @param docker where the container images are (the Docker runtime), or null when there is none
   * @param localKernelspecs the kernelspecs of the project's environment
   */
  public ImageCatalog(ImageSource docker, Supplier<List<String>> localKernelspecs, String defaultImage) {
    this.docker = docker;
    this.localKernelspecs = localKernelspecs;
    this.defaultImage = defaultImage;
  }

  /** The image of a notebook that names none. With {@code auto} it may ask the engine: call it off the event loop. */
  public String defaultImage() {
    return resolveDefault().image();
  }

  /** Why the default image is what it is, for a person. */
  public String defaultImageReason() {
    return resolveDefault().reason();
  }

  private Choice resolveDefault() {
    if (!AUTO.equals(defaultImage)) {
      return new Choice(defaultImage, "set by defaultImage", 0);
    }
    Choice c = choice;
    long now = System.nanoTime();
    if (c == null || now - c.atNanos() > AUTO_TTL_NANOS) {
      c = chooseDefault(now);
      choice = c;
    }
    return c;
  }

  private Choice chooseDefault(long now) {
    String problem = dockerProblem();
    if (problem != null) {
      return new Choice(LOCAL, "Docker is unavailable (" + problem + "), so notebooks run in local processes", now);
    }
    try {
      for (String image : AUTO_CHOICES) {
        if (docker.image(image).isPresent()) {
          return new Choice(image, "Docker is available and " + image + " is built", now);
        }
      }
    } catch (AgentException e) {
      return new Choice(LOCAL, "Docker is unavailable (" + e.getMessage() + "), so notebooks run in local processes",
          now);
    }
    return new Choice(LOCAL, "no Atelier image is built (run 'bash images/build.sh' to build "
        + String.join(" and ", AUTO_CHOICES) + "), so notebooks run in local processes", now);
  }

  private Image local() {
    return new Image(LOCAL, "Project environment (no container)", "process", localKernelspecs.get(), 0);
  }

  /** Every image; Docker's only when the engine answers (see {@link #dockerProblem()}). */
  public List<Image> list() {
    List<Image> out = new ArrayList<>();
    out.add(local());
    if (docker != null) {
      try {
        for (ImageSource.Entry e : docker.images()) {
          out.add(fromLabels(e));
        }
      } catch (AgentException e) {
        // the health endpoint says why; local still works
      }
    }
    return out;
  }

  /** Why Docker images cannot be used right now, or null when they can. */
  public String dockerProblem() {
    if (docker == null) {
      return "this server has no Docker runtime (dockerHost is empty)";
    }
    return docker.problem();
  }

  /**
   * {@code {"available", "problem"}}: whether Docker instances can start, and if not why. Asks the
   * engine, so call it off the event loop.
   */
  public ObjectNode dockerStatus() {
    String problem = dockerProblem();
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("available", problem == null);
    n.put("problem", problem);
    return n;
  }

  private Image fromLabels(ImageSource.Entry e) {
    String specs = e.labels().getOrDefault("dev.atelier.kernelspecs", "");
    List<String> names = Arrays.stream(specs.split("[,\\s]+")).filter(s -> !s.isBlank()).toList();
    return new Image(e.name(), e.labels().getOrDefault("dev.atelier.display-name", e.name()), docker.runtime(), names,
        e.sizeBytes());
  }

  /**
   * The image, or a 400 listing the valid ones; an image that exists but is not built says how to
   * build it; an unreachable engine is a 503 saying why.
   */
  public Image require(String name) {
    if (AUTO.equals(name)) {
      return require(defaultImage());
    }
    if (LOCAL.equals(name)) {
      return local();
    }
    if (docker == null) {
      throw ApiException.badRequest("image '" + name + "' needs Docker, and this server has no Docker runtime; valid images: local");
    }
    String wanted = name.contains(":") ? name : name + ":latest";
    List<ImageSource.Entry> images;
    try {
      var found = docker.image(wanted);
      if (found.isPresent()) {
        return fromLabels(found.get());
      }
      images = docker.images(); // only to say which images there are
    } catch (AgentException e) {
      throw ApiException.unavailable("cannot run image " + name + ": " + e.getMessage());
    }
    List<String> valid = new ArrayList<>(List.of(LOCAL));
    images.forEach(e -> valid.add(e.name()));
    if (name.startsWith("atelier/")) {
      throw ApiException.badRequest("image " + wanted + " is not built: run 'bash images/build.sh' to build it"
          + " (built images: " + String.join(", ", valid) + ")");
    }
    throw ApiException.badRequest("unknown image '" + name + "'; valid images: " + String.join(", ", valid)
        + " (an image is offered when it carries the label dev.atelier.kernelspecs)");
  }
}
