package dev.atelier.experiments;

import java.util.Collection;

/**
 * Where a run came from, as the runs table's {@code source} column holds it: {@code <type>:<name>}
 * from the run's {@code atelier.source.type} and {@code atelier.source.name} tags (for example
 * {@code TRAINING_JOB:my-job} or {@code NOTEBOOK:work/train.ipynb}). Jobs tag their runs so; a
 * notebook's runs are tagged by the {@code atelier} package's MLflow run context provider.
 */
final class RunSource {
  static final String TYPE_TAG = "atelier.source.type";
  static final String NAME_TAG = "atelier.source.name";

  private RunSource() {}

  /** {@code type:name}, the type alone when there is no name, and null without a type. */
  static String of(String type, String name) {
    if (type == null || type.isBlank()) {
      return null;
    }
    return name == null || name.isEmpty() ? type : type + ":" + name;
  }

  /** Whether setting or deleting these tag keys changes a run's source. */
  static boolean touches(Collection<String> keys) {
    return keys.contains(TYPE_TAG) || keys.contains(NAME_TAG);
  }
}
