package dev.atelier.jobs;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** The {@code .tar.gz} files of the job contract: model.tar.gz, output.tar.gz, sourcedir.tar.gz. */
final class Archives {
  /** Folders never packed from a notebook folder. */
  private static final Set<String> SKIP = Set.of(".git", "__pycache__", ".ipynb_checkpoints", "node_modules",
      ".venv", ".atelier");

  private Archives() {}

  /** Packs every regular file under {@code dir} (names relative to it) into {@code target}; returns bytes read. */
  static long pack(Path dir, Path target, long maxBytes) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(p -> !skipped(dir, p)).filter(Files::isRegularFile).sorted().toList();
    }
    long total = 0;
    for (Path f : files) {
      total += Files.size(f);
      if (total > maxBytes) {
        throw new IOException(dir + " holds more than " + (maxBytes >> 20) + " MiB of files");
      }
    }
    Files.createDirectories(target.getParent());
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target));
         GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out);
         TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Path f : files) {
        String name = dir.relativize(f).toString().replace('\\', '/');
        TarArchiveEntry e = new TarArchiveEntry(f.toFile(), name);
        tar.putArchiveEntry(e);
        Files.copy(f, tar);
        tar.closeArchiveEntry();
      }
    }
    return total;
  }

  /** Packs inline files (name -> content). */
  static void packFiles(Map<String, String> files, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target));
         GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out);
         TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (var f : files.entrySet()) {
        byte[] b = f.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(f.getKey());
        e.setSize(b.length);
        e.setMode(0644);
        tar.putArchiveEntry(e);
        tar.write(b);
        tar.closeArchiveEntry();
      }
    }
  }

  /** Unpacks regular files and folders into {@code dir}; entries that would land outside it are refused. */
  static void unpack(InputStream in, Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    Files.createDirectories(root);
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new GzipCompressorInputStream(new BufferedInputStream(in)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        Path p = root.resolve(e.getName()).normalize();
        if (!p.startsWith(root)) {
          throw new IOException("the archive entry '" + e.getName() + "' would land outside " + root);
        }
        if (e.isDirectory()) {
          Files.createDirectories(p);
        } else if (e.isFile()) {
          Files.createDirectories(p.getParent());
          Files.copy(tar, p, StandardCopyOption.REPLACE_EXISTING);
          if ((e.getMode() & 0100) != 0) {
            p.toFile().setExecutable(true, false);
          }
        }
      }
    }
  }

  private static boolean skipped(Path root, Path p) {
    for (Path part : root.relativize(p)) {
      if (SKIP.contains(part.toString())) {
        return true;
      }
    }
    return false;
  }
}
