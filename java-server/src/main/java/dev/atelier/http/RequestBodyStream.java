package dev.atelier.http;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * A request body as a blocking {@link InputStream}, for a virtual or worker thread to hand to a
 * blocking client while the body is still arriving. At most a few MiB wait in memory: the request
 * is paused above that and resumed once the reader has caught up. A body longer than {@code max}
 * bytes ends the stream with an error and {@link #tooLarge()} says so.
 */
public final class RequestBodyStream extends InputStream {
  private static final long HIGH_WATER = 4L << 20;
  private static final long LOW_WATER = 1L << 20;

  private final HttpServerRequest request;
  private final Context context;
  private final long max;
  private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
  private long queued;
  private long received;
  private boolean paused;
  private boolean ended;
  private boolean tooLarge;
  private IOException failure;
  private Buffer current;
  private int position;

  /** Call on the request's event loop, before the handler returns. */
  public RequestBodyStream(HttpServerRequest request, Context context, long max) {
    this.request = request;
    this.context = context;
    this.max = max;
    request.handler(this::arrived);
    request.endHandler(v -> finish(null));
    request.exceptionHandler(e -> finish(new IOException("the request body broke off: " + e.getMessage(), e)));
    request.resume();
  }

  /** Whether the body went past the limit. */
  public synchronized boolean tooLarge() {
    return tooLarge;
  }

  /** Bytes received so far. */
  public synchronized long received() {
    return received;
  }

  private synchronized void arrived(Buffer chunk) {
    if (ended) {
      return;
    }
    received += chunk.length();
    if (received > max) {
      tooLarge = true;
      request.pause();
      finish(new IOException("the request body is larger than " + max + " bytes"));
      return;
    }
    queue.add(chunk);
    queued += chunk.length();
    if (queued > HIGH_WATER && !paused) {
      paused = true;
      request.pause();
    }
    notifyAll();
  }

  private synchronized void finish(IOException error) {
    if (ended) {
      return;
    }
    ended = true;
    failure = error;
    notifyAll();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (current == null || position >= current.length()) {
      current = null;
      if (!queue.isEmpty()) {
        current = queue.poll();
        position = 0;
        queued -= current.length();
        if (paused && queued < LOW_WATER) {
          paused = false;
          context.runOnContext(v -> request.resume());
        }
        continue;
      }
      if (failure != null) {
        throw failure;
      }
      if (ended) {
        return -1;
      }
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while reading the request body", e);
      }
    }
    int n = Math.min(len, current.length() - position);
    current.getBytes(position, position + n, b, off);
    position += n;
    return n;
  }

  @Override
  public synchronized void close() {
    queue.clear();
    if (!ended) {
      ended = true;
      failure = new IOException("closed");
      // Nobody reads any more: let the connection drain the rest rather than stall.
      context.runOnContext(v -> request.resume());
    }
  }
}
