//! `osmem:BIN` — the test stand-in for search members: the static
//! `osmem-server` binary the PyPI package `osmem-server` ships
//! (site-packages/osmem_server/bin/osmem-server), which imitates the
//! OpenSearch REST API in memory.
//!
//! Each member is an independent in-memory server: no cluster formation, no
//! persistence (a restarted member is empty). It runs as
//! `BIN -addr ADDR:PORT -no-stdin-watch` (stdin is /dev/null, and without
//! the flag it would exit when stdin closes) in the member directory.

use std::path::{Path, PathBuf};

use super::{Launch, Launcher, Member, Peers};
use crate::engine::probe;

pub struct Osmem {
    bin: PathBuf,
}

impl Osmem {
    pub fn new(bin: PathBuf) -> Osmem {
        Osmem { bin }
    }
}

impl Launcher for Osmem {
    fn driver(&self) -> &'static str {
        "osmem"
    }
    fn version(&self) -> Option<String> {
        // `osmem-server 0.1.6`
        let out = std::process::Command::new(&self.bin).arg("-version").output().ok()?;
        String::from_utf8_lossy(&out.stdout).split_whitespace().nth(1).map(str::to_string)
    }
    fn path(&self) -> &Path {
        &self.bin
    }
    fn program(&self) -> PathBuf {
        self.bin.clone()
    }
    fn install_hint(&self) -> String {
        "install it with `pip install osmem-server` (the binary lands in \
         <site-packages>/osmem_server/bin/osmem-server; scripts/install-search-engines puts it in \
         /usr/local/lib/strato/osmem-server, where the engine user can run it) and bind that path"
            .into()
    }
    fn process_names(&self) -> &'static [&'static str] {
        &["osmem-server"]
    }
    fn write_files(&self, _into: &Path, _member: &Member, _peers: &Peers) -> std::io::Result<()> {
        // Nothing to configure: address and port are arguments.
        Ok(())
    }
    fn command(&self, member: &Member) -> Launch {
        Launch {
            program: self.bin.clone(),
            args: vec!["-addr".into(), format!("{}:{}", member.address, member.port).into(), "-no-stdin-watch".into()],
            env: Vec::new(),
        }
    }
    fn ready(&self, member: &Member) -> bool {
        probe::get(member.address, member.port, "/_cluster/health").is_some_and(|r| r.status == 200)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::service::distro::tests::member;

    #[test]
    fn runs_on_the_member_address_without_watching_stdin() {
        let o = Osmem::new("/opt/osmem/osmem_server/bin/osmem-server".into());
        let l = o.command(&member(1));
        assert_eq!(l.program, PathBuf::from("/opt/osmem/osmem_server/bin/osmem-server"));
        assert_eq!(l.args, vec!["-addr", "127.77.0.2:9200", "-no-stdin-watch"]);
        assert!(l.env.is_empty());
        assert!(o.extra_ports(&member(1)).is_empty());
    }
}
