"""The connection from notebook code to the Atelier server: ``Session`` and ``AtelierError``.

Every kernel Atelier starts has ``ATELIER_API_URL`` (ending with ``/``) and ``ATELIER_TOKEN`` in
its environment; ``Session()`` reads them. Outside a kernel, pass ``api_url`` and ``token``.
Only the standard library is used (``urllib``), so the SDK works in any image.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
from typing import Any, BinaryIO, Iterator

__all__ = ["AtelierError", "Session", "parse_s3_uri"]

_CHUNK = 1 << 20
_SKIP_DIRS = {".ipynb_checkpoints"}


class AtelierError(Exception):
    """A request the server refused or could not be made; ``message`` is the server's own words.

    ``status`` is the HTTP status (0 when the server could not be reached or nothing was sent);
    ``details`` the server's whole JSON answer (e.g. a ModelError's ``OriginalStatusCode``).
    """

    def __init__(self, status: int, message: str, reason: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.details = dict(details or {})

    def __str__(self) -> str:
        return self.message

    # IPython shows this instead of a traceback through the SDK's and urllib's frames.
    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self.message}"]


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> ``(bucket, key)``; a ``ValueError`` for anything else."""
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, key = uri[len("s3://"):].partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {uri!r}")
    return bucket, key


class Session:
    """Talks to the Atelier REST API with the kernel's token.

    ``Session()`` inside a kernel Atelier started; ``Session(api_url="http://host:8890/atelier/api/",
    token="...")`` elsewhere. Methods return parsed JSON and raise ``AtelierError`` carrying the
    server's ``message`` (for example ``HyperParameters.n_estimators: ...``).
    """

    def __init__(self, api_url: str | None = None, token: str | None = None, timeout: float = 60.0):
        api_url = api_url or os.environ.get("ATELIER_API_URL")
        if not api_url:
            raise AtelierError(
                0,
                "not running in an Atelier kernel: set ATELIER_API_URL and ATELIER_TOKEN "
                "or pass api_url/token",
            )
        if not api_url.endswith("/"):
            api_url += "/"
        self.api_url = api_url
        self.token = token if token is not None else os.environ.get("ATELIER_TOKEN", "")
        self.timeout = timeout
        self._default_bucket: str | None = None

    def __repr__(self) -> str:
        return f"Session(api_url={self.api_url!r})"

    # -- HTTP ------------------------------------------------------------------------------------

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        url = self.api_url + path.lstrip("/")
        if params:
            query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
            if query:
                url += ("&" if "?" in url else "?") + query
        return url

    def open(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
        data: bytes | BinaryIO | None = None,
        headers: dict[str, str] | None = None,
    ):
        """Send one request and return the open response (a file object); errors as ``AtelierError``.

        ``body`` is sent as JSON; ``data`` as it is (bytes, or a file object read in blocks, which
        needs a ``Content-Length`` header).
        """
        url = self.url(path, params)
        all_headers = {"Accept": "application/json"}
        if self.token:
            all_headers["Authorization"] = f"token {self.token}"
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        request = urllib.request.Request(url, data=data, headers=all_headers, method=method)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            error = _error_from_response(e)
        except urllib.error.URLError as e:
            error = AtelierError(0, f"cannot reach the Atelier server at {self.api_url}: {e.reason}")
        except (ConnectionError, TimeoutError) as e:
            error = AtelierError(0, f"cannot reach the Atelier server at {self.api_url}: {e}")
        raise error

    def request(self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None, **kw) -> Any:
        with self.open(method, path, params=params, body=body, **kw) as response:
            raw = response.read()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise AtelierError(response.status, f"the server answered {method} {path} with something other than JSON") from None

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        return self.request("POST", path, params=params, body=body)

    def put(self, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        return self.request("PUT", path, params=params, body=body)

    def delete(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("DELETE", path, params=params)

    # -- objects ---------------------------------------------------------------------------------

    def default_bucket(self) -> str:
        """The object store's default bucket, as the server's health says (``atelier`` otherwise)."""
        if self._default_bucket is None:
            bucket = None
            try:
                health = self.get("health") or {}
                bucket = (health.get("object_store") or {}).get("default_bucket")
            except AtelierError as e:
                if e.status == 0:
                    raise
            self._default_bucket = bucket or "atelier"
        return self._default_bucket

    def upload_file(self, local_path: str, s3_uri: str) -> dict:
        """Upload one file to ``s3_uri``, streamed from disk; returns ``{uri, size}``."""
        parse_s3_uri(s3_uri)
        size = os.path.getsize(local_path)
        with open(local_path, "rb") as f:
            return self.request(
                "PUT",
                "objects",
                params={"uri": s3_uri},
                data=f,
                headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
            )

    def upload_data(self, path: str, bucket: str | None = None, key_prefix: str = "data") -> str:
        """Upload a file or a whole folder; returns its S3 URI.

        A file goes to ``s3://<bucket>/<key_prefix>/<file name>`` and that URI is returned. A
        folder's files go to ``s3://<bucket>/<key_prefix>/<path inside the folder>`` and
        ``s3://<bucket>/<key_prefix>/`` is returned. Files are streamed, never read whole.
        """
        bucket = bucket or self.default_bucket()
        prefix = key_prefix.strip("/")
        base = f"s3://{bucket}/" + (prefix + "/" if prefix else "")
        if os.path.isdir(path):
            for local, relative in _walk_files(path):
                self.upload_file(local, base + relative)
            return base
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no such file or folder: {path}")
        uri = base + os.path.basename(path)
        self.upload_file(path, uri)
        return uri

    def list_objects(self, prefix: str) -> list[dict]:
        """Objects under an ``s3://bucket/prefix``: ``[{key, uri, size, last_modified}]``."""
        parse_s3_uri(prefix)
        answer = self.get("objects/list", {"prefix": prefix}) or {}
        if answer.get("truncated"):
            warnings.warn(f"the listing of {prefix} is truncated: only the first {len(answer.get('objects', []))} objects")
        return list(answer.get("objects", []))

    def download(self, s3_uri: str, local_path: str) -> str:
        """Download one object, or every object under a prefix ending with ``/``; returns the local path.

        For one object, ``local_path`` may be an existing folder: the file keeps its name there.
        For a prefix, ``local_path`` is a folder that receives the objects by their path under it.
        """
        bucket, key = parse_s3_uri(s3_uri)
        if key == "" or key.endswith("/"):
            os.makedirs(local_path, exist_ok=True)
            for obj in self.list_objects(s3_uri):
                relative = obj["key"][len(key):]
                target = os.path.join(local_path, *[p for p in relative.split("/") if p])
                if not _inside(local_path, target) or relative.endswith("/"):
                    continue
                self._download_one(obj.get("uri") or f"s3://{bucket}/{obj['key']}", target)
            return local_path
        if os.path.isdir(local_path):
            local_path = os.path.join(local_path, posixpath.basename(key))
        self._download_one(s3_uri, local_path)
        return local_path

    def _download_one(self, s3_uri: str, target: str) -> None:
        folder = os.path.dirname(os.path.abspath(target))
        os.makedirs(folder, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=folder, prefix=".atelier-download-")
        try:
            with os.fdopen(fd, "wb") as out, self.open("GET", "objects", params={"uri": s3_uri},
                                                        headers={"Accept": "*/*"}) as response:
                shutil.copyfileobj(response, out, _CHUNK)
            os.replace(partial, target)
        except BaseException:
            if os.path.exists(partial):
                os.unlink(partial)
            raise


def _walk_files(folder: str) -> Iterator[tuple[str, str]]:
    """(local path, '/'-separated path inside ``folder``) for every file below it, in a stable order."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(files):
            local = os.path.join(root, name)
            if os.path.isfile(local):
                yield local, os.path.relpath(local, folder).replace(os.sep, "/")


def _inside(folder: str, target: str) -> bool:
    folder = os.path.abspath(folder)
    return os.path.commonpath([folder, os.path.abspath(target)]) == folder


def _error_from_response(e: urllib.error.HTTPError) -> AtelierError:
    try:
        raw = e.read()
    except Exception:  # noqa: BLE001 - the status alone still says something
        raw = b""
    message = reason = None
    details: dict = {}
    try:
        answer = json.loads(raw)
        if isinstance(answer, dict):
            message, reason, details = answer.get("message"), answer.get("reason"), answer
    except ValueError:
        pass
    if not message:
        text = raw.decode("utf-8", "replace").strip()
        message = text[:500] if text and not text.lstrip().startswith("<") else f"{e.code} {e.reason}"
    return AtelierError(e.code, message, reason, details)
