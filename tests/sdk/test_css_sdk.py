"""Huawei Cloud Search Service (CSS) against strato's CSS listener: huaweicloudsdkcss (v1 CssClient, AK/SK signed)
and otcextensions/openstacksdk (Keystone token, catalog type css; openstacksdk 4.21.0 for css.get_cluster).

The seed is the v1 restart (POST /v1.0/{project_id}/clusters/{cluster_id}/restart, no body, answering
{"jobId": ["..."]}; 400 / 404 on a bad request / an unknown cluster). Search clusters run on the osmem-server
stand-in: every member is an independent in-memory OpenSearch server, so data is checked per member and not
across a restart.
"""
import re
import uuid

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcss.v1 import (
    CreateClusterBody,
    CreateClusterDatastoreBody,
    CreateClusterInstanceBody,
    CreateClusterInstanceNicsBody,
    CreateClusterInstanceVolumeBody,
    CreateClusterReq,
    CreateClusterRequest,
    DeleteClusterRequest,
    ListClustersDetailsRequest,
    ListFlavorsRequest,
    RestartClusterRequest,
)
from openstack import exceptions as os_exc

from clients import (
    CSS_WAIT,
    css_detail,
    css_members,
    css_wait_ready,
    expect_error,
    index_and_search,
    make_conn,
    make_css_client,
    member_answers,
)
from helpers import unique_name, wait_for

FLAVOR = "ess.spec-4u8g"
CSS_CODE = re.compile(r"^CSS\.\d{4}$")


@pytest.fixture(scope="module")
def client(strato):
    return make_css_client(strato)


@pytest.fixture
def cleanup(client):
    """Cluster ids to delete (best effort) if a test leaves them behind."""
    ids = []
    yield ids
    for cid in ids:
        try:
            client.delete_cluster(DeleteClusterRequest(cluster_id=cid))
        except ClientRequestException:
            pass


def create(client, name, instance_num=2, datastore=("elasticsearch", "7.10.2")):
    return client.create_cluster(CreateClusterRequest(body=CreateClusterReq(cluster=CreateClusterBody(
        instance=CreateClusterInstanceBody(
            flavor_ref=FLAVOR,
            volume=CreateClusterInstanceVolumeBody(volume_type="COMMON", size=40),
            nics=CreateClusterInstanceNicsBody(vpc_id="vpc-css-1", net_id="net-css-1", security_group_id="sg-css-1"),
            availability_zone="eu-de-01"),
        datastore=CreateClusterDatastoreBody(type=datastore[0], version=datastore[1]),
        name=name, instance_num=instance_num))))


def expect_css_error(fn, status):
    """fn() must fail with this HTTP status and a CSS.xxxx error_code with an error_msg."""
    with pytest.raises(ClientRequestException) as info:
        fn()
    e = info.value
    assert e.status_code == status and CSS_CODE.match(e.error_code or ""), \
        "expected HTTP %s CSS.xxxx, got %s %s: %s" % (status, e.status_code, e.error_code, e.error_msg)
    assert e.error_msg, "error without error_msg: %r" % (e,)
    return e


def test_flavors(client):
    versions = client.list_flavors(ListFlavorsRequest()).versions
    es = [v for v in versions if v.type == "ess" and v.version == "7.10.2"]
    assert es, "no ess 7.10.2 in es-flavors: %s" % [(v.type, v.version) for v in versions]
    assert FLAVOR in {f.name for f in es[0].flavors}, "es-flavors 7.10.2: %s" % [f.name for f in es[0].flavors]


def test_wrong_secret_is_rejected(strato):
    bad = make_css_client(strato, secret_key="not-the-secret-key-0000000000000000000000")
    expect_css_error(lambda: bad.list_clusters_details(ListClustersDetailsRequest()), 401)


def test_cluster_lifecycle_and_restart(client, search_engine, cleanup):
    name = unique_name("css-hw")
    created = create(client, name)
    cid = created.cluster.id
    assert cid and created.cluster.name == name, "create_cluster answered %s" % created
    cleanup.append(cid)

    d = css_wait_ready(client, cid, "CSS cluster %s to be ready after create" % name)
    assert d.id == cid and d.name == name
    assert (d.datastore.type, d.datastore.version) == ("elasticsearch", "7.10.2"), "datastore: %s" % d.datastore
    assert len(d.instances) == 2, "instances: %s" % d.instances
    assert {i.spec_code for i in d.instances} == {FLAVOR}, "instances: %s" % d.instances
    members = css_members(d)
    assert len(members) == 2, "endpoint: %r" % d.endpoint
    assert {m.rpartition(":")[0] for m in members} == {i.ip for i in d.instances}, \
        "endpoint %r vs instance ips %s" % (d.endpoint, [i.ip for i in d.instances])

    # The data path: every member is its own OpenSearch server.
    for n, member in enumerate(members):
        ids, sources = index_and_search(member, "sdk-css", "doc-%d" % n, {"title": "strato css %s" % n},
                                        "title:strato")
        assert ids == ["doc-%d" % n], "member %s search hits: %s %s" % (member, ids, sources)

    # Seed 001: restart takes no body and answers {"jobId": ["..."]}.
    resp = client.restart_cluster(RestartClusterRequest(cluster_id=cid))
    assert resp.status_code == 200
    body = resp.to_json_object()
    assert isinstance(body, dict) and set(body) == {"jobId"}, "restart answered %r" % body
    assert isinstance(body["jobId"], list) and len(body["jobId"]) == 1, "restart answered %r" % body
    assert isinstance(body["jobId"][0], str) and body["jobId"][0], "restart answered %r" % body

    # A restart while one runs is refused (400 CSS.0011), and so is one of an unknown cluster (404).
    seen = []
    busy = css_detail(client, cid)
    seen.append((busy.status, tuple(busy.actions or [])))
    expect_error(lambda: client.restart_cluster(RestartClusterRequest(cluster_id=cid)), 400, "CSS.0011")
    expect_css_error(lambda: client.restart_cluster(RestartClusterRequest(cluster_id=str(uuid.uuid4()))), 404)

    d = css_wait_ready(client, cid, "CSS cluster %s to be ready after restart" % name, seen=seen, interval=0.05)
    assert ("100", ("REBOOTING",)) in seen, "restart never showed status 100 REBOOTING: %s" % seen
    assert set(seen) <= {("100", ("REBOOTING",)), ("200", ())}, "states during restart: %s" % seen
    assert css_members(d) == members, "members moved on restart: %r -> %r" % (members, d.endpoint)
    for member in members:
        assert member_answers(member), "member %s does not answer after the restart" % member

    listed = client.list_clusters_details(ListClustersDetailsRequest())
    assert listed.total_size == len(listed.clusters) >= 1, "list: totalSize %s, %d clusters" % (
        listed.total_size, len(listed.clusters))
    mine = [c for c in listed.clusters if c.id == cid]
    assert len(mine) == 1 and mine[0].name == name and mine[0].status == "200", "list: %s" % listed.clusters
    only_es = client.list_clusters_details(ListClustersDetailsRequest(datastore_type="elasticsearch"))
    assert cid in {c.id for c in only_es.clusters}
    assert all(c.datastore.type == "elasticsearch" for c in only_es.clusters)

    client.delete_cluster(DeleteClusterRequest(cluster_id=cid))
    gone = wait_for(lambda: css_detail(client, cid),
                    lambda v: isinstance(v, ClientRequestException) and v.status_code == 404,
                    "CSS cluster %s to be gone (404)" % name, timeout=CSS_WAIT, interval=0.1, raising=True)
    assert CSS_CODE.match(gone.error_code or ""), "404 error_code %r" % gone.error_code
    assert cid not in {c.id for c in client.list_clusters_details(ListClustersDetailsRequest()).clusters}
    expect_css_error(lambda: client.restart_cluster(RestartClusterRequest(cluster_id=cid)), 404)
    for member in members:  # the members were stopped
        wait_for(lambda: member_answers(member), lambda up: not up, "member %s to stop" % member, timeout=15)


def test_scale_out_disk_and_scale_in_through_the_sdk(client, search_engine, cleanup):
    """update_extend_cluster / update_extend_instance_storage / update_shrink_cluster: real members added, disks
    grown (every member restarted), members retired; the provider's ready check after each; refusals are CSS.0001."""
    from huaweicloudsdkcss.v1 import (ExtendClusterGrowReq, ExtendClusterReq, RoleExtendGrowReq, RoleExtendReq,
                                      ShrinkClusterReq, ShrinkNodeReq, UpdateExtendClusterRequest,
                                      UpdateExtendInstanceStorageRequest, UpdateShrinkClusterRequest)
    name = unique_name("css-scale")
    cid = create(client, name).cluster.id
    cleanup.append(cid)
    css_wait_ready(client, cid, "CSS cluster %s to be ready after create" % name)

    client.update_extend_cluster(UpdateExtendClusterRequest(cluster_id=cid, body=ExtendClusterReq(
        grow=ExtendClusterGrowReq(modify_size=1))))
    d = css_wait_ready(client, cid, "3 members")
    assert len(d.instances) == 3 and len(css_members(d)) == 3, d.instances
    expect_error(lambda: client.update_extend_instance_storage(UpdateExtendInstanceStorageRequest(cluster_id=cid, body=RoleExtendReq(
        grow=[RoleExtendGrowReq(type="ess-cold", nodesize=1, disksize=0)]))), 400, "CSS.0001")
    client.update_extend_instance_storage(UpdateExtendInstanceStorageRequest(cluster_id=cid, body=RoleExtendReq(
        grow=[RoleExtendGrowReq(type="ess", nodesize=0, disksize=40)])))
    d = wait_for(lambda: css_detail(client, cid), lambda d: d.status == "200" and not d.actions
                 and all(i.volume.size == 80 and i.status == "200" for i in d.instances), "disks of 80 GB", timeout=CSS_WAIT)
    for member in css_members(d):
        assert member_answers(member), "member %s does not answer after its disk grew" % member
    expect_error(lambda: client.update_shrink_cluster(UpdateShrinkClusterRequest(cluster_id=cid, body=ShrinkClusterReq(
        shrink=[ShrinkNodeReq(type="ess", reduced_node_num=2)]))), 400, "CSS.0001")
    client.update_shrink_cluster(UpdateShrinkClusterRequest(cluster_id=cid, body=ShrinkClusterReq(
        shrink=[ShrinkNodeReq(type="ess", reduced_node_num=1)])))
    d = wait_for(lambda: css_detail(client, cid), lambda d: d.status == "200" and not d.actions and len(d.instances) == 2,
                 "2 members", timeout=CSS_WAIT)
    assert len(css_members(d)) == 2
    client.delete_cluster(DeleteClusterRequest(cluster_id=cid))
    cleanup.remove(cid)


def test_flavor_change_through_the_sdk(client, search_engine, cleanup):
    """update_flavor_by_type with the flavor_id es-flavors lists (the SDK's snake_case body): every member
    restarted as the new flavor; the provider's ready check after it; an unknown flavor is CSS.0001."""
    from huaweicloudsdkcss.v1 import ListFlavorsRequest, UpdateFlavorByTypeReq, UpdateFlavorByTypeRequest
    name = unique_name("css-flavor")
    cid = create(client, name).cluster.id
    cleanup.append(cid)
    css_wait_ready(client, cid, "CSS cluster %s to be ready after create" % name)
    versions = client.list_flavors(ListFlavorsRequest()).versions
    ess = [v for v in versions if v.type == "ess" and v.version == "7.10.2"][0]
    new_id = [f.flavor_id for f in ess.flavors if f.name == "ess.spec-8u16g"][0]
    expect_error(lambda: client.update_flavor_by_type(UpdateFlavorByTypeRequest(cluster_id=cid, types="ess", body=UpdateFlavorByTypeReq(
        new_flavor_id=str(uuid.uuid4()), need_check_replica=True))), 400, "CSS.0001")
    client.update_flavor_by_type(UpdateFlavorByTypeRequest(cluster_id=cid, types="ess", body=UpdateFlavorByTypeReq(
        new_flavor_id=new_id, need_check_replica=True)))
    d = wait_for(lambda: css_detail(client, cid), lambda d: d.status == "200" and not d.actions
                 and all(i.spec_code == "ess.spec-8u16g" and i.status == "200" for i in d.instances), "the new flavor",
                 timeout=CSS_WAIT)
    for member in css_members(d):
        assert member_answers(member), "member %s does not answer after its flavor changed" % member
    client.delete_cluster(DeleteClusterRequest(cluster_id=cid))
    cleanup.remove(cid)


# ---------------------------------------------------------------------------------------------------------------
# otcextensions (Keystone token)

@pytest.fixture(scope="module")
def conn(strato):
    c = make_conn(strato)
    yield c
    c.close()


def otc_ready(c):
    """Cluster.status is STATUS_MAP'd by otcextensions ("200" -> AVAILABLE); status_code keeps the raw value."""
    return (c.status == "AVAILABLE" and str(c.status_code) == "200" and not c.actions and bool(c.nodes)
            and all(n.status == "200" for n in c.nodes))


def test_otc_css_catalog(conn, strato):
    url = conn.endpoint_for("css")
    assert url == "%s/v1.0/%s" % (strato["css"], strato["credentials"]["project_id"]), "css catalog url: %s" % url


def test_otc_css_lifecycle(conn, search_engine):
    name = unique_name("css-otc")
    created = conn.css.create_cluster(
        name=name, instance_num=1, datastore={"type": "opensearch", "version": "2.11.0"},
        instance={"flavorRef": FLAVOR, "volume": {"volume_type": "COMMON", "size": 40},
                  "nics": {"vpcId": "vpc-otc", "netId": "net-otc", "securityGroupId": "sg-otc"}})
    cid = created.id
    assert cid, "create_cluster returned no id: %s" % created
    try:
        c = wait_for(lambda: conn.css.get_cluster(cid), otc_ready, "OTC CSS cluster %s to be ready" % name,
                     timeout=CSS_WAIT, interval=0.1)
        assert c.name == name and (c.datastore.type, c.datastore.version) == ("opensearch", "2.11.0")
        assert len(c.nodes) == 1 and len(c.endpoints) == 1, "nodes %s endpoints %s" % (c.nodes, c.endpoints)
        assert c.endpoints[0].rpartition(":")[0] == c.nodes[0].ip, "endpoints %s nodes %s" % (c.endpoints, c.nodes)
        ids, _ = index_and_search(c.endpoints[0], "sdk-otc", "1", {"title": "opensearch via otc"}, "title:otc")
        assert ids == ["1"], "search hits: %s" % ids

        # The listing shows it too. Polled like the reads above: a member's readiness probe that times out on a
        # loaded machine shows the cluster UNAVAILABLE until the next health look (see the stop-17 note).
        listed = wait_for(lambda: {x.id: x for x in conn.css.clusters()},
                          lambda l: cid in l and l[cid].name == name and l[cid].status == "AVAILABLE",
                          "OTC CSS cluster %s listed AVAILABLE" % name, timeout=CSS_WAIT, interval=0.2)
        assert cid in listed

        assert conn.css.restart_cluster(cid) is None
        # The restart is under way (or, on a very fast machine, already done): a second one is a 400.
        first = conn.css.get_cluster(cid)
        if first.actions:
            assert (str(first.status_code), first.actions) == ("100", ["REBOOTING"]), \
                "during restart: %s %s" % (first.status_code, first.actions)
            with pytest.raises(os_exc.BadRequestException):
                conn.css.restart_cluster(cid)
        with pytest.raises(os_exc.NotFoundException):
            conn.css.restart_cluster(str(uuid.uuid4()))
        wait_for(lambda: conn.css.get_cluster(cid), otc_ready, "OTC CSS cluster %s ready after restart" % name,
                 timeout=CSS_WAIT, interval=0.1)
        assert member_answers(c.endpoints[0]), "%s does not answer after the restart" % c.endpoints[0]
    finally:
        conn.css.delete_cluster(cid)
    wait_for(lambda: conn.css.get_cluster(cid), lambda v: isinstance(v, os_exc.NotFoundException),
             "OTC CSS cluster %s to be gone" % name, timeout=CSS_WAIT, interval=0.1, raising=True)
    assert cid not in {x.id for x in conn.css.clusters()}
    assert conn.css.delete_cluster(cid) is None  # ignore_missing=True


def test_v2_create_security_public_access_and_snapshots_through_the_sdk(strato, client, search_engine, cleanup):
    """huaweicloudsdkcss v2 CreateCluster (roles, security mode, publicIPReq, backupStrategy), then the v1 calls the SDK
    makes for the security mode, public access, network, snapshot settings, renames: each answered as CSS answers."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcss import v1, v2

    cr = strato["credentials"]
    c2 = (v2.CssClient.new_builder().with_credentials(BasicCredentials(cr["access_key"], cr["secret_key"], cr["project_id"]))
          .with_endpoint(strato["css"]).build())
    name = unique_name("sdk-v2")
    body = v2.CreateClusterBody(
        name=name, datastore=v2.CreateClusterDatastoreBody(type="elasticsearch", version="7.10.2"),
        roles=[v2.CreateClusterRolesBody(flavor_ref=FLAVOR, type="ess", instance_num=2,
                                         volume=v2.CreateClusterInstanceVolumeBody(volume_type="HIGH", size=40))],
        nics=v2.CreateClusterInstanceNicsBody(vpc_id="vpc-1", net_id="subnet-1", security_group_id="sg-1"),
        availability_zone="eu-de-01", authority_enable=True, https_enable=True, admin_pwd="Css-admin1",
        public_ip_req=v2.CreateClusterPublicIpReq(
            eip=v2.CreateClusterPublicEip(band_width=v2.CreateClusterPublicEipSize(size=5)), public_bind_type="auto_assign",
            elb_white_list_req=v2.CreateClusterElbWhiteList(enable_white_list=True, white_list="127.0.0.1")))
    made = c2.create_cluster(v2.CreateClusterRequest(body=v2.CreateClusterReq(cluster=body)))
    cid = made.cluster.id
    cleanup.append(cid)
    assert made.order_id is None
    d = css_wait_ready(client, cid, "the v2 cluster %s to be ready" % cid)
    assert [i.type for i in d.instances] == ["ess", "ess"] and d.authority_enable and d.https_enable
    assert member_answers(d.public_ip), "the create's public access is not served at %s" % d.public_ip

    # The SDK's snake_case v1 bodies.
    client.change_security_group(v1.ChangeSecurityGroupRequest(cluster_id=cid, body=v1.ChangeSecurityGroupReq(security_group_ids="sg-2")))
    client.start_public_whitelist(v1.StartPublicWhitelistRequest(cluster_id=cid, body=v1.StartPublicWhitelistReq(white_list="127.0.0.1,198.51.100.0/24")))
    client.reset_password(v1.ResetPasswordRequest(cluster_id=cid, body=v1.ResetPasswordReq(newpassword="Css-admin2")))
    expect_css_error(lambda: client.create_bind_public(v1.CreateBindPublicRequest(cluster_id=cid, body=v1.BindPublicReq(
        eip=v1.BindPublicReqEipReq(band_width=v1.BindPublicReqEipBandWidth(size=5))))), 400)
    client.update_unbind_public(v1.UpdateUnbindPublicRequest(cluster_id=cid))
    d = css_detail(client, cid)
    assert d.public_ip is None and d.security_group_id == "sg-2"

    # Snapshot settings and policy: recorded; a snapshot is refused with CSS.5090 saying why.
    policy = client.show_auto_create_policy(v1.ShowAutoCreatePolicyRequest(cluster_id=cid))
    assert policy.enable == "false"
    client.update_snapshot_setting(v1.UpdateSnapshotSettingRequest(cluster_id=cid, body=v1.UpdateSnapshotSettingReq(
        bucket="css-sdk-backups", agency="css_obs_agency", base_path="css_repository/sdk")))
    client.create_auto_create_policy(v1.CreateAutoCreatePolicyRequest(cluster_id=cid, body=v1.SetRDSBackupCnfReq(
        prefix="sdk", period="00:00 GMT+08:00", keepday=3, enable="true")))
    assert client.show_auto_create_policy(v1.ShowAutoCreatePolicyRequest(cluster_id=cid)).keepday == 3
    e = expect_css_error(lambda: client.create_snapshot(v1.CreateSnapshotRequest(cluster_id=cid, body=v1.CreateSnapshotReq(name="sdk-snap"))), 400)
    assert e.error_code == "CSS.5090" and "_snapshot" in e.error_msg, (e.error_code, e.error_msg)
    assert client.list_snapshots(v1.ListSnapshotsRequest(cluster_id=cid)).backups == []
    client.stop_snapshot(v1.StopSnapshotRequest(cluster_id=cid))
    assert css_detail(client, cid).backup_available is False

    client.update_cluster_name(v1.UpdateClusterNameRequest(cluster_id=cid, body=v1.UpdateClusterNameReq(display_name=name + "-2")))
    assert css_detail(client, cid).name == name + "-2"


def test_dedicated_roles_through_the_sdk(strato, client, search_engine, cleanup):
    """A v2 create with a cold role, then AddIndependentNode (dedicated masters) and a role shrink: every member a
    process with its role, as the detail shows them."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcss import v1, v2

    cr = strato["credentials"]
    c2 = (v2.CssClient.new_builder().with_credentials(BasicCredentials(cr["access_key"], cr["secret_key"], cr["project_id"]))
          .with_endpoint(strato["css"]).build())
    role = lambda t, n, gb: v2.CreateClusterRolesBody(flavor_ref=FLAVOR, type=t, instance_num=n,
                                                      volume=v2.CreateClusterInstanceVolumeBody(volume_type="HIGH", size=gb))
    body = v2.CreateClusterBody(
        name=unique_name("sdk-roles"), datastore=v2.CreateClusterDatastoreBody(type="elasticsearch", version="7.10.2"),
        roles=[role("ess", 1, 40), role("ess-cold", 2, 60)],
        nics=v2.CreateClusterInstanceNicsBody(vpc_id="vpc-1", net_id="subnet-1", security_group_id="sg-1"), availability_zone="eu-de-01")
    cid = c2.create_cluster(v2.CreateClusterRequest(body=v2.CreateClusterReq(cluster=body))).cluster.id
    cleanup.append(cid)
    d = css_wait_ready(client, cid, "the cluster %s with cold members" % cid)
    assert sorted(i.type for i in d.instances) == ["ess", "ess-cold", "ess-cold"], [i.type for i in d.instances]
    assert {i.volume.size for i in d.instances if i.type == "ess-cold"} == {60}

    client.add_independent_node(v1.AddIndependentNodeRequest(cluster_id=cid, type="ess-master", body=v1.IndependentReq(
        type=v1.IndependentBodyReq(flavor_ref=FLAVOR, node_size=3, volume_type="HIGH"))))
    d = css_wait_ready(client, cid, "the cluster %s with masters" % cid)
    assert sorted(i.type for i in d.instances).count("ess-master") == 3
    expect_css_error(lambda: client.add_independent_node(v1.AddIndependentNodeRequest(cluster_id=cid, type="ess-master", body=v1.IndependentReq(
        type=v1.IndependentBodyReq(flavor_ref=FLAVOR, node_size=3, volume_type="HIGH")))), 400)
    client.update_shrink_cluster(v1.UpdateShrinkClusterRequest(cluster_id=cid, body=v1.ShrinkClusterReq(
        shrink=[v1.ShrinkNodeReq(type="ess-cold", reduced_node_num=1)])))
    d = css_wait_ready(client, cid, "the cluster %s after the cold shrink" % cid)
    assert sorted(i.type for i in d.instances) == ["ess", "ess-cold", "ess-master", "ess-master", "ess-master"]
