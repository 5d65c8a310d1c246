package dev.atelier.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model.tar.gz unpacked into its folder, and the archives that would escape it refused. */
class ModelStagingTest {
  @TempDir
  Path dir;

  /** A .tar.gz of (name, content) pairs; a content starting with "->" makes a symbolic link to the rest. */
  static byte[] tarGz(String... namesAndContents) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (int i = 0; i < namesAndContents.length; i += 2) {
        String content = namesAndContents[i + 1];
        if (content.startsWith("->")) {
          TarArchiveEntry e = new TarArchiveEntry(namesAndContents[i], TarArchiveEntry.LF_SYMLINK);
          e.setLinkName(content.substring(2));
          tar.putArchiveEntry(e);
        } else {
          byte[] b = content.getBytes(StandardCharsets.UTF_8);
          TarArchiveEntry e = new TarArchiveEntry(namesAndContents[i], true);
          e.setSize(b.length);
          tar.putArchiveEntry(e);
          tar.write(b);
        }
        tar.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }

  @Test
  void filesAndFoldersAreUnpackedIntoTheModelFolder() throws Exception {
    Path model = dir.resolve("model");
    ModelStaging.unpack(new ByteArrayInputStream(tarGz("model.joblib", "weights", "code/inference.py", "def f(): 1")),
        model);
    assertThat(Files.readString(model.resolve("model.joblib"))).isEqualTo("weights");
    assertThat(Files.readString(model.resolve("code/inference.py"))).isEqualTo("def f(): 1");
  }

  @Test
  void entriesThatWouldLandOutsideTheFolderAreRefused() throws Exception {
    Path model = dir.resolve("model");
    assertThatThrownBy(() -> ModelStaging.unpack(new ByteArrayInputStream(tarGz("../evil.txt", "x")), model))
        .isInstanceOf(IOException.class).hasMessageContaining("'../evil.txt' would land outside");
    assertThatThrownBy(() -> ModelStaging.unpack(new ByteArrayInputStream(tarGz("a/../../evil.txt", "x")), model))
        .isInstanceOf(IOException.class).hasMessageContaining("would land outside");
    assertThatThrownBy(() -> ModelStaging.unpack(new ByteArrayInputStream(tarGz("/tmp/evil.txt", "x")), model))
        .isInstanceOf(IOException.class).hasMessageContaining("would land outside");
    assertThatThrownBy(() -> ModelStaging.unpack(new ByteArrayInputStream(tarGz("link", "->/etc", "link/passwd", "x")),
        model)).isInstanceOf(IOException.class).hasMessageContaining("is a link");
    assertThat(dir.resolve("evil.txt")).doesNotExist();
  }

  @Test
  void clearRemovesAFolderAndAllBelowIt() throws Exception {
    Path model = dir.resolve("m");
    Files.createDirectories(model.resolve("a/b"));
    Files.writeString(model.resolve("a/b/c"), "x");
    ModelStaging.clear(model);
    assertThat(model).doesNotExist();
    ModelStaging.clear(model);
  }
}
