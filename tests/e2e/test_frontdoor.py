"""What only the front door does: JupyterLab's v1 binary protocol with buffers intact both ways,
single messages far over jupyter_server's 10 MiB gateway limit, Atelier's API at the base URL,
and refusing callers that jupyter_server would refuse, before any WebSocket upgrade."""

from __future__ import annotations

import json
import os
import secrets

import pytest
import requests
import websocket

from client import V1_PROTOCOL, KernelClient
from servers import free_port, start_jupyter_server

BACKENDS = ("frontdoor",)


def v1_client(notebook) -> KernelClient:
    c = KernelClient(notebook.backend.rest, notebook.id, protocol="v1")
    c.connect(wait_ready=True, timeout=60)
    return c


ECHO_TARGET = '''
def _bytes_echo(comm, open_msg):
    @comm.on_msg
    def _on_msg(msg):
        data = bytes(msg["buffers"][0])
        comm.send({"n": len(data)}, buffers=[data])
get_ipython().kernel.comm_manager.register_target("bytes_echo", _bytes_echo)
'''


@pytest.mark.parametrize("protocol", ["v1", "legacy"])
def test_binary_buffers_survive_both_ways(notebook, protocol):
    c = KernelClient(notebook.backend.rest, notebook.id, protocol=protocol)
    c.connect(wait_ready=True, timeout=60)
    try:
        c.ok(ECHO_TARGET)
        comm_id = "bytes-" + os.urandom(4).hex()
        c.request("comm_open", {"comm_id": comm_id, "target_name": "bytes_echo", "data": {}}, expect_reply=False)
        payload = os.urandom(1 << 20)
        msg = c.make_message("comm_msg", {"comm_id": comm_id, "data": {}})
        c.send(msg, buffers=[payload])
        echo = c.next_message(lambda m: m["msg_type"] == "comm_msg"
                              and m["content"]["comm_id"] == comm_id, timeout=30)
        assert echo["content"]["data"] == {"n": len(payload)}
        assert len(echo["buffers"]) == 1
        assert bytes(echo["buffers"][0]) == payload
    finally:
        c.close()


@pytest.mark.timeout(120)
def test_a_single_50_mb_output_arrives_whole(notebook):
    c = v1_client(notebook)
    try:
        # One display message of 50 MB: one kernel message, five times jupyter_server's limit.
        r = c.execute("from IPython.display import display\n"
                      "display({'text/plain': 'y' * 50_000_000}, raw=True)", timeout=90)
        shown = r.of_type("display_data")
        assert len(shown) == 1, r.summary()
        text = shown[0]["content"]["data"]["text/plain"]
        assert len(text) == 50_000_000 and text == "y" * 50_000_000
    finally:
        c.close()


def _upgrade_status(url: str, headers: list[str]) -> int:
    try:
        ws = websocket.create_connection(url, header=headers, timeout=15, subprotocols=[V1_PROTOCOL])
    except websocket.WebSocketBadStatusException as e:
        return e.status_code
    ws.close()
    return 101


def test_channels_refuse_callers_jupyter_server_refuses(notebook, tmp_path):
    rest = notebook.backend.rest
    url = rest.ws_url(notebook.id, "auth-check")
    assert _upgrade_status(url, []) == 403
    assert _upgrade_status(url, ["Authorization: token not-the-token"]) == 403
    # A login cookie signed by another jupyter_server (another user's server) under this
    # server's cookie name is refused too.
    other = start_jupyter_server(tmp_path / "other", tmp_path, port=free_port())
    try:
        s = requests.Session()
        s.get(f"{other.url}/login?token={other.token}", timeout=15)
        forged = [f"{c.name.rsplit('-', 1)[0]}-{rest.base_url.rsplit(':', 1)[1].strip('/')}={c.value}"
                  for c in s.cookies if c.name.startswith("username-")]
        assert forged, "the other server set no login cookie"
        assert _upgrade_status(url, [f"Cookie: {forged[0]}"]) == 403
    finally:
        other.proc.stop()
    # The rightful token, and this server's own login cookie, get in.
    assert _upgrade_status(url, [f"Authorization: token {rest.token}"]) == 101
    mine = requests.Session()
    mine.get(rest.url(f"/login?token={rest.token}"), timeout=15)
    cookies = "; ".join(f"{c.name}={c.value}" for c in mine.cookies)
    assert "username-" in cookies, "logging in through the front door set no cookie"
    assert _upgrade_status(url, [f"Cookie: {cookies}"]) == 101


def test_proxied_websockets_accept_the_login_cookie(notebook):
    """JupyterLab opens jupyter_server's own WebSockets (events, terminals) with the login cookie
    alone: through the front door they must see the host the browser used, as plain requests do."""
    rest = notebook.backend.rest
    s = requests.Session()
    s.get(rest.url(f"/login?token={rest.token}"), timeout=15)
    cookies = "; ".join(f"{c.name}={c.value}" for c in s.cookies)
    assert "username-" in cookies, "logging in through the front door set no cookie"
    url = rest.url("/api/events/subscribe").replace("http://", "ws://", 1)
    ws = websocket.create_connection(url, header=[f"Cookie: {cookies}"], timeout=15)
    ws.close()
    try:
        websocket.create_connection(url, header=["Cookie: username-x=forged"], timeout=15).close()
    except websocket.WebSocketBadStatusException as e:
        assert e.status_code == 403
    else:
        raise AssertionError("a forged cookie opened jupyter_server's events WebSocket")


def test_atelier_api_is_served_at_the_base_url(notebook):
    rest = notebook.backend.rest
    r = rest.get("/atelier/api/kernels")
    assert r.status_code == 200, r.text
    assert notebook.id in [k["id"] for k in r.json()["kernels"]]
    anonymous = requests.get(rest.url("/atelier/api/kernels"), timeout=15)
    assert anonymous.status_code == 403
    assert "message" in anonymous.json()


@pytest.mark.timeout(180)
def test_front_door_under_a_base_url(backend, tmp_path):
    """Under JupyterHub a user's server lives at /user/<name>/: every route keeps the prefix."""
    from servers import start_atelier
    root = tmp_path / "nb"
    root.mkdir()
    base = "/user/ada/"
    port = free_port()
    atelier = start_atelier(tmp_path / "a", root, front_door_for=port, base_url=base)
    jupyter = start_jupyter_server(tmp_path / "j", root, gateway=atelier, port=port, base_url=base)
    try:
        from client import Rest
        rest = Rest(atelier.front_door_url + base.rstrip("/"), jupyter.token)
        assert rest.get("/api/status").status_code == 200
        session = rest.create_session("prefixed.ipynb")
        kid = session["kernel"]["id"]
        c = KernelClient(rest, kid, protocol="v1")
        c.connect(wait_ready=True, timeout=60)
        try:
            assert c.execute("print('under a prefix')").stream_text() == "under a prefix\n"
        finally:
            c.close()
        kernels = rest.get("/atelier/api/kernels").json()["kernels"]
        assert [k["path"] for k in kernels if k["id"] == kid] == ["prefixed.ipynb"]
        # Outside the prefix nothing of the front door's own is served.
        assert requests.get(f"{atelier.front_door_url}/atelier/api/kernels?token={jupyter.token}",
                            timeout=15).status_code != 200
        rest.delete(f"/api/sessions/{session['id']}")
    finally:
        jupyter.proc.stop()
        atelier.proc.stop()
