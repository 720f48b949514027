//! Keystone v3 handlers: version discovery, password token issue (with a
//! service catalog), token validation and project lookup.

use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::openapi::{TAG_IDENTITY, TAG_STRATO};
use super::wire::{
    AuthRequest, CatalogEndpoint, CatalogEntry, ErrorBody, Link, MediaType, Named, PageLinks, ProjectItem, ProjectList,
    ProjectQuery, Token, TokenBody, TokenProject, TokenUser, Version, VersionBody, VersionValues, Versions,
};
use super::KeystoneError;
use crate::api::auth::{buffer, header};
use crate::api::Ctx;
use crate::auth::identity::{token_expiry_iso, IssuedToken, Login, Scope};
use crate::auth::{AuthError, Principal};

fn version_doc(base: &str) -> Version {
    Version {
        id: "v3.14".into(),
        status: "stable".into(),
        updated: "2020-04-07T00:00:00Z".into(),
        links: vec![Link { rel: "self".into(), href: format!("{base}/v3/") }],
        media_types: vec![MediaType { base: "application/json".into(), kind: "application/vnd.openstack.identity-v3+json".into() }],
    }
}

#[utoipa::path(
    get, path = "/", operation_id = "KeystoneListVersions", tag = TAG_IDENTITY, security(()),
    summary = "List the identity API versions",
    responses((status = 300, description = "The versions (v3 only).", body = Versions)),
)]
pub async fn versions(State(ctx): State<Ctx>) -> Response {
    let base = ctx.endpoints().iam;
    (StatusCode::MULTIPLE_CHOICES, Json(Versions { versions: VersionValues { values: vec![version_doc(&base)] } })).into_response()
}

#[utoipa::path(
    get, path = "/v3", operation_id = "KeystoneShowVersion", tag = TAG_IDENTITY, security(()),
    summary = "Show the v3 identity API",
    responses((status = 200, description = "The v3 version.", body = VersionBody)),
)]
pub async fn version(State(ctx): State<Ctx>) -> Json<VersionBody> {
    Json(VersionBody { version: version_doc(&ctx.endpoints().iam) })
}

#[utoipa::path(
    get, path = "/v3/", operation_id = "KeystoneShowVersionSlash", tag = TAG_IDENTITY, security(()),
    summary = "Show the v3 identity API (the `/v3/` spelling openstacksdk follows)",
    responses((status = 200, description = "The v3 version.", body = VersionBody)),
)]
pub async fn version_slash(state: State<Ctx>) -> Json<VersionBody> {
    version(state).await
}

fn decode_auth(body: &[u8]) -> Result<AuthRequest, KeystoneError> {
    serde_json::from_slice(body).map_err(|e| KeystoneError(StatusCode::BAD_REQUEST, format!("invalid auth request: {e}")))
}

#[utoipa::path(
    post, path = "/v3/auth/tokens", operation_id = "KeystoneCreateUserTokenByPassword", tag = TAG_IDENTITY, security(()),
    summary = "Issue a token (password method)",
    description = "The token is in the `X-Subject-Token` response header; the body describes it, with the service \
        catalog (identity, DWS, CSS) of the scoped project.",
    request_body = AuthRequest,
    responses(
        (status = 201, description = "Issued.", body = TokenBody,
         headers(("X-Subject-Token" = String, description = "The token"))),
        (status = 400, description = "The body is not a valid auth request.", body = ErrorBody),
        (status = 401, description = "Wrong credentials, an unknown project, or a method other than password.", body = ErrorBody),
        (status = 415, description = "The body is not declared application/json.", body = ErrorBody),
    ),
)]
pub async fn issue_token(State(ctx): State<Ctx>, headers: HeaderMap, req: Request) -> Result<Response, KeystoneError> {
    let body = buffer(&ctx.limits, &headers, req.into_body()).await?;
    if !header(&headers, "content-type").is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json")) {
        return Err(KeystoneError(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send application/json".into()));
    }
    let b = decode_auth(&body)?;
    if !b.auth.identity.methods.iter().any(|m| m == "password") {
        return Err(KeystoneError(StatusCode::UNAUTHORIZED, "only the password method is supported".into()));
    }
    let pw = b.auth.identity.password.ok_or_else(|| KeystoneError(StatusCode::BAD_REQUEST, "identity.password is required".into()))?;
    let user_domain = pw.user.domain.as_ref().and_then(|d| d.id.as_deref().or(d.name.as_deref()));
    let login = Login { user_id: pw.user.id.as_deref(), user_name: pw.user.name.as_deref(), domain: user_domain, password: &pw.user.password };
    let project = b.auth.scope.as_ref().and_then(|s| s.project.as_ref());
    let scope = Scope {
        project_id: project.and_then(|p| p.id.as_deref()),
        project_name: project.and_then(|p| p.name.as_deref()),
        domain: project.and_then(|p| p.domain.as_ref()).and_then(|d| d.id.as_deref().or(d.name.as_deref())),
    };
    let issued = ctx.identity.issue_token(&login, &scope).await?;
    tracing::info!(user = %issued.user.name, project = %issued.project.name, "token issued");
    let mut resp = (StatusCode::CREATED, Json(token_body(&ctx, &issued))).into_response();
    resp.headers_mut().insert("x-subject-token", issued.token.parse().expect("token is ASCII"));
    Ok(resp)
}

fn catalog(ctx: &Ctx, project_id: &str) -> Vec<CatalogEntry> {
    let eps = ctx.endpoints();
    let region = &ctx.app.settings.region;
    let entry = |kind: &str, name: &str, url: String| CatalogEntry {
        id: format!("{kind}-catalog"),
        kind: kind.into(),
        name: name.into(),
        endpoints: vec![CatalogEndpoint {
            id: format!("{kind}-public"),
            interface: "public".into(),
            region: region.clone(),
            region_id: region.clone(),
            url,
        }],
    };
    vec![
        entry("identity", "keystone", format!("{}/v3", eps.iam)),
        entry("dwsv1", "dws", format!("{}/v1.0/{project_id}", eps.dws)),
        entry("css", "css", format!("{}/v1.0/{project_id}", eps.css)),
    ]
}

fn token_body(ctx: &Ctx, t: &IssuedToken) -> TokenBody {
    let domain = Named { id: t.domain.id.clone(), name: t.domain.name.clone() };
    TokenBody {
        token: Token {
            methods: vec!["password".into()],
            expires_at: token_expiry_iso(t.record.expires_at),
            issued_at: token_expiry_iso(t.record.issued_at),
            audit_ids: vec![],
            user: TokenUser { id: t.user.id.clone(), name: t.user.name.clone(), domain: domain.clone(), password_expires_at: None },
            project: TokenProject { id: t.project.id.clone(), name: t.project.name.clone(), domain },
            roles: vec![Named { id: "0000000000000000000000000000admin".into(), name: "te_admin".into() }],
            catalog: catalog(ctx, &t.project.id),
        },
    }
}

/// Keystone's `identity:validate_token` policy is "admin or the token's own
/// subject"; strato has no admin role, so a caller sees only its own user's tokens.
#[utoipa::path(
    get, path = "/v3/auth/tokens", operation_id = "KeystoneValidateToken", tag = TAG_IDENTITY,
    summary = "Validate a token",
    params(("X-Subject-Token" = String, Header, description = "The token to validate (one of the caller's own user)")),
    responses(
        (status = 200, description = "The token is valid.", body = TokenBody,
         headers(("X-Subject-Token" = String, description = "The token validated"))),
        (status = 403, description = "The token is another user's.", body = ErrorBody),
        (status = 404, description = "The subject token is not a valid token.", body = ErrorBody),
    ),
)]
pub async fn validate_token(
    State(ctx): State<Ctx>,
    Extension(caller): Extension<Principal>,
    headers: HeaderMap,
) -> Result<Response, KeystoneError> {
    let not_found = || KeystoneError(StatusCode::NOT_FOUND, "Could not find token.".into());
    let subject = header(&headers, "x-subject-token").ok_or_else(not_found)?;
    let (principal, record) = ctx.identity.check_token(subject).await.map_err(|e| match e {
        AuthError::Store(_) => KeystoneError::from(e),
        _ => not_found(),
    })?;
    if principal.user.id != caller.user.id {
        tracing::info!(caller = %caller.user.id, "refused to validate another user's token");
        return Err(KeystoneError(
            StatusCode::FORBIDDEN,
            "You are not authorized to perform the requested action: identity:validate_token.".into(),
        ));
    }
    let store = &ctx.app.store;
    let project = store.get_project(&record.project_id).await.map_err(AuthError::Store)?.ok_or_else(not_found)?;
    let domain = store.find_domain(&principal.user.domain_id).await.map_err(AuthError::Store)?.ok_or_else(not_found)?;
    let issued = IssuedToken { token: subject.to_string(), record, user: principal.user, project, domain };
    let mut resp = Json(token_body(&ctx, &issued)).into_response();
    resp.headers_mut().insert("x-subject-token", subject.parse().map_err(|_| not_found())?);
    Ok(resp)
}

async fn projects(ctx: Ctx, caller: Principal, q: ProjectQuery) -> Result<Json<ProjectList>, KeystoneError> {
    let projects = ctx.identity.projects_of(&caller).await?;
    let list = projects
        .into_iter()
        .filter(|p| q.name.as_deref().is_none_or(|n| n == p.name))
        .map(|p| ProjectItem { id: p.id, name: p.name, domain_id: p.domain_id, enabled: true, is_domain: false })
        .collect();
    Ok(Json(ProjectList { projects: list, links: PageLinks { this: None, next: None, previous: None } }))
}

#[utoipa::path(
    get, path = "/v3/projects", operation_id = "KeystoneListProjects", tag = TAG_IDENTITY,
    summary = "List the caller's projects", params(ProjectQuery),
    responses((status = 200, description = "The projects the caller may act in.", body = ProjectList)),
)]
pub async fn list_projects(State(ctx): State<Ctx>, Extension(caller): Extension<Principal>, Query(q): Query<ProjectQuery>) -> Result<Json<ProjectList>, KeystoneError> {
    projects(ctx, caller, q).await
}

#[utoipa::path(
    get, path = "/v3/auth/projects", operation_id = "KeystoneListAuthProjects", tag = TAG_IDENTITY,
    summary = "List the projects the caller's token may be scoped to", params(ProjectQuery),
    responses((status = 200, description = "The projects the caller may act in.", body = ProjectList)),
)]
pub async fn list_auth_projects(State(ctx): State<Ctx>, Extension(caller): Extension<Principal>, Query(q): Query<ProjectQuery>) -> Result<Json<ProjectList>, KeystoneError> {
    projects(ctx, caller, q).await
}

#[utoipa::path(
    get, path = "/metrics", operation_id = "StratoMetrics", tag = TAG_STRATO, security(()),
    summary = "Prometheus metrics (OpenMetrics text; no credentials: the listener is on loopback)",
    responses((status = 200, description = "The metrics.", body = String, content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8")),
)]
pub async fn metrics(State(ctx): State<Ctx>) -> Result<Response, KeystoneError> {
    let text = ctx.app.metrics_text().await.map_err(|e| KeystoneError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let ct = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    Ok(([(axum::http::header::CONTENT_TYPE, ct)], text).into_response())
}
