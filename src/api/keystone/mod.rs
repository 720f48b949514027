//! The Keystone v3 subset the SDKs need: version discovery, password token
//! issue (with a service catalog), token validation and project lookup.

use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::{authenticate, buffer, header, Rejection};
use super::{Ctx, HttpRefusal};
use crate::auth::identity::{token_expiry_iso, IssuedToken, Login, Scope};
use crate::auth::{AuthError, Principal};

mod admin;
mod faults;

/// Keystone's error envelope.
#[derive(Debug)]
pub struct KeystoneError(StatusCode, String);

impl IntoResponse for KeystoneError {
    fn into_response(self) -> Response {
        let title = self.0.canonical_reason().unwrap_or("Error");
        (self.0, Json(json!({"error": {"code": self.0.as_u16(), "message": self.1, "title": title}}))).into_response()
    }
}

impl From<AuthError> for KeystoneError {
    fn from(e: AuthError) -> Self {
        let status = match &e {
            AuthError::Forbidden(_) => StatusCode::FORBIDDEN,
            AuthError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AuthError::Missing
            | AuthError::BadCredentials
            | AuthError::BadToken
            | AuthError::UnknownAccessKey
            | AuthError::BadSignature(_)
            | AuthError::BadScope => StatusCode::UNAUTHORIZED,
        };
        KeystoneError(status, e.to_string())
    }
}

impl From<HttpRefusal> for KeystoneError {
    fn from(r: HttpRefusal) -> Self {
        KeystoneError(r.status(), r.message())
    }
}

impl From<Rejection> for KeystoneError {
    fn from(r: Rejection) -> Self {
        match r {
            Rejection::Auth(e) => e.into(),
            Rejection::Http(r) => r.into(),
        }
    }
}

pub fn router(ctx: Ctx) -> Router {
    let authed = Router::new()
        .route("/v3/auth/tokens", get(validate_token))
        .route("/v3/projects", get(list_projects))
        .route("/v3/auth/projects", get(list_projects))
        .route("/_strato/health", get(admin::health))
        .route("/_strato/info", get(admin::info))
        .route("/_strato/reset", post(admin::reset))
        .route("/_strato/faults", post(faults::create).get(faults::list).delete(faults::clear))
        .route("/_strato/faults/{id}", axum::routing::delete(faults::delete))
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate::<KeystoneError>));
    Router::new()
        .route("/", get(versions))
        // Prometheus scrapes without credentials (the listener is on loopback).
        .route("/metrics", get(metrics))
        .route("/v3", get(version))
        .route("/v3/", get(version))
        .route("/v3/auth/tokens", post(issue_token))
        .merge(authed)
        .fallback(|req: Request| async move {
            KeystoneError(StatusCode::NOT_FOUND, format!("no such API: {} {}", req.method(), req.uri().path()))
        })
        .layer(middleware::map_response(super::envelope::<KeystoneError>))
        .with_state(ctx)
}

async fn metrics(State(ctx): State<Ctx>) -> Result<Response, KeystoneError> {
    let text = ctx.app.metrics_text().await.map_err(|e| KeystoneError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let ct = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    Ok(([(axum::http::header::CONTENT_TYPE, ct)], text).into_response())
}

fn version_doc(base: &str) -> Value {
    json!({
        "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": format!("{base}/v3/")}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}],
    })
}

async fn versions(State(ctx): State<Ctx>) -> Response {
    let base = ctx.endpoints().iam;
    (StatusCode::MULTIPLE_CHOICES, Json(json!({"versions": {"values": [version_doc(&base)]}}))).into_response()
}

async fn version(State(ctx): State<Ctx>) -> Json<Value> {
    Json(json!({"version": version_doc(&ctx.endpoints().iam)}))
}

#[derive(Deserialize)]
struct NameOrId {
    id: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct PasswordUser {
    id: Option<String>,
    name: Option<String>,
    password: String,
    domain: Option<NameOrId>,
}

#[derive(Deserialize)]
struct ProjectScope {
    id: Option<String>,
    name: Option<String>,
    domain: Option<NameOrId>,
}

#[derive(Deserialize)]
struct AuthBody {
    auth: AuthInner,
}

#[derive(Deserialize)]
struct AuthInner {
    identity: IdentityBody,
    scope: Option<ScopeBody>,
}

#[derive(Deserialize)]
struct IdentityBody {
    methods: Vec<String>,
    password: Option<PasswordBody>,
}

#[derive(Deserialize)]
struct PasswordBody {
    user: PasswordUser,
}

#[derive(Deserialize)]
struct ScopeBody {
    project: Option<ProjectScope>,
}

async fn issue_token(State(ctx): State<Ctx>, headers: HeaderMap, req: Request) -> Result<Response, KeystoneError> {
    let body = buffer(&ctx.limits, &headers, req.into_body()).await?;
    if !header(&headers, "content-type").is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json")) {
        return Err(KeystoneError(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send application/json".into()));
    }
    let b: AuthBody = serde_json::from_slice(&body)
        .map_err(|e| KeystoneError(StatusCode::BAD_REQUEST, format!("invalid auth request: {e}")))?;
    if !b.auth.identity.methods.iter().any(|m| m == "password") {
        return Err(KeystoneError(StatusCode::UNAUTHORIZED, "only the password method is supported".into()));
    }
    let pw = b
        .auth
        .identity
        .password
        .ok_or_else(|| KeystoneError(StatusCode::BAD_REQUEST, "identity.password is required".into()))?;
    let user_domain = pw.user.domain.as_ref().and_then(|d| d.id.as_deref().or(d.name.as_deref()));
    let login = Login {
        user_id: pw.user.id.as_deref(),
        user_name: pw.user.name.as_deref(),
        domain: user_domain,
        password: &pw.user.password,
    };
    let project = b.auth.scope.as_ref().and_then(|s| s.project.as_ref());
    let scope = Scope {
        project_id: project.and_then(|p| p.id.as_deref()),
        project_name: project.and_then(|p| p.name.as_deref()),
        domain: project.and_then(|p| p.domain.as_ref()).and_then(|d| d.id.as_deref().or(d.name.as_deref())),
    };
    let issued = ctx.identity.issue_token(&login, &scope).await?;
    tracing::info!(user = %issued.user.name, project = %issued.project.name, "token issued");
    let body = token_body(&ctx, &issued);
    let mut resp = (StatusCode::CREATED, Json(body)).into_response();
    resp.headers_mut().insert("x-subject-token", issued.token.parse().expect("token is ASCII"));
    Ok(resp)
}

fn catalog(ctx: &Ctx, project_id: &str) -> Value {
    let eps = ctx.endpoints();
    let region = &ctx.app.settings.region;
    let entry = |kind: &str, name: &str, url: String| {
        json!({
            "id": format!("{kind}-catalog"), "type": kind, "name": name,
            "endpoints": [{"id": format!("{kind}-public"), "interface": "public", "region": region,
                           "region_id": region, "url": url}],
        })
    };
    json!([
        entry("identity", "keystone", format!("{}/v3", eps.iam)),
        entry("dwsv1", "dws", format!("{}/v1.0/{project_id}", eps.dws)),
        entry("css", "css", format!("{}/v1.0/{project_id}", eps.css)),
    ])
}

fn token_body(ctx: &Ctx, t: &IssuedToken) -> Value {
    let domain = json!({"id": t.domain.id, "name": t.domain.name});
    json!({"token": {
        "methods": ["password"],
        "expires_at": token_expiry_iso(t.record.expires_at),
        "issued_at": token_expiry_iso(t.record.issued_at),
        "audit_ids": [],
        "user": {"id": t.user.id, "name": t.user.name, "domain": domain, "password_expires_at": null},
        "project": {"id": t.project.id, "name": t.project.name, "domain": domain},
        "roles": [{"id": "0000000000000000000000000000admin", "name": "te_admin"}],
        "catalog": catalog(ctx, &t.project.id),
    }})
}

/// Keystone's `identity:validate_token` policy is "admin or the token's own
/// subject"; strato has no admin role, so a caller sees only its own user's tokens.
async fn validate_token(
    State(ctx): State<Ctx>,
    Extension(caller): Extension<Principal>,
    headers: HeaderMap,
) -> Result<Response, KeystoneError> {
    let subject = header(&headers, "x-subject-token").ok_or(AuthError::BadToken)?;
    let (principal, record) = ctx.identity.check_token(subject).await?;
    if principal.user.id != caller.user.id {
        tracing::info!(caller = %caller.user.id, "refused to validate another user's token");
        return Err(KeystoneError(
            StatusCode::FORBIDDEN,
            "You are not authorized to perform the requested action: identity:validate_token.".into(),
        ));
    }
    let project = ctx
        .app
        .store
        .get_project(&record.project_id)
        .await
        .map_err(AuthError::Store)?
        .ok_or(AuthError::BadToken)?;
    let domain = ctx
        .app
        .store
        .find_domain(&principal.user.domain_id)
        .await
        .map_err(AuthError::Store)?
        .ok_or(AuthError::BadToken)?;
    let issued = IssuedToken { token: subject.to_string(), record, user: principal.user, project, domain };
    let mut resp = Json(token_body(&ctx, &issued)).into_response();
    resp.headers_mut().insert("x-subject-token", subject.parse().map_err(|_| AuthError::BadToken)?);
    Ok(resp)
}

#[derive(Deserialize)]
struct ProjectQuery {
    name: Option<String>,
}

async fn list_projects(
    State(ctx): State<Ctx>,
    Extension(caller): Extension<Principal>,
    Query(q): Query<ProjectQuery>,
) -> Result<Json<Value>, KeystoneError> {
    let projects = ctx.identity.projects_of(&caller).await?;
    let list: Vec<Value> = projects
        .into_iter()
        .filter(|p| q.name.as_deref().is_none_or(|n| n == p.name))
        .map(|p| json!({"id": p.id, "name": p.name, "domain_id": p.domain_id, "enabled": true, "is_domain": false}))
        .collect();
    Ok(Json(json!({"projects": list, "links": {"self": null, "next": null, "previous": null}})))
}
