package dev.atelier.kernels;

import dev.atelier.catalog.ImageCatalog;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.catalog.InstanceType;
import dev.atelier.instances.NotebookMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a kernel runs and which notebook it is for: the instance type and image the start request
 * names, else those saved in the notebook's metadata, else the catalogs' defaults.
 */
public final class KernelPlacement {
  /** The instance type and image a kernel runs on. */
  record Target(InstanceType type, ImageCatalog.Image image) {}

  private final Path root;
  private final InstanceCatalog types;
  private final ImageCatalog images;

  /** @param root the directory notebooks and kernels live under */
  public KernelPlacement(Path root, InstanceCatalog types, ImageCatalog images) {
    this.root = root;
    this.types = types;
    this.images = images;
  }

  /**
   * The target of a start request, or a 400 naming an unknown or unavailable type or image. Reads
   * the notebook and may ask the Docker engine: call it off the event loop.
   */
  Target target(Map<String, String> env) {
    NotebookMetadata.Placement saved = NotebookMetadata.read(notebookFile(notebook(env), root));
    String typeName = firstNonBlank(env.get("KERNEL_INSTANCE_TYPE"), saved.instanceType(), types.defaultType().name());
    String imageName = firstNonBlank(env.get("KERNEL_IMAGE"), saved.image(), images.defaultImage());
    return new Target(types.require(typeName), images.require(imageName));
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  /** The notebook a start request is for, as {@link #sessionNotebook} names it. */
  String notebook(Map<String, String> env) {
    return sessionNotebook(env, root);
  }

  /**
   * The notebook a kernel start is for. JPY_SESSION_NAME joins the session's folder and its name:
   * the notebook for JupyterLab, which names the session after the file (and starts it under a
   * provisional path it renames afterwards), but the folder alone when a client sends an empty
   * name, or a file that is not there for a label. Then the session's path (ATELIER_NOTEBOOK_PATH,
   * relative to the root, from Atelier's session manager) names the notebook.
   */
  static String sessionNotebook(Map<String, String> env, Path root) {
    String named = env.get("JPY_SESSION_NAME");
    if (isFile(notebookFile(named, root))) {
      return named;
    }
    String path = env.get("ATELIER_NOTEBOOK_PATH");
    if (path != null && !path.isBlank() && isFile(notebookFile(path.replaceFirst("^/+", ""), root))) {
      return path.replaceFirst("^/+", "");
    }
    return named;
  }

  private static boolean isFile(Path p) {
    return p != null && Files.isRegularFile(p);
  }

  private static Path notebookFile(String sessionName, Path root) {
    if (sessionName == null || sessionName.isBlank()) {
      return null;
    }
    Path p = Path.of(sessionName);
    Path abs = (p.isAbsolute() ? p : root.resolve(p)).normalize();
    return abs.startsWith(root) ? abs : null;
  }

  /** A kernel's notebook path as its models show it: relative to the root when it lies under it. */
  String notebookPath(String sessionName) {
    if (sessionName == null || sessionName.isBlank()) {
      return null;
    }
    Path p = Path.of(sessionName);
    if (p.isAbsolute()) {
      Path n = p.normalize();
      if (n.startsWith(root)) {
        return root.relativize(n).toString();
      }
    }
    return sessionName;
  }
}
