package dev.atelier.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireSignerTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // Vector computed with Python's hmac over the same four frames (jupyter_client's scheme).
  @Test
  void signsTheFourDictFramesLikeJupyterClient() {
    WireSigner signer = new WireSigner("5f1c0a7e-secret");
    String sig = signer.sign(b("{\"msg_id\":\"a1\",\"msg_type\":\"execute_request\"}"), b("{}"), b("{}"),
        b("{\"code\":\"1+1\"}"));
    assertThat(sig).isEqualTo("76871ba1007b51d92db32e8c8f6959a01c8cc0fa86bc45bf5f219e2c2b5437c0");
  }

  @Test
  void rejectsATamperedContentFrame() {
    WireSigner signer = new WireSigner("k");
    byte[] sig = b(signer.sign(b("{}"), b("{}"), b("{}"), b("{\"a\":1}")));
    assertThat(signer.verify(sig, b("{}"), b("{}"), b("{}"), b("{\"a\":1}"))).isTrue();
    assertThat(signer.verify(sig, b("{}"), b("{}"), b("{}"), b("{\"a\":2}"))).isFalse();
    assertThat(new WireSigner("other").verify(sig, b("{}"), b("{}"), b("{}"), b("{\"a\":1}"))).isFalse();
  }

  @Test
  void emptyKeyMeansEmptySignature() {
    WireSigner signer = new WireSigner("");
    assertThat(signer.sign(b("{}"), b("{}"), b("{}"), b("{}"))).isEmpty();
    assertThat(signer.verify(new byte[0], b("{}"), b("{}"), b("{}"), b("{}"))).isTrue();
  }
}
