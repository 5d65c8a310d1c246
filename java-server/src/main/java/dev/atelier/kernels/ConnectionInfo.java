package dev.atelier.kernels;

import com.fasterxml.jackson.databind.JsonNode;

/** Where a kernel's five sockets listen, and the key its messages are signed with. */
public record ConnectionInfo(
    String ip, String transport, int shellPort, int iopubPort, int stdinPort, int controlPort, int hbPort, String key) {

  /** Reads a Jupyter connection-file object; the agent reports ports in this shape. */
  public static ConnectionInfo fromJson(JsonNode c) {
    String ip = c.path("ip").asText("127.0.0.1");
    return new ConnectionInfo(
        ip.equals("0.0.0.0") ? "127.0.0.1" : ip,
        c.path("transport").asText("tcp"),
        c.path("shell_port").asInt(),
        c.path("iopub_port").asInt(),
        c.path("stdin_port").asInt(),
        c.path("control_port").asInt(),
        c.path("hb_port").asInt(),
        c.path("key").asText(""));
  }

  String endpoint(int port) {
    return transport + "://" + ip + ":" + port;
  }
}
