package dev.atelier.runtime;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a catalog of images needs from a runtime that runs images: which ones it has, and whether
 * it can be used now. An image is offered when it declares the kernelspecs it carries in its
 * {@code dev.atelier.kernelspecs} label. Calls may ask an engine: make them off the event loop.
 */
public interface ImageSource {
  /** The runtime that runs these images ({@link InstanceRuntime#name()}), a property of each catalog entry. */
  String runtime();

  /** Why these images cannot be used right now, for a person, or null when they can. */
  String problem();

  /** Every tagged image that declares its kernelspecs, one entry per tag; an {@link AgentException} when the engine does not answer. */
  List<Entry> images();

  /** The image if it is here and declares its kernelspecs; empty otherwise. */
  Optional<Entry> image(String name);

  /**
   * An image as the runtime sees it.
   *
   * @param name its tag, such as {@code atelier/base:latest}
   * @param labels its labels, among them {@code dev.atelier.kernelspecs} and {@code dev.atelier.display-name}
   */
  record Entry(String name, String id, Map<String, String> labels, long sizeBytes, long createdEpochSeconds) {}
}
