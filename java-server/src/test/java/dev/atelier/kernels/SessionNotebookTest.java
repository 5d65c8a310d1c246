package dev.atelier.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which notebook a kernel start is for, whatever name and provisional path the client gave its session. */
class SessionNotebookTest {
  @TempDir
  Path root;

  @Test
  void theSessionsPathNamesTheNotebookWhenJpySessionNameNamesTheFolderOrALabel() throws Exception {
    Files.createDirectories(root.resolve("sub"));
    Files.writeString(root.resolve("sub/a.ipynb"), "{}");
    assertThat(KernelPlacement.sessionNotebook(Map.of("JPY_SESSION_NAME", root + "/sub/",
        "ATELIER_NOTEBOOK_PATH", "sub/a.ipynb"), root)).isEqualTo("sub/a.ipynb");
    assertThat(KernelPlacement.sessionNotebook(Map.of("JPY_SESSION_NAME", root + "/sub/Training run",
        "ATELIER_NOTEBOOK_PATH", "/sub/a.ipynb"), root)).isEqualTo("sub/a.ipynb");
  }

  @Test
  void jpySessionNameWinsWhenItNamesTheNotebookAsJupyterLabsDo() throws Exception {
    Files.writeString(root.resolve("Untitled.ipynb"), "{}");
    // JupyterLab starts a session under a provisional path and names it after the file.
    assertThat(KernelPlacement.sessionNotebook(Map.of("JPY_SESSION_NAME", root + "/Untitled.ipynb",
        "ATELIER_NOTEBOOK_PATH", "27b72bb6-4198-4f9c-96ca-60569d140bfb"), root)).isEqualTo(root + "/Untitled.ipynb");
    assertThat(KernelPlacement.sessionNotebook(Map.of("JPY_SESSION_NAME", root + "/new.ipynb",
        "ATELIER_NOTEBOOK_PATH", "../outside.ipynb"), root)).isEqualTo(root + "/new.ipynb");
    assertThat(KernelPlacement.sessionNotebook(Map.of(), root)).isNull();
  }
}
