//! `strato vector ...`: vector (Zilliz) clusters through the Zilliz v2 API
//! with an API key, with `--wait` progress.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Subcommand;
use reqwest::Method;
use serde_json::Value;

use crate::api::zilliz::wire::{CreateDedicatedClusterRequest, ModifyClusterRequest};

#[derive(Debug, Clone, clap::Args)]
pub struct VectorConn {
    /// Data directory of the server (for endpoints.json).
    #[arg(long, env = "STRATO_DATA_DIR", default_value = "strato-data", global = true)]
    pub data_dir: PathBuf,
    /// Zilliz endpoint (default: from endpoints.json).
    #[arg(long, env = "STRATO_ZILLIZ_URL", global = true)]
    pub zilliz_url: Option<String>,
    /// API key (default: the bootstrap key in endpoints.json).
    #[arg(long, env = "STRATO_API_KEY", hide_env_values = true, global = true)]
    pub api_key: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum VectorCommand {
    /// Create a dedicated cluster (one real Milvus process); prints its password once.
    Create {
        name: String,
        #[arg(long, default_value_t = 1)]
        cu_size: u32,
        #[arg(long, default_value = "Performance-optimized")]
        cu_type: String,
        #[arg(long, default_value = "Standard")]
        plan: String,
        #[arg(long, default_value = crate::core::geography::ZILLIZ_REGIONS[0])]
        region: String,
        /// Project id (default: the API key's project, from endpoints.json).
        #[arg(long)]
        project_id: Option<String>,
        #[arg(long)]
        wait: bool,
    },
    List,
    Show { id: String },
    Suspend {
        id: String,
        #[arg(long)]
        wait: bool,
    },
    Resume {
        id: String,
        #[arg(long)]
        wait: bool,
    },
    /// Change the cluster's compute units.
    Modify {
        id: String,
        #[arg(long)]
        cu_size: u32,
        #[arg(long)]
        wait: bool,
    },
    Drop {
        id: String,
        #[arg(long)]
        wait: bool,
    },
}

struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
    doc: Value,
}

impl Client {
    fn new(c: &VectorConn) -> anyhow::Result<Client> {
        let doc = super::http::endpoints(&c.data_dir);
        let base = c.zilliz_url.clone().or_else(|| doc["zilliz"].as_str().map(str::to_string)).context("no --zilliz-url and no endpoints.json")?;
        let key = c.api_key.clone().or_else(|| doc["credentials"]["api_key"].as_str().map(str::to_string)).context("no --api-key")?;
        Ok(Client { http: reqwest::Client::new(), base, key, doc })
    }

    /// Calls the API; a non-zero `code` becomes an error naming it.
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method, &url).bearer_auth(&self.key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.with_context(|| format!("calling {url}"))?.json().await?;
        if v["code"] != 0 {
            bail!("{}: {}", v["code"], v["message"].as_str().unwrap_or(""));
        }
        Ok(v["data"].clone())
    }
}

fn print_table(clusters: &[Value]) {
    println!("{:<37}  {:<20}  {:<10}  {:>3}  {:>4}  CONNECT", "ID", "NAME", "STATUS", "CU", "PCT");
    for c in clusters {
        println!(
            "{:<37}  {:<20}  {:<10}  {:>3}  {:>4}  {}",
            c["clusterId"].as_str().unwrap_or(""),
            c["clusterName"].as_str().unwrap_or(""),
            c["status"].as_str().unwrap_or(""),
            c["cuSize"],
            c["createProgress"],
            c["connectAddress"].as_str().unwrap_or("-"),
        );
    }
}

/// Polls until the cluster shows `target` (or is gone, for `None`), showing its progress.
async fn wait_for(client: &Client, id: &str, label: &str, target: Option<&str>) -> anyhow::Result<()> {
    let bar = super::progress_bar(label);
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    loop {
        match client.call(Method::GET, &format!("/v2/clusters/{id}"), None).await {
            Ok(c) => {
                let status = c["status"].as_str().unwrap_or("");
                bar.set_message(status.to_string());
                bar.set_position(c["createProgress"].as_u64().unwrap_or(0).min(100));
                if Some(status) == target {
                    bar.finish_with_message(status.to_string());
                    return Ok(());
                }
                if status == "ABNORMAL" && target != Some("ABNORMAL") {
                    bar.abandon();
                    bail!("cluster {id} is ABNORMAL");
                }
            }
            Err(e) if target.is_none() && e.to_string().starts_with("96018") => {
                bar.finish_with_message("gone");
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        if std::time::Instant::now() > deadline {
            bail!("timed out waiting for cluster {id}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

pub async fn run(conn: VectorConn, cmd: VectorCommand) -> anyhow::Result<()> {
    let client = Client::new(&conn)?;
    let show = |v: &Value| {
        if conn.json {
            println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
        }
    };
    let op = |path: &str, id: &str| format!("/v2/clusters/{id}/{path}");
    match cmd {
        VectorCommand::Create { name, cu_size, cu_type, plan, region, project_id, wait } => {
            let project = project_id
                .or_else(|| client.doc["credentials"]["project_id"].as_str().map(str::to_string))
                .context("no --project-id")?;
            let body = CreateDedicatedClusterRequest {
                cluster_name: Some(name),
                project_id: Some(project),
                region_id: Some(region),
                plan: Some(plan),
                cu_type: Some(cu_type),
                cu_size: Some(cu_size.into()),
                description: None,
            };
            let body = serde_json::to_value(body)?;
            let made = client.call(Method::POST, "/v2/clusters/createDedicated", Some(body)).await?;
            show(&made);
            let id = made["clusterId"].as_str().unwrap_or_default().to_string();
            if !conn.json {
                println!("cluster {id}\nusername {}\npassword {}  (shown once)", made["username"].as_str().unwrap_or(""), made["password"].as_str().unwrap_or(""));
            }
            if wait {
                wait_for(&client, &id, "creating", Some("RUNNING")).await?;
            }
        }
        VectorCommand::List => {
            let mut all = Vec::new();
            for page in 1.. {
                let data = client.call(Method::GET, &format!("/v2/clusters?pageSize=100&currentPage={page}"), None).await?;
                let clusters = data["clusters"].as_array().cloned().unwrap_or_default();
                let done = clusters.len() < 100;
                all.extend(clusters);
                if done {
                    break;
                }
            }
            if conn.json {
                show(&Value::Array(all));
            } else {
                print_table(&all);
            }
        }
        VectorCommand::Show { id } => {
            let c = client.call(Method::GET, &format!("/v2/clusters/{id}"), None).await?;
            if conn.json {
                show(&c);
            } else {
                print_table(&[c]);
            }
        }
        VectorCommand::Suspend { id, wait } => {
            show(&client.call(Method::POST, &op("suspend", &id), None).await?);
            if wait {
                wait_for(&client, &id, "suspending", Some("STOPPED")).await?;
            }
        }
        VectorCommand::Resume { id, wait } => {
            show(&client.call(Method::POST, &op("resume", &id), None).await?);
            if wait {
                wait_for(&client, &id, "resuming", Some("RUNNING")).await?;
            }
        }
        VectorCommand::Modify { id, cu_size, wait } => {
            show(&client.call(Method::POST, &op("modify", &id), Some(serde_json::to_value(ModifyClusterRequest { cu_size: Some(cu_size.into()), ..Default::default() })?)).await?);
            if wait {
                // MODIFYING first, then RUNNING at the new size.
                tokio::time::sleep(Duration::from_millis(300)).await;
                wait_for(&client, &id, "modifying", Some("RUNNING")).await?;
            }
        }
        VectorCommand::Drop { id, wait } => {
            show(&client.call(Method::DELETE, &op("drop", &id), None).await?);
            if wait {
                wait_for(&client, &id, "dropping", None).await?;
            }
        }
    }
    Ok(())
}
