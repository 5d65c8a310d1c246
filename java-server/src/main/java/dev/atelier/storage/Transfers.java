package dev.atelier.storage;

import dev.atelier.storage.ObjectStore.ObjectContent;
import dev.atelier.storage.ObjectStore.ObjectInfo;
import dev.atelier.storage.ObjectStore.Progress;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Whole-prefix and whole-directory transfers: streamed object by object (never a whole file in
 * memory), a few objects at a time.
 */
final class Transfers {
  /** Objects transferred at once when a prefix holds many. */
  static final int PARALLELISM = 4;

  private final ObjectStore store;

  Transfers(ObjectStore store) {
    this.store = store;
  }

  long download(S3Uri prefix, Path dir, Progress progress) {
    List<ObjectInfo> objects = store.list(prefix);
    if (objects.isEmpty()) {
      throw new NoSuchObjectException("nothing to download: no object matches " + prefix);
    }
    Path root = dir.toAbsolutePath().normalize();
    List<Path> targets = new ArrayList<>();
    for (ObjectInfo o : objects) {
      targets.add(target(root, prefix, o.key()));
    }
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new ObjectStoreException("cannot create " + root + " to download " + prefix + " into: " + e.getMessage(), e);
    }
    Progress shared = serialized(progress);
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      S3Uri object = new S3Uri(prefix.bucket(), objects.get(i).key());
      Path target = targets.get(i);
      tasks.add(() -> fetch(object, target, shared));
    }
    return runAll(tasks);
  }

  long uploadFile(Path file, S3Uri target, Progress progress) {
    if (!Files.isRegularFile(file)) {
      throw new ObjectStoreException("cannot upload " + file + " to " + target + ": it is not a regular file");
    }
    String type = URLConnection.guessContentTypeFromName(file.getFileName().toString());
    try (InputStream in = Files.newInputStream(file)) {
      return store.upload(in, Files.size(file), target, type, progress);
    } catch (IOException e) {
      throw new ObjectStoreException("cannot read " + file + " to upload it to " + target + ": " + e.getMessage(), e);
    }
  }

  long uploadDirectory(Path dir, S3Uri prefix, Progress progress) {
    Path root = dir.toAbsolutePath().normalize();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> Files.isRegularFile(p)).sorted().toList();
    } catch (IOException | UncheckedIOException e) {
      throw new ObjectStoreException("cannot list " + root + " to upload it to " + prefix + ": " + e.getMessage(), e);
    }
    Progress shared = serialized(progress);
    List<Task> tasks = new ArrayList<>();
    for (Path f : files) {
      String relative = root.relativize(f).toString().replace(java.io.File.separatorChar, '/');
      S3Uri target = prefix.key().isEmpty() || prefix.key().endsWith("/")
          ? new S3Uri(prefix.bucket(), prefix.key() + relative) : prefix.child(relative);
      tasks.add(() -> uploadFile(f, target, shared));
    }
    return runAll(tasks);
  }

  /** Where an object lands: below the prefix's "folder", never outside {@code root}. */
  static Path target(Path root, S3Uri prefix, String key) {
    String p = prefix.key();
    String relative;
    if (key.equals(p) && !p.endsWith("/")) {
      relative = prefix.fileName();
    } else if (p.isEmpty() || p.endsWith("/")) {
      relative = key.substring(p.length());
    } else if (key.charAt(p.length()) == '/') {
      relative = key.substring(p.length() + 1);
    } else {
      // data/tr matched data/train.csv: keep the name as it is in the prefix's folder.
      relative = key.substring(p.lastIndexOf('/') + 1);
    }
    for (String segment : relative.split("/")) {
      if (segment.equals("..")) {
        throw new ObjectStoreException("refusing to download s3://" + prefix.bucket() + "/" + key
            + ": its key has a '..' segment that would leave the target directory");
      }
    }
    Path target = root.resolve(relative).normalize();
    if (!target.startsWith(root) || (target.equals(root) && !key.endsWith("/"))) {
      throw new ObjectStoreException("refusing to download s3://" + prefix.bucket() + "/" + key + " outside " + root);
    }
    return target;
  }

  private long fetch(S3Uri object, Path target, Progress progress) throws IOException {
    if (object.key().endsWith("/")) {
      // A "folder" marker some S3 consoles create: a directory, not a file.
      Files.createDirectories(target);
      return 0;
    }
    Files.createDirectories(target.getParent());
    Path partial = target.resolveSibling("." + target.getFileName() + ".part");
    try (ObjectContent content = store.read(object);
        OutputStream out = Files.newOutputStream(partial)) {
      long n = copy(content.body(), out, progress);
      out.close();
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return n;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  static long copy(InputStream in, OutputStream out, Progress progress) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = in.read(buffer)) >= 0; ) {
      out.write(buffer, 0, n);
      total += n;
      progress.advance(n);
    }
    return total;
  }

  /** One transfer. */
  @FunctionalInterface
  interface Task {
    long run() throws Exception;
  }

  /** Runs the tasks a few at a time on virtual threads; the first failure cancels the rest. */
  private static long runAll(List<Task> tasks) {
    if (tasks.size() == 1) {
      return unchecked(tasks.get(0));
    }
    ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM, Thread.ofVirtual().name("s3-transfer-", 0).factory());
    try {
      List<Future<Long>> futures = new ArrayList<>();
      for (Task t : tasks) {
        futures.add(pool.submit(() -> unchecked(t)));
      }
      long total = 0;
      for (Future<Long> f : futures) {
        total += f.get();
      }
      return total;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r
          : new ObjectStoreException(String.valueOf(e.getCause().getMessage()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ObjectStoreException("transfer interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static long unchecked(Task t) {
    try {
      return t.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (IOException e) {
      throw new ObjectStoreException("transfer failed: " + e.getMessage(), e);
    } catch (Exception e) {
      throw new ObjectStoreException("transfer failed: " + e, e);
    }
  }

  private static Progress serialized(Progress progress) {
    return progress == Progress.NONE ? progress : bytes -> {
      synchronized (progress) {
        progress.advance(bytes);
      }
    };
  }

  /** Reports bytes as the SDK reads them. */
  static final class CountingInputStream extends FilterInputStream {
    private final Progress progress;
    private long count;

    CountingInputStream(InputStream in, Progress progress) {
      super(in);
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
        progress.advance(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
        progress.advance(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += skipped;
      return skipped;
    }

    long count() {
      return count;
    }
  }
}
