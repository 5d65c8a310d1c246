package dev.atelier.endpoints;

import dev.atelier.storage.ObjectStore;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Puts a model where its containers read it: {@code ModelDataUrl} (a model.tar.gz, as training
 * jobs write it) downloaded from the object store and unpacked into a host folder, which Docker
 * binds read-only at {@code /opt/ml/model} and the process runtime passes as {@code SM_MODEL_DIR}.
 * The archive is untrusted: entries that would land outside the folder (absolute names, {@code ..},
 * links) are refused, and only regular files and folders are written.
 */
final class ModelStaging {
  /** What a model may unpack to; an archive that would exceed it is refused. */
  static final long MAX_UNPACKED = 20L << 30;

  private ModelStaging() {}

  /** Stages {@code modelDataUrl} (null: an empty model) into {@code dir}, emptied first. */
  static void stage(ObjectStore objects, String modelDataUrl, Path dir) throws IOException {
    clear(dir);
    Files.createDirectories(dir);
    if (modelDataUrl == null) {
      return;
    }
    S3Uri uri = S3Uri.parse(modelDataUrl);
    try (InputStream in = objects.get(uri)) {
      if (uri.key().endsWith(".tar.gz") || uri.key().endsWith(".tgz")) {
        unpack(in, dir);
      } else {
        // A single artifact (model.joblib) is the model folder's one file.
        Files.copy(in, dir.resolve(uri.fileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** Unpacks a .tar.gz into {@code dir}; an entry that would land outside it is an IOException naming it. */
  static void unpack(InputStream in, Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    Files.createDirectories(root);
    long total = 0;
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new GzipCompressorInputStream(new BufferedInputStream(in)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String name = e.getName();
        Path p = root.resolve(name).normalize();
        if (name.startsWith("/") || !p.startsWith(root)) {
          throw new IOException("the model archive's entry '" + name + "' would land outside the model folder");
        }
        if (e.isSymbolicLink() || e.isLink()) {
          throw new IOException("the model archive's entry '" + name + "' is a link; models hold files and folders");
        }
        if (e.isDirectory()) {
          Files.createDirectories(p);
        } else if (e.isFile()) {
          total += e.getSize();
          if (total > MAX_UNPACKED) {
            throw new IOException("the model archive unpacks to more than " + (MAX_UNPACKED >> 30) + " GiB");
          }
          Path parent = p.getParent();
          if (Files.isSymbolicLink(parent)) {
            throw new IOException("the model archive's entry '" + name + "' would be written through a link");
          }
          Files.createDirectories(parent);
          Files.copy(tar, p, StandardCopyOption.REPLACE_EXISTING);
          p.toFile().setReadable(true, false);
          if ((e.getMode() & 0100) != 0) {
            p.toFile().setExecutable(true, false);
          }
        }
        // devices, fifos and the like are skipped: a model has no use for them
      }
    }
    // Containers run as the host user, but an image may run as another: the model is readable by all.
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(Files::isDirectory).forEach(d -> {
        d.toFile().setReadable(true, false);
        d.toFile().setExecutable(true, false);
      });
    }
  }

  /** Removes {@code dir} and everything below it, if it exists. */
  static void clear(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
