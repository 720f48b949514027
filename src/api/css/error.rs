//! CSS error envelope `{"error_code":"CSS.xxxx","error_msg":"..."}` and the
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
pub enum CssError {
    Core(CoreError),
    Auth(AuthError),
    Http(HttpRefusal),
    NoRoute(String),
}

impl From<CoreError> for CssError {
    fn from(e: CoreError) -> Self {
        CssError::Core(e)
    }
}

impl From<AuthError> for CssError {
    fn from(e: AuthError) -> Self {
        CssError::Auth(e)
    }
}

impl CssError {
    /// Status and code for every error; documented in README.md.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            CssError::Core(e) => match e {
                CoreError::Invalid { field: Field::Name, .. } => (S::BAD_REQUEST, "CSS.5057"),
                CoreError::Invalid { .. } | CoreError::MalformedBody(_) | CoreError::BadId(_) => (S::BAD_REQUEST, "CSS.0001"),
                CoreError::ClusterNotFound(_) => (S::NOT_FOUND, "CSS.3027"),
                CoreError::JobNotFound(_) => (S::NOT_FOUND, "CSS.3027"),
                CoreError::NameTaken(_) => (S::BAD_REQUEST, "CSS.5050"),
                // Seed 001: a cluster that cannot be restarted now is a 400.
                CoreError::Busy { .. } | CoreError::Conflict(_) => (S::BAD_REQUEST, "CSS.0011"),
                CoreError::WrongState { .. } | CoreError::NotSupported(_) | CoreError::NotDedicated { .. } => {
                    (S::BAD_REQUEST, "CSS.5090")
                }
                CoreError::SnapshotNameTaken(_) | CoreError::SnapshotNotFound(_) | CoreError::SnapshotState { .. } => {
                    (S::BAD_REQUEST, "CSS.0001")
                }
                CoreError::EngineUnavailable(_) | CoreError::AddressesExhausted | CoreError::PortsExhausted => {
                    (S::SERVICE_UNAVAILABLE, "CSS.6000")
                }
                CoreError::Internal(_) => (S::INTERNAL_SERVER_ERROR, "CSS.0005"),
            },
            CssError::Auth(e) => match e {
                AuthError::Forbidden(_) => (S::FORBIDDEN, "CSS.0015"),
                AuthError::Store(_) => (S::INTERNAL_SERVER_ERROR, "CSS.0005"),
                AuthError::Missing
                | AuthError::BadCredentials
                | AuthError::BadToken
                | AuthError::UnknownAccessKey
                | AuthError::BadSignature(_)
                | AuthError::BadScope => (S::UNAUTHORIZED, "CSS.0045"),
            },
            CssError::Http(r) => match r {
                HttpRefusal::Framework { status, .. } if status.is_client_error() && *status != S::BAD_REQUEST => (*status, "CSS.0404"),
                _ => (r.status(), "CSS.0001"),
            },
            CssError::NoRoute(_) => (S::NOT_FOUND, "CSS.0404"),
        }
    }

    fn message(&self) -> String {
        match self {
            CssError::Core(CoreError::Internal(_)) | CssError::Auth(AuthError::Store(_)) => "internal error; see the server log".into(),
            CssError::Core(e) => e.to_string(),
            CssError::Auth(e) => e.to_string(),
            CssError::Http(r) => r.message(),
            CssError::NoRoute(what) => format!("no such API: {what}"),
        }
    }
}

impl IntoResponse for CssError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        envelope(status, code, &self.message())
    }
}

/// CSS's error envelope.
pub fn envelope(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error_code": code, "error_msg": message}))).into_response()
}

impl From<Rejection> for CssError {
    fn from(r: Rejection) -> Self {
        match r {
            Rejection::Auth(e) => CssError::Auth(e),
            Rejection::Http(r) => CssError::Http(r),
        }
    }
}

impl From<HttpRefusal> for CssError {
    fn from(r: HttpRefusal) -> Self {
        CssError::Http(r)
    }
}
