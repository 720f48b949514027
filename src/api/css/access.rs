//! Security, public access and network handlers (and a Logstash cluster's
//! name and routes). Each change is recorded at once, refused while a task
//! holds the cluster; public access is served for real by strato's
//! forwarder, behind the white list when one is on.

use axum::extract::{Path, Query, State};
use axum::{Extension, Json};

use super::openapi::{CLUSTER_ID, PROJECT_ID, TAG_CLUSTERS};
use super::wire::{
    self, BandwidthRequest, ChangeNameRequest, Empty, ErrorBody, ModeChangeRequest, PublicAction, PublicOpenRequest, ResetPasswordRequest,
    RouteEntry, RouteList, RouteRequest, SecurityGroupRequest, SubnetRequest, WhiteListRequest,
};
use super::{project_and_cluster, Caller, CssError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::access::CssPublic;
use crate::core::cluster::Product;
use crate::core::error::Field;
use crate::core::{iso, CoreError};

type Ids = Path<(String, String)>;
type Body = Extension<RawBody>;

const REFUSED: &str = "An invalid body (CSS.0001), the cluster id is not a UUID (CSS.0001), the cluster busy (CSS.0011) or \
    in a state that does not allow it (CSS.5090).";
const NOT_FOUND: &str = "No such cluster in the project (CSS.3027).";

/// What asks for the state the cluster is in already answers CSS's own code for it.
fn already(e: CoreError, code: &'static str) -> CssError {
    match e {
        CoreError::Invalid { field: Field::Unchanged, message } => CssError::Coded(code, message),
        e => e.into(),
    }
}

async fn public(ctx: &Ctx, caller: &crate::auth::Principal, pid: &str, cid: &str, change: CssPublic, unchanged: &'static str) -> Result<(), CssError> {
    let (pid, id) = project_and_cluster(ctx, caller, pid, cid).await?;
    ctx.app.css_public(&pid, id, change).await.map_err(|e| already(e, unchanged))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/public/open", operation_id = "CreateBindPublic", tag = TAG_CLUSTERS,
    summary = "Open public access",
    description = "strato's forwarder serves the members at `publicIp` (the first member's address, port + 1), each \
        connection relayed to the members in turn: to every client, or, with `whiteList`, to those it names. Needs \
        HTTPS on (CSS.5310; recorded: the members serve HTTP). Open already: CSS.5159. The bandwidth (1-200) is recorded.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = PublicOpenRequest,
    responses(
        (status = 200, description = "Served.", body = PublicAction),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn open(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<PublicAction>, CssError> {
    let b: PublicOpenRequest = wire::decode(&body)?;
    let size = b.eip.and_then(|e| e.band_width).and_then(|w| w.size).ok_or_else(|| CoreError::invalid(Field::Bandwidth, "eip.bandWidth.size is required"))?;
    public(&ctx, &caller, &pid, &cid, CssPublic::Open { bandwidth: size, white_list: b.white_list }, "CSS.5159").await?;
    Ok(Json(PublicAction { action: "bindZone".into() }))
}

#[utoipa::path(
    put, path = "/v1.0/{project_id}/clusters/{cluster_id}/public/close", operation_id = "UpdateUnbindPublic", tag = TAG_CLUSTERS,
    summary = "Close public access",
    description = "The forwarder stops serving the public endpoint; the white list goes with it. Not open: CSS.5158.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "Closed.", body = PublicAction),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn close(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Result<Json<PublicAction>, CssError> {
    public(&ctx, &caller, &pid, &cid, CssPublic::Close, "CSS.5158").await?;
    Ok(Json(PublicAction { action: "unbindZone".into() }))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/public/bandwidth", operation_id = "UpdatePublicBandWidth", tag = TAG_CLUSTERS,
    summary = "Change the public bandwidth",
    description = "Recorded (1-200 Mbit/s, else CSS.0071): loopback is not metered.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = BandwidthRequest,
    responses(
        (status = 200, description = "Recorded.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn bandwidth(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let b: BandwidthRequest = wire::decode(&body)?;
    let size = b.band_width.and_then(|w| w.size).ok_or_else(|| CoreError::invalid(Field::Bandwidth, "bandWidth.size is required"))?;
    public(&ctx, &caller, &pid, &cid, CssPublic::Bandwidth(size), "CSS.0001").await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/public/whitelist/update", operation_id = "StartPublicWhitelist", tag = TAG_CLUSTERS,
    summary = "Set the public white list",
    description = "Only the addresses and CIDR blocks of `whiteList` (comma-separated; no private ones) may use the public \
        endpoint, from the moment this answers.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = WhiteListRequest,
    responses(
        (status = 200, description = "Enforced.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn white_list(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let list = wire::decode::<WhiteListRequest>(&body)?.white_list.unwrap_or_default();
    public(&ctx, &caller, &pid, &cid, CssPublic::WhiteList(list), "CSS.0001").await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    put, path = "/v1.0/{project_id}/clusters/{cluster_id}/public/whitelist/close", operation_id = "StopPublicWhitelist", tag = TAG_CLUSTERS,
    summary = "Turn the public white list off",
    description = "Every client may use the public endpoint again. No white list on: CSS.5181.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "Off.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn white_list_close(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Result<Json<Empty>, CssError> {
    public(&ctx, &caller, &pid, &cid, CssPublic::WhiteListClose, "CSS.5181").await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/mode/change", operation_id = "ChangeMode", tag = TAG_CLUSTERS,
    summary = "Change the security mode",
    description = "Recorded and shown as `authorityEnable` / `httpsEnable`: the members run without security (README). \
        HTTPS needs the security mode (CSS.5171), which needs `adminPwd`; HTTPS cannot go off while public access is open.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = ModeChangeRequest,
    responses(
        (status = 200, description = "Recorded.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn mode(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let b: ModeChangeRequest = wire::decode(&body)?;
    let required = |v: Option<bool>, name: &str| v.ok_or_else(|| CoreError::invalid(Field::Security, format!("{name} is required")));
    let (authority, https) = (required(b.authority_enable, "authorityEnable")?, required(b.https_enable, "httpsEnable")?);
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    ctx.app.css_security_mode(&pid, id, authority, https, b.admin_pwd).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/password/reset", operation_id = "ResetPassword", tag = TAG_CLUSTERS,
    summary = "Reset the administrator's password",
    description = "Only in the security mode (CSS.5090); checked (8-32 characters, three character classes, not `admin`), \
        not stored: the members run without security.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = ResetPasswordRequest,
    responses(
        (status = 200, description = "Done.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn reset_password(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let password = wire::decode::<ResetPasswordRequest>(&body)?.newpassword.unwrap_or_default();
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    ctx.app.css_reset_password(&pid, id, &password).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/sg/change", operation_id = "ChangeSecurityGroup", tag = TAG_CLUSTERS,
    summary = "Change the security group",
    description = "Recorded and shown as `securityGroupId` (loopback has no security groups).",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = SecurityGroupRequest,
    responses(
        (status = 200, description = "Recorded.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn security_group(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let sg = wire::decode::<SecurityGroupRequest>(&body)?.security_group_ids.unwrap_or_default();
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    ctx.app.set_search_network(&pid, id, Product::Css, Some(sg), None).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/subnet/change", operation_id = "ChangeClusterSubnet", tag = TAG_CLUSTERS,
    summary = "Change the subnet",
    description = "Recorded and shown as `subnetId` (loopback has no subnets).",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = SubnetRequest,
    responses(
        (status = 200, description = "Recorded.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn subnet(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let subnet = wire::decode::<SubnetRequest>(&body)?.subnet_id.unwrap_or_default();
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    ctx.app.set_search_network(&pid, id, Product::Css, None, Some(subnet)).await?;
    Ok(Json(Empty {}))
}

async fn vpcep(ctx: &Ctx, caller: &crate::auth::Principal, pid: &str, cid: &str) -> CssError {
    let found = match project_and_cluster(ctx, caller, pid, cid).await {
        Ok((pid, id)) => ctx.app.show(&pid, id, Product::Css).await.map_err(CssError::from),
        Err(e) => return e,
    };
    match found {
        Ok(_) => CssError::Coded("CSS.5182", "the VPC endpoint service is not enabled for this cluster (strato runs none)".into()),
        Err(e) => e,
    }
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters/{cluster_id}/vpcepservice/connections", operation_id = "ShowVpcepConnection", tag = TAG_CLUSTERS,
    summary = "List VPC endpoint connections",
    description = "strato runs no VPC endpoint service: CSS.5182, as CSS answers for a cluster without one (the Huawei \
        provider reads this on every refresh and takes CSS.5182 as none).",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 400, description = "No VPC endpoint service (CSS.5182), or the cluster id is not a UUID (CSS.0001).", body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn vpcep_connections(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> CssError {
    vpcep(&ctx, &caller, &pid, &cid).await
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/vpcepservice/connections", operation_id = "UpdateVpcepConnection", tag = TAG_CLUSTERS,
    summary = "Change VPC endpoint connections",
    description = "strato runs no VPC endpoint service: CSS.5182.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 400, description = "No VPC endpoint service (CSS.5182), or the cluster id is not a UUID (CSS.0001).", body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn vpcep_update(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> CssError {
    vpcep(&ctx, &caller, &pid, &cid).await
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/changename", operation_id = "UpdateClusterName", tag = TAG_CLUSTERS,
    summary = "Rename a cluster",
    description = "`displayName` (the cluster's name rules; free in the project, else CSS.5050) and/or `desc`, at once.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = ChangeNameRequest,
    responses(
        (status = 200, description = "Renamed.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn change_name(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let b: ChangeNameRequest = wire::decode(&body)?;
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    let name = match b.display_name {
        Some(n) => n,
        None if b.desc.is_some() => ctx.app.show(&pid, id, Product::Css).await?.cluster.spec.name().to_string(),
        None => return Err(CoreError::invalid(Field::Name, "displayName or desc is required").into()),
    };
    ctx.app.rename_search(&pid, id, Product::Css, name, b.desc).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/route", operation_id = "UpdateRoute", tag = TAG_CLUSTERS,
    summary = "Add or delete a static route (Logstash)",
    description = "`configtype` `add_ip` (the address again replaces its route) or `del_ip`; recorded and listed (the \
        members use the machine's routes). Only Logstash clusters have routes (CSS.5090).",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = RouteRequest,
    responses(
        (status = 200, description = "Recorded.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn route(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let b: RouteRequest = wire::decode(&body)?;
    let add = match b.configtype.as_deref() {
        Some("add_ip") => true,
        Some("del_ip") => false,
        other => return Err(CoreError::invalid(Field::Route, format!("configtype must be add_ip or del_ip, got {other:?}")).into()),
    };
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    ctx.app.css_route(&pid, id, add, b.configkey.unwrap_or_default(), b.configvalue.unwrap_or_default()).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters/{cluster_id}/route", operation_id = "ListRoutes", tag = TAG_CLUSTERS,
    summary = "List static routes",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = String, Path, description = CLUSTER_ID),
        ("offset" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "The first route, from 1."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Routes per page (10 by default)."),
    ),
    responses(
        (status = 200, description = "The routes.", body = RouteList),
        (status = 400, description = "A bad offset or limit, or the cluster id is not a UUID (CSS.0001).", body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn routes(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Query(q): Query<std::collections::HashMap<String, String>>) -> Result<Json<RouteList>, CssError> {
    let number = |key: &str, default: usize| -> Result<usize, CssError> {
        match q.get(key) {
            None => Ok(default),
            Some(v) => v.trim().parse::<usize>().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| {
                CoreError::invalid(Field::Route, format!("{key} must be an integer between 1 and 1000, got `{v}`")).into()
            }),
        }
    };
    let (offset, limit) = (number("offset", 1)?, number("limit", 10)?);
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    let view = ctx.app.show(&pid, id, Product::Css).await?;
    let all = view.cluster.spec.search().map(|s| s.routes.clone()).unwrap_or_default();
    let route_resps = all
        .iter()
        .skip(offset - 1)
        .take(limit)
        .map(|r| RouteEntry { ip_address: r.ip.clone(), ip_net_mask: r.netmask.clone(), update_at: iso(r.updated_at) })
        .collect();
    Ok(Json(RouteList { route_resps, total_size: all.len() as u64 }))
}
