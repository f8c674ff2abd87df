//! What Linux says about a process and the machine: resident memory, CPU time, open-file limit.

use std::time::Instant;

/// Clock ticks per second of `/proc/*/stat` times. 100 on every mainstream Linux build
/// (`getconf CLK_TCK`); reading it properly needs `sysconf`, which would need `unsafe`.
const TICKS_PER_SEC: f64 = 100.0;

/// Resident memory of `pid` (or of this process), in KiB, from `/proc/PID/status`.
pub fn rss_kib(pid: Option<u32>) -> Option<u64> {
    let status = std::fs::read_to_string(proc_path(pid, "status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// User plus system CPU seconds `pid` (or this process) has used.
pub fn cpu_secs(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(proc_path(pid, "stat")).ok()?;
    // The command name may hold spaces and parentheses: fields count from after the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SEC)
}

fn proc_path(pid: Option<u32>, file: &str) -> String {
    match pid {
        Some(pid) => format!("/proc/{pid}/{file}"),
        None => format!("/proc/self/{file}"),
    }
}

/// Busy and total jiffies of the whole machine, from the first line of `/proc/stat`.
fn machine_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let values: Vec<u64> = line
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest times are inside user already).
    let total: u64 = values.iter().take(8).sum();
    let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

/// The soft limit on open files of this process, from `/proc/self/limits`.
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// The machine's load average over the last minute.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Number of CPUs the machine reports.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// CPU use over an interval, for the server, this tool and the machine as a whole.
pub struct CpuMeter {
    started: Instant,
    server: Option<f64>,
    client: Option<f64>,
    machine: Option<(u64, u64)>,
    server_pid: Option<u32>,
}

/// CPU use over an interval, as a percentage of one core (200 % = both cores of two busy).
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct CpuUse {
    pub server_pct: Option<f64>,
    pub client_pct: Option<f64>,
    /// Every process of the machine (database, Redis, the tool and the server included).
    pub machine_pct: Option<f64>,
}

impl CpuMeter {
    pub fn start(server_pid: Option<u32>) -> Self {
        Self {
            started: Instant::now(),
            server: server_pid.and_then(|pid| cpu_secs(Some(pid))),
            client: cpu_secs(None),
            machine: machine_ticks(),
            server_pid,
        }
    }

    pub fn stop(&self) -> CpuUse {
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-6);
        let pct =
            |before: Option<f64>, after: Option<f64>| Some((after? - before?) / elapsed * 100.0);
        let machine = match (self.machine, machine_ticks()) {
            (Some((busy0, total0)), Some((busy1, total1))) if total1 > total0 => {
                Some((busy1 - busy0) as f64 / (total1 - total0) as f64 * 100.0 * cores() as f64)
            }
            _ => None,
        };
        CpuUse {
            server_pct: pct(
                self.server,
                self.server_pid.and_then(|pid| cpu_secs(Some(pid))),
            ),
            client_pct: pct(self.client, cpu_secs(None)),
            machine_pct: machine,
        }
    }
}
