package dev.atelier.kernels;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signatures of Jupyter wire messages: the digest covers the header, parent header,
 * metadata and content frames, exactly as sent. An empty key means unsigned messages.
 */
public final class WireSigner {
  private static final HexFormat HEX = HexFormat.of();
  private final byte[] key;

  public WireSigner(String key) {
    this.key = key == null ? new byte[0] : key.getBytes(StandardCharsets.US_ASCII);
  }

  /** Lower-case hex signature of the four dict frames; empty when the key is empty. */
  public String sign(byte[] header, byte[] parent, byte[] metadata, byte[] content) {
    if (key.length == 0) {
      return "";
    }
    Mac mac = newMac();
    mac.update(header);
    mac.update(parent);
    mac.update(metadata);
    mac.update(content);
    return HEX.formatHex(mac.doFinal());
  }

  /** Constant-time comparison of a received signature with the expected one. */
  public boolean verify(byte[] signature, byte[] header, byte[] parent, byte[] metadata, byte[] content) {
    byte[] expected = sign(header, parent, metadata, content).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, signature);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
