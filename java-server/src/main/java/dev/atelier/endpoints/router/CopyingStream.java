package dev.atelier.endpoints.router;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A container's answer as it streams to the caller, keeping a copy of its bytes for data capture
 * up to a limit; an answer beyond the limit is still streamed whole, but its copy is dropped.
 */
final class CopyingStream implements ReadStream<Buffer> {
  private final ReadStream<Buffer> source;
  private final long limit;
  private Buffer copy = Buffer.buffer();

  CopyingStream(ReadStream<Buffer> source, long limit) {
    this.source = source;
    this.limit = limit;
  }

  /** The bytes seen, or null when the answer was longer than the limit. */
  byte[] copy() {
    return copy == null ? null : copy.getBytes();
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    source.exceptionHandler(handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    if (handler == null) {
      source.handler(null);
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
