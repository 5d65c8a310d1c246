package dev.atelier.endpoints.router;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A container's answer as it streams to the caller. It tells whether the container's side failed
 * (its connection reset or closed mid-answer), so that a pipe that fails is put down to the side
 * that broke it: the caller leaving is not the model's error. With a limit, it also keeps a copy of
 * the bytes for data capture; an answer beyond the limit is still streamed whole, its copy dropped.
 */
final class CopyingStream implements ReadStream<Buffer> {
  private final ReadStream<Buffer> source;
  private final long limit;
  private Buffer copy;
  private boolean sourceFailed;

  /** @param limit the most bytes copied, or -1 to copy nothing */
  CopyingStream(ReadStream<Buffer> source, long limit) {
    this.source = source;
    this.limit = limit;
    this.copy = limit >= 0 ? Buffer.buffer() : null;
  }

  /** The bytes seen, or null when the answer was longer than the limit (or nothing was copied). */
  byte[] copy() {
    return copy == null ? null : copy.getBytes();
  }

  /** Whether the answer's own stream failed (the container's connection), rather than the caller's. */
  boolean sourceFailed() {
    return sourceFailed;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    source.exceptionHandler(handler == null ? null : e -> {
      sourceFailed = true;
      handler.handle(e);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    if (handler == null || copy == null) {
      source.handler(handler); // nothing to copy: the chunks go straight through
      return this;
    }
    source.handler(chunk -> {
      if (copy != null) {
        if (copy.length() + (long) chunk.length() > limit) {
          copy = null;
        } else {
          copy.appendBuffer(chunk);
        }
      }
      handler.handle(chunk);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    source.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    source.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    source.fetch(amount);
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> handler) {
    source.endHandler(handler);
    return this;
  }
}
