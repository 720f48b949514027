//! A Keystone-authenticated client of a Huawei dialect (DWS, CSS) for the
//! CLI: finds the server through endpoints.json (or flags), logs in, and
//! decodes the dialect's `{"error_code","error_msg"}` errors.

use std::path::PathBuf;

use anyhow::{bail, Context};
use serde_json::{json, Value};

use super::http::{self, pick};

/// How to log in to the identity service (shared by every Huawei dialect).
#[derive(Debug, Clone, clap::Args)]
pub struct KeystoneArgs {
    /// Data directory of the server (for endpoints.json).
    #[arg(long, env = "STRATO_DATA_DIR", default_value = "strato-data", global = true)]
    pub data_dir: PathBuf,
    /// Identity endpoint (default: from endpoints.json).
    #[arg(long, env = "STRATO_IAM_URL", global = true)]
    pub iam_url: Option<String>,
    #[arg(long, env = "STRATO_DOMAIN", global = true)]
    pub domain: Option<String>,
    #[arg(long, env = "STRATO_USER", global = true)]
    pub user: Option<String>,
    #[arg(long, env = "STRATO_PASSWORD", hide_env_values = true, global = true)]
    pub password: Option<String>,
    #[arg(long, env = "STRATO_PROJECT", global = true)]
    pub project: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
}

/// `strato cluster|snapshot`: Keystone plus the DWS endpoint.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnArgs {
    #[command(flatten)]
    pub keystone: KeystoneArgs,
    /// DWS endpoint (default: from endpoints.json).
    #[arg(long, env = "STRATO_DWS_URL", global = true)]
    pub dws_url: Option<String>,
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    pub project_id: String,
}

impl Client {
    /// A client of the DWS listener.
    pub async fn connect(a: &ConnArgs) -> anyhow::Result<Client> {
        Client::login(&a.keystone, "dws", &a.dws_url).await
    }

    /// Logs in and talks to `listener` (its endpoints.json key, also the flag's name `--<listener>-url`).
    pub async fn login(a: &KeystoneArgs, listener: &str, url: &Option<String>) -> anyhow::Result<Client> {
        let doc = http::endpoints(&a.data_dir);
        let iam = pick(&a.iam_url, &doc, &["iam"], "iam-url")?;
        let base = pick(url, &doc, &[listener], &format!("{listener}-url"))?;
        let domain = pick(&a.domain, &doc, &["credentials", "domain"], "domain")?;
        let user = pick(&a.user, &doc, &["credentials", "user"], "user")?;
        let password = pick(&a.password, &doc, &["credentials", "password"], "password")?;
        let project = pick(&a.project, &doc, &["credentials", "project"], "project")?;
        let http = reqwest::Client::new();
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {"name": user, "password": password, "domain": {"name": domain}}}},
            "scope": {"project": {"name": project, "domain": {"name": domain}}},
        }});
        let resp = http.post(format!("{iam}/v3/auth/tokens")).json(&body).send().await.context("contacting the identity service")?;
        if !resp.status().is_success() {
            bail!("login failed ({}): {}", resp.status(), resp.text().await.unwrap_or_default());
        }
        let token = resp.headers().get("x-subject-token").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let doc: Value = resp.json().await?;
        let project_id = doc["token"]["project"]["id"].as_str().unwrap_or_default().to_string();
        Ok(Client { http, base, token, project_id })
    }

    /// Calls the API (`{pid}` in `path` is the project); an error envelope becomes a [`http::VendorError`].
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        self.send(method, path, body.as_ref()).await
    }

    /// [`Client::call`] with any serializable body (a dialect's wire type).
    pub async fn send<B: serde::Serialize + ?Sized>(&self, method: reqwest::Method, path: &str, body: Option<&B>) -> anyhow::Result<Value> {
        let url = format!("{}{}", self.base, path.replace("{pid}", &self.project_id));
        let mut req = self.http.request(method, &url).header("x-auth-token", &self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        http::send(req, &url, &http::HUAWEI).await
    }
}
