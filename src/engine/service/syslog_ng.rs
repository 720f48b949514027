//! `syslog-ng:BIN` — the test stand-in for Logstash members: a real
//! log-pipeline daemon from Debian (`apt-get install syslog-ng-core`,
//! BIN = /usr/sbin/syslog-ng; exercised with 3.38.1).
//!
//! Each member runs in the foreground, unprivileged, with every file it
//! keeps in its own directory (nothing in /var/lib/syslog-ng or /run):
//!
//! ```text
//! BIN -F --no-caps -f DIR/syslog-ng.conf -p DIR/syslog-ng.pid \
//!     -R DIR/syslog-ng.persist -c DIR/syslog-ng.ctl
//! ```
//!
//! `--no-caps`: as a non-root user it cannot manage capabilities and would
//! warn on every start. `-p`/`-R` must be absolute (relative ones resolve
//! against /var/lib/syslog-ng); `-c` resolves against the working
//! directory, the member directory, which is used when the absolute path
//! would not fit a Unix socket address. The configuration has a TCP
//! `network()` source on the member's address and port whose lines go to
//! DIR/messages.log, and syslog-ng's own warnings and errors go to
//! DIR/logs/syslog-ng.log (start-up errors are on stderr, logs/stderr.log).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::distro::quote;
use super::{Launch, Launcher, Member, Peers};
use crate::engine::probe;

/// Where a member writes the lines it receives.
pub const MESSAGES_FILE: &str = "messages.log";
/// The configuration version when the binary does not say its own.
const FALLBACK_VERSION: &str = "3.38";
/// Longest path a Unix socket address holds (sun_path less its NUL).
const MAX_SOCKET_PATH: usize = 107;

pub struct SyslogNg {
    bin: PathBuf,
    version: OnceLock<String>,
}

impl SyslogNg {
    pub fn new(bin: PathBuf) -> SyslogNg {
        SyslogNg { bin, version: OnceLock::new() }
    }

    /// `major.minor` of the binary (`syslog-ng 3 (3.38.1)`), for `@version`.
    fn config_version(&self) -> &str {
        self.version.get_or_init(|| {
            std::process::Command::new(&self.bin)
                .arg("--version")
                .output()
                .ok()
                .and_then(|o| parse_version(&String::from_utf8_lossy(&o.stdout)))
                .unwrap_or_else(|| FALLBACK_VERSION.to_string())
        })
    }

    pub fn config(member: &Member, version: &str) -> String {
        let d = member.dir.display();
        format!(
            "@version: {version}\n\
             # Managed by strato: member {ordinal} of cluster {cluster}.\n\
             # Lines sent to {addr}:{port} over TCP are written to {d}/{MESSAGES_FILE}.\n\
             source s_net {{ network(ip({ip}) port({port}) transport(\"tcp\")); }};\n\
             source s_internal {{ internal(); }};\n\
             destination d_messages {{ file({messages}); }};\n\
             destination d_internal {{ file({internal}); }};\n\
             filter f_problems {{ level(warning..emerg); }};\n\
             log {{ source(s_net); destination(d_messages); }};\n\
             log {{ source(s_internal); filter(f_problems); destination(d_internal); }};\n",
            ordinal = member.ordinal,
            cluster = member.cluster,
            addr = member.address,
            port = member.port,
            ip = quote(&member.address.to_string()),
            messages = quote(&format!("{d}/{MESSAGES_FILE}")),
            internal = quote(&format!("{d}/logs/syslog-ng.log")),
        )
    }
}

fn parse_version(text: &str) -> Option<String> {
    let first = text.lines().next()?;
    let inner = first.split_once('(')?.1.split_once(')')?.0;
    let mut parts = inner.split('.');
    let (major, minor) = (parts.next()?, parts.next()?);
    (major.parse::<u32>().is_ok() && minor.parse::<u32>().is_ok()).then(|| format!("{major}.{minor}"))
}

impl Launcher for SyslogNg {
    fn driver(&self) -> &'static str {
        "syslog-ng"
    }
    fn version(&self) -> Option<String> {
        // `syslog-ng 3 (3.38.1)`: the full version is in parentheses.
        let out = std::process::Command::new(&self.bin).arg("--version").output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text.lines().next()?;
        Some(line.split_once('(').and_then(|(_, v)| v.split_once(')')).map(|(v, _)| v).unwrap_or(line).to_string())
    }
    fn path(&self) -> &Path {
        &self.bin
    }
    fn program(&self) -> PathBuf {
        self.bin.clone()
    }
    fn install_hint(&self) -> String {
        "install syslog-ng with `apt-get install syslog-ng-core` (Debian; the binary is /usr/sbin/syslog-ng) and bind that path".into()
    }
    fn process_names(&self) -> &'static [&'static str] {
        &["syslog-ng"]
    }
    fn write_files(&self, into: &Path, member: &Member, _peers: &Peers) -> std::io::Result<()> {
        std::fs::write(into.join("syslog-ng.conf"), Self::config(member, self.config_version()))
    }
    fn command(&self, member: &Member) -> Launch {
        let d = &member.dir;
        let ctl = d.join("syslog-ng.ctl");
        let ctl = if ctl.as_os_str().len() > MAX_SOCKET_PATH { PathBuf::from("syslog-ng.ctl") } else { ctl };
        Launch {
            program: self.bin.clone(),
            args: vec![
                "-F".into(),
                "--no-caps".into(),
                "-f".into(),
                d.join("syslog-ng.conf").into(),
                "-p".into(),
                d.join("syslog-ng.pid").into(),
                "-R".into(),
                d.join("syslog-ng.persist").into(),
                "-c".into(),
                ctl.into(),
            ],
            env: Vec::new(),
        }
    }
    /// Its TCP source accepts a connection.
    fn ready(&self, member: &Member) -> bool {
        probe::connects(member.address, member.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::service::distro::tests::member;

    #[test]
    fn the_config_has_a_tcp_source_and_a_file_in_the_member_dir() {
        let m = Member { port: 9600, ..member(0) };
        assert_eq!(
            SyslogNg::config(&m, "3.38"),
            "@version: 3.38\n\
             # Managed by strato: member 0 of cluster strato-0123456789ab.\n\
             # Lines sent to 127.77.0.1:9600 over TCP are written to /var/lib/strato/clusters/c/node-0/messages.log.\n\
             source s_net { network(ip(\"127.77.0.1\") port(9600) transport(\"tcp\")); };\n\
             source s_internal { internal(); };\n\
             destination d_messages { file(\"/var/lib/strato/clusters/c/node-0/messages.log\"); };\n\
             destination d_internal { file(\"/var/lib/strato/clusters/c/node-0/logs/syslog-ng.log\"); };\n\
             filter f_problems { level(warning..emerg); };\n\
             log { source(s_net); destination(d_messages); };\n\
             log { source(s_internal); filter(f_problems); destination(d_internal); };\n"
        );
        let s = SyslogNg::new("/usr/sbin/syslog-ng".into());
        let args: Vec<String> = s.command(&m).args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        let d = "/var/lib/strato/clusters/c/node-0";
        assert_eq!(
            args,
            [
                "-F".to_string(),
                "--no-caps".into(),
                "-f".into(),
                format!("{d}/syslog-ng.conf"),
                "-p".into(),
                format!("{d}/syslog-ng.pid"),
                "-R".into(),
                format!("{d}/syslog-ng.persist"),
                "-c".into(),
                format!("{d}/syslog-ng.ctl"),
            ]
        );
        let deep = Member { dir: PathBuf::from(format!("/{}/node-0", "x".repeat(100))), ..m };
        let args = s.command(&deep).args;
        assert_eq!(args.last().unwrap(), "syslog-ng.ctl", "too long for a socket: relative to the member dir");
    }

    #[test]
    fn the_version_comes_from_the_binary() {
        let out = "syslog-ng 3 (3.38.1)\nConfig version: 3.35\nInstaller-Version: 3.38.1\n";
        assert_eq!(parse_version(out).as_deref(), Some("3.38"));
        assert_eq!(parse_version("syslog-ng 4 (4.8.1)\n").as_deref(), Some("4.8"));
        assert_eq!(parse_version("nonsense"), None);
        assert_eq!(SyslogNg::new("/nonexistent/syslog-ng".into()).config_version(), FALLBACK_VERSION);
        assert_eq!(SyslogNg::new("/nonexistent/syslog-ng".into()).version(), None);
        if std::path::Path::new("/usr/sbin/syslog-ng").exists() {
            let v = SyslogNg::new("/usr/sbin/syslog-ng".into()).version().unwrap();
            assert_eq!(v.split('.').count(), 3, "{v}");
        }
    }
}
