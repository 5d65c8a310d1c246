package dev.atelier.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a generated secret once, into a file readable by its owner only. The content goes into a
 * temporary file created owner-only before a byte is written, and the temporary file is then
 * linked under the final name, which fails if the name exists: two servers starting on the same
 * data directory cannot overwrite each other's secret, and the loser reads the winner's.
 */
public final class OwnerOnlyFile {
  private OwnerOnlyFile() {}

  /**
   * Creates {@code file} with {@code content}; false when the file already existed (then nothing
   * is written and the caller reads what is there).
   *
   * @param what the secret, for messages ("the access key seal")
   * @throws IOException when the file cannot be written, or its file system cannot keep it
   *     owner-only
   */
  public static boolean createOnce(Path file, byte[] content, String what) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      throw new IOException("cannot keep " + what + " owner-only in " + file
          + ": its file system has no POSIX permissions; put the data directory on one that has");
    }
    Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.write(tmp, content);
      Files.createLink(file, tmp);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
