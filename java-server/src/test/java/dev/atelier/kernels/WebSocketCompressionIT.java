package dev.atelier.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.SharedServer;
import dev.atelier.support.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Browsers offer permessage-deflate on every WebSocket; the server accepts it only when
 * {@code websocketCompression} is on, as compressing kernel output costs more than it saves on
 * a local link.
 */
class WebSocketCompressionIT {

  @Test
  @ExtendWith(SharedServer.class)
  void deflateOfferedByTheClientIsDeclinedByDefault(TestServer server) throws Exception {
    List<String> response = upgrade(server.port());
    assertThat(response.get(0)).contains("101");
    assertThat(response).noneMatch(h -> h.toLowerCase().startsWith("sec-websocket-extensions:"));
  }

  @Test
  void deflateIsAcceptedWhenConfigured() throws Exception {
    try (TestServer server = TestServer.start(Map.of("websocketCompression", "true"))) {
      List<String> response = upgrade(server.port());
      assertThat(response.get(0)).contains("101");
      assertThat(response).anyMatch(h -> h.toLowerCase().startsWith("sec-websocket-extensions:")
          && h.contains("permessage-deflate"));
    }
  }

  /** The response head of a WebSocket upgrade of the events socket, offering deflate as Chromium does. */
  private static List<String> upgrade(int port) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      String request = "GET /atelier/api/events HTTP/1.1\r\n"
          + "Host: 127.0.0.1:" + port + "\r\n"
          + "Authorization: token " + TestServer.TOKEN + "\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      List<String> head = new ArrayList<>();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        head.add(line);
      }
      assertThat(head).as("response to the upgrade").isNotEmpty();
      return head;
    }
  }
}
