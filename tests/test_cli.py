"""The `behind-the-feed` command, run as a user runs it: a real process on a fresh data folder."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = str(Path(sys.executable).with_name("behind-the-feed"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_creates_seeds_and_answers(service_env, tmp_path):
    port = _free_port()
    process = subprocess.Popen([BIN, "serve", "--port", str(port)], env=service_env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/v1/lookup?host=m.facebook.com") as answer:
                    body = json.load(answer)
                    break
            except OSError:
                time.sleep(0.3)
        assert body is not None, "the service did not answer"
        assert body["slug"] == "facebook" and body["counts"]["moderation"] > 0
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/index")
        with urllib.request.urlopen(request) as answer:
            etag = answer.headers["ETag"]
        request.add_header("If-None-Match", etag)
        with pytest.raises(urllib.error.HTTPError) as not_modified:
            urllib.request.urlopen(request)
        assert not_modified.value.code == 304
        not_modified.value.close()
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert "database seeded" in output
    assert f"http://127.0.0.1:{port}" in output
    assert "Load unpacked" in output


def test_export_index_writes_the_index(service_env, tmp_path):
    target = tmp_path / "index.json"
    result = subprocess.run([BIN, "export-index", str(target)], env=service_env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    index = json.loads(target.read_text())
    assert index["hosts"]["facebook.com"] == "facebook"
    assert index["platforms"]["facebook"]["total"] > 0
    # The extension ships this same snapshot: regenerate it whenever the dataset changes
    # (behind-the-feed export-index extension/data/index.json).
    bundled = Path(__file__).parent.parent / "extension" / "data" / "index.json"
    assert bundled.read_text() == target.read_text()


def test_import_of_a_missing_folder_fails_clearly(service_env, tmp_path):
    result = subprocess.run([BIN, "import", str(tmp_path / "nope")], env=service_env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_serve_on_a_busy_port_fails_clearly(service_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([BIN, "serve", "--port", str(port)], env=service_env,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr


def test_production_without_secret_key_refuses_to_start(service_env):
    env = dict(service_env)
    env["BTF_ENV"] = "production"
    result = subprocess.run([BIN, "init-db"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "BTF_SECRET_KEY" in result.stderr
