"""Session: configuration from the kernel's environment, errors, and the objects API."""

from __future__ import annotations

import os
import urllib.request

import pytest

import atelier
from atelier import api
from atelier.api import AtelierError, Session

from sdk_fake import TOKEN, FakeAtelier, Reply, env, error, fake  # noqa: F401 - fixtures


def test_missing_environment_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("ATELIER_API_URL", raising=False)
    monkeypatch.delenv("ATELIER_TOKEN", raising=False)
    with pytest.raises(AtelierError) as info:
        Session()
    assert str(info.value) == (
        "not running in an Atelier kernel: set ATELIER_API_URL and ATELIER_TOKEN or pass api_url/token"
    )
    with pytest.raises(AtelierError, match="not running in an Atelier kernel"):
        atelier.Estimator("atelier/sklearn:latest").fit("s3://b/d")


def test_environment_and_token_header(env):
    env.route("GET", "jobs", Reply(200, {"Jobs": []}))
    assert Session().get("jobs") == {"Jobs": []}
    (call,) = env.calls("GET", "jobs")
    assert call.headers["authorization"] == f"token {TOKEN}"


def test_explicit_url_and_token_override_the_environment(env):
    other = FakeAtelier()
    try:
        other.route("GET", "jobs", Reply(200, {"Jobs": [{"Name": "x"}]}))
        s = Session(api_url=other.url.rstrip("/"), token="other")
        assert s.api_url == other.url
        assert s.get("jobs") == {"Jobs": [{"Name": "x"}]}
        assert other.calls()[0].headers["authorization"] == "token other"
        assert env.calls() == []
    finally:
        other.close()


def test_errors_carry_the_server_message(env):
    env.route("POST", "training-jobs", error(400, "HyperParameters.n_estimators: must be at most 2500 characters"))
    with pytest.raises(AtelierError) as info:
        Session().post("training-jobs", {"TrainingJobName": "x"})
    e = info.value
    assert e.status == 400
    assert e.reason == "Bad Request"
    assert str(e) == "HyperParameters.n_estimators: must be at most 2500 characters"
    # Nothing of urllib is chained onto it, and IPython shows the message alone.
    assert e.__cause__ is None and e.__context__ is None
    assert e._render_traceback_() == ["AtelierError: HyperParameters.n_estimators: must be at most 2500 characters"]


def test_error_without_json_body_names_the_status(env):
    env.route("GET", "jobs", Reply(502, b"", {"Content-Type": "text/plain"}))
    with pytest.raises(AtelierError) as info:
        Session().get("jobs")
    assert info.value.status == 502
    assert "502" in str(info.value)


def test_unreachable_server():
    s = FakeAtelier()
    url = s.url
    s.close()
    with pytest.raises(AtelierError) as info:
        Session(api_url=url, token="x").get("jobs")
    assert info.value.status == 0
    assert str(info.value).startswith(f"cannot reach the Atelier server at {url}")


def test_upload_folder_streams_each_file_to_its_key(env, tmp_path, monkeypatch):
    data = tmp_path / "iris"
    (data / "train").mkdir(parents=True)
    (data / "train" / "a.csv").write_bytes(b"x,y\n1,2\n")
    (data / "b.txt").write_bytes(b"\x00\x01" * 70000)
    (data / ".ipynb_checkpoints").mkdir()
    (data / ".ipynb_checkpoints" / "b-checkpoint.txt").write_text("old")

    sent_bodies = []
    real_urlopen = urllib.request.urlopen

    def spy(request, *args, **kwargs):
        sent_bodies.append(request.data)
        return real_urlopen(request, *args, **kwargs)

    monkeypatch.setattr(api.urllib.request, "urlopen", spy)
    uri = Session().upload_data(str(data), key_prefix="/datasets/iris/")
    assert uri == "s3://bucket1/datasets/iris/"
    assert env.objects == {
        "s3://bucket1/datasets/iris/b.txt": b"\x00\x01" * 70000,
        "s3://bucket1/datasets/iris/train/a.csv": b"x,y\n1,2\n",
    }
    puts = env.calls("PUT", "objects")
    assert [p.query["uri"] for p in puts] == ["s3://bucket1/datasets/iris/b.txt", "s3://bucket1/datasets/iris/train/a.csv"]
    for p in puts:
        assert p.headers["content-length"] == str(len(p.body))
        assert not p.chunked
    # Each body went out as an open file, read in blocks, never as bytes in memory.
    uploads = [b for b in sent_bodies if b is not None]
    assert uploads and all(hasattr(b, "read") for b in uploads)


def test_upload_file_default_bucket_and_fallback(env, tmp_path):
    f = tmp_path / "model.py"
    f.write_text("print(1)\n")
    assert Session().upload_data(str(f)) == "s3://bucket1/data/model.py"
    assert Session().upload_data(str(f), bucket="mine", key_prefix="") == "s3://mine/model.py"
    env.default_bucket = None
    assert atelier.upload_data(str(f)) == "s3://atelier/data/model.py"
    with pytest.raises(FileNotFoundError):
        Session().upload_data(str(tmp_path / "missing"))


def test_list_and_download(env, tmp_path):
    env.objects["s3://b/out/job/model.tar.gz"] = b"model"
    env.objects["s3://b/out/job/data/part-1"] = b"p1"
    env.objects["s3://b/other"] = b"no"
    listed = Session().list_objects("s3://b/out/")
    assert [o["key"] for o in listed] == ["out/job/data/part-1", "out/job/model.tar.gz"]
    assert listed[1] == {"key": "out/job/model.tar.gz", "uri": "s3://b/out/job/model.tar.gz", "size": 5,
                         "last_modified": "2025-01-01T00:00:00Z"}

    target = Session().download("s3://b/out/job/model.tar.gz", str(tmp_path))
    assert target == str(tmp_path / "model.tar.gz")
    assert (tmp_path / "model.tar.gz").read_bytes() == b"model"

    folder = tmp_path / "all"
    atelier.download("s3://b/out/", str(folder))
    assert (folder / "job" / "data" / "part-1").read_bytes() == b"p1"
    assert (folder / "job" / "model.tar.gz").read_bytes() == b"model"
    assert not any(n.startswith(".atelier-download") for n in os.listdir(folder / "job"))

    with pytest.raises(AtelierError) as info:
        Session().download("s3://b/missing", str(tmp_path / "m"))
    assert info.value.status == 404
    assert not (tmp_path / "m").exists()
    with pytest.raises(ValueError):
        Session().list_objects("/tmp/x")
