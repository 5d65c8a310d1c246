package dev.atelier.debugger;

import dev.atelier.storage.ObjectStore;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Mirrors a folder the training container writes into S3 while it runs: each pass uploads the
 * files that are new or changed since the last one, at their path below the prefix. Within a pass
 * the event files go first and the index files after them, so a reader that finds a step's index
 * entry in S3 finds its event file too; {@code training_job_end.ts} goes last. Files the hook is
 * still writing (temporary names: a leading dot, {@code .tmp}, {@code ~}) are left for a later pass.
 */
final class TensorUploader {
  static final String END_MARKER = "training_job_end.ts";

  private final ObjectStore store;
  private final Path dir;
  private final S3Uri prefix;
  /** What each uploaded file was (size and modification time) when it was uploaded. */
  private final Map<String, String> uploaded = new HashMap<>();

  TensorUploader(ObjectStore store, Path dir, S3Uri prefix) {
    this.store = store;
    this.dir = dir;
    this.prefix = prefix;
  }

  S3Uri prefix() {
    return prefix;
  }

  /**
   * Uploads what is new or changed; returns how many files it uploaded. A file that fails is tried
   * again next pass; the first failure is thrown once the rest of the pass is done.
   */
  synchronized int pass() throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = new ArrayList<>(s.filter(Files::isRegularFile).filter(p -> !temporary(p.getFileName().toString()))
          .toList());
    }
    files.sort(Comparator.comparingInt((Path p) -> rank(relative(p))).thenComparing(this::relative));
    int count = 0;
    RuntimeException failed = null;
    for (Path f : files) {
      String rel = relative(f);
      String version;
      try {
        version = Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis();
      } catch (IOException e) {
        continue;  // renamed or removed between the listing and now
      }
      if (version.equals(uploaded.get(rel))) {
        continue;
      }
      try {
        store.uploadFile(f, prefix.child(rel), ObjectStore.Progress.NONE);
        uploaded.put(rel, version);
        count++;
      } catch (RuntimeException e) {
        if (failed == null) {
          failed = e;
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
    return count;
  }

  private String relative(Path p) {
    return dir.relativize(p).toString().replace('\\', '/');
  }

  /** Event files first, then anything else, then the index, then the end marker. */
  static int rank(String rel) {
    if (rel.equals(END_MARKER)) {
      return 3;
    }
    if (rel.startsWith("index/")) {
      return 2;
    }
    return rel.startsWith("events/") ? 0 : 1;
  }

  static boolean temporary(String name) {
    return name.startsWith(".") || name.endsWith(".tmp") || name.contains(".tmp.") || name.endsWith("~")
        || name.endsWith(".part");
  }
}
