"""otcextensions + openstacksdk (Keystone password token, catalog type dwsv1) against strato."""
from keystoneauth1 import exceptions as ks_exc
import psycopg2
import pytest
from openstack import exceptions as os_exc

from clients import make_conn, otc_wait_available
from helpers import (
    DB_PASSWORD,
    DB_USER,
    MAX_WAIT,
    NODE_TYPE,
    NODE_TYPES,
    connect_db,
    query,
    unique_name,
    wait_for,
)


@pytest.fixture(scope="module")
def conn(strato):
    c = make_conn(strato)
    yield c
    c.close()


@pytest.fixture
def cleanup(conn):
    """Cluster ids to delete (best effort) if a test leaves them behind."""
    ids = []
    yield ids
    for cid in ids:
        try:
            conn.dws.delete_cluster(cid)
        except os_exc.SDKException:
            pass


def create(conn, name, **overrides):
    attrs = dict(name=name, flavor=NODE_TYPE, num_nodes=3, router_id="vpc-otc-1", network_id="subnet-otc-1",
                 security_group_id="sg-otc-1", user_name=DB_USER, user_pwd=DB_PASSWORD, port=8000,
                 availability_zone="eu-de-01")
    attrs.update(overrides)
    return conn.dws.create_cluster(**attrs)


def wait_stable(conn, cid):
    """otcextensions' own wait (wait_for_cluster), polled fast and bounded by MAX_WAIT."""
    assert conn.dws.wait_for_cluster(cid, interval=0.2, wait=MAX_WAIT) is True


def when_idle(fn, what):
    """fn()'s result once the cluster takes a task: retried while it answers 409 DWS.5090 (a job still runs, e.g. a
    password reset, which shows no task_status), any other error ends the wait."""
    def busy(v):
        return isinstance(v, os_exc.ConflictException) and "DWS.5090" in str(v)

    return wait_for(fn, lambda v: not isinstance(v, Exception), what, raising=True,
                    fail=lambda v: isinstance(v, Exception) and not busy(v))


def delete_and_wait(conn, cid, what):
    """delete_cluster, then get_cluster until NotFoundException; return that exception."""
    conn.dws.delete_cluster(cid)
    return wait_for(lambda: conn.dws.get_cluster(cid), lambda v: isinstance(v, os_exc.NotFoundException),
                    "%s to be deleted (NotFoundException)" % what, raising=True)


def test_token_and_catalog(conn, strato):
    cr = strato["credentials"]
    assert conn.current_project_id == cr["project_id"], \
        "token project %s, endpoints.json %s" % (conn.current_project_id, cr["project_id"])
    url = conn.endpoint_for("dwsv1")
    assert url == "%s/v1.0/%s" % (strato["dws"], cr["project_id"]), "dwsv1 catalog url: %s" % url


def test_wrong_password_is_rejected(strato):
    # register_otc_extensions authenticates at once; openstacksdk wraps keystoneauth's Unauthorized
    # (HTTP 401) in an SDKException.
    with pytest.raises(os_exc.SDKException) as info:
        make_conn(strato, password="not-the-password-1A!").authorize()
    cause = info.value.__cause__ or info.value.__context__
    assert isinstance(cause, ks_exc.Unauthorized) and cause.http_status == 401, \
        "wrong password gave %r (cause %r)" % (info.value, cause)


def test_flavors(conn):
    flavors = list(conn.dws.flavors())
    names = {f.spec_name for f in flavors}
    assert names == NODE_TYPES, "flavors: %s" % sorted(names)
    for f in flavors:
        assert f.id and f.detail, "flavor without id/detail: %s" % f


def test_cluster_lifecycle(conn, cleanup):
    name = unique_name("sdk-otc")
    created = create(conn, name, tags=[{"key": "suite", "value": "sdk-otc"}])
    cid = created.id
    assert cid, "create_cluster returned no id: %s" % created
    cleanup.append(cid)

    with pytest.raises(os_exc.ConflictException, match="DWS.5050"):
        create(conn, name)

    c = otc_wait_available(conn, cid, "cluster %s to become AVAILABLE after create" % name)
    assert c.name == name and c.sub_status == "NORMAL"
    assert c.num_nodes == 3 and c.flavor == NODE_TYPE and c.port == 8000
    assert c.router_id == "vpc-otc-1" and c.network_id == "subnet-otc-1" and c.security_group_id == "sg-otc-1"
    assert c.tags == [{"key": "suite", "value": "sdk-otc"}], "tags: %s" % c.tags
    assert len(c.private_domain) == 3, "private_domain (from endpoints): %s" % c.private_domain
    assert c.public_domain == [], "no floating ip was asked for, public_domain: %s" % c.public_domain
    db = connect_db(c.private_domain[0])
    try:
        assert query(db, "select current_user, current_database()") == [(DB_USER, "gaussdb")]
    finally:
        db.close()

    listed = {x.id: x for x in conn.dws.clusters()}
    assert cid in listed, "clusters() does not list %s: %s" % (cid, sorted(listed))
    assert listed[cid].name == name and listed[cid].status == "AVAILABLE"

    found = conn.dws.find_cluster(name)
    assert found is not None and found.id == cid, "find_cluster(%r) gave %s" % (name, found)
    assert conn.dws.find_cluster(cid).name == name

    conn.dws.restart_cluster(cid)
    during = conn.dws.get_cluster(cid)
    assert during.task_status == "REBOOTING", "task_status right after restart: %s" % during.task_status
    with pytest.raises(os_exc.ConflictException, match="DWS.5090"):
        conn.dws.restart_cluster(cid)
    c = otc_wait_available(conn, cid, "cluster %s to finish restarting" % name)
    assert c.sub_status == "NORMAL" and all(n["status"] == "200" for n in c.nodes), "after restart: %s" % c.nodes

    gone = delete_and_wait(conn, cid, "cluster %s" % name)
    assert "DWS.0047" in str(gone), "404 message: %s" % gone
    assert conn.dws.find_cluster(name, ignore_missing=True) is None
    assert cid not in [x.id for x in conn.dws.clusters()], "deleted cluster still listed"
    cleanup.remove(cid)


def test_scale_out_reset_password_and_restart(conn, cleanup):
    """scale_out_cluster + wait_for_cluster_scale_out (a real standby cloned with the data), reset_password (the new
    password works in PostgreSQL, the old one is refused), restart_cluster + wait_for_cluster (all of it kept)."""
    name = unique_name("sdk-otcx")
    cid = create(conn, name).id
    cleanup.append(cid)
    c = otc_wait_available(conn, cid, "cluster %s to become AVAILABLE after create" % name)
    before = list(c.private_domain)
    rows = [(1, "one"), (2, "two")]
    db = connect_db(before[0])
    try:
        assert query(db, "select pg_is_in_recovery()") == [(False,)], "private_domain[0] is not the primary"
        query(db, "create table kept (id int primary key, v text)")
        query(db, "insert into kept values (1, 'one'), (2, 'two')")
    finally:
        db.close()

    # Scale out by one: GROWING while the standby is cloned, then 4 nodes, the new one streaming with the data.
    conn.dws.scale_out_cluster(cid, 1)
    during = conn.dws.get_cluster(cid)
    assert during.task_status == "GROWING", "task_status right after scale_out: %s" % during.task_status
    assert set(during.action_progress or {}) == {"GROWING"}, "action_progress: %s" % during.action_progress
    conn.dws.wait_for_cluster_scale_out(cid, interval=0.2, wait=MAX_WAIT)
    c = conn.dws.get_cluster(cid)
    assert (c.status, c.sub_status, c.task_status) == ("AVAILABLE", "NORMAL", None), c
    assert c.num_nodes == 4 and len(c.nodes) == 4 and all(n["status"] == "200" for n in c.nodes), c.nodes
    added = [d for d in c.private_domain if d not in before]
    assert len(added) == 1 and set(before) <= set(c.private_domain), \
        "private_domain %s before, %s after" % (before, c.private_domain)
    db = connect_db(added[0])
    try:
        assert query(db, "select pg_is_in_recovery()") == [(True,)], "new node %s is not a standby" % added[0]
        assert query(db, "select id, v from kept order by id") == rows, "the new standby lacks the data"
    finally:
        db.close()

    # reset_password: a weak one is refused; the new one works on every node, the old one no longer does.
    new = "Otc-Reset-Passw0rd!"
    with pytest.raises(os_exc.BadRequestException, match="DWS.5013"):
        conn.dws.reset_password(cid, "weak")
    conn.dws.reset_password(cid, new)
    wait_for(lambda: connect_db(before[0], password=new).close(), lambda v: True,
             "the new password to work on %s" % before[0])
    for where in c.private_domain:
        wait_for(lambda: connect_db(where, password=new).close(), lambda v: True,
                 "the new password to reach %s" % where, timeout=30)
        with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
            connect_db(where).close()

    # restart_cluster + wait_for_cluster: REBOOTING, then stable, with the nodes, the data and the new password.
    when_idle(lambda: conn.dws.restart_cluster(cid), "cluster %s to accept a restart after the reset" % name)
    during = conn.dws.get_cluster(cid)
    assert during.task_status == "REBOOTING", "task_status right after restart: %s" % during.task_status
    wait_stable(conn, cid)
    c = conn.dws.get_cluster(cid)
    assert c.num_nodes == 4 and all(n["status"] == "200" for n in c.nodes), "after restart: %s" % c.nodes
    for where in c.private_domain:
        db = connect_db(where, password=new)
        try:
            assert query(db, "select id, v from kept order by id") == rows, "data lost on %s" % where
        finally:
            db.close()
        with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
            connect_db(where).close()

    delete_and_wait(conn, cid, "cluster %s" % name)
    cleanup.remove(cid)


def test_cluster_tags(conn, cleanup):
    """The tag calls as otcextensions sends them, as OTC DWS documents them: POST .../tags/action {"action": "create"
    | "delete", "tags": [...]} (204), POST .../tags {"tag": {...}} (204), DELETE .../tags/{key} (204, 404 for a key
    the cluster lacks), GET .../tags; a refused tag changes nothing."""
    name = unique_name("sdk-otctag")
    cid = create(conn, name, tags=[{"key": "suite", "value": "sdk-otc"}, {"key": "stage", "value": "test"}]).id
    cleanup.append(cid)
    otc_wait_available(conn, cid, "cluster %s to become AVAILABLE after create" % name)

    def tags():
        listed = list(conn.dws.cluster_tags(cid))
        assert all(t.cluster_id == cid for t in listed), listed
        return [(t.key, t.value) for t in listed]

    assert tags() == [("suite", "sdk-otc"), ("stage", "test")]

    # otcextensions returns the tags it sent only on a 204 (an empty list on any other 2xx).
    got = conn.dws.batch_create_cluster_tags(cid, [{"key": "env", "value": "dev"}, {"key": "team", "value": "a"}])
    assert [(t.key, t.value) for t in got] == [("env", "dev"), ("team", "a")], "returned %s" % got
    assert {("env", "dev"), ("team", "a")} <= set(tags()), tags()
    with pytest.raises(os_exc.BadRequestException):
        conn.dws.batch_create_cluster_tags(cid, [{"key": "bad=key", "value": "v"}])
    assert "bad=key" not in dict(tags())

    got = conn.dws.batch_delete_cluster_tags(cid, [{"key": "stage", "value": "test"}])
    assert [(t.key, t.value) for t in got] == [("stage", "test")], "returned %s" % got
    assert "stage" not in dict(tags()), tags()

    got = conn.dws.create_cluster_tag(cid, {"key": "owner", "value": "ops"})
    assert (got.key, got.value) == ("owner", "ops"), got
    assert ("owner", "ops") in tags(), tags()

    # ignore_missing=False first: the default (True) would take a 404 for success.
    assert conn.dws.delete_cluster_tag(cid, "suite", ignore_missing=False).id == "suite"
    assert "suite" not in dict(tags()), tags()
    with pytest.raises(os_exc.NotFoundException):
        conn.dws.delete_cluster_tag(cid, "suite", ignore_missing=False)
    assert conn.dws.delete_cluster_tag(cid, "suite") is None, "a missing tag is a 404, ignored by default"

    delete_and_wait(conn, cid, "cluster %s" % name)
    cleanup.remove(cid)
