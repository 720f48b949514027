//! Tests of the signature schemes: the SDKs' recorded requests
//! (tests/data/test_vectors.json), tampering, clocks and header parsing.
use super::*;
use serde_json::Value;

const SKEW_MIN: i64 = 15;

struct Vector {
    label: String,
    scheme: String,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    access_key: String,
    secret_key: String,
    canonical: Option<String>,
    sts: String,
    verified_ok: bool,
}

impl Vector {
    fn req(&self) -> WireRequest<'_> {
        WireRequest {
            method: &self.method,
            target: &self.target,
            headers: &self.headers,
            body: &self.body,
        }
    }
    fn header_mut(&mut self, name: &str) -> &mut String {
        &mut self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .unwrap()
            .1
    }
}

fn vectors() -> Vec<Vector> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test_vectors.json");
    let raw = std::fs::read_to_string(path).expect("test vectors");
    let list: Vec<Value> = serde_json::from_str(&raw).unwrap();
    let s = |v: &Value, k: &str| v[k].as_str().unwrap().to_string();
    list.iter()
        .map(|v| Vector {
            label: s(v, "label"),
            scheme: s(v, "scheme"),
            method: s(v, "method"),
            target: s(v, "target"),
            headers: v["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap().to_string(),
                        h[1].as_str().unwrap().to_string(),
                    )
                })
                .collect(),
            body: s(v, "body").into_bytes(),
            access_key: s(v, "access_key"),
            secret_key: s(v, "secret_key"),
            canonical: v["expected_canonical_request"].as_str().map(str::to_string),
            sts: s(v, "expected_string_to_sign"),
            verified_ok: v["verified_ok"].as_bool().unwrap(),
        })
        .collect()
}

fn vector(label_prefix: &str) -> Vector {
    vectors()
        .into_iter()
        .find(|v| v.label.starts_with(label_prefix))
        .unwrap()
}

fn skew() -> Duration {
    Duration::minutes(SKEW_MIN)
}

/// Verify a vector-like request at its own signing time.
fn check(v: &Vector) -> Result<(), SignatureError> {
    let req = v.req();
    let claim = parse_claim(&req)?;
    let now = request_time(&req, &claim.scheme)?;
    verify(&req, &claim, v.secret_key.as_bytes(), now, skew())
}

#[test]
fn all_vectors() {
    let (mut huawei, mut acs3, mut v1) = (0, 0, 0);
    for v in vectors() {
        let req = v.req();
        let scheme = match v.scheme.as_str() {
            "SDK-HMAC-SHA256" => Scheme::HuaweiSdkHmacSha256,
            "ACS3-HMAC-SHA256" => Scheme::Acs3HmacSha256,
            "acs-v1-HMAC-SHA1" => Scheme::AcsV1HmacSha1,
            other => panic!("unknown scheme {other}"),
        };
        let claim = parse_claim(&req).unwrap_or_else(|e| panic!("{}: {e}", v.label));
        assert_eq!(claim.scheme, scheme, "{}", v.label);
        assert_eq!(claim.access_key, v.access_key, "{}", v.label);
        let (canonical, sts) = match scheme {
            Scheme::HuaweiSdkHmacSha256 => {
                huawei += 1;
                let c = huawei_canonical_request(&req, &claim.signed_headers);
                let s = huawei_string_to_sign(&req, &c).unwrap();
                (Some(c), s)
            }
            Scheme::Acs3HmacSha256 => {
                acs3 += 1;
                let c = acs3_canonical_request(&req, &claim.signed_headers).unwrap();
                let s = acs3_string_to_sign(&c);
                (Some(c), s)
            }
            Scheme::AcsV1HmacSha1 => {
                // v1 has no canonical request, only a string-to-sign.
                v1 += 1;
                (None, acs_v1_string_to_sign(&req))
            }
        };
        assert_eq!(canonical, v.canonical, "canonical request of {}", v.label);
        assert_eq!(sts, v.sts, "string-to-sign of {}", v.label);
        let now = request_time(&req, &scheme).unwrap();
        let result = verify(&req, &claim, v.secret_key.as_bytes(), now, skew());
        assert_eq!(result.is_ok(), v.verified_ok, "{}: {result:?}", v.label);
    }
    assert_eq!((huawei, acs3, v1), (7, 6, 1));
}

#[test]
fn signers_reproduce_the_sdk_headers() {
    for v in vectors() {
        let req = v.req();
        let claim = parse_claim(&req).unwrap();
        let wire = req
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .unwrap();
        let ours = match claim.scheme {
            Scheme::HuaweiSdkHmacSha256 => huawei_authorization(
                &req,
                &v.access_key,
                v.secret_key.as_bytes(),
                &claim.signed_headers,
            ),
            Scheme::Acs3HmacSha256 => acs3_authorization(
                &req,
                &v.access_key,
                v.secret_key.as_bytes(),
                &claim.signed_headers,
            )
            .unwrap(),
            Scheme::AcsV1HmacSha1 => {
                acs_v1_authorization(&req, &v.access_key, v.secret_key.as_bytes())
            }
        };
        assert_eq!(ours, wire.1, "{}", v.label);
    }
}

#[test]
fn wrong_secret_is_mismatch() {
    for label in ["dws.restart_cluster", "es.restart_instance"] {
        let mut v = vector(label);
        v.secret_key.push('x');
        assert_eq!(check(&v), Err(SignatureError::Mismatch), "{label}");
    }
}

#[test]
fn tampered_body() {
    // Huawei signs the body hash directly.
    let mut v = vector("dws.restart_cluster");
    v.body = br#"{"restart": {"x": 1}}"#.to_vec();
    assert_eq!(check(&v), Err(SignatureError::Mismatch));
    // ACS3 declares the body hash in x-acs-content-sha256.
    let mut v = vector("es.restart_instance");
    v.body = br#"{"restartType":"blue","batchCount":1}"#.to_vec();
    assert_eq!(check(&v), Err(SignatureError::PayloadMismatch));
    // ...and without that header the HMAC still covers the body.
    v.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case(ACS3_CONTENT_SHA256));
    assert_eq!(check(&v), Err(SignatureError::Mismatch));
}

#[test]
fn huawei_declared_payload_hash() {
    let mut v = vector("dws.restart_cluster");
    let signed: Vec<String> = ["content-type", "host", "x-sdk-content-sha256", "x-sdk-date"]
        .map(String::from)
        .to_vec();
    v.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
    v.headers
        .push(("X-Sdk-Content-Sha256".into(), sha256_hex(&v.body)));
    let auth = huawei_authorization(&v.req(), "AK", b"SK", &signed);
    v.headers.push(("Authorization".into(), auth));
    v.secret_key = "SK".into();
    assert_eq!(check(&v), Ok(()));
    v.body.push(b' ');
    assert_eq!(check(&v), Err(SignatureError::PayloadMismatch));
    // UNSIGNED-PAYLOAD would leave the body unauthenticated: refused.
    v.body.pop();
    *v.header_mut("x-sdk-content-sha256") = "UNSIGNED-PAYLOAD".into();
    assert_eq!(check(&v), Err(SignatureError::PayloadMismatch));
}

#[test]
fn clock_skew() {
    for label in ["dws.list_clusters", "es.resume_elasticsearch_task"] {
        let v = vector(label);
        let req = v.req();
        let claim = parse_claim(&req).unwrap();
        let t = request_time(&req, &claim.scheme).unwrap();
        let sk = v.secret_key.as_bytes();
        for (offset, expected) in [
            (SKEW_MIN, Ok(())),
            (-SKEW_MIN, Ok(())),
            (SKEW_MIN + 1, Err(SignatureError::Skewed)),
            (-SKEW_MIN - 1, Err(SignatureError::Skewed)),
        ] {
            let now = t + Duration::minutes(offset);
            assert_eq!(
                verify(&req, &claim, sk, now, skew()),
                expected,
                "{label} {offset}"
            );
        }
    }
}

#[test]
fn bad_dates() {
    let mut v = vector("dws.list_clusters");
    for bad in [
        "",
        "2026-11-23T13:49:10Z",
        "20261123T134910",
        "20261323T134910Z",
        "+0261123T134910Z",
    ] {
        *v.header_mut("x-sdk-date") = bad.into();
        assert_eq!(check(&v), Err(SignatureError::BadDate), "{bad:?}");
    }
    v.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("x-sdk-date"));
    assert_eq!(check(&v), Err(SignatureError::BadDate));
    let mut v = vector("es.resume_elasticsearch_task");
    *v.header_mut("x-acs-date") = "20261123T134928Z".into();
    assert_eq!(check(&v), Err(SignatureError::BadDate));
}

#[test]
fn required_headers_must_be_signed() {
    let mut v = vector("dws.list_clusters");
    v.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
    v.secret_key = "SK".into();
    let sign = |v: &mut Vector, signed: &[&str]| {
        v.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
        let signed: Vec<String> = signed.iter().map(|s| s.to_string()).collect();
        let auth = huawei_authorization(&v.req(), "AK", b"SK", &signed);
        v.headers.push(("Authorization".into(), auth));
    };
    sign(&mut v, &["content-type", "x-sdk-date"]);
    assert_eq!(check(&v), Err(SignatureError::HeaderNotSigned("host")));
    sign(&mut v, &["content-type", "host"]);
    assert_eq!(
        check(&v),
        Err(SignatureError::HeaderNotSigned("x-sdk-date"))
    );
    sign(&mut v, &["host", "x-sdk-date"]);
    assert_eq!(check(&v), Ok(()));

    let mut v = vector("es.resume_elasticsearch_task");
    v.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
    let signed: Vec<String> = ["accept", "x-acs-date"].map(String::from).to_vec();
    let auth = acs3_authorization(&v.req(), "AK", b"SK", &signed).unwrap();
    v.headers.push(("Authorization".into(), auth));
    v.secret_key = "SK".into();
    assert_eq!(check(&v), Err(SignatureError::HeaderNotSigned("host")));
}

#[test]
fn authorization_header_parsing() {
    let v = vector("dws.list_clusters");
    let sig = "a".repeat(64);
    let with_auth = |values: &[&str]| {
        let mut headers: Vec<(String, String)> = v
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
            .cloned()
            .collect();
        headers.extend(
            values
                .iter()
                .map(|a| ("Authorization".to_string(), a.to_string())),
        );
        let req = WireRequest {
            headers: &headers,
            ..v.req()
        };
        parse_claim(&req)
    };
    assert_eq!(with_auth(&[]), Err(SignatureError::Missing));
    for other in [
        "Basic dXNlcjpwdw==",
        "Bearer abc",
        "ACS AK:5zr4bXRIwzOqVHfgcJ0+sOB2q3o=",
    ] {
        assert_eq!(with_auth(&[other]), Err(SignatureError::Missing), "{other}");
    }
    let malformed = [
        "SDK-HMAC-SHA256".to_string(),
        "SDK-HMAC-SHA256 garbage".to_string(),
        format!("SDK-HMAC-SHA256 Access=AK, Signature={sig}"),
        format!("SDK-HMAC-SHA256 SignedHeaders=host, Access=AK, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x-sdk-date, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host;x-sdk-date, Signature={sig}"),
        format!(
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature={}",
            sig.to_uppercase()
        ),
        format!(
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature={}",
            &sig[..63]
        ),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature={sig}, Extra=1"),
        format!("ACS3-HMAC-SHA256 Access=AK,SignedHeaders=host,Signature={sig}"),
    ];
    for bad in &malformed {
        assert_eq!(
            with_auth(&[bad.as_str()]),
            Err(SignatureError::Malformed),
            "{bad}"
        );
    }
    let good =
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature={sig}");
    assert_eq!(
        with_auth(&[good.as_str(), good.as_str()]),
        Err(SignatureError::Malformed)
    );
    assert_eq!(
        with_auth(&[good.as_str()]),
        Ok(SignedClaim {
            scheme: Scheme::HuaweiSdkHmacSha256,
            access_key: "AK".into(),
            signed_headers: vec!["host".into(), "x-sdk-date".into()],
            signature: sig.clone(),
        })
    );
    let acs =
        format!("ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature={sig}");
    assert_eq!(
        with_auth(&[acs.as_str()]).unwrap().scheme,
        Scheme::Acs3HmacSha256
    );
}

#[test]
fn repeated_signed_header_is_refused() {
    let mut v = vector("dws.list_clusters");
    v.headers.push(("Host".into(), "evil.example".into()));
    assert_eq!(check(&v), Err(SignatureError::Malformed));
}

#[test]
fn huawei_round_trip() {
    let headers: Vec<(String, String)> = vec![
        ("Host".into(), "strato.local:8080".into()),
        ("Content-Type".into(), "application/json".into()),
        ("X-Sdk-Date".into(), "20260102T030405Z".into()),
    ];
    let signed: Vec<String> = ["content-type", "host", "x-sdk-date"]
        .map(String::from)
        .to_vec();
    let body = br#"{"name":"c1"}"#;
    let target = "/v1.0/p/clusters/a%20b?z=1&a=%2B+&a=0";
    let unsigned = WireRequest {
        method: "post",
        target,
        headers: &headers,
        body,
    };
    let mut headers2 = headers.clone();
    headers2.push((
        "Authorization".into(),
        huawei_authorization(&unsigned, "AK1", b"secret", &signed),
    ));
    let req = WireRequest {
        headers: &headers2,
        ..unsigned
    };
    let claim = parse_claim(&req).unwrap();
    assert_eq!(claim.access_key, "AK1");
    assert_eq!(claim.signed_headers, signed);
    let now = "2026-01-02T03:10:00Z".parse::<DateTime<Utc>>().unwrap();
    assert_eq!(verify(&req, &claim, b"secret", now, skew()), Ok(()));
    assert!(huawei_canonical_request(&req, &signed)
        .starts_with("POST\n/v1.0/p/clusters/a%20b/\na=%2B%2B&a=0&z=1\n"));
    for tampered in [
        "/v1.0/p/clusters/a%20c?z=1&a=%2B+&a=0",
        "/v1.0/p/clusters/a%20b?z=2&a=%2B+&a=0",
    ] {
        let req = WireRequest {
            target: tampered,
            ..req
        };
        assert_eq!(
            verify(&req, &claim, b"secret", now, skew()),
            Err(SignatureError::Mismatch)
        );
    }
    let req = WireRequest {
        method: "PUT",
        ..req
    };
    assert_eq!(
        verify(&req, &claim, b"secret", now, skew()),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn huawei_canonical_uri_decodes_before_splitting() {
    let headers: Vec<(String, String)> = Vec::new();
    let canon = |target: &str| {
        let req = WireRequest {
            method: "GET",
            target,
            headers: &headers,
            body: b"",
        };
        huawei_canonical_request(&req, &[])
            .lines()
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_eq!(canon("/a%2Fb"), "/a/b/");
    assert_eq!(canon("/a/b"), "/a/b/");
    assert_eq!(canon("/"), "/");
    assert_eq!(canon(""), "/");
    assert_eq!(canon("/x%zz/%C3%BC+*"), "/x%25zz/%C3%BC%2B%2A/");
}

#[test]
fn acs3_query_and_nonce() {
    let v = vector("es.list_instance");
    let req = v.req();
    let claim = parse_claim(&req).unwrap();
    assert_eq!(
        acs3_nonce(&req, &claim),
        Some("c4979715e050f2b9af8599c36f386006")
    );
    let unsigned_nonce = SignedClaim {
        signed_headers: vec!["host".into()],
        ..claim.clone()
    };
    assert_eq!(acs3_nonce(&req, &unsigned_nonce), None);
    // Repeated keys: last wins; keys are form-decoded but not re-encoded.
    let headers: Vec<(String, String)> = Vec::new();
    let req = WireRequest {
        method: "GET",
        target: "/x?b=1&a+b=%2A&b=2&c",
        headers: &headers,
        body: b"",
    };
    let canonical = acs3_canonical_request(&req, &[]).unwrap();
    assert_eq!(canonical.lines().nth(2), Some("a b=%2A&b=2&c="));
}

// ---------------------------------------------------------------- legacy Alibaba ROA v1

const V1: &str = "es[v2sig].list_instance";

/// Replace the vector's Authorization with a fresh v1 signature of its current contents.
fn resign_v1(v: &mut Vector) {
    v.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
    let auth = acs_v1_authorization(&v.req(), &v.access_key, v.secret_key.as_bytes());
    v.headers.push(("authorization".into(), auth));
}

#[test]
fn acs_v1_vector() {
    let v = vector(V1);
    let req = v.req();
    let claim = parse_claim(&req).unwrap();
    assert_eq!(claim.scheme, Scheme::AcsV1HmacSha1);
    assert_eq!(claim.access_key, "LTAItestAccessKeyId");
    assert_eq!(claim.signature, "5zr4bXRIwzOqVHfgcJ0+sOB2q3o=");
    assert_eq!(
        claim.signed_headers,
        [
            "accept",
            "content-md5",
            "content-type",
            "date",
            "x-acs-action",
            "x-acs-credentials-provider",
            "x-acs-signature-method",
            "x-acs-signature-nonce",
            "x-acs-signature-version",
            "x-acs-version",
        ]
    );
    assert_eq!(acs_v1_string_to_sign(&req), v.sts);
    assert!(v
        .sts
        .ends_with("\n/openapi/instances?description=es demo&page=1&size=10"));
    assert!(v.verified_ok);
    assert_eq!(check(&v), Ok(()));
    assert_eq!(
        request_time(&req, &claim.scheme),
        Ok("2026-11-23T13:49:29Z".parse::<DateTime<Utc>>().unwrap())
    );
    assert_eq!(
        signed_nonce(&req, &claim),
        Some("6c51fb56d17db84b1ccbc01559da20c3")
    );
    assert_eq!(acs3_nonce(&req, &claim), None);
}

#[test]
fn acs_v1_tampering() {
    let mut v = vector(V1);
    v.secret_key.push('x');
    assert_eq!(check(&v), Err(SignatureError::Mismatch), "wrong secret");

    let changed_target = [
        "/openapi/instances?description=es+demo&page=1&size=11",
        "/openapi/instances?description=es+demo&page=1",
        "/openapi/instances?description=es+demo&page=1&size=10&status=active",
        "/openapi/instances?description=es+demo&page=1&size=10&size=11",
        "/openapi/instances/x?description=es+demo&page=1&size=10",
        "/openapi/instances",
    ];
    for target in changed_target {
        let mut v = vector(V1);
        v.target = target.into();
        assert_eq!(check(&v), Err(SignatureError::Mismatch), "{target}");
    }
    // The query is decoded and sorted before signing: order and spelling do not matter.
    for target in [
        "/openapi/instances?size=10&page=1&description=es%20demo",
        "/openapi/instances?page=0&description=es+demo&page=1&size=10",
    ] {
        let mut v = vector(V1);
        v.target = target.into();
        assert_eq!(check(&v), Ok(()), "{target}");
    }

    for (name, value) in [
        ("x-acs-action", "DeleteInstance"),
        ("x-acs-signature-nonce", "00000000000000000000000000000000"),
        ("accept", "application/xml"),
        ("date", "Mon, 23 Nov 2026 13:49:30 GMT"),
    ] {
        let mut v = vector(V1);
        *v.header_mut(name) = value.into();
        assert_eq!(check(&v), Err(SignatureError::Mismatch), "{name}");
    }
    let mut v = vector(V1);
    v.method = "DELETE".into();
    assert_eq!(check(&v), Err(SignatureError::Mismatch), "method");
    // Every x-acs-* header is covered: adding or dropping one breaks the signature.
    let mut v = vector(V1);
    v.headers.push(("X-Acs-Extra".into(), "1".into()));
    assert_eq!(
        check(&v),
        Err(SignatureError::Mismatch),
        "added x-acs header"
    );
    let mut v = vector(V1);
    v.headers.retain(|(n, _)| n != "x-acs-signature-nonce");
    assert_eq!(check(&v), Err(SignatureError::MissingNonce), "dropped nonce (a request needs one)");
    let mut v = vector(V1);
    *v.header_mut("x-acs-signature-nonce") = "another".into();
    assert_eq!(check(&v), Err(SignatureError::Mismatch), "swapped nonce");
    // ...and so are the fixed slots.
    let mut v = vector(V1);
    v.headers
        .push(("Content-Type".into(), "application/json".into()));
    assert_eq!(
        check(&v),
        Err(SignatureError::Mismatch),
        "added content-type"
    );
    // A repeated covered header is refused as ambiguous.
    let mut v = vector(V1);
    v.headers
        .push(("X-Acs-Action".into(), "DeleteInstance".into()));
    assert_eq!(check(&v), Err(SignatureError::Malformed), "repeated x-acs");
    // Not covered by v1 at all: Host, User-Agent (documented limits of the scheme).
    let mut v = vector(V1);
    *v.header_mut("host") = "elsewhere.example:1".into();
    *v.header_mut("user-agent") = "curl".into();
    assert_eq!(check(&v), Ok(()), "host is not signed in v1");
}

#[test]
fn acs_v1_content_md5() {
    let body = br#"{"nodeAmount":3}"#;
    let mut v = vector(V1);
    v.method = "POST".into();
    v.body = body.to_vec();
    // Without Content-MD5 (what the SDK sends) v1 does not cover the body at all: a signed
    // {"nodeAmount":3} would pass as {"nodeAmount":30}. Such a request is refused.
    resign_v1(&mut v);
    assert_eq!(check(&v), Err(SignatureError::BodyNotSigned));
    v.body = br#"{"nodeAmount":30}"#.to_vec();
    assert_eq!(check(&v), Err(SignatureError::BodyNotSigned), "v1 would leave the body unsigned");

    // With it, the body must match the (signed) digest.
    let mut v = vector(V1);
    v.method = "POST".into();
    v.body = body.to_vec();
    v.headers
        .push(("Content-MD5".into(), BASE64.encode(md5(body))));
    v.headers
        .push(("Content-Type".into(), "application/json".into()));
    resign_v1(&mut v);
    assert!(acs_v1_string_to_sign(&v.req()).starts_with(&format!(
        "POST\napplication/json\n{}\napplication/json\nMon, 23 Nov 2026 13:49:29 GMT\nx-acs-action:",
        BASE64.encode(md5(body))
    )));
    assert_eq!(check(&v), Ok(()));
    v.body = br#"{"nodeAmount":30}"#.to_vec();
    assert_eq!(check(&v), Err(SignatureError::PayloadMismatch));
    // Re-declaring the digest of the new body breaks the signature instead.
    *v.header_mut("content-md5") = BASE64.encode(md5(&v.body));
    assert_eq!(check(&v), Err(SignatureError::Mismatch));
    // A present but empty Content-MD5 declares nothing valid.
    *v.header_mut("content-md5") = String::new();
    resign_v1(&mut v);
    assert_eq!(check(&v), Err(SignatureError::PayloadMismatch));
}

#[test]
fn acs_v1_clock_skew_and_dates() {
    let v = vector(V1);
    let req = v.req();
    let claim = parse_claim(&req).unwrap();
    let t = request_time(&req, &claim.scheme).unwrap();
    let sk = v.secret_key.as_bytes();
    for (offset, expected) in [
        (0, Ok(())),
        (SKEW_MIN * 60, Ok(())),
        (-SKEW_MIN * 60, Ok(())),
        (SKEW_MIN * 60 + 1, Err(SignatureError::Skewed)),
        (-SKEW_MIN * 60 - 1, Err(SignatureError::Skewed)),
        (86_400, Err(SignatureError::Skewed)),
    ] {
        let now = t + Duration::seconds(offset);
        assert_eq!(verify(&req, &claim, sk, now, skew()), expected, "{offset}s");
    }
    let mut v = vector(V1);
    for bad in [
        "",
        "Tue, 23 Nov 2026 13:49:29 GMT", // wrong weekday
        "Mon, 23 Nov 2026 13:49:29 UTC",
        "Mon, 23 Nov 2026 13:49:29 +0000",
        "Mon, 23 Nov 2026 13:49:29",
        "Mon, 31 Nov 2026 13:49:29 GMT",
        "Mon, 23 Nov 2026 25:49:29 GMT",
        "Monday, 23-Nov-26 13:49:29 GMT",
        "2026-11-23T13:49:29Z",
        "Sun Nov 23 13:49:29 2026",
    ] {
        *v.header_mut("date") = bad.into();
        assert_eq!(check(&v), Err(SignatureError::BadDate), "{bad:?}");
    }
    v.headers.retain(|(n, _)| n != "date");
    assert_eq!(check(&v), Err(SignatureError::BadDate), "no date");
    // x-acs-date is not the v1 clock (the SDK does not send it); if sent it is just signed.
    let mut v = vector(V1);
    v.headers
        .push(("x-acs-date".into(), "2000-01-01T00:00:00Z".into()));
    resign_v1(&mut v);
    assert_eq!(check(&v), Ok(()));
}

#[test]
fn acs_v1_authorization_parsing() {
    let v = vector(V1);
    let with_auth = |value: &str| {
        let mut headers: Vec<(String, String)> = v
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
            .cloned()
            .collect();
        headers.push(("Authorization".to_string(), value.to_string()));
        let req = WireRequest {
            headers: &headers,
            ..v.req()
        };
        parse_claim(&req)
    };
    let sig = "5zr4bXRIwzOqVHfgcJ0+sOB2q3o=";
    for bad in [
        "acs".to_string(),
        "acs AK".to_string(),
        "acs AK:".to_string(),
        format!("acs :{sig}"),
        format!("acs A K:{sig}"),
        format!("acs AK:{sig} extra"),
        "acs AK:not base64!".to_string(),
        format!("acs AK:{}", sig.trim_end_matches('=')), // unpadded
        "acs AK:5zr4bXRIwzOqVHfgcJ0+sOB2q3p=".to_string(), // non-canonical last digit
        format!("acs AK:{}", BASE64.encode([0u8; 32])),  // HMAC-SHA256 length
        format!("acs AK:{}", hex::encode([0u8; 20])),
    ] {
        assert_eq!(with_auth(&bad), Err(SignatureError::Malformed), "{bad}");
    }
    let claim = with_auth(&format!("acs AK:x:{sig}"));
    assert_eq!(
        claim,
        Err(SignatureError::Malformed),
        "colon splits at the first"
    );
    let claim = with_auth(&format!("  acs AK1:{sig}  ")).unwrap();
    assert_eq!(
        (
            claim.scheme,
            claim.access_key.as_str(),
            claim.signature.as_str()
        ),
        (Scheme::AcsV1HmacSha1, "AK1", sig)
    );
}

#[test]
fn md5_matches_rfc1321() {
    let hex_md5 = |data: &[u8]| hex::encode(md5(data));
    for (input, digest) in [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            "abcdefghijklmnopqrstuvwxyz",
            "c3fcd3d76192e4007dfb496cca67e13b",
        ),
        (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            "d174ab98d277d9f5a5611c2c9f419d9f",
        ),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a",
        ),
    ] {
        assert_eq!(hex_md5(input.as_bytes()), digest, "{input:?}");
    }
    // Padding boundaries, against Python's hashlib over bytes (i * 7 + 3) % 256.
    for (len, digest) in [
        (55, "52c0e574e1198de5fe3f8f11440dcb1b"),
        (56, "46c9907fc908ee68b1e7b8e71286a518"),
        (63, "a62f6d59e837867693f042f5b8f5a236"),
        (64, "7160b8fb5e9e4023d549c3971fbaeead"),
        (65, "70bd662e7aefbda85a0f7244167b7897"),
        (119, "e84905d4214f4d1ca56c2cdcc152b143"),
        (120, "e3eb5a6c8669ea01a8c185b8abc8a5dc"),
        (1000, "10046f077f2082ac19676b8079f1cb1a"),
    ] {
        let data: Vec<u8> = (0..len).map(|i| ((i * 7 + 3) % 256) as u8).collect();
        assert_eq!(hex_md5(&data), digest, "length {len}");
    }
    // The Content-MD5 form of the empty body.
    assert_eq!(BASE64.encode(md5(b"")), "1B2M2Y8AsgTpgAmY7PhCfg==");
}
