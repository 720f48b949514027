//! Alibaba error envelope `{"RequestId","HostId","Code","Message"}` and the
//! one table mapping every internal error to its status and Code. Every
//! body is JSON, errors included: the SDK fails on anything else.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::api::auth::Rejection;
use crate::api::HttpRefusal;
use crate::auth::signature::SignatureError;
use crate::auth::AuthError;
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

impl AliError {
    /// Status and Code for every error; documented in README.md.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            AliError::Core(e) => match e {
                CoreError::Invalid { .. } | CoreError::MalformedBody(_) => (S::BAD_REQUEST, "InvalidParameter"),
                // Seeds 002/003: an unknown instance is a 400 InstanceNotFound.
                CoreError::BadId(_) | CoreError::ClusterNotFound(_) | CoreError::JobNotFound(_) => (S::BAD_REQUEST, "InstanceNotFound"),
                CoreError::NameTaken(_) => (S::BAD_REQUEST, "InstanceDuplicated"),
                CoreError::Busy { .. } => (S::BAD_REQUEST, "InstanceActivating"),
                // Another update won the race (the Terraform provider retries on this code).
                CoreError::Conflict(_) => (S::BAD_REQUEST, "ConcurrencyUpdateInstanceConflict"),
                CoreError::WrongState { .. } | CoreError::NotSupported(_) | CoreError::NotDedicated { .. } => {
                    (S::BAD_REQUEST, "InstanceStatusNotSupportCurrentAction")
                }
                CoreError::SnapshotNameTaken(_) | CoreError::SnapshotNotFound(_) | CoreError::SnapshotState { .. } => {
                    (S::BAD_REQUEST, "InvalidParameter")
                }
                CoreError::EngineUnavailable(_) | CoreError::AddressesExhausted | CoreError::PortsExhausted => {
                    (S::SERVICE_UNAVAILABLE, "ServiceUnavailable")
                }
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
            AliError::BadToken(_) => (S::BAD_REQUEST, "InvalidParameter"),
            AliError::Http(r) => match r {
                HttpRefusal::Framework { status, .. } if status.is_client_error() && *status != S::BAD_REQUEST => {
                    (*status, "InvalidAction.NotFound")
                }
                HttpRefusal::ContentType(_) => (r.status(), "UnsupportedMediaType"),
                _ => (r.status(), "InvalidParameter"),
            },
            AliError::NoRoute(_) => (S::NOT_FOUND, "InvalidAction.NotFound"),
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
        }
    }
}

impl IntoResponse for AliError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        envelope(status, code, &self.message())
    }
}

/// Alibaba's error envelope.
pub fn envelope(status: StatusCode, code: &str, message: &str) -> Response {
    let id = super::request_id();
    (status, Json(json!({"RequestId": id, "HostId": "strato", "Code": code, "Message": message}))).into_response()
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
