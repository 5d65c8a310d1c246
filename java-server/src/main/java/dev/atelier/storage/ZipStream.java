package dev.atelier.storage;

import dev.atelier.storage.ObjectStore.ObjectContent;
import dev.atelier.storage.ObjectStore.ObjectInfo;
import dev.atelier.storage.ObjectStore.S3Uri;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A folder of the object store written to a client as a zip, object after object, a bounded number
 * of chunks ahead of the client: nothing holds a whole object, nor the zip, in memory.
 */
final class ZipStream {
  private static final int CHUNK = 64 * 1024;
  private static final int IN_FLIGHT = 16;

  private ZipStream() {}

  /**
   * Writes the objects below {@code folder} (a key ending with {@code /}) as entries named by their
   * keys below it; call it on a virtual thread, the response's headers set. A failure once bytes are
   * out breaks the connection, the only way left to tell the client.
   */
  static void write(ObjectStore store, S3Uri folder, List<ObjectInfo> objects, HttpServerResponse response) {
    try (ZipOutputStream zip = new ZipOutputStream(new ResponseOutput(response))) {
      byte[] chunk = new byte[CHUNK];
      for (ObjectInfo o : objects) {
        ZipEntry entry = new ZipEntry(entryName(folder.key(), o.key()));
        if (o.lastModified() != null) {
          entry.setLastModifiedTime(FileTime.from(o.lastModified()));
        }
        zip.putNextEntry(entry);
        try (ObjectContent content = store.read(new S3Uri(folder.bucket(), o.key()))) {
          InputStream in = content.body();
          for (int n; (n = in.read(chunk)) > 0; ) {
            zip.write(chunk, 0, n);
          }
        }
        zip.closeEntry();
      }
      zip.finish();
    } catch (Exception e) {
      response.reset();
      return;
    }
    response.end();
  }

  /**
   * An entry's name: the key below the folder, with {@code ..} and empty segments left out so that
   * no entry unpacks outside the folder it is unpacked into (a key another client stored may hold
   * them).
   */
  static String entryName(String folderKey, String key) {
    String relative = key.startsWith(folderKey) ? key.substring(folderKey.length()) : key;
    StringBuilder name = new StringBuilder();
    for (String segment : relative.split("/")) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        continue;
      }
      if (!name.isEmpty()) {
        name.append('/');
      }
      name.append(segment.replace('\\', '_'));
    }
    return name.isEmpty() ? "object" : name.toString();
  }

  /** Bytes to the response in chunks, waiting while {@link #IN_FLIGHT} chunks are not yet written. */
  private static final class ResponseOutput extends OutputStream {
    private final HttpServerResponse response;
    private final Semaphore window = new Semaphore(IN_FLIGHT);
    private final byte[] buffer = new byte[CHUNK];
    private int filled;

    ResponseOutput(HttpServerResponse response) {
      this.response = response;
    }

    @Override
    public void write(int b) throws IOException {
      if (filled == buffer.length) {
        send();
      }
      buffer[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (filled == buffer.length) {
          send();
        }
        int n = Math.min(len, buffer.length - filled);
        System.arraycopy(b, off, buffer, filled, n);
        filled += n;
        off += n;
        len -= n;
      }
    }

    @Override
    public void flush() throws IOException {
      if (filled > 0) {
        send();
      }
    }

    @Override
    public void close() throws IOException {
      flush();
    }

    private void send() throws IOException {
      try {
        window.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while sending the zip", e);
      }
      if (response.closed()) {
        throw new IOException("the client went away");
      }
      Buffer chunk = Buffer.buffer(filled).appendBytes(buffer, 0, filled);
      filled = 0;
      response.write(chunk).onComplete(ar -> window.release());
    }
  }
}
