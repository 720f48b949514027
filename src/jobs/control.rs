//! Holding the runner still: `pause` stops it claiming jobs, cancels the jobs
//! it is running (each stops at its next await; its steps are idempotent, so
//! nothing half-done is lost) and waits until none runs. What holds the
//! `Paused` guard (a reset) then owns every cluster's processes; the runner
//! claims again when the guard drops.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub struct JobControl {
    paused: AtomicBool,
    running: AtomicUsize,
    idle: Notify,
    /// Cancelled (and replaced) by each pause.
    cancel: Mutex<CancellationToken>,
    /// Serialises pauses (two resets at once).
    pausing: tokio::sync::Mutex<()>,
}

/// The runner is paused while this lives.
pub struct Paused<'a> {
    control: &'a JobControl,
    _one: tokio::sync::MutexGuard<'a, ()>,
}

impl Drop for Paused<'_> {
    fn drop(&mut self) {
        self.control.paused.store(false, Ordering::SeqCst);
    }
}

/// Held by the runner while a job runs.
pub struct Running<'a>(&'a JobControl);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if self.0.running.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl JobControl {
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// The token a job being started is cancelled through.
    pub fn token(&self) -> CancellationToken {
        self.cancel.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Counts a job as running until the guard drops.
    pub fn running(&self) -> Running<'_> {
        self.running.fetch_add(1, Ordering::SeqCst);
        Running(self)
    }

    /// Pauses the runner, cancels what it runs and waits (up to `within`) until nothing runs.
    pub async fn pause(&self, within: Duration) -> Paused<'_> {
        let one = self.pausing.lock().await;
        self.paused.store(true, Ordering::SeqCst);
        {
            let mut token = self.cancel.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            token.cancel();
            *token = CancellationToken::new();
        }
        let deadline = tokio::time::Instant::now() + within;
        while self.running.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
            let _ = tokio::time::timeout(Duration::from_millis(20), self.idle.notified()).await;
        }
        Paused { control: self, _one: one }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pause_cancels_running_jobs_and_waits_for_them() {
        let control = std::sync::Arc::new(JobControl::default());
        let (c, token) = (control.clone(), control.token());
        let job = tokio::spawn(async move {
            let _running = c.running();
            token.cancelled().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let paused = control.pause(Duration::from_secs(5)).await;
        assert!(control.is_paused());
        assert!(job.is_finished(), "the pause waited for the cancelled job");
        assert!(!control.token().is_cancelled(), "jobs started later get a fresh token");
        drop(paused);
        assert!(!control.is_paused());
    }
}
