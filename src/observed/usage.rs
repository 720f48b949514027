//! What each node's process uses, as the health loop last measured it: CPU
//! (from `/proc/<pid>/stat` between two looks), resident memory, and the bytes
//! of its directory. Requests read these figures; only the health loop and
//! the runner's looks take them.

use std::path::Path;
use std::time::Instant;

/// A node's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// Percent of the machine's CPU time the process used between the last
    /// two looks (None until two looks were made).
    pub cpu_percent: Option<f64>,
    /// Resident memory, bytes.
    pub rss_bytes: Option<u64>,
    /// Bytes of the node's directory when last measured.
    pub disk_bytes: Option<u64>,
    /// The process the CPU figures are of, and its CPU ticks at `sampled_at`.
    pub(super) sample: Option<(i32, u64, Instant)>,
}

/// A look at a process: its CPU ticks (user + system) and resident bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessSample {
    pub pid: i32,
    pub cpu_ticks: u64,
    pub rss_bytes: u64,
}

/// Looks shorter apart than this keep the last CPU figure (too few ticks to tell).
const MIN_SPAN_SECS: f64 = 0.5;

impl Usage {
    /// The figures after a new sample taken at `at`.
    pub fn sampled(self, s: ProcessSample, at: Instant) -> Usage {
        let (cpu_percent, sample) = match self.sample {
            Some((pid, ticks, then)) if pid == s.pid => {
                let span = at.saturating_duration_since(then).as_secs_f64();
                if span < MIN_SPAN_SECS {
                    (self.cpu_percent, self.sample)
                } else {
                    let busy = s.cpu_ticks.saturating_sub(ticks) as f64 / clock_ticks_per_second();
                    (Some((busy / span / cpus() * 100.0).clamp(0.0, 100.0)), Some((s.pid, s.cpu_ticks, at)))
                }
            }
            // A new process (restarted): start over.
            _ => (None, Some((s.pid, s.cpu_ticks, at))),
        };
        Usage { cpu_percent, rss_bytes: Some(s.rss_bytes), sample, ..self }
    }

    /// The process is gone: no CPU or memory figures (the disk stays).
    pub fn stopped(self) -> Usage {
        Usage { disk_bytes: self.disk_bytes, ..Usage::default() }
    }
}

/// Reads `/proc/<pid>/stat`: utime + stime (ticks) and rss (pages).
pub fn sample(pid: i32) -> Option<ProcessSample> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(pid, &text)
}

fn parse_stat(pid: i32, text: &str) -> Option<ProcessSample> {
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // f[0] is field 3 (state): utime 14, stime 15, rss 24.
    let (utime, stime, rss) = (f.get(11)?.parse::<u64>().ok()?, f.get(12)?.parse::<u64>().ok()?, f.get(21)?.parse::<u64>().ok()?);
    Some(ProcessSample { pid, cpu_ticks: utime + stime, rss_bytes: rss * page_size() })
}

fn clock_ticks_per_second() -> f64 {
    use nix::unistd::{sysconf, SysconfVar};
    sysconf(SysconfVar::CLK_TCK).ok().flatten().filter(|t| *t > 0).unwrap_or(100) as f64
}

fn page_size() -> u64 {
    use nix::unistd::{sysconf, SysconfVar};
    sysconf(SysconfVar::PAGE_SIZE).ok().flatten().filter(|t| *t > 0).unwrap_or(4096) as u64
}

fn cpus() -> f64 {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64
}

/// The machine's load average over one minute (`/proc/loadavg`).
pub fn load_one_minute() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// Bytes below `dir` (a directory walk: the health loop's, never a request's).
pub fn disk_bytes(dir: &Path) -> Option<u64> {
    dir.exists().then(|| crate::engine::dir_size(dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn stat_fields_are_found_after_the_command_name() {
        let line = "4242 (osmem (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 123 1000000 300 18446744073709551615";
        let s = parse_stat(4242, line).unwrap();
        assert_eq!((s.cpu_ticks, s.rss_bytes), (300, 300 * page_size()));
        assert!(parse_stat(1, "garbage").is_none());
    }

    #[test]
    fn cpu_is_the_share_of_the_machine_between_two_looks_of_one_process() {
        let t0 = Instant::now();
        let tick = clock_ticks_per_second() as u64;
        let u = Usage::default().sampled(ProcessSample { pid: 7, cpu_ticks: 0, rss_bytes: 10 }, t0);
        assert_eq!((u.cpu_percent, u.rss_bytes), (None, Some(10)), "one look tells no rate");
        // One CPU-second over two seconds: half of one core.
        let u = u.sampled(ProcessSample { pid: 7, cpu_ticks: tick, rss_bytes: 10 }, t0 + Duration::from_secs(2));
        let want = 50.0 / cpus();
        assert!((u.cpu_percent.unwrap() - want).abs() < 0.01, "{u:?}");
        // Too soon: the figure stands.
        let again = u.sampled(ProcessSample { pid: 7, cpu_ticks: 10 * tick, rss_bytes: 10 }, t0 + Duration::from_millis(2100));
        assert_eq!(again.cpu_percent, u.cpu_percent);
        // A restarted process starts over; a stopped one has no figures but its disk.
        let u = Usage { disk_bytes: Some(5), ..u }.sampled(ProcessSample { pid: 8, cpu_ticks: 99, rss_bytes: 1 }, t0 + Duration::from_secs(9));
        assert_eq!(u.cpu_percent, None);
        assert_eq!(u.stopped(), Usage { disk_bytes: Some(5), ..Usage::default() });
        assert!(sample(std::process::id() as i32).is_some_and(|s| s.rss_bytes > 0));
    }
}
