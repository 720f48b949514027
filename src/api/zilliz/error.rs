//! Zilliz error envelope `{"code":N,"message":"..."}` and the one table
//! mapping every internal error to its code. Zilliz answers HTTP 200 for
//! request errors (clients treat any code but 0 as an error); strato keeps
//! that and uses HTTP 4xx/5xx only where no handler ran or the server failed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::wire::ErrorBody;
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
    /// A `cloudId` that is not a cloud.
    UnknownCloud(String),
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

/// strato's own codes where Zilliz documents none (README lists them); 969xx
/// is clear of Zilliz's documented 960xx range.
pub const STATE_CONFLICT: u32 = 96902;
/// Something strato does not emulate: a documented route, or an option of one.
pub const NOT_EMULATED: u32 = 96903;
const INVALID_PARAMETER: u32 = 80000;
const ENGINE_UNAVAILABLE: u32 = 96900;
const NO_CAPACITY: u32 = 96901;
const INTERNAL: u32 = 96999;
const NO_ROUTE: u32 = 404;

/// Every code this dialect answers, with its HTTP status and when. The
/// document's error schema is generated from this table; a test checks that
/// every error maps to one of its rows.
pub const CODES: &[(u32, StatusCode, &str)] = &[
    (21119, StatusCode::UNAUTHORIZED, "The API key is missing, malformed, unknown or revoked, or scoped to no project."),
    (
        INVALID_PARAMETER,
        StatusCode::OK,
        "Invalid request: the body is not a JSON object or not declared `application/json`, a field without a code of \
         its own is invalid (`description`), the path does not take the method, the path or query cannot be decoded, or \
         the body could not be read in time.",
    ),
    (INVALID_PARAMETER, StatusCode::PAYLOAD_TOO_LARGE, "The body exceeds 1 MiB (refused before it is read)."),
    (96000, StatusCode::OK, "Invalid `cloudId`: not aws, gcp or azure."),
    (96001, StatusCode::OK, "Invalid `regionId`: not one of the server's regions."),
    (96002, StatusCode::OK, "Invalid or missing `cuSize` (1–256)."),
    (96003, StatusCode::OK, "Invalid `cuType`."),
    (96004, StatusCode::OK, "Invalid `plan`."),
    (96005, StatusCode::OK, "`projectId` is missing or not a string."),
    (96008, StatusCode::OK, "`pageSize` is not 1–100."),
    (96009, StatusCode::OK, "`currentPage` is not 1 to 2147483647."),
    (96010, StatusCode::OK, "Invalid `clusterName`."),
    (96012, StatusCode::OK, "`projectId` names no project of the API key's account."),
    (63104, StatusCode::OK, "A project's plan can only be upgraded, not downgraded."),
    (40013, StatusCode::OK, "The specified cluster name already exists (the real service's code; its documents say 96017)."),
    (96018, StatusCode::OK, "No such cluster in the API key's project."),
    (96021, StatusCode::OK, "Free clusters do not support the operation."),
    (96022, StatusCode::OK, "Serverless clusters do not support the operation."),
    (96025, StatusCode::OK, "The `clusterId` is empty."),
    (96026, StatusCode::OK, "No such job in the API key's project."),
    (STATE_CONFLICT, StatusCode::OK, "strato's: the cluster's state, or the operation it is running, does not allow this one."),
    (NOT_EMULATED, StatusCode::OK, "strato's: a documented Zilliz Cloud route or option that strato does not emulate (the message names it)."),
    (96036, StatusCode::OK, "The `clusterId` is not a cluster id."),
    (ENGINE_UNAVAILABLE, StatusCode::SERVICE_UNAVAILABLE, "strato's: the engine (Milvus) is not installed on this server; the message says how to install it."),
    (NO_CAPACITY, StatusCode::SERVICE_UNAVAILABLE, "strato's: no node address or engine port is free."),
    (INTERNAL, StatusCode::INTERNAL_SERVER_ERROR, "strato's: an internal error (see the server log)."),
    (NO_ROUTE, StatusCode::NOT_FOUND, "No such API: a path that is not in this document."),
];

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
                CoreError::JobNotFound(_) | CoreError::TagNotFound(_) => (ok, 96026),
                // What the real service answers (recorded thrice in the Terraform provider's testdata).
                CoreError::NameTaken(_) => (ok, 40013),
                CoreError::NotDedicated { offering: Offering::Free, .. } => (ok, 96021),
                CoreError::NotDedicated { .. } | CoreError::NotSupported(_) => (ok, 96022),
                CoreError::NotEmulated(_) => (ok, NOT_EMULATED),
                CoreError::PlanDowngrade => (ok, 63104),
                // Zilliz documents no code for it: the project id is not one of the key's (as 96012 says).
                CoreError::ProjectNotFound(_) => (ok, 96012),
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
            // As the real service answers (the Terraform provider's recorded responses): 401 with the code.
            ZillizError::Auth(_) => (StatusCode::UNAUTHORIZED, 21119),
            ZillizError::ForeignProject(_) => (ok, 96012),
            ZillizError::MissingProject => (ok, 96005),
            ZillizError::PageSize(_) => (ok, 96008),
            ZillizError::CurrentPage(_) => (ok, 96009),
            ZillizError::EmptyClusterId => (ok, 96025),
            ZillizError::UnknownCloud(_) => (ok, 96000),
            // Zilliz answers request errors with HTTP 200 and a code, whoever refused them.
            ZillizError::Http(HttpRefusal::TooLarge) => (StatusCode::PAYLOAD_TOO_LARGE, INVALID_PARAMETER),
            ZillizError::Http(_) => (ok, INVALID_PARAMETER),
            ZillizError::BadBody(_) => (ok, INVALID_PARAMETER),
            ZillizError::NoRoute(_) => (StatusCode::NOT_FOUND, NO_ROUTE),
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
            ZillizError::Core(CoreError::NameTaken(_)) => "The specified cluster name already exists.".into(),
            ZillizError::Core(e) => e.to_string(),
            ZillizError::Auth(_) => "The apikey is illegal".into(),
            ZillizError::ForeignProject(p) => {
                format!("You don't have permission for this project ({p}). Please check your Apikey scope.")
            }
            ZillizError::MissingProject => "Invalid projectId: projectId is required.".into(),
            ZillizError::PageSize(v) => format!("The parameter value for pageSize should be between 1 and 100 (got `{v}`)."),
            ZillizError::CurrentPage(v) => {
                format!("The parameter currentPage should have a value between 1 and the maximum value of Int (got `{v}`).")
            }
            ZillizError::EmptyClusterId => "The clusterId cannot be empty.".into(),
            ZillizError::UnknownCloud(c) => format!("Invalid CloudId `{c}`. Please use the ListCloudProviders API to obtain the valid cloudIds."),
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
    (status, Json(ErrorBody { code, message: message.to_string() })).into_response()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::signature::SignatureError;

    fn every_error() -> Vec<ZillizError> {
        let s = || String::from("x");
        let fields = [Field::Name, Field::Region, Field::CuSize, Field::CuType, Field::Plan, Field::Description];
        let mut all: Vec<ZillizError> = CoreError::samples(&fields).into_iter().map(ZillizError::Core).collect();
        all.extend(AuthError::samples([SignatureError::Missing]).into_iter().map(ZillizError::Auth));
        all.extend(HttpRefusal::samples(&[StatusCode::METHOD_NOT_ALLOWED]).into_iter().map(ZillizError::Http));
        all.extend([
            ZillizError::ForeignProject(s()),
            ZillizError::MissingProject,
            ZillizError::PageSize(s()),
            ZillizError::CurrentPage(s()),
            ZillizError::EmptyClusterId,
            ZillizError::UnknownCloud(s()),
            ZillizError::BadBody(s()),
            ZillizError::NoRoute(s()),
        ]);
        all
    }

    #[test]
    fn every_error_is_a_documented_code_and_status() {
        for e in every_error() {
            let (status, code) = e.status_and_code();
            assert!(CODES.iter().any(|(c, st, _)| (*c, *st) == (code, status)), "{e:?} answers {status} {code}, not in CODES");
        }
        let answered: Vec<_> = every_error().iter().map(ZillizError::status_and_code).collect();
        for (code, status, _) in CODES {
            assert!(answered.contains(&(*status, *code)), "CODES documents {status} {code}, which no error answers");
        }
    }
}
