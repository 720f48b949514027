"""DWS snapshots and restore through both SDK families.

huaweicloudsdkdws (v2 DwsClient, AK/SK signed) and otcextensions (Keystone token, catalog type dwsv1) against
strato's snapshot API: POST/GET/DELETE /v1.0/{pid}/snapshots[/{id}], GET /v1.0/{pid}/clusters/{cid}/snapshots,
POST /v1.0/{pid}/snapshots/{id}/actions (restore) and DELETE /v1.0/{pid}/clusters/{id} with
keep_last_manual_snapshot. Every restore is checked against the data: a checksum over a few thousand rows taken
before the snapshot must come back in the restored cluster, on its primary and on its standbys.
"""
import time
import uuid

import pytest
import requests
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdws.v2 import (
    CreateClusterInfo,
    CreateClusterRequest,
    CreateClusterRequestBody,
    CreateSnapshotRequest,
    CreateSnapshotRequestBody,
    DeleteClusterRequest,
    DeleteClusterRequestBody,
    DeleteSnapshotRequest,
    ListClusterSnapshotsRequest,
    ListJobDetailsRequest,
    ListSnapshotDetailsRequest,
    ListSnapshotsRequest,
    PublicIp,
    Restore,
    RestoreClusterRequest,
    RestoreClusterRequestBody,
    Snapshot,
    Tags,
)
from openstack import exceptions as os_exc

from clients import detail, expect_error, make_client, make_conn, otc_wait_available, wait_available
from helpers import (
    DB_PASSWORD,
    DB_USER,
    NODE_TYPE,
    connect_db,
    query,
    table_checksum,
    unique_name,
    wait_for,
)

ROWS = 5000
TABLE = "snap_data"


# ---------------------------------------------------------------------------------------------------------------
# Data: a table of ROWS rows, a change made after the snapshot, and the checks on a restored cluster.

def fill(connect_info):
    """Create TABLE with ROWS rows on the primary at `connect_info`; return its checksum."""
    conn = connect_db(connect_info)
    try:
        assert query(conn, "select pg_is_in_recovery()") == [(False,)], \
            "endpoint %s is not the writable primary" % connect_info
        query(conn, "create table %s (id int primary key, payload text, amount numeric(12,2), day date)" % TABLE)
        query(conn, "insert into %s select g, md5(g::text), g * 1.25, date '2020-01-01' + g %% 365 "
                    "from generate_series(1, %d) g" % (TABLE, ROWS))
        query(conn, "create index %s_day on %s (day)" % (TABLE, TABLE))
        checksum = table_checksum(conn, TABLE)
    finally:
        conn.close()
    assert checksum[0] == ROWS, "%s holds %s rows after the insert, expected %d" % (TABLE, checksum[0], ROWS)
    return checksum


def change(connect_info):
    """Update, delete and insert rows after a snapshot; return the new checksum."""
    conn = connect_db(connect_info)
    try:
        query(conn, "update %s set payload = 'changed after the snapshot' where id %% 7 = 0" % TABLE)
        query(conn, "delete from %s where id > %d" % (TABLE, ROWS - 500))
        query(conn, "insert into %s values (%d, 'inserted after the snapshot', 1, current_date)" % (TABLE, ROWS * 10))
        return table_checksum(conn, TABLE)
    finally:
        conn.close()


def checksum_at(connect_info):
    conn = connect_db(connect_info)
    try:
        return table_checksum(conn, TABLE)
    finally:
        conn.close()


def assert_restored_data(connect_infos, expected, what):
    """The first endpoint is the writable primary holding `expected`; every standby converges to it."""
    primary = connect_db(connect_infos[0])
    try:
        assert query(primary, "select pg_is_in_recovery()") == [(False,)], \
            "%s: endpoints[0] (%s) is not the writable primary" % (what, connect_infos[0])
        got = table_checksum(primary, TABLE)
        assert got == expected, \
            "%s: primary %s holds (count, md5) %s, the source held %s when the snapshot was taken" \
            % (what, connect_infos[0], got, expected)
        # The restored cluster is usable, not just readable.
        query(primary, "insert into %s (id) values (%d)" % (TABLE, ROWS * 20))
        query(primary, "delete from %s where id = %d" % (TABLE, ROWS * 20))
    finally:
        primary.close()
    standbys = 0
    for info in connect_infos[1:]:
        conn = connect_db(info)
        try:
            if query(conn, "select pg_is_in_recovery()") != [(True,)]:
                continue
            standbys += 1
            wait_for(lambda: table_checksum(conn, TABLE), lambda v: v == expected,
                     "%s: standby %s to hold the restored data %s" % (what, info, expected), timeout=30, interval=0.3)
        finally:
            conn.close()
    assert standbys, "%s: no standby among endpoints %s" % (what, connect_infos[1:])


# ---------------------------------------------------------------------------------------------------------------
# huaweicloudsdkdws

@pytest.fixture(scope="module")
def hw(strato):
    return make_client(strato)


class Leftovers:
    """Clusters and snapshots a test made; deleted (best effort) when it ends, however it ends."""

    def __init__(self):
        self.clusters = []
        self.snapshots = []

    def done_with(self, kind, ident):
        getattr(self, kind).remove(ident)

    def clean(self, delete_cluster, delete_snapshot, busy):
        """Clusters first (keeping no snapshot), then snapshots. A delete refused because something still
        runs (a restore reading the snapshot, a restored cluster still CREATING) is retried for a while."""
        for delete, ids in ((delete_cluster, self.clusters), (delete_snapshot, self.snapshots)):
            for ident in ids:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        delete(ident)
                        break
                    except Exception as exc:  # noqa: BLE001 - best effort; 404 means already gone
                        if not busy(exc) or time.monotonic() > deadline:
                            break
                    time.sleep(0.5)


@pytest.fixture
def hw_leftovers(hw):
    left = Leftovers()
    yield left
    left.clean(lambda cid: hw.delete_cluster(DeleteClusterRequest(
                   cluster_id=cid, body=DeleteClusterRequestBody(keep_last_manual_snapshot=0))),
               lambda sid: hw.delete_snapshot(DeleteSnapshotRequest(snapshot_id=sid)),
               lambda exc: isinstance(exc, ClientRequestException) and exc.status_code == 409)


def hw_snapshot(hw, sid):
    return hw.list_snapshot_details(ListSnapshotDetailsRequest(snapshot_id=sid)).snapshot


def hw_create_snapshot(hw, name, cid, description):
    return hw.create_snapshot(CreateSnapshotRequest(body=CreateSnapshotRequestBody(
        snapshot=Snapshot(name=name, cluster_id=cid, description=description))))


def hw_wait_snapshot(hw, sid, what):
    return wait_for(lambda: hw_snapshot(hw, sid), lambda s: s.status == "AVAILABLE", what,
                    fail=lambda s: s.status in ("UNAVAILABLE", "DELETING"))


def hw_wait_gone(fetch, what, code):
    gone = wait_for(fetch, lambda v: isinstance(v, ClientRequestException) and v.status_code == 404,
                    what, raising=True)
    assert gone.error_code == code, "%s: 404 with error_code %s (%s), expected %s" \
        % (what, gone.error_code, gone.error_msg, code)
    return gone


def hw_cluster_snapshot_ids(hw, cid, **page):
    resp = hw.list_cluster_snapshots(ListClusterSnapshotsRequest(cluster_id=cid, **page))
    return resp, [s.id for s in resp.snapshots]


def test_snapshot_and_restore_huawei(hw, strato, hw_leftovers):
    pid = strato["credentials"]["project_id"]
    name = unique_name("sdk-hwsnap")
    created = hw.create_cluster(CreateClusterRequest(body=CreateClusterRequestBody(cluster=CreateClusterInfo(
        node_type=NODE_TYPE, number_of_node=3, subnet_id="subnet-snap-1", security_group_id="sg-snap-1",
        vpc_id="vpc-snap-1", availability_zone="eu-de-01", port=8000, name=name, user_name=DB_USER,
        user_pwd=DB_PASSWORD, public_ip=PublicIp(public_bind_type="not_use", eip_id=""), number_of_cn=3,
        enterprise_project_id="0", tags=Tags(key="suite", value="sdk-snapshots")))))
    cid = created.cluster.id
    assert cid, "create_cluster returned no id: %s" % created
    hw_leftovers.clusters.append(cid)
    source = wait_available(hw, cid, "cluster %s to become AVAILABLE after create" % name)
    source_endpoints = [ep.connect_info for ep in source.endpoints]
    before = fill(source_endpoints[0])

    # Refused before anything starts: a bad snapshot name, an unknown cluster.
    expect_error(lambda: hw_create_snapshot(hw, "1-starts-with-digit", cid, ""), 400, "DWS.5057")
    expect_error(lambda: hw_create_snapshot(hw, unique_name("sdk-hwsnap-x"), str(uuid.uuid4()), ""),
                 404, "DWS.0047")

    snap_name = unique_name("sdk-hwsnap-a")
    resp = hw_create_snapshot(hw, snap_name, cid, "before the change")
    sid = resp.snapshot.id
    assert sid, "create_snapshot returned no snapshot id: %s" % resp
    hw_leftovers.snapshots.append(sid)

    # While it runs the cluster says SNAPSHOTTING and refuses a second snapshot. The cluster is read
    # before the snapshot: the job and the snapshot status end in one transaction, so a snapshot still
    # CREATING means the cluster was busy when it was read.
    during = detail(hw, cid)
    first = hw_snapshot(hw, sid)
    if first.status == "CREATING":
        assert during.task_status == "SNAPSHOTTING", \
            "snapshot CREATING but cluster task_status=%s" % during.task_status
        progress = during.action_progress or {}
        assert set(progress) == {"SNAPSHOTTING"} and progress["SNAPSHOTTING"].endswith("%"), \
            "action_progress while snapshotting: %s" % progress
    else:
        assert first.status == "AVAILABLE", "snapshot status right after create: %s" % first.status
    try:
        extra = hw_create_snapshot(hw, unique_name("sdk-hwsnap-busy"), cid, "")
    except ClientRequestException as e:
        assert (e.status_code, e.error_code) == (409, "DWS.5090"), \
            "a second snapshot while the first runs: %s %s %s" % (e.status_code, e.error_code, e.error_msg)
    else:
        # Accepted: then the first must have been finished already. Remove the extra one again.
        hw_leftovers.snapshots.append(extra.snapshot.id)
        assert hw_snapshot(hw, sid).status != "CREATING", \
            "a second snapshot was accepted while the first was still CREATING"
        hw_wait_snapshot(hw, extra.snapshot.id, "the extra snapshot to finish")
        hw.delete_snapshot(DeleteSnapshotRequest(snapshot_id=extra.snapshot.id))
        hw_wait_gone(lambda: hw_snapshot(hw, extra.snapshot.id), "the extra snapshot to be deleted", "DWS.5149")
        hw_leftovers.done_with("snapshots", extra.snapshot.id)

    snap = hw_wait_snapshot(hw, sid, "snapshot %s to become AVAILABLE" % snap_name)
    assert (snap.id, snap.name, snap.description) == (sid, snap_name, "before the change"), "snapshot: %s" % snap
    assert snap.type == "MANUAL", "snapshot type: %s" % snap.type
    assert snap.cluster_id == cid, "snapshot cluster_id %s, expected %s" % (snap.cluster_id, cid)
    assert isinstance(snap.size, float) and snap.size > 0, "snapshot size (GB): %r" % snap.size
    assert snap.started and snap.finished and snap.finished >= snap.started, \
        "started %s finished %s" % (snap.started, snap.finished)
    assert snap.datastore is not None and snap.datastore.type == "dws", "datastore: %s" % snap.datastore
    assert snap.cluster_status == "AVAILABLE", "cluster_status in the snapshot detail: %s" % snap.cluster_status
    idle = detail(hw, cid)
    assert idle.task_status is None and not idle.action_progress, \
        "cluster after the snapshot: task_status=%s action_progress=%s" % (idle.task_status, idle.action_progress)

    # The name is now taken in this project.
    expect_error(lambda: hw_create_snapshot(hw, snap_name, cid, ""), 409, "DWS.5050")

    listed = hw.list_snapshots(ListSnapshotsRequest())
    assert listed.count == len(listed.snapshots), "count %s for %d snapshots" % (listed.count, len(listed.snapshots))
    mine = [s for s in listed.snapshots if s.id == sid]
    assert len(mine) == 1, "list_snapshots does not show %s: %s" % (sid, [(s.id, s.name) for s in listed.snapshots])
    assert (mine[0].name, mine[0].status, mine[0].cluster_id) == (snap_name, "AVAILABLE", cid), "listed: %s" % mine[0]

    per_cluster, ids = hw_cluster_snapshot_ids(hw, cid, limit=10, offset=0, sort_key="started", sort_dir="desc")
    assert ids == [sid] and per_cluster.count == 1, \
        "list_cluster_snapshots: ids %s count %s" % (ids, per_cluster.count)
    assert (per_cluster.project_id, per_cluster.cluster_id) == (pid, cid), \
        "list_cluster_snapshots project_id/cluster_id: %s %s" % (per_cluster.project_id, per_cluster.cluster_id)
    assert per_cluster.snapshots[0].size == snap.size and per_cluster.snapshots[0].type == "MANUAL"

    # Change the data, take a second snapshot: the restore below must bring back the first one's data.
    after = change(source_endpoints[0])
    assert after != before, "the change did not change the checksum (%s)" % (after,)
    snap2_name = unique_name("sdk-hwsnap-b")
    sid2 = hw_create_snapshot(hw, snap2_name, cid, "after the change").snapshot.id
    hw_leftovers.snapshots.append(sid2)
    hw_wait_snapshot(hw, sid2, "snapshot %s to become AVAILABLE" % snap2_name)

    _, ids = hw_cluster_snapshot_ids(hw, cid, limit=10, offset=0, sort_key="started", sort_dir="desc")
    assert ids == [sid2, sid], "newest first: %s, expected %s" % (ids, [sid2, sid])
    _, ids = hw_cluster_snapshot_ids(hw, cid, limit=10, offset=0, sort_key="started", sort_dir="asc")
    assert ids == [sid, sid2], "oldest first: %s, expected %s" % (ids, [sid, sid2])
    page, ids = hw_cluster_snapshot_ids(hw, cid, limit=1, offset=1, sort_key="started", sort_dir="desc")
    assert ids == [sid] and page.count == 2, "limit=1 offset=1: ids %s count %s" % (ids, page.count)
    _, ids = hw_cluster_snapshot_ids(hw, cid, limit=10, offset=0, sort_key="name", sort_dir="asc")
    by_name = [s for _, s in sorted([(snap_name, sid), (snap2_name, sid2)])]
    assert ids == by_name, "sorted by name: %s, expected %s" % (ids, by_name)

    # Restore the first snapshot into a new cluster.
    rname = unique_name("sdk-hwrest")
    restored = hw.restore_cluster(RestoreClusterRequest(snapshot_id=sid, body=RestoreClusterRequestBody(
        restore=Restore(name=rname))))
    rid = restored.cluster.id if restored.cluster else None
    assert rid and rid != cid, "restore_cluster returned cluster %s: %s" % (rid, restored)
    hw_leftovers.clusters.append(rid)
    assert restored.job_id, "restore_cluster returned no job_id: %s" % restored
    # The snapshot is read before the cluster: a cluster still CREATING means the restore job (whose end
    # and the cluster's lifecycle are one transaction) was running when the snapshot was read.
    snap_during = hw_snapshot(hw, sid)
    r0 = detail(hw, rid)
    if r0.status == "CREATING":
        assert r0.task_status == "RESTORING", "restored cluster CREATING with task_status %s" % r0.task_status
        assert set(r0.action_progress or {}) == {"RESTORING"}, "action_progress: %s" % r0.action_progress
        assert snap_during.status == "RESTORING", \
            "snapshot status while a restore reads it: %s" % snap_during.status
    else:
        assert r0.status == "AVAILABLE", "restored cluster right after restore_cluster: %s" % r0.status
    # A snapshot being read cannot be deleted. Accepted only if the restore had already ended.
    try:
        hw.delete_snapshot(DeleteSnapshotRequest(snapshot_id=sid))
        deleted_early = True
    except ClientRequestException as e:
        assert (e.status_code, e.error_code) == (409, "DWS.5090"), \
            "delete_snapshot during a restore: %s %s %s" % (e.status_code, e.error_code, e.error_msg)
        deleted_early = False
    if deleted_early:
        assert detail(hw, rid).status != "CREATING", "snapshot deleted while a restore from it was running"
    expect_error(lambda: hw.restore_cluster(RestoreClusterRequest(snapshot_id=sid, body=RestoreClusterRequestBody(
        restore=Restore(name=rname)))), 409, "DWS.5050")

    job = wait_for(lambda: hw.list_job_details(ListJobDetailsRequest(job_id=restored.job_id)),
                   lambda j: j.status in ("SUCCESS", "FAIL"), "the restore job %s to end" % restored.job_id)
    assert job.status == "SUCCESS", "restore job: %s %s" % (job.failed_code, job.failed_detail)
    assert job.progress == "100%", "finished restore job: %s" % job
    r = wait_available(hw, rid, "restored cluster %s to become AVAILABLE" % rname)
    assert r.name == rname and r.sub_status == "NORMAL", "restored cluster: %s %s" % (r.name, r.sub_status)
    assert (r.node_type, r.number_of_node, r.user_name) == (NODE_TYPE, 3, DB_USER), \
        "restored cluster node_type/number_of_node/user_name: %s %s %s" % (r.node_type, r.number_of_node, r.user_name)
    assert (r.vpc_id, r.subnet_id, r.security_group_id, r.port) == ("vpc-snap-1", "subnet-snap-1", "sg-snap-1", 8000), \
        "restored cluster network: %s %s %s %s" % (r.vpc_id, r.subnet_id, r.security_group_id, r.port)
    assert len(r.nodes) == 3 and all(n.status == "200" for n in r.nodes), "restored nodes: %s" % r.nodes
    restored_endpoints = [ep.connect_info for ep in r.endpoints]
    assert len(restored_endpoints) == 3 and not set(restored_endpoints) & set(source_endpoints), \
        "restored endpoints %s (source %s)" % (restored_endpoints, source_endpoints)
    # Same administrator and password as the source (connect_db uses DB_USER / DB_PASSWORD).
    assert_restored_data(restored_endpoints, before, "cluster %s restored from %s" % (rname, snap_name))
    assert checksum_at(source_endpoints[0]) == after, "the restore touched the source cluster's data"

    # Delete the first snapshot: 202, DELETING, then 404 DWS.5149.
    if not deleted_early:
        assert hw_snapshot(hw, sid).status == "AVAILABLE", "snapshot after the restore ended"
        resp = hw.delete_snapshot(DeleteSnapshotRequest(snapshot_id=sid))
        assert resp.status_code == 202, "delete_snapshot status %s" % resp.status_code
    try:
        state = hw_snapshot(hw, sid).status
    except ClientRequestException as e:
        state = e.status_code
    assert state in ("DELETING", 404), "snapshot right after delete_snapshot: %s" % state
    hw_wait_gone(lambda: hw_snapshot(hw, sid), "snapshot %s to be deleted" % snap_name, "DWS.5149")
    hw_leftovers.done_with("snapshots", sid)
    _, ids = hw_cluster_snapshot_ids(hw, cid, limit=10, offset=0, sort_key="started", sort_dir="desc")
    assert ids == [sid2], "cluster snapshots after deleting %s: %s" % (sid, ids)
    expect_error(lambda: hw.delete_snapshot(DeleteSnapshotRequest(snapshot_id=sid)), 404, "DWS.5149")

    # Delete both clusters keeping no snapshot: the source's second snapshot goes with it.
    for c_id in (rid, cid):
        resp = hw.delete_cluster(DeleteClusterRequest(
            cluster_id=c_id, body=DeleteClusterRequestBody(keep_last_manual_snapshot=0)))
        assert resp.status_code == 202, "delete_cluster status %s" % resp.status_code
    for c_id in (rid, cid):
        hw_wait_gone(lambda: detail(hw, c_id), "cluster %s to be deleted" % c_id, "DWS.0047")
        hw_leftovers.done_with("clusters", c_id)
    hw_wait_gone(lambda: hw_snapshot(hw, sid2),
                 "snapshot %s to go with its cluster (keep_last_manual_snapshot=0)" % snap2_name, "DWS.5149")
    hw_leftovers.done_with("snapshots", sid2)
    left = {s.id for s in hw.list_snapshots(ListSnapshotsRequest()).snapshots}
    assert not left & {sid, sid2}, "deleted snapshots still listed: %s" % (left & {sid, sid2})


def test_unknown_snapshot_huawei(hw):
    missing = str(uuid.uuid4())
    expect_error(lambda: hw_snapshot(hw, missing), 404, "DWS.5149")
    expect_error(lambda: hw.delete_snapshot(DeleteSnapshotRequest(snapshot_id=missing)), 404, "DWS.5149")
    expect_error(lambda: hw.restore_cluster(RestoreClusterRequest(
        snapshot_id=missing, body=RestoreClusterRequestBody(restore=Restore(name=unique_name("sdk-hwrest-x"))))),
        404, "DWS.5149")


# ---------------------------------------------------------------------------------------------------------------
# otcextensions (Keystone)

@pytest.fixture(scope="module")
def otc(strato):
    conn = make_conn(strato)
    yield conn
    conn.close()


@pytest.fixture
def otc_leftovers(otc):
    left = Leftovers()
    yield left
    left.clean(otc.dws.delete_cluster, otc.dws.delete_snapshot,
               lambda exc: isinstance(exc, os_exc.ConflictException))


def otc_create(otc, name):
    return otc.dws.create_cluster(
        name=name, flavor=NODE_TYPE, num_nodes=3, router_id="vpc-otcsnap-1", network_id="subnet-otcsnap-1",
        security_group_id="sg-otcsnap-1", user_name=DB_USER, user_pwd=DB_PASSWORD, port=8000,
        availability_zone="eu-de-01")


def otc_snapshot(otc, name, cid, description):
    """create_snapshot; return the new snapshot's id."""
    created = otc.dws.create_snapshot(name=name, cluster_id=cid, description=description)
    assert created.id, "create_snapshot returned no id: %s" % created
    return created.id


def otc_wait_snapshot(otc, sid, what):
    return wait_for(lambda: otc.dws.get_snapshot(sid), lambda s: s.status == "AVAILABLE", what,
                    fail=lambda s: s.status in ("UNAVAILABLE", "DELETING"))


def otc_wait_gone(fetch, what, code):
    gone = wait_for(fetch, lambda v: isinstance(v, os_exc.NotFoundException), what, raising=True)
    assert code in str(gone), "%s: NotFoundException without %s: %s" % (what, code, gone)
    return gone


def test_snapshot_and_restore_otc(otc, otc_leftovers):
    name = unique_name("sdk-otcsnap")
    cid = otc_create(otc, name).id
    assert cid, "create_cluster returned no id"
    otc_leftovers.clusters.append(cid)
    source = otc_wait_available(otc, cid, "cluster %s to become AVAILABLE after create" % name)
    before = fill(source.private_domain[0])

    snap_name = unique_name("sdk-otcsnap-a")
    sid = otc_snapshot(otc, snap_name, cid, "otc snapshot")
    otc_leftovers.snapshots.append(sid)
    listed = {s.id: s for s in otc.dws.snapshots()}
    assert sid in listed, "snapshots() does not list %s: %s" % (sid, sorted(listed))
    assert listed[sid].name == snap_name and listed[sid].cluster_id == cid, "listed: %s" % listed[sid]

    snap = otc_wait_snapshot(otc, sid, "snapshot %s to become AVAILABLE" % snap_name)
    assert (snap.name, snap.description, snap.cluster_id) == (snap_name, "otc snapshot", cid), "snapshot: %s" % snap
    assert snap.type == "MANUAL" and snap.size > 0, "type %s size %s" % (snap.type, snap.size)
    assert snap.created_at and snap.updated_at, "started %s finished %s" % (snap.created_at, snap.updated_at)
    found = otc.dws.find_snapshot(snap_name)
    assert found is not None and found.id == sid, "find_snapshot(%r) gave %s" % (snap_name, found)
    with pytest.raises(os_exc.ConflictException, match="DWS.5050"):
        otc.dws.create_snapshot(name=snap_name, cluster_id=cid, description="")

    after = change(source.private_domain[0])
    assert after != before, "the change did not change the checksum"

    rname = unique_name("sdk-otcrest")
    restored = otc.dws.restore_snapshot(sid, name=rname, network_id="subnet-otcsnap-2")
    rid = getattr(restored, "id", None)
    assert rid and rid != cid, "restore_snapshot returned %r" % (restored,)
    otc_leftovers.clusters.append(rid)
    r = otc_wait_available(otc, rid, "restored cluster %s to become AVAILABLE" % rname)
    assert r.name == rname and r.num_nodes == 3 and r.flavor == NODE_TYPE and r.user_name == DB_USER, \
        "restored cluster: name %s nodes %s flavor %s user %s" % (r.name, r.num_nodes, r.flavor, r.user_name)
    assert r.network_id == "subnet-otcsnap-2" and r.router_id == "vpc-otcsnap-1", \
        "restored network: subnet %s (asked subnet-otcsnap-2), vpc %s (source's vpc-otcsnap-1)" \
        % (r.network_id, r.router_id)
    assert_restored_data(r.private_domain, before, "cluster %s restored from %s" % (rname, snap_name))

    otc.dws.delete_snapshot(sid)
    otc_wait_gone(lambda: otc.dws.get_snapshot(sid), "snapshot %s to be deleted" % snap_name, "DWS.5149")
    otc_leftovers.done_with("snapshots", sid)
    assert otc.dws.find_snapshot(snap_name, ignore_missing=True) is None, "find_snapshot finds a deleted snapshot"
    assert sid not in [s.id for s in otc.dws.snapshots()], "deleted snapshot still listed"

    for c_id in (rid, cid):
        otc.dws.delete_cluster(c_id)
    for c_id in (rid, cid):
        otc_wait_gone(lambda: otc.dws.get_cluster(c_id), "cluster %s to be deleted" % c_id, "DWS.0047")
        otc_leftovers.done_with("clusters", c_id)


def test_keep_last_manual_snapshot_otc(otc, strato, otc_leftovers):
    """Delete a cluster keeping its newest manual snapshot; restore that one after the cluster is gone.

    otcextensions 0.34.8 cannot ask for this: Proxy.delete_cluster(cluster, keep_last_manual_snapshot=N) hands
    N to Proxy._get_resource (it becomes an attribute of the Cluster object) and openstacksdk then calls
    Cluster.delete(session, params=None), whose own keep_last_manual_snapshot defaults to 0, so the body is
    always {"keep_last_manual_snapshot": 0}. The DELETE is therefore sent with requests and the Keystone token
    of the same connection.
    """
    name = unique_name("sdk-otckeep")
    cid = otc_create(otc, name).id
    otc_leftovers.clusters.append(cid)
    source = otc_wait_available(otc, cid, "cluster %s to become AVAILABLE after create" % name)
    primary = source.private_domain[0]
    db = connect_db(primary)
    try:
        query(db, "create table %s (id int primary key, payload text)" % TABLE)
        query(db, "insert into %s select g, md5(g::text) from generate_series(1, %d) g" % (TABLE, ROWS))
    finally:
        db.close()

    older_name, newer_name = unique_name("sdk-otckeep-a"), unique_name("sdk-otckeep-b")
    older = otc_snapshot(otc, older_name, cid, "older")
    otc_leftovers.snapshots.append(older)
    otc_wait_snapshot(otc, older, "snapshot %s to become AVAILABLE" % older_name)
    db = connect_db(primary)
    try:
        query(db, "insert into %s values (%d, 'only in the newer snapshot')" % (TABLE, ROWS + 1))
        newest_data = table_checksum(db, TABLE)
    finally:
        db.close()
    newer = otc_snapshot(otc, newer_name, cid, "newer")
    otc_leftovers.snapshots.append(newer)
    otc_wait_snapshot(otc, newer, "snapshot %s to become AVAILABLE" % newer_name)

    url = "%s/clusters/%s" % (otc.endpoint_for("dwsv1"), cid)
    resp = requests.delete(url, json={"keep_last_manual_snapshot": 1},
                           headers={"X-Auth-Token": otc.auth_token, "Accept": "application/json"},
                           timeout=(5, 60))
    assert resp.status_code == 202, "DELETE %s keep_last_manual_snapshot=1: %s %s" % (url, resp.status_code, resp.text)
    otc_wait_gone(lambda: otc.dws.get_cluster(cid), "cluster %s to be deleted" % name, "DWS.0047")
    otc_leftovers.done_with("clusters", cid)

    otc_wait_gone(lambda: otc.dws.get_snapshot(older),
                  "the older snapshot %s to be retired with its cluster" % older_name, "DWS.5149")
    otc_leftovers.done_with("snapshots", older)
    kept = otc.dws.get_snapshot(newer)
    assert (kept.status, kept.cluster_id) == ("AVAILABLE", cid), \
        "the newest snapshot after its cluster was deleted: status %s cluster_id %s" % (kept.status, kept.cluster_id)
    listed = {s.id for s in otc.dws.snapshots()}
    assert newer in listed and older not in listed, \
        "snapshots() after delete with keep 1: newer listed %s, older listed %s" % (newer in listed, older in listed)

    # The surviving snapshot restores although its cluster is gone.
    rname = unique_name("sdk-otckeep-r")
    rid = otc.dws.restore_snapshot(newer, name=rname).id
    assert rid, "restore_snapshot returned no cluster id"
    otc_leftovers.clusters.append(rid)
    r = otc_wait_available(otc, rid, "cluster %s restored from %s to become AVAILABLE" % (rname, newer_name))
    assert_restored_data(r.private_domain, newest_data, "cluster %s restored from %s" % (rname, newer_name))

    otc.dws.delete_snapshot(newer)
    otc_wait_gone(lambda: otc.dws.get_snapshot(newer), "snapshot %s to be deleted" % newer_name, "DWS.5149")
    otc_leftovers.done_with("snapshots", newer)
    otc.dws.delete_cluster(rid)
    otc_wait_gone(lambda: otc.dws.get_cluster(rid), "cluster %s to be deleted" % rname, "DWS.0047")
    otc_leftovers.done_with("clusters", rid)
