"""jupyter_server's kernel WebSocket in gateway mode, with Nagle's algorithm off on both sockets.

Stock jupyter_server leaves Nagle on for the browser's kernel WebSocket and for its own WebSocket
to the gateway. A cell's reply is several small messages written one after another; with Nagle on,
every one after the first waits for the peer's acknowledgement, which the peer delays by 40 ms:
each execute round trip in gateway mode costs about 45 ms instead of a few. Atelier's launcher
configures this class (``ServerApp.kernel_websocket_connection_class``) for gateway mode; it
changes nothing else of jupyter_server's gateway connection.
"""

from __future__ import annotations

from jupyter_server.gateway.connections import GatewayWebSocketConnection


class NoDelayGatewayWebSocketConnection(GatewayWebSocketConnection):
    """GatewayWebSocketConnection with TCP_NODELAY on the client's socket and the gateway's."""

    async def connect(self):
        if self.websocket_handler.ws_connection is not None:
            self.websocket_handler.set_nodelay(True)
        await super().connect()

    def _connection_done(self, fut):
        super()._connection_done(fut)
        if self.ws is not None:
            self.ws.set_nodelay(True)
