"""otcextensions + openstacksdk (Keystone password token, catalog type dwsv1) against strato."""
from keystoneauth1 import exceptions as ks_exc
import pytest
from openstack import exceptions as os_exc

from clients import make_conn, otc_wait_available
from helpers import (
    DB_PASSWORD,
    DB_USER,
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
    created = conn.dws.create_cluster(
        name=name, flavor=NODE_TYPE, num_nodes=3, router_id="vpc-otc-1", network_id="subnet-otc-1",
        security_group_id="sg-otc-1", user_name=DB_USER, user_pwd=DB_PASSWORD, port=8000,
        availability_zone="eu-de-01", tags=[{"key": "suite", "value": "sdk-otc"}])
    cid = created.id
    assert cid, "create_cluster returned no id: %s" % created
    cleanup.append(cid)

    with pytest.raises(os_exc.ConflictException, match="DWS.5050"):
        conn.dws.create_cluster(
            name=name, flavor=NODE_TYPE, num_nodes=3, router_id="vpc-otc-1", network_id="subnet-otc-1",
            security_group_id="sg-otc-1", user_name=DB_USER, user_pwd=DB_PASSWORD, port=8000,
            availability_zone="eu-de-01")

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

    conn.dws.delete_cluster(cid)
    gone = wait_for(lambda: conn.dws.get_cluster(cid), lambda v: isinstance(v, os_exc.NotFoundException),
                    "cluster %s to be deleted (NotFoundException)" % name, raising=True)
    assert "DWS.0047" in str(gone), "404 message: %s" % gone
    assert conn.dws.find_cluster(name, ignore_missing=True) is None
    assert cid not in [x.id for x in conn.dws.clusters()], "deleted cluster still listed"
    cleanup.remove(cid)
