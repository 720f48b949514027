//! Administration of a Milvus 2.3 instance over its gRPC API (the proxy
//! port): change a password, create a user, give it a role.
//!
//! Milvus 2.3.5 with `common.security.authorizationEnabled: true` starts with
//! `root` / `Milvus` and has no key to preset that password, so strato
//! secures a new instance through these calls after its first start.
//!
//! Only the few messages used are declared here, by hand, with the field
//! numbers of `proto/milvus.proto` and `proto/common.proto` at milvus-proto
//! v2.3.5 (the descriptors pymilvus 2.3.6 ships agree). Fields strato never
//! sets (`base`, the timestamps) are left out: unset proto3 fields are not on
//! the wire anyway. Like pymilvus, credentials go in the `authorization`
//! metadata as `base64("user:password")` and passwords in requests are
//! base64 encoded.
//!
//! What Milvus 2.3.5 answers (measured):
//! * bad or missing credentials: gRPC `UNAUTHENTICATED`, on every method;
//! * a call the user's roles do not allow: gRPC `PERMISSION_DENIED`;
//! * other failures: an OK gRPC response whose `common.Status` is not
//!   success, e.g. `CreateCredential` of an existing user gives
//!   `error_code` 29 (CreateCredentialFailure), `code` 65535,
//!   `reason` "user already exists: NAME"; a wrong old password in
//!   `UpdateCredential` gives `error_code` 1, `code` 1400; a password
//!   outside 6..=256 characters `error_code` 5, `code` 1100.
//!
//! Milvus's SIGTERM stop waits for connected gRPC clients to hang up, so
//! drop a `MilvusAdmin` before stopping its instance, and never block the
//! runtime its connection runs on while the instance stops.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use tonic::codec::ProstCodec;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::metadata::AsciiMetadataValue;
use tonic::transport::{Channel, Endpoint};

/// Bound on establishing the TCP + HTTP/2 connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Bound on every call, reconnecting included.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

const SERVICE: &str = "/milvus.proto.milvus.MilvusService/";
/// `common.ErrorCode.CreateCredentialFailure`.
const CREATE_CREDENTIAL_FAILURE: i32 = 29;

#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// No connection could be made (refused, unreachable, timed out, not HTTP/2).
    #[error("cannot connect to Milvus at {addr}: {message}")]
    Connect { addr: SocketAddr, message: String },
    /// The call did not complete within `CALL_TIMEOUT`.
    #[error("Milvus {method} did not answer within {timeout:?}")]
    Timeout { method: &'static str, timeout: Duration },
    /// The connection broke during the call (e.g. Milvus went away).
    #[error("Milvus {method}: connection lost: {message}")]
    Transport { method: &'static str, message: String },
    /// A gRPC status instead of a response: `Unauthenticated` (credentials
    /// rejected), `PermissionDenied` (a role lacks the privilege),
    /// `Unavailable` (reconnecting failed, or Milvus is not serving), ...
    #[error("Milvus {method}: gRPC {code:?}: {message}")]
    Grpc { method: &'static str, code: tonic::Code, message: String },
    /// Milvus answered with a failed `common.Status`.
    #[error("Milvus {method} failed (error_code {error_code}, code {code}): {reason}")]
    Status { method: &'static str, error_code: i32, code: i32, reason: String },
}

impl RpcError {
    /// True when Milvus could not be reached (as opposed to it refusing the request).
    pub fn is_connection(&self) -> bool {
        matches!(self, RpcError::Connect { .. } | RpcError::Transport { .. } | RpcError::Timeout { .. })
            || matches!(self, RpcError::Grpc { code: tonic::Code::Unavailable, .. })
    }
}

/// An authenticated gRPC client of one Milvus instance. Cheap to clone.
#[derive(Clone)]
pub struct MilvusAdmin {
    channel: Channel,
    authorization: AsciiMetadataValue,
    addr: SocketAddr,
    user: String,
}

impl fmt::Debug for MilvusAdmin {
    // Never the authorization header: it is the password, barely encoded.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MilvusAdmin").field("addr", &self.addr).field("user", &self.user).finish_non_exhaustive()
    }
}

impl MilvusAdmin {
    /// Connects to `http://addr` authenticating as `user`/`password`
    /// (gRPC metadata `authorization: base64("user:password")`, as pymilvus does).
    /// The connection is made here; the credentials are only checked by the
    /// calls (see `authenticated`).
    pub async fn connect(addr: SocketAddr, user: &str, password: &str) -> Result<MilvusAdmin, RpcError> {
        let connect_error = |message: String| RpcError::Connect { addr, message };
        let endpoint = Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|e| connect_error(error_chain(&e)))?
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true);
        let channel = match tokio::time::timeout(CONNECT_TIMEOUT, endpoint.connect()).await {
            Ok(Ok(channel)) => channel,
            Ok(Err(e)) => return Err(connect_error(error_chain(&e))),
            Err(_) => return Err(connect_error(format!("no HTTP/2 connection within {CONNECT_TIMEOUT:?}"))),
        };
        Ok(MilvusAdmin { channel, authorization: authorization(user, password), addr, user: user.to_string() })
    }

    /// UpdateCredential: change `user`'s password from `old` to `new`
    /// (passwords are sent base64-encoded, as pymilvus does). A wrong `old`
    /// (or an unknown user) fails with `Status { code: 1400, .. }`; a
    /// password outside 6..=256 characters with `code: 1100`. After changing
    /// the password of the user this client authenticates as, connect anew.
    pub async fn update_password(&self, user: &str, old: &str, new: &str) -> Result<(), RpcError> {
        let request = UpdateCredentialRequest {
            username: user.to_string(),
            old_password: B64.encode(old),
            new_password: B64.encode(new),
        };
        let status: CommonStatus = self.unary("UpdateCredential", request).await?;
        status.check("UpdateCredential")
    }

    /// CreateCredential; Ok(false) if the user already exists (so a retried
    /// step is idempotent). The existing user's password is left unchanged.
    pub async fn create_user(&self, user: &str, password: &str) -> Result<bool, RpcError> {
        let request = CreateCredentialRequest { username: user.to_string(), password: B64.encode(password) };
        let status: CommonStatus = self.unary("CreateCredential", request).await?;
        match status.check("CreateCredential") {
            Ok(()) => Ok(true),
            // Milvus 2.3 has no dedicated code for "already exists" (it says
            // so only in `reason`), so ask rather than parse the wording.
            Err(e @ RpcError::Status { error_code: CREATE_CREDENTIAL_FAILURE, .. }) => {
                if self.list_users().await?.iter().any(|u| u == user) {
                    Ok(false)
                } else {
                    Err(e)
                }
            }
            Err(e) => Err(e),
        }
    }

    /// OperateUserRole AddUserToRole (e.g. the built-in role `admin`).
    /// Idempotent: Milvus accepts granting a role the user already has.
    pub async fn grant_role(&self, user: &str, role: &str) -> Result<(), RpcError> {
        let request = OperateUserRoleRequest {
            username: user.to_string(),
            role_name: role.to_string(),
            r#type: OPERATE_ADD_USER_TO_ROLE,
        };
        let status: CommonStatus = self.unary("OperateUserRole", request).await?;
        status.check("OperateUserRole")
    }

    /// ListCredUsers: every user name. Needs a role with
    /// `PrivilegeSelectOwnership` (e.g. `admin`); otherwise `PermissionDenied`.
    pub async fn list_users(&self) -> Result<Vec<String>, RpcError> {
        let response: ListCredUsersResponse = self.unary("ListCredUsers", ListCredUsersRequest {}).await?;
        response.status.unwrap_or_default().check("ListCredUsers")?;
        Ok(response.usernames)
    }

    /// Whether the credentials this client was built with are accepted:
    /// Ok(false) on an authentication failure, Err on connection errors.
    /// Uses GetVersion, which any authenticated user may call whatever its
    /// roles. With authorization disabled in Milvus, any credentials pass.
    pub async fn authenticated(&self) -> Result<bool, RpcError> {
        match self.unary::<_, GetVersionResponse>("GetVersion", GetVersionRequest {}).await {
            Ok(response) => response.status.unwrap_or_default().check("GetVersion").map(|()| true),
            Err(RpcError::Grpc { code: tonic::Code::Unauthenticated, .. }) => Ok(false),
            // Authorization comes after authentication: a refusal means the
            // credentials were accepted.
            Err(RpcError::Grpc { code: tonic::Code::PermissionDenied, .. }) => Ok(true),
            Err(e) => Err(e),
        }
    }

    async fn unary<Req, Resp>(&self, method: &'static str, message: Req) -> Result<Resp, RpcError>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let path = PathAndQuery::try_from(format!("{SERVICE}{method}")).expect("method names are valid paths");
        // No tonic deadline (it would surface as a bare `Cancelled`): the
        // timeout below drops the call, which resets its HTTP/2 stream.
        let mut request = tonic::Request::new(message);
        request.metadata_mut().insert("authorization", self.authorization.clone());
        let mut grpc = tonic::client::Grpc::new(self.channel.clone());
        let call = async {
            grpc.ready().await.map_err(|e| RpcError::Transport { method, message: error_chain(&e) })?;
            grpc.unary(request, path, ProstCodec::<Req, Resp>::default())
                .await
                .map(tonic::Response::into_inner)
                .map_err(|status| grpc_error(method, &status))
        };
        tokio::time::timeout(CALL_TIMEOUT, call)
            .await
            .unwrap_or(Err(RpcError::Timeout { method, timeout: CALL_TIMEOUT }))
    }
}

/// `base64("user:password")`, the value pymilvus sends as `authorization`.
fn authorization(user: &str, password: &str) -> AsciiMetadataValue {
    AsciiMetadataValue::try_from(B64.encode(format!("{user}:{password}"))).expect("base64 is a valid header value")
}

/// An error with its causes: tonic's transport errors say only
/// "transport error" at the top.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// A status Milvus sent has no source; one tonic made up from a failed
/// connection carries the transport error (as `Unknown`, `Unavailable`, ...).
fn grpc_error(method: &'static str, status: &tonic::Status) -> RpcError {
    match std::error::Error::source(status) {
        Some(cause) if cause.downcast_ref::<tonic::transport::Error>().is_some() => {
            RpcError::Transport { method, message: error_chain(cause) }
        }
        Some(cause) => RpcError::Grpc {
            method,
            code: status.code(),
            message: format!("{}: {}", status.message(), error_chain(cause)),
        },
        None => RpcError::Grpc { method, code: status.code(), message: status.message().to_string() },
    }
}

// ---- Messages (milvus-proto v2.3.5) ----

/// `common.Status`. `error_code` is the deprecated `common.ErrorCode` enum,
/// `code` the newer numeric code; both are 0 on success.
#[derive(Clone, PartialEq, prost::Message)]
struct CommonStatus {
    #[prost(int32, tag = "1")]
    error_code: i32,
    #[prost(string, tag = "2")]
    reason: String,
    #[prost(int32, tag = "3")]
    code: i32,
}

impl CommonStatus {
    fn check(self, method: &'static str) -> Result<(), RpcError> {
        if self.error_code == 0 && self.code == 0 {
            Ok(())
        } else {
            Err(RpcError::Status { method, error_code: self.error_code, code: self.code, reason: self.reason })
        }
    }
}

/// `milvus.CreateCredentialRequest` (without `base` = 1 and the timestamps 4, 5).
#[derive(Clone, PartialEq, prost::Message)]
struct CreateCredentialRequest {
    #[prost(string, tag = "2")]
    username: String,
    /// base64 of the password.
    #[prost(string, tag = "3")]
    password: String,
}

/// `milvus.UpdateCredentialRequest` (without `base` = 1 and the timestamps 5, 6).
#[derive(Clone, PartialEq, prost::Message)]
struct UpdateCredentialRequest {
    #[prost(string, tag = "2")]
    username: String,
    /// `oldPassword`, base64.
    #[prost(string, tag = "3")]
    old_password: String,
    /// `newPassword`, base64.
    #[prost(string, tag = "4")]
    new_password: String,
}

/// `milvus.OperateUserRoleType.AddUserToRole`.
const OPERATE_ADD_USER_TO_ROLE: i32 = 0;

/// `milvus.OperateUserRoleRequest` (without `base` = 1).
#[derive(Clone, PartialEq, prost::Message)]
struct OperateUserRoleRequest {
    #[prost(string, tag = "2")]
    username: String,
    #[prost(string, tag = "3")]
    role_name: String,
    /// `milvus.OperateUserRoleType`.
    #[prost(int32, tag = "4")]
    r#type: i32,
}

/// `milvus.ListCredUsersRequest` (without `base` = 1).
#[derive(Clone, PartialEq, prost::Message)]
struct ListCredUsersRequest {}

#[derive(Clone, PartialEq, prost::Message)]
struct ListCredUsersResponse {
    #[prost(message, optional, tag = "1")]
    status: Option<CommonStatus>,
    #[prost(string, repeated, tag = "2")]
    usernames: Vec<String>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct GetVersionRequest {}

#[derive(Clone, PartialEq, prost::Message)]
struct GetVersionResponse {
    #[prost(message, optional, tag = "1")]
    status: Option<CommonStatus>,
    #[prost(string, tag = "2")]
    version: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message as _;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }

    // The expected bytes are pymilvus 2.3.6's own encodings
    // (`Prepare.create_user_request(...).SerializeToString()` and friends).

    #[test]
    fn create_credential_request_matches_pymilvus() {
        let request = CreateCredentialRequest { username: "db_admin".into(), password: B64.encode("Secret123!") };
        assert_eq!(request.password, "U2VjcmV0MTIzIQ==");
        // 0x12 = field 2 (username), 0x1a = field 3 (password), both length-delimited.
        assert_eq!(hex(&request.encode_to_vec()), "120864625f61646d696e1a105532566a636d56304d54497a49513d3d");
    }

    #[test]
    fn update_credential_request_matches_pymilvus() {
        let request = UpdateCredentialRequest {
            username: "root".into(),
            old_password: B64.encode("Milvus"),
            new_password: B64.encode("N3w-Passw0rd!"),
        };
        assert_eq!(
            hex(&request.encode_to_vec()),
            "1204726f6f741a0854576c73646e567a2214546a4e334c56426863334e334d484a6b49513d3d"
        );
    }

    #[test]
    fn operate_user_role_request_matches_pymilvus() {
        let request = OperateUserRoleRequest {
            username: "db_admin".into(),
            role_name: "admin".into(),
            r#type: OPERATE_ADD_USER_TO_ROLE,
        };
        // AddUserToRole is 0, the proto3 default, so field 4 is not on the wire.
        assert_eq!(hex(&request.encode_to_vec()), "120864625f61646d696e1a0561646d696e");
    }

    #[test]
    fn status_and_list_response_decode() {
        // What Milvus 2.3.5 answers to CreateCredential of an existing user.
        let status = CommonStatus::decode(
            &unhex("081d121d7573657220616c7265616479206578697374733a2064625f61646d696e18ffff03")[..],
        )
        .unwrap();
        let error = status.check("CreateCredential").unwrap_err();
        assert!(matches!(
            &error,
            RpcError::Status { error_code: 29, code: 65535, reason, .. } if reason == "user already exists: db_admin"
        ));
        assert!(!error.is_connection());

        let list = ListCredUsersResponse::decode(&unhex("0a00120864625f61646d696e1204726f6f74")[..]).unwrap();
        assert_eq!(list.usernames, ["db_admin", "root"]);
        assert!(list.status.unwrap().check("ListCredUsers").is_ok());
        assert!(CommonStatus { code: 5, ..Default::default() }.check("X").is_err(), "code alone marks a failure");
    }

    #[test]
    fn authorization_header_is_base64_user_colon_password() {
        assert_eq!(authorization("root", "Milvus").to_str().unwrap(), "cm9vdDpNaWx2dXM=");
    }

    #[tokio::test]
    async fn connect_to_a_closed_port_fails_fast() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let started = std::time::Instant::now();
        let error = MilvusAdmin::connect(addr, "root", "Milvus").await.unwrap_err();
        assert!(matches!(error, RpcError::Connect { .. }), "{error:?}");
        assert!(error.is_connection());
        assert!(error.to_string().contains("refused"), "{error}");
        assert!(started.elapsed() < CONNECT_TIMEOUT);
    }

    /// Against a real Milvus 2.3.5: the one `scripts/install-milvus` put in
    /// place, or `STRATO_MILVUS_BIN` (the directory holding `milvus` and its
    /// libraries). `STRATO_MILVUS_PORT_BASE` picks the 9 ports (default: the
    /// first free block from 20600, outside the ranges servers and tests use). Multi-threaded: the
    /// blocking stop in `live::Milvus::drop` must not starve the clients'
    /// connections, or Milvus's SIGTERM waits for them (10 s, then SIGKILL).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn milvus_secures_a_fresh_instance() {
        let bin = std::env::var_os("STRATO_MILVUS_BIN")
            .map(std::path::PathBuf::from)
            .or_else(|| super::super::find_bin_dir(None).filter(|d| d.join("milvus").exists()));
        let Some(bin) = bin else {
            assert_eq!(std::env::var("STRATO_SKIP_MILVUS").as_deref(), Ok("1"), "Milvus is not installed: run scripts/install-milvus");
            eprintln!("skipped: Milvus is not installed");
            return;
        };
        let milvus = live::Milvus::start(std::path::Path::new(&bin)).await;
        let addr = milvus.grpc_addr();

        // Credentials are checked per call, not on connect.
        let nobody = MilvusAdmin::connect(addr, "root", "wrong-password").await.unwrap();
        assert!(!nobody.authenticated().await.unwrap());

        let root = MilvusAdmin::connect(addr, "root", "Milvus").await.unwrap();
        assert!(root.authenticated().await.unwrap());
        let new_password = "Strato-R00t-pw!";
        root.update_password("root", "Milvus", new_password).await.unwrap();
        // This client still sends the old password.
        assert!(!root.authenticated().await.unwrap(), "the old password must no longer work");
        let old = MilvusAdmin::connect(addr, "root", "Milvus").await.unwrap();
        assert!(!old.authenticated().await.unwrap(), "the old password must no longer work");
        let root = MilvusAdmin::connect(addr, "root", new_password).await.unwrap();
        assert!(root.authenticated().await.unwrap());
        // A retried change (`old` is no longer right) is refused by Milvus, not by gRPC.
        let again = root.update_password("root", "Milvus", new_password).await.unwrap_err();
        assert!(matches!(again, RpcError::Status { code: 1400, .. }), "{again:?}");

        assert!(root.create_user("db_admin", "Db-Adm1n-pw").await.unwrap());
        assert!(!root.create_user("db_admin", "Db-Adm1n-pw").await.unwrap(), "second create is a no-op");
        let short = root.create_user("other", "short").await.unwrap_err();
        assert!(matches!(short, RpcError::Status { .. }), "{short:?}");

        let db_admin = MilvusAdmin::connect(addr, "db_admin", "Db-Adm1n-pw").await.unwrap();
        assert!(db_admin.authenticated().await.unwrap(), "authenticated before any role");
        let denied = db_admin.list_users().await.unwrap_err();
        assert!(matches!(denied, RpcError::Grpc { code: tonic::Code::PermissionDenied, .. }), "{denied:?}");

        root.grant_role("db_admin", "admin").await.unwrap();
        root.grant_role("db_admin", "admin").await.unwrap();
        let missing = root.grant_role("no_such_user", "admin").await.unwrap_err();
        assert!(matches!(missing, RpcError::Status { .. }), "{missing:?}");

        assert!(db_admin.authenticated().await.unwrap());
        let mut users = db_admin.list_users().await.unwrap();
        users.sort();
        assert_eq!(users, ["db_admin", "root"], "the admin role took effect");

        drop(milvus);
        let error = root.authenticated().await.unwrap_err();
        assert!(error.is_connection(), "{error:?}");
    }

    /// A throwaway Milvus 2.3.5 standalone with authorization on, laid out
    /// as in docs/engines/milvus.md §1 (etcd on ephemeral ports).
    mod live {
        use std::net::{Ipv4Addr, SocketAddr, TcpListener};
        use std::path::Path;
        use std::process::{Child, Command, Stdio};
        use std::time::{Duration, Instant};

        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;

        /// Milvus binds B..=B+8 on the wildcard address.
        const PORTS: u16 = 9;

        pub struct Milvus {
            child: Child,
            base: u16,
            dir: tempfile::TempDir,
        }

        impl Milvus {
            pub async fn start(bin: &Path) -> Milvus {
                let bin = if bin.is_file() { bin.parent().unwrap().to_path_buf() } else { bin.to_path_buf() };
                assert!(bin.join("milvus").is_file(), "no milvus binary in {}", bin.display());
                let base = port_base();
                let dir = tempfile::Builder::new().prefix("strato-milvus-rpc-").tempdir().unwrap();
                let d = dir.path();
                write_config(d, base);
                let stdout = std::fs::File::create(d.join("logs/stdout.log")).unwrap();
                let stderr = std::fs::File::create(d.join("logs/stderr.log")).unwrap();
                // Milvus turns every environment variable into a config key: start from nothing.
                // `ulimit -c 0`: every SIGTERM stop of 2.3.5 ends in SIGABRT.
                let mut command = Command::new("/bin/sh");
                command
                    .args(["-c", "ulimit -c 0; exec \"$0\" run standalone -alias \"$1\""])
                    .arg(bin.join("milvus"))
                    .arg(format!("strato-rpc-test-{}", std::process::id()))
                    .current_dir(d)
                    .env_clear()
                    .env("PATH", "/usr/bin:/bin")
                    .env("HOME", d)
                    .env("LD_LIBRARY_PATH", &bin)
                    .env("MILVUSCONF", d.join("configs"))
                    .env("METRICS_PORT", (base + 2).to_string())
                    .stdin(Stdio::null())
                    .stdout(stdout)
                    .stderr(stderr);
                std::os::unix::process::CommandExt::process_group(&mut command, 0);
                // SAFETY: prctl(2) is async-signal-safe. If the test binary is
                // killed, Milvus goes with it instead of holding the ports.
                unsafe {
                    std::os::unix::process::CommandExt::pre_exec(&mut command, || {
                        nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(std::io::Error::from)
                    });
                }
                let child = command.spawn().unwrap();
                let mut milvus = Milvus { child, base, dir };
                milvus.wait_healthy().await;
                milvus
            }

            pub fn grpc_addr(&self) -> SocketAddr {
                SocketAddr::from((Ipv4Addr::LOCALHOST, self.base))
            }

            async fn wait_healthy(&mut self) {
                let url = format!("http://127.0.0.1:{}/healthz", self.base + 2);
                let client = reqwest::Client::builder().timeout(Duration::from_secs(1)).build().unwrap();
                let started = Instant::now();
                loop {
                    if let Some(status) = self.child.try_wait().unwrap() {
                        panic!("milvus exited early ({status}); logs in {}", self.dir.path().display());
                    }
                    if let Ok(response) = client.get(&url).send().await {
                        if response.status().is_success() && response.text().await.unwrap_or_default() == "OK" {
                            eprintln!("milvus healthy after {:?} on port base {}", started.elapsed(), self.base);
                            return;
                        }
                    }
                    assert!(started.elapsed() < Duration::from_secs(60), "milvus not healthy within 60 s");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }

        impl Drop for Milvus {
            /// SIGTERM, SIGKILL after 10 s; runs when the test fails too.
            /// Blocking here is fine only because the test runtime has other
            /// workers: Milvus's SIGTERM waits for connected gRPC clients to
            /// hang up, and their connection tasks must keep running for that.
            fn drop(&mut self) {
                let started = Instant::now();
                let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM);
                let mut status = None;
                while status.is_none() && started.elapsed() < Duration::from_secs(10) {
                    match self.child.try_wait() {
                        Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                        Ok(Some(exit)) => status = Some(exit),
                        Err(_) => break,
                    }
                }
                if status.is_none() {
                    eprintln!("milvus still running 10 s after SIGTERM: SIGKILL");
                    let _ = self.child.kill();
                    status = self.child.wait().ok();
                }
                // 2.3.5 ends even a clean stop with SIGABRT (docs/engines/milvus.md §4).
                eprintln!("milvus stopped after {:?} ({status:?})", started.elapsed());
                if std::thread::panicking() {
                    let stderr = std::fs::read_to_string(self.dir.path().join("logs/stderr.log")).unwrap_or_default();
                    let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
                    eprintln!("milvus stderr (last lines, newest first):\n{}", tail.join("\n"));
                }
            }
        }

        fn port_base() -> u16 {
            if let Ok(base) = std::env::var("STRATO_MILVUS_PORT_BASE") {
                let base: u16 = base.parse().expect("STRATO_MILVUS_PORT_BASE is a port number");
                assert!(ports_free(base), "ports {base}..{} are not all free", base + PORTS - 1);
                return base;
            }
            (20600..21000).step_by(20).find(|&base| ports_free(base)).expect("no free block of ports from 20600")
        }

        fn ports_free(base: u16) -> bool {
            (base..base + PORTS).all(|port| TcpListener::bind((Ipv4Addr::UNSPECIFIED, port)).is_ok())
        }

        /// milvus.yaml, etcd.yaml and glog.conf as in docs/engines/milvus.md §1.
        fn write_config(dir: &Path, base: u16) {
            let d = dir.display();
            let port = |offset: u16| base + offset;
            let alias = format!("rpc{base}");
            let files: [(&str, String); 3] = [
                (
                    "etcd.yaml",
                    format!(
                        "name: {alias}
data-dir: {d}/data/etcd.data
listen-client-urls: http://127.0.0.1:0
advertise-client-urls: http://127.0.0.1:0
listen-peer-urls: http://127.0.0.1:0
initial-advertise-peer-urls: http://127.0.0.1:0
initial-cluster: {alias}=http://127.0.0.1:0
initial-cluster-token: milvus-{alias}
initial-cluster-state: new
log-outputs: [{d}/logs/etcd.log]
log-level: info
heartbeat-interval: 50
election-timeout: 300
"
                    ),
                ),
                (
                    "milvus.yaml",
                    format!(
                        "etcd:
  endpoints: 127.0.0.1:{etcd}
  rootPath: by-dev
  use:
    embed: true
  config:
    path: {d}/configs/etcd.yaml
  data:
    dir: {d}/data/etcd.data
  log:
    level: info
    path: {d}/logs/etcd.log
metastore:
  type: etcd
localStorage:
  path: {d}/data
mq:
  type: rocksmq
rocksmq:
  path: {d}/data/rocksmq
natsmq:
  server:
    port: {nats}
    storeDir: {d}/data/natsmq
rootCoord:
  ip: 127.0.0.1
  port: {root}
proxy:
  ip: 127.0.0.1
  port: {proxy}
  internalPort: {proxy_internal}
  http:
    enabled: true
queryCoord:
  ip: 127.0.0.1
  port: {query_coord}
queryNode:
  ip: 127.0.0.1
  port: {query_node}
  gracefulStopTimeout: 1
  scheduler:
    maxReadConcurrentRatio: 1
indexCoord:
  bindIndexNodeMode:
    address: 127.0.0.1:{index_coord}
indexNode:
  ip: 127.0.0.1
  port: {index_node}
dataCoord:
  ip: 127.0.0.1
  port: {data_coord}
dataNode:
  ip: 127.0.0.1
  port: {data_node}
log:
  level: info
  file:
    rootPath: {d}/logs
    maxSize: 100
    maxAge: 3
    maxBackups: 3
  format: text
  stdout: false
common:
  storageType: local
  gracefulStopTimeout: 1
  session:
    ttl: 5
  security:
    authorizationEnabled: true
grpc:
  client:
    initialBackoff: 0.05
    maxBackoff: 0.3
quotaAndLimits:
  enabled: true
",
                        etcd = port(9),
                        nats = port(12),
                        root = port(3),
                        proxy = port(0),
                        proxy_internal = port(1),
                        query_coord = port(5),
                        query_node = port(7),
                        index_coord = port(11),
                        index_node = port(8),
                        data_coord = port(4),
                        data_node = port(6),
                    ),
                ),
                (
                    "glog.conf",
                    format!(
                        "--logtostdout=false
--logtostderr=false
--alsologtostderr=false
--minloglevel=0
--log_dir={d}/logs/
--max_log_size=200
--stop_logging_if_full_disk=true
"
                    ),
                ),
            ];
            for sub in ["configs", "logs", "data"] {
                std::fs::create_dir_all(dir.join(sub)).unwrap();
            }
            for (name, text) in files {
                std::fs::write(dir.join("configs").join(name), text).unwrap();
            }
        }
    }
}
