"""Alibaba Cloud Elasticsearch and Logstash (ROA 2017-06-13) with alibabacloud_elasticsearch20170613 against
strato's Alibaba listener.

The seeds are ResumeElasticsearchTask (002) and ResumeLogstashTask (003): POST .../actions/resume answering
{"Result": true, "RequestId"}, 400 InstanceNotFound for an unknown instance. Around them: a change task (UpdateInstance
/ UpdateLogstash, one member added per step) interrupted and resumed, clientToken idempotency, and both signatures
(ACS3-HMAC-SHA256 and the legacy `acs AK:signature`). Elasticsearch members run on osmem-server, Logstash members
on syslog-ng.
"""
import uuid

import pytest
from alibabacloud_elasticsearch20170613 import models as m
from alibabacloud_tea_openapi.exceptions import ClientException

from clients import ALI_WAIT, ali_expect_error, make_ali_client, member_answers
from helpers import wait_for

ES_VERSION = "7.10_with_X-Pack"
LS_VERSION = "7.4_with_X-Pack"
NOT_RUNNING = "InstanceStatusNotSupportCurrentAction"


@pytest.fixture(scope="module")
def client(strato):
    return make_ali_client(strato)


@pytest.fixture
def cleanup(client):
    """("es"|"ls", instance id) to delete (best effort) if a test leaves them behind."""
    ids = []
    yield ids
    for kind, iid in ids:
        try:
            if kind == "es":
                client.delete_instance(iid, m.DeleteInstanceRequest(delete_type="immediate"))
            else:
                client.delete_logstash(iid, m.DeleteLogstashRequest(delete_type="immediate"))
        except ClientException:
            pass


def create_es(client, description, node_amount=2, client_token=None):
    """createInstance; returns the new instance id (read from the JSON body the SDK model drops)."""
    resp = client.create_instance(m.CreateInstanceRequest(
        es_version=ES_VERSION, node_amount=node_amount, es_admin_password="Es-admin1",
        node_spec=m.NodeSpec(spec="elasticsearch.sn2ne.large", disk=20, disk_type="cloud_ssd"),
        network_config=m.NetworkConfig(type="vpc", vpc_id="vpc-1", vswitch_id="vsw-1", vs_area="cn-hangzhou-i"),
        payment_type="postpaid", description=description, client_token=client_token))
    assert resp.status_code == 200
    body = client.last_body
    assert body.get("RequestId") and body["Result"]["instanceId"].startswith("es-"), "createInstance: %r" % body
    return body["Result"]["instanceId"]


def describe_es(client, iid):
    """DescribeInstance: (the SDK model's result, the raw JSON Result with endpointList and clusterTasks)."""
    resp = client.describe_instance(iid)
    assert resp.status_code == 200 and resp.body.request_id
    return resp.body.result, client.last_body["Result"]


def describe_ls(client, iid):
    resp = client.describe_logstash(iid)
    assert resp.status_code == 200 and resp.body.request_id
    return resp.body.result, client.last_body["Result"]


def wait_status(describe, client, iid, status, what, seen=None, interval=0.1):
    """describe(client, iid) until the raw Result's status is `status`; return (model, raw)."""
    last = {}

    def fetch():
        last["model"], raw = describe(client, iid)
        if seen is not None:
            seen.append(raw["status"])
        return raw

    raw = wait_for(fetch, lambda r: r["status"] == status, what, timeout=ALI_WAIT, interval=interval,
                   fail=lambda r: r["status"] == "invalid")
    return last["model"], raw


def members(raw):
    return ["%s:%s" % (e["host"], e["port"]) for e in raw["endpointList"]]


def wait_gone(describe, client, iid, what):
    err = wait_for(lambda: describe(client, iid),
                   lambda v: isinstance(v, ClientException) and v.code == "InstanceNotFound",
                   what, timeout=ALI_WAIT, interval=0.1, raising=True)
    assert err.status_code == 400


def test_es_change_interrupt_resume(client, search_engine, cleanup):
    description = "sdk-es-%s" % uuid.uuid4().hex[:10]
    iid = create_es(client, description, client_token=uuid.uuid4().hex)
    cleanup.append(("es", iid))

    model, raw = wait_status(describe_es, client, iid, "active", "instance %s to be active" % iid)
    assert model.instance_id == iid and model.description == description
    assert model.node_amount == 2 and model.es_version == ES_VERSION, model.to_map()
    assert model.node_spec.spec == "elasticsearch.sn2ne.large" and model.node_spec.disk == 20
    assert model.network_config.vpc_id == "vpc-1" and model.network_config.vswitch_id == "vsw-1"
    assert model.network_config.vs_area == "cn-hangzhou-i", model.network_config.to_map()
    assert raw["clusterTasks"] == [], raw
    first = members(raw)
    assert len(first) == 2 and "%s:%s" % (model.domain, model.port) == first[0], \
        "domain %s port %s, endpointList %s" % (model.domain, model.port, first)
    assert all(member_answers(a) for a in first), "members %s do not all answer" % first
    listed = client.list_instance(m.ListInstanceRequest(description=description, page=1, size=10)).body
    assert listed.headers.x_total_count == 1 and [i.instance_id for i in listed.result] == [iid], listed.to_map()

    # A change task from 2 to 6 members, interrupted at once: it stops at a step boundary, "suspended".
    upd = client.update_instance(iid, m.UpdateInstanceRequest(node_amount=6))
    assert upd.status_code == 200 and upd.body.result.instance_id == iid
    intr = client.interrupt_elasticsearch_task(iid, m.InterruptElasticsearchTaskRequest())
    assert intr.body.result is True and intr.body.request_id, intr.body.to_map()
    _, raw = wait_status(describe_es, client, iid, "suspended", "instance %s to be suspended" % iid)
    assert len(raw["clusterTasks"]) == 1 and raw["clusterTasks"][0]["status"] == "suspended", raw["clusterTasks"]
    assert len(members(raw)) == 6, "endpointList while suspended: %s" % raw["endpointList"]
    up = [a for a in members(raw) if member_answers(a)]
    assert 2 <= len(up) < 6, "members answering while suspended: %s of %s" % (up, members(raw))
    ali_expect_error(lambda: client.interrupt_elasticsearch_task(iid, m.InterruptElasticsearchTaskRequest()),
                     400, NOT_RUNNING)

    # Seed 002: resume answers {"Result": true, "RequestId"}; the instance is activating, then active with 6.
    seen = []
    res = client.resume_elasticsearch_task(iid, m.ResumeElasticsearchTaskRequest())
    assert res.status_code == 200 and res.body.result is True and res.body.request_id, res.body.to_map()
    model, raw = wait_status(describe_es, client, iid, "active", "instance %s active after resume" % iid,
                             seen=seen, interval=0.05)
    assert seen[0] == "activating", "states after resume: %s" % seen
    assert set(seen) <= {"activating", "active"}, "states after resume: %s" % seen
    assert model.node_amount == 6 and raw["clusterTasks"] == [], raw
    assert len(members(raw)) == 6 and members(raw)[:2] == first, "endpointList: %s" % raw["endpointList"]
    assert all(member_answers(a) for a in members(raw)), "members %s do not all answer" % members(raw)

    # Nothing to resume or interrupt any more; an unknown instance is InstanceNotFound (seed 002).
    ali_expect_error(lambda: client.resume_elasticsearch_task(iid, m.ResumeElasticsearchTaskRequest()),
                     400, NOT_RUNNING)
    ali_expect_error(lambda: client.interrupt_elasticsearch_task(iid, m.InterruptElasticsearchTaskRequest()),
                     400, NOT_RUNNING)
    unknown = "es-cn-%s" % uuid.uuid4().hex
    ali_expect_error(lambda: client.resume_elasticsearch_task(unknown, m.ResumeElasticsearchTaskRequest()),
                     400, "InstanceNotFound")
    ali_expect_error(lambda: client.resume_elasticsearch_task("es-cn-nonsense", m.ResumeElasticsearchTaskRequest()),
                     400, "InstanceNotFound")

    client.delete_instance(iid, m.DeleteInstanceRequest(delete_type="immediate"))
    wait_gone(describe_es, client, iid, "instance %s to be gone" % iid)


def test_es_spec_and_settings_through_the_sdk(client, search_engine, cleanup):
    """UpdateInstance nodeSpec.spec and UpdateInstanceSettings esConfig: every member restarted with them (each
    a change task, activating then active); the same settings again is MustChangeOneResource."""
    iid = create_es(client, "sdk-spec-%s" % uuid.uuid4().hex[:8])
    cleanup.append(("es", iid))
    wait_status(describe_es, client, iid, "active", "instance %s to be active" % iid)
    upd = client.update_instance(iid, m.UpdateInstanceRequest(
        node_spec=m.NodeSpec(spec="elasticsearch.sn2ne.xlarge", disk=20, disk_type="cloud_ssd")))
    assert upd.status_code == 200 and upd.body.result.instance_id == iid
    model, raw = wait_for(lambda: describe_es(client, iid), lambda r: r[0].status == "active"
                          and r[0].node_spec.spec == "elasticsearch.sn2ne.xlarge", "the new spec", timeout=ALI_WAIT)
    assert all(member_answers(a) for a in members(raw)), "members after the spec change: %s" % members(raw)
    settings = {"action.auto_create_index": "+.*,-*"}
    res = client.update_instance_settings(iid, m.UpdateInstanceSettingsRequest(es_config=settings))
    assert res.status_code == 200 and res.body.request_id, res.body.to_map()
    model, raw = wait_for(lambda: describe_es(client, iid), lambda r: r[0].status == "active"
                          and r[1].get("esConfig") == settings, "the new esConfig", timeout=ALI_WAIT)
    assert all(member_answers(a) for a in members(raw)), "members after the settings change: %s" % members(raw)
    ali_expect_error(lambda: client.update_instance_settings(iid, m.UpdateInstanceSettingsRequest(es_config=settings)),
                     400, "MustChangeOneResource")
    ali_expect_error(lambda: client.update_instance_settings(iid, m.UpdateInstanceSettingsRequest(es_config={"path.data": "/x"})),
                     400, "InvalidParameter")
    client.delete_instance(iid, m.DeleteInstanceRequest(delete_type="immediate"))
    wait_gone(describe_es, client, iid, "instance %s to be gone" % iid)


def test_logstash_change_interrupt_resume(client, log_engine, cleanup):
    description = "sdk-ls-%s" % uuid.uuid4().hex[:10]
    created = client.create_logstash(m.CreateLogstashRequest(
        version=LS_VERSION, node_amount=1, description=description, payment_type="postpaid",
        node_spec=m.CreateLogstashRequestNodeSpec(spec="logstash.n4.small", disk=20, disk_type="cloud_ssd"),
        network_config=m.CreateLogstashRequestNetworkConfig(type="vpc", vpc_id="vpc-1", vswitch_id="vsw-1", vs_area="cn-hangzhou-i")))
    lid = created.body.result.instance_id
    assert lid and lid.startswith("ls-") and created.body.request_id, created.body.to_map()
    cleanup.append(("ls", lid))

    model, raw = wait_status(describe_ls, client, lid, "active", "logstash %s to be active" % lid)
    assert model.node_amount == 1 and model.version == LS_VERSION and model.description == description
    assert len(model.endpoint_list) == 1 and model.endpoint_list[0].host and model.endpoint_list[0].port
    listed = client.list_logstash(m.ListLogstashRequest(page=1, size=100)).body
    assert lid in {i.instance_id for i in listed.result}, listed.to_map()
    assert listed.headers.x_total_count == len(listed.result)

    upd = client.update_logstash(lid, m.UpdateLogstashRequest(node_amount=2))
    assert upd.status_code == 200 and upd.body.result is True, upd.body.to_map()  # UpdateLogstash: a Boolean
    intr = client.interrupt_logstash_task(lid, m.InterruptLogstashTaskRequest())
    assert intr.body.result is True, intr.body.to_map()
    _, raw = wait_status(describe_ls, client, lid, "suspended", "logstash %s to be suspended" % lid)
    assert [t["status"] for t in raw["clusterTasks"]] == ["suspended"], raw["clusterTasks"]

    # Seed 003.
    seen = []
    res = client.resume_logstash_task(lid, m.ResumeLogstashTaskRequest())
    assert res.status_code == 200 and res.body.result is True and res.body.request_id, res.body.to_map()
    model, raw = wait_status(describe_ls, client, lid, "active", "logstash %s active after resume" % lid,
                             seen=seen, interval=0.05)
    assert set(seen) <= {"activating", "active"}, "states after resume: %s" % seen
    assert model.node_amount == 2 and len(model.endpoint_list) == 2 and raw["clusterTasks"] == [], raw
    assert len({(e.host, e.port) for e in model.endpoint_list}) == 2, model.to_map()

    ali_expect_error(lambda: client.resume_logstash_task(lid, m.ResumeLogstashTaskRequest()), 400, NOT_RUNNING)
    ali_expect_error(lambda: client.resume_logstash_task("ls-cn-%s" % uuid.uuid4().hex, m.ResumeLogstashTaskRequest()),
                     400, "InstanceNotFound")
    # An Elasticsearch id is not a Logstash instance.
    ali_expect_error(lambda: client.resume_logstash_task(lid.replace("ls-", "es-", 1), m.ResumeLogstashTaskRequest()),
                     400, "InstanceNotFound")

    client.delete_logstash(lid, m.DeleteLogstashRequest(delete_type="immediate"))
    wait_gone(describe_ls, client, lid, "logstash %s to be gone" % lid)


def test_client_token_create_is_idempotent(client, search_engine, cleanup):
    description = "sdk-tok-%s" % uuid.uuid4().hex[:10]
    token = uuid.uuid4().hex

    def count():
        body = client.list_instance(m.ListInstanceRequest(description=description, page=1, size=10)).body
        assert body.headers.x_total_count == len(body.result)
        return body.headers.x_total_count

    first = create_es(client, description, node_amount=2, client_token=token)
    cleanup.append(("es", first))
    assert count() == 1
    again = create_es(client, description, node_amount=2, client_token=token)
    assert again == first, "a repeated clientToken created %s besides %s" % (again, first)
    assert count() == 1
    wait_status(describe_es, client, first, "active", "instance %s to be active" % first)
    # The token still names the first request once it is done; another token is another instance.
    assert create_es(client, description, node_amount=2, client_token=token) == first
    other = create_es(client, description, node_amount=2, client_token=uuid.uuid4().hex)
    cleanup.append(("es", other))
    assert other != first and count() == 2


def test_legacy_signature(strato):
    legacy = make_ali_client(strato, legacy=True)
    listed = legacy.list_instance(m.ListInstanceRequest(page=1, size=100))
    assert listed.status_code == 200 and listed.body.request_id
    # (Instances of earlier tests may still be going away: only the page's own consistency is checked.)
    assert listed.body.headers.x_total_count == len(listed.body.result), listed.body.to_map()
    ali_expect_error(lambda: legacy.resume_elasticsearch_task("es-cn-%s" % uuid.uuid4().hex,
                                                              m.ResumeElasticsearchTaskRequest()),
                     400, "InstanceNotFound")

    wrong = "wrong-secret-%s" % uuid.uuid4().hex
    ali_expect_error(lambda: make_ali_client(strato, secret_key=wrong, legacy=True).list_instance(
        m.ListInstanceRequest()), 400, "SignatureDoesNotMatch")
    ali_expect_error(lambda: make_ali_client(strato, secret_key=wrong).list_instance(m.ListInstanceRequest()),
                     400, "SignatureDoesNotMatch")


def test_network_white_lists_tags_nodes_and_restarts_through_the_sdk(client, search_engine, cleanup):
    """The SDK's own requests for the network and security actions, the tag API, ListAllNode and RestartInstance's
    kinds; the public endpoint really relays to the members for an admitted client."""
    import json
    iid = create_es(client, "sdk-net-%s" % uuid.uuid4().hex[:8], node_amount=2)
    cleanup.append(("es", iid))
    model, raw = wait_status(describe_es, client, iid, "active", "instance %s to be active" % iid)
    assert model.enable_public is False and model.public_ip_whitelist == [] and model.private_network_ip_white_list == ["0.0.0.0/0"]

    r = client.trigger_network(iid, m.TriggerNetworkRequest(node_type="WORKER", network_type="PUBLIC", action_type="OPEN"))
    assert r.body.result is True, r.body.to_map()
    ali_expect_error(lambda: client.trigger_network(iid, m.TriggerNetworkRequest(
        node_type="WORKER", network_type="PUBLIC", action_type="OPEN")), 400, "RepetitionOperationError")
    ali_expect_error(lambda: client.trigger_network(iid, m.TriggerNetworkRequest(
        node_type="KIBANA", network_type="PUBLIC", action_type="OPEN")), 400, "OperationNotEmulated")
    r = client.modify_white_ips(iid, m.ModifyWhiteIpsRequest(node_type="WORKER", network_type="PUBLIC", modify_mode="Cover",
                                                             white_ip_list=["127.0.0.1"]))
    assert r.body.result is True, r.body.to_map()
    ali_expect_error(lambda: client.modify_white_ips(iid, m.ModifyWhiteIpsRequest(
        node_type="WORKER", network_type="PUBLIC", white_ip_list=["10.1.0.0/16"])), 400, "InvalidParameter")
    model, raw = describe_es(client, iid)
    assert model.enable_public is True and model.public_ip_whitelist == ["127.0.0.1"], model.to_map()
    assert member_answers("%s:%s" % (model.public_domain, model.public_port)), "the public endpoint did not relay to a member"

    assert client.open_https(iid, m.OpenHttpsRequest()).body.result is True
    assert describe_es(client, iid)[0].protocol == "HTTPS"
    assert client.close_https(iid, m.CloseHttpsRequest()).body.result is True
    r = client.update_admin_password(iid, m.UpdateAdminPasswordRequest(es_admin_password="Es-admin2"))
    assert r.body.result is True
    ali_expect_error(lambda: client.update_admin_password(iid, m.UpdateAdminPasswordRequest(es_admin_password="short")),
                     400, "InvalidParameter")

    # Tags: TagResources, ListTagResources (not wrapped in Result), ListTags, UntagResources (JSON strings in the query).
    r = client.tag_resources(m.TagResourcesRequest(resource_ids=[iid], resource_type="INSTANCE",
                                                   tags=[m.TagResourcesRequestTags(key="team", value="sdk")]))
    assert r.body.result is True, r.body.to_map()
    listed = client.list_tag_resources(m.ListTagResourcesRequest(resource_type="INSTANCE", resource_ids=json.dumps([iid])))
    pairs = {(t.tag_key, t.tag_value) for t in listed.body.tag_resources.tag_resource}
    assert pairs == {("team", "sdk")}, listed.body.to_map()
    tags = client.list_tags(m.ListTagsRequest(resource_type="INSTANCE", page_size=50)).body.result
    assert any(t.tag_key == "team" and t.tag_value == "sdk" for t in tags), [t.to_map() for t in tags]
    client.untag_resources(m.UntagResourcesRequest(resource_type="INSTANCE", resource_ids=json.dumps([iid]),
                                                   tag_keys=json.dumps(["team"])))
    assert describe_es(client, iid)[0].tags in ([], None)

    # ListAllNode: each member, healthy, with the health loop's figures.
    nodes = wait_for(lambda: client.list_all_node(iid, m.ListAllNodeRequest(extended=True)).body.result,
                     lambda ns: len(ns) == 2 and all(n.cpu_percent and n.disk_used_percent for n in ns),
                     "node figures of %s" % iid, timeout=ALI_WAIT)
    assert {n.host for n in nodes} == {e["host"] for e in raw["endpointList"]}
    assert all(n.health == "GREEN" and n.node_type == "WORKER" and n.port == 9200 for n in nodes), [n.to_map() for n in nodes]

    # RestartInstance: by member address (the body is the SDK's JSON string), then the batch codes.
    host = sorted(n.host for n in nodes)[1]
    r = client.restart_instance(iid, m.RestartInstanceRequest(body=json.dumps({"restartType": "nodeIp", "nodes": [host]})))
    assert r.body.result.status == "activating", r.body.to_map()
    wait_status(describe_es, client, iid, "active", "instance %s active after a member restart" % iid)
    ali_expect_error(lambda: client.restart_instance(iid, m.RestartInstanceRequest(force=True, body=json.dumps({}))),
                     400, "RestartBatchValueError")
    ali_expect_error(lambda: client.restart_instance(iid, m.RestartInstanceRequest(body=json.dumps({"batchCount": 50}))),
                     400, "NormalRestartNotSupportBatch")


def test_logstash_pipelines_through_the_sdk(client, log_engine, cleanup):
    """CreatePipelines (an array body, `ClientToken`), ListPipeline, DescribePipeline, UpdatePipelines with trigger
    (the members restarted with them: RUNNING), StopPipelines / RunPipelines (JSON-string bodies), DeletePipelines."""
    import json
    created = client.create_logstash(m.CreateLogstashRequest(
        version=LS_VERSION, node_amount=1, description="sdk-pipes", payment_type="postpaid",
        node_spec=m.CreateLogstashRequestNodeSpec(spec="logstash.n4.small", disk=20, disk_type="cloud_ssd"),
        network_config=m.CreateLogstashRequestNetworkConfig(type="vpc", vpc_id="vpc-1", vswitch_id="vsw-1", vs_area="cn-hangzhou-i")))
    lid = created.body.result.instance_id
    cleanup.append(("ls", lid))
    wait_status(describe_ls, client, lid, "active", "logstash %s to be active" % lid)

    body = [m.CreatePipelinesRequestBody(pipeline_id="sdk_in", config="input { stdin {} }\noutput { stdout {} }",
                                         batch_size=125, queue_type="MEMORY", description="from the sdk")]
    r = client.create_pipelines(lid, m.CreatePipelinesRequest(body=body, trigger=False, client_token=uuid.uuid4().hex))
    assert r.body.result is True, r.body.to_map()
    listed = client.list_pipeline(lid, m.ListPipelineRequest(page=1, size=10)).body
    assert listed.headers.x_total_count == 1 and listed.result[0].pipeline_status == "NOT_DEPLOYED", listed.to_map()
    d = client.describe_pipeline(lid, "sdk_in").body.result
    assert (d.pipeline_id, d.batch_size, d.queue_type, d.description) == ("sdk_in", 125, "MEMORY", "from the sdk"), d.to_map()
    ali_expect_error(lambda: client.describe_pipeline(lid, "missing"), 400, "InvalidParameter")

    r = client.update_pipelines(lid, m.UpdatePipelinesRequest(body=json.dumps([{"pipelineId": "sdk_in", "workers": 1}]), trigger=True))
    assert r.body.result is True, r.body.to_map()
    wait_status(describe_ls, client, lid, "active", "logstash %s active after deploying" % lid)
    assert client.list_pipeline(lid, m.ListPipelineRequest()).body.result[0].pipeline_status == "RUNNING"
    client.stop_pipelines(lid, m.StopPipelinesRequest(body=json.dumps(["sdk_in"])))
    wait_status(describe_ls, client, lid, "active", "logstash %s active after stopping" % lid)
    assert client.list_pipeline(lid, m.ListPipelineRequest()).body.result[0].pipeline_status == "NOT_DEPLOYED"
    config = client.describe_pipeline_management_config(lid, m.DescribePipelineManagementConfigRequest()).body.result
    assert config.pipeline_management_type == "MULTIPLE_PIPELINE" and config.pipeline_ids == ["sdk_in"], config.to_map()
    assert client.delete_pipelines(lid, m.DeletePipelinesRequest(pipeline_ids="sdk_in")).body.result is True
    assert client.list_pipeline(lid, m.ListPipelineRequest()).body.headers.x_total_count == 0
