//! Server-side verification of AK/SK request signatures, computed from the raw wire request.
//!
//! Owns three schemes, byte-compatible with the reference verifiers in
//! `sdk-wire/capture_server.py` (`verify_huawei`, `verify_acs3`, `verify_acs_v1`) and the
//! official SDK signers:
//! - Huawei `SDK-HMAC-SHA256` (huaweicloudsdkcore): `Authorization: SDK-HMAC-SHA256 Access=AK,
//!   SignedHeaders=a;b, Signature=hex`, signing time in `X-Sdk-Date` (`%Y%m%dT%H%M%SZ`).
//! - Alibaba `ACS3-HMAC-SHA256` (alibabacloud-tea-openapi): `Authorization: ACS3-HMAC-SHA256
//!   Credential=AK,SignedHeaders=a;b,Signature=hex`, signing time in `x-acs-date`
//!   (`%Y-%m-%dT%H:%M:%SZ`), replay nonce in `x-acs-signature-nonce`.
//! - Legacy Alibaba ROA v1 (the same SDK with `Config(signature_algorithm='v2')`):
//!   `Authorization: acs AK:base64(HMAC-SHA1(secret, string-to-sign))`, signing time in `Date`
//!   (RFC 1123, `Mon, 23 Nov 2026 13:49:29 GMT`), replay nonce in `x-acs-signature-nonce`. There
//!   is no SignedHeaders list: the string-to-sign always covers method, `Accept`, `Content-MD5`,
//!   `Content-Type`, `Date`, every `x-acs-*` header and the path with the sorted query (see
//!   [`acs_v1_string_to_sign`]). It does **not** cover `Host`, and it covers the body only through
//!   `Content-MD5`, which the SDK does not send: so a v1 request with a body must carry
//!   `Content-MD5` (`BodyNotSigned` otherwise), or its body could be swapped.
//!
//! Everything here is pure: no IO and no clock reads (`now` is passed in). Looking up the secret
//! for an access key, remembering nonces and choosing the skew window are the caller's job.
//!
//! Policy on top of the wire algorithms: `host` and the date header must be signed (v1 has a
//! fixed `Date` slot and cannot sign `host`), an Alibaba request must carry a nonce (ACS3: signed;
//! v1 covers every `x-acs-*` header), the date must be within `max_skew` of `now`, a
//! declared body hash (`X-Sdk-Content-Sha256`, `x-acs-content-sha256`, `Content-MD5`) must match
//! the body, signed headers must not be repeated, and the HMAC is compared in constant time.
//!
//! Note: the Huawei canonical URI decodes the path before splitting on `/`, so `/a%2Fb` and `/a/b`
//! have the same signature; route on the same decoded form, or treat `%2F` in ids as suspicious.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const HUAWEI_ALGORITHM: &str = "SDK-HMAC-SHA256";
const ACS3_ALGORITHM: &str = "ACS3-HMAC-SHA256";
const HUAWEI_DATE: &str = "x-sdk-date";
const ACS3_DATE: &str = "x-acs-date";
const HUAWEI_CONTENT_SHA256: &str = "x-sdk-content-sha256";
const ACS3_CONTENT_SHA256: &str = "x-acs-content-sha256";
const ACS3_NONCE: &str = "x-acs-signature-nonce";
const ACS_V1_ALGORITHM: &str = "acs";
const ACS_V1_DATE: &str = "date";
const ACS_V1_CONTENT_MD5: &str = "content-md5";
/// The fixed header slots of the v1 string-to-sign, in order (then every `x-acs-*` header).
const ACS_V1_FIXED_HEADERS: [&str; 4] = ["accept", ACS_V1_CONTENT_MD5, "content-type", ACS_V1_DATE];
const ACS_V1_HEADER_PREFIX: &str = "x-acs-";
/// HMAC-SHA1 output size: a v1 signature is the base64 of exactly this many bytes.
const SHA1_LEN: usize = 20;

/// RFC 3986 unreserved characters (`A-Za-z0-9-_.~`) stay, everything else becomes `%XX`.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A request as it arrived on the wire; header names are matched case-insensitively.
#[derive(Debug, Clone, Copy)]
pub struct WireRequest<'a> {
    /// HTTP method as received.
    pub method: &'a str,
    /// Raw request target: path + optional `?` + query, exactly as received.
    pub target: &'a str,
    /// All headers in wire order (duplicates kept).
    pub headers: &'a [(String, String)],
    /// The complete (de-chunked) body.
    pub body: &'a [u8],
}

/// A supported signature scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// Huawei `SDK-HMAC-SHA256`.
    HuaweiSdkHmacSha256,
    /// Alibaba `ACS3-HMAC-SHA256`.
    Acs3HmacSha256,
    /// Legacy Alibaba ROA v1, `acs AK:base64(HMAC-SHA1)` (SDK `signature_algorithm='v2'`).
    AcsV1HmacSha1,
}

impl Scheme {
    /// The (lower-case) header carrying the signing time.
    pub fn date_header(&self) -> &'static str {
        match self {
            Scheme::HuaweiSdkHmacSha256 => HUAWEI_DATE,
            Scheme::Acs3HmacSha256 => ACS3_DATE,
            Scheme::AcsV1HmacSha1 => ACS_V1_DATE,
        }
    }
}

/// The parsed Authorization header: who claims to sign, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedClaim {
    /// Which algorithm the header names.
    pub scheme: Scheme,
    /// `Access=` (Huawei), `Credential=` (ACS3), or the part before `:` (v1).
    pub access_key: String,
    /// Lower-case header names, in the order the client listed them. v1 has no such list: there
    /// it is what the scheme always covers, `accept`, `content-md5`, `content-type`, `date`, then
    /// the `x-acs-*` headers present in the request, sorted.
    pub signed_headers: Vec<String>,
    /// 64 lower-case hex digits, or for v1 the canonical base64 of 20 bytes (28 characters).
    pub signature: String,
}

/// Why a request's signature was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// No Authorization header of these schemes.
    #[error("no signature")]
    Missing,
    /// The Authorization header (or a signed header) is not usable.
    #[error("malformed Authorization header")]
    Malformed,
    /// `host` and the date header (`x-sdk-date` / `x-acs-date`) must be in SignedHeaders.
    #[error("the {0} header must be signed")]
    HeaderNotSigned(&'static str),
    /// The date header is absent or not in the scheme's format.
    #[error("missing or malformed date header")]
    BadDate,
    /// The date header is further than `max_skew` from `now`.
    #[error("request date is outside the allowed clock skew")]
    Skewed,
    /// A declared body hash header disagrees with the body.
    #[error("payload hash does not match the body")]
    PayloadMismatch,
    /// The HMAC does not match.
    #[error("signature does not match")]
    Mismatch,
    /// The signed nonce (`x-acs-signature-nonce`) was already used by this access key within
    /// the skew window. Raised by the caller that remembers nonces, never by [`verify`].
    #[error("the request nonce was already used")]
    Replayed,
    /// The caller's nonce memory is full of unexpired nonces; the request is refused rather than
    /// let through unchecked. Raised by the caller that remembers nonces, never by [`verify`].
    #[error("too many signed requests within the replay window; retry later")]
    TooManyNonces,
    /// An Alibaba request (ACS3 or v1) without `x-acs-signature-nonce`: without it a captured
    /// request could be replayed within the date window.
    #[error("the x-acs-signature-nonce header is required")]
    MissingNonce,
    /// A v1 (`acs AK:signature`) request with a body but no `Content-MD5`: v1 covers the body
    /// only through that header, so without it the body is unsigned and could be swapped.
    #[error("a request with a body signed as `acs AK:signature` must carry Content-MD5")]
    BodyNotSigned,
}

/// Parse the Authorization header (None-equivalent → Err(Missing)).
///
/// Other schemes (Basic, Bearer) and an absent header give `Missing`; a repeated Authorization
/// header or a broken header of these schemes gives `Malformed`.
pub fn parse_claim(req: &WireRequest) -> Result<SignedClaim, SignatureError> {
    let mut values = req
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    let (_, value) = values.next().ok_or(SignatureError::Missing)?;
    if values.next().is_some() {
        return Err(SignatureError::Malformed);
    }
    let value = value.trim();
    let (token, rest) = value
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((value, ""));
    let (scheme, ak_field) = match token {
        HUAWEI_ALGORITHM => (Scheme::HuaweiSdkHmacSha256, "Access="),
        ACS3_ALGORITHM => (Scheme::Acs3HmacSha256, "Credential="),
        ACS_V1_ALGORITHM => return parse_acs_v1_claim(req, rest),
        _ => return Err(SignatureError::Missing),
    };
    let mut parts = rest.split(',').map(str::trim);
    let mut field = |name: &str| -> Result<&str, SignatureError> {
        parts
            .next()
            .and_then(|p| p.strip_prefix(name))
            .filter(|v| !v.is_empty() && !v.contains(|c: char| c.is_whitespace()))
            .ok_or(SignatureError::Malformed)
    };
    let access_key = field(ak_field)?.to_string();
    let signed = field("SignedHeaders=")?;
    let signature = field("Signature=")?.to_string();
    if parts.next().is_some() {
        return Err(SignatureError::Malformed);
    }
    let signed_headers: Vec<String> = signed.split(';').map(str::to_string).collect();
    if !signed_headers.iter().all(|h| is_lower_token(h)) {
        return Err(SignatureError::Malformed);
    }
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(SignatureError::Malformed);
    }
    Ok(SignedClaim {
        scheme,
        access_key,
        signed_headers,
        signature,
    })
}

/// `acs AK:signature` (what follows `acs `): the reference splits at the first `:`.
fn parse_acs_v1_claim(req: &WireRequest, rest: &str) -> Result<SignedClaim, SignatureError> {
    let (access_key, signature) = rest.split_once(':').ok_or(SignatureError::Malformed)?;
    let usable = |s: &str| !s.is_empty() && !s.contains(|c: char| c.is_whitespace());
    // The strict decoder accepts one spelling per value (canonical padding and trailing bits).
    let decodes = BASE64
        .decode(signature)
        .is_ok_and(|raw| raw.len() == SHA1_LEN);
    if !usable(access_key) || !usable(signature) || !decodes {
        return Err(SignatureError::Malformed);
    }
    Ok(SignedClaim {
        scheme: Scheme::AcsV1HmacSha1,
        access_key: access_key.to_string(),
        signed_headers: acs_v1_covered_headers(req),
        signature: signature.to_string(),
    })
}

/// The Huawei canonical request for the given signed headers.
pub fn huawei_canonical_request(req: &WireRequest, signed_headers: &[String]) -> String {
    let (path, query) = split_target(req.target);
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    let mut uri = decoded
        .split('/')
        .map(rfc3986)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    let mut pairs: Vec<(String, String)> = query_items(query)
        .map(|(k, v)| (pct_decode(k), pct_decode(v)))
        .collect();
    pairs.sort();
    let canonical_query = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", rfc3986(k), rfc3986(v)))
        .collect::<Vec<_>>()
        .join("&");
    // As the SDK signer does: a declared X-Sdk-Content-Sha256 replaces the body hash
    // (`verify` separately requires it to equal the body's hash).
    let payload = match header(req, HUAWEI_CONTENT_SHA256) {
        Some(declared) => declared.to_string(),
        None => sha256_hex(req.body),
    };
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.to_uppercase(),
        uri,
        canonical_query,
        canonical_headers(req, signed_headers),
        signed_headers.join(";"),
        payload
    )
}

/// The Huawei string-to-sign; `BadDate` if `X-Sdk-Date` is absent or malformed.
pub fn huawei_string_to_sign(req: &WireRequest, canonical: &str) -> Result<String, SignatureError> {
    let date = header(req, HUAWEI_DATE).ok_or(SignatureError::BadDate)?;
    parse_date(date, &Scheme::HuaweiSdkHmacSha256)?;
    Ok(huawei_sts(date, canonical))
}

/// The ACS3 canonical request; `PayloadMismatch` if `x-acs-content-sha256` disagrees with the body.
pub fn acs3_canonical_request(
    req: &WireRequest,
    signed_headers: &[String],
) -> Result<String, SignatureError> {
    let (path, query) = split_target(req.target);
    let map: BTreeMap<String, String> = query_items(query)
        .map(|(k, v)| (form_decode(k), form_decode(v)))
        .collect(); // last occurrence of a key wins
    let canonical_query = map
        .iter()
        .map(|(k, v)| format!("{}={}", k, rfc3986(v)))
        .collect::<Vec<_>>()
        .join("&");
    let payload = sha256_hex(req.body);
    match header(req, ACS3_CONTENT_SHA256) {
        Some(declared) if !declared.is_empty() && declared != payload => {
            return Err(SignatureError::PayloadMismatch)
        }
        _ => {}
    }
    Ok(format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        if path.is_empty() { "/" } else { path },
        canonical_query,
        canonical_headers(req, signed_headers),
        signed_headers.join(";"),
        payload
    ))
}

/// The ACS3 string-to-sign.
pub fn acs3_string_to_sign(canonical: &str) -> String {
    format!("{ACS3_ALGORITHM}\n{}", sha256_hex(canonical.as_bytes()))
}

/// The legacy Alibaba ROA v1 string-to-sign, as `verify_acs_v1` in the reference verifier and
/// `get_string_to_sign` in alibabacloud-openapi-util build it:
///
/// ```text
/// GET                          method
/// application/json             Accept        (an absent header gives an empty line)
///                              Content-MD5
///                              Content-Type
/// Mon, 23 Nov 2026 13:49:29 GMT   Date
/// x-acs-action:ListInstance    one `name:value` line per x-acs-* header, sorted by lower-case
/// x-acs-version:2017-06-13     name, value as received (not trimmed)
/// /openapi/instances?description=es demo&page=1&size=10   resource; no trailing newline
/// ```
///
/// The method is taken as received, the path raw as on the wire; query keys and values are
/// form-decoded (`+` is a space, then `%XX`), the last occurrence of a key wins, keys are sorted,
/// an empty value gives the bare key, and nothing is re-encoded; with no query item there is no
/// `?`. (Because nothing is re-encoded, `?a=1&b=2` and `?a=1%26b%3D2` sign alike.)
pub fn acs_v1_string_to_sign(req: &WireRequest) -> String {
    let mut sts = format!("{}\n", req.method);
    for name in ACS_V1_FIXED_HEADERS {
        sts.push_str(header(req, name).unwrap_or(""));
        sts.push('\n');
    }
    for name in acs_v1_x_acs_headers(req) {
        sts.push_str(&format!("{name}:{}\n", header(req, &name).unwrap_or("")));
    }
    let (path, query) = split_target(req.target);
    sts.push_str(path);
    let map: BTreeMap<String, String> = query_items(query)
        .map(|(k, v)| (form_decode(k), form_decode(v)))
        .collect(); // last occurrence of a key wins
    for (i, (k, v)) in map.iter().enumerate() {
        sts.push(if i == 0 { '?' } else { '&' });
        sts.push_str(k);
        if !v.is_empty() {
            sts.push('=');
            sts.push_str(v);
        }
    }
    sts
}

/// Lower-case names of the `x-acs-*` headers in the request, sorted, each once.
fn acs_v1_x_acs_headers(req: &WireRequest) -> Vec<String> {
    let names: std::collections::BTreeSet<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n.starts_with(ACS_V1_HEADER_PREFIX))
        .collect();
    names.into_iter().collect()
}

/// Every header the v1 string-to-sign covers for this request (see [`SignedClaim::signed_headers`]).
fn acs_v1_covered_headers(req: &WireRequest) -> Vec<String> {
    ACS_V1_FIXED_HEADERS
        .iter()
        .map(|h| h.to_string())
        .chain(acs_v1_x_acs_headers(req))
        .collect()
}

/// Verify a claim with the secret for its access key; checks required signed headers,
/// date within `max_skew` of `now`, payload hash, then the HMAC in constant time (subtle).
pub fn verify(
    req: &WireRequest,
    claim: &SignedClaim,
    secret: &[u8],
    now: DateTime<Utc>,
    max_skew: Duration,
) -> Result<(), SignatureError> {
    // v1 has no SignedHeaders list: its string-to-sign has a fixed `Date` slot (checked below
    // like the others' date headers) and no place for `host`, so nothing to require here, and
    // what it covers is derived from the request itself, not from the claim.
    if matches!(claim.scheme, Scheme::Acs3HmacSha256 | Scheme::AcsV1HmacSha1) && header(req, ACS3_NONCE).is_none_or(str::is_empty) {
        return Err(SignatureError::MissingNonce);
    }
    let v1_covered;
    let signed_headers = if claim.scheme == Scheme::AcsV1HmacSha1 {
        v1_covered = acs_v1_covered_headers(req);
        &v1_covered
    } else {
        // ACS3 must also sign its nonce: an unsigned one could be swapped to replay the request.
        let nonce = (claim.scheme == Scheme::Acs3HmacSha256).then_some(ACS3_NONCE);
        for required in ["host", claim.scheme.date_header()].into_iter().chain(nonce) {
            if !claim.signed_headers.iter().any(|h| h == required) {
                return Err(SignatureError::HeaderNotSigned(required));
            }
        }
        &claim.signed_headers
    };
    if claim.scheme == Scheme::AcsV1HmacSha1 && !req.body.is_empty() && header(req, ACS_V1_CONTENT_MD5).is_none() {
        return Err(SignatureError::BodyNotSigned);
    }
    // A repeated signed header is ambiguous (which copy did the client sign, which one will
    // the application read?), so refuse it outright.
    if signed_headers.iter().any(|name| {
        req.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
            > 1
    }) {
        return Err(SignatureError::Malformed);
    }
    let signed_at = request_time(req, &claim.scheme)?;
    let skew = now.signed_duration_since(signed_at);
    if skew > max_skew || -skew > max_skew {
        return Err(SignatureError::Skewed);
    }
    let sts = match claim.scheme {
        Scheme::HuaweiSdkHmacSha256 => {
            if let Some(declared) = header(req, HUAWEI_CONTENT_SHA256) {
                if declared != sha256_hex(req.body) {
                    return Err(SignatureError::PayloadMismatch);
                }
            }
            huawei_string_to_sign(req, &huawei_canonical_request(req, &claim.signed_headers))?
        }
        Scheme::Acs3HmacSha256 => {
            acs3_string_to_sign(&acs3_canonical_request(req, &claim.signed_headers)?)
        }
        Scheme::AcsV1HmacSha1 => {
            // The only way v1 covers the body: a declared MD5 must match it.
            if let Some(declared) = header(req, ACS_V1_CONTENT_MD5) {
                if declared != BASE64.encode(md5(req.body)) {
                    return Err(SignatureError::PayloadMismatch);
                }
            }
            acs_v1_string_to_sign(req)
        }
    };
    let (expected, provided) = match claim.scheme {
        Scheme::HuaweiSdkHmacSha256 | Scheme::Acs3HmacSha256 => (
            hmac_sha256(secret, &sts),
            hex::decode(&claim.signature).ok(),
        ),
        Scheme::AcsV1HmacSha1 => (
            hmac_sha1(secret, &sts),
            BASE64.decode(&claim.signature).ok(),
        ),
    };
    let provided = provided.ok_or(SignatureError::Mismatch)?;
    if bool::from(expected.as_slice().ct_eq(provided.as_slice())) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The request's signing time (x-sdk-date, x-acs-date or, for v1, Date), for replay windows.
pub fn request_time(req: &WireRequest, scheme: &Scheme) -> Result<DateTime<Utc>, SignatureError> {
    let value = header(req, scheme.date_header()).ok_or(SignatureError::BadDate)?;
    parse_date(value, scheme)
}

/// The ACS3 replay nonce (`x-acs-signature-nonce`), only if the claim signs it; an unsigned
/// nonce could be swapped freely and must not be trusted for replay detection.
pub fn acs3_nonce<'a>(req: &WireRequest<'a>, claim: &SignedClaim) -> Option<&'a str> {
    if claim.scheme == Scheme::Acs3HmacSha256 {
        signed_nonce(req, claim)
    } else {
        None
    }
}

/// The Alibaba replay nonce (`x-acs-signature-nonce`) of an ACS3 or v1 request, only if the
/// signature covers it (ACS3: listed in SignedHeaders; v1: every `x-acs-*` header is covered)
/// and it is not empty. Huawei requests carry none. Meaningful once [`verify`] has succeeded.
pub fn signed_nonce<'a>(req: &WireRequest<'a>, claim: &SignedClaim) -> Option<&'a str> {
    let signed = match claim.scheme {
        Scheme::HuaweiSdkHmacSha256 => false,
        Scheme::Acs3HmacSha256 => claim.signed_headers.iter().any(|h| h == ACS3_NONCE),
        Scheme::AcsV1HmacSha1 => true,
    };
    header(req, ACS3_NONCE).filter(|nonce| signed && !nonce.is_empty())
}

/// The Huawei Authorization header value for `req` (which must already carry `X-Sdk-Date`,
/// `Host` and every header in `signed_headers`, lower-case, in the order given).
pub fn huawei_authorization(
    req: &WireRequest,
    access_key: &str,
    secret: &[u8],
    signed_headers: &[String],
) -> String {
    let canonical = huawei_canonical_request(req, signed_headers);
    let sts = huawei_sts(header(req, HUAWEI_DATE).unwrap_or(""), &canonical);
    format!(
        "{HUAWEI_ALGORITHM} Access={access_key}, SignedHeaders={}, Signature={}",
        signed_headers.join(";"),
        hex::encode(hmac_sha256(secret, &sts))
    )
}

/// The ACS3 Authorization header value for `req` (same preconditions as [`huawei_authorization`],
/// with `x-acs-date`); `PayloadMismatch` if its `x-acs-content-sha256` disagrees with the body.
pub fn acs3_authorization(
    req: &WireRequest,
    access_key: &str,
    secret: &[u8],
    signed_headers: &[String],
) -> Result<String, SignatureError> {
    let sts = acs3_string_to_sign(&acs3_canonical_request(req, signed_headers)?);
    Ok(format!(
        "{ACS3_ALGORITHM} Credential={access_key},SignedHeaders={},Signature={}",
        signed_headers.join(";"),
        hex::encode(hmac_sha256(secret, &sts))
    ))
}

/// The legacy v1 Authorization header value for `req` (which must already carry `Date` and
/// every `x-acs-*` header it is to send).
pub fn acs_v1_authorization(req: &WireRequest, access_key: &str, secret: &[u8]) -> String {
    let sts = acs_v1_string_to_sign(req);
    format!(
        "{ACS_V1_ALGORITHM} {access_key}:{}",
        BASE64.encode(hmac_sha1(secret, &sts))
    )
}

// ------------------------------------------------------------------------------------ helpers

fn huawei_sts(date: &str, canonical: &str) -> String {
    format!(
        "{HUAWEI_ALGORITHM}\n{date}\n{}",
        sha256_hex(canonical.as_bytes())
    )
}

/// Last occurrence wins, as in the reference verifier.
fn header<'a>(req: &WireRequest<'a>, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `name:trim(value)\n` per signed header; an absent header contributes an empty value.
fn canonical_headers(req: &WireRequest, signed_headers: &[String]) -> String {
    signed_headers
        .iter()
        .map(|name| format!("{}:{}\n", name, py_strip(header(req, name).unwrap_or(""))))
        .collect()
}

/// Python's `str.strip()`: Unicode whitespace plus the separators U+001C..U+001F.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

fn split_target(target: &str) -> (&str, &str) {
    target.split_once('?').unwrap_or((target, ""))
}

/// Non-empty `&`-separated items split at the first `=` (a missing `=` means an empty value).
fn query_items(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|item| !item.is_empty())
        .map(|item| item.split_once('=').unwrap_or((item, "")))
}

/// Python `unquote`: `%XX` decoded, invalid UTF-8 replaced, `+` kept.
fn pct_decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Python `unquote_plus`: `+` is a space, then `%XX` decoded.
fn form_decode(s: &str) -> String {
    pct_decode(&s.replace('+', " "))
}

fn rfc3986(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

fn is_lower_token(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)
        })
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac_sha256(key: &[u8], message: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn hmac_sha1(key: &[u8], message: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// MD5, only to compare a v1 request's `Content-MD5` with its body (an
/// integrity check on a signed header, not a security primitive of its own).
fn md5(data: &[u8]) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(data).into()
}

/// Strict fixed-width UTC timestamp: `%Y%m%dT%H%M%SZ` (Huawei) or `%Y-%m-%dT%H:%M:%SZ` (ACS3).
fn parse_date(value: &str, scheme: &Scheme) -> Result<DateTime<Utc>, SignatureError> {
    let pattern = match scheme {
        Scheme::HuaweiSdkHmacSha256 => "YYYYMMDDThhmmssZ",
        Scheme::Acs3HmacSha256 => "YYYY-MM-DDThh:mm:ssZ",
        Scheme::AcsV1HmacSha1 => return parse_http_date(value),
    };
    if value.len() != pattern.len() {
        return Err(SignatureError::BadDate);
    }
    let mut fields = [0u32; 6]; // Y M D h m s
    for (c, p) in value.bytes().zip(pattern.bytes()) {
        match "YMDhms".bytes().position(|f| f == p) {
            Some(i) if c.is_ascii_digit() => fields[i] = fields[i] * 10 + u32::from(c - b'0'),
            None if c == p => {}
            _ => return Err(SignatureError::BadDate),
        }
    }
    let [y, mo, d, h, mi, s] = fields;
    NaiveDate::from_ymd_opt(y as i32, mo, d)
        .and_then(|date| date.and_hms_opt(h, mi, s))
        .map(|t| t.and_utc())
        .ok_or(SignatureError::BadDate)
}

/// RFC 1123 in the fixed 29-character form the SDK writes (`%a, %d %b %Y %H:%M:%S GMT`,
/// `Mon, 23 Nov 2026 13:49:29 GMT`); the weekday must agree with the date.
fn parse_http_date(value: &str) -> Result<DateTime<Utc>, SignatureError> {
    if value.len() != "Mon, 23 Nov 2026 13:49:29 GMT".len() {
        return Err(SignatureError::BadDate);
    }
    NaiveDateTime::parse_from_str(value, "%a, %d %b %Y %H:%M:%S GMT")
        .map(|t| t.and_utc())
        .map_err(|_| SignatureError::BadDate)
}

#[cfg(test)]
mod tests;
