"""Fixtures of the deployment tests: a blank database, and the service under gunicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ON_POSTGRES, POSTGRES_URL, WORKER, PostgresDatabases

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
CLI = str(Path(sys.executable).with_name("behind-the-feed"))


@pytest.fixture
def blank_database(tmp_path):
    """The URL of a database with no table at all (not even Alembic's)."""
    if ON_POSTGRES:
        pg = PostgresDatabases(POSTGRES_URL)
        name = f"btf_blank_{WORKER}_{uuid.uuid4().hex[:10]}"
        yield pg.create(name)
        pg.drop(name)
        pg.admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'blank.sqlite'}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(app, **extra: str) -> dict[str, str]:
    """The environment a process needs to serve `app`'s database and public folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BTF_")}
    env.update({
        "BTF_DATA_DIR": app.config["BTF_DATA_DIR"],
        "BTF_PUBLIC_DIR": app.config["BTF_PUBLIC_DIR"],
        "BTF_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "BTF_SECRET_KEY": app.config["SECRET_KEY"],
    })
    env.update(extra)
    return env


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped with {process.returncode}: "
                               f"{process.stdout.read() if process.stdout else ''}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2, worker_class: str = "sync",
             threads: int = 1, log_path: Path | None = None):
    """Run `gunicorn server.wsgi:app` on a free loopback port; yields (base URL, process)."""
    port = free_port()
    args = [GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--worker-class", worker_class, "--threads", str(threads), "--backlog", "512",
            "--timeout", "60", "--graceful-timeout", "5", "server.wsgi:app"]
    log = open(log_path, "w+") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/index", process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_path:
            log.close()


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers of a master, from /proc."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(pid) for pid in children.read_text().split()]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError(f"no VmRSS for {pid}")
