"""SDK clients shared by the SDK tests: huaweicloudsdkdws (v2 DwsClient, AK/SK signed), otcextensions
(openstacksdk connection, Keystone password token) and a plain-HTTP Zilliz Cloud v2 client (requests, bearer API
key; there is no official Python SDK for the v2 control plane), plus the small per-SDK helpers the tests repeat.

Kept apart from helpers.py so that conftest.py (which imports helpers) does not load the SDKs.
"""
import openstack
import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
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
# otcextensions (Keystone)

def make_conn(strato, password=None):
    """An openstacksdk connection to strato's IAM with the otcextensions services (dws) registered."""
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

    def call(self, method, path, body=None, params=None):
        resp = self.http.request(method, self.base + path, json=body, params=params, timeout=ZILLIZ_TIMEOUT)
        assert resp.status_code == 200, "%s %s -> HTTP %s: %s" % (method, path, resp.status_code, resp.text[:500])
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

    def expect_code(self, code, method, path, body=None, params=None):
        """The call must fail with this code; returns the envelope."""
        doc = self.call(method, path, body, params)
        assert doc["code"] == code, "%s %s: expected code %s, got %r" % (method, path, code, doc)
        return doc

    # -- clusters ------------------------------------------------------------------------------------------------

    def create_dedicated(self, name, cu_size=1, cu_type="Performance-optimized", plan="Standard", region="local"):
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
