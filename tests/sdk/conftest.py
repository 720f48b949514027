"""Fixtures for the Python SDK tests: one strato server per test session.

The server binary is not built here (CI builds it first). Its path comes from STRATO_BIN, default
<repo>/target/debug/strato. The node address range is 127.A.B.1-127.A.B.250 with A in 30..250 and
B random, so parallel sessions on one machine do not collide (override with
STRATO_SDK_NODE_ADDRESSES). Engines that bind the wildcard address (Milvus, for Zilliz clusters) take their
ports from a random block of 100 between 21000 and 31999, for the same reason (override with
STRATO_SDK_ENGINE_PORTS, e.g. 21000-21099).

Search and log datastores (Huawei CSS, Alibaba Elasticsearch/Logstash) run on stand-ins: elasticsearch and
opensearch on osmem-server (STRATO_OSMEM_BIN, else where scripts/install-search-engines puts it), logstash on
syslog-ng (/usr/sbin/syslog-ng). A stand-in that is missing is not bound; the tests that need it are skipped,
or fail when STRATO_REQUIRE_SEARCH_ENGINES=1 (as in CI).
"""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import pytest

from helpers import kill_under

REPO = Path(__file__).resolve().parents[2]
STRATO_BIN = os.environ.get("STRATO_BIN", str(REPO / "target" / "debug" / "strato"))
OSMEM_DEFAULTS = (
    "/usr/local/lib/strato/osmem-server/osmem_server/bin/osmem-server",
    "~/.local/lib/strato/osmem-server/osmem_server/bin/osmem-server",
)
SYSLOG_NG_BIN = "/usr/sbin/syslog-ng"
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

_server_log = None  # path of the running server's log, for failure reports


def _tail(path, lines=80):
    try:
        with open(path, "r", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as exc:
        return "(no server log: %s)" % exc


def _node_addresses():
    fixed = os.environ.get("STRATO_SDK_NODE_ADDRESSES")
    if fixed:
        return fixed
    rnd = random.SystemRandom()
    a, b = rnd.randint(30, 250), rnd.randint(0, 255)
    return "127.%d.%d.1-127.%d.%d.250" % (a, b, a, b)


def _engine_ports():
    fixed = os.environ.get("STRATO_SDK_ENGINE_PORTS")
    if fixed:
        return fixed
    first = 21000 + 100 * random.SystemRandom().randint(0, 109)  # 21000-21099 ... 31900-31999
    return "%d-%d" % (first, first + 99)


def _search_engines():
    """{"osmem": path, "syslog-ng": path} of the stand-ins found, and a list of what is missing (reasons)."""
    found, missing = {}, []
    fixed = os.environ.get("STRATO_OSMEM_BIN")
    candidates = [fixed] if fixed else [os.path.expanduser(p) for p in OSMEM_DEFAULTS]
    osmem = next((p for p in candidates if os.path.isfile(p) and os.access(p, os.X_OK)), None)
    if osmem:
        found["osmem"] = osmem
    else:
        missing.append("osmem-server (elasticsearch, opensearch) is not executable at %s: run "
                       "scripts/install-search-engines, or set STRATO_OSMEM_BIN" % " nor ".join(candidates))
    if os.access(SYSLOG_NG_BIN, os.X_OK):
        found["syslog-ng"] = SYSLOG_NG_BIN
    else:
        missing.append("syslog-ng (logstash) is not executable at %s: run scripts/install-search-engines "
                       "(apt-get install syslog-ng-core)" % SYSLOG_NG_BIN)
    return found, missing


def _engine_bindings(found):
    args = []
    if "osmem" in found:
        for kind in ("elasticsearch", "opensearch"):
            args += ["--datastore-engine", "%s=osmem:%s" % (kind, found["osmem"])]
    if "syslog-ng" in found:
        args += ["--datastore-engine", "logstash=syslog-ng:%s" % found["syslog-ng"]]
    return args


def _stop(proc, data_dir):
    """SIGTERM the server (SIGKILL after STOP_TIMEOUT), then kill the engines it leaves behind."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)
    # Engine processes outlive the server on purpose (they are re-adopted on restart).
    survivors = kill_under(data_dir)
    if survivors:
        warnings.warn("processes still running in %s after SIGKILL: %s" % (data_dir, survivors))


@pytest.fixture(scope="session")
def strato():
    """Start strato in a fresh data dir; yield the parsed endpoints.json; tear everything down."""
    global _server_log
    if not os.access(STRATO_BIN, os.X_OK):
        pytest.fail("strato binary not found at %s (build it with `cargo build`, or set STRATO_BIN)"
                    % STRATO_BIN, pytrace=False)
    data_dir = tempfile.mkdtemp(prefix="strato-sdk-")
    log_path = data_dir + ".server.log"
    _server_log = log_path
    cmd = [STRATO_BIN, "server", "--data-dir", data_dir,
           "--iam-listen", "127.0.0.1:0", "--dws-listen", "127.0.0.1:0", "--zilliz-listen", "127.0.0.1:0",
           "--css-listen", "127.0.0.1:0", "--aliyun-listen", "127.0.0.1:0",
           "--node-addresses", _node_addresses(), "--engine-ports", _engine_ports()]
    engines, engines_missing = _search_engines()
    cmd += _engine_bindings(engines)
    env = dict(os.environ)
    env.setdefault("RUST_LOG", "info")
    env.setdefault("NO_COLOR", "1")
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    try:
        endpoints_file = os.path.join(data_dir, "endpoints.json")
        deadline = time.monotonic() + STARTUP_TIMEOUT
        doc = None
        while doc is None:
            if proc.poll() is not None:
                pytest.fail("strato exited with %s before it was ready:\n%s" % (proc.returncode, _tail(log_path)),
                            pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail("strato did not write %s within %.0f s:\n%s"
                            % (endpoints_file, STARTUP_TIMEOUT, _tail(log_path)), pytrace=False)
            try:
                with open(endpoints_file) as f:
                    doc = json.load(f)
            except (OSError, ValueError):
                time.sleep(0.1)  # not there yet, or half written
        for key in ("iam", "dws", "zilliz", "css", "aliyun", "region", "credentials"):
            assert key in doc, "endpoints.json lacks %r: %s" % (key, doc)
        for key in ("project_id", "api_key", "access_key", "secret_key"):
            assert key in (doc["credentials"] or {}), "endpoints.json credentials lack %r: %s" % (key, doc)
        doc["_command"] = cmd
        doc["_data_dir"] = data_dir
        doc["_engines"], doc["_engines_missing"] = engines, engines_missing
        yield doc
    finally:
        try:
            _stop(proc, data_dir)
        finally:
            log.close()
            shutil.rmtree(data_dir, ignore_errors=True)
            if os.environ.get("STRATO_SDK_KEEP_LOG"):
                print("strato server log kept at %s" % log_path)
            else:
                try:
                    os.remove(log_path)
                except OSError:
                    pass
            _server_log = None


@pytest.fixture(scope="session")
def creds(strato):
    return strato["credentials"]


def _require_engines(strato, needed):
    """Skip (or, with STRATO_REQUIRE_SEARCH_ENGINES=1, fail) unless the stand-ins in `needed` are bound."""
    missing = [m for m in strato["_engines_missing"] if m.split(" ", 1)[0] in needed]
    if not missing:
        return
    why = "search/log engine stand-ins missing: " + "; ".join(missing)
    if os.environ.get("STRATO_REQUIRE_SEARCH_ENGINES") == "1":
        pytest.fail(why + " (STRATO_REQUIRE_SEARCH_ENGINES=1)", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="session")
def search_engine(strato):
    """osmem-server is bound to elasticsearch and opensearch (CSS clusters, Alibaba Elasticsearch instances)."""
    _require_engines(strato, ("osmem-server",))


@pytest.fixture(scope="session")
def log_engine(strato):
    """syslog-ng is bound to logstash (Alibaba Logstash instances)."""
    _require_engines(strato, ("syslog-ng",))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, attach the tail of the server log to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and _server_log and os.path.exists(_server_log):
        report.sections.append(("strato server log (tail)", _tail(_server_log)))
