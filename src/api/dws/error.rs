//! DWS error envelope `{"error_code":"DWS.xxxx","error_msg":"..."}` and the
//! one table mapping every internal error to its status and code; `CODES`
//! documents them all (the document's error schema is generated from it).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::wire::ErrorBody;

use crate::api::auth::Rejection;
use crate::api::sdk_catalog::{self, SdkOperation};
use crate::api::HttpRefusal;
use crate::auth::AuthError;
use crate::core::error::Field;
use crate::core::CoreError;

#[derive(Debug)]
pub enum DwsError {
    Core(CoreError),
    Auth(AuthError),
    Http(HttpRefusal),
    NoRoute(String),
    /// An operation of the DWS SDK that strato does not emulate.
    NotEmulated(&'static SdkOperation),
}

impl From<CoreError> for DwsError {
    fn from(e: CoreError) -> Self {
        DwsError::Core(e)
    }
}

impl From<AuthError> for DwsError {
    fn from(e: AuthError) -> Self {
        DwsError::Auth(e)
    }
}

/// Every code this dialect answers, with its HTTP status and when. A test
/// checks that every error maps to one of its rows and every row is answered.
pub const CODES: &[(&str, StatusCode, &str)] = &[
    (
        "DWS.0001",
        StatusCode::BAD_REQUEST,
        "An id in the path or body is not a UUID, the operation is not supported for the cluster, or the path or \
         query cannot be decoded.",
    ),
    ("DWS.0002", StatusCode::UNAUTHORIZED, "No `X-Auth-Token` or signature, or an invalid, expired or unscoped one."),
    (
        "DWS.0004",
        StatusCode::BAD_REQUEST,
        "The body is not JSON, not an object, misses a required object, or a field has the wrong type (the message names it).",
    ),
    ("DWS.0004", StatusCode::REQUEST_TIMEOUT, "The body did not arrive in time."),
    ("DWS.0005", StatusCode::PAYLOAD_TOO_LARGE, "The body exceeds 1 MiB (refused before it is read)."),
    ("DWS.0006", StatusCode::UNSUPPORTED_MEDIA_TYPE, "A body not declared `application/json`."),
    ("DWS.0015", StatusCode::FORBIDDEN, "The caller may not act in the path's project."),
    ("DWS.0047", StatusCode::NOT_FOUND, "No such cluster in the project."),
    ("DWS.0102", StatusCode::BAD_REQUEST, "An invalid ELB id, another ELB already bound, or not the bound one."),
    ("DWS.0048", StatusCode::NOT_FOUND, "No such job in the project."),
    ("DWS.0049", StatusCode::NOT_FOUND, "The cluster has no tag with that key (a delete of one tag)."),
    ("DWS.0404", StatusCode::NOT_FOUND, "No such API: a path that is not in this document."),
    ("DWS.0404", StatusCode::METHOD_NOT_ALLOWED, "The path does not take the method (`Allow` lists those it takes)."),
    (
        "DWS.0501",
        StatusCode::NOT_IMPLEMENTED,
        "An operation of the DWS SDK that strato does not emulate (the message names it; docs/operations.md lists them).",
    ),
    ("DWS.5001", StatusCode::BAD_REQUEST, "Invalid `user_name`."),
    ("DWS.5006", StatusCode::BAD_REQUEST, "Invalid `node_type`: not one of `ListNodeTypes`."),
    ("DWS.5011", StatusCode::BAD_REQUEST, "Invalid `availability_zone`."),
    ("DWS.5013", StatusCode::BAD_REQUEST, "Invalid `user_pwd`."),
    ("DWS.5014", StatusCode::BAD_REQUEST, "Missing `vpc_id`."),
    ("DWS.5015", StatusCode::BAD_REQUEST, "Missing `subnet_id`."),
    ("DWS.5016", StatusCode::BAD_REQUEST, "Missing `security_group_id`."),
    ("DWS.5037", StatusCode::BAD_REQUEST, "A parameter that does not exist (`UpdateConfiguration`)."),
    (
        "DWS.5038",
        StatusCode::BAD_REQUEST,
        "A value out of range: `port`, `public_ip`, `number_of_cn`, a snapshot's `description`, the snapshot policy, \
         or a parameter's value.",
    ),
    ("DWS.5039", StatusCode::BAD_REQUEST, "The same parameter and role twice in one update."),
    ("DWS.5050", StatusCode::CONFLICT, "A cluster or snapshot of that name exists in the project."),
    ("DWS.5054", StatusCode::BAD_REQUEST, "Not the cluster's parameter group (`configuration_id`)."),
    ("DWS.5057", StatusCode::BAD_REQUEST, "Invalid cluster or snapshot `name`."),
    ("DWS.5133", StatusCode::BAD_REQUEST, "An invalid EIP id, another EIP already bound, or not the bound one."),
    (
        "DWS.5090",
        StatusCode::CONFLICT,
        "The cluster's (or snapshot's) state, or the operation it is running, does not allow this one.",
    ),
    ("DWS.5091", StatusCode::BAD_REQUEST, "Invalid `number_of_node`."),
    ("DWS.5149", StatusCode::NOT_FOUND, "No such snapshot (or snapshot policy strategy) in the project."),
    ("DWS.5194", StatusCode::BAD_REQUEST, "Invalid `tags`."),
    (
        "DWS.6000",
        StatusCode::SERVICE_UNAVAILABLE,
        "strato's: the engine (PostgreSQL) is not installed on this server (the message says how to install it), \
         or no node address or port is free; nothing was created.",
    ),
    ("DWS.9999", StatusCode::INTERNAL_SERVER_ERROR, "An internal error (see the server log)."),
];

fn field_code(f: Field) -> &'static str {
    match f {
        Field::Name => "DWS.5057",
        Field::UserName => "DWS.5001",
        Field::UserPwd => "DWS.5013",
        Field::NodeType => "DWS.5006",
        Field::NumberOfNode => "DWS.5091",
        Field::Port | Field::PublicIp | Field::NumberOfCn => "DWS.5038",
        Field::VpcId => "DWS.5014",
        Field::SubnetId => "DWS.5015",
        Field::SecurityGroupId => "DWS.5016",
        Field::AvailabilityZone => "DWS.5011",
        Field::Tags | Field::TagValue => "DWS.5194",
        Field::SnapshotName => "DWS.5057",
        Field::SnapshotDescription | Field::SnapshotPolicy | Field::Timezone | Field::MaintainWindow | Field::Volume => "DWS.5038",
        Field::Parameter => "DWS.5037",
        Field::ParameterValue => "DWS.5038",
        Field::ParameterDuplicate => "DWS.5039",
        Field::ParameterGroup => "DWS.5054",
        Field::EipId => "DWS.5133",
        Field::ElbId => "DWS.0102",
        // Vector-cluster fields never reach DWS.
        Field::Region | Field::Plan | Field::CuType | Field::CuSize | Field::Description => "DWS.5038",
        Field::Version | Field::Datastore | Field::Flavor | Field::EngineSetting | Field::Unchanged => "DWS.5038",
        Field::Network | Field::WhiteIp | Field::Pipeline | Field::Restart | Field::Bandwidth | Field::Security | Field::Route => "DWS.5038",
    }
}

impl DwsError {
    /// Status and code for every error; documented in README.md.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            DwsError::Core(e) => match e {
                CoreError::Invalid { field, .. } => (StatusCode::BAD_REQUEST, field_code(*field)),
                CoreError::MalformedBody(_) => (StatusCode::BAD_REQUEST, "DWS.0004"),
                CoreError::BadId(_) => (StatusCode::BAD_REQUEST, "DWS.0001"),
                CoreError::ClusterNotFound(_) => (StatusCode::NOT_FOUND, "DWS.0047"),
                CoreError::JobNotFound(_) => (StatusCode::NOT_FOUND, "DWS.0048"),
                CoreError::TagNotFound(_) => (StatusCode::NOT_FOUND, "DWS.0049"),
                CoreError::NameTaken(_) | CoreError::SnapshotNameTaken(_) => (StatusCode::CONFLICT, "DWS.5050"),
                CoreError::SnapshotNotFound(_) => (StatusCode::NOT_FOUND, "DWS.5149"),
                CoreError::SnapshotState { .. } => (StatusCode::CONFLICT, "DWS.5090"),
                CoreError::Busy { .. } | CoreError::WrongState { .. } | CoreError::Conflict(_) => {
                    (StatusCode::CONFLICT, "DWS.5090")
                }
                CoreError::AddressesExhausted | CoreError::PortsExhausted => (StatusCode::SERVICE_UNAVAILABLE, "DWS.6000"),
                CoreError::NotSupported(_) | CoreError::NotDedicated { .. } => (StatusCode::BAD_REQUEST, "DWS.0001"),
                CoreError::EngineUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "DWS.6000"),
                // An option strato does not run; the message says so.
                CoreError::NotEmulated(_) => (StatusCode::BAD_REQUEST, "DWS.0001"),
                // Zilliz's projects never reach this dialect.
                CoreError::PlanDowngrade | CoreError::ProjectNotFound(_) => (StatusCode::BAD_REQUEST, "DWS.0001"),
                CoreError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "DWS.9999"),
            },
            DwsError::Auth(e) => match e {
                AuthError::Missing
                | AuthError::BadCredentials
                | AuthError::BadToken
                | AuthError::UnknownAccessKey
                | AuthError::BadSignature(_)
                | AuthError::BadScope => (StatusCode::UNAUTHORIZED, "DWS.0002"),
                AuthError::Forbidden(_) => (StatusCode::FORBIDDEN, "DWS.0015"),
                AuthError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "DWS.9999"),
            },
            DwsError::Http(r) => {
                let code = match r {
                    HttpRefusal::TooLarge => "DWS.0005",
                    HttpRefusal::BodyTimeout | HttpRefusal::BadBody(_) => "DWS.0004",
                    HttpRefusal::ContentType(_) => "DWS.0006",
                    HttpRefusal::Framework { status, .. } if status.is_server_error() => "DWS.9999",
                    HttpRefusal::Framework { status, .. } if status.is_client_error() && *status != StatusCode::BAD_REQUEST => {
                        "DWS.0404"
                    }
                    HttpRefusal::Framework { .. } => "DWS.0001",
                };
                (r.status(), code)
            }
            DwsError::NoRoute(_) => (StatusCode::NOT_FOUND, "DWS.0404"),
            DwsError::NotEmulated(_) => (StatusCode::NOT_IMPLEMENTED, "DWS.0501"),
        }
    }

    fn message(&self) -> String {
        match self {
            DwsError::Core(CoreError::Internal(_)) | DwsError::Auth(AuthError::Store(_)) => {
                "internal error; see the server log".into()
            }
            DwsError::Core(e) => e.to_string(),
            DwsError::Auth(e) => e.to_string(),
            DwsError::Http(r) => r.message(),
            DwsError::NoRoute(what) => format!("no such API: {what}"),
            DwsError::NotEmulated(op) => sdk_catalog::not_emulated_message(op),
        }
    }
}

impl IntoResponse for DwsError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
            tracing::error!(error = ?self, "request failed");
        }
        envelope(status, code, &self.message())
    }
}

/// DWS's error envelope.
pub fn envelope(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(ErrorBody { error_code: code.to_string(), error_msg: message.to_string() })).into_response()
}

impl From<Rejection> for DwsError {
    fn from(r: Rejection) -> Self {
        match r {
            Rejection::Auth(e) => DwsError::Auth(e),
            Rejection::Http(r) => DwsError::Http(r),
        }
    }
}

impl From<HttpRefusal> for DwsError {
    fn from(r: HttpRefusal) -> Self {
        DwsError::Http(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::signature::SignatureError;

    const FIELDS: [Field; 36] = [
        Field::Name,
        Field::UserName,
        Field::UserPwd,
        Field::NodeType,
        Field::NumberOfNode,
        Field::Port,
        Field::PublicIp,
        Field::NumberOfCn,
        Field::VpcId,
        Field::SubnetId,
        Field::SecurityGroupId,
        Field::AvailabilityZone,
        Field::Tags,
        Field::SnapshotName,
        Field::SnapshotDescription,
        Field::SnapshotPolicy,
        Field::Timezone,
        Field::MaintainWindow,
        Field::Volume,
        Field::Parameter,
        Field::ParameterValue,
        Field::ParameterDuplicate,
        Field::ParameterGroup,
        Field::EipId,
        Field::ElbId,
        Field::TagValue,
        Field::Region,
        Field::Plan,
        Field::CuType,
        Field::CuSize,
        Field::Description,
        Field::Version,
        Field::Datastore,
        Field::Flavor,
        Field::EngineSetting,
        Field::Unchanged,
    ];

    fn every_error() -> Vec<DwsError> {
        let s = || String::from("x");
        let mut all: Vec<DwsError> = CoreError::samples(&FIELDS).into_iter().map(DwsError::Core).collect();
        all.extend(AuthError::samples([SignatureError::Missing]).into_iter().map(DwsError::Auth));
        let framework = [StatusCode::BAD_REQUEST, StatusCode::METHOD_NOT_ALLOWED, StatusCode::INTERNAL_SERVER_ERROR];
        all.extend(HttpRefusal::samples(&framework).into_iter().map(DwsError::Http));
        all.push(DwsError::NoRoute(s()));
        all.push(DwsError::NotEmulated(&sdk_catalog::operations(sdk_catalog::Sdk::Dws)[0]));
        all
    }

    #[test]
    fn every_error_is_a_documented_code_and_status() {
        for e in every_error() {
            let (status, code) = e.status_and_code();
            assert!(CODES.iter().any(|(c, st, _)| (*c, *st) == (code, status)), "{e:?} answers {status} {code}, not in CODES");
        }
        let answered: Vec<_> = every_error().iter().map(DwsError::status_and_code).collect();
        for (code, status, _) in CODES {
            assert!(answered.contains(&(*status, *code)), "CODES documents {status} {code}, which no error answers");
        }
    }
}
