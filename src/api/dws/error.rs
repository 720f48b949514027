//! DWS error envelope `{"error_code":"DWS.xxxx","error_msg":"..."}` and the
//! one table mapping every internal error to its status and code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::api::auth::Rejection;
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
        Field::Tags => "DWS.5194",
        Field::SnapshotName => "DWS.5057",
        Field::SnapshotDescription | Field::SnapshotPolicy => "DWS.5038",
        // Vector-cluster fields never reach DWS.
        Field::Region | Field::Plan | Field::CuType | Field::CuSize | Field::Description => "DWS.5038",
        Field::Version | Field::Datastore | Field::Flavor => "DWS.5038",
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
                CoreError::NameTaken(_) | CoreError::SnapshotNameTaken(_) => (StatusCode::CONFLICT, "DWS.5050"),
                CoreError::SnapshotNotFound(_) => (StatusCode::NOT_FOUND, "DWS.5149"),
                CoreError::SnapshotState { .. } => (StatusCode::CONFLICT, "DWS.5090"),
                CoreError::Busy { .. } | CoreError::WrongState { .. } | CoreError::Conflict(_) => (StatusCode::CONFLICT, "DWS.5090"),
                CoreError::AddressesExhausted | CoreError::PortsExhausted => (StatusCode::SERVICE_UNAVAILABLE, "DWS.6000"),
                CoreError::NotSupported(_) | CoreError::NotDedicated { .. } => (StatusCode::BAD_REQUEST, "DWS.0001"),
                CoreError::EngineUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "DWS.6000"),
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
                    HttpRefusal::Framework { status, .. } if status.is_client_error() && *status != StatusCode::BAD_REQUEST => "DWS.0404",
                    HttpRefusal::Framework { .. } => "DWS.0001",
                };
                (r.status(), code)
            }
            DwsError::NoRoute(_) => (StatusCode::NOT_FOUND, "DWS.0404"),
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
        }
    }
}

impl IntoResponse for DwsError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        envelope(status, code, &self.message())
    }
}

/// DWS's error envelope.
pub fn envelope(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error_code": code, "error_msg": message}))).into_response()
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
