"""Zilliz Cloud v2 control plane (plain HTTP, bearer API key) with pymilvus 2.3.6 against the real Milvus 2.3.5
behind each dedicated cluster.

The seed is the resume reference (GET /v2/clusters/{id}/resume with `Authorization: Bearer` and
`accept: application/json`, answering {"code":0,"data":{"clusterId","prompt"}}); around it the data path must
survive suspend and resume. pymilvus connections are always closed before a suspend or drop: Milvus waits for
its gRPC clients when it stops.
"""
import contextlib
import random
import re
import time
import uuid

import grpc
import pytest
import requests
from pymilvus import Collection, CollectionSchema, DataType, FieldSchema, MilvusException, connections, utility

from clients import ZILLIZ_TIMEOUT, ZillizClient, ZillizError
from helpers import unique_name

DIM = 8
ROWS = 100
QUERY_ID = 42
ADMIN_USER = "db_admin"
STATUSES = {"CREATING", "RUNNING", "STOPPING", "STOPPED", "RESUMING", "MODIFYING", "DELETING", "ABNORMAL"}
CONNECT_ADDRESS = re.compile(r"^http://127\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d{1,5}$")
CLUSTER_ID = re.compile(r"^in01-[0-9a-f]{32}$")
# Lifecycle waits: Milvus starts in ~2-4 s and stops in ~1-3 s here; these only bound a broken run.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 45.0


# ---------------------------------------------------------------------------------------------------------------
# pymilvus helpers

@contextlib.contextmanager
def milvus(address, user, password, timeout=15):
    """A pymilvus connection (its alias) to a connectAddress; always disconnected on exit."""
    alias = "zv2-%s" % uuid.uuid4().hex[:10]
    try:
        connections.connect(alias, uri=address, user=user, password=password, timeout=timeout)
        yield alias
    finally:
        connections.disconnect(alias)
        connections.remove_connection(alias)


def vectors():
    rnd = random.Random(20240229)
    return [[rnd.uniform(-1.0, 1.0) for _ in range(DIM)] for _ in range(ROWS)]


def search_top(coll, vec, limit=3):
    hits = coll.search([vec], "vector", {"metric_type": "L2", "params": {}}, limit=limit,
                       consistency_level="Strong")[0]
    return [(h.id, h.distance) for h in hits]


def stored_ids(coll):
    count = coll.query("", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]
    ids = sorted(r["id"] for r in coll.query("id >= 0", output_fields=["id"], consistency_level="Strong"))
    return count, ids


def cannot_use(address, user, password, why):
    """Connecting (and listing collections) with these credentials must fail for reason `why`.

    why="down": nothing answers (pymilvus 2.3.6: MilvusException "Fail connecting to server ... Timeout").
    why="auth": Milvus answers but refuses the credentials (grpc UNAUTHENTICATED, or a MilvusException saying so).
    """
    with pytest.raises((MilvusException, grpc.RpcError)) as info:
        with milvus(address, user, password, timeout=2) as alias:
            utility.list_collections(using=alias, timeout=5)
    err = info.value
    if why == "down":
        assert isinstance(err, MilvusException) and "Fail connecting" in str(err), repr(err)
    else:
        unauthenticated = isinstance(err, grpc.RpcError) and err.code() == grpc.StatusCode.UNAUTHENTICATED
        assert unauthenticated or "auth" in str(err).lower(), repr(err)
    return err


def assert_transition(seen, first, final):
    """The statuses polled (wait_status's `seen`) went `first` -> ... -> `final` and nowhere else (a poll that
    straddles the end of the job must not see the old lifecycle without the job, e.g. a transient ABNORMAL)."""
    states = [d["status"] for d in seen]
    assert states and states[0] == first and states[-1] == final, states
    for state in states:
        assert state in (first, final), states
    return states


# ---------------------------------------------------------------------------------------------------------------
# fixtures

@pytest.fixture(scope="module")
def zilliz(strato):
    client = ZillizClient(strato)
    yield client
    client.close()


@pytest.fixture(scope="module")
def clusters(zilliz):
    """Creates dedicated clusters; drops whatever a test left behind (best effort) at module end."""
    made = []

    def create(prefix):
        data = zilliz.create_dedicated(unique_name(prefix))
        made.append(data["clusterId"])
        return data

    yield create
    for cid in made:
        try:
            if zilliz.call("GET", "/v2/clusters/%s" % cid)["code"] == 0:
                zilliz.call("DELETE", "/v2/clusters/%s/drop" % cid)
                zilliz.wait_gone(cid, timeout=STOP_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - teardown must not hide the test's own result
            print("could not drop %s: %s" % (cid, exc))


@pytest.fixture(scope="module")
def running(zilliz, clusters):
    """One RUNNING dedicated cluster shared by the refusal tests: (create answer, description)."""
    made = clusters("zv2-shared")
    return made, zilliz.wait_status(made["clusterId"], "RUNNING", timeout=START_TIMEOUT)


# ---------------------------------------------------------------------------------------------------------------
# tests

def test_seed_resume_flow_with_plain_http(strato, zilliz, clusters):
    creds = strato["credentials"]
    made = clusters("zv2-seed")
    cid, password = made["clusterId"], made["password"]
    assert set(made) == {"clusterId", "username", "password", "prompt"}, made
    assert CLUSTER_ID.match(cid), made
    assert made["username"] == ADMIN_USER and isinstance(password, str) and len(password) >= 8, made
    assert isinstance(made["prompt"], str) and made["prompt"], made

    # CREATING (progress climbing to 100) -> RUNNING
    seen = []
    desc = zilliz.wait_status(cid, "RUNNING", timeout=START_TIMEOUT, seen=seen)
    states = assert_transition(seen, "CREATING", "RUNNING")
    progress = [d["createProgress"] for d in seen]
    assert progress == sorted(progress) and all(0 <= p <= 100 for p in progress), progress
    assert all(p < 100 for s, p in zip(states, progress) if s == "CREATING"), list(zip(states, progress))
    assert desc["createProgress"] == 100, desc
    assert desc["clusterId"] == cid and desc["projectId"] == creds["project_id"], desc
    assert (desc["regionId"], desc["plan"], desc["cuType"], desc["cuSize"]) == (
        "aws-us-west-2", "Standard", "Performance-optimized", 1), desc
    assert desc["clusterName"].startswith("zv2-seed-"), desc
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", desc["createTime"]), desc
    address = desc["connectAddress"]
    assert CONNECT_ADDRESS.match(address), desc

    listed = zilliz.list(page_size=100)
    assert cid in [c["clusterId"] for c in listed["clusters"]], listed
    assert (listed["currentPage"], listed["pageSize"]) == (1, 100) and listed["count"] >= 1, listed

    # The data path, with pymilvus as db_admin.
    vecs = vectors()
    with milvus(address, ADMIN_USER, password) as alias:
        schema = CollectionSchema([FieldSchema("id", DataType.INT64, is_primary=True),
                                   FieldSchema("vector", DataType.FLOAT_VECTOR, dim=DIM)])
        coll = Collection("seed_vectors", schema, consistency_level="Strong", using=alias)
        coll.insert([list(range(ROWS)), vecs])
        coll.flush()
        coll.create_index("vector", {"index_type": "FLAT", "metric_type": "L2", "params": {}})
        coll.load()
        before = search_top(coll, vecs[QUERY_ID])
        assert before[0][0] == QUERY_ID and abs(before[0][1]) < 1e-6, before
        assert stored_ids(coll) == (ROWS, list(range(ROWS)))

    # Suspend: STOPPING -> STOPPED, and Milvus is really gone.
    suspended = zilliz.suspend(cid)
    assert suspended["clusterId"] == cid and suspended["prompt"], suspended
    seen = []
    zilliz.wait_status(cid, "STOPPED", timeout=STOP_TIMEOUT, seen=seen)
    assert_transition(seen, "STOPPING", "STOPPED")
    cannot_use(address, ADMIN_USER, password, "down")

    # Resume exactly as the seed's curl: GET, bearer API key, accept: application/json, no body.
    resp = requests.get("%s/v2/clusters/%s/resume" % (strato["zilliz"], cid),
                        headers={"Authorization": "Bearer %s" % creds["api_key"], "accept": "application/json"},
                        timeout=ZILLIZ_TIMEOUT)
    assert resp.status_code == 200, (resp.status_code, resp.text)
    assert resp.headers.get("content-type", "").startswith("application/json"), resp.headers
    body = resp.json()
    assert set(body) == {"code", "data"} and body["code"] == 0, body
    assert set(body["data"]) == {"clusterId", "prompt"}, body
    assert body["data"]["clusterId"] == cid, body
    assert isinstance(body["data"]["prompt"], str) and body["data"]["prompt"].strip(), body

    # While it resumes, neither another resume nor a suspend is accepted.
    assert zilliz.describe(cid)["status"] == "RESUMING"
    zilliz.expect_code(96902, "POST", "/v2/clusters/%s/resume" % cid)
    zilliz.expect_code(96902, "POST", "/v2/clusters/%s/suspend" % cid)
    seen = []
    desc = zilliz.wait_status(cid, "RUNNING", timeout=START_TIMEOUT, seen=seen)
    assert_transition(seen, "RESUMING", "RUNNING")
    assert desc["connectAddress"] == address, desc

    # Every vector survived, and search answers as before.
    with milvus(address, ADMIN_USER, password) as alias:
        assert utility.list_collections(using=alias) == ["seed_vectors"]
        coll = Collection("seed_vectors", using=alias)
        coll.load()  # waits until the reloaded collection is queryable again
        assert stored_ids(coll) == (ROWS, list(range(ROWS)))
        after = search_top(coll, vecs[QUERY_ID])
        assert [i for i, _ in after] == [i for i, _ in before], (before, after)
        assert after == pytest.approx(before, abs=1e-5), (before, after)

    # Drop: the cluster disappears (96018), and so does its Milvus.
    dropped = zilliz.drop(cid)
    assert set(dropped) == {"clusterId", "prompt"} and dropped["clusterId"] == cid, dropped
    zilliz.wait_gone(cid, timeout=STOP_TIMEOUT)
    listed = zilliz.list(page_size=100)
    assert cid not in [c["clusterId"] for c in listed["clusters"]], listed
    cannot_use(address, ADMIN_USER, password, "down")


def test_bad_api_key_and_state_refusals(strato, zilliz, running):
    made, desc = running
    cid = made["clusterId"]

    # A wrong or missing API key: HTTP 401 with 21119 (as the real service answers), and nothing happens.
    for bad in (ZillizClient(strato, api_key="not-a-key-" + uuid.uuid4().hex), ZillizClient(strato, api_key=False)):
        try:
            bad.expect_code(21119, "GET", "/v2/clusters", status=401)
            bad.expect_code(21119, "GET", "/v2/clusters/%s/resume" % cid, status=401)
            bad.expect_code(21119, "POST", "/v2/clusters/%s/suspend" % cid, status=401)
        finally:
            bad.close()
    assert zilliz.describe(cid)["status"] == "RUNNING"

    # Resuming a RUNNING cluster is refused (96902) and changes nothing.
    zilliz.expect_code(96902, "GET", "/v2/clusters/%s/resume" % cid)
    zilliz.expect_code(96902, "POST", "/v2/clusters/%s/resume" % cid)
    time.sleep(0.5)
    assert zilliz.describe(cid)["status"] == "RUNNING"

    # Paging bounds.
    for size in ("0", "101", "-1", "abc"):
        zilliz.expect_code(96008, "GET", "/v2/clusters", params={"pageSize": size})
    for page in ("0", "-1"):
        zilliz.expect_code(96009, "GET", "/v2/clusters", params={"currentPage": page})
    page = zilliz.list(page_size=1, current_page=1)
    assert page["pageSize"] == 1 and len(page["clusters"]) == 1 and page["count"] >= 1, page
    assert set(page["clusters"][0]) >= {"clusterId", "clusterName", "status", "connectAddress", "createProgress"}
    assert page["clusters"][0]["status"] in STATUSES, page

    # Ids: malformed -> 96036, well-formed but unknown -> 96018.
    for malformed in ("in01-xyz", "not-a-cluster", cid.replace("in01-", "in02-")):
        zilliz.expect_code(96036, "GET", "/v2/clusters/%s" % malformed)
    zilliz.expect_code(96036, "POST", "/v2/clusters/in01-xyz/suspend")
    unknown = "in01-%s" % uuid.uuid4().hex
    zilliz.expect_code(96018, "GET", "/v2/clusters/%s" % unknown)
    zilliz.expect_code(96018, "GET", "/v2/clusters/%s/resume" % unknown)
    zilliz.expect_code(96018, "DELETE", "/v2/clusters/%s/drop" % unknown)
    with pytest.raises(ZillizError) as info:
        zilliz.suspend(unknown)
    assert info.value.code == 96018
    assert zilliz.describe(cid)["status"] == "RUNNING"


def test_root_default_password_does_not_work(running):
    made, desc = running
    address = desc["connectAddress"]
    cannot_use(address, "root", "Milvus", "auth")
    cannot_use(address, ADMIN_USER, made["password"] + "x", "auth")
    cannot_use(address, "", "", "auth")
    # The credentials handed out do work.
    with milvus(address, ADMIN_USER, made["password"]) as alias:
        assert utility.list_collections(using=alias) == []
