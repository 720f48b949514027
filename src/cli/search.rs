//! `strato search ...`: Huawei CSS clusters through the CSS API (Keystone
//! token, like `strato cluster`), requests built from the dialect's own wire
//! types, with `--wait` progress.

use clap::Subcommand;
use reqwest::Method;
use serde_json::Value;

use super::client::{Client, KeystoneArgs};
use super::http::{self, cell, Verdict};
use crate::api::css::wire;
use crate::core::search::{Datastore, CSS_DISK_GB};

#[derive(Debug, Clone, clap::Args)]
pub struct SearchConn {
    #[command(flatten)]
    pub keystone: KeystoneArgs,
    /// CSS endpoint (default: from endpoints.json).
    #[arg(long, env = "STRATO_CSS_URL", global = true)]
    pub css_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Create a cluster of N real engine members.
    Create {
        name: String,
        #[arg(long, default_value_t = 1)]
        nodes: u32,
        #[arg(long, default_value = crate::core::search::CSS_FLAVORS[0].0)]
        flavor: String,
        /// Datastore version (default: the newest offered for the datastore).
        #[arg(long)]
        version: Option<String>,
        #[arg(long, default_value = "elasticsearch", value_parser = ["elasticsearch", "opensearch", "logstash"])]
        datastore: String,
        #[arg(long, default_value_t = CSS_DISK_GB.0)]
        volume_size: i64,
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
    Delete {
        id: String,
        #[arg(long)]
        wait: bool,
    },
    /// The flavors and versions clusters may be created with.
    Flavors,
}

/// The CSS create body, as `api::css::wire` decodes it.
fn create_body(name: String, nodes: u32, flavor: String, version: Option<String>, datastore: String, volume_size: i64) -> wire::CreateClusterRequest {
    let version = version.or_else(|| Datastore::parse(&datastore).map(|d| d.versions()[0].to_string()));
    let nics = wire::Nics { vpc_id: Some("strato-vpc".into()), net_id: Some("strato-subnet".into()), security_group_id: Some("strato-sg".into()) };
    let instance = wire::Instance {
        flavor_ref: Some(flavor),
        volume: Some(wire::Volume { volume_type: Some("COMMON".into()), size: Some(volume_size) }),
        nics: Some(nics),
        availability_zone: None,
    };
    let cluster = wire::ClusterBody {
        name: Some(name),
        instance_num: Some(nodes.into()),
        instance: Some(instance),
        datastore: Some(wire::Datastore { r#type: Some(datastore), version }),
        ..wire::ClusterBody::default()
    };
    wire::CreateClusterRequest { cluster: Some(cluster) }
}

/// CSS's ready state: status "200", no actions, every member "200".
fn ready(c: &Value) -> bool {
    c["status"] == "200"
        && c["actions"].as_array().is_some_and(|a| a.is_empty())
        && c["instances"].as_array().is_some_and(|i| !i.is_empty() && i.iter().all(|n| n["status"] == "200"))
}

fn until_ready(c: Option<&Value>) -> Verdict {
    let c = c?;
    if let Some(reason) = c.get("failedReason") {
        return Some(Err(anyhow::anyhow!("cluster failed: {} {}", reason["errorCode"], reason["errorMsg"])));
    }
    ready(c).then_some(Ok(()))
}

async fn wait_for(client: &Client, id: &str, label: &str, done: impl Fn(Option<&Value>) -> Verdict) -> anyhow::Result<()> {
    let fetch = || async move {
        match client.call(Method::GET, &format!("/v1.0/{{pid}}/clusters/{id}"), None).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if http::has_code(&e, "CSS.3027") => Ok(None),
            Err(e) => Err(e),
        }
    };
    let progress = |c: &Value| c["actionProgress"].as_object().and_then(|m| m.values().next()).and_then(http::percent);
    http::poll(label, fetch, progress, done).await
}

fn print_table(clusters: &[Value]) {
    let columns = [("ID", 36), ("NAME", 20), ("DATASTORE", 22), ("STATUS", 16), ("NODES", 5), ("ENDPOINT", 0)];
    let rows = clusters.iter().map(|c| {
        let actions: Vec<&str> = c["actions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let status = if actions.is_empty() { cell(&c["status"]) } else { format!("{}/{}", cell(&c["status"]), actions.join(",")) };
        let datastore = format!("{} {}", cell(&c["datastore"]["type"]), cell(&c["datastore"]["version"]));
        let nodes = c["instances"].as_array().map_or(0, Vec::len).to_string();
        vec![cell(&c["id"]), cell(&c["name"]), datastore, status, nodes, cell(&c["endpoint"])]
    });
    http::print_table(&columns, rows);
}

fn print_flavors(v: &Value) {
    let rows = v["versions"].as_array().into_iter().flatten().flat_map(|ver| {
        ver["flavors"].as_array().into_iter().flatten().map(move |f| {
            vec![cell(&ver["datastore"]), cell(&ver["version"]), cell(&f["name"]), cell(&f["cpu"]), cell(&f["ram"]), cell(&f["diskrange"])]
        })
    });
    http::print_table(&[("DATASTORE", 13), ("VERSION", 8), ("FLAVOR", 16), ("CPU", 3), ("RAM", 3), ("DISK GB", 0)], rows);
}

/// Every cluster, a page of 100 at a time (offset is 1-based), as one list response.
async fn list_all(client: &Client) -> anyhow::Result<Value> {
    let mut all = Vec::new();
    loop {
        let mut page = client.call(Method::GET, &format!("/v1.0/{{pid}}/clusters?offset={}&limit=100", all.len() + 1), None).await?;
        let clusters = page["clusters"].as_array().cloned().unwrap_or_default();
        let empty = clusters.is_empty();
        all.extend(clusters);
        if empty || all.len() as u64 >= page["totalSize"].as_u64().unwrap_or(0) {
            page["clusters"] = Value::Array(all);
            return Ok(page);
        }
    }
}

pub async fn run(conn: SearchConn, cmd: SearchCommand) -> anyhow::Result<()> {
    let client = Client::login(&conn.keystone, "css", &conn.css_url).await?;
    let json = conn.keystone.json;
    let cluster_path = |id: &str| format!("/v1.0/{{pid}}/clusters/{id}");
    match cmd {
        SearchCommand::Create { name, nodes, flavor, version, datastore, volume_size, wait } => {
            let body = create_body(name, nodes, flavor, version, datastore, volume_size);
            let made = client.send(Method::POST, "/v1.0/{pid}/clusters", Some(&body)).await?;
            let id = made["cluster"]["id"].as_str().unwrap_or_default().to_string();
            if wait {
                wait_for(&client, &id, "creating", until_ready).await?;
            }
            match json {
                true => http::print_json(&client.call(Method::GET, &cluster_path(&id), None).await?),
                false => println!("{id}"),
            }
        }
        SearchCommand::List => {
            let listed = list_all(&client).await?;
            match json {
                true => http::print_json(&listed),
                false => print_table(listed["clusters"].as_array().map(Vec::as_slice).unwrap_or_default()),
            }
        }
        SearchCommand::Show { id } => {
            let c = client.call(Method::GET, &cluster_path(&id), None).await?;
            match json {
                true => http::print_json(&c),
                false => print_table(&[c]),
            }
        }
        SearchCommand::Restart { id, wait } => {
            let ack = client.call(Method::POST, &format!("{}/restart", cluster_path(&id)), None).await?;
            if wait {
                wait_for(&client, &id, "rebooting", until_ready).await?;
            }
            match json {
                true => http::print_json(&ack),
                false => println!("restart of {id} accepted"),
            }
        }
        SearchCommand::Delete { id, wait } => {
            let ack = client.call(Method::DELETE, &cluster_path(&id), None).await?;
            if wait {
                wait_for(&client, &id, "deleting", |c| c.is_none().then_some(Ok(()))).await?;
            }
            match json {
                true => http::print_json(&ack),
                false => println!("delete of {id} accepted"),
            }
        }
        SearchCommand::Flavors => {
            let v = client.call(Method::GET, "/v1.0/{pid}/es-flavors", None).await?;
            match json {
                true => http::print_json(&v),
                false => print_flavors(&v),
            }
        }
    }
    Ok(())
}
