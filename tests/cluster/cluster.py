"""The test cluster: network namespaces joined by a bridge, and the processes in them.

Host side (the default namespace): the bridge at 198.18.0.1 (the benchmarking range of
RFC 2544, never routed anywhere), our own PostgreSQL and Redis on that address, the SMTP
sink, and the load generator's client addresses. One namespace per host: the load
balancer (HAProxy), two web hosts (gunicorn) and two scheduler hosts.
Everything is torn down by `Cluster.close()`, which the test calls in a finally.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

# The app the hosts run: this checkout, or another one's (CLUSTER_APP_ROOT) for a try-out.
ROOT = Path(os.environ.get("CLUSTER_APP_ROOT") or Path(__file__).resolve().parents[2])
PG_BIN = Path(os.environ.get("CLUSTER_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUBNET = "198.18.0"
HOST_ADDRESS = f"{SUBNET}.1"
PG_PORT = 5433
REDIS_PORT = 6390
SMTP_PORT = 2525
WEB_PORT = 8000
HOSTS = {"lb": 10, "web1": 11, "web2": 12, "sched1": 21, "sched2": 22}
# The load generator's own addresses: real clients, as HAProxy sees them.
CLIENT_ADDRESSES = tuple(f"{SUBNET}.{n}" for n in (101, 102, 103, 104))
# /readyz answers 503 while the database or Redis is down; HAProxy takes such a host out.
HEALTH_PATH = os.environ.get("CLUSTER_HEALTH_PATH", "/readyz")
SECRET_KEY = "cluster-test-" + "k" * 40
METRICS_TOKEN = "cluster-metrics-" + "m" * 24  # noqa: S105 - a test host's token


def run(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run a command, its output captured; raise with that output when it fails."""
    result = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result


def wait_for_port(address: str, port: int, seconds: float = 60, process=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {address}:{port} stopped while starting")
        try:
            with socket.create_connection((address, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {address}:{port} after {seconds}s")


class SMTPSink:
    """The mail provider: an aiosmtpd server that keeps every Message-ID it receives."""

    def __init__(self, delay: float = 0.2):
        self.delay = delay  # a slow provider keeps a batch in flight long enough to be cut
        self.message_ids: list[str] = []
        self.senders: Counter[str] = Counter()  # mails received per scheduler address
        self._arrived = threading.Condition()
        self.last_taken = 0.0
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.senders[session.peer[0]] += 1
            self.last_taken = time.monotonic()
            self._arrived.notify_all()
        # The mail is taken, but the answer comes late: a sender killed now never hears it.
        await asyncio.sleep(self.delay)
        with self._arrived:
            self.message_ids.append(str(message["Message-ID"]).strip("<> "))
        return "250 Message accepted for delivery"

    def wait_for_sender(self, addresses: dict[str, str], timeout: float) -> str | None:
        """Block until a mail from one of {name: address} is being taken; that name."""
        with self._arrived:
            seen = dict(self.senders)

            def sending():
                for name, address in addresses.items():
                    if self.senders[address] > seen.get(address, 0):
                        return name
                return None

            return self._arrived.wait_for(sending, timeout=timeout)

    def wait_until_quiet(self, seconds: float = 2.0, timeout: float = 30.0) -> None:
        """Wait until no mail came in for a while: a batch in flight has been sent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and time.monotonic() - self.last_taken < seconds:
            time.sleep(0.2)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname=HOST_ADDRESS, port=SMTP_PORT)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            with contextlib.suppress(Exception):
                self.controller.stop()


class Cluster:
    """Builds the namespaces, starts the services; `close()` removes all of it."""

    def __init__(self):
        self.tag = f"{os.getpid() % 0xFFFF:04x}"
        self.bridge = f"vcbr{self.tag}"
        self.namespaces: dict[str, str] = {}
        self.processes: dict[str, subprocess.Popen] = {}
        self.log_files: list = []
        self.tmp = Path(tempfile.mkdtemp(prefix="voorelkaar-cluster-"))
        self.logs = self.tmp / "logs"
        self.logs.mkdir()
        self.pgdata = self.tmp / "pgdata"
        self.smtp = SMTPSink()
        self.database_url = f"postgresql://postgres@{HOST_ADDRESS}:{PG_PORT}/voorelkaar"
        self.redis_url = f"redis://{HOST_ADDRESS}:{REDIS_PORT}/0"
        self.lb_address = f"{SUBNET}.{HOSTS['lb']}"

    # -- network -----------------------------------------------------------------------

    def build_network(self) -> None:
        run("ip", "link", "add", self.bridge, "type", "bridge")
        run("ip", "addr", "add", f"{HOST_ADDRESS}/24", "dev", self.bridge)
        for address in CLIENT_ADDRESSES:
            run("ip", "addr", "add", f"{address}/24", "dev", self.bridge)
        run("ip", "link", "set", self.bridge, "up")
        for index, (host, number) in enumerate(HOSTS.items()):
            namespace = f"vc{self.tag}-{host}"
            outside, inside = f"vc{self.tag}{index}a", f"vc{self.tag}{index}b"
            run("ip", "netns", "add", namespace)
            self.namespaces[host] = namespace
            run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
            run("ip", "link", "set", inside, "netns", namespace)
            run("ip", "link", "set", outside, "master", self.bridge)
            run("ip", "link", "set", outside, "up")
            run("ip", "-n", namespace, "addr", "add", f"{SUBNET}.{number}/24", "dev", inside)
            run("ip", "-n", namespace, "link", "set", inside, "up")
            run("ip", "-n", namespace, "link", "set", "lo", "up")

    def address(self, host: str) -> str:
        return f"{SUBNET}.{HOSTS[host]}"

    # -- services on the host side -----------------------------------------------------

    def start_postgres(self) -> None:
        self.pgdata.mkdir()
        shutil.chown(self.tmp, "postgres")
        shutil.chown(self.pgdata, "postgres")
        run("runuser", "-u", "postgres", "--", str(PG_BIN / "initdb"), "-D", str(self.pgdata),
            "-A", "trust", "-U", "postgres", "--no-sync")  # fmt: skip
        # Only the cluster's own subnet may connect, and without a password: it is a test.
        with (self.pgdata / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {SUBNET}.0/24 trust\n")
        options = (
            f"-c listen_addresses={HOST_ADDRESS} -p {PG_PORT} -c unix_socket_directories={self.pgdata}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self.pg_options = options
        self._pg_ctl("start", "-o", options)
        run(str(PG_BIN / "createdb"), "-h", HOST_ADDRESS, "-p", str(PG_PORT), "-U", "postgres",
            "voorelkaar")  # fmt: skip

    def _pg_ctl(self, *args: str) -> None:
        run("runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata),
            "-l", str(self.tmp / "postgres.log"), "-w", "-t", "60", *args)  # fmt: skip

    def restart_postgres(self, away: float = 3.0) -> tuple[float, float]:
        """Stop PostgreSQL (fast: it drops every connection), wait, start it; (down, back)."""
        down = time.monotonic()
        self._pg_ctl("stop", "-m", "fast")
        time.sleep(away)  # as a restart for an upgrade or a new configuration takes
        self._pg_ctl("start", "-o", self.pg_options)
        return down, time.monotonic()

    def start_redis(self) -> None:
        self._spawn("redis", None, ["redis-server", "--bind", HOST_ADDRESS, "--port",
                    str(REDIS_PORT), "--save", "", "--appendonly", "no", "--protected-mode", "no"])  # fmt: skip
        wait_for_port(HOST_ADDRESS, REDIS_PORT, process=self.processes["redis"])

    def app_environment(self, **extra: str) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),
            "HOME": str(self.tmp),
            "DATABASE_URL": self.database_url,
            "RATELIMIT_STORAGE_URI": self.redis_url,
            "REDIS_URL": self.redis_url,
            "SECRET_KEY": SECRET_KEY,
            "MAIL_URL": f"smtp://{HOST_ADDRESS}:{SMTP_PORT}",
            "BASE_URL": f"http://{self.lb_address}",
            "TRUSTED_PROXIES": "1",
            **extra,
        }

    def flask(self, *args: str) -> str:
        return run(sys.executable, "-m", "flask", "--app", "wsgi", *args, cwd=ROOT,
                   env=self.app_environment()).stdout  # fmt: skip

    # -- hosts -------------------------------------------------------------------------

    def _spawn(self, name: str, host: str | None, command: list[str], env=None) -> None:
        prefix = ["ip", "netns", "exec", self.namespaces[host]] if host else []
        log = (self.logs / f"{name}.log").open("ab")
        self.log_files.append(log)
        self.processes[name] = subprocess.Popen(
            prefix + command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the whole host
        )

    def start_web(self, host: str) -> None:
        metrics_dir = self.tmp / f"metrics-{host}"  # the workers' counts, added up per scrape
        metrics_dir.mkdir()
        env = self.app_environment(
            METRICS_TOKEN=METRICS_TOKEN,
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
            GUNICORN_BIND=f"{self.address(host)}:{WEB_PORT}",
            WEB_CONCURRENCY="2",
            GUNICORN_ACCESS_LOG=str(self.logs / f"{host}-access.log"),
            GUNICORN_ERROR_LOG="-",
        )
        self._spawn(host, host, [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                    "wsgi:app"], env=env)  # fmt: skip
        wait_for_port(self.address(host), WEB_PORT, process=self.processes[host])

    def start_scheduler(self, host: str, beside: str | None = None) -> None:
        """A scheduler; beside a web host it shares that host's metrics folder, as one
        machine running both would, so the web host's /metrics shows its job runs."""
        extra = {}
        if beside is not None:
            extra["PROMETHEUS_MULTIPROC_DIR"] = str(self.tmp / f"metrics-{beside}")
        self._spawn(host, host, [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"],
                    env=self.app_environment(**extra))  # fmt: skip

    def start_haproxy(self) -> None:
        config = self.tmp / "haproxy.cfg"
        config.write_text(haproxy_config(self.lb_address, [self.address("web1"),
                          self.address("web2")]))  # fmt: skip
        run("haproxy", "-c", "-q", "-f", str(config))
        self._spawn("haproxy", "lb", ["haproxy", "-db", "-f", str(config)])
        wait_for_port(self.lb_address, 80, process=self.processes["haproxy"])

    def kill(self, name: str) -> None:
        """kill -9 the whole process group: the host is gone without a word."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    # -- the end -----------------------------------------------------------------------

    def close(self) -> None:
        """Stop everything, remove namespaces, links and the temporary folder."""
        for name in list(self.processes):
            process = self.processes[name]
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
        if (self.pgdata / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self._pg_ctl("stop", "-m", "immediate")
        self.smtp.stop()
        for log in self.log_files:
            log.close()
        for namespace in self.namespaces.values():
            run("ip", "netns", "del", namespace, check=False)
        run("ip", "link", "del", self.bridge, check=False)
        if os.environ.get("CLUSTER_KEEP_LOGS"):
            print(f"logs kept in {self.logs}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def haproxy_config(listen: str, servers: list[str]) -> str:
    """Round robin over the web hosts, health-checked on the readiness endpoint."""
    lines = [
        "global",
        "    maxconn 2000",
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 30s",
        "    timeout server 30s",
        "    timeout http-request 10s",
        "    option forwardfor",
        "    option redispatch",
        "    retries 3",
        # A host killed mid-request answers nothing: HAProxy sends the request to the other
        # host. POSTs too (the body is buffered for that): every form that creates carries a
        # one-time token, so the second arrival lands on what the first one made.
        "    option http-buffer-request",
        "    retry-on conn-failure empty-response",
        "    timeout check 3s",
        "frontend www",
        f"    bind {listen}:80",
        "    default_backend web",
        "backend web",
        "    balance roundrobin",
        f"    option httpchk GET {HEALTH_PATH}",
        "    http-check expect status 200",
        # A host out of the pool is checked four times a second, and back at its first
        # good answer: the site is back within a quarter second of PostgreSQL.
        "    default-server inter 1s fastinter 250ms downinter 250ms fall 2 rise 1",
        "    http-response set-header X-Served-By %s",
    ]
    lines += [f"    server web{n} {a}:{WEB_PORT} check" for n, a in enumerate(servers, 1)]
    return "\n".join(lines) + "\n"
