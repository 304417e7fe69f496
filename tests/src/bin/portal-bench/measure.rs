//! Timing calls and printing benchmark lines. Every line says how many calls
//! succeeded and failed, and for pages how many rows a page held; the lines
//! are kept for the run's summary.

use std::fmt::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portal_e2e::{Session, TestServer};

/// What one call returned: the rows of a page, or nothing countable.
pub type Rows = Option<usize>;

/// The calls of one benchmark line.
#[derive(Default)]
pub struct Tally {
    ok: u64,
    failed: u64,
    /// Rows over all pages; `None` when the calls are not pages.
    rows: Option<u64>,
    first_error: Option<String>,
}

impl Tally {
    pub fn record<E: std::fmt::Display>(&mut self, result: Result<Rows, E>) {
        match result {
            Ok(rows) => {
                self.ok += 1;
                if let Some(n) = rows {
                    *self.rows.get_or_insert(0) += n as u64;
                }
            }
            Err(e) => {
                self.failed += 1;
                self.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.ok += other.ok;
        self.failed += other.failed;
        if let Some(rows) = other.rows {
            *self.rows.get_or_insert(0) += rows;
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    /// "calls ok 500, failed 0, 50.0 rows a page".
    fn counts(&self) -> String {
        let mut out = format!("calls ok {}, failed {}", self.ok, self.failed);
        if let Some(rows) = self.rows {
            let _ = write!(
                out,
                ", {:.1} rows a page",
                rows as f64 / self.ok.max(1) as f64
            ); // a String takes any write
        }
        out
    }
}

/// The lines printed so far, for the summary.
#[derive(Default)]
pub struct Summary {
    lines: Vec<(String, u64, u64)>,
}

impl Summary {
    /// Prints a line: `what`, its figures, then its counts; a failure's
    /// first error follows on its own line.
    pub fn line(&mut self, what: &str, figures: &str, tally: &Tally) {
        println!("{what}: {figures} ({})", tally.counts());
        if let Some(e) = &tally.first_error {
            println!("  first failure: {e}");
        }
        self.lines.push((what.to_owned(), tally.ok, tally.failed));
    }

    /// A line whose calls all failed before any figure could be taken.
    pub fn failed(&mut self, what: &str, error: &anyhow::Error) {
        println!("{what}: not measured (calls ok 0, failed 1)\n  first failure: {error:#}");
        self.lines.push((what.to_owned(), 0, 1));
    }

    /// Prints the summary; true when no call failed.
    pub fn finish(&self) -> bool {
        let ok: u64 = self.lines.iter().map(|l| l.1).sum();
        let failed: u64 = self.lines.iter().map(|l| l.2).sum();
        if failed == 0 {
            println!(
                "summary: {} lines, calls ok {ok}, failed 0",
                self.lines.len()
            );
            return true;
        }
        let failing: Vec<&str> = self
            .lines
            .iter()
            .filter(|l| l.2 > 0)
            .map(|l| l.0.as_str())
            .collect();
        println!(
            "summary: FAILURES: calls ok {ok}, failed {failed}, in {} of {} lines: {}",
            failing.len(),
            self.lines.len(),
            failing.join("; ")
        );
        false
    }
}

/// Sequential timings of one kind of call.
#[derive(Default)]
pub struct Latencies {
    times: Vec<Duration>,
    pub tally: Tally,
}

impl Latencies {
    /// Times `call` and records its outcome; failed calls are not timed.
    pub async fn time<E: std::fmt::Display>(
        &mut self,
        call: impl std::future::Future<Output = Result<Rows, E>>,
    ) {
        let start = Instant::now();
        let result = call.await;
        if result.is_ok() {
            self.times.push(start.elapsed());
        }
        self.tally.record(result);
    }

    /// Records a call timed elsewhere.
    pub fn record<E: std::fmt::Display>(&mut self, result: Result<Duration, E>) {
        if let Ok(elapsed) = &result {
            self.times.push(*elapsed);
        }
        self.tally.record(result.map(|_| None));
    }

    pub fn report(mut self, summary: &mut Summary, what: &str) {
        self.times.sort();
        let figures = if self.times.is_empty() {
            "no call succeeded".to_owned()
        } else {
            let at = |q: f64| {
                self.times[((self.times.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1000.0
            };
            format!(
                "p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
                at(0.5),
                at(0.99),
                at(1.0)
            )
        };
        summary.line(what, &figures, &self.tally);
    }
}

/// Runs `call` from `clients` concurrent tasks for `duration`, and prints the
/// successful calls a second and the server's CPU time a call (what the
/// server could serve on its own, whoever else shares the cores).
pub async fn throughput<F, Fut>(
    summary: &mut Summary,
    what: &str,
    server: &TestServer,
    token: &str,
    (clients, connections): (usize, usize),
    duration: Duration,
    call: F,
) -> anyhow::Result<()>
where
    F: Fn(Session) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<Rows, tonic::Status>> + Send,
{
    // A few connections, each multiplexing many streams, as real clients would.
    let mut sessions = Vec::new();
    for _ in 0..connections.max(1) {
        sessions.push(Session::new(server.channel().await?, token)?);
    }
    let tally = Arc::new(Mutex::new(Tally::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let pid = server
        .pid()
        .ok_or_else(|| anyhow::anyhow!("server is not running"))?;
    let me = std::process::id();
    let (cpu_before, own_before) = (cpu_seconds(pid)?, cpu_seconds(me)?);
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|i| {
            let (session, call) = (sessions[i % sessions.len()].clone(), call.clone());
            let (tally, stop) = (tally.clone(), stop.clone());
            tokio::spawn(async move {
                // Each task keeps its own count and adds it once at the end.
                let mut mine = Tally::default();
                while !stop.load(Ordering::Relaxed) {
                    mine.record(call(session.clone()).await);
                }
                tally
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .merge(mine);
            })
        })
        .collect();
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds(pid)? - cpu_before;
    let own = cpu_seconds(me)? - own_before;
    let tally = std::mem::take(
        &mut *tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    let ok = tally.ok.max(1) as f64;
    summary.line(
        &format!("{what}, {clients} streams over {connections} connections"),
        &format!(
            "{:.0} req/s; CPU a call: server {:.0} µs, load generator {:.0} µs",
            tally.ok as f64 / elapsed,
            cpu / ok * 1e6,
            own / ok * 1e6,
        ),
        &tally,
    );
    Ok(())
}

/// The CPU time (user and system, all threads) a process has used, in
/// seconds; Linux counts it in USER_HZ = 100 ticks a second.
fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields follow the command's closing parenthesis, from field 3 on;
    // utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| -> anyhow::Result<u64> {
        Ok(fields
            .get(i)
            .ok_or_else(|| anyhow::anyhow!("short /proc/{pid}/stat"))?
            .parse()?)
    };
    Ok((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

/// Samples a process's resident memory (`VmRSS`, KiB) until stopped; returns the peak.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<u64>,
}

impl RssSampler {
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut peak = 0;
            while !flag.load(Ordering::Relaxed) {
                if let Ok(status) = tokio::fs::read_to_string(format!("/proc/{pid}/status")).await {
                    let kib = status
                        .lines()
                        .find_map(|l| l.strip_prefix("VmRSS:"))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                        .unwrap_or(0);
                    peak = peak.max(kib);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            peak
        });
        Self { stop, task }
    }

    pub async fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap_or(0)
    }
}
