package dev.atelier.jobs;

import dev.atelier.http.ApiException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The kinds of job this server runs, by name; routes, lists and summaries are generic over them. */
public final class JobKinds {
  private final Map<String, JobKind<?>> byName = new LinkedHashMap<>();

  public JobKinds(List<JobKind<?>> kinds) {
    for (JobKind<?> k : kinds) {
      if (byName.putIfAbsent(k.name(), k) != null) {
        throw new IllegalArgumentException("two job kinds are named " + k.name());
      }
    }
  }

  /** Training and processing jobs. */
  public static JobKinds standard() {
    return new JobKinds(List.of(new TrainingKind(), new ProcessingKind()));
  }

  public List<JobKind<?>> all() {
    return List.copyOf(byName.values());
  }

  /** The kind of a stored job. */
  public JobKind<?> of(String name) {
    JobKind<?> k = byName.get(name);
    if (k == null) {
      throw new IllegalStateException("unknown job kind " + name);
    }
    return k;
  }

  /** The kind a caller named, or a 400 listing the kinds there are. */
  public JobKind<?> requested(String name, String field) {
    JobKind<?> k = byName.get(name);
    if (k == null) {
      throw ApiException.badRequest(field + ": '" + JobRoutes.abbreviate(name) + "' is not "
          + String.join(" or ", byName.keySet()));
    }
    return k;
  }
}
