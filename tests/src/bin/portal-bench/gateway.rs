//! The SSH gateway (docs/GATEWAY.md) from outside, against a demo store:
//! OpenSSH's `ssh` with a registered key, timed until Home is painted in
//! a tmux pane; then many sessions held at once (`ssh -tt` on pipes), with
//! the memory each costs and a live update reaching every one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use portal_e2e::{TestServer, demo, ssh};
use portal_proto::pb;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, ChildStdin};

use crate::measure::{Latencies, Summary, Tally};
use crate::startup::{Tmux, home_painted};

/// How long the held sessions get to paint Home, and a live update to arrive.
const PATIENCE: Duration = Duration::from_mins(2);
/// An idle window before the live update: output in it is not the update's.
const QUIET: Duration = Duration::from_secs(3);

/// Times `runs` `ssh` starts to Home painted, then holds `held` sessions.
pub async fn gateway(summary: &mut Summary, runs: usize, held: usize) -> anyhow::Result<()> {
    let limit = (held + 8).to_string();
    let server = TestServer::demo_with(&[
        "--ssh-listen",
        "127.0.0.1:0",
        "--ssh-max-sessions",
        &limit,
        "--ssh-max-per-address",
        &limit,
    ])
    .await?;
    let (addr, _) = server.ssh.clone().context("the gateway's address")?;
    let dir = tempfile::tempdir()?;
    let (key, line) = ssh::keygen(dir.path(), "bench")?;
    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    alice
        .auth()
        .add_ssh_key(pb::AddSshKeyRequest { public_key: line })
        .await?;
    let mut cmd = ssh::command(&addr, Some(&key));

    cmd.insert(1, "-t".into());
    let times = to_home(dir.path(), &format!("exec {}", cmd.join(" ")), runs)?;
    times.report(
        summary,
        "SSH gateway: exec of ssh (key sign-in) in a tmux pane to Home painted, tmux's own start included",
    );

    cmd[1] = "-tt".into();
    let pid = server.pid().context("the server is not running")?;
    hold(summary, &server, pid, &cmd, held).await
}

fn to_home(dir: &std::path::Path, command: &str, runs: usize) -> anyhow::Result<Latencies> {
    let tmux = Tmux::new("portal-bench-ssh");
    let log = |name: &str| dir.join(format!("{name}.out"));
    // Keeps the tmux server up between the timed sessions.
    tmux.session("keep", "exec sleep 3600", &log("keep"))?;
    let mut times = Latencies::default();
    for i in 0..runs {
        let name = format!("ssh{i}");
        let start = Instant::now();
        tmux.session(&name, command, &log(&name))?;
        let painted = tmux.wait_for(&name, &log(&name), "Home painted", home_painted);
        times.record(
            painted
                .as_ref()
                .map(|(at, _)| *at - start)
                .map_err(|e| format!("{e:#}")),
        );
        if painted.is_ok() {
            tmux.quit(&name)?;
        }
    }
    Ok(times)
}

/// One held session: the ssh process, its stdin kept open, its output.
struct Held {
    _child: Child,
    _stdin: ChildStdin,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Held {
    fn start(cmd: &[String]) -> anyhow::Result<Self> {
        let mut child = tokio::process::Command::new(&cmd[0])
            .args(&cmd[1..])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let stdin = child.stdin.take().context("no stdin")?;
        let mut stdout = child.stdout.take().context("no stdout")?;
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 16 * 1024];
            while let Ok(n) = stdout.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                if let Ok(mut out) = sink.lock() {
                    out.extend_from_slice(&buf[..n]);
                }
            }
        });
        Ok(Self {
            _child: child,
            _stdin: stdin,
            output,
        })
    }

    fn len(&self) -> usize {
        self.output.lock().map_or(0, |o| o.len())
    }

    fn painted(&self) -> bool {
        self.output
            .lock()
            .is_ok_and(|o| o.windows(8).any(|w| w == b"Welcome,"))
    }
}

/// Polls every 50 ms until `done` holds for every session or `PATIENCE`
/// passes; when each first did, from `start`.
async fn each_until(
    sessions: &[Held],
    start: Instant,
    done: impl Fn(usize, &Held) -> bool,
) -> Vec<Option<Duration>> {
    let mut when = vec![None; sessions.len()];
    while start.elapsed() < PATIENCE && when.iter().any(Option::is_none) {
        for (i, s) in sessions.iter().enumerate() {
            if when[i].is_none() && done(i, s) {
                when[i] = Some(start.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    when
}

fn tally(when: &[Option<Duration>], what: &str) -> Tally {
    let mut tally = Tally::default();
    for w in when {
        tally.record(w.map(|_| None).ok_or(what));
    }
    tally
}

fn slowest(when: &[Option<Duration>]) -> f64 {
    when.iter()
        .flatten()
        .max()
        .map_or(0.0, Duration::as_secs_f64)
}

async fn hold(
    summary: &mut Summary,
    server: &TestServer,
    pid: u32,
    cmd: &[String],
    n: usize,
) -> anyhow::Result<()> {
    let before = rss_kib(pid, "VmRSS").unwrap_or(0);
    let start = Instant::now();
    let sessions = (0..n)
        .map(|_| Held::start(cmd))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let painted = each_until(&sessions, start, |_, s| s.painted()).await;
    summary.line(
        &format!("SSH gateway: {n} sessions opened at once, each to Home painted"),
        &format!("all within {:.1} s", slowest(&painted)),
        &tally(&painted, "Home not painted"),
    );

    let clients = clients_of(pid);
    let anon: u64 = clients.iter().filter_map(|&c| rss_kib(c, "RssAnon")).sum();
    let resident: u64 = clients.iter().filter_map(|&c| rss_kib(c, "VmRSS")).sum();
    let grown = rss_kib(pid, "VmRSS").unwrap_or(0).saturating_sub(before);
    let per = |kib: u64| kib as f64 / 1024.0 / clients.len().max(1) as f64;
    let mut counted = Tally::default();
    for _ in &clients {
        counted.record::<String>(Ok(None));
    }
    summary.line(
        &format!("SSH gateway: memory per open session, {} portal processes", clients.len()),
        &format!(
            "{:.2} MiB anonymous (RssAnon) each, {:.2} MiB resident with shared pages counted in each; server grew {:.1} MiB in all",
            per(anon),
            per(resident),
            grown as f64 / 1024.0
        ),
        &counted,
    );

    // Nothing should be drawn while nothing happens; then a technician's
    // post moves a ticket of Home's list, and every session redraws.
    tokio::time::sleep(QUIET).await;
    let idle: Vec<usize> = sessions.iter().map(Held::len).collect();
    tokio::time::sleep(QUIET).await;
    let idle_redraws = sessions
        .iter()
        .zip(&idle)
        .filter(|(s, n)| s.len() > **n)
        .count();
    let marks: Vec<usize> = sessions.iter().map(Held::len).collect();
    let number = open_ticket(server).await?;
    let start = Instant::now();
    server
        .as_demo(demo::TECHNICIAN)
        .await?
        .tickets()
        .add_post(pb::AddPostRequest {
            number,
            kind: pb::PostKind::Discussion.into(),
            body: "A live update for every session".into(),
            chat: false,
        })
        .await?;
    let redrawn = each_until(&sessions, start, |i, s| s.len() > marks[i]).await;
    let mut delays = Latencies::default();
    for w in &redrawn {
        delays.record(w.ok_or("no redraw within 120 s"));
    }
    delays.report(
        summary,
        &format!(
            "SSH gateway: a staff post to a redraw of Home in each of {n} held sessions ({idle_redraws} redrew in a {} s idle window before)",
            QUIET.as_secs()
        ),
    );
    Ok(())
}

/// The newest open ticket of the demo client's company.
async fn open_ticket(server: &TestServer) -> anyhow::Result<i64> {
    let page = server
        .as_demo(demo::CLIENT_ADMIN)
        .await?
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            status_group: pb::StatusGroup::Open.into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    page.tickets
        .first()
        .map(|t| t.number)
        .context("the demo client has no open ticket")
}

/// The processes whose parent is `pid` and whose name is `portal`.
fn clients_of(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/status")).is_ok_and(|s| {
                s.lines().any(|l| l == "Name:\tportal")
                    && s.lines().any(|l| l == format!("PPid:\t{pid}"))
            })
        })
        .collect()
}

/// A `/proc/PID/status` figure in KiB.
fn rss_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
