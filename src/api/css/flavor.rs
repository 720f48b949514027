//! Flavor changes (`flavor`, `{types}/flavor`): one durable change task that
//! stops each member, rewrites its configuration for the new flavor and starts
//! it again, the cluster whole before the next (`actions` `["REBOOTING"]`
//! meanwhile; `specCode` the new flavor once done).

use axum::extract::{Path, State};
use axum::{Extension, Json};

use super::openapi::{CLUSTER_ID, PROJECT_ID, TAG_CLUSTERS};
use super::wire::{self, Empty, ErrorBody, FlavorRequest};
use super::{Caller, CssError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::app::SearchChange;
use crate::core::cluster::Product;
use crate::core::error::Field;
use crate::core::CoreError;

type Body = Extension<RawBody>;

async fn change_flavor(ctx: &Ctx, caller: &crate::auth::Principal, pid: &str, cid: &str, role: Option<&str>, body: &[u8]) -> Result<Json<Empty>, CssError> {
    let req = wire::decode::<FlavorRequest>(body)?;
    match req.operation_type.as_deref().map(str::trim) {
        None | Some("") | Some("vm") => {}
        Some("volume") => return Err(CoreError::NotSupported("changing the disk type (operationType volume)".into()).into()),
        Some(other) => return Err(CoreError::invalid(Field::Flavor, format!("operationType must be vm or volume, got `{other}`")).into()),
    }
    let (pid, id, view) = super::scaling::target(ctx, caller, pid, cid).await?;
    let spec = super::scaling::spec_of(&view)?;
    let role = match role {
        Some(r) => crate::core::roles::MemberRole::parse_css(r, spec.datastore)?,
        None => crate::core::roles::MemberRole::Data,
    };
    if role != crate::core::roles::MemberRole::Data && spec.dedicated_role(role).is_none() {
        return Err(CoreError::invalid(Field::Flavor, format!("the cluster has no {} members", role.css(spec.datastore))).into());
    }
    ctx.app.change(&pid, id, Product::Css, SearchChange { role: Some(role), flavor: Some(req.new_flavor_id), ..Default::default() }).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/flavor", operation_id = "UpdateFlavor", tag = TAG_CLUSTERS,
    summary = "Change the members' flavor",
    description = "Every member is stopped, given the new flavor (`newFlavorId`: a `flavor_id` of es-flavors, or a \
        flavor name) in its configuration and started again, one at a time; `actions` is `[\"REBOOTING\"]` until \
        done, then `instances[].specCode` is the new flavor. The flavor does not limit the process (README).",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = FlavorRequest,
    responses(
        (status = 200, description = "Accepted.", body = Empty),
        (status = 400, description = "An unknown or unchanged flavor (CSS.0001), the cluster busy (CSS.0011) or not running (CSS.5090).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn update(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Path<(String, String)>, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    change_flavor(&ctx, &caller, &pid, &cid, None, &body).await
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/{types}/flavor", operation_id = "UpdateFlavorByType", tag = TAG_CLUSTERS,
    summary = "Change one role's flavor",
    description = "As `UpdateFlavor`, for the members of role `types` (`ess`, `ess-master`, `ess-client`, `ess-cold`; \
        `lgs` for Logstash); a role the cluster has no members of is CSS.0001.",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = String, Path, description = CLUSTER_ID),
        ("types" = String, Path, description = "The role: `ess`, `ess-master`, `ess-client`, `ess-cold` (`lgs`)."),
    ),
    request_body = FlavorRequest,
    responses(
        (status = 200, description = "Accepted.", body = Empty),
        (status = 400, description = "An unknown role, an unknown or unchanged flavor (CSS.0001), the cluster busy (CSS.0011) or not running (CSS.5090).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn update_by_type(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid, types)): Path<(String, String, String)>,
    Extension(RawBody(body)): Body,
) -> Result<Json<Empty>, CssError> {
    change_flavor(&ctx, &caller, &pid, &cid, Some(&types), &body).await
}
