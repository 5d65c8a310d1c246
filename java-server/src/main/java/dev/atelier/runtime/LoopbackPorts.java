package dev.atelier.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for services on 127.0.0.1, from a block below the ephemeral range and the kernels' block
 * (see {@link InstanceRuntime#KERNEL_PORTS}): a port picked in the ephemeral range and left free
 * until the replica binds it can be taken meanwhile as the source port of an outgoing connection.
 * A port is handed out when it is free now and not handed out recently by this server.
 */
public final class LoopbackPorts {
  static final int FIRST = 15000;
  static final int LAST = 19999;
  private static final Set<Integer> RECENT = ConcurrentHashMap.newKeySet();

  private LoopbackPorts() {}

  /** A free port of the block; a 500 when every one is taken. */
  public static int take() {
    int span = LAST - FIRST + 1;
    int start = ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < span; i++) {
      int port = FIRST + (start + i) % span;
      if (!RECENT.contains(port) && free(port)) {
        if (RECENT.size() > span / 2) {
          RECENT.clear(); // long since bound or given up: only the last few matter
        }
        RECENT.add(port);
        return port;
      }
    }
    throw RuntimeFailure.failed("no free port on 127.0.0.1 between " + FIRST + " and " + LAST, null);
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
