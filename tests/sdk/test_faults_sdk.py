"""Fault rules (POST /_strato/faults) seen through the vendors' SDKs: a user's retry loop gets exactly the
configured error, the SDK raising it as it would for the cloud's own, then the real answer."""
import pytest
import requests
from alibabacloud_elasticsearch20170613 import models as m
from huaweicloudsdkcore.exceptions.exceptions import ServerResponseException
from huaweicloudsdkdws.v2 import ListClustersRequest

from clients import ali_expect_error, make_ali_client, make_client


def admin_token(strato):
    cr = strato["credentials"]
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": cr["user"], "password": cr["password"], "domain": {"name": cr["domain"]}}}},
        "scope": {"project": {"id": cr["project_id"]}}}}
    r = requests.post(strato["iam"] + "/v3/auth/tokens", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return r.headers["X-Subject-Token"]


@pytest.fixture
def faults(strato):
    """POSTs rules as the admin; every rule is cleared afterwards."""
    headers = {"X-Auth-Token": admin_token(strato)}

    def arm(rule):
        r = requests.post(strato["iam"] + "/_strato/faults", json=rule, headers=headers, timeout=10)
        assert r.status_code == 201, r.text
        return r.json()

    yield arm
    requests.delete(strato["iam"] + "/_strato/faults", headers=headers, timeout=10)


def retry(call, attempts=5):
    """A user's retry loop: the errors it saw, then the answer."""
    errors = []
    for _ in range(attempts):
        try:
            return errors, call()
        except Exception as e:  # the SDK's own exception types
            errors.append(e)
    raise AssertionError("never succeeded: %r" % errors)


def test_dws_sdk_raises_the_injected_error(strato, faults):
    client = make_client(strato)
    faults({"product": "dws", "operation": "ListClusters", "count": 2,
            "fault": {"type": "api_error", "status": 503, "code": "DWS.0001", "message": "injected outage"}})
    # A 5xx: the SDK raises its server-side exception, as for the cloud's own.
    with pytest.raises(ServerResponseException) as info:
        client.list_clusters(ListClustersRequest())
    assert (info.value.status_code, info.value.error_code) == (503, "DWS.0001")
    errors, resp = retry(lambda: client.list_clusters(ListClustersRequest()))
    assert [(e.status_code, e.error_code, e.error_msg) for e in errors] == [(503, "DWS.0001", "injected outage")]
    assert resp.count is not None


def test_alibaba_sdk_raises_the_injected_error(strato, faults):
    client = make_ali_client(strato)
    faults({"product": "aliyun_elasticsearch", "operation": "ListInstance", "count": 1,
            "fault": {"type": "api_error", "status": 400, "code": "Throttling.User", "message": "Request was denied due to user flow control."}})
    e = ali_expect_error(lambda: client.list_instance(m.ListInstanceRequest()), 400, "Throttling.User")
    assert e.message.startswith("code: 400, Request was denied due to user flow control."), e.message
    # Spent: the same call answers for real; Logstash was never affected.
    assert client.list_instance(m.ListInstanceRequest()).status_code == 200
    assert client.list_logstash(m.ListLogstashRequest()).status_code == 200
