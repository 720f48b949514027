//! Zilliz v2 client helpers and a Milvus REST v1 client for the data plane.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{Server, Wait};

/// Whether this machine has the Milvus binary strato would run; tests that
/// need it fail loudly when it is missing (CI installs it), unless
/// STRATO_SKIP_MILVUS=1 says to skip them.
pub fn milvus_or_skip() -> bool {
    let installed = strato::engine::milvus::find_bin_dir(None).is_some_and(|d| d.join("milvus").exists());
    if !installed && std::env::var("STRATO_SKIP_MILVUS").as_deref() == Ok("1") {
        eprintln!("skipped: Milvus is not installed (scripts/install-milvus)");
        return false;
    }
    assert!(installed, "Milvus is not installed: run scripts/install-milvus (or set STRATO_SKIP_MILVUS=1)");
    true
}

impl Server {
    /// A v2 call with an API key; returns the HTTP status and the body.
    pub fn z(&self, key: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.zilliz());
        let mut req = self.http.request(method.parse().unwrap(), url).header("Authorization", format!("Bearer {key}"));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }

    /// A v2 call that must succeed (`code` 0); returns `data`.
    pub fn z_ok(&self, key: &str, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.z(key, method, path, body);
        assert!(status == 200 && v["code"] == 0, "{method} {path}: {status} {v}");
        v["data"].clone()
    }

    /// The bootstrap API key.
    pub fn api_key(&self) -> String {
        self.cred("api_key")
    }

    /// createDedicated with `cu` compute units; the raw answer.
    pub fn create_vector_raw(&self, key: &str, name: &str, cu: u32) -> (u16, Value) {
        self.z(
            key,
            "POST",
            "/v2/clusters/createDedicated",
            Some(json!({"clusterName": name, "projectId": self.pid(), "regionId": "aws-us-west-2",
                        "plan": "Standard", "cuType": "Performance-optimized", "cuSize": cu})),
        )
    }

    pub fn create_vector(&self, key: &str, name: &str, cu: u32) -> Value {
        let (status, v) = self.create_vector_raw(key, name, cu);
        assert!(status == 200 && v["code"] == 0, "createDedicated: {status} {v}");
        v["data"].clone()
    }

    pub fn describe(&self, key: &str, id: &str) -> Value {
        self.z_ok(key, "GET", &format!("/v2/clusters/{id}"), None)
    }

    /// Polls until `pred` holds on the described cluster, recording every status seen.
    pub fn wait_status(&self, key: &str, id: &str, within: Duration, seen: &mut Vec<String>, pred: impl Fn(&Value) -> bool) -> Value {
        let status = |d: &Value| d["status"].as_str().unwrap_or_default().to_string();
        let wait = Wait { what: format!("cluster {id}"), within, every: Duration::from_millis(100) };
        self.poll(wait, seen, || self.describe(key, id), status, pred)
    }
}

/// A Milvus REST v1 client for a cluster's connect address, as its administrator.
pub struct Milvus {
    pub base: String,
    pub auth: String,
    http: reqwest::blocking::Client,
}

impl Milvus {
    pub fn new(connect_address: &str, user: &str, password: &str) -> Milvus {
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        Milvus { base: connect_address.trim_end_matches('/').to_string(), auth: format!("Bearer {user}:{password}"), http }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut req = self.http.request(method.parse().unwrap(), format!("{}{path}", self.base)).header("Authorization", &self.auth);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().map_err(|e| e.to_string())?.json().map_err(|e| e.to_string())?;
        if v["code"] == 200 {
            Ok(v["data"].clone())
        } else {
            Err(v.to_string())
        }
    }

    /// Creates a 4-d collection and inserts `n` vectors; returns their ids.
    pub fn seed(&self, collection: &str, n: usize) -> Vec<String> {
        self.call("POST", "/v1/vector/collections/create", Some(json!({"collectionName": collection, "dimension": 4, "metricType": "L2"})))
            .unwrap();
        let rows: Vec<Value> = (0..n).map(|i| json!({"vector": [i as f32, 1.0, 2.0, 3.0]})).collect();
        let data = self.call("POST", "/v1/vector/insert", Some(json!({"collectionName": collection, "data": rows}))).unwrap();
        data["insertIds"].as_array().unwrap().iter().map(|v| v.to_string().trim_matches('"').to_string()).collect()
    }

    /// Ids visible in the collection (polls: REST collections read with bounded staleness).
    pub fn wait_count(&self, collection: &str, want: usize, within: Duration) -> usize {
        let deadline = Instant::now() + within;
        loop {
            let got = self
                .call("POST", "/v1/vector/query", Some(json!({"collectionName": collection, "filter": "id > 0", "outputFields": ["id"], "limit": 1000})))
                .map(|d| d.as_array().map(|a| a.len()).unwrap_or(0))
                .unwrap_or(0);
            if got == want || Instant::now() >= deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}
