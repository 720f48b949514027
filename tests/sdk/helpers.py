"""Shared helpers for the SDK tests: bounded polling, unique names, process hygiene, a DB round trip."""
import os
import signal
import time
import uuid

# Every wait in these tests is bounded by this (seconds), however slow the machine.
MAX_WAIT = 120.0

# A password that satisfies DWS's rule (12-32 characters, 3 of 4 classes).
DB_PASSWORD = "Dws2017demo!"
DB_USER = "dbadmin"
DB_NAME = "gaussdb"
NODE_TYPE = "dws.d1.xlarge"
NODE_TYPES = {"dws.d1.xlarge", "dws.m1.xlarge.ultrahigh", "dws.m3.xlarge"}


class _Raised:
    """Marks that the poll function raised instead of returning."""

    def __init__(self, exc):
        self.exc = exc

    def __repr__(self):
        return "raised %s: %s" % (type(self.exc).__name__, self.exc)


def wait_for(fetch, done, what, timeout=MAX_WAIT, interval=0.5, fail=None, raising=False):
    """Call fetch() until done(value) is true; return that value.

    Bounded by `timeout` seconds (never more than MAX_WAIT). If fetch() raises, the exception is
    kept as the last observation and polling goes on, unless `raising` is true, in which case the
    exception is what done() is asked about (so a 404 can be waited for). fail(value), if given,
    aborts the wait at once with an assertion error (for terminal states such as CREATION FAILED).
    """
    timeout = min(timeout, MAX_WAIT)
    deadline = time.monotonic() + timeout
    history = []
    while True:
        try:
            value = fetch()
        except Exception as exc:  # noqa: BLE001 - the poll target decides what is acceptable
            value = exc if raising else _Raised(exc)
        summary = _summary(value)
        if not history or history[-1] != summary:
            history.append(summary)
        if not isinstance(value, _Raised):
            if done(value):
                return value
            if fail is not None and fail(value):
                raise AssertionError("gave up waiting for %s: terminal state %s (states seen: %s)"
                                     % (what, summary, " -> ".join(history[-12:])))
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.0f s waiting for %s; states seen: %s"
                                 % (timeout, what, " -> ".join(history[-12:])))
        time.sleep(interval)


def _summary(value):
    """A short, comparable description of a polled value for error messages."""
    if isinstance(value, dict):  # a JSON document, e.g. a Zilliz v2 cluster or error envelope
        if "clusterTasks" in value:  # an Alibaba Elasticsearch / Logstash instance
            return "status=%s clusterTasks=%s" % (value.get("status"), value["clusterTasks"])
        if "status" in value:
            return "status=%s createProgress=%s" % (value["status"], value.get("createProgress"))
        if "code" in value and value.get("code") != 0:
            return "code=%s message=%s" % (value["code"], value.get("message"))
    status = getattr(value, "status", None)
    if status is not None and not isinstance(value, BaseException):
        progress = getattr(value, "action_progress", None)
        if progress is None:
            progress = getattr(value, "progress", None)  # snapshots and jobs say "progress"
        text = "status=%s sub_status=%s task_status=%s progress=%s" % (
            status, getattr(value, "sub_status", None), getattr(value, "task_status", None), progress)
        actions = getattr(value, "actions", None)  # CSS: what runs ("REBOOTING", ...)
        return text if actions is None else "%s actions=%s" % (text, actions)
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "..."


def unique_name(prefix):
    """A DWS-valid cluster name (letter first, 4-64 chars of [A-Za-z0-9_-]) unique per call."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def table_checksum(conn, table):
    """(row count, md5 over every row's text form in a fixed order) of `table`, to compare data sets."""
    return tuple(query(conn, "SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM %s t"
                       % table)[0])


def host_port(connect_info):
    host, _, port = connect_info.rpartition(":")
    assert host and port.isdigit(), "connect_info %r is not HOST:PORT" % (connect_info,)
    return host, int(port)


def connect_db(connect_info, password=DB_PASSWORD, user=DB_USER, dbname=DB_NAME):
    """An autocommit psycopg2 connection to a cluster endpoint."""
    import psycopg2

    host, port = host_port(connect_info)
    conn = psycopg2.connect(host=host, port=port, user=user, password=password, dbname=dbname,
                            connect_timeout=10, options="-c statement_timeout=30000")
    conn.autocommit = True
    return conn


def query(conn, sql, params=None):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else None


def pids_under(directory):
    """Processes (other than this one) whose working directory is `directory` or inside it."""
    root = os.path.realpath(directory)
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cwd = os.readlink("/proc/%s/cwd" % entry)
        except OSError:
            continue  # gone, or not ours to look at
        if cwd.endswith(" (deleted)"):
            cwd = cwd[: -len(" (deleted)")]
        if cwd == root or cwd.startswith(root + os.sep):
            found.append(int(entry))
    return found


def kill_under(directory, rounds=20):
    """SIGKILL every process whose cwd is inside `directory`; return the pids still alive after."""
    for _ in range(rounds):
        pids = pids_under(directory)
        if not pids:
            return []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            except PermissionError:
                pass  # reported below if it survives
        time.sleep(0.25)
    return pids_under(directory)
