//! Alibaba error envelope `{"RequestId","HostId","Code","Message"}` and the
//! one table mapping every internal error to its status and Code. Every
//! body is JSON, errors included: the SDK fails on anything else.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::wire::ErrorBody;

use crate::api::auth::Rejection;
use crate::api::sdk_catalog::{self, SdkOperation};
use crate::api::HttpRefusal;
use crate::auth::signature::SignatureError;
use crate::auth::AuthError;
use crate::core::error::Field;
use crate::core::CoreError;

#[derive(Debug)]
pub enum AliError {
    Core(CoreError),
    Auth(AuthError),
    /// A clientToken whose first request is still being processed.
    TokenInFlight,
    /// A clientToken reused with different parameters.
    TokenMismatch,
    BadToken(String),
    Http(HttpRefusal),
    NoRoute(String),
    /// An operation of the Alibaba Elasticsearch SDK that strato does not emulate.
    NotEmulated(&'static SdkOperation),
    /// An action asking for what the instance has already (open what is open).
    Repeated(String),
    /// A restart's batch refused with Alibaba's code for it.
    Restart(super::wire::BatchRefusal),
}

impl From<CoreError> for AliError {
    fn from(e: CoreError) -> Self {
        AliError::Core(e)
    }
}

impl From<AuthError> for AliError {
    fn from(e: AuthError) -> Self {
        AliError::Auth(e)
    }
}

const INVALID: &str = "InvalidParameter";
const NO_ACTION: &str = "InvalidAction.NotFound";

/// Every Code this dialect answers, with its HTTP status and when. The
/// document's error schema is generated from this table; a test checks that
/// every error maps to one of its rows and every row is reachable.
pub const CODES: &[(&str, StatusCode, &str)] = &[
    (
        INVALID,
        StatusCode::BAD_REQUEST,
        "Invalid request: a field or query parameter is invalid or missing, the body is not a JSON object of the \
         documented shape, a `clientToken` is not 1 to 64 ASCII characters, or the path or query cannot be decoded.",
    ),
    (
        "OperationNotEmulated",
        StatusCode::NOT_IMPLEMENTED,
        "An operation of the Alibaba Elasticsearch SDK that strato does not emulate (the Message names it; \
         docs/operations.md lists them).",
    ),
    (
        "OperationNotEmulated",
        StatusCode::BAD_REQUEST,
        "An option of an emulated operation that strato does not run (a Kibana endpoint or white list, a blue-green \
         restart, Kibana pipeline management); the Message says what. Nothing changed.",
    ),
    ("MustChangeOneResource", StatusCode::BAD_REQUEST, "The update changes nothing (a value the instance has already)."),
    ("RestartBatchValueError", StatusCode::BAD_REQUEST, "A forced restart's batchCount is not above 0 and at most 100."),
    ("NormalRestartNotSupportBatch", StatusCode::BAD_REQUEST, "A normal (not forced) restart was given a batchCount."),
    ("RepetitionOperationError", StatusCode::BAD_REQUEST, "The action asks for what the instance has already (opening what is open, closing what is closed)."),

    ("InstanceNotFound", StatusCode::BAD_REQUEST, "No such instance of the product in the caller's account."),
    ("InstanceDuplicated", StatusCode::BAD_REQUEST, "An instance of that name exists."),
    ("InstanceActivating", StatusCode::BAD_REQUEST, "The instance is busy with another task."),
    ("ConcurrencyUpdateInstanceConflict", StatusCode::BAD_REQUEST, "Another update of the instance won the race; retry."),
    ("InstanceStatusNotSupportCurrentAction", StatusCode::BAD_REQUEST, "The instance's status does not allow the action."),
    ("TokenPreviousRequestProcessError", StatusCode::BAD_REQUEST, "The first request with this `clientToken` is still being processed."),
    ("IdempotentParameterMismatch", StatusCode::BAD_REQUEST, "The `clientToken` was used with different parameters."),
    ("MissingAuthorization", StatusCode::BAD_REQUEST, "The request is not signed (no `Authorization` header), or its token is not valid."),
    ("SignatureDoesNotMatch", StatusCode::BAD_REQUEST, "The signature is malformed or wrong, or does not cover what it must (`host`, the date, the nonce)."),
    ("InvalidTimeStamp.Expired", StatusCode::BAD_REQUEST, "The signing time (`x-acs-date`, `Date`) is missing, malformed or more than 15 minutes off."),
    ("SignatureNonceUsed", StatusCode::BAD_REQUEST, "The `x-acs-signature-nonce` was used already."),
    ("MissingSignatureNonce", StatusCode::BAD_REQUEST, "No `x-acs-signature-nonce`."),
    ("MissingContentMD5", StatusCode::BAD_REQUEST, "A body signed as `acs AK:signature` without `Content-MD5`."),
    ("Forbidden.RAM", StatusCode::FORBIDDEN, "The caller may not act here (no project of its own)."),
    ("InvalidAccessKeyId.NotFound", StatusCode::NOT_FOUND, "The signature's access key is unknown."),
    (NO_ACTION, StatusCode::NOT_FOUND, "No such API: a path that is not in this document."),
    (NO_ACTION, StatusCode::METHOD_NOT_ALLOWED, "The path does not take the method (the `Allow` header lists those it takes)."),
    (INVALID, StatusCode::REQUEST_TIMEOUT, "The body did not arrive in time."),
    (INVALID, StatusCode::PAYLOAD_TOO_LARGE, "The body exceeds 1 MiB (refused before it is read)."),
    ("UnsupportedMediaType", StatusCode::UNSUPPORTED_MEDIA_TYPE, "A body not declared `application/json`."),
    ("InternalError", StatusCode::INTERNAL_SERVER_ERROR, "An internal error (see the server log)."),
    (
        "ServiceUnavailable",
        StatusCode::SERVICE_UNAVAILABLE,
        "strato's: the product's engine is not installed or bound on this server, or no node address or engine port is \
         free; nothing was created.",
    ),
    ("Throttling", StatusCode::SERVICE_UNAVAILABLE, "Too many signature nonces are remembered at once; retry."),
];

impl AliError {
    /// Status and Code for every error: a row of `CODES`.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            AliError::Core(e) => match e {
                // The Terraform provider takes this code for "nothing to do".
                CoreError::Invalid { field: Field::Unchanged, .. } => (S::BAD_REQUEST, "MustChangeOneResource"),
                CoreError::Invalid { .. } | CoreError::MalformedBody(_) => (S::BAD_REQUEST, INVALID),
                // Seeds 002/003: an unknown instance is a 400 InstanceNotFound.
                CoreError::BadId(_) | CoreError::ClusterNotFound(_) | CoreError::JobNotFound(_) | CoreError::TagNotFound(_) => (S::BAD_REQUEST, "InstanceNotFound"),
                CoreError::NameTaken(_) => (S::BAD_REQUEST, "InstanceDuplicated"),
                CoreError::Busy { .. } => (S::BAD_REQUEST, "InstanceActivating"),
                // Another update won the race (the Terraform provider retries on this code).
                CoreError::Conflict(_) => (S::BAD_REQUEST, "ConcurrencyUpdateInstanceConflict"),
                CoreError::WrongState { .. } | CoreError::NotSupported(_) | CoreError::NotDedicated { .. } => {
                    (S::BAD_REQUEST, "InstanceStatusNotSupportCurrentAction")
                }
                CoreError::SnapshotNameTaken(_) | CoreError::SnapshotNotFound(_) | CoreError::SnapshotState { .. } => {
                    (S::BAD_REQUEST, INVALID)
                }
                CoreError::EngineUnavailable(_) | CoreError::AddressesExhausted | CoreError::PortsExhausted => {
                    (S::SERVICE_UNAVAILABLE, "ServiceUnavailable")
                }
                // An option of an emulated operation strato does not run (a Kibana endpoint, a blue-green restart): refused as asked.
                CoreError::NotEmulated(_) => (S::BAD_REQUEST, "OperationNotEmulated"),
                // Zilliz's projects never reach this dialect.
                CoreError::PlanDowngrade | CoreError::ProjectNotFound(_) => (S::BAD_REQUEST, INVALID),
                CoreError::Internal(_) => (S::INTERNAL_SERVER_ERROR, "InternalError"),
            },
            AliError::Auth(e) => match e {
                AuthError::UnknownAccessKey => (S::NOT_FOUND, "InvalidAccessKeyId.NotFound"),
                AuthError::BadSignature(SignatureError::Skewed | SignatureError::BadDate) => {
                    (S::BAD_REQUEST, "InvalidTimeStamp.Expired")
                }
                AuthError::BadSignature(SignatureError::Replayed) => (S::BAD_REQUEST, "SignatureNonceUsed"),
                AuthError::BadSignature(SignatureError::TooManyNonces) => (S::SERVICE_UNAVAILABLE, "Throttling"),
                AuthError::BadSignature(SignatureError::MissingNonce) => (S::BAD_REQUEST, "MissingSignatureNonce"),
                AuthError::BadSignature(SignatureError::BodyNotSigned) => (S::BAD_REQUEST, "MissingContentMD5"),
                AuthError::BadSignature(_) => (S::BAD_REQUEST, "SignatureDoesNotMatch"),
                AuthError::Forbidden(_) | AuthError::BadScope => (S::FORBIDDEN, "Forbidden.RAM"),
                AuthError::Store(_) => (S::INTERNAL_SERVER_ERROR, "InternalError"),
                AuthError::Missing | AuthError::BadCredentials | AuthError::BadToken => (S::BAD_REQUEST, "MissingAuthorization"),
            },
            AliError::TokenInFlight => (S::BAD_REQUEST, "TokenPreviousRequestProcessError"),
            AliError::TokenMismatch => (S::BAD_REQUEST, "IdempotentParameterMismatch"),
            AliError::BadToken(_) => (S::BAD_REQUEST, INVALID),
            AliError::Http(r) => match r {
                HttpRefusal::Framework { status, .. } if status.is_client_error() && *status != S::BAD_REQUEST => {
                    (*status, NO_ACTION)
                }
                HttpRefusal::ContentType(_) => (r.status(), "UnsupportedMediaType"),
                _ => (r.status(), INVALID),
            },
            AliError::NoRoute(_) => (S::NOT_FOUND, NO_ACTION),
            AliError::NotEmulated(_) => (S::NOT_IMPLEMENTED, "OperationNotEmulated"),
            AliError::Repeated(_) => (S::BAD_REQUEST, "RepetitionOperationError"),
            AliError::Restart(super::wire::BatchRefusal::BadBatch) => (S::BAD_REQUEST, "RestartBatchValueError"),
            AliError::Restart(super::wire::BatchRefusal::NormalWithBatch) => (S::BAD_REQUEST, "NormalRestartNotSupportBatch"),
        }
    }

    fn message(&self) -> String {
        match self {
            AliError::Core(CoreError::Internal(_)) | AliError::Auth(AuthError::Store(_)) => "internal error; see the server log".into(),
            AliError::Core(CoreError::ClusterNotFound(_) | CoreError::BadId(_)) => "The instanceId provided does not exist.".into(),
            AliError::Core(e) => e.to_string(),
            AliError::Auth(AuthError::Missing) => "the request is not signed (ACS3-HMAC-SHA256 or acs AK:signature)".into(),
            AliError::Auth(AuthError::BadSignature(SignatureError::MissingNonce)) => "SignatureNonce is mandatory for this action.".into(),
            AliError::Auth(AuthError::BadSignature(SignatureError::Replayed)) => "Specified signature nonce was used already.".into(),
            AliError::Auth(AuthError::BadSignature(SignatureError::BodyNotSigned)) => {
                "Content-MD5 is mandatory for a request with a body signed as `acs AK:signature` (it is the only part of that \
                 signature covering the body); sign with ACS3-HMAC-SHA256, or send Content-MD5."
                    .into()
            }
            AliError::Auth(e) => e.to_string(),
            AliError::TokenInFlight => "The previous request with this clientToken is still being processed.".into(),
            AliError::TokenMismatch => "The clientToken was already used with different parameters.".into(),
            AliError::BadToken(m) => m.clone(),
            AliError::Http(r) => r.message(),
            AliError::NoRoute(what) => format!("no such API: {what}"),
            AliError::NotEmulated(op) => sdk_catalog::not_emulated_message(op),
            AliError::Repeated(m) => m.clone(),
            AliError::Restart(super::wire::BatchRefusal::BadBatch) => "a forced restart needs a batchCount above 0 and at most 100".into(),
            AliError::Restart(super::wire::BatchRefusal::NormalWithBatch) => "a normal restart takes no batchCount; force one to restart in batches".into(),
        }
    }
}

impl IntoResponse for AliError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
            tracing::error!(error = ?self, "request failed");
        }
        envelope(status, code, &self.message())
    }
}

/// Alibaba's error envelope.
pub fn envelope(status: StatusCode, code: &str, message: &str) -> Response {
    let id = super::request_id();
    let body = ErrorBody { code: code.to_string(), host_id: "strato".into(), message: message.to_string(), request_id: id };
    (status, Json(body)).into_response()
}

impl From<Rejection> for AliError {
    fn from(r: Rejection) -> Self {
        match r {
            Rejection::Auth(e) => AliError::Auth(e),
            Rejection::Http(r) => AliError::Http(r),
        }
    }
}

impl From<HttpRefusal> for AliError {
    fn from(r: HttpRefusal) -> Self {
        AliError::Http(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_error() -> Vec<AliError> {
        let s = || String::from("x");
        let mut all: Vec<AliError> = CoreError::samples(&[Field::Name, Field::Unchanged]).into_iter().map(AliError::Core).collect();
        let signature = [
            SignatureError::Missing,
            SignatureError::Skewed,
            SignatureError::BadDate,
            SignatureError::Replayed,
            SignatureError::TooManyNonces,
            SignatureError::MissingNonce,
            SignatureError::BodyNotSigned,
        ];
        all.extend(AuthError::samples(signature).into_iter().map(AliError::Auth));
        let framework = [StatusCode::METHOD_NOT_ALLOWED, StatusCode::BAD_REQUEST];
        all.extend(HttpRefusal::samples(&framework).into_iter().map(AliError::Http));
        all.extend([AliError::TokenInFlight, AliError::TokenMismatch, AliError::BadToken(s()), AliError::NoRoute(s()), AliError::Repeated(s())]);
        all.extend([super::super::wire::BatchRefusal::BadBatch, super::super::wire::BatchRefusal::NormalWithBatch].map(AliError::Restart));
        all.push(AliError::NotEmulated(&sdk_catalog::operations(sdk_catalog::Sdk::Aliyun)[0]));
        all
    }

    #[test]
    fn every_error_is_a_documented_code_and_status() {
        let answered: Vec<_> = every_error().iter().map(AliError::status_and_code).collect();
        for (e, (status, code)) in every_error().iter().zip(&answered) {
            assert!(CODES.iter().any(|(c, st, _)| (*c, *st) == (*code, *status)), "{e:?} answers {status} {code}, not in CODES");
        }
        for (code, status, _) in CODES {
            assert!(answered.contains(&(*status, *code)), "CODES documents {status} {code}, which no error answers");
        }
    }
}
