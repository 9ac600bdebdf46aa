"""Turn the nginx example of docs/deployment.md into a runnable loopback configuration.

The benchmark and tests/deploy/test_static_index.py run exactly the documented `upstream` and
`server` blocks, with only the address, the folders and TLS swapped for local ones, so the example
cannot drift from what was measured and tested.

    python bench/nginx_conf.py PUBLIC_DIR UPSTREAM LISTEN PREFIX [WORKERS] > nginx.conf
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "deployment.md"

MAIN = """\
{user}worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;

{site}
}}
"""


def documented_site(doc: Path = DOC) -> str:
    """The first ```nginx block of the deployment guide."""
    found = re.search(r"```nginx\n(.*?)```", doc.read_text(encoding="utf-8"), re.DOTALL)
    if not found:
        raise ValueError(f"{doc}: no ```nginx block")
    return found.group(1)


def _swap(text: str, pattern: str, replacement: str) -> str:
    changed, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if not count:
        raise ValueError(f"the documented nginx example has no line matching {pattern!r}")
    return changed


def render(public_dir, upstream: str, listen: str, prefix, workers: int | str = 1) -> str:
    """A whole nginx.conf: the documented site on `listen`, in front of `upstream` (host:port)."""
    prefix = Path(prefix)
    prefix.mkdir(parents=True, exist_ok=True)
    site = documented_site()
    site = _swap(site, r"^(\s*server) 127\.0\.0\.1:8000;", rf"\1 {upstream};")
    site = _swap(site, r"^(\s*root) /var/lib/behind-the-feed/public;", rf"\1 {public_dir};")
    site = _swap(site, r"^(\s*listen) 443 ssl http2;", rf"\1 {listen};")
    site = _swap(site, r"^\s*ssl_certificate(_key)? .*\n", "")
    site = "\n".join("    " + line if line else line for line in site.splitlines())
    # Started by root (a test, a benchmark), nginx's workers would run as nobody and could not
    # read a private temporary folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return MAIN.format(user=user, workers=workers, prefix=prefix, site=site)


if __name__ == "__main__":
    public, upstream_address, listen_address, folder = sys.argv[1:5]
    count = sys.argv[5] if len(sys.argv) > 5 else 1
    sys.stdout.write(render(public, upstream_address, listen_address, folder, count))
