package dev.atelier.kernels;

/** Where a client session's messages go: a WebSocket in one of the Jupyter encodings. */
public interface ClientSink {
  /** Sends one message; called from the kernel's I/O thread, in order. */
  void send(WireMessage message);

  /** Closes the client's connection (the client may reconnect and replay). */
  void close(String why);
}
