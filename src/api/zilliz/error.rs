//! Zilliz error envelope `{"code":N,"message":"..."}` and the one table
//! mapping every internal error to its code. Zilliz answers HTTP 200 for
//! request errors (clients treat any code but 0 as an error); strato keeps
//! that and uses HTTP 4xx/5xx only where no handler ran or the server failed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::api::auth::Rejection;
use crate::api::HttpRefusal;
use crate::auth::AuthError;
use crate::core::error::Field;
use crate::core::vector::Offering;
use crate::core::CoreError;

#[derive(Debug)]
pub enum ZillizError {
    Core(CoreError),
    Auth(AuthError),
    /// The request names a project the API key is not scoped to.
    ForeignProject(String),
    MissingProject,
    PageSize(String),
    CurrentPage(String),
    EmptyClusterId,
    Http(HttpRefusal),
    BadBody(String),
    NoRoute(String),
}

impl From<CoreError> for ZillizError {
    fn from(e: CoreError) -> Self {
        ZillizError::Core(e)
    }
}

impl From<AuthError> for ZillizError {
    fn from(e: AuthError) -> Self {
        ZillizError::Auth(e)
    }
}

/// strato's own codes where Zilliz documents none (README lists them).
pub const STATE_CONFLICT: u32 = 96030;
const INVALID_PARAMETER: u32 = 80000;
const ENGINE_UNAVAILABLE: u32 = 96900;
const NO_CAPACITY: u32 = 96901;
const INTERNAL: u32 = 96999;

fn field_code(f: Field) -> u32 {
    match f {
        Field::Name => 96010,
        Field::Region => 96001,
        Field::CuSize => 96002,
        Field::CuType => 96003,
        Field::Plan => 96004,
        _ => INVALID_PARAMETER,
    }
}

impl ZillizError {
    pub fn status_and_code(&self) -> (StatusCode, u32) {
        let ok = StatusCode::OK;
        match self {
            ZillizError::Core(e) => match e {
                CoreError::Invalid { field, .. } => (ok, field_code(*field)),
                CoreError::MalformedBody(_) => (ok, INVALID_PARAMETER),
                CoreError::BadId(_) => (ok, 96036),
                CoreError::ClusterNotFound(_) => (ok, 96018),
                CoreError::JobNotFound(_) => (ok, 96026),
                CoreError::NameTaken(_) => (ok, 96017),
                CoreError::NotDedicated { offering: Offering::Free, .. } => (ok, 96021),
                CoreError::NotDedicated { .. } | CoreError::NotSupported(_) => (ok, 96022),
                CoreError::Busy { .. } | CoreError::WrongState { .. } | CoreError::Conflict(_) => (ok, STATE_CONFLICT),
                CoreError::EngineUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, ENGINE_UNAVAILABLE),
                CoreError::AddressesExhausted | CoreError::PortsExhausted => (StatusCode::SERVICE_UNAVAILABLE, NO_CAPACITY),
                // Snapshots are a DWS feature; these cannot come from this dialect's calls.
                CoreError::SnapshotNameTaken(_) | CoreError::SnapshotNotFound(_) | CoreError::SnapshotState { .. } => {
                    (ok, INVALID_PARAMETER)
                }
                CoreError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, INTERNAL),
            },
            ZillizError::Auth(AuthError::Store(_)) => (StatusCode::INTERNAL_SERVER_ERROR, INTERNAL),
            ZillizError::Auth(_) => (ok, 21119),
            ZillizError::ForeignProject(_) => (ok, 96012),
            ZillizError::MissingProject => (ok, 96005),
            ZillizError::PageSize(_) => (ok, 96008),
            ZillizError::CurrentPage(_) => (ok, 96009),
            ZillizError::EmptyClusterId => (ok, 96025),
            // Zilliz answers request errors with HTTP 200 and a code, whoever refused them.
            ZillizError::Http(HttpRefusal::TooLarge) => (StatusCode::PAYLOAD_TOO_LARGE, INVALID_PARAMETER),
            ZillizError::Http(_) => (ok, INVALID_PARAMETER),
            ZillizError::BadBody(_) => (ok, INVALID_PARAMETER),
            ZillizError::NoRoute(_) => (StatusCode::NOT_FOUND, 404),
        }
    }

    fn message(&self) -> String {
        match self {
            ZillizError::Core(CoreError::Internal(_)) | ZillizError::Auth(AuthError::Store(_)) => {
                "internal error; see the server log".into()
            }
            ZillizError::Core(CoreError::Busy { running, .. }) => {
                format!("The cluster is busy with another operation ({running}); retry when it has finished.")
            }
            ZillizError::Core(CoreError::WrongState { state }) => {
                format!("The operation is not allowed while the cluster is {state}.")
            }
            ZillizError::Core(CoreError::ClusterNotFound(_)) => "The cluster does not exist.".into(),
            ZillizError::Core(e) => e.to_string(),
            ZillizError::Auth(_) => "The apikey is illegal.".into(),
            ZillizError::ForeignProject(p) => {
                format!("You don't have permission for this project ({p}). Please check your Apikey scope.")
            }
            ZillizError::MissingProject => "Invalid projectId: projectId is required.".into(),
            ZillizError::PageSize(v) => format!("The parameter value for pageSize should be between 1 and 100 (got `{v}`)."),
            ZillizError::CurrentPage(v) => {
                format!("The parameter currentPage should have a value between 1 and the maximum value of Int (got `{v}`).")
            }
            ZillizError::EmptyClusterId => "The clusterId cannot be empty.".into(),
            ZillizError::Http(r) => format!("Incorrect request: {}.", r.message()),
            ZillizError::BadBody(m) => format!("Incorrect parameter: {m}"),
            ZillizError::NoRoute(what) => format!("No such API: {what}"),
        }
    }
}

impl IntoResponse for ZillizError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        envelope(status, code, &self.message())
    }
}

/// Zilliz's error envelope.
pub fn envelope(status: StatusCode, code: u32, message: &str) -> Response {
    (status, Json(json!({"code": code, "message": message}))).into_response()
}

impl From<Rejection> for ZillizError {
    fn from(r: Rejection) -> Self {
        match r {
            Rejection::Auth(e) => ZillizError::Auth(e),
            Rejection::Http(r) => ZillizError::Http(r),
        }
    }
}

impl From<HttpRefusal> for ZillizError {
    fn from(r: HttpRefusal) -> Self {
        ZillizError::Http(r)
    }
}
