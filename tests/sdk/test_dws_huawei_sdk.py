"""huaweicloudsdkdws (v2 DwsClient, AK/SK signed) against strato's DWS listener."""
import os

import psycopg2
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkdws.v2 import (
    CreateClusterInfo,
    CreateClusterRequest,
    CreateClusterRequestBody,
    DeleteClusterRequest,
    DeleteClusterRequestBody,
    DwsClient,
    ListClustersRequest,
    ListJobDetailsRequest,
    ListNodeTypesRequest,
    PublicIp,
    RestartClusterRequest,
    RestartClusterRequestBody,
    StartClusterRequest,
    StopClusterRequest,
    Tags,
)

from clients import detail, expect_error, http_config, make_client, wait_available
from helpers import (
    DB_PASSWORD,
    DB_USER,
    NODE_TYPE,
    NODE_TYPES,
    connect_db,
    pids_under,
    query,
    unique_name,
    wait_for,
)


@pytest.fixture(scope="module")
def client(strato):
    return make_client(strato)


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


def create(client, name, **overrides):
    info = dict(node_type=NODE_TYPE, number_of_node=3, subnet_id="subnet-sdk-1", security_group_id="sg-sdk-1",
                vpc_id="vpc-sdk-1", availability_zone="eu-de-01", port=8000, name=name, user_name=DB_USER,
                user_pwd=DB_PASSWORD, public_ip=PublicIp(public_bind_type="auto_assign", eip_id=""),
                number_of_cn=3, enterprise_project_id="0", tags=Tags(key="suite", value="sdk-huawei"))
    info.update(overrides)
    return client.create_cluster(CreateClusterRequest(body=CreateClusterRequestBody(
        cluster=CreateClusterInfo(**info))))


def test_list_node_types(client):
    resp = client.list_node_types(ListNodeTypesRequest())
    names = {t.spec_name for t in resp.node_types}
    assert names == NODE_TYPES, "node types: %s" % sorted(names)
    assert resp.count == len(resp.node_types)
    for t in resp.node_types:
        assert t.id, "node type %s has no id" % t.spec_name
        zones = {z.code for z in (t.available_zones or [])}
        assert "eu-de-01" in zones, "node type %s zones: %s" % (t.spec_name, zones)


def test_cluster_lifecycle(client, strato, cleanup):
    name = unique_name("sdk-hw")
    created = create(client, name)
    cid = created.cluster.id
    assert cid, "create_cluster returned no id: %s" % created
    cleanup.append(cid)

    # While it is being created: the name is taken and the cluster is busy.
    expect_error(lambda: create(client, name), 409, "DWS.5050")
    first = detail(client, cid)
    if first.status == "CREATING":  # a create normally takes 1-3 s
        expect_error(lambda: client.restart_cluster(RestartClusterRequest(
            cluster_id=cid, body=RestartClusterRequestBody(restart={}))), 409, "DWS.5090")

    c = wait_available(client, cid, "cluster %s to become AVAILABLE after create" % name)
    assert c.name == name and c.id == cid
    assert c.sub_status == "NORMAL", "sub_status after create: %s" % c.sub_status
    assert c.number_of_node == 3 and c.node_type == NODE_TYPE and c.port == 8000
    assert c.user_name == DB_USER
    assert c.availability_zone == "eu-de-01"
    assert c.vpc_id == "vpc-sdk-1" and c.subnet_id == "subnet-sdk-1" and c.security_group_id == "sg-sdk-1"
    assert [(t.key, t.value) for t in (c.tags or [])] == [("suite", "sdk-huawei")], "tags: %s" % c.tags
    assert c.endpoints and len(c.endpoints) == 3, "endpoints: %s" % c.endpoints
    for ep in c.endpoints:
        assert ep.connect_info and ep.connect_info.endswith(":8000"), "endpoint: %s" % ep
        assert ep.jdbc_url == "jdbc:postgresql://%s/gaussdb" % ep.connect_info, "jdbc_url: %s" % ep.jdbc_url
    assert c.public_endpoints, "public_ip auto_assign but no public_endpoints: %s" % c.public_endpoints
    assert c.public_endpoints[0].public_connect_info, "public endpoint: %s" % c.public_endpoints[0]
    assert len(c.nodes) == 3 and all(n.status == "200" for n in c.nodes), "nodes: %s" % c.nodes

    # Database round trip: write on the first endpoint, read it back from a standby.
    table = "sdk_hw_%s" % cid.replace("-", "")[:12]
    primary = connect_db(c.endpoints[0].connect_info)
    try:
        assert query(primary, "select pg_is_in_recovery()") == [(False,)], \
            "endpoints[0] (%s) is not the writable primary" % c.endpoints[0].connect_info
        query(primary, "create table %s (id int primary key, v text)" % table)
        query(primary, "insert into %s values (1, 'one'), (2, 'two')" % table)
        assert query(primary, "select id, v from %s order by id" % table) == [(1, "one"), (2, "two")]
    finally:
        primary.close()
    standbys = []
    for ep in c.endpoints[1:]:
        conn = connect_db(ep.connect_info)
        if query(conn, "select pg_is_in_recovery()") == [(True,)]:
            standbys.append((ep.connect_info, conn))
        else:
            conn.close()
    assert standbys, "no standby among endpoints %s" % [e.connect_info for e in c.endpoints[1:]]
    try:
        where, standby = standbys[0]

        def read_standby():
            return query(standby, "select id, v from %s order by id" % table)

        rows = wait_for(read_standby, lambda r: r == [(1, "one"), (2, "two")],
                        "the rows to replicate to standby %s" % where, timeout=30, interval=0.2)
        assert rows == [(1, "one"), (2, "two")]
    finally:
        for _, conn in standbys:
            conn.close()

    listed = client.list_clusters(ListClustersRequest())
    assert listed.count == len(listed.clusters)
    mine = [x for x in listed.clusters if x.id == cid]
    assert len(mine) == 1, "list_clusters does not show %s: %s" % (cid, [(x.id, x.name) for x in listed.clusters])
    assert mine[0].name == name and mine[0].status == "AVAILABLE"

    # Restart: accepted with {}, REBOOTING while it runs, a second restart meanwhile is refused.
    resp = client.restart_cluster(RestartClusterRequest(cluster_id=cid, body=RestartClusterRequestBody(restart={})))
    assert resp.status_code == 200, "restart status %s" % resp.status_code
    during = detail(client, cid)
    assert during.task_status == "REBOOTING", "task_status right after restart: %s" % during.task_status
    expect_error(lambda: client.restart_cluster(RestartClusterRequest(
        cluster_id=cid, body=RestartClusterRequestBody(restart={}))), 409, "DWS.5090")
    c = wait_available(client, cid, "cluster %s to finish restarting" % name)
    assert c.sub_status == "NORMAL", "sub_status after restart: %s" % c.sub_status
    assert all(n.status == "200" for n in c.nodes), "nodes after restart: %s" % c.nodes
    conn = connect_db(c.endpoints[0].connect_info)
    try:
        assert query(conn, "select count(*) from %s" % table) == [(2,)], "data lost across restart"
    finally:
        conn.close()

    # Delete: 202, then the cluster goes away with 404 DWS.0047.
    resp = client.delete_cluster(DeleteClusterRequest(
        cluster_id=cid, body=DeleteClusterRequestBody(keep_last_manual_snapshot=0)))
    assert resp.status_code == 202, "delete status %s" % resp.status_code
    gone = wait_for(lambda: detail(client, cid),
                    lambda v: isinstance(v, ClientRequestException) and v.status_code == 404,
                    "cluster %s to be deleted (404)" % name, raising=True)
    assert gone.error_code == "DWS.0047", "404 error_code: %s (%s)" % (gone.error_code, gone.error_msg)
    listed = client.list_clusters(ListClustersRequest())
    assert cid not in [x.id for x in listed.clusters], "deleted cluster still listed"
    cluster_dir = "%s/clusters/%s" % (strato["data_dir"], cid)
    wait_for(lambda: pids_under(cluster_dir), lambda pids: not pids,
             "the engine processes of deleted cluster %s to exit" % cid, timeout=15)
    cleanup.remove(cid)


def test_create_rejects_bad_name(client):
    expect_error(lambda: create(client, "1-starts-with-digit"), 400, "DWS.5057")


@pytest.mark.parametrize("which", ["secret_key", "access_key"])
def test_wrong_credentials_get_401(strato, which):
    if which == "secret_key":
        bad = make_client(strato, secret_key="WRONG" + strato["credentials"]["secret_key"][5:])
    else:
        bad = make_client(strato, access_key="NOSUCHACCESSKEY00000")
    e = expect_error(lambda: bad.list_clusters(ListClustersRequest()), 401, "DWS.0002")
    assert strato["credentials"]["secret_key"] not in (e.error_msg or ""), "error message leaks the secret key"


def test_project_id_lookup_through_iam(strato, client):
    """No project id in the credentials: the SDK asks IAM (GET /v3/projects?name=eu-de, AK/SK signed)."""
    cr = strato["credentials"]
    creds = BasicCredentials(cr["access_key"], cr["secret_key"]).with_iam_endpoint(strato["iam"])
    region_client = (DwsClient.new_builder()
                     .with_credentials(creds)
                     .with_region(Region(strato["region"], strato["dws"]))
                     .with_http_config(http_config())
                     .build())
    listed = region_client.list_clusters(ListClustersRequest())
    assert listed.count == len(listed.clusters)
    assert creds.project_id == cr["project_id"], \
        "SDK resolved project id %r, endpoints.json says %r" % (creds.project_id, cr["project_id"])

    def both():
        return ({x.id for x in region_client.list_clusters(ListClustersRequest()).clusters},
                {x.id for x in client.list_clusters(ListClustersRequest()).clusters})

    # Equal sets: the lookup found the same project (retried in case a left-over cluster vanishes meanwhile).
    wait_for(both, lambda pair: pair[0] == pair[1], "both clients to list the same clusters", timeout=30)


def test_stop_start_with_jobs(client, cleanup):
    """POST /v1/{pid}/clusters/{id}/stop|start return a job_id; GET /v1.0/{pid}/job/{id} tracks it."""
    name = unique_name("sdk-hwss")
    cid = create(client, name, public_ip=None, tags=None).cluster.id
    cleanup.append(cid)
    c = wait_available(client, cid, "cluster %s to become AVAILABLE after create" % name)
    conn = connect_db(c.endpoints[0].connect_info)
    try:
        query(conn, "create table kept (v int)")
        query(conn, "insert into kept values (42)")
    finally:
        conn.close()

    def job_done(job_id, what):
        job = wait_for(lambda: client.list_job_details(ListJobDetailsRequest(job_id=job_id)),
                       lambda j: j.status in ("SUCCESS", "FAIL"), what)
        assert job.status == "SUCCESS", "job %s: %s %s" % (job_id, job.failed_code, job.failed_detail)
        assert job.job_id == job_id and job.progress == "100%", "finished job: %s" % job
        return job

    stop = client.stop_cluster(StopClusterRequest(cluster_id=cid))
    assert stop.job_id, "stop_cluster returned no job_id: %s" % stop
    job_done(stop.job_id, "the stop job of %s" % name)
    stopped = detail(client, cid)
    assert stopped.status != "AVAILABLE" and stopped.task_status is None, \
        "after stop: status=%s task_status=%s" % (stopped.status, stopped.task_status)
    with pytest.raises(psycopg2.OperationalError):
        connect_db(c.endpoints[0].connect_info).close()

    start = client.start_cluster(StartClusterRequest(cluster_id=cid))
    assert start.job_id, "start_cluster returned no job_id: %s" % start
    job_done(start.job_id, "the start job of %s" % name)
    c = wait_available(client, cid, "cluster %s to be AVAILABLE after start" % name)
    assert c.sub_status == "NORMAL"
    conn = connect_db(c.endpoints[0].connect_info)
    try:
        assert query(conn, "select v from kept") == [(42,)], "data lost across stop/start"
    finally:
        conn.close()

    client.delete_cluster(DeleteClusterRequest(cluster_id=cid))
    wait_for(lambda: detail(client, cid),
             lambda v: isinstance(v, ClientRequestException) and v.status_code == 404,
             "cluster %s to be deleted (404)" % name, raising=True)
    cleanup.remove(cid)


def test_scale_out_and_in_through_the_sdk(client, strato, cleanup):
    """resize_cluster / shrink_cluster (and create_cluster_v2): real standbys added, streaming and holding the
    data, then retired; a shrink below the minimum is DWS.5091 and changes nothing."""
    from huaweicloudsdkdws.v2 import (ClusterShrinkReq, CreateClusterV2Request, ResizeClusterRequest,
                                      ResizeClusterRequestBody, ScaleOut, ShrinkClusterRequest, V2CreateCluster,
                                      V2CreateClusterReq, Volume)
    name = unique_name("sdk-scale")
    body = V2CreateClusterReq(cluster=V2CreateCluster(
        name=name, flavor=NODE_TYPE, num_node=3, db_name=DB_USER, db_password=DB_PASSWORD, db_port=8000,
        availability_zones=["eu-de-01"], vpc_id="vpc-sdk-1", subnet_id="subnet-sdk-1", security_group_id="sg-sdk-1",
        datastore_version="8.1.3.110", volume=Volume(volume="SSD", capacity=100)))
    cid = client.create_cluster_v2(CreateClusterV2Request(body=body)).cluster.id
    cleanup.append(cid)
    c = wait_available(client, cid, "cluster %s to become AVAILABLE after a v2 create" % name)
    conn = connect_db(c.endpoints[0].connect_info)
    try:
        query(conn, "create table kept (v int)")
        query(conn, "insert into kept values (7)")
    finally:
        conn.close()

    client.resize_cluster(ResizeClusterRequest(cluster_id=cid, body=ResizeClusterRequestBody(scale_out=ScaleOut(count=1))))
    c = wait_for(lambda: detail(client, cid), lambda c: c.number_of_node == 4 and c.task_status is None,
                 "cluster %s to have 4 nodes" % name, fail=lambda c: c.task_status == "RESIZE_FAILURE")
    assert len(c.endpoints) == 4 and c.status == "AVAILABLE", c
    conn = connect_db(c.endpoints[3].connect_info)
    try:
        assert query(conn, "select v from kept") == [(7,)], "the new standby lacks the data"
    finally:
        conn.close()

    expect_error(lambda: client.shrink_cluster(ShrinkClusterRequest(cluster_id=cid, body=ClusterShrinkReq(shrink_number=2))),
                 400, "DWS.5091")
    assert detail(client, cid).number_of_node == 4
    job = client.shrink_cluster(ShrinkClusterRequest(cluster_id=cid, body=ClusterShrinkReq(shrink_number=1)))
    assert job.job_id, job
    c = wait_for(lambda: detail(client, cid), lambda c: c.number_of_node == 3 and c.task_status is None,
                 "cluster %s to have 3 nodes" % name, fail=lambda c: c.task_status == "CLUSTER_SHRINK_FAILED")
    assert len(c.endpoints) == 3, c
    assert not pids_under(os.path.join(strato["_data_dir"], "clusters", cid, "node-3")), "the retired node still runs"

    # reset_password: the new password works in PostgreSQL, the old one no longer does.
    from huaweicloudsdkdws.v2 import ResetPasswordRequest, ResetPasswordRequestBody
    new = "Sdk-Reset-Passw0rd!"
    expect_error(lambda: client.reset_password(ResetPasswordRequest(
        cluster_id=cid, body=ResetPasswordRequestBody(new_password="weak"))), 400, "DWS.5013")
    client.reset_password(ResetPasswordRequest(cluster_id=cid, body=ResetPasswordRequestBody(new_password=new)))
    conn = wait_for(lambda: connect_db(c.endpoints[0].connect_info, password=new), lambda v: True,
                    "the new password to work")
    conn.close()
    with pytest.raises(psycopg2.OperationalError):
        connect_db(c.endpoints[0].connect_info).close()

    # Tags and the description, as the provider updates them.
    from huaweicloudsdkdws.v2 import (BatchCreateResourceTag, BatchCreateResourceTagRequest, BatchCreateResourceTags,
                                      BatchDeleteResourceTag, BatchDeleteResourceTagRequest, BatchDeleteResourceTags,
                                      ClusterDescriptionInfo, ListClusterTagsRequest, SaveClusterDescriptionInfoRequest)
    # The reset job may still be finishing (DWS.5090 until then).
    wait_for(lambda: client.batch_create_resource_tag(BatchCreateResourceTagRequest(cluster_id=cid, body=BatchCreateResourceTags(
        tags=[BatchCreateResourceTag(key="env", value="dev"), BatchCreateResourceTag(key="team", value="a")]))),
        lambda v: True, "tags to be accepted after the reset")
    client.batch_delete_resource_tag(BatchDeleteResourceTagRequest(cluster_id=cid, body=BatchDeleteResourceTags(
        tags=[BatchDeleteResourceTag(key="team", value="a")])))
    listed = client.list_cluster_tags(ListClusterTagsRequest(cluster_id=cid)).tags
    assert [(t.key, t.value) for t in listed] == [("env", "dev")], listed
    expect_error(lambda: client.batch_create_resource_tag(BatchCreateResourceTagRequest(cluster_id=cid, body=BatchCreateResourceTags(
        tags=[BatchCreateResourceTag(key="bad=key", value="v")]))), 400, "DWS.5194")
    done = client.save_cluster_description_info(SaveClusterDescriptionInfoRequest(
        cluster_id=cid, body=ClusterDescriptionInfo(description_info="nightly loads")))
    assert done.error_code == "DWS.0000", done
    client.delete_cluster(DeleteClusterRequest(cluster_id=cid))
    wait_for(lambda: detail(client, cid),
             lambda v: isinstance(v, ClientRequestException) and v.status_code == 404,
             "cluster %s to be deleted (404)" % name, raising=True)
    cleanup.remove(cid)


def test_parameters_and_events_through_the_sdk(client, cleanup):
    """list_cluster_configurations / list_cluster_configurations_parameter / update_configuration as the provider's
    dws_parameter_configurations drives them: the change really reaches PostgreSQL on every node; an unknown
    parameter is DWS.5037 and a bad value DWS.5038 with nothing changed; list_events shows DWS's event names."""
    from huaweicloudsdkdws.v2 import (ConfigurationParameterValue, ConfigurationParameterValues,
                                      ListClusterConfigurationsParameterRequest, ListClusterConfigurationsRequest,
                                      ListEventsRequest, UpdateConfigurationRequest)
    name = unique_name("sdk-params")
    cid = create(client, name).cluster.id
    cleanup.append(cid)
    c = wait_available(client, cid, "cluster %s to become AVAILABLE" % name)
    groups = client.list_cluster_configurations(ListClusterConfigurationsRequest(cluster_id=cid)).configurations
    group = [g for g in groups if g.type == "hiddenParameterGroup"][0]
    assert group.status == "In-Sync" and group.id == c.parameter_group.id, (groups, c.parameter_group)

    def params():
        return client.list_cluster_configurations_parameter(ListClusterConfigurationsParameterRequest(
            cluster_id=cid, configuration_id=group.id)).configurations

    def update(name, value):
        values = [ConfigurationParameterValue(type=role, name=name, value=value) for role in ("cn", "dn")]
        return client.update_configuration(UpdateConfigurationRequest(
            cluster_id=cid, configuration_id=group.id, body=ConfigurationParameterValues(configurations=values)))

    work_mem = [p for p in params() if p.name == "work_mem"][0]
    assert [(v.type, v.value) for v in work_mem.values] == [("cn", "4096"), ("dn", "4096")], work_mem
    assert work_mem.type == "integer" and work_mem.restart_required is False, work_mem
    expect_error(lambda: update("no_such_parameter", "1"), 400, "DWS.5037")
    expect_error(lambda: update("work_mem", "a lot"), 400, "DWS.5038")

    update("work_mem", "16384")
    wait_for(lambda: client.list_cluster_configurations(ListClusterConfigurationsRequest(cluster_id=cid)).configurations[0],
             lambda g: g.status in ("In-Sync", "Pending-Reboot"), "the parameter group to settle",
             fail=lambda g: g.status == "Sync-Failure")
    assert [v.value for v in [p for p in params() if p.name == "work_mem"][0].values] == ["16384", "16384"]
    for ep in c.endpoints:
        conn = connect_db(ep.connect_info)
        try:
            assert query(conn, "show work_mem") == [("16MB",)], ep.connect_info
        finally:
            conn.close()

    events = client.list_events(ListEventsRequest(limit="1000")).events
    mine = [e.name for e in events if e.source_id == cid]
    assert "createClusterSuccess" in mine and "updateConfigurationSuccess" in mine, mine
    assert all(e.name_space == "dws" and isinstance(e.occur_time, int) for e in events), events[0]
    client.delete_cluster(DeleteClusterRequest(cluster_id=cid))
    cleanup.remove(cid)


def test_attributes_network_and_v2_delete_through_the_sdk(client, cleanup):
    """The rest of what strato emulates beyond the seed, each through huaweicloudsdkdws on one real cluster:
    timezone (SHOW timezone on every node), name (a job to poll), storage, security group, maintenance window,
    nodes, zones, EIP and ELB (psql through the served endpoints), and the v2 delete."""
    from huaweicloudsdkdws.v2 import (
        AssociateEipRequest, AssociateElbRequest, ChangeSecurityGroupRequest, ChangeSecurityGroupRequestBody,
        ClusterNameReq, ClusterTimezoneReq, DeleteDwsClusterRequest, DisassociateEipRequest, DisassociateElbRequest,
        ExpandInstanceStorage, ExpandInstanceStorageRequest, ListAvailabilityZonesRequest, ListClusterNodesRequest,
        ListJobDetailsRequest, MaintenanceWindow, ModifyClusterNameRequest, ModifyClusterTimezoneRequest,
        UpdateMaintenanceWindowRequest)
    name = unique_name("sdk-attrs")
    cid = create(client, name).cluster.id
    cleanup.append(cid)
    c = wait_available(client, cid, "cluster %s to become AVAILABLE" % name)

    def job_done(job_id, what):
        wait_for(lambda: client.list_job_details(ListJobDetailsRequest(job_id=job_id)), lambda j: j.status == "SUCCESS",
                 what, fail=lambda j: j.status == "FAIL")

    job = client.modify_cluster_timezone(ModifyClusterTimezoneRequest(
        cluster_id=cid, body=ClusterTimezoneReq(cluster_timezone="Asia/Shanghai"))).job_id
    job_done(job, "the timezone job")
    for ep in c.endpoints:
        conn = connect_db(ep.connect_info)
        try:
            assert query(conn, "show timezone") == [("Asia/Shanghai",)], ep.connect_info
        finally:
            conn.close()
    job = client.modify_cluster_name(ModifyClusterNameRequest(cluster_id=cid, body=ClusterNameReq(cluster_name=name + "-b"))).job_id
    job_done(job, "the rename job")
    # The SDK's ClusterDetail has no `volume`: the size is checked by the refusal to shrink back.
    client.expand_instance_storage(ExpandInstanceStorageRequest(cluster_id=cid, body=ExpandInstanceStorage(new_size=32000)))
    expect_error(lambda: client.expand_instance_storage(ExpandInstanceStorageRequest(
        cluster_id=cid, body=ExpandInstanceStorage(new_size=32000))), 400, "DWS.5038")
    client.change_security_group(ChangeSecurityGroupRequest(cluster_id=cid, body=ChangeSecurityGroupRequestBody(security_groups=["sg-sdk-2"])))
    client.update_maintenance_window(UpdateMaintenanceWindowRequest(
        cluster_id=cid, body=MaintenanceWindow(day="Sun", start_time="01:00", end_time="05:00")))
    c = detail(client, cid)
    assert (c.name, c.security_group_id) == (name + "-b", "sg-sdk-2"), c
    assert (c.maintain_window.day, c.maintain_window.start_time) == ("Sun", "01:00"), c.maintain_window

    nodes = client.list_cluster_nodes(ListClusterNodesRequest(cluster_id=cid))
    assert nodes.count == 3 and nodes.failed_count == 0 and all(n.status == "ACTIVE" for n in nodes.node_list), nodes
    zones = client.list_availability_zones(ListAvailabilityZonesRequest())
    assert "eu-de-01" in [z.code for z in zones.availability_zones], zones

    # EIP: the provider's unbind-then-bind; ELB: a job; both endpoints answer psql.
    client.disassociate_eip(DisassociateEipRequest(cluster_id=cid, eip_id=c.public_ip.eip_id))
    assert detail(client, cid).public_endpoints == []
    client.associate_eip(AssociateEipRequest(cluster_id=cid, eip_id="eip-sdk"))
    job_done(client.associate_elb(AssociateElbRequest(cluster_id=cid, elb_id="elb-sdk")).job_id, "the ELB job")
    c = detail(client, cid)
    assert c.public_ip.public_bind_type == "bind_existing" and c.elb.id == "elb-sdk", (c.public_ip, c.elb)
    for where in (c.public_endpoints[0].public_connect_info, c.elb.private_endpoint):
        conn = wait_for(lambda: connect_db(where), lambda v: True, "psql through %s" % where)
        try:
            assert query(conn, "select 1") == [(1,)]
        finally:
            conn.close()
    job_done(client.disassociate_elb(DisassociateElbRequest(cluster_id=cid, elb_id="elb-sdk")).job_id, "the ELB unbind job")
    assert detail(client, cid).elb is None

    job = client.delete_dws_cluster(DeleteDwsClusterRequest(cluster_id=cid, keep_last_manual_backup="0")).job_id
    assert job
    wait_for(lambda: detail(client, cid), lambda v: isinstance(v, ClientRequestException) and v.status_code == 404,
             "cluster %s to be deleted (404)" % name, raising=True)
    cleanup.remove(cid)
