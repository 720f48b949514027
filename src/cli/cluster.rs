//! `strato cluster ...`: the DWS operations, with `--wait` progress bars.

use clap::Subcommand;
use reqwest::Method;
use serde_json::Value;

use super::client::{Client, ConnArgs};
use crate::api::dws::wire;
use super::http::{self, Verdict};

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Create a cluster of real PostgreSQL nodes (a primary and standbys).
    Create {
        name: String,
        #[arg(long, default_value_t = 3)]
        nodes: u32,
        #[arg(long, default_value = "dws.d1.xlarge")]
        node_type: String,
        #[arg(long, default_value_t = 8000)]
        port: u16,
        #[arg(long, default_value = "dbadmin")]
        user_name: String,
        #[arg(long, env = "STRATO_CLUSTER_PASSWORD", hide_env_values = true)]
        user_pwd: String,
        #[arg(long)]
        wait: bool,
    },
    List,
    Show { id: String },
    Restart {
        id: String,
        #[arg(long)]
        wait: bool,
    },
    Stop {
        id: String,
        #[arg(long)]
        wait: bool,
    },
    Start {
        id: String,
        #[arg(long)]
        wait: bool,
    },
    /// Add standbys (scale out): cloned from the primary, streaming from it.
    Resize {
        id: String,
        /// Nodes to add.
        #[arg(long)]
        count: i64,
        #[arg(long)]
        wait: bool,
    },
    /// Retire the newest standbys (scale in).
    Shrink {
        id: String,
        /// Nodes to retire.
        #[arg(long)]
        count: i64,
        #[arg(long)]
        wait: bool,
    },
    /// Set the administrator's password in PostgreSQL.
    ResetPassword {
        id: String,
        #[arg(long, env = "STRATO_NEW_CLUSTER_PASSWORD", hide_env_values = true)]
        new_password: String,
    },
    /// Show the cluster's parameters and its parameter group's status.
    Parameters { id: String },
    /// Set database parameters on every node (NAME=VALUE ...).
    SetParameter {
        id: String,
        #[arg(required = true, value_name = "NAME=VALUE")]
        settings: Vec<String>,
        /// Wait until the group is In-Sync (or Pending-Reboot: a restart applies the rest).
        #[arg(long)]
        wait: bool,
    },
    /// Add (KEY=VALUE) or remove (KEY) tags.
    Tag {
        id: String,
        #[arg(long, value_name = "KEY=VALUE")]
        add: Vec<String>,
        #[arg(long, value_name = "KEY")]
        remove: Vec<String>,
    },
    /// The project's DWS events, newest first.
    Events {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    Delete {
        id: String,
        /// Keep this many of the cluster's newest manual snapshots (default: keep all).
        #[arg(long)]
        keep_last_manual_snapshot: Option<u32>,
        #[arg(long)]
        wait: bool,
    },
}

fn print_table(clusters: &[Value]) {
    println!("{:<36}  {:<20}  {:<16}  {:<10}  {:>5}  ENDPOINT", "ID", "NAME", "STATUS", "TASK", "NODES");
    for c in clusters {
        let status = match c["sub_status"].as_str() {
            Some(s) if s != "NORMAL" => format!("{}/{}", c["status"].as_str().unwrap_or(""), s),
            _ => c["status"].as_str().unwrap_or("").to_string(),
        };
        println!(
            "{:<36}  {:<20}  {:<16}  {:<10}  {:>5}  {}",
            c["id"].as_str().unwrap_or(""),
            c["name"].as_str().unwrap_or(""),
            status,
            c["task_status"].as_str().unwrap_or("-"),
            c["number_of_node"],
            c["endpoints"][0]["connect_info"].as_str().unwrap_or("-"),
        );
    }
}

/// The cluster's parameter group (the one `ListClusterConfigurations` shows).
async fn parameter_group(client: &Client, id: &str) -> anyhow::Result<Value> {
    let v = client.call(Method::GET, &format!("/v1.0/{{pid}}/clusters/{id}/configurations"), None).await?;
    v["configurations"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["type"] == "hiddenParameterGroup"))
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("cluster {id} shows no parameter group"))
}

/// The provider's wait after a parameter change: the group In-Sync or Pending-Reboot.
fn parameters_applied(c: Option<&Value>) -> Verdict {
    let Some(c) = c else { return Some(Err(anyhow::anyhow!("the cluster is gone"))) };
    match c["parameter_group"]["status"].as_str().unwrap_or("") {
        "In-Sync" | "Pending-Reboot" => Some(Ok(())),
        "Sync-Failure" => Some(Err(anyhow::anyhow!("the change failed: {}", c["failed_reasons"]["error_msg"]))),
        _ => None,
    }
}

fn print_parameters(params: &[Value]) {
    println!("{:<32}  {:<16}  {:<16}  {:<6}  RESTART", "NAME", "VALUE", "DEFAULT", "UNIT");
    for p in params {
        let v = &p["values"][0];
        println!(
            "{:<32}  {:<16}  {:<16}  {:<6}  {}",
            p["name"].as_str().unwrap_or(""),
            v["value"].as_str().unwrap_or(""),
            v["default_value"].as_str().unwrap_or(""),
            p["unit"].as_str().unwrap_or(""),
            if p["restart_required"] == true { "yes" } else { "no" },
        );
    }
}

/// Polls the cluster until `done` says so, showing action_progress.
async fn wait_for(client: &Client, id: &str, label: &str, done: impl Fn(Option<&Value>) -> Verdict) -> anyhow::Result<()> {
    let fetch = || async move {
        match client.call(Method::GET, &format!("/v1.0/{{pid}}/clusters/{id}"), None).await {
            Ok(v) => Ok(Some(v["cluster"].clone())),
            Err(e) if http::has_code(&e, "DWS.0047") => Ok(None),
            Err(e) => Err(e),
        }
    };
    let progress = |c: &Value| c["action_progress"].as_object().and_then(|m| m.values().next()).and_then(http::percent);
    http::poll(label, fetch, progress, done).await
}

fn settled(want: &'static str) -> impl Fn(Option<&Value>) -> Verdict {
    move |c| {
        let c = c?;
        let status = c["status"].as_str().unwrap_or("");
        let idle = c["action_progress"].as_object().is_none_or(|m| m.is_empty()) && c["task_status"].is_null();
        if status == "CREATION FAILED" {
            return Some(Err(anyhow::anyhow!("creation failed: {}", c["failed_reasons"]["error_msg"])));
        }
        let task = c["task_status"].as_str().unwrap_or("");
        if task.ends_with("_FAILURE") || task.ends_with("_FAILED") {
            return Some(Err(anyhow::anyhow!("{task}: {}", c["failed_reasons"]["error_msg"])));
        }
        (idle && status == want).then_some(Ok(()))
    }
}

pub async fn run(conn: ConnArgs, cmd: ClusterCommand) -> anyhow::Result<()> {
    let client = Client::connect(&conn).await?;
    let out = |v: &Value| {
        if conn.keystone.json {
            http::print_json(v);
        }
    };
    match cmd {
        ClusterCommand::Create { name, nodes, node_type, port, user_name, user_pwd, wait } => {
            let cluster = wire::ClusterSpec {
                name: Some(name),
                number_of_node: Some(nodes.into()),
                node_type: Some(node_type),
                port: Some(port.into()),
                user_name: Some(user_name),
                user_pwd: Some(user_pwd),
                vpc_id: Some("strato-vpc".into()),
                subnet_id: Some("strato-subnet".into()),
                security_group_id: Some("strato-sg".into()),
                ..Default::default()
            };
            let body = serde_json::to_value(wire::CreateClusterRequest { cluster })?;
            let v = client.call(Method::POST, "/v1.0/{pid}/clusters", Some(body)).await?;
            let id = v["cluster"]["id"].as_str().unwrap_or_default().to_string();
            if wait {
                wait_for(&client, &id, "creating", settled("AVAILABLE")).await?;
            }
            if conn.keystone.json {
                out(&client.call(Method::GET, &format!("/v1.0/{{pid}}/clusters/{id}"), None).await?);
            } else {
                println!("{id}");
            }
        }
        ClusterCommand::List => {
            let v = client.call(Method::GET, "/v1.0/{pid}/clusters", None).await?;
            if conn.keystone.json {
                out(&v);
            } else {
                print_table(v["clusters"].as_array().map(Vec::as_slice).unwrap_or(&[]));
            }
        }
        ClusterCommand::Show { id } => {
            let v = client.call(Method::GET, &format!("/v1.0/{{pid}}/clusters/{id}"), None).await?;
            if conn.keystone.json {
                out(&v);
            } else {
                print_table(std::slice::from_ref(&v["cluster"]));
                for e in v["cluster"]["endpoints"].as_array().into_iter().flatten() {
                    println!("  endpoint {}", e["connect_info"].as_str().unwrap_or(""));
                }
            }
        }
        ClusterCommand::Restart { id, wait } => {
            client.call(Method::POST, &format!("/v1.0/{{pid}}/clusters/{id}/restart"), Some(serde_json::to_value(wire::RestartClusterRequest { restart: Default::default() })?)).await?;
            if wait {
                wait_for(&client, &id, "rebooting", settled("AVAILABLE")).await?;
            }
            println!("restart of {id} accepted");
        }
        ClusterCommand::Stop { id, wait } => {
            let v = client.call(Method::POST, &format!("/v1/{{pid}}/clusters/{id}/stop"), None).await?;
            if wait {
                wait_for(&client, &id, "stopping", settled("STOPPED")).await?;
            }
            println!("stop of {id} accepted (job {})", v["job_id"].as_str().unwrap_or(""));
        }
        ClusterCommand::Start { id, wait } => {
            let v = client.call(Method::POST, &format!("/v1/{{pid}}/clusters/{id}/start"), None).await?;
            if wait {
                wait_for(&client, &id, "starting", settled("AVAILABLE")).await?;
            }
            println!("start of {id} accepted (job {})", v["job_id"].as_str().unwrap_or(""));
        }
        ClusterCommand::Resize { id, count, wait } => {
            let body = wire::ResizeClusterRequest { scale_out: wire::ScaleOut { count, subnet_id: None } };
            client.call(Method::POST, &format!("/v1.0/{{pid}}/clusters/{id}/resize"), Some(serde_json::to_value(body)?)).await?;
            if wait {
                wait_for(&client, &id, "growing", settled("AVAILABLE")).await?;
            }
            println!("scale-out of {id} by {count} accepted");
        }
        ClusterCommand::Shrink { id, count, wait } => {
            let body = wire::ShrinkClusterRequest { shrink_number: count, force_backup: None, online: None, datastore_type: None };
            let path = format!("/v1.0/{{pid}}/clusters/{id}/cluster-shrink");
            let v = client.call(Method::POST, &path, Some(serde_json::to_value(body)?)).await?;
            if wait {
                wait_for(&client, &id, "shrinking", settled("AVAILABLE")).await?;
            }
            println!("scale-in of {id} by {count} accepted (job {})", v["job_id"].as_str().unwrap_or(""));
        }
        ClusterCommand::ResetPassword { id, new_password } => {
            let body = wire::ResetPasswordRequest { new_password };
            let path = format!("/v1.0/{{pid}}/clusters/{id}/reset-password");
            client.call(Method::POST, &path, Some(serde_json::to_value(body)?)).await?;
            println!("password reset of {id} accepted");
        }
        ClusterCommand::Parameters { id } => {
            let group = parameter_group(&client, &id).await?;
            let gid = group["id"].as_str().unwrap_or_default();
            let v = client.call(Method::GET, &format!("/v1.0/{{pid}}/clusters/{id}/configurations/{gid}"), None).await?;
            if conn.keystone.json {
                out(&v);
            } else {
                println!("parameter group {gid}: {}", group["status"].as_str().unwrap_or(""));
                print_parameters(v["configurations"].as_array().map(Vec::as_slice).unwrap_or(&[]));
            }
        }
        ClusterCommand::SetParameter { id, settings, wait } => {
            let mut configurations = Vec::new();
            for s in &settings {
                let (name, value) = s.split_once('=').ok_or_else(|| anyhow::anyhow!("`{s}` is not NAME=VALUE"))?;
                for role in ["cn", "dn"] {
                    configurations.push(wire::ParameterValue { r#type: role.into(), name: name.into(), value: value.into() });
                }
            }
            let group = parameter_group(&client, &id).await?;
            let path = format!("/v2/{{pid}}/clusters/{id}/configurations/{}", group["id"].as_str().unwrap_or_default());
            client.call(Method::PUT, &path, Some(serde_json::to_value(wire::UpdateConfigurationRequest { configurations })?)).await?;
            if wait {
                wait_for(&client, &id, "setting parameters", parameters_applied).await?;
                let status = client.call(Method::GET, &format!("/v1.0/{{pid}}/clusters/{id}"), None).await?;
                println!("parameters of {id}: {}", status["cluster"]["parameter_group"]["status"].as_str().unwrap_or(""));
            } else {
                println!("parameter change of {id} accepted");
            }
        }
        ClusterCommand::Tag { id, add, remove } => {
            if add.is_empty() && remove.is_empty() {
                anyhow::bail!("give --add KEY=VALUE or --remove KEY");
            }
            if !add.is_empty() {
                let tags = add
                    .iter()
                    .map(|t| t.split_once('=').map(|(k, v)| wire::ClusterTag { key: k.into(), value: v.into() }))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| anyhow::anyhow!("--add takes KEY=VALUE"))?;
                let body = serde_json::to_value(wire::BatchCreateTagsRequest { tags })?;
                client.call(Method::POST, &format!("/v1.0/{{pid}}/clusters/{id}/tags/batch-create"), Some(body)).await?;
            }
            if !remove.is_empty() {
                let tags = remove.into_iter().map(|key| wire::TagToDelete { key, value: None }).collect();
                let body = serde_json::to_value(wire::BatchDeleteTagsRequest { tags })?;
                client.call(Method::POST, &format!("/v1.0/{{pid}}/clusters/{id}/tags/batch-delete"), Some(body)).await?;
            }
            let v = client.call(Method::GET, &format!("/v1.0/{{pid}}/clusters/{id}/tags"), None).await?;
            if conn.keystone.json {
                out(&v);
            } else {
                for t in v["tags"].as_array().into_iter().flatten() {
                    println!("{}={}", t["key"].as_str().unwrap_or(""), t["value"].as_str().unwrap_or(""));
                }
            }
        }
        ClusterCommand::Events { limit } => {
            let v = client.call(Method::GET, &format!("/v2/{{pid}}/events?limit={limit}"), None).await?;
            if conn.keystone.json {
                out(&v);
            } else {
                for e in v["events"].as_array().into_iter().flatten() {
                    let at = e["occur_time"].as_i64().map(crate::core::iso).unwrap_or_default();
                    println!("{at}  {:<7}  {:<20}  {:<28}  {}", e["severity"].as_str().unwrap_or(""), e["source_name"].as_str().unwrap_or(""), e["name"].as_str().unwrap_or(""), e["context"].as_str().unwrap_or(""));
                }
            }
        }
        ClusterCommand::Delete { id, keep_last_manual_snapshot, wait } => {
            let body = keep_last_manual_snapshot
                .map(|n| serde_json::to_value(wire::DeleteClusterRequest { keep_last_manual_snapshot: Some(n.into()) }))
                .transpose()?;
            client.call(Method::DELETE, &format!("/v1.0/{{pid}}/clusters/{id}"), body).await?;
            if wait {
                wait_for(&client, &id, "deleting", |c| c.is_none().then_some(Ok(()))).await?;
            }
            println!("delete of {id} accepted");
        }
    }
    Ok(())
}
