"""SDK clients shared by the SDK tests: huaweicloudsdkdws (v2 DwsClient) and huaweicloudsdkcss (v1 CssClient),
both AK/SK signed, otcextensions (openstacksdk connection, Keystone password token; dws and css), the Alibaba
Elasticsearch/Logstash SDK (alibabacloud_elasticsearch20170613, ACS3-HMAC-SHA256 or legacy HMAC-SHA1) and a
plain-HTTP Zilliz Cloud v2 client (requests, bearer API key; there is no official Python SDK for the v2 control
plane), plus the small per-SDK helpers the tests repeat.

Kept apart from helpers.py so that conftest.py (which imports helpers) does not load the SDKs.
"""
from urllib.parse import urlsplit

import openstack
import pytest
import requests
from alibabacloud_elasticsearch20170613.client import Client as _AliEsClient
from alibabacloud_tea_openapi import models as ali_openapi_models
from alibabacloud_tea_openapi.exceptions import ClientException as AliClientException
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcss.v1 import CssClient, ShowClusterDetailRequest
from huaweicloudsdkdws.v2 import DwsClient, ListClusterDetailsRequest
from otcextensions import sdk

from helpers import MAX_WAIT, wait_for


# ---------------------------------------------------------------------------------------------------------------
# huaweicloudsdkdws

def http_config():
    cfg = HttpConfig.get_default_config()
    cfg.timeout = (5, 60)  # (connect, read) seconds: a hung server fails the test instead of hanging it
    return cfg


def make_client(strato, secret_key=None, access_key=None):
    """A DwsClient for strato's DWS listener with the credentials from endpoints.json (either key overridable)."""
    cr = strato["credentials"]
    return (DwsClient.new_builder()
            .with_credentials(BasicCredentials(access_key or cr["access_key"], secret_key or cr["secret_key"],
                                               cr["project_id"]))
            .with_endpoint(strato["dws"])
            .with_http_config(http_config())
            .build())


def detail(client, cid):
    return client.list_cluster_details(ListClusterDetailsRequest(cluster_id=cid)).cluster


def wait_available(client, cid, what):
    """Poll list_cluster_details until AVAILABLE with no task running."""
    return wait_for(lambda: detail(client, cid),
                    lambda c: c.status == "AVAILABLE" and c.task_status is None,
                    what,
                    fail=lambda c: c.status in ("CREATION FAILED", "DELETED"))


def expect_error(fn, status, code):
    """fn() must raise ClientRequestException with this HTTP status and error_code, and an error_msg."""
    with pytest.raises(ClientRequestException) as info:
        fn()
    e = info.value
    assert (e.status_code, e.error_code) == (status, code), \
        "expected HTTP %s %s, got %s %s: %s" % (status, code, e.status_code, e.error_code, e.error_msg)
    assert e.error_msg, "error response without error_msg: %r" % (e,)
    return e


# ---------------------------------------------------------------------------------------------------------------
# huaweicloudsdkcss (v1 CssClient, AK/SK signed, its own listener)

CSS_WAIT = 45.0  # a 2-member osmem cluster is ready in well under a second here; this only bounds a broken run


def make_css_client(strato, secret_key=None):
    """A CssClient for strato's CSS listener with the credentials from endpoints.json (secret overridable)."""
    cr = strato["credentials"]
    return (CssClient.new_builder()
            .with_credentials(BasicCredentials(cr["access_key"], secret_key or cr["secret_key"], cr["project_id"]))
            .with_endpoint(strato["css"])
            .with_http_config(http_config())
            .build())


def css_detail(client, cid):
    return client.show_cluster_detail(ShowClusterDetailRequest(cluster_id=cid))


def css_ready(d):
    """The clients' ready rule: status "200", no action running, every instance "200"."""
    return (d.status == "200" and not d.actions and bool(d.instances)
            and all(i.status == "200" for i in d.instances))


def css_wait_ready(client, cid, what, seen=None, interval=0.1):
    """Poll show_cluster_detail until css_ready; every (status, actions) polled is appended to `seen`."""
    def fetch():
        d = css_detail(client, cid)
        if seen is not None:
            seen.append((d.status, tuple(d.actions or ())))
        return d

    return wait_for(fetch, css_ready, what, timeout=CSS_WAIT, interval=interval,
                    fail=lambda d: d.failed_reason is not None)


def css_members(detail):
    """The "ip:port" members of a CSS detail's `endpoint` ("ip:port,ip:port")."""
    members = [m for m in (detail.endpoint or "").split(",") if m]
    for m in members:
        host, _, port = m.rpartition(":")
        assert host and port.isdigit(), "endpoint member %r is not ip:port (endpoint %r)" % (m, detail.endpoint)
    return members


# ---------------------------------------------------------------------------------------------------------------
# The OpenSearch REST API of a search member (osmem-server stand-in): each member is an independent server.

SEARCH_TIMEOUT = (3, 15)


def member_answers(address):
    """Whether the search member at "host:port" answers `GET /` with 200."""
    try:
        return requests.get("http://%s/" % address, timeout=(1, 5)).status_code == 200
    except requests.RequestException:
        return False


def index_and_search(address, index, doc_id, doc, query):
    """Index `doc` on one member (refresh=true), then search it with `q=query`; return the hit ids."""
    base = "http://%s/%s" % (address, index)
    put = requests.put("%s/_doc/%s" % (base, doc_id), params={"refresh": "true"}, json=doc, timeout=SEARCH_TIMEOUT)
    assert put.status_code in (200, 201), "PUT %s/_doc/%s -> %s: %s" % (base, doc_id, put.status_code, put.text[:300])
    assert put.json().get("result") in ("created", "updated"), "index answer: %s" % put.text[:300]
    got = requests.get("%s/_search" % base, params={"q": query}, timeout=SEARCH_TIMEOUT)
    assert got.status_code == 200, "GET %s/_search?q=%s -> %s: %s" % (base, query, got.status_code, got.text[:300])
    hits = got.json()["hits"]
    return [h["_id"] for h in hits["hits"]], [h["_source"] for h in hits["hits"]]


# ---------------------------------------------------------------------------------------------------------------
# alibabacloud_elasticsearch20170613 (ROA 2017-06-13; ACS3-HMAC-SHA256, or acs AK:sig HMAC-SHA1 with 'v2')

ALI_WAIT = 45.0


class AliClient(_AliEsClient):
    """The SDK's Client, keeping the JSON body of its last answer in `last_body`.

    Requests are exactly the SDK's own. Two things the SDK 5.4.1 models drop are needed here: createInstance is
    generated with body_type 'none' (the documented {"RequestId","Result":{"instanceId"}} is discarded, so it is
    read as JSON instead), and DescribeInstance's model has neither `endpointList` nor `clusterTasks`.
    """

    last_body = None

    def call_api(self, params, request, runtime):
        if params.action == "createInstance" and params.body_type == "none":
            params.body_type = "json"
        result = super().call_api(params, request, runtime)
        self.last_body = result.get("body") if isinstance(result, dict) else None
        return result


def make_ali_client(strato, secret_key=None, legacy=False):
    """An Alibaba Elasticsearch/Logstash client for strato's Alibaba listener with the bootstrap access key.

    The endpoint is host:port only with protocol http (a scheme or path in it breaks the signature); legacy=True
    selects the old ROA signature (`authorization: acs AK:base64(HMAC-SHA1)`) with signature_algorithm='v2'.
    """
    cr = strato["credentials"]
    extra = {"signature_algorithm": "v2"} if legacy else {}
    return AliClient(ali_openapi_models.Config(
        access_key_id=cr["access_key"], access_key_secret=secret_key or cr["secret_key"],
        endpoint=urlsplit(strato["aliyun"]).netloc, protocol="http",
        connect_timeout=5000, read_timeout=60000, **extra))


def ali_expect_error(fn, status, code):
    """fn() must raise the SDK's ClientException with this HTTP status and Code, a Message and a RequestId."""
    with pytest.raises(AliClientException) as info:
        fn()
    e = info.value
    assert (e.status_code, e.code) == (status, code), \
        "expected HTTP %s %s, got %s %s: %s" % (status, code, e.status_code, e.code, e.message)
    assert e.data and e.data.get("Message") and e.data.get("RequestId"), "error body: %r" % (e.data,)
    return e


# ---------------------------------------------------------------------------------------------------------------
# otcextensions (Keystone)

def make_conn(strato, password=None):
    """An openstacksdk connection to strato's IAM with the otcextensions services (dws, css) registered."""
    cr = strato["credentials"]
    conn = openstack.connect(
        auth_url=strato["iam"] + "/v3",
        username=cr["user"], password=password or cr["password"],
        user_domain_name=cr["domain"],
        project_name=cr["project"], project_domain_name=cr["domain"],
        region_name=strato["region"], identity_api_version="3",
        api_timeout=60)
    sdk.register_otc_extensions(conn)
    return conn


def otc_wait_available(conn, cid, what):
    """Poll conn.dws.get_cluster until AVAILABLE with no task running."""
    return wait_for(lambda: conn.dws.get_cluster(cid),
                    lambda c: c.status == "AVAILABLE" and not c.task_status,
                    what,
                    fail=lambda c: c.status in ("CREATION FAILED", "DELETED"))


# ---------------------------------------------------------------------------------------------------------------
# Zilliz Cloud v2 control plane (plain HTTP)

ZILLIZ_TIMEOUT = (5, 60)  # (connect, read) seconds for every control-plane call


class ZillizError(AssertionError):
    """A Zilliz v2 call answered {"code": N != 0, "message": ...}."""

    def __init__(self, method, path, body):
        self.code, self.message, self.body = body.get("code"), body.get("message"), body
        super().__init__("%s %s -> code %s: %s" % (method, path, self.code, self.message))


class ZillizClient:
    """The Zilliz v2 REST API of strato's Zilliz listener, authenticated with `Authorization: Bearer <api_key>`.

    call() returns the whole envelope (for error-code checks); the named methods return `data` and raise
    ZillizError when code is not 0. Every answer must be HTTP 200 with a JSON object carrying `code`.
    """

    def __init__(self, strato, api_key=None):
        self.base = strato["zilliz"].rstrip("/")
        self.project_id = strato["credentials"]["project_id"]
        self.http = requests.Session()
        if api_key is not False:  # False: send no Authorization header at all
            self.http.headers["Authorization"] = "Bearer %s" % (api_key or strato["credentials"]["api_key"])
        self.http.headers["Accept"] = "application/json"

    def close(self):
        self.http.close()

    def call(self, method, path, body=None, params=None, status=200):
        resp = self.http.request(method, self.base + path, json=body, params=params, timeout=ZILLIZ_TIMEOUT)
        assert resp.status_code == status, "%s %s -> HTTP %s: %s" % (method, path, resp.status_code, resp.text[:500])
        doc = resp.json()
        assert isinstance(doc, dict) and isinstance(doc.get("code"), int), "%s %s -> not an envelope: %r" % (
            method, path, doc)
        if doc["code"] == 0:
            assert "data" in doc, "%s %s -> code 0 without data: %r" % (method, path, doc)
        else:
            assert isinstance(doc.get("message"), str) and doc["message"], \
                "%s %s -> error without a message: %r" % (method, path, doc)
        return doc

    def data(self, method, path, body=None, params=None):
        doc = self.call(method, path, body, params)
        if doc["code"] != 0:
            raise ZillizError(method, path, doc)
        return doc["data"]

    def expect_code(self, code, method, path, body=None, params=None, status=200):
        """The call must fail with this code (and HTTP status: Zilliz answers request errors with 200); returns the
        envelope."""
        doc = self.call(method, path, body, params, status)
        assert doc["code"] == code, "%s %s: expected code %s, got %r" % (method, path, code, doc)
        return doc

    # -- clusters ------------------------------------------------------------------------------------------------

    def create_dedicated(self, name, cu_size=1, cu_type="Performance-optimized", plan="Standard", region="aws-us-west-2"):
        return self.data("POST", "/v2/clusters/createDedicated", {
            "clusterName": name, "projectId": self.project_id, "regionId": region,
            "plan": plan, "cuType": cu_type, "cuSize": cu_size})

    def describe(self, cid):
        return self.data("GET", "/v2/clusters/%s" % cid)

    def list(self, page_size=None, current_page=None):
        params = {k: v for k, v in (("pageSize", page_size), ("currentPage", current_page)) if v is not None}
        return self.data("GET", "/v2/clusters", params=params)

    def suspend(self, cid):
        return self.data("POST", "/v2/clusters/%s/suspend" % cid)

    def resume(self, cid):
        return self.data("POST", "/v2/clusters/%s/resume" % cid)

    def modify(self, cid, cu_size):
        return self.data("POST", "/v2/clusters/%s/modify" % cid, {"cuSize": cu_size})

    def drop(self, cid):
        return self.data("DELETE", "/v2/clusters/%s/drop" % cid)

    # -- waiting -------------------------------------------------------------------------------------------------

    def wait_status(self, cid, status, timeout=MAX_WAIT, seen=None, interval=0.2):
        """Describe `cid` until its status is `status`; return that description.

        Bounded by `timeout` seconds. If `seen` is a list, every description polled is appended to it (to check
        the states passed through). A describe error (e.g. 96018 after a drop) ends the wait at once.
        """
        def fetch():
            doc = self.call("GET", "/v2/clusters/%s" % cid)
            if doc["code"] != 0:
                return doc
            if seen is not None:
                seen.append(doc["data"])
            return doc["data"]

        return wait_for(fetch, lambda d: d.get("status") == status, "cluster %s to be %s" % (cid, status),
                        timeout=timeout, interval=interval, fail=lambda d: "code" in d)

    def wait_gone(self, cid, timeout=MAX_WAIT):
        """Describe `cid` until it answers 96018 (cluster not found)."""
        return wait_for(lambda: self.call("GET", "/v2/clusters/%s" % cid), lambda d: d["code"] == 96018,
                        "cluster %s to be gone (96018)" % cid, timeout=timeout, interval=0.25,
                        fail=lambda d: d["code"] not in (0, 96018))
