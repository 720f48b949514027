//! What every API client of the CLI shares: endpoints.json, vendor error
//! envelopes as typed errors, `--wait` polling with a progress bar, output.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;

/// The server's endpoints.json (`Null` when there is none: flags must say everything).
pub fn endpoints(data_dir: &Path) -> Value {
    std::fs::read_to_string(data_dir.join("endpoints.json")).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
}

/// The flag if given, else the string at `path` in endpoints.json.
pub fn pick(flag: &Option<String>, doc: &Value, path: &[&str], what: &str) -> anyhow::Result<String> {
    if let Some(v) = flag {
        return Ok(v.clone());
    }
    path.iter()
        .fold(doc, |cur, p| &cur[*p])
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no {what}: pass --{what} or run the server with bootstrap"))
}

/// A vendor's error envelope, kept typed so that `--wait` can tell "gone" from a failure.
#[derive(Debug, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct VendorError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// Where a dialect's error envelope keeps its code and message.
pub struct Envelope {
    pub code: &'static str,
    pub message: &'static str,
}

/// Huawei DWS and CSS: `{"error_code","error_msg"}`.
pub const HUAWEI: Envelope = Envelope { code: "error_code", message: "error_msg" };
/// Alibaba: `{"Code","Message","RequestId"}`.
pub const ALIBABA: Envelope = Envelope { code: "Code", message: "Message" };

/// Sends `req`; a non-2xx answer becomes a [`VendorError`] read from `envelope`.
pub async fn send(req: reqwest::RequestBuilder, what: &str, envelope: &Envelope) -> anyhow::Result<Value> {
    let resp = req.send().await.with_context(|| format!("calling {what}"))?;
    let status = resp.status();
    let text = resp.text().await?;
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(v);
    }
    let mut message = v[envelope.message].as_str().unwrap_or(&text).to_string();
    if let Some(id) = v["RequestId"].as_str() {
        message = format!("{message} (RequestId {id})");
    }
    Err(VendorError { status: status.as_u16(), code: v[envelope.code].as_str().unwrap_or("").to_string(), message }.into())
}

/// Whether `e` is the vendor's answer with error code `code`.
pub fn has_code(e: &anyhow::Error, code: &str) -> bool {
    e.downcast_ref::<VendorError>().is_some_and(|v| v.code == code)
}

/// What a `--wait` poll decided about one look at the resource (`None`: it is gone).
pub type Verdict = Option<anyhow::Result<()>>;

/// Polls `fetch` (None: the resource is gone) until `done` decides, showing
/// `progress` of each look on a bar; gives up after 10 minutes.
pub async fn poll<F, Fut>(label: &str, mut fetch: F, progress: impl Fn(&Value) -> Option<u64>, done: impl Fn(Option<&Value>) -> Verdict) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<Value>>>,
{
    let bar = super::progress_bar(label);
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let seen = fetch().await?;
        if let Some(p) = seen.as_ref().and_then(&progress) {
            bar.set_position(p.min(100));
        }
        if let Some(result) = done(seen.as_ref()) {
            bar.set_position(100);
            bar.finish_and_clear();
            return result;
        }
        if Instant::now() > deadline {
            bail!("gave up waiting after 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// `12%` → 12.
pub fn percent(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim_end_matches('%').parse().ok()))
}

pub fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// A compact table: `columns` are (header, width); the last column is not padded.
pub fn print_table(columns: &[(&str, usize)], rows: impl IntoIterator<Item = Vec<String>>) {
    let line = |cells: Vec<String>| {
        let n = cells.len();
        let padded: Vec<String> =
            cells.into_iter().zip(columns).enumerate().map(|(i, (c, (_, w)))| if i + 1 == n { c } else { format!("{c:<w$}") }).collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(columns.iter().map(|(h, _)| h.to_string()).collect());
    rows.into_iter().for_each(line);
}

/// A JSON string field for a table cell (`-` when absent).
pub fn cell(v: &Value) -> String {
    match v {
        Value::String(s) if !s.is_empty() => s.clone(),
        Value::Null | Value::String(_) => "-".into(),
        other => other.to_string(),
    }
}
