"""An operation of a vendor's SDK that strato does not emulate: the SDK raises the dialect's own error, HTTP 501
with a code that says so (DWS.0501, CSS.0501, OperationNotEmulated) and a message naming the operation, never a
bare "no such API"; nothing changes. docs/operations.md lists what is emulated."""
import uuid

import pytest
from alibabacloud_elasticsearch20170613 import models as ali_models
from huaweicloudsdkcore.exceptions.exceptions import ServerResponseException
from huaweicloudsdkcss.v1 import ShowClusterTagRequest
from huaweicloudsdkdws.v2 import ListClustersRequest, ListQuotasRequest

from clients import make_ali_client, make_client, make_css_client


def expect_not_emulated(fn, code, operation):
    with pytest.raises(ServerResponseException) as info:
        fn()
    e = info.value
    assert (e.status_code, e.error_code) == (501, code), (e.status_code, e.error_code, e.error_msg)
    assert "does not emulate %s" % operation in e.error_msg, e.error_msg


def test_dws_sdk_names_the_operation_strato_does_not_emulate(strato):
    client = make_client(strato)
    before = client.list_clusters(ListClustersRequest()).count
    expect_not_emulated(lambda: client.list_quotas(ListQuotasRequest()), "DWS.0501", "ListQuotas")
    assert client.list_clusters(ListClustersRequest()).count == before


def test_css_sdk_names_the_operation_strato_does_not_emulate(strato):
    client = make_css_client(strato)
    request = ShowClusterTagRequest(cluster_id=str(uuid.uuid4()))
    expect_not_emulated(lambda: client.show_cluster_tag(request), "CSS.0501", "ShowClusterTag")


def test_alibaba_sdk_names_the_operation_strato_does_not_emulate(strato):
    client = make_ali_client(strato)
    with pytest.raises(Exception) as info:
        client.describe_elasticsearch_health("es-cn-notthere")
    e = info.value
    assert (getattr(e, "status_code", None), getattr(e, "code", None)) == (501, "OperationNotEmulated"), repr(e)
    assert "does not emulate DescribeElasticsearchHealth" in e.data["Message"], e.data
    assert isinstance(client.list_instance(ali_models.ListInstanceRequest()).body.result, list)
