package dev.atelier.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which notebook a kernel start is for, whatever name the client gave its session. */
class SessionNotebookTest {

  @Test
  void theSessionsPathWinsOverAJpySessionNameThatNamesTheFolder() {
    assertThat(KernelService.sessionNotebook(Map.of("JPY_SESSION_NAME", "/work/nb/sub/",
        "ATELIER_NOTEBOOK_PATH", "sub/a.ipynb"))).isEqualTo("sub/a.ipynb");
    assertThat(KernelService.sessionNotebook(Map.of("ATELIER_NOTEBOOK_PATH", "/sub/a.ipynb"))).isEqualTo("sub/a.ipynb");
  }

  @Test
  void withoutTheSessionsPathJpySessionNameIsUsed() {
    assertThat(KernelService.sessionNotebook(Map.of("JPY_SESSION_NAME", "/work/nb/a.ipynb"))).isEqualTo("/work/nb/a.ipynb");
    assertThat(KernelService.sessionNotebook(Map.of("JPY_SESSION_NAME", "/work/nb/a.ipynb",
        "ATELIER_NOTEBOOK_PATH", " "))).isEqualTo("/work/nb/a.ipynb");
    assertThat(KernelService.sessionNotebook(Map.of())).isNull();
  }
}
