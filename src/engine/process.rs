//! OS process helpers shared by engine drivers: who engine processes run as,
//! liveness checks that guard against PID reuse, and signal escalation.

use std::path::Path;
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::{Pid, Uid, User};

/// The OS identity engine processes run as. PostgreSQL refuses to run as
/// root, so when strato is root the engine runs as an unprivileged user.
#[derive(Debug, Clone)]
pub struct RunAs {
    pub uid: u32,
    pub gid: u32,
    pub name: String,
    /// Whether strato must switch to this user (it is root) or already is it.
    pub switch: bool,
}

impl RunAs {
    /// `engine_user` is used only when strato runs as root.
    pub fn resolve(engine_user: &str) -> Result<RunAs, String> {
        let me = Uid::effective();
        if !me.is_root() {
            let user = User::from_uid(me).ok().flatten();
            return Ok(RunAs {
                uid: me.as_raw(),
                gid: nix::unistd::Gid::effective().as_raw(),
                name: user.map(|u| u.name).unwrap_or_default(),
                switch: false,
            });
        }
        match User::from_name(engine_user) {
            Ok(Some(u)) => Ok(RunAs { uid: u.uid.as_raw(), gid: u.gid.as_raw(), name: u.name, switch: true }),
            _ => Err(format!(
                "strato runs as root, and engine processes must not: the engine user `{engine_user}` does not exist \
                 (create it with `useradd --system {engine_user}` or pass --engine-user)"
            )),
        }
    }

    /// Applies the identity to a command about to be spawned.
    pub fn apply(&self, cmd: &mut tokio::process::Command) {
        if self.switch {
            cmd.uid(self.uid).gid(self.gid);
        }
    }

    /// Gives the engine user ownership of a path strato created.
    pub fn chown(&self, path: &Path) -> std::io::Result<()> {
        if self.switch {
            std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid))?;
        }
        Ok(())
    }
}

/// Makes a helper process (psql, pg_basebackup, cp, ...) die with strato:
/// after a kill -9 of strato none of them lingers as an orphan, and a
/// re-run step never races a leftover copy of itself. Engine servers do not
/// get this; they are meant to outlive strato and be re-adopted.
pub fn die_with_parent(cmd: &mut tokio::process::Command) {
    // SAFETY: the closure only calls prctl(2), which is async-signal-safe.
    // std runs it after the uid/gid switch, which would otherwise clear it.
    unsafe {
        cmd.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL).map_err(std::io::Error::from)
        });
    }
}

/// True if `pid` is a live (non-zombie) process whose working directory is
/// `cwd`. PostgreSQL's postmaster chdirs into its data directory, which makes
/// this a cheap guard against a recycled PID.
pub fn alive_in(pid: i32, cwd: &Path) -> bool {
    if pid <= 0 || kill(Pid::from_raw(pid), None).is_err() {
        return false;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Field 3, after the parenthesised command name, is the state.
    let state = stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next());
    if matches!(state, Some('Z') | Some('X') | None) {
        return false;
    }
    match (std::fs::read_link(format!("/proc/{pid}/cwd")), std::fs::canonicalize(cwd)) {
        (Ok(actual), Ok(expected)) => actual == expected,
        _ => false,
    }
}

/// Sends `first`, waits up to `grace`, then escalates through SIGQUIT and
/// SIGKILL. Returns once the process is gone.
pub async fn terminate(pid: i32, cwd: &Path, first: Signal, grace: Duration) {
    let target = Pid::from_raw(pid);
    for (signal, wait) in [(first, grace), (Signal::SIGQUIT, Duration::from_secs(5)), (Signal::SIGKILL, Duration::from_secs(5))] {
        if !alive_in(pid, cwd) {
            return;
        }
        let _ = kill(target, signal);
        let deadline = tokio::time::Instant::now() + wait;
        while tokio::time::Instant::now() < deadline {
            if !alive_in(pid, cwd) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
