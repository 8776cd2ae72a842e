"""`make serve WORKERS=N`: N Streamlit workers behind Debian's nginx, reading published snapshots.

    python deploy/serve.py --db data/portfolio.duckdb --workers 2 --port 8501

Start: the database file is opened once read-write (schema migration) and published as the
first snapshot (portfolio.snapshots); N workers (`streamlit run app.py`, each on its own local
port, PORTFOLIO_SNAPSHOTS set) open snapshots read-only; nginx (config from deploy/nginx.conf.in,
run unprivileged from the run directory) routes each browser to one worker by a cookie.
Writes in any worker go through the one writer (an exclusive flock) and publish a new snapshot.

Stop (SIGTERM, SIGINT, or any child exiting): nginx and the workers get SIGTERM, then the
newest snapshot is copied back over the database file, so `make run` continues from it. If the
launcher itself was killed, the next start copies the newer snapshot back first.
"""
from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portfolio import snapshots  # noqa: E402
from portfolio.store import Store  # noqa: E402

TEMPLATE = Path(__file__).with_name("nginx.conf.in")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HEALTH_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def max_upload_mb() -> int:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    return int(config.get("server", {}).get("maxUploadSize", 200))  # Streamlit's own default is 200


def nginx_config(run_dir: Path, address: str, port: int, worker_ports: list[int]) -> str:
    user_line = ""
    if os.geteuid() == 0:  # never serve as root: nginx's workers drop to nobody
        user_line = "user nobody nogroup;"
    upstreams = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in worker_ports)
    text = TEMPLATE.read_text()
    for key, value in {"USER_LINE": user_line, "RUN_DIR": str(run_dir), "ADDRESS": address, "PORT": str(port),
                       "UPSTREAMS": upstreams, "MAX_UPLOAD_MB": str(max_upload_mb())}.items():
        text = text.replace(f"@{key}@", value)
    return text


def write_back(snap_dir: Path, db: Path) -> None:
    """Copy the newest snapshot over the database file (temp file, fsync, rename)."""
    if not (snap_dir / snapshots.POINTER).exists():
        return
    newest = snap_dir / snapshots.read_pointer(snap_dir).file
    tmp = db.with_name(db.name + ".from-serve")
    shutil.copyfile(newest, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    Path(str(db) + ".wal").unlink(missing_ok=True)
    os.replace(tmp, db)


def prepare(db: Path, snap_dir: Path) -> None:
    """Take over writes made by a previous run that ended without writing back, migrate, publish."""
    if (snap_dir / snapshots.POINTER).exists():
        newest = snap_dir / snapshots.read_pointer(snap_dir).file
        if newest.exists() and (not db.exists() or newest.stat().st_mtime > db.stat().st_mtime):
            write_back(snap_dir, db)
    Store(db, snapshot_dir=None).close()  # read-write once: schema migration; raises if `make run` holds it
    snapshots.seed(snap_dir, db)


def wait_healthy(url: str, procs: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not become healthy")
        time.sleep(0.2)


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + 15
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("PORTFOLIO_DB") or ROOT / "data/portfolio.duckdb"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8501, help="where nginx listens")
    parser.add_argument("--address", default="127.0.0.1", help="where nginx listens (0.0.0.0 for the LAN)")
    parser.add_argument("--run-dir", type=Path, help="pid, temp files, logs, config (default: <db>.serve/)")
    args = parser.parse_args(argv)

    os.environ.pop(snapshots.ENV, None)  # the launcher itself opens the file read-write once
    db = args.db.resolve()
    run_dir = (args.run_dir or db.with_name(db.stem + ".serve")).resolve()
    snap_dir = run_dir / "snapshots"
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi", "logs"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # nginx's workers (nobody) write request bodies under tmp/
        nobody = pwd.getpwnam("nobody")
        for path in [run_dir / "tmp", *(run_dir / "tmp").iterdir()]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    prepare(db, snap_dir)

    # one cookie secret (Streamlit takes it only from the environment): any worker accepts the XSRF cookie
    env = {**os.environ, "PORTFOLIO_DB": str(db), snapshots.ENV: str(snap_dir),
           "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    ports = [free_port() for _ in range(args.workers)]
    procs: list[subprocess.Popen] = []
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        for i, port in enumerate(ports):
            log = open(run_dir / "logs" / f"worker-{i + 1}.log", "w")
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        conf = run_dir / "nginx.conf"
        conf.write_text(nginx_config(run_dir, args.address, args.port, ports))
        nginx_log = open(run_dir / "logs" / "nginx.log", "w")
        procs.append(subprocess.Popen([NGINX, "-p", str(run_dir), "-c", str(conf), "-e", "stderr"],
                                      stdout=nginx_log, stderr=subprocess.STDOUT, start_new_session=True))
        for port in ports:
            wait_healthy(f"http://127.0.0.1:{port}", procs)
        host = "127.0.0.1" if args.address in ("0.0.0.0", "::") else args.address
        url = f"http://{host}:{args.port}"
        wait_healthy(url, procs)
        print(f"READY {url} workers={args.workers} run_dir={run_dir}", flush=True)
        while not stopping and all(p.poll() is None for p in procs):
            time.sleep(0.5)
        return 0 if stopping else 1
    finally:
        stop(procs)
        try:
            write_back(snap_dir, db)
        except OSError as exc:
            print(f"could not copy the newest snapshot back to {db}: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
