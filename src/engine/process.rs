//! OS process helpers shared by engine drivers: who engine processes run as,
//! liveness checks that guard against PID reuse, signal escalation, and
//! `Daemon` (spawn a server, record its pid, wait until it is ready, adopt
//! it again after a restart of strato, stop it with its process group).

use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::{Pid, Uid, User};
use tokio::process::Command;

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

/// A helper that forks children of its own (pg_basebackup's WAL streamer):
/// it runs in its own process group, and when the step that started it ends
/// (done, failed or cancelled) every process of that group still carrying one
/// of `names` is killed. `die_with_parent` reaches only the group's leader,
/// so after a kill -9 of strato its children are stopped by
/// [`kill_helpers_under`] when strato starts again.
pub struct HelperGroup {
    leader: i32,
    names: &'static [&'static str],
}

impl HelperGroup {
    /// Puts the command about to be spawned in a group of its own.
    pub fn prepare(cmd: &mut Command) {
        cmd.process_group(0);
    }

    pub fn new(leader: Option<u32>, names: &'static [&'static str]) -> HelperGroup {
        HelperGroup { leader: leader.map(|p| p as i32).unwrap_or(0), names }
    }
}

impl Drop for HelperGroup {
    fn drop(&mut self) {
        if self.leader <= 1 {
            return;
        }
        // Only processes still in the group and still named as the helper: a recycled
        // group id never gets a signal meant for the helper.
        for pid in proc_pids() {
            if process_group(pid) == Some(self.leader) && comm_is(pid, self.names) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
    }
}

/// Every process id in /proc.
fn proc_pids() -> Vec<i32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .collect()
}

/// Kills every process named one of `names` whose command line names `dir`
/// or a path below it (helpers a crashed strato left writing there), and
/// waits up to 2 s for them to go. Returns how many there were.
pub async fn kill_helpers_under(names: &[&str], dir: &Path) -> usize {
    let dirs = vec![dir.to_string_lossy().trim_end_matches('/').to_string()];
    let me = std::process::id() as i32;
    let found: Vec<i32> = proc_pids().into_iter().filter(|p| *p != me && comm_is(*p, names) && args_name(*p, &dirs)).collect();
    for pid in &found {
        let _ = kill(Pid::from_raw(*pid), Signal::SIGKILL);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while found.iter().any(|p| running(*p)) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    found.len()
}

/// What a look at a process found. `Unknown` is strato's own failure to look
/// (out of file descriptors, say): never evidence that the process died.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Alive,
    Gone,
    Unknown,
}

/// Classifies an IO error met while looking at a process or its files: a file
/// that is not there means gone; anything else means strato could not look.
pub fn looked(e: &std::io::Error) -> Liveness {
    match e.kind() {
        std::io::ErrorKind::NotFound => Liveness::Gone,
        _ if e.raw_os_error() == Some(nix::libc::ESRCH) => Liveness::Gone,
        _ => Liveness::Unknown,
    }
}

/// Whether `pid` is a live (non-zombie) process whose working directory is
/// `cwd`. PostgreSQL's postmaster chdirs into its data directory, which makes
/// this a cheap guard against a recycled PID.
pub fn liveness_in(pid: i32, cwd: &Path) -> Liveness {
    if pid <= 0 {
        return Liveness::Gone;
    }
    match kill(Pid::from_raw(pid), None) {
        Ok(()) | Err(nix::errno::Errno::EPERM) => {}
        Err(nix::errno::Errno::ESRCH) => return Liveness::Gone,
        Err(_) => return Liveness::Unknown,
    }
    let stat = match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s,
        Err(e) => return looked(&e),
    };
    if has_exited(pid, &stat) {
        return Liveness::Gone;
    }
    match (std::fs::read_link(format!("/proc/{pid}/cwd")), std::fs::canonicalize(cwd)) {
        (Ok(actual), Ok(expected)) if actual == expected => Liveness::Alive,
        (Ok(_), Ok(_)) => Liveness::Gone,
        (Err(e), _) | (_, Err(e)) => looked(&e),
    }
}

/// True if `pid` is a live (non-zombie) process whose working directory is `cwd`.
pub fn alive_in(pid: i32, cwd: &Path) -> bool {
    liveness_in(pid, cwd) == Liveness::Alive
}

/// Sends `first`, waits up to `grace`, then escalates through SIGQUIT and
/// SIGKILL. Returns once the process is gone.
pub async fn terminate(pid: i32, cwd: &Path, first: Signal, grace: Duration) {
    let target = Pid::from_raw(pid);
    escalate(
        first,
        grace,
        |signal| {
            let _ = kill(target, signal);
        },
        || alive_in(pid, cwd),
    )
    .await
}

/// Sends `first` through `send`, waits up to `grace` for `alive` to turn
/// false, then escalates through SIGQUIT and SIGKILL.
async fn escalate(first: Signal, grace: Duration, send: impl Fn(Signal), alive: impl Fn() -> bool) {
    for (signal, wait) in [(first, grace), (Signal::SIGQUIT, Duration::from_secs(5)), (Signal::SIGKILL, Duration::from_secs(5))] {
        if !alive() {
            return;
        }
        send(signal);
        let deadline = tokio::time::Instant::now() + wait;
        while tokio::time::Instant::now() < deadline {
            if !alive() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// True if `pid` is a process that has not exited (not a zombie).
fn running(pid: i32) -> bool {
    if pid <= 0 || kill(Pid::from_raw(pid), None).is_err() {
        return false;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !has_exited(pid, &stat)
}

/// Whether the process whose `/proc/PID/stat` reads `stat` has exited. A
/// killed multi-threaded daemon's leader turns zombie before its other
/// threads are gone, and its sockets stay open until the last one is: such a
/// process is still exiting, not exited.
fn has_exited(pid: i32, stat: &str) -> bool {
    // Field 3, after the parenthesised command name, is the state.
    match stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next()) {
        None | Some('X') => true,
        Some('Z') => threads_left(pid) <= 1,
        Some(_) => false,
    }
}

/// Threads still listed under `/proc/PID/task` (the zombie leader counts one).
fn threads_left(pid: i32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).map(|d| d.count()).unwrap_or(0)
}

/// Sends `signal` to `pid`'s process group if it leads its own (an engine
/// daemon and its workers), else to `pid` alone; never to strato's group.
pub fn signal_engine(pid: i32, signal: Signal) -> nix::Result<()> {
    let own_group = nix::unistd::getpgrp().as_raw();
    match process_group(pid).filter(|g| *g == pid && *g != own_group) {
        Some(g) => nix::sys::signal::killpg(Pid::from_raw(g), signal),
        None => kill(Pid::from_raw(pid), signal),
    }
}

/// The process group of `pid` (field 5 of /proc/PID/stat).
fn process_group(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(") ")?;
    rest.split_whitespace().nth(2)?.parse().ok()
}

/// True if some argument of `pid`'s command line names `dir` or a path below it.
fn args_name(pid: i32, dirs: &[String]) -> bool {
    let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else { return false };
    raw.split(|b| *b == 0).any(|arg| {
        let arg = String::from_utf8_lossy(arg);
        dirs.iter().any(|d| names_path(&arg, d))
    })
}

/// True if `arg` contains `dir` as a whole path: followed by `/` or the end
/// (so `node-1` does not match inside `node-10`).
fn names_path(arg: &str, dir: &str) -> bool {
    !dir.is_empty()
        && arg.match_indices(dir).any(|(i, _)| matches!(arg[i + dir.len()..].chars().next(), None | Some('/')))
}

/// Why a server did not come up.
#[derive(Debug)]
pub enum StartFailure {
    Spawn(std::io::Error),
    Exited(std::process::ExitStatus),
    NotReady,
}

/// A long-running engine server strato starts in a node directory and
/// re-adopts after its own restart: by the pid file strato wrote there, or
/// (after a crash between spawning and writing it) by scanning /proc.
///
/// A process belongs to the directory if it is its working directory or,
/// with `by_args`, if its command line names the directory and its name is
/// one of `names`: launch scripts such as OpenSearch's `cd` into the
/// distribution's home before they exec the JVM, so only their arguments
/// (`-Dopensearch.path.conf=DIR/config`) still tell members of one home apart.
pub struct Daemon<'a> {
    pub dir: &'a Path,
    pub pid_file: PathBuf,
    /// `comm` names the /proc scan (and a match by arguments) accepts.
    pub names: &'a [&'a str],
    pub by_args: bool,
}

impl Daemon<'_> {
    /// True if `pid` is a live process of this directory.
    pub fn owns(&self, pid: i32) -> bool {
        if alive_in(pid, self.dir) {
            return true;
        }
        if !self.by_args || !running(pid) {
            return false;
        }
        let mut dirs = vec![self.dir.to_string_lossy().trim_end_matches('/').to_string()];
        if let Ok(c) = std::fs::canonicalize(self.dir) {
            let c = c.to_string_lossy().to_string();
            if !dirs.contains(&c) {
                dirs.push(c);
            }
        }
        // Arguments are a weaker mark than the cwd (a `tail -f DIR/logs/...` names it
        // too): the process must also have one of the server's names.
        args_name(pid, &dirs) && comm_is(pid, self.names)
    }

    /// The server's pid: the recorded one if it still runs here, else any
    /// process of this directory with one of `names`.
    pub fn find_pid(&self) -> Option<i32> {
        match self.look() {
            Ok(Some(pid)) => Some(pid),
            _ => self.scan(),
        }
    }

    /// The running server, adopted: if a crash kept its pid file from being
    /// written (strato died between spawn and record), it is recorded now, so
    /// that observation (which reads only the pid file) sees it too.
    pub fn adopt(&self) -> Option<i32> {
        let pid = self.find_pid()?;
        if !matches!(self.look(), Ok(Some(p)) if p == pid) {
            self.record(pid);
        }
        Some(pid)
    }

    /// Writes `pid` to the pid file atomically (never a half-written file).
    fn record(&self, pid: i32) {
        let tmp = self.pid_file.with_extension("pid.tmp");
        if std::fs::write(&tmp, pid.to_string()).is_ok() {
            let _ = std::fs::rename(&tmp, &self.pid_file);
        }
    }

    /// Any process of this directory with one of `names`, the oldest first (a
    /// launcher before the children it started).
    fn scan(&self) -> Option<i32> {
        let mut pids = proc_pids();
        pids.sort_unstable();
        // The name first: one small read filters out nearly every process.
        pids.into_iter().find(|pid| comm_is(*pid, self.names) && self.owns(*pid))
    }

    /// What observation needs: the recorded server if it still runs here; if
    /// it died, any process it left in the directory (a member's second
    /// process may outlive it for a moment, holding its port). With no pid
    /// file there is nothing to scan for: strato removes it when it stops a
    /// server, so a stopped node costs one failed open (a server whose pid
    /// file a crash kept from being written is found by the job that starts or
    /// stops it, through `find_pid`). An error when strato could not look
    /// (its own IO failed), which must not be mistaken for "no process".
    pub fn look(&self) -> std::io::Result<Option<i32>> {
        let recorded = match std::fs::read_to_string(&self.pid_file) {
            Ok(t) => t.trim().parse::<i32>().ok(),
            Err(e) if looked(&e) == Liveness::Gone => None,
            Err(e) => return Err(e),
        };
        let Some(pid) = recorded else { return Ok(None) };
        match liveness_in(pid, self.dir) {
            Liveness::Unknown => Err(std::io::Error::other("could not look at the recorded process")),
            _ if self.owns(pid) => Ok(Some(pid)),
            _ => Ok(self.scan()),
        }
    }

    /// Spawns `cmd` (program, arguments, environment, user and output already
    /// set) in its own process group, so that it outlives a crash of strato,
    /// records its pid, and polls `ready` every 50 ms until it passes, the
    /// process exits or `timeout` runs out. The child is reaped in the background.
    pub async fn spawn<F, Fut>(&self, mut cmd: Command, timeout: Duration, mut ready: F) -> Result<i32, StartFailure>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        cmd.process_group(0);
        let mut child = cmd.spawn().map_err(StartFailure::Spawn)?;
        let pid = child.id().map(|p| p as i32).unwrap_or_default();
        if pid > 0 {
            self.record(pid);
        }
        let deadline = tokio::time::Instant::now() + timeout;
        let outcome = loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if let Ok(Some(status)) = child.try_wait() {
                break Err(StartFailure::Exited(status));
            }
            if ready().await {
                break Ok(pid);
            }
            if tokio::time::Instant::now() >= deadline {
                break Err(StartFailure::NotReady);
            }
        };
        // Reap it whenever it exits so it never lingers as a zombie.
        tokio::spawn(async move {
            let _ = child.wait().await;
        });
        outcome
    }

    /// Stops the server `pid` and everything in its process group (a launch
    /// script's JVM, a launcher's server child): `first`, then SIGQUIT and
    /// SIGKILL as in `terminate`; stragglers of the group that still belong
    /// to this directory get SIGKILL at the end.
    pub async fn stop(&self, pid: i32, first: Signal, grace: Duration) {
        let own_group = nix::unistd::getpgrp().as_raw();
        let group = process_group(pid).filter(|g| *g > 1 && *g != own_group);
        let send = |signal| {
            let _ = match group {
                Some(g) => nix::sys::signal::killpg(Pid::from_raw(g), signal),
                None => kill(Pid::from_raw(pid), signal),
            };
        };
        escalate(first, grace, send, || self.owns(pid)).await;
        let Some(group) = group else { return };
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(p) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
            if process_group(p) == Some(group) && self.owns(p) {
                let _ = kill(Pid::from_raw(p), Signal::SIGKILL);
            }
        }
    }
}

/// True if `pid`'s command name (/proc/PID/comm) is one of `names`.
pub fn comm_is(pid: i32, names: &[&str]) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| names.contains(&c.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_named_only_as_a_whole() {
        assert!(names_path("-Dopensearch.path.conf=/d/clusters/x/node-1/config", "/d/clusters/x/node-1"));
        assert!(names_path("/d/clusters/x/node-1", "/d/clusters/x/node-1"));
        assert!(!names_path("-Dopensearch.path.conf=/d/clusters/x/node-10/config", "/d/clusters/x/node-1"));
        assert!(!names_path("/d/clusters/x/node-1.tmp", "/d/clusters/x/node-1"));
        assert!(!names_path("anything", ""));
    }

    #[test]
    fn a_zombie_leader_whose_threads_still_run_has_not_exited() {
        // The leader thread leaves with pthread_exit while another keeps running: /proc shows the
        // process as a zombie, yet it still holds its files (and sockets) until that thread ends.
        let script = "import ctypes, threading, time\n\
                      threading.Thread(target=time.sleep, args=(0.6,)).start()\n\
                      ctypes.CDLL(None).pthread_exit(None)\n";
        let Ok(mut child) = std::process::Command::new("python3").args(["-c", script]).spawn() else { return };
        let pid = child.id() as i32;
        let stat = || std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = |s: &str| s.rsplit_once(") ").and_then(|(_, r)| r.chars().next());
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while state(&stat()) != Some('Z') {
            assert!(std::time::Instant::now() < deadline, "the leader never turned zombie");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(threads_left(pid), 2, "the other thread sleeps on");
        assert!(!has_exited(pid, &stat()) && running(pid), "a zombie leader with live threads counts as exited");
        while threads_left(pid) > 1 {
            assert!(std::time::Instant::now() < deadline, "the other thread never ended");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(has_exited(pid, &stat()) && !running(pid));
        child.wait().unwrap();
    }

    #[tokio::test]
    async fn a_daemon_is_found_by_pid_file_cwd_or_arguments_and_stopped_with_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let node = dir.path().join("node-1");
        std::fs::create_dir(&node).unwrap();
        let other = dir.path().join("node-10");
        std::fs::create_dir(&other).unwrap();
        // A "launch script" that cds away (like bin/opensearch) and execs a server naming the
        // node dir in its arguments, which starts a child of its own (like Elasticsearch 8).
        let script = format!(
            "cd / && sh -c 'sleep 300; :' child {0}/marker & cd / && exec sh -c 'sleep 301; :' server {0}/config",
            node.display()
        );
        let d = Daemon { dir: &node, pid_file: node.join("strato.pid"), names: &["sh"], by_args: true };
        let mut cmd = Command::new("sh");
        cmd.args(["-c", &script]).current_dir(&other);
        let pid = d.spawn(cmd, Duration::from_secs(5), || async { true }).await.unwrap();
        assert!(d.owns(pid), "found by its arguments although its cwd is /");
        assert_eq!(d.find_pid(), Some(pid));
        std::fs::remove_file(&d.pid_file).unwrap();
        let scanned = d.find_pid().expect("found by the /proc scan");
        assert_eq!(process_group(scanned), Some(pid));
        // Observation reads only the pid file: a server a crash left unrecorded is invisible to it
        // until a start adopts it, which records it.
        assert_eq!(d.look().unwrap(), None);
        assert_eq!(d.adopt(), Some(scanned));
        assert_eq!(d.look().unwrap(), Some(scanned));
        // The neighbour directory owns nothing of it.
        let n = Daemon { dir: &other, pid_file: other.join("strato.pid"), names: &["sh"], by_args: true };
        assert_eq!(n.find_pid(), None);
        let without_args = Daemon { by_args: false, ..d };
        assert!(!without_args.owns(pid));
        let d = Daemon { by_args: true, ..without_args };
        d.stop(pid, Signal::SIGTERM, Duration::from_secs(5)).await;
        assert!(!d.owns(pid));
        assert_eq!(d.find_pid(), None, "the whole group is gone");
    }
}
