"""Writes the jupyter_server config that runs stock JupyterLab in front of an Atelier server.

Tokens are read from their files and written only into the config file (mode 600): never into
an environment variable or a command line, which jupyter_server or `ps` would show.

- ServerApp: where JupyterLab listens and the notebook root.
- IdentityProvider.token: the JupyterLab token.
- GatewayClient: kernels and kernel specs come from the Atelier server (gateway mode), and the
  kernel WebSocket jupyter_server serves in that mode has Nagle's algorithm off on both of its
  sockets (atelier.jupyter_gateway): without it every execute round trip waits about 40 ms. Every
  kernel start names the session's notebook (ATELIER_NOTEBOOK_PATH, from the session manager in
  atelier.jupyter_gateway), whatever `name` the client gave the session. Its kernel
  models are asked of Atelier each time (GET /api/kernels/{id} says a kernel is restarting, dead or has connections as it happens, not as of the last kernel listing).
- ServerProxy.servers.atelier: jupyter-server-proxy forwards /atelier/... to the Atelier server
  (already running: no command, so nothing is started) with the Atelier token in place of the
  browser's Authorization header.
"""

import argparse
import json
import os
import sys
from urllib.parse import urlsplit


def read_token(path):
    with open(path, encoding="utf-8") as f:
        token = f.read().strip()
    if not token:
        sys.exit(f"atelier: the token file {path} is empty")
    # jupyter-server-proxy formats header values with str.format: braces would break them.
    if any(c in token for c in "{}\r\n"):
        sys.exit(f"atelier: the token in {path} has characters a header cannot carry")
    return token


def build_config(args):
    atelier_token = read_token(args.atelier_token_file)
    jupyter_token = read_token(args.jupyter_token_file)
    atelier_port = urlsplit(args.atelier_url).port
    if not atelier_port:
        sys.exit(f"atelier: no port in the Atelier URL {args.atelier_url}")
    server_app_extra = {}
    if args.display_url:
        # Behind the front door: JupyterLab's log should name the URL users open, not its own.
        server_app_extra["custom_display_url"] = args.display_url
    return {
        "ServerApp": {
            **server_app_extra,
            "ip": "127.0.0.1",
            "port": args.port,
            "port_retries": 0,
            "open_browser": args.open,
            "root_dir": args.root_dir,
            # Containers and CI machines often run as root; JupyterLab refuses that by default.
            "allow_root": os.geteuid() == 0,
            "kernel_websocket_connection_class": "atelier.jupyter_gateway.NoDelayGatewayWebSocketConnection",
            "session_manager_class": "atelier.jupyter_gateway.NotebookSessionManager",
            "kernel_manager_class": "atelier.jupyter_gateway.RefreshingGatewayMappingKernelManager",
        },
        "IdentityProvider": {"token": jupyter_token},
        "GatewayClient": {
            "url": args.atelier_url,
            "auth_token": atelier_token,
            "auth_scheme": "token",
            "allowed_envs": "JPY_SESSION_NAME,ATELIER_NOTEBOOK_PATH",
            "connect_timeout": 10.0,
            # Starting a kernel may take a while (a fresh Python environment): keep the request
            # timeout above the kernel launch time (jupyter_server derives KERNEL_LAUNCH_TIMEOUT
            # from it as request_timeout - launch_timeout_pad).
            "request_timeout": 62.0,
            "launch_timeout_pad": 2.0,
        },
        "ServerProxy": {
            "servers": {
                "atelier": {
                    "port": atelier_port,
                    "absolute_url": True,
                    "launcher_entry": {"enabled": False},
                    "request_headers_override": {"Authorization": f"token {atelier_token}"},
                }
            }
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--atelier-url", required=True)
    parser.add_argument("--atelier-token-file", required=True)
    parser.add_argument("--jupyter-token-file", required=True)
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--display-url", default=None, help="the URL users open, when it is not JupyterLab's own")
    parser.add_argument("--root-dir", required=True)
    parser.add_argument("--open", action="store_true")
    args = parser.parse_args()

    config = build_config(args)
    tmp = args.out + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
