//! Search/log cluster helpers: the stand-in engines tests bind datastores to,
//! a CSS client (Keystone token) and an Alibaba client (ACS3-signed).

use std::time::Duration;

use serde_json::Value;

use super::{Server, Wait};

/// The nonce an ACS3-signed test request carries: none, or one signed or not.
pub struct AliHeaders {
    pub nonce: Option<String>,
    pub sign_nonce: bool,
}

/// The osmem-server binary: STRATO_OSMEM_BIN, or where scripts/install-search-engines puts it.
pub fn osmem_bin() -> Option<String> {
    let home = std::env::var("HOME").unwrap_or_default();
    let candidates = [
        std::env::var("STRATO_OSMEM_BIN").unwrap_or_default(),
        "/usr/local/lib/strato/osmem-server/osmem_server/bin/osmem-server".into(),
        format!("{home}/.local/lib/strato/osmem-server/osmem_server/bin/osmem-server"),
    ];
    candidates.into_iter().find(|p| !p.is_empty() && std::path::Path::new(p).exists())
}

pub const SYSLOG_NG: &str = "/usr/sbin/syslog-ng";

/// `GET http://{at}/` from the source address `from` (a public endpoint's
/// white list decides by it): the engine's answer, or None if the connection
/// was refused or closed.
pub fn root_from(from: &str, at: &str) -> Option<Value> {
    let client = reqwest::blocking::Client::builder()
        .local_address(from.parse::<std::net::IpAddr>().unwrap())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    client.get(format!("http://{at}/")).send().ok()?.json().ok()
}

/// Server arguments binding every search/log datastore to the test stand-ins
/// (osmem-server for elasticsearch/opensearch, syslog-ng for logstash), or None
/// to skip (only with STRATO_SKIP_SEARCH=1; otherwise a missing stand-in fails).
pub fn stand_in_engines() -> Option<Vec<String>> {
    let osmem = osmem_bin();
    let syslog = std::path::Path::new(SYSLOG_NG).exists();
    if osmem.is_none() || !syslog {
        assert_ne!(
            std::env::var("STRATO_REQUIRE_SEARCH_ENGINES").as_deref(),
            Ok("1"),
            "search stand-ins missing (osmem-server: {osmem:?}, syslog-ng: {syslog}); run scripts/install-search-engines"
        );
        eprintln!("skipped: search stand-ins are not installed");
        return None;
    }
    let osmem = osmem.unwrap();
    Some(vec![
        "--datastore-engine".into(),
        format!("elasticsearch=osmem:{osmem}"),
        "--datastore-engine".into(),
        format!("opensearch=osmem:{osmem}"),
        "--datastore-engine".into(),
        format!("logstash=syslog-ng:{SYSLOG_NG}"),
    ])
}

impl Server {
    /// This server's engine processes whose command name starts with `comm` (osmem, syslog-ng), sorted.
    pub fn engine_pids_named(&self, comm: &str) -> Vec<i32> {
        let mut pids: Vec<i32> = self
            .engine_pids()
            .into_iter()
            .filter(|p| std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim().starts_with(comm)))
            .collect();
        pids.sort();
        pids
    }

    /// A CSS call with a Keystone token.
    pub fn css_call(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{}", self.css(), path.replace("{pid}", &self.pid()));
        let mut req = self.http.request(method.parse().unwrap(), url).header("x-auth-token", token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }

    /// An Alibaba ROA call signed with ACS3-HMAC-SHA256 by the bootstrap access key.
    pub fn ali(&self, method: &str, target: &str, body: Option<Value>) -> (u16, Value) {
        self.ali_signed(method, target, body, &self.cred("secret_key"), chrono::Utc::now(), |_| {})
    }

    /// A signed Alibaba call with a chosen secret and date; `tamper` may change
    /// the body after signing.
    pub fn ali_signed(
        &self,
        method: &str,
        target: &str,
        body: Option<Value>,
        secret: &str,
        date: chrono::DateTime<chrono::Utc>,
        tamper: impl FnOnce(&mut Vec<u8>),
    ) -> (u16, Value) {
        self.ali_acs3(method, target, body, secret, date, AliHeaders { nonce: Some(uuid::Uuid::new_v4().simple().to_string()), sign_nonce: true }, tamper)
    }

    /// An ACS3-signed Alibaba call whose nonce is chosen (or left out, or left unsigned).
    #[allow(clippy::too_many_arguments)] // each knob is one way a signature can be wrong
    pub fn ali_acs3(
        &self,
        method: &str,
        target: &str,
        body: Option<Value>,
        secret: &str,
        date: chrono::DateTime<chrono::Utc>,
        nonce: AliHeaders,
        tamper: impl FnOnce(&mut Vec<u8>),
    ) -> (u16, Value) {
        use strato::auth::signature::{acs3_authorization, WireRequest};
        let base = self.aliyun();
        let host = base.trim_start_matches("http://").to_string();
        let mut bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
        let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), host),
            ("x-acs-action".into(), "strato-test".into()),
            ("x-acs-version".into(), "2017-06-13".into()),
            ("x-acs-date".into(), date.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            ("x-acs-content-sha256".into(), hash),
            ("accept".into(), "application/json".into()),
        ];
        if let Some(n) = &nonce.nonce {
            headers.push(("x-acs-signature-nonce".into(), n.clone()));
        }
        if !bytes.is_empty() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        let signed: Vec<String> =
            headers.iter().map(|(k, _)| k.clone()).filter(|k| nonce.sign_nonce || k != "x-acs-signature-nonce").collect();
        let wire = WireRequest { method, target, headers: &headers, body: &bytes };
        let auth = acs3_authorization(&wire, &self.cred("access_key"), secret.as_bytes(), &signed).unwrap();
        tamper(&mut bytes);
        let mut req = self.http.request(method.parse().unwrap(), format!("{base}{target}")).header("authorization", auth);
        for (k, v) in headers.iter().filter(|(k, _)| k != "host") {
            req = req.header(k, v);
        }
        let resp = req.body(bytes).send().unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("a non-JSON Alibaba body: {text}")))
    }

    /// An Alibaba call signed the legacy way (`acs AK:base64(HMAC-SHA1)`), with
    /// a chosen nonce so that a test can replay it.
    pub fn ali_legacy(&self, method: &str, target: &str, nonce: &str) -> (u16, Value) {
        self.ali_legacy_body(method, target, nonce, None, false)
    }

    /// A legacy-signed call with a body, declaring its Content-MD5 (which the
    /// signature then covers) or not.
    pub fn ali_legacy_body(&self, method: &str, target: &str, nonce: &str, body: Option<Value>, content_md5: bool) -> (u16, Value) {
        use base64::Engine as _;
        use strato::auth::signature::{acs_v1_authorization, WireRequest};
        let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
        let mut headers: Vec<(String, String)> = vec![
            ("accept".into(), "application/json".into()),
            ("date".into(), chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string()),
            ("x-acs-version".into(), "2017-06-13".into()),
            ("x-acs-signature-method".into(), "HMAC-SHA1".into()),
            ("x-acs-signature-version".into(), "1.0".into()),
            ("x-acs-signature-nonce".into(), nonce.into()),
        ];
        if !bytes.is_empty() {
            headers.push(("content-type".into(), "application/json; charset=utf-8".into()));
        }
        if content_md5 {
            let digest = <md5::Md5 as md5::Digest>::digest(&bytes);
            headers.push(("content-md5".into(), base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        let wire = WireRequest { method, target, headers: &headers, body: &bytes };
        let auth = acs_v1_authorization(&wire, &self.cred("access_key"), self.cred("secret_key").as_bytes());
        let mut req = self.http.request(method.parse().unwrap(), format!("{}{target}", self.aliyun())).header("authorization", auth);
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        let resp = req.body(bytes).send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }

    /// Creates an Alibaba Elasticsearch instance of `nodes` members as the
    /// alicloud provider does (tagged `env: ci`), with a clientToken if given.
    pub fn ali_create(&self, nodes: u32, token: Option<&str>) -> (u16, Value) {
        let q = token.map(|t| format!("?clientToken={t}")).unwrap_or_default();
        self.ali(
            "POST",
            &format!("/openapi/instances{q}"),
            Some(serde_json::json!({"esVersion": "7.10_with_X-Pack", "nodeAmount": nodes, "esAdminPassword": "Es-admin1",
                        "nodeSpec": {"spec": "elasticsearch.sn2ne.large", "disk": 20, "diskType": "cloud_ssd"},
                        "networkConfig": {"type": "vpc", "vpcId": "vpc-1", "vswitchId": "vsw-1", "vsArea": "cn-hangzhou-i"}, "paymentType": "postpaid",
                        "description": "strato-test", "tags": [{"tagKey": "env", "tagValue": "ci"}]})),
        )
    }

    /// Creates an Elasticsearch instance and waits until it is active: its path and description.
    pub fn ali_active_instance(&self, nodes: u32) -> (String, Value) {
        let (status, made) = self.ali_create(nodes, None);
        assert_eq!(status, 200, "{made}");
        let path = format!("/openapi/instances/{}", made["Result"]["instanceId"].as_str().unwrap());
        let r = self.ali_wait(&path, Duration::from_secs(60), &mut Vec::new(), |r| r["status"] == "active");
        (path, r)
    }

    /// Polls an Alibaba instance until `pred` holds, recording the statuses seen.
    pub fn ali_wait(&self, path: &str, within: Duration, seen: &mut Vec<String>, pred: impl Fn(&Value) -> bool) -> Value {
        let status = |r: &Value| r["status"].as_str().unwrap_or_default().to_string();
        let wait = Wait { what: path.to_string(), within, every: Duration::from_millis(100) };
        self.poll(wait, seen, || self.ali("GET", path, None).1["Result"].clone(), status, pred)
    }

    /// Polls a CSS cluster until `pred` holds, recording (status, actions) seen.
    pub fn css_wait(&self, token: &str, id: &str, within: Duration, seen: &mut Vec<String>, pred: impl Fn(&Value) -> bool) -> Value {
        let fetch = || self.css_call(token, "GET", &format!("/v1.0/{{pid}}/clusters/{id}"), None).1;
        let state = |v: &Value| format!("{}{}", v["status"].as_str().unwrap_or_default(), v["actions"]);
        let wait = Wait { what: format!("CSS cluster {id}"), within, every: Duration::from_millis(50) };
        self.poll(wait, seen, fetch, state, pred)
    }
}
