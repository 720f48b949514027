//! `strato aliyun es|logstash ...`: Alibaba Cloud Elasticsearch and Logstash
//! instances through the ROA API, every request signed ACS3-HMAC-SHA256 by
//! strato's own signer, bodies built from the dialect's wire types.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use reqwest::Method;
use serde_json::Value;
use sha2::Digest;

use super::http::{self, cell, pick, Verdict};
use crate::api::aliyun::wire;
use crate::auth::signature::{acs3_authorization, WireRequest};
use crate::core::search::Datastore;

#[derive(Debug, Clone, clap::Args)]
pub struct AliyunConn {
    /// Data directory of the server (for endpoints.json).
    #[arg(long, env = "STRATO_DATA_DIR", default_value = "strato-data", global = true)]
    pub data_dir: PathBuf,
    /// Alibaba Elasticsearch/Logstash endpoint (default: from endpoints.json).
    #[arg(long, env = "STRATO_ALIYUN_URL", global = true)]
    pub aliyun_url: Option<String>,
    /// Access key id (default: the bootstrap key in endpoints.json).
    #[arg(long, env = "STRATO_ACCESS_KEY", global = true)]
    pub access_key: Option<String>,
    #[arg(long, env = "STRATO_SECRET_KEY", hide_env_values = true, global = true)]
    pub secret_key: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AliyunCommand {
    /// Alibaba Cloud Elasticsearch instances (`/openapi/instances`).
    Es {
        #[command(subcommand)]
        command: InstanceCommand,
    },
    /// Alibaba Cloud Logstash instances (`/openapi/logstashes`).
    Logstash {
        #[command(subcommand)]
        command: InstanceCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum InstanceCommand {
    /// Create an instance of N real engine members.
    Create(CreateArgs),
    List,
    Show { id: String },
    /// Change the number of members (a change task: interrupt and resume apply).
    Update {
        id: String,
        #[arg(long)]
        node_amount: u32,
        #[arg(long)]
        wait: bool,
    },
    Restart {
        id: String,
        #[arg(long)]
        wait: bool,
    },
    /// Suspend the running change task.
    Interrupt { id: String },
    /// Continue a suspended change task where it stopped.
    Resume {
        id: String,
        #[arg(long)]
        wait: bool,
    },
    Delete {
        id: String,
        #[arg(long)]
        wait: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    pub description: String,
    /// Members (default: 2 for Elasticsearch, 1 for Logstash).
    #[arg(long)]
    pub node_amount: Option<u32>,
    /// Node spec (default: elasticsearch.sn2ne.large / logstash.n4.small).
    #[arg(long)]
    pub spec: Option<String>,
    /// Disk per member, GB.
    #[arg(long, default_value_t = 20)]
    pub disk: i64,
    #[arg(long, default_value = "cloud_ssd")]
    pub disk_type: String,
    /// Version, e.g. 7.10_with_X-Pack (default: the newest offered).
    #[arg(long)]
    pub version: Option<String>,
    /// Zone (`networkConfig.vsArea`); a server run with another --aliyun-region needs one of its zones.
    #[arg(long, env = "STRATO_ALIYUN_ZONE", default_value_t = crate::core::geography::aliyun_zones("cn-hangzhou")[0].clone())]
    pub zone: String,
    /// The elastic user's password (Elasticsearch only).
    #[arg(long, env = "STRATO_ES_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    #[arg(long)]
    pub wait: bool,
}

/// Elasticsearch or Logstash: where its routes are and what the SDK calls its operations.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Es,
    Logstash,
}

impl Kind {
    fn base(self) -> &'static str {
        match self {
            Kind::Es => "/openapi/instances",
            Kind::Logstash => "/openapi/logstashes",
        }
    }

    /// The SDK operation name (`x-acs-action`): `DescribeInstance`, `InterruptLogstashTask`, ...
    fn action(self, verb: &str) -> String {
        match (self, verb) {
            (Kind::Es, "Interrupt" | "Resume") => format!("{verb}ElasticsearchTask"),
            (Kind::Logstash, "Interrupt" | "Resume") => format!("{verb}LogstashTask"),
            (Kind::Es, _) => format!("{verb}Instance"),
            (Kind::Logstash, _) => format!("{verb}Logstash"),
        }
    }

    fn datastore(self) -> Datastore {
        match self {
            Kind::Es => Datastore::Elasticsearch,
            Kind::Logstash => Datastore::Logstash,
        }
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
    host: String,
    access_key: String,
    secret_key: String,
}

impl Client {
    fn new(c: &AliyunConn) -> anyhow::Result<Client> {
        let doc = http::endpoints(&c.data_dir);
        let base = pick(&c.aliyun_url, &doc, &["aliyun"], "aliyun-url")?.trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&base).with_context(|| format!("--aliyun-url `{base}`"))?;
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let access_key = pick(&c.access_key, &doc, &["credentials", "access_key"], "access-key")?;
        let secret_key = pick(&c.secret_key, &doc, &["credentials", "secret_key"], "secret-key")?;
        Ok(Client { http: reqwest::Client::new(), base, host, access_key, secret_key })
    }

    /// The headers an ACS3 request carries, every one of them signed: the
    /// verifier insists on `host`, `x-acs-date` and a unique nonce.
    fn headers(&self, action: &str, body: &[u8]) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), self.host.clone()),
            ("x-acs-action".into(), action.into()),
            ("x-acs-version".into(), "2017-06-13".into()),
            ("x-acs-date".into(), chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            ("x-acs-signature-nonce".into(), uuid::Uuid::new_v4().simple().to_string()),
            ("x-acs-content-sha256".into(), hex::encode(sha2::Sha256::digest(body))),
            ("accept".into(), "application/json".into()),
        ];
        if !body.is_empty() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        headers
    }

    /// A signed call of `target` (path and query); `{"Code","Message"}` errors become [`http::VendorError`]s.
    async fn call<B: serde::Serialize>(&self, method: Method, target: &str, action: &str, body: Option<&B>) -> anyhow::Result<Value> {
        let bytes = body.map(serde_json::to_vec).transpose()?.unwrap_or_default();
        let headers = self.headers(action, &bytes);
        let signed: Vec<String> = headers.iter().map(|(k, _)| k.clone()).collect();
        let wire = WireRequest { method: method.as_str(), target, headers: &headers, body: &bytes };
        let auth = acs3_authorization(&wire, &self.access_key, self.secret_key.as_bytes(), &signed)?;
        let url = format!("{}{target}", self.base);
        let mut req = self.http.request(method, &url).header("authorization", auth);
        // reqwest writes Host from the URL, which is what was signed.
        for (k, v) in headers.iter().filter(|(k, _)| k != "host") {
            req = req.header(k, v);
        }
        http::send(req.body(bytes), &url, &http::ALIBABA).await
    }

    /// The describe response, `{"RequestId","Result"}`.
    async fn describe(&self, kind: Kind, id: &str) -> anyhow::Result<Value> {
        self.call::<()>(Method::GET, &format!("{}/{id}", kind.base()), &kind.action("Describe"), None).await
    }
}

/// The create body, as `api::aliyun::wire` decodes it for either product.
fn create_body(kind: Kind, a: &CreateArgs) -> anyhow::Result<wire::CreateInstanceRequest> {
    let CreateArgs { description, node_amount, spec, disk, disk_type, version, zone, admin_password, .. } = a;
    let newest = kind.datastore().versions()[0].splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
    let version = version.clone().unwrap_or(format!("{newest}_with_X-Pack"));
    let default_spec = if kind == Kind::Es { "elasticsearch.sn2ne.large" } else { "logstash.n4.small" };
    let node_spec = wire::NodeSpec {
        spec: Some(spec.clone().unwrap_or(default_spec.into())),
        disk: Some(*disk),
        disk_type: Some(disk_type.clone()),
        performance_level: None,
    };
    let network = wire::NetworkConfig {
        r#type: Some("vpc".into()),
        vpc_id: Some("strato-vpc".into()),
        vswitch_id: Some("strato-vswitch".into()),
        vs_area: Some(zone.clone()),
        white_ip_group_list: None,
    };
    let mut body = wire::CreateInstanceRequest {
        description: Some(description.clone()),
        node_amount: Some(node_amount.unwrap_or(if kind == Kind::Es { 2 } else { 1 }).into()),
        node_spec: Some(node_spec),
        network_config: Some(network),
        payment_type: Some("postpaid".into()),
        ..wire::CreateInstanceRequest::default()
    };
    if kind == Kind::Es {
        body.es_version = Some(version);
        body.es_admin_password = Some(admin_password.clone().context("an Elasticsearch instance needs --admin-password (or STRATO_ES_ADMIN_PASSWORD)")?);
    } else {
        body.version = Some(version);
    }
    Ok(body)
}

/// Done once the instance is `active`; `invalid` or a suspended change task end the wait with an error.
fn until_active(r: Option<&Value>) -> Verdict {
    match r?["status"].as_str().unwrap_or("") {
        "active" => Some(Ok(())),
        "invalid" => Some(Err(anyhow::anyhow!("the instance is invalid (failed or down)"))),
        "suspended" => Some(Err(anyhow::anyhow!("the change task was interrupted (resume it with `resume`)"))),
        _ => None,
    }
}

async fn wait_for(client: &Client, kind: Kind, id: &str, label: &str, done: impl Fn(Option<&Value>) -> Verdict) -> anyhow::Result<()> {
    let fetch = || async move {
        match client.describe(kind, id).await {
            Ok(v) => Ok(Some(v["Result"].clone())),
            Err(e) if http::has_code(&e, "InstanceNotFound") => Ok(None),
            Err(e) => Err(e),
        }
    };
    http::poll(label, fetch, |r| http::percent(&r["clusterTasks"][0]["progress"]), done).await
}

fn print_table(instances: &[Value]) {
    let columns = [("ID", 38), ("DESCRIPTION", 30), ("STATUS", 10), ("NODES", 5), ("VERSION", 16), ("ENDPOINT", 0)];
    let rows = instances.iter().map(|r| {
        let version = if r["esVersion"].is_null() { &r["version"] } else { &r["esVersion"] };
        let endpoints: Vec<String> =
            r["endpointList"].as_array().into_iter().flatten().map(|e| format!("{}:{}", cell(&e["host"]), e["port"])).collect();
        let endpoint = match endpoints.len() {
            0 => "-".to_string(),
            1 => endpoints[0].clone(),
            n => format!("{} (+{})", endpoints[0], n - 1),
        };
        vec![cell(&r["instanceId"]), cell(&r["description"]), cell(&r["status"]), cell(&r["nodeAmount"]), cell(version), endpoint]
    });
    http::print_table(&columns, rows);
}

/// Every instance, a page of 100 at a time, as one list response (the last page's with every `Result`).
async fn list_all(client: &Client, kind: Kind) -> anyhow::Result<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let mut v = client.call::<()>(Method::GET, &format!("{}?page={page}&size=100", kind.base()), &kind.action("List"), None).await?;
        let found = v["Result"].as_array().cloned().unwrap_or_default();
        let last = found.len() < 100;
        all.extend(found);
        if last {
            v["Result"] = Value::Array(all);
            return Ok(v);
        }
    }
    unreachable!("pages are counted until the last")
}

pub async fn run(conn: AliyunConn, cmd: AliyunCommand) -> anyhow::Result<()> {
    let client = Client::new(&conn)?;
    let (kind, cmd) = match cmd {
        AliyunCommand::Es { command } => (Kind::Es, command),
        AliyunCommand::Logstash { command } => (Kind::Logstash, command),
    };
    match cmd {
        InstanceCommand::List => {
            let listed = list_all(&client, kind).await?;
            match conn.json {
                true => http::print_json(&listed),
                false => print_table(listed["Result"].as_array().map(Vec::as_slice).unwrap_or_default()),
            }
            Ok(())
        }
        InstanceCommand::Show { id } => {
            let v = client.describe(kind, &id).await?;
            match conn.json {
                true => http::print_json(&v),
                false => print_table(std::slice::from_ref(&v["Result"])),
            }
            Ok(())
        }
        cmd => act(&client, kind, cmd, conn.json).await,
    }
}

/// The commands that change an instance: one call, then `--wait` if asked.
async fn act(client: &Client, kind: Kind, cmd: InstanceCommand, json: bool) -> anyhow::Result<()> {
    let base = kind.base();
    let (ack, id, wait, label) = match &cmd {
        InstanceCommand::Create(a) => {
            let made = client.call(Method::POST, base, &kind.action("Create"), Some(&create_body(kind, a)?)).await?;
            let id = made["Result"]["instanceId"].as_str().unwrap_or_default().to_string();
            (made, id, a.wait, "creating")
        }
        InstanceCommand::Update { id, node_amount, wait } => {
            let body = wire::UpdateInstanceRequest { node_amount: Some((*node_amount).into()), ..wire::UpdateInstanceRequest::default() };
            (client.call(Method::PUT, &format!("{base}/{id}"), &kind.action("Update"), Some(&body)).await?, id.clone(), *wait, "changing")
        }
        InstanceCommand::Restart { id, wait } => (post(client, kind, id, "restart").await?, id.clone(), *wait, "restarting"),
        InstanceCommand::Interrupt { id } => (post(client, kind, id, "interrupt").await?, id.clone(), false, ""),
        InstanceCommand::Resume { id, wait } => (post(client, kind, id, "resume").await?, id.clone(), *wait, "resuming"),
        InstanceCommand::Delete { id, wait } => {
            (client.call::<()>(Method::DELETE, &format!("{base}/{id}"), &kind.action("Delete"), None).await?, id.clone(), *wait, "deleting")
        }
        InstanceCommand::List | InstanceCommand::Show { .. } => unreachable!("read-only commands are run by `run`"),
    };
    if wait {
        match cmd {
            InstanceCommand::Delete { .. } => wait_for(client, kind, &id, label, |r| r.is_none().then_some(Ok(()))).await?,
            _ => wait_for(client, kind, &id, label, until_active).await?,
        }
    }
    match (json, &cmd) {
        (true, InstanceCommand::Create(_)) => http::print_json(&client.describe(kind, &id).await?),
        (true, _) => http::print_json(&ack),
        (false, InstanceCommand::Create(_)) => println!("{id}"),
        (false, _) => println!("{} of {id} accepted", label_of(&cmd)),
    }
    Ok(())
}

async fn post(client: &Client, kind: Kind, id: &str, action: &str) -> anyhow::Result<Value> {
    let verb = format!("{}{}", action[..1].to_uppercase(), &action[1..]);
    client.call::<()>(Method::POST, &format!("{}/{id}/actions/{action}", kind.base()), &kind.action(&verb), None).await
}

fn label_of(cmd: &InstanceCommand) -> &'static str {
    match cmd {
        InstanceCommand::Update { .. } => "update",
        InstanceCommand::Restart { .. } => "restart",
        InstanceCommand::Interrupt { .. } => "interrupt",
        InstanceCommand::Resume { .. } => "resume",
        InstanceCommand::Delete { .. } => "delete",
        _ => "request",
    }
}
