package dev.atelier;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a starting server has opened, closed in the reverse order: the one clean-up path for a
 * start that fails half way and for a server that stops. A resource that fails to close is logged
 * and the rest are still closed.
 */
public final class Resources implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Resources.class);

  private record Entry(String name, AutoCloseable resource) {}

  private final Deque<Entry> opened = new ArrayDeque<>();

  /** Registers {@code resource} to be closed before everything registered earlier; returns it. */
  public synchronized <T extends AutoCloseable> T add(String name, T resource) {
    opened.push(new Entry(name, resource));
    return resource;
  }

  @Override
  public synchronized void close() {
    while (!opened.isEmpty()) {
      Entry e = opened.pop();
      try {
        e.resource().close();
      } catch (Exception ex) {
        LOG.warn("closing {}: {}", e.name(), ex.toString());
      }
    }
  }
}
