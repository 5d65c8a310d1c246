"""What Atelier's launcher plugs into jupyter_server in gateway mode; nothing else of it changes.

``NoDelayGatewayWebSocketConnection`` (``ServerApp.kernel_websocket_connection_class``): the kernel
WebSocket with Nagle's algorithm off on both sockets. Stock jupyter_server leaves Nagle on for the
browser's kernel WebSocket and for its own WebSocket to the gateway. A cell's reply is several
small messages written one after another; with Nagle on, every one after the first waits for the
peer's acknowledgement, which the peer delays by 40 ms: each execute round trip in gateway mode
costs about 45 ms instead of a few.

``NotebookSessionManager`` (``ServerApp.session_manager_class``): every kernel start names the
session's notebook. jupyter_server's ``JPY_SESSION_NAME`` joins the notebook's folder and the
session's ``name``, which each client sets as it likes: JupyterLab sends the file name, other
clients send ``""`` (the variable then names the folder) or a label of their own. The session's
``path`` goes to the gateway as ``ATELIER_NOTEBOOK_PATH`` (relative to the notebook root,
forwarded with ``GatewayClient.allowed_envs``); when ``JPY_SESSION_NAME`` names no notebook file,
the Atelier server reads the saved instance type and image from that path. (JupyterLab starts a
session under a provisional path and renames it afterwards, so its file name wins when it is a
file.)

``RefreshingGatewayMappingKernelManager`` (``ServerApp.kernel_manager_class``): stock jupyter_server
answers ``GET /api/kernels/{id}`` (and the kernel inside each ``/api/sessions`` model, and a
restart's answer) in gateway mode from the model it kept since it last listed the gateway's
kernels, so a kernel that died, restarted or gained connections still shows ``idle`` with
``connections: 0`` for up to JupyterLab's next poll. This manager asks the gateway for the
kernel's current model each time, as stock jupyter_server does when it lists kernels.
"""

from __future__ import annotations

from jupyter_server.gateway.connections import GatewayWebSocketConnection
from jupyter_server.gateway.managers import GatewayMappingKernelManager, GatewaySessionManager

NOTEBOOK_PATH_ENV = "ATELIER_NOTEBOOK_PATH"


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


class NotebookSessionManager(GatewaySessionManager):
    """jupyter_server's gateway session manager, adding the session's notebook to each kernel start."""

    def get_kernel_env(self, path, name=None):
        env = super().get_kernel_env(path, name)
        if path:
            env[NOTEBOOK_PATH_ENV] = path
        return env


class RefreshingGatewayMappingKernelManager(GatewayMappingKernelManager):
    """GatewayMappingKernelManager whose kernel models are the gateway's current ones."""

    async def kernel_model(self, kernel_id):
        km = self.get_kernel(str(kernel_id))  # 404 for a kernel this server does not know
        if not km:
            return None
        previous = km.kernel
        try:
            model = await km.refresh_model()
        except Exception as exc:  # the gateway did not answer: what was known, as stock
            self.log.warning("kernel %s: the gateway did not give its model (%s)", kernel_id, exc)
            model = None
        if model is None:
            # Gone on the gateway: keep the last model; the next listing forgets the kernel, as stock.
            km.kernel = previous
        return km.kernel
