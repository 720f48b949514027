//! `strato snapshot ...`: DWS snapshots and restores, with `--wait`.

use std::time::{Duration, Instant};

use anyhow::bail;
use clap::Subcommand;
use reqwest::Method;
use serde_json::{json, Value};

use super::client::{Client, ConnArgs};
use crate::api::dws::wire;

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Take an online snapshot of a cluster.
    Create {
        cluster_id: String,
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long)]
        wait: bool,
    },
    /// List snapshots (of one cluster with --cluster).
    List {
        #[arg(long)]
        cluster: Option<String>,
    },
    Show { id: String },
    Delete {
        id: String,
        #[arg(long)]
        wait: bool,
    },
    /// Restore a snapshot into a new cluster.
    Restore {
        id: String,
        name: String,
        #[arg(long)]
        port: Option<u16>,
        #[arg(long)]
        wait: bool,
    },
}

fn percent(v: &Value) -> Option<u64> {
    v.as_str().and_then(|s| s.trim_end_matches('%').parse().ok())
}

/// Polls a snapshot until it leaves CREATING/DELETING (or disappears when `gone_ok`).
async fn wait_snapshot(client: &Client, id: &str, label: &str, gone_ok: bool) -> anyhow::Result<Option<Value>> {
    let bar = super::progress_bar(label);
    let deadline = Instant::now() + Duration::from_secs(3600);
    loop {
        match client.call(Method::GET, &format!("/v1.0/{{pid}}/snapshots/{id}"), None).await {
            Ok(v) => {
                let s = &v["snapshot"];
                if let Some(p) = percent(&s["progress"]) {
                    bar.set_position(p);
                }
                match s["status"].as_str().unwrap_or("") {
                    "CREATING" | "DELETING" => {}
                    "UNAVAILABLE" => {
                        bar.finish_and_clear();
                        bail!("snapshot {id} failed: {}", s["failed_reasons"]["error_msg"]);
                    }
                    _ if !gone_ok => {
                        bar.finish_and_clear();
                        return Ok(Some(s.clone()));
                    }
                    _ => {}
                }
            }
            Err(e) if gone_ok && e.to_string().contains("DWS.5149") => {
                bar.finish_and_clear();
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
        if Instant::now() > deadline {
            bail!("gave up waiting for snapshot {id}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn wait_cluster(client: &Client, id: &str) -> anyhow::Result<()> {
    let bar = super::progress_bar("restoring");
    let deadline = Instant::now() + Duration::from_secs(3600);
    loop {
        let v = client.call(Method::GET, &format!("/v1.0/{{pid}}/clusters/{id}"), None).await?;
        let c = &v["cluster"];
        if let Some(p) = c["action_progress"].as_object().and_then(|m| m.values().next()).and_then(percent) {
            bar.set_position(p);
        }
        match c["status"].as_str().unwrap_or("") {
            "AVAILABLE" if c["task_status"].is_null() => {
                bar.finish_and_clear();
                return Ok(());
            }
            "CREATION FAILED" => {
                bar.finish_and_clear();
                bail!("restore failed: {}", c["failed_reasons"]["error_msg"]);
            }
            _ => {}
        }
        if Instant::now() > deadline {
            bail!("gave up waiting for cluster {id}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn print_table(snaps: &[Value]) {
    println!("{:<36}  {:<24}  {:<11}  {:>10}  {:<36}  STARTED", "ID", "NAME", "STATUS", "SIZE GB", "CLUSTER");
    for s in snaps {
        println!(
            "{:<36}  {:<24}  {:<11}  {:>10.3}  {:<36}  {}",
            s["id"].as_str().unwrap_or(""),
            s["name"].as_str().unwrap_or(""),
            s["status"].as_str().unwrap_or(""),
            s["size"].as_f64().unwrap_or(0.0),
            s["cluster_id"].as_str().unwrap_or(""),
            s["started"].as_str().unwrap_or("-"),
        );
    }
}

pub async fn run(conn: ConnArgs, cmd: SnapshotCommand) -> anyhow::Result<()> {
    let client = Client::connect(&conn).await?;
    let print = |v: &Value| println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
    match cmd {
        SnapshotCommand::Create { cluster_id, name, description, wait } => {
            let snapshot = wire::SnapshotSpec { name: Some(name), cluster_id: Some(cluster_id), description: Some(description) };
            let body = serde_json::to_value(wire::CreateSnapshotRequest { snapshot })?;
            let v = client.call(Method::POST, "/v1.0/{pid}/snapshots", Some(body)).await?;
            let id = v["snapshot"]["id"].as_str().unwrap_or_default().to_string();
            let shown = if wait { wait_snapshot(&client, &id, "snapshotting", false).await? } else { None };
            match (conn.keystone.json, shown) {
                (true, Some(s)) => print(&json!({"snapshot": s})),
                (true, None) => print(&v),
                (false, _) => println!("{id}"),
            }
        }
        SnapshotCommand::List { cluster } => {
            let path = match &cluster {
                Some(c) => format!("/v1.0/{{pid}}/clusters/{c}/snapshots?sort_dir=asc"),
                None => "/v1.0/{pid}/snapshots".to_string(),
            };
            let v = client.call(Method::GET, &path, None).await?;
            if conn.keystone.json {
                print(&v);
            } else {
                print_table(v["snapshots"].as_array().map(Vec::as_slice).unwrap_or(&[]));
            }
        }
        SnapshotCommand::Show { id } => {
            let v = client.call(Method::GET, &format!("/v1.0/{{pid}}/snapshots/{id}"), None).await?;
            if conn.keystone.json {
                print(&v);
            } else {
                print_table(std::slice::from_ref(&v["snapshot"]));
            }
        }
        SnapshotCommand::Delete { id, wait } => {
            client.call(Method::DELETE, &format!("/v1.0/{{pid}}/snapshots/{id}"), None).await?;
            if wait {
                wait_snapshot(&client, &id, "deleting", true).await?;
            }
            println!("delete of snapshot {id} accepted");
        }
        SnapshotCommand::Restore { id, name, port, wait } => {
            let restore = wire::RestoreSpec {
                name: Some(name),
                port: port.map(Into::into),
                subnet_id: None,
                security_group_id: None,
                vpc_id: None,
                availability_zone: None,
                public_ip: None,
                enterprise_project_id: None,
                number_of_cn: None,
            };
            let body = serde_json::to_value(wire::RestoreClusterRequest { restore })?;
            let v = client.call(Method::POST, &format!("/v1.0/{{pid}}/snapshots/{id}/actions"), Some(body)).await?;
            let cluster = v["cluster"]["id"].as_str().unwrap_or_default().to_string();
            if wait {
                wait_cluster(&client, &cluster).await?;
            }
            if conn.keystone.json {
                print(&v);
            } else {
                println!("{cluster}");
            }
        }
    }
    Ok(())
}
