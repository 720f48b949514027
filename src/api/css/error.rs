//! CSS error envelope `{"error_code":"CSS.xxxx","error_msg":"..."}` and the
//! one table mapping every internal error to its status and code.

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
pub enum CssError {
    Core(CoreError),
    Auth(AuthError),
    Http(HttpRefusal),
    NoRoute(String),
    /// An operation of the CSS SDK that strato does not emulate.
    NotEmulated(&'static SdkOperation),
    /// A refusal with CSS's own code for it, decided by the handler (open
    /// what is open, no VPC endpoint service): one of `CODED`.
    Coded(&'static str, String),
}

/// The codes a handler answers with `CssError::Coded`, with their statuses.
pub const CODED: &[(&str, StatusCode)] = &[
    ("CSS.5159", StatusCode::BAD_REQUEST),
    ("CSS.5158", StatusCode::BAD_REQUEST),
    ("CSS.5181", StatusCode::BAD_REQUEST),
    ("CSS.5182", StatusCode::BAD_REQUEST),
    ("CSS.3026", StatusCode::BAD_REQUEST),
    ("CSS.0004", StatusCode::UNSUPPORTED_MEDIA_TYPE),
    (INVALID, StatusCode::BAD_REQUEST),
];

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

const INVALID: &str = "CSS.0001";
const INTERNAL: &str = "CSS.0005";
const NO_ROUTE: &str = "CSS.0404";

/// Every code this dialect answers, with its HTTP status and when. The
/// document's error schema is generated from this table; a test checks that
/// every error maps to one of its rows and every row is reachable.
pub const CODES: &[(&str, StatusCode, &str)] = &[
    (
        INVALID,
        StatusCode::BAD_REQUEST,
        "Invalid request: a field is invalid or missing, the body is not a JSON object of the documented shape, the \
         cluster id is not a UUID, or the path or query cannot be decoded.",
    ),
    (
        "CSS.0501",
        StatusCode::NOT_IMPLEMENTED,
        "An operation of the CSS SDK that strato does not emulate (the message names it; docs/operations.md lists them).",
    ),
    ("CSS.5057", StatusCode::BAD_REQUEST, "Invalid cluster name, `offset` or `limit`."),
    ("CSS.5310", StatusCode::BAD_REQUEST, "Public access needs HTTPS on (`mode/change`)."),
    ("CSS.5171", StatusCode::BAD_REQUEST, "HTTPS needs the security mode (`authorityEnable`)."),
    ("CSS.0071", StatusCode::BAD_REQUEST, "An invalid public bandwidth (1-200 Mbit/s)."),
    ("CSS.5159", StatusCode::BAD_REQUEST, "Public access is open already."),
    ("CSS.5158", StatusCode::BAD_REQUEST, "Public access is not open."),
    ("CSS.5181", StatusCode::BAD_REQUEST, "The public white list is not on."),
    ("CSS.5182", StatusCode::BAD_REQUEST, "The cluster has no VPC endpoint service (strato runs none)."),
    ("CSS.3026", StatusCode::BAD_REQUEST, "No such snapshot of the cluster."),
    ("CSS.0004", StatusCode::UNSUPPORTED_MEDIA_TYPE, "Invalid operation: the snapshot function is off already."),
    ("CSS.5050", StatusCode::BAD_REQUEST, "A cluster of that name exists in the project."),
    ("CSS.5137", StatusCode::BAD_REQUEST, "An invalid tag key, or too many tags (at most 20)."),
    ("CSS.5138", StatusCode::BAD_REQUEST, "An invalid tag value."),
    ("CSS.5141", StatusCode::BAD_REQUEST, "The cluster has no tag with that key."),
    ("CSS.0011", StatusCode::BAD_REQUEST, "The cluster is busy with another operation."),
    ("CSS.5090", StatusCode::BAD_REQUEST, "The cluster's state does not allow the operation."),
    ("CSS.0045", StatusCode::UNAUTHORIZED, "No `X-Auth-Token` or `Authorization` signature, or not a valid one."),
    ("CSS.0015", StatusCode::FORBIDDEN, "The caller may not act in the path's project."),
    ("CSS.3027", StatusCode::NOT_FOUND, "No such cluster in the project."),
    (NO_ROUTE, StatusCode::NOT_FOUND, "No such API: a path that is not in this document."),
    (NO_ROUTE, StatusCode::METHOD_NOT_ALLOWED, "The path does not take the method (the `Allow` header lists those it takes)."),
    (INVALID, StatusCode::REQUEST_TIMEOUT, "The body did not arrive in time."),
    (INVALID, StatusCode::PAYLOAD_TOO_LARGE, "The body exceeds 1 MiB (refused before it is read)."),
    (INVALID, StatusCode::UNSUPPORTED_MEDIA_TYPE, "A body not declared `application/json`."),
    (INTERNAL, StatusCode::INTERNAL_SERVER_ERROR, "strato's: an internal error (see the server log)."),
    (
        "CSS.6000",
        StatusCode::SERVICE_UNAVAILABLE,
        "strato's: the datastore's engine is not installed or bound on this server (the message says how to bind one), \
         or no node address or engine port is free; nothing was created.",
    ),
];

impl CssError {
    /// Status and code for every error: a row of `CODES`.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            CssError::Core(e) => match e {
                CoreError::Invalid { field: Field::Name, .. } => (S::BAD_REQUEST, "CSS.5057"),
                CoreError::Invalid { field: Field::Tags, .. } => (S::BAD_REQUEST, "CSS.5137"),
                CoreError::Invalid { field: Field::TagValue, .. } => (S::BAD_REQUEST, "CSS.5138"),
                CoreError::Invalid { field: Field::Network, .. } => (S::BAD_REQUEST, "CSS.5310"),
                CoreError::Invalid { field: Field::Security, .. } => (S::BAD_REQUEST, "CSS.5171"),
                CoreError::Invalid { field: Field::Bandwidth, .. } => (S::BAD_REQUEST, "CSS.0071"),
                CoreError::Invalid { .. } | CoreError::MalformedBody(_) | CoreError::BadId(_) => (S::BAD_REQUEST, INVALID),
                CoreError::ClusterNotFound(_) => (S::NOT_FOUND, "CSS.3027"),
                CoreError::JobNotFound(_) => (S::NOT_FOUND, "CSS.3027"),
                CoreError::TagNotFound(_) => (S::BAD_REQUEST, "CSS.5141"),
                CoreError::NameTaken(_) => (S::BAD_REQUEST, "CSS.5050"),
                // Seed 001: a cluster that cannot be restarted now is a 400.
                CoreError::Busy { .. } | CoreError::Conflict(_) => (S::BAD_REQUEST, "CSS.0011"),
                CoreError::WrongState { .. } | CoreError::NotSupported(_) | CoreError::NotDedicated { .. } => {
                    (S::BAD_REQUEST, "CSS.5090")
                }
                CoreError::SnapshotNameTaken(_) | CoreError::SnapshotNotFound(_) | CoreError::SnapshotState { .. } => {
                    (S::BAD_REQUEST, INVALID)
                }
                CoreError::EngineUnavailable(_) | CoreError::AddressesExhausted | CoreError::PortsExhausted => {
                    (S::SERVICE_UNAVAILABLE, "CSS.6000")
                }
                // An option strato does not run; the message says so.
                CoreError::NotEmulated(_) => (S::BAD_REQUEST, INVALID),
                // Zilliz's projects never reach this dialect.
                CoreError::PlanDowngrade | CoreError::ProjectNotFound(_) => (S::BAD_REQUEST, INVALID),
                CoreError::Internal(_) => (S::INTERNAL_SERVER_ERROR, INTERNAL),
            },
            CssError::Auth(e) => match e {
                AuthError::Forbidden(_) => (S::FORBIDDEN, "CSS.0015"),
                AuthError::Store(_) => (S::INTERNAL_SERVER_ERROR, INTERNAL),
                AuthError::Missing
                | AuthError::BadCredentials
                | AuthError::BadToken
                | AuthError::UnknownAccessKey
                | AuthError::BadSignature(_)
                | AuthError::BadScope => (S::UNAUTHORIZED, "CSS.0045"),
            },
            CssError::Http(r) => match r {
                HttpRefusal::Framework { status, .. } if status.is_client_error() && *status != S::BAD_REQUEST => (*status, NO_ROUTE),
                _ => (r.status(), INVALID),
            },
            CssError::NoRoute(_) => (S::NOT_FOUND, NO_ROUTE),
            CssError::NotEmulated(_) => (S::NOT_IMPLEMENTED, "CSS.0501"),
            CssError::Coded(code, _) => CODED.iter().find(|(c, _)| c == code).map(|(c, st)| (*st, *c)).unwrap_or((S::BAD_REQUEST, INVALID)),
        }
    }

    fn message(&self) -> String {
        match self {
            CssError::Core(CoreError::Internal(_)) | CssError::Auth(AuthError::Store(_)) => "internal error; see the server log".into(),
            CssError::Core(e) => e.to_string(),
            CssError::Auth(e) => e.to_string(),
            CssError::Http(r) => r.message(),
            CssError::NoRoute(what) => format!("no such API: {what}"),
            CssError::NotEmulated(op) => sdk_catalog::not_emulated_message(op),
            CssError::Coded(_, m) => m.clone(),
        }
    }
}

impl IntoResponse for CssError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
            tracing::error!(error = ?self, "request failed");
        }
        envelope(status, code, &self.message())
    }
}

/// CSS's error envelope.
pub fn envelope(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(ErrorBody::new(code, message))).into_response()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::signature::SignatureError;

    fn every_error() -> Vec<CssError> {
        let s = || String::from("x");
        let fields = [Field::Name, Field::Flavor, Field::Description, Field::Tags, Field::TagValue, Field::Network, Field::Security, Field::Bandwidth];
        let mut all: Vec<CssError> = CoreError::samples(&fields).into_iter().map(CssError::Core).collect();
        all.extend(AuthError::samples([SignatureError::Missing]).into_iter().map(CssError::Auth));
        let framework = [StatusCode::METHOD_NOT_ALLOWED, StatusCode::BAD_REQUEST];
        all.extend(HttpRefusal::samples(&framework).into_iter().map(CssError::Http));
        all.push(CssError::NoRoute(s()));
        all.push(CssError::NotEmulated(&sdk_catalog::operations(sdk_catalog::Sdk::Css)[0]));
        all.extend(CODED.iter().map(|(c, _)| CssError::Coded(c, s())));
        all
    }

    #[test]
    fn every_error_is_a_documented_code_and_status() {
        let answered: Vec<_> = every_error().iter().map(CssError::status_and_code).collect();
        for (e, (status, code)) in every_error().iter().zip(&answered) {
            assert!(CODES.iter().any(|(c, st, _)| (*c, *st) == (*code, *status)), "{e:?} answers {status} {code}, not in CODES");
        }
        for (code, status, _) in CODES {
            assert!(answered.contains(&(*status, *code)), "CODES documents {status} {code}, which no error answers");
        }
    }
}
