//! `logstash:HOME` — members of a real Logstash distribution (tar.gz layout:
//! HOME/bin/logstash, HOME/config/{logstash.yml,jvm.options,log4j2.properties,
//! pipelines.yml}, HOME/versions.yml).
//!
//! NOT EXERCISED ON THIS MACHINE (no registry reachable here carries the
//! distribution): written from the Logstash reference documentation; the
//! unit tests check the files it renders.
//!
//! Each member has a settings directory of its own (`config/`, a copy of
//! HOME/config) with a logstash.yml binding the node API to the member's
//! address and port, its data and logs in the member directory, and one
//! pipeline: a `tcp` input on port + 1 (line codec) writing every event to
//! `output/events.log` in the member directory. It runs
//! `HOME/bin/logstash --path.settings <member>/config`.
//!
//! Logstash 7.16 renamed `http.host`/`http.port` to `api.http.host`/
//! `api.http.port`; older versions reject the new names (and 9.x the old),
//! so the version in HOME/versions.yml decides.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::distro::{self, quote, Version};
use super::{Launch, Launcher, Member, Peers};
use crate::core::pipeline::Pipeline;
use crate::engine::probe;

/// The pipeline's TCP input listens on the member's port + 1.
pub const INPUT_OFFSET: u16 = 1;
/// User pipelines' files in `pipeline/` (strato's own is `main.conf`).
const USER_PREFIX: &str = "user-";

fn user_file(p: &Pipeline) -> String {
    format!("{USER_PREFIX}{}.conf", p.id)
}

pub struct Logstash {
    home: PathBuf,
}

impl Logstash {
    pub fn new(home: PathBuf) -> Logstash {
        Logstash { home }
    }

    /// `logstash: X.Y.Z` from HOME/versions.yml (or its copy in logstash-core).
    fn version(&self) -> Option<Version> {
        ["versions.yml", "logstash-core/versions-gem-copy.yml"].iter().find_map(|f| {
            let text = std::fs::read_to_string(self.home.join(f)).ok()?;
            text.lines().find_map(|l| Version::parse(l.trim().strip_prefix("logstash:")?.trim().trim_matches(['"', '\''])))
        })
    }

    pub fn logstash_yml(member: &Member, version: Option<Version>) -> String {
        let api = if version.is_some_and(|v| v < Version(7, 16, 0)) { "http" } else { "api.http" };
        let d = member.dir.display();
        let mut y = String::new();
        let _ = writeln!(y, "# Managed by strato: member {} of cluster {}.", member.ordinal, member.cluster);
        let _ = writeln!(y, "node.name: {}", quote(&member.name));
        let _ = writeln!(y, "path.data: {}", quote(&format!("{d}/data")));
        let _ = writeln!(y, "path.logs: {}", quote(&format!("{d}/logs")));
        let _ = writeln!(y, "pipeline.workers: 1");
        let _ = writeln!(y, "{api}.host: {}", quote(&member.address.to_string()));
        let _ = writeln!(y, "{api}.port: {}", member.port);
        y
    }

    /// strato's own `main` pipeline, then each deployed user pipeline with
    /// the settings it was given (others are Logstash's defaults).
    pub fn pipelines_yml(member: &Member, pipelines: &[Pipeline]) -> String {
        let mut y = format!(
            "# Managed by strato.\n- pipeline.id: main\n  path.config: {}\n",
            quote(&format!("{}/pipeline/main.conf", member.dir.display()))
        );
        for p in pipelines {
            let _ = writeln!(y, "- pipeline.id: {}", quote(&p.id));
            let _ = writeln!(y, "  path.config: {}", quote(&format!("{}/pipeline/{}", member.dir.display(), user_file(p))));
            let settings = [
                ("pipeline.workers", p.workers.map(|v| v.to_string())),
                ("pipeline.batch.size", p.batch_size.map(|v| v.to_string())),
                ("pipeline.batch.delay", p.batch_delay.map(|v| v.to_string())),
                ("queue.type", p.queue_type.map(|q| q.logstash().to_string())),
                ("queue.max_bytes", p.queue_max_bytes.map(|v| format!("{v}mb"))),
                ("queue.checkpoint.writes", p.queue_checkpoint_writes.map(|v| v.to_string())),
            ];
            for (k, v) in settings {
                if let Some(v) = v {
                    let _ = writeln!(y, "  {k}: {v}");
                }
            }
        }
        y
    }

    /// Writes each user pipeline's configuration, removing those no longer deployed.
    fn write_user_pipelines(dir: &Path, pipelines: &[Pipeline]) -> std::io::Result<()> {
        for e in std::fs::read_dir(dir)?.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with(USER_PREFIX) && !pipelines.iter().any(|p| user_file(p) == name) {
                std::fs::remove_file(e.path())?;
            }
        }
        for p in pipelines {
            std::fs::write(dir.join(user_file(p)), &p.config)?;
        }
        Ok(())
    }

    pub fn pipeline(member: &Member) -> std::io::Result<String> {
        let input = member
            .port_plus(INPUT_OFFSET)
            .ok_or_else(|| std::io::Error::other(format!("port {} leaves no room for the pipeline input", member.port)))?;
        let out = format!("{}/output/events.log", member.dir.display());
        Ok(format!(
            "# Managed by strato: lines sent to {addr}:{input} are written to {out}.\n\
             input {{\n  tcp {{\n    host => {host}\n    port => {input}\n  }}\n}}\n\
             output {{\n  file {{\n    path => {path}\n  }}\n}}\n",
            addr = member.address,
            host = quote(&member.address.to_string()),
            path = quote(&out),
        ))
    }
}

impl Launcher for Logstash {
    fn driver(&self) -> &'static str {
        "logstash"
    }
    fn path(&self) -> &Path {
        &self.home
    }
    fn program(&self) -> PathBuf {
        self.home.join("bin/logstash")
    }
    fn install_hint(&self) -> String {
        format!(
            "download the Logstash tar.gz distribution (logstash-<version>-linux-x86_64.tar.gz) and unpack it so that \
             {}/bin/logstash exists (readable by the engine user), or bind the datastore to another home",
            self.home.display()
        )
    }
    fn process_names(&self) -> &'static [&'static str] {
        &["java", "logstash"]
    }
    fn start_timeout(&self) -> Duration {
        Duration::from_secs(180)
    }
    fn extra_ports(&self, member: &Member) -> Vec<u16> {
        member.port_plus(INPUT_OFFSET).into_iter().collect()
    }
    fn write_files(&self, into: &Path, member: &Member, peers: &Peers) -> std::io::Result<()> {
        distro::member_config(&self.home, into, member)?;
        for sub in ["pipeline", "output"] {
            std::fs::create_dir_all(into.join(sub))?;
        }
        let pipelines = &peers.settings.pipelines;
        std::fs::write(into.join("config/logstash.yml"), Self::logstash_yml(member, self.version()))?;
        std::fs::write(into.join("config/pipelines.yml"), Self::pipelines_yml(member, pipelines))?;
        std::fs::write(into.join("pipeline/main.conf"), Self::pipeline(member)?)?;
        Self::write_user_pipelines(&into.join("pipeline"), pipelines)
    }
    fn runs_pipelines(&self) -> bool {
        true
    }
    fn command(&self, member: &Member) -> Launch {
        let d = member.dir.display();
        Launch {
            program: self.program(),
            args: vec!["--path.settings".into(), format!("{d}/config").into()],
            env: vec![
                ("LS_JAVA_OPTS".into(), format!("{} -Djava.io.tmpdir={d}/tmp", distro::HEAP)),
                // Else the script prefers /etc/logstash/jvm.options or HOME's.
                ("LS_JVM_OPTS".into(), format!("{d}/config/jvm.options")),
            ],
        }
    }
    fn serving(&self, member: &Member) -> bool {
        probe::get(member.address, member.port, "/").is_some()
    }
    /// The node API answers `GET /` with 200.
    fn ready(&self, member: &Member) -> bool {
        probe::get(member.address, member.port, "/").is_some_and(|r| r.status == 200)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::service::distro::tests::{fake_home, member};
    use crate::engine::service::MemberSettings;

    #[test]
    fn a_member_has_its_settings_dir_and_a_tcp_pipeline() {
        let home = fake_home("logstash-core.jar", "-Xms1g\n-Xmx1g\n");
        std::fs::write(home.path().join("versions.yml"), "---\nlogstash: 8.5.0\nlogstash-core: 8.5.0\n").unwrap();
        let ls = Logstash::new(home.path().to_path_buf());
        assert_eq!(ls.version(), Some(Version(8, 5, 0)));
        let stage = tempfile::tempdir().unwrap();
        let m = Member { port: 9600, ..member(0) };
        ls.write_files(stage.path(), &m, &Peers::default()).unwrap();
        let y = std::fs::read_to_string(stage.path().join("config/logstash.yml")).unwrap();
        assert_eq!(
            y,
            "# Managed by strato: member 0 of cluster strato-0123456789ab.\n\
             node.name: \"strato-0123456789ab-0\"\n\
             path.data: \"/var/lib/strato/clusters/c/node-0/data\"\n\
             path.logs: \"/var/lib/strato/clusters/c/node-0/logs\"\n\
             pipeline.workers: 1\n\
             api.http.host: \"127.77.0.1\"\n\
             api.http.port: 9600\n"
        );
        let p = std::fs::read_to_string(stage.path().join("config/pipelines.yml")).unwrap();
        assert!(p.contains("- pipeline.id: main\n  path.config: \"/var/lib/strato/clusters/c/node-0/pipeline/main.conf\"\n"), "{p}");
        let conf = std::fs::read_to_string(stage.path().join("pipeline/main.conf")).unwrap();
        assert!(conf.contains("tcp {\n    host => \"127.77.0.1\"\n    port => 9601\n  }"), "{conf}");
        assert!(conf.contains("file {\n    path => \"/var/lib/strato/clusters/c/node-0/output/events.log\"\n  }"), "{conf}");
        assert!(stage.path().join("output").is_dir() && stage.path().join("config/log4j2.properties").exists());
        let launch = ls.command(&m);
        assert_eq!(launch.program, home.path().join("bin/logstash"));
        assert_eq!(launch.args, vec!["--path.settings", "/var/lib/strato/clusters/c/node-0/config"]);
        assert_eq!(launch.env[0].1, "-Xms512m -Xmx512m -Djava.io.tmpdir=/var/lib/strato/clusters/c/node-0/tmp");
        assert_eq!(launch.env[1], ("LS_JVM_OPTS".into(), "/var/lib/strato/clusters/c/node-0/config/jvm.options".into()));
        assert_eq!(ls.extra_ports(&m), vec![9601]);
    }

    #[test]
    fn deployed_pipelines_are_listed_with_their_settings_and_stale_ones_removed() {
        use crate::core::pipeline::QueueType;
        let home = fake_home("logstash-core.jar", "-Xms1g\n-Xmx1g\n");
        let ls = Logstash::new(home.path().to_path_buf());
        let stage = tempfile::tempdir().unwrap();
        let m = Member { port: 9600, ..member(0) };
        let p = |id: &str| Pipeline {
            id: id.into(),
            description: String::new(),
            config: format!("input {{ generator {{ message => \"{id}\" }} }}"),
            workers: Some(2),
            batch_size: None,
            batch_delay: None,
            queue_type: Some(QueueType::Persisted),
            queue_max_bytes: Some(1024),
            queue_checkpoint_writes: None,
            deployed: true,
            created_at: 0,
            updated_at: 0,
        };
        let peers = |ps: Vec<Pipeline>| Peers { settings: MemberSettings { pipelines: ps, ..MemberSettings::default() }, ..Peers::default() };
        ls.write_files(stage.path(), &m, &peers(vec![p("ingest"), p("audit")])).unwrap();
        let y = std::fs::read_to_string(stage.path().join("config/pipelines.yml")).unwrap();
        assert!(
            y.contains("- pipeline.id: \"ingest\"\n  path.config: \"/var/lib/strato/clusters/c/node-0/pipeline/user-ingest.conf\"\n  pipeline.workers: 2\n  queue.type: persisted\n  queue.max_bytes: 1024mb\n"),
            "{y}"
        );
        assert!(stage.path().join("pipeline/user-audit.conf").exists());
        // Redeployed without `audit`: its file goes, main stays.
        ls.write_files(stage.path(), &m, &peers(vec![p("ingest")])).unwrap();
        assert!(!stage.path().join("pipeline/user-audit.conf").exists() && stage.path().join("pipeline/main.conf").exists());
        assert!(std::fs::read_to_string(stage.path().join("pipeline/user-ingest.conf")).unwrap().contains("generator"));
    }

    #[test]
    fn before_seven_sixteen_the_api_settings_have_their_old_names() {
        let m = Member { port: 9600, ..member(1) };
        let old = Logstash::logstash_yml(&m, Some(Version(7, 10, 0)));
        assert!(old.contains("\nhttp.host: \"127.77.0.2\"\nhttp.port: 9600\n") && !old.contains("api."), "{old}");
        let new = Logstash::logstash_yml(&m, Some(Version(7, 16, 0)));
        assert!(new.contains("\napi.http.host: \"127.77.0.2\"\napi.http.port: 9600\n"), "{new}");
        assert!(Logstash::logstash_yml(&m, None).contains("api.http.port"));
        assert!(Logstash::pipeline(&Member { port: u16::MAX, ..m }).is_err());
    }
}
