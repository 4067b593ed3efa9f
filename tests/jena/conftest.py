"""Apache Jena Fuseki on loopback, fetched from Maven Central once and cached under tests/.cache.

The jars come from ``tests/jena/pom.xml`` (``mvn dependency:copy-dependencies`` into
``tests/.cache/jena/lib``, Maven's repository in ``tests/.cache/m2``); Java 17+ and Maven must
be installed (scripts/test.sh installs openjdk-17-jdk-headless and maven on a bare machine).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.rdf.namespace import sparql_prologue

HERE = Path(__file__).resolve().parent
CACHE = HERE.parent / ".cache"
LIB = CACHE / "jena" / "lib"
JENA_VERSION = "5.6.0"
MAIN_CLASS = "org.apache.jena.fuseki.main.cmds.FusekiMainCmd"


def fetch_jena() -> Path:
    """The folder of Fuseki's jars, fetched with Maven on first use."""
    marker = LIB / f"jena-fuseki-main-{JENA_VERSION}.jar"
    if marker.exists() and (LIB / "log4j-core-2.25.2.jar").exists():
        return LIB
    mvn = shutil.which("mvn")
    if mvn is None:
        pytest.fail("Maven (mvn) is needed to fetch Apache Jena: apt-get install maven openjdk-17-jdk-headless")
    cmd = [mvn, "-B", "-q", "-f", str(HERE / "pom.xml"), "dependency:copy-dependencies",
           f"-DoutputDirectory={LIB}", f"-Dmaven.repo.local={CACHE / 'm2'}"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if result.returncode != 0 or not marker.exists():
        pytest.fail(f"fetching Jena failed ({' '.join(cmd)}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return LIB


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fuseki:
    """A running Fuseki with one in-memory, updatable dataset ``/ds``."""

    def __init__(self, port: int, proc: subprocess.Popen, log: Path):
        self.base = f"http://127.0.0.1:{port}"
        self.proc = proc
        self.log = log

    def load(self, path: Path, media_type: str = "text/turtle") -> int:
        """Replace the default graph with the file's triples (Graph Store Protocol PUT); returns the count Jena parsed."""
        req = urllib.request.Request(f"{self.base}/ds/data?default", data=path.read_bytes(), method="PUT",
                                     headers={"Content-Type": media_type})
        with urllib.request.urlopen(req, timeout=300) as resp:
            return json.loads(resp.read())["tripleCount"]

    def select(self, query: str) -> dict:
        """Run ``query`` with kg's prefixes prepended; SPARQL 1.1 JSON results."""
        body = urllib.parse.urlencode({"query": sparql_prologue(query) + "\n" + query}).encode()
        req = urllib.request.Request(f"{self.base}/ds/query", data=body, headers={
            "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=300) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as err:
            raise AssertionError(f"Jena refused the query: {err.code} {err.read().decode(errors='replace')}") from None


@pytest.fixture(scope="session")
def fuseki(tmp_path_factory):
    lib = fetch_jena()
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java 17+ is needed to run Apache Jena: apt-get install openjdk-17-jdk-headless")
    port = _free_port()
    log = tmp_path_factory.mktemp("fuseki") / "fuseki.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen([java, "-Xmx1g", "-cp", f"{lib}/*", MAIN_CLASS, "--localhost", f"--port={port}",
                                 "--mem", "--update", "/ds"], stdout=fh, stderr=subprocess.STDOUT)
    server = Fuseki(port, proc, log)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{server.base}/ds/query?query=ASK%7B%7D", timeout=5):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("Fuseki did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.5)
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
