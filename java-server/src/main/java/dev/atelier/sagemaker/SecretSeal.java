package dev.atelier.sagemaker;

import dev.atelier.storage.OwnerOnlyFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets for the database with AES-256-GCM under a key kept in an owner-only file of the
 * data directory, the way the server keeps its other generated secrets. Each sealed value is bound
 * to a label (the access key id), so that a sealed secret moved to another row does not open.
 */
final class SecretSeal {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretKeySpec key;

  private SecretSeal(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /** The seal whose key is in {@code file}, made (owner-only) when there is none yet. */
  static SecretSeal open(Path file) {
    try {
      if (Files.exists(file)) {
        byte[] k = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
        if (k.length != 32) {
          throw new IllegalStateException(file + " does not hold a 256-bit key: restore it from a backup"
              + " (with a new one, every issued access key has to be rotated)");
        }
        return new SecretSeal(k);
      }
      byte[] k = new byte[32];
      RANDOM.nextBytes(k);
      byte[] text = (Base64.getEncoder().encodeToString(k) + "\n").getBytes(StandardCharsets.US_ASCII);
      if (!OwnerOnlyFile.createOnce(file, text, "the access key seal")) {
        // Another server on the same data directory made it first.
        return open(file);
      }
      return new SecretSeal(k);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read or write the access key seal " + file + ": " + e.getMessage(), e);
    }
  }

  /** Base64 of a fresh nonce and the ciphertext with its tag. */
  String seal(String secret, String label) {
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    byte[] sealed = crypt(Cipher.ENCRYPT_MODE, nonce, label, secret.getBytes(StandardCharsets.UTF_8));
    byte[] out = new byte[nonce.length + sealed.length];
    System.arraycopy(nonce, 0, out, 0, nonce.length);
    System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
    return Base64.getEncoder().encodeToString(out);
  }

  /** The secret, or null when {@code sealed} was not sealed by this key for {@code label}. */
  String open(String sealed, String label) {
    try {
      byte[] in = Base64.getDecoder().decode(sealed);
      if (in.length < 12 + 16) {
        return null;
      }
      byte[] nonce = java.util.Arrays.copyOf(in, 12);
      byte[] body = java.util.Arrays.copyOfRange(in, 12, in.length);
      return new String(crypt(Cipher.DECRYPT_MODE, nonce, label, body), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException | IllegalStateException e) {
      return null;
    }
  }

  private byte[] crypt(int mode, byte[] nonce, String label, byte[] data) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(mode, key, new GCMParameterSpec(128, nonce));
      c.updateAAD(label.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(data);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new IllegalStateException("the sealed secret does not open with this key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }
}
