"""A real Neo4j 5 Community server for kg's Neo4j tests, started by the tests themselves.

Nothing here is mocked: ``tests/neo4j/server`` is a tiny Java launcher around Neo4j's own
engine, Bolt server and ``neo4j-admin`` (artifacts ``org.neo4j:neo4j``, ``neo4j-bolt``,
``neo4j-command-line``, ``neo4j-import-tool`` 5.26, the LTS line that runs on Java 17), and
``tests/neo4j/shell`` fetches the real ``cypher-shell``. Both are built once with Maven into
``tests/.cache/neo4j/`` (git-ignored; jars cached in ``~/.m2``) and rebuilt when their pom or
source changes. Needs ``java`` (17+) and ``mvn`` on PATH (Debian: ``openjdk-17-jdk-headless``,
``maven``) and Maven Central; without them the tests fail with a message saying so.

One server is shared by the whole session (``neo4j_server``: auth on, Bolt on a free loopback
port the server picks itself); ``empty_neo4j`` wipes it before a test. ``start_neo4j`` starts
extra servers (read-only, or on a freshly imported store) that are stopped at session end.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import selectors
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
# Test modules here import neo4j_test_support (strategies, the expected-graph oracle, snapshot).
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
ROOT = HERE.parents[1]
CACHE = ROOT / "tests" / ".cache" / "neo4j"
PASSWORD = "kg-test-password"
JAVA_OPTIONS = ["-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]
START_TIMEOUT = 180.0


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"the Neo4j tests need '{name}' on PATH (Debian: apt-get install -y openjdk-17-jdk-headless maven)",
            pytrace=False,
        )
    return path


def maven_build(name: str) -> Path:
    """Build ``tests/neo4j/<name>/pom.xml`` into ``tests/.cache/neo4j/<name>`` unless up to date."""
    project = HERE / name
    out = CACHE / name
    sources = sorted(p for p in project.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.relative_to(project).as_posix().encode() + b"\0" + path.read_bytes())
    stamp = out / "kg-build.stamp"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f".{name}.lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # two test runs never build at once
        if stamp.exists() and stamp.read_text() == digest.hexdigest() and (out / "lib").is_dir():
            return out
        mvn = _tool("mvn")
        _tool("java")
        shutil.rmtree(out, ignore_errors=True)
        proc = subprocess.run(
            [mvn, "-q", "-B", "-f", str(project / "pom.xml"), "package"],
            capture_output=True,
            text=True,
            timeout=1200,
        )
        if proc.returncode != 0:
            pytest.fail(f"building {project / 'pom.xml'} with Maven failed:\n{(proc.stdout + proc.stderr)[-3000:]}", pytrace=False)
        stamp.write_text(digest.hexdigest())
    return out


@dataclass
class Neo4jServer:
    """One running test server."""

    home: Path
    uri: str
    user: str
    password: str | None
    process: subprocess.Popen

    def stop(self, graceful: bool = False) -> None:
        """Stop the server: kill it (test stores are thrown away), or with ``graceful`` close its
        stdin so it shuts Neo4j down cleanly, killing it only if that hangs."""
        if self.process.poll() is None:
            if graceful:
                with contextlib.suppress(OSError):
                    self.process.stdin.close()
                try:
                    self.process.wait(timeout=60)
                    return
                except subprocess.TimeoutExpired:
                    pass
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(OSError):
            self.process.stdin.close()
            self.process.stdout.close()

    def log_tail(self, chars: int = 3000) -> str:
        log = self.home / "launcher.log"
        return log.read_text(errors="replace")[-chars:] if log.exists() else ""


def write_conf(home: Path, *, auth: bool, read_only: bool) -> None:
    """``HOME/conf/neo4j.conf``: loopback Bolt on a port the server picks, small memory."""
    conf = home / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    settings = {
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": "127.0.0.1:0",
        "server.bolt.tls_level": "DISABLED",
        "dbms.security.auth_enabled": "true" if auth else "false",
        "server.memory.pagecache.size": "64m",
        "dbms.memory.transaction.total.max": "256m",
        "server.databases.default_to_read_only": "true" if read_only else "false",
    }
    (conf / "neo4j.conf").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))


def start_server(launcher: Path, home: Path, *, password: str | None = PASSWORD, read_only: bool = False) -> Neo4jServer:
    """Start the launcher on ``home`` and wait for its ``KG-NEO4J-READY <port>`` line.

    Neo4j cannot create a database that is read-only from birth, and a read-only DBMS refuses
    the password change too; so a read-only start on a new home first makes the store with the
    real tools: ``neo4j-admin dbms set-initial-password`` and an import of no nodes.
    """
    java = _tool("java")
    home = home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "KG_NEO4J_PASSWORD"}
    if read_only:
        if not (home / "data" / "databases" / "neo4j").exists():
            (home / "empty.csv").write_text("id:ID\n")
            steps = [["database", "import", "full", "neo4j", "--nodes=empty.csv"]]
            if password is not None:
                steps.insert(0, ["dbms", "set-initial-password", password])
            for args in steps:
                proc = run_admin(launcher, home, args, cwd=home)
                if proc.returncode != 0:
                    pytest.fail(f"neo4j-admin {' '.join(args[:2])} failed:\n{(proc.stdout + proc.stderr)[-2000:]}", pytrace=False)
    elif password is not None:
        env["KG_NEO4J_PASSWORD"] = password
    write_conf(home, auth=password is not None, read_only=read_only)
    classpath = f"{launcher / 'lib'}/*:{launcher / 'launcher.jar'}"
    with open(home / "launcher.log", "wb") as log:
        process = subprocess.Popen(
            [java, *JAVA_OPTIONS, "-cp", classpath, "kgtest.Main", "serve", str(home)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
        )
    server = Neo4jServer(home, "", "neo4j", password, process)
    deadline = time.monotonic() + START_TIMEOUT
    with selectors.DefaultSelector() as sel:
        sel.register(process.stdout, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or process.poll() is not None:
                server.stop()
                pytest.fail(f"Neo4j did not start in {home}:\n{server.log_tail()}", pytrace=False)
            if sel.select(timeout=min(remaining, 1.0)):
                line = process.stdout.readline().decode(errors="replace").strip()
                if line.startswith("KG-NEO4J-READY "):
                    server.uri = f"bolt://127.0.0.1:{int(line.split()[1])}"
                    return server


def run_admin(launcher: Path, home: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run the real ``neo4j-admin`` with ``home`` as NEO4J_HOME."""
    launcher, home = launcher.resolve(), home.resolve()
    classpath = f"{launcher / 'lib'}/*:{launcher / 'launcher.jar'}"
    return subprocess.run(
        [_tool("java"), *JAVA_OPTIONS, "-cp", classpath, "kgtest.Main", "admin", str(home), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def install_admin(launcher: Path, home: Path) -> Path:
    """``HOME/bin/neo4j-admin``: runs the real neo4j-admin from the launcher, as a Neo4j tarball would."""
    launcher, home = launcher.resolve(), home.resolve()
    script = home / "bin" / "neo4j-admin"
    script.parent.mkdir(parents=True, exist_ok=True)
    classpath = f"{launcher / 'lib'}/*:{launcher / 'launcher.jar'}"
    script.write_text(
        "#!/bin/sh\n"
        f"exec '{_tool('java')}' {' '.join(JAVA_OPTIONS)} -cp '{classpath}' kgtest.Main admin \"$NEO4J_HOME\" \"$@\"\n"
    )
    script.chmod(0o755)
    write_conf(home, auth=True, read_only=False)
    return script


@dataclass
class CypherShell:
    """The real cypher-shell, run as a subprocess."""

    home: Path

    def run(self, server: Neo4jServer, script: Path, *extra: str) -> subprocess.CompletedProcess:
        args = ["-a", server.uri, "-u", server.user, "--format", "verbose", "--non-interactive", "-f", str(script), *extra]
        if server.password is not None:
            args += ["-p", server.password]
        return subprocess.run(
            [_tool("java"), *JAVA_OPTIONS, "-cp", f"{self.home / 'lib'}/*", "org.neo4j.shell.Main", *args],
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )


@pytest.fixture(scope="session")
def neo4j_launcher() -> Path:
    """The built launcher folder (``launcher.jar`` + ``lib/``)."""
    return maven_build("server")


@pytest.fixture(scope="session")
def make_neo4j_home(neo4j_launcher, tmp_path_factory) -> Callable[[], Path]:
    """Factory of fresh NEO4J_HOMEs with ``bin/neo4j-admin`` (the real tool) and ``conf/neo4j.conf``."""

    def make() -> Path:
        home = tmp_path_factory.mktemp("neo4j-import-home")
        install_admin(neo4j_launcher, home)
        return home

    return make


@pytest.fixture(scope="session")
def cypher_shell() -> CypherShell:
    return CypherShell(maven_build("shell"))


@pytest.fixture(scope="session")
def start_neo4j(neo4j_launcher, tmp_path_factory) -> Iterator[Callable[..., Neo4jServer]]:
    """Factory: ``start_neo4j(home=None, password=..., read_only=False)``; all stopped at session end."""
    servers: list[Neo4jServer] = []

    def start(home: Path | None = None, **options: Any) -> Neo4jServer:
        server = start_server(neo4j_launcher, home or tmp_path_factory.mktemp("neo4j-home"), **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_server(start_neo4j) -> Neo4jServer:
    """The shared writable server (user ``neo4j``, password :data:`PASSWORD`)."""
    return start_neo4j()


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server) -> Iterator[Any]:
    import neo4j

    driver = neo4j.GraphDatabase.driver(
        neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password), notifications_min_severity="OFF"
    )
    yield driver
    driver.close()


@pytest.fixture
def empty_neo4j(neo4j_driver):
    """The shared server's driver, with every node and relationship deleted first."""
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    return neo4j_driver
