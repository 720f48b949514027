"""SDK clients shared by the SDK tests: huaweicloudsdkdws (v2 DwsClient, AK/SK signed) and otcextensions
(openstacksdk connection, Keystone password token), plus the small per-SDK helpers the tests repeat.

Kept apart from helpers.py so that conftest.py (which imports helpers) does not load the SDKs.
"""
import openstack
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkdws.v2 import DwsClient, ListClusterDetailsRequest
from otcextensions import sdk

from helpers import wait_for


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
