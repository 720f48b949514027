//! `--init-dir DIR` (LocalStack's `ready.d`): once every listener is ready,
//! the scripts in DIR run one after another in file-name order, with the
//! endpoints and bootstrap credentials in their environment. A failing script
//! is logged and the next one runs; `/_strato/info` shows how each ended.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptState {
    Pending,
    Running,
    Succeeded,
    Failed,
    TimedOut,
    /// Neither executable nor a `.sh` file.
    Skipped,
}

impl ScriptState {
    pub fn as_str(self) -> &'static str {
        match self {
            ScriptState::Pending => "pending",
            ScriptState::Running => "running",
            ScriptState::Succeeded => "succeeded",
            ScriptState::Failed => "failed",
            ScriptState::TimedOut => "timed_out",
            ScriptState::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ScriptRun {
    pub name: String,
    pub state: ScriptState,
    pub exit_code: Option<i32>,
    pub duration_ms: Option<u64>,
}

/// How the init directory's run goes, for `/_strato/info`.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub dir: PathBuf,
    /// Every script has ended (or been skipped).
    pub done: bool,
    pub scripts: Vec<ScriptRun>,
}

pub type InitStatus = Arc<RwLock<Option<InitReport>>>;

/// The scripts of `dir` in the order they run, and how each would run.
fn scripts(dir: &Path) -> std::io::Result<Vec<(PathBuf, Option<Command>)>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .map(|p| {
            let executable = std::fs::metadata(&p).map(|m| m.permissions().mode() & 0o111 != 0).unwrap_or(false);
            let cmd = if executable {
                Some(Command::new(&p))
            } else if p.extension().is_some_and(|e| e == "sh") {
                let mut c = Command::new("bash");
                c.arg(&p);
                Some(c)
            } else {
                None
            };
            (p, cmd)
        })
        .collect())
}

/// Runs every script of `dir` in order with `env`, each within `timeout`;
/// stops (killing the running one) when `cancel` fires.
pub async fn run_all(dir: PathBuf, env: Vec<(String, String)>, timeout: Duration, status: InitStatus, cancel: CancellationToken) {
    let found = match scripts(&dir) {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(dir = %dir.display(), error = %e, "cannot read the init directory");
            return;
        }
    };
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let runs = found
        .iter()
        .map(|(p, cmd)| ScriptRun {
            name: name(p),
            state: if cmd.is_some() { ScriptState::Pending } else { ScriptState::Skipped },
            exit_code: None,
            duration_ms: None,
        })
        .collect();
    let set = |f: &dyn Fn(&mut InitReport)| f(status.write().expect("init status").as_mut().expect("init report"));
    *status.write().expect("init status") = Some(InitReport { dir: dir.clone(), done: false, scripts: runs });
    for (i, (path, cmd)) in found.into_iter().enumerate() {
        let Some(mut cmd) = cmd else {
            tracing::warn!(script = %path.display(), "init script skipped: neither executable nor a .sh file");
            continue;
        };
        set(&|r| r.scripts[i].state = ScriptState::Running);
        cmd.current_dir(&dir).envs(env.iter().cloned());
        let started = Instant::now();
        let (state, code) = run_one(&name(&path), cmd, timeout, &cancel).await;
        let ms = started.elapsed().as_millis() as u64;
        set(&|r| {
            r.scripts[i].state = state;
            r.scripts[i].exit_code = code;
            r.scripts[i].duration_ms = Some(ms);
        });
        if cancel.is_cancelled() {
            return;
        }
    }
    set(&|r| r.done = true);
    tracing::info!(dir = %dir.display(), "init scripts done");
}

/// Runs one script, its output going to strato's log line by line.
async fn run_one(name: &str, mut cmd: Command, timeout: Duration, cancel: &CancellationToken) -> (ScriptState, Option<i32>) {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0).kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(script = name, error = %e, "init script did not start");
            return (ScriptState::Failed, None);
        }
    };
    tracing::info!(script = name, "running init script");
    let pgid = child.id().map(|p| p as i32);
    let out = child.stdout.take().map(|o| tokio::spawn(log_lines(name.to_string(), o)));
    let err = child.stderr.take().map(|e| tokio::spawn(log_lines(name.to_string(), e)));
    let ended = tokio::select! {
        r = child.wait() => Some(r),
        _ = tokio::time::sleep(timeout) => None,
        _ = cancel.cancelled() => None,
    };
    let result = match ended {
        Some(Ok(exit)) if exit.success() => (ScriptState::Succeeded, exit.code()),
        Some(Ok(exit)) => {
            tracing::warn!(script = name, exit = ?exit.code(), "init script failed; the next one runs");
            (ScriptState::Failed, exit.code())
        }
        Some(Err(e)) => {
            tracing::error!(script = name, error = %e, "waiting for an init script failed");
            (ScriptState::Failed, None)
        }
        None => {
            // The script and whatever it started.
            if let Some(g) = pgid {
                let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(g), nix::sys::signal::Signal::SIGKILL);
            }
            let _ = child.wait().await;
            if !cancel.is_cancelled() {
                tracing::warn!(script = name, timeout_secs = timeout.as_secs(), "init script timed out and was killed");
            }
            (ScriptState::TimedOut, None)
        }
    };
    // A process the script left in the background may hold its pipes open: do not wait for ever.
    for task in [out, err].into_iter().flatten() {
        let abort = task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(1), task).await.is_err() {
            abort.abort();
        }
    }
    result
}

async fn log_lines(name: String, pipe: impl tokio::io::AsyncRead + Unpin) {
    let mut lines = BufReader::new(pipe).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::info!(script = %name, "{line}");
    }
}
