//! A small DWS API client for the CLI: finds the server through
//! endpoints.json (or flags), logs in with Keystone, and decodes DWS errors.

use std::path::PathBuf;

use anyhow::{bail, Context};
use serde_json::{json, Value};

#[derive(Debug, Clone, clap::Args)]
pub struct ConnArgs {
    /// Data directory of the server (for endpoints.json).
    #[arg(long, env = "STRATO_DATA_DIR", default_value = "strato-data", global = true)]
    pub data_dir: PathBuf,
    /// Identity endpoint (default: from endpoints.json).
    #[arg(long, env = "STRATO_IAM_URL", global = true)]
    pub iam_url: Option<String>,
    /// DWS endpoint (default: from endpoints.json).
    #[arg(long, env = "STRATO_DWS_URL", global = true)]
    pub dws_url: Option<String>,
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

pub struct Client {
    http: reqwest::Client,
    dws: String,
    token: String,
    pub project_id: String,
}

fn pick(flag: &Option<String>, doc: &Value, path: &[&str], what: &str) -> anyhow::Result<String> {
    if let Some(v) = flag {
        return Ok(v.clone());
    }
    let mut cur = doc;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().map(str::to_string).with_context(|| format!("no {what}: pass --{what} or run the server with bootstrap"))
}

impl Client {
    pub async fn connect(a: &ConnArgs) -> anyhow::Result<Client> {
        let doc: Value = std::fs::read_to_string(a.data_dir.join("endpoints.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        let iam = pick(&a.iam_url, &doc, &["iam"], "iam-url")?;
        let dws = pick(&a.dws_url, &doc, &["dws"], "dws-url")?;
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
        Ok(Client { http, dws, token, project_id })
    }

    /// Calls the DWS API; a DWS error envelope becomes an error naming its code.
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let url = format!("{}{}", self.dws, path.replace("{pid}", &self.project_id));
        let mut req = self.http.request(method, &url).header("x-auth-token", &self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.with_context(|| format!("calling {url}"))?;
        let status = resp.status();
        let text = resp.text().await?;
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{} {}: {}", status.as_u16(), v["error_code"].as_str().unwrap_or(""), v["error_msg"].as_str().unwrap_or(&text));
        }
        Ok(v)
    }
}
