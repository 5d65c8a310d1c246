"""Other web sites cannot act as the user: a page at another origin, in a browser where the user
is logged in to JupyterLab, makes requests that carry the login cookie but neither the token nor
the `_xsrf` value. jupyter_server refuses its own WebSockets from a foreign origin and every
state-changing request without `_xsrf`; the front door refuses the same for what it serves
itself (kernel channels, Atelier's API and event stream), and gateway mode (jupyter-server-proxy
in front of Atelier's API) refuses them through jupyter_server's own checks. Same-origin
requests with the `_xsrf` value (what JupyterLab sends) and requests carrying the token work.

``local`` is stock jupyter_server on its own kernels: the reference for the kernel channels."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
import websocket

from client import KernelClient, Rest
from servers import REPO, JupyterServer, clean_env, free_port, spawn, start_atelier, venv_exe

EVIL = "http://evil.example"


@pytest.fixture(scope="module", params=["frontdoor", "gateway"])
def site(request, tmp_path_factory):
    """Atelier and JupyterLab's server as `npm start` runs them (the launcher's jupyter_server
    config), in front-door mode or in gateway mode (`--gateway-mode`)."""
    mode = request.param
    tmp = tmp_path_factory.mktemp(f"xsite-{mode}")
    root = tmp / "nb"
    root.mkdir()
    lab_port = free_port()
    if mode == "frontdoor":
        atelier = start_atelier(tmp / "atelier", root, front_door_for=lab_port)
    else:
        atelier = start_atelier(tmp / "atelier", root, jupyter_url=f"http://127.0.0.1:{lab_port}")
    token = uuid.uuid4().hex
    (tmp / "jupyter-token").write_text(token)
    config = tmp / "jupyter_server_config.json"
    args = [venv_exe("python"), str(REPO / "scripts/lib/jupyter_config.py"), "--out", str(config),
            "--atelier-url", atelier.url, "--atelier-token-file", str(tmp / "atelier/atelier-token"),
            "--jupyter-token-file", str(tmp / "jupyter-token"), "--port", str(lab_port), "--root-dir", str(root)]
    subprocess.run(args, check=True)
    proc = spawn("jupyter_server", [venv_exe("jupyter"), "server", f"--config={config}"], tmp / "jupyter.log",
                 env=clean_env(tmp / "jupyter-env"), cwd=str(root))
    entry = atelier.front_door_url if mode == "frontdoor" else f"http://127.0.0.1:{lab_port}"
    rest = Rest(entry, token)
    try:
        end = time.monotonic() + 60
        while True:
            try:
                if rest.get("/api/status", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert proc.alive() and time.monotonic() < end, f"jupyter_server did not start: {(tmp / 'jupyter.log').read_text()[-3000:]}"
            time.sleep(0.2)
        yield SimpleNamespace(name=mode, rest=rest, jupyter=JupyterServer(proc, entry, token, root, config))
    finally:
        proc.stop()
        atelier.proc.stop()


class Browser:
    """The cookies a browser holds after the user opened JupyterLab: the login cookie and `_xsrf`."""

    def __init__(self, rest):
        self.rest = rest
        self.http = requests.Session()
        r = self.http.get(rest.url(f"/login?token={rest.token}"), timeout=30)
        assert r.status_code == 200, r.status_code
        # The page sets `_xsrf`, as it does when JupyterLab loads.
        assert self.http.get(rest.url("/lab"), timeout=30).status_code == 200
        names = [c.name for c in self.http.cookies]
        assert any(n.startswith("username-") for n in names), f"no login cookie: {names}"
        assert "_xsrf" in names, f"no _xsrf cookie: {names}"
        self.xsrf = self.http.cookies["_xsrf"]
        parts = urlsplit(rest.base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"

    @property
    def login_cookie(self) -> str:
        """Only the login cookie, as a cross-site request whose attacker never read `_xsrf` sends it
        (a browser would also send `_xsrf`; the attacker still cannot put it in a header)."""
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies if c.name.startswith("username-"))

    @property
    def all_cookies(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def request(self, method: str, path: str, origin: str | None, xsrf: bool = False, **kw):
        headers = dict(kw.pop("headers", {}))
        headers["Cookie"] = self.all_cookies
        if origin is not None:
            headers["Origin"] = origin
        if xsrf:
            headers["X-XSRFToken"] = self.xsrf
        # A bare requests call: no Authorization header, no session cookie jar of its own.
        return requests.request(method, self.rest.url(path), headers=headers, timeout=60, **kw)


def upgrade(url: str, cookie: str | None, origin: str, extra: list[str] | None = None) -> tuple[int, websocket.WebSocket | None]:
    headers = list(extra or [])
    if cookie:
        headers.append(f"Cookie: {cookie}")
    try:
        ws = websocket.create_connection(url, header=headers, origin=origin, timeout=20)
    except websocket.WebSocketBadStatusException as e:
        return e.status_code, None
    return 101, ws


def test_kernel_channels_refuse_a_foreign_origin_with_the_login_cookie(site):
    rest = site.rest
    browser = Browser(rest)
    session = rest.create_session(f"xsite-{uuid.uuid4().hex[:8]}.ipynb")
    kernel_id = session["kernel"]["id"]
    url = rest.ws_url(kernel_id, uuid.uuid4().hex)
    status, _ = upgrade(url, browser.login_cookie, EVIL)
    assert status == 403, "a page at another origin opened the kernel's channels with the login cookie"
    status, _ = upgrade(url, browser.all_cookies, EVIL)
    assert status == 403, "a page at another origin opened the kernel's channels with the browser's cookies"
    # From the URL the user opened, the cookie works and the kernel answers.
    status, ws = upgrade(url, browser.login_cookie, browser.origin)
    assert status == 101
    ws.close()
    # The token is not subject to the origin check (scripts, other tools), as in jupyter_server.
    status, ws = upgrade(url, None, EVIL, [f"Authorization: token {rest.token}"])
    assert status == 101
    ws.close()
    c = KernelClient(rest, kernel_id)
    c.connect(wait_ready=True, timeout=60)
    try:
        assert c.execute("print('still mine')").stream_text() == "still mine\n"
    finally:
        c.close()
        rest.delete(f"/api/sessions/{session['id']}", timeout=30)


def test_the_event_stream_refuses_a_foreign_origin_with_the_login_cookie(site):
    rest = site.rest
    browser = Browser(rest)
    url = rest.url("/atelier/api/events").replace("http://", "ws://", 1)
    status, _ = upgrade(url, browser.all_cookies, EVIL)
    assert status == 403, "a page at another origin opened Atelier's event stream"
    status, ws = upgrade(url, browser.all_cookies, browser.origin)
    assert status == 101
    try:
        first = json.loads(ws.recv())
        assert first["type"] == "kernels"
    finally:
        ws.close()


def processing_job(name: str) -> dict:
    return {
        "ProcessingJobName": name,
        "AppSpecification": {"ImageUri": "atelier/datascience:latest",
                             "ContainerEntrypoint": ["python3", "-c", "print('pwned')"]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium",
                                                  "VolumeSizeInGB": 5}},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
    }


def job_names(rest) -> list[str]:
    r = rest.get("/atelier/api/jobs")
    assert r.status_code == 200, r.text
    return [j["Name"] for j in r.json()["Jobs"]]


@pytest.mark.parametrize("origin", [EVIL, None, "same"], ids=["foreign-origin", "no-origin", "same-origin"])
def test_a_cookie_post_without_xsrf_creates_no_job(site, origin):
    """A form or `fetch(..., {mode: 'no-cors', credentials: 'include'})` from another site: the
    body as text/plain (no preflight), the cookie, no `_xsrf` value."""
    rest = site.rest
    browser = Browser(rest)
    name = f"xsite-{uuid.uuid4().hex[:8]}"
    r = browser.request("POST", "/atelier/api/processing-jobs",
                        origin=browser.origin if origin == "same" else origin,
                        data=json.dumps(processing_job(name)), headers={"Content-Type": "text/plain"})
    assert r.status_code == 403, f"{r.status_code}: {r.text[:500]}"
    if site.name == "frontdoor":
        body = r.json()
        assert body["reason"] == "Forbidden"
        assert ("_xsrf" in body["message"]) if origin != EVIL else ("another web site" in body["message"]), body
    assert name not in job_names(rest)


def test_cookie_writes_from_the_page_with_xsrf_work_and_foreign_ones_do_not(site):
    rest = site.rest
    browser = Browser(rest)
    path = "/atelier/api/idle-policy/ml.t3.medium"
    rule = {"kernel_idle_minutes": 0, "instance_idle_minutes": 0}
    # What JupyterLab's ServerConnection sends: the cookie, X-XSRFToken, its own origin.
    ok = browser.request("PUT", path, origin=browser.origin, xsrf=True, json=rule)
    assert ok.status_code == 200, ok.text
    # The same with `_xsrf` as a query field, as jupyter_server accepts it.
    ok = browser.request("PUT", f"{path}?_xsrf={browser.xsrf}", origin=browser.origin, json=rule)
    assert ok.status_code == 200, ok.text
    # A job request from the page reaches the route: it is checked (and refused for its own reason).
    bad = browser.request("POST", "/atelier/api/processing-jobs", origin=browser.origin, xsrf=True,
                          json={"ProcessingJobName": "x y"})
    assert bad.status_code == 400, bad.text
    # Even with the right `_xsrf` value a foreign origin is refused, and so is a wrong value.
    assert browser.request("PUT", path, origin=EVIL, xsrf=True, json=rule).status_code == 403
    wrong = browser.request("PUT", path, origin=browser.origin, json=rule,
                            headers={"X-XSRFToken": "2|00000000|00000000000000000000000000000000|1"})
    assert wrong.status_code == 403
    assert browser.request("DELETE", "/atelier/api/instances/no-such-instance", origin=EVIL).status_code == 403


def test_the_token_is_not_subject_to_xsrf_but_a_wrong_token_does_not_excuse_a_cookie(site):
    rest = site.rest
    browser = Browser(rest)
    path = "/atelier/api/idle-policy/ml.t3.medium"
    rule = {"kernel_idle_minutes": 0, "instance_idle_minutes": 0}
    r = requests.put(rest.url(path), json=rule, timeout=30,
                     headers={"Authorization": f"token {rest.token}", "Origin": EVIL})
    assert r.status_code == 200, r.text
    r = requests.put(rest.url(f"{path}?token={rest.token}"), json=rule, timeout=30, headers={"Origin": EVIL})
    assert r.status_code == 200, r.text
    r = browser.request("PUT", path, origin=EVIL, json=rule, headers={"Authorization": "token not-the-token"})
    assert r.status_code == 403, r.text
