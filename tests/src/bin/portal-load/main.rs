//! `portal-load`: many signed-in sessions at once against a real
//! `portal-server` over a demo store (docs/BENCHMARKS.md, "Many sessions").
//!
//! Every session signs in as one of the demo's client people, keeps an
//! event stream open, and for `--seconds` repeats a mix a person at a
//! terminal makes: list their tickets, open one, reply, search, upload a
//! small file. It reports the calls a second, p50/p99 per kind of call,
//! the errors (any answer but OK), and the server's resident memory and
//! open file descriptors from /proc.
//!
//! ```sh
//! cargo build --release -p portal-e2e -p portal-server --bins
//! target/release/portal-load --sessions 1000 --seconds 60
//! ```
//!
//! Exit status 1 when any call failed.
//!
//! With `--overload` it measures the overload curve instead (see
//! `overload.rs`): offered rate against served rate, sheds, p99 and
//! whether a signed-in person can still open a ticket.

mod overload;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo};
use portal_proto::pb;
use portal_proto::pb::upload_attachment_request::Part;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio_stream::StreamExt;
use tonic::Status;

#[derive(Parser)]
struct Args {
    /// Signed-in sessions, each with an open event stream.
    #[arg(long, default_value_t = 1000)]
    sessions: u32,
    /// How long the mix runs.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// TCP connections the sessions share (a terminal has its own; here
    /// they are spread over this many).
    #[arg(long, default_value_t = 100)]
    connections: u32,
    /// Pause between one session's calls, in milliseconds (a person reads).
    #[arg(long, default_value_t = 100)]
    think_ms: u64,
    /// Measure the overload curve instead of the mix (docs/RELIABILITY.md, "Overload").
    #[arg(long)]
    overload: bool,
    /// --overload: callers in the closed loop that measures the sustainable rate.
    #[arg(long, default_value_t = 32)]
    concurrency: u32,
    /// --overload: the rates offered, as multiples of the sustainable rate.
    #[arg(long, value_delimiter = ',', default_value = "0.5,1,2,4,8")]
    multiples: Vec<f64>,
    /// --overload: how long each rate is offered (and the calibration runs).
    #[arg(long, default_value_t = 10.0)]
    step_seconds: f64,
    /// --overload: each call's deadline (grpc-timeout), in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    deadline_ms: u64,
    /// The server's --max-in-flight (its default when not given).
    #[arg(long)]
    max_in_flight: Option<u32>,
    /// The server's --queue-wait-ms (its default when not given).
    #[arg(long)]
    queue_wait_ms: Option<u32>,
    /// Pin the server to the first CPU and this generator to the others
    /// (`taskset`), so that neither measures the other's work as its own.
    #[arg(long)]
    split_cpus: bool,
}

/// The demo's client people: the sessions take them in turn.
const PEOPLE: [&str; 6] = [
    demo::CLIENT_ADMIN,
    demo::CLIENT_MANAGER,
    demo::CLIENT_USER,
    demo::OTHER_ADMIN,
    demo::OTHER_MANAGER,
    demo::OTHER_USER,
];

const KINDS: [&str; 5] = ["list", "open", "reply", "search", "upload"];

/// What one session saw: latencies by kind of call, and its errors.
#[derive(Default)]
struct Seen {
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    errors: Vec<String>,
    events: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let mut flags = Vec::new();
    if let Some(max) = args.max_in_flight {
        flags.extend(["--max-in-flight".to_owned(), max.to_string()]);
    }
    if let Some(wait) = args.queue_wait_ms {
        flags.extend(["--queue-wait-ms".to_owned(), wait.to_string()]);
    }
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = TestServer::demo_with(&flags).await?;
    let pid = server.pid().unwrap_or_default();
    if args.split_cpus {
        split_cpus(pid)?;
    }
    let mut channels = Vec::new();
    for _ in 0..args.connections.max(1) {
        channels.push(server.channel().await?);
    }
    let signing_in = Instant::now();
    let mut sessions = Vec::new();
    for i in 0..args.sessions {
        let who = PEOPLE[i as usize % PEOPLE.len()];
        let token = server.login(who, DEMO_PASSWORD).await?.token;
        let channel = channels[i as usize % channels.len()].clone();
        sessions.push(Session::new(channel, &token)?);
    }
    println!(
        "portal-load: {} sessions signed in over {} connections in {:.1} s",
        args.sessions,
        channels.len(),
        signing_in.elapsed().as_secs_f64()
    );
    if args.overload {
        return overload(&server, &args, sessions).await;
    }
    let until = Instant::now() + Duration::from_secs(args.seconds);
    let think = Duration::from_millis(args.think_ms);
    let started = Instant::now();
    let workers: Vec<_> = sessions
        .into_iter()
        .enumerate()
        .map(|(i, session)| tokio::spawn(run(session, i as u64, until, think)))
        .collect();
    // The server's memory and descriptors with every session busy.
    tokio::time::sleep(Duration::from_secs(args.seconds / 2)).await;
    let (rss, fds) = (rss_kib(pid), open_fds(pid));
    let mut all = Seen::default();
    for worker in workers {
        let seen = worker.await?;
        for (kind, mut l) in seen.latencies {
            all.latencies.entry(kind).or_default().append(&mut l);
        }
        all.errors.extend(seen.errors);
        all.events += seen.events;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let calls: usize = all.latencies.values().map(Vec::len).sum();
    println!(
        "{calls} calls in {elapsed:.1} s: {:.0} calls/s; {} events received; {} errors",
        calls as f64 / elapsed,
        all.events,
        all.errors.len()
    );
    println!("| call | count | p50 ms | p99 ms |");
    println!("|---|---|---|---|");
    for kind in KINDS {
        let mut l = all.latencies.remove(kind).unwrap_or_default();
        l.sort();
        println!(
            "| {kind} | {} | {:.1} | {:.1} |",
            l.len(),
            ms(percentile(&l, 50)),
            ms(percentile(&l, 99))
        );
    }
    println!(
        "server: {} MiB resident, {fds} open file descriptors (mid-run, /proc/{pid})",
        rss / 1024
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load average: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    for e in all.errors.iter().take(10) {
        println!("error: {e}");
    }
    Ok(if all.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `--overload`: the sessions' first lists, a probe of its own, the curve.
async fn overload(
    server: &TestServer,
    args: &Args,
    sessions: Vec<Session>,
) -> anyhow::Result<ExitCode> {
    let mut callers = Vec::new();
    for session in sessions {
        callers.push(first_list(session).await?);
    }
    let probe = first_list(server.as_demo(demo::CLIENT_USER).await?).await?;
    let clean = overload::Overload {
        callers,
        probe,
        concurrency: args.concurrency,
        step: Duration::from_secs_f64(args.step_seconds),
        multiples: args.multiples.clone(),
        deadline: Duration::from_millis(args.deadline_ms),
        server_pid: server.pid().unwrap_or_default(),
    }
    .run()
    .await;
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A session with the tickets of its first list, and a word of each title.
async fn first_list(session: Session) -> anyhow::Result<overload::Caller> {
    let mut person = Person {
        session,
        id: 0,
        rng: StdRng::seed_from_u64(0),
        numbers: Vec::new(),
        words: Vec::new(),
        seq: 0,
    };
    person.list().await?;
    anyhow::ensure!(!person.numbers.is_empty(), "a demo person with no tickets");
    if person.words.is_empty() {
        person.words.push("printer".to_owned());
    }
    Ok(overload::Caller {
        session: person.session,
        numbers: person.numbers,
        words: person.words,
    })
}

/// One session: an open event stream, then the mix until `until`.
async fn run(session: Session, id: u64, until: Instant, think: Duration) -> Seen {
    let mut seen = Seen::default();
    let stream = match session
        .events()
        .subscribe(pb::SubscribeRequest { after_id: 0 })
        .await
    {
        Ok(s) => Some(s.into_inner()),
        Err(e) => {
            seen.errors.push(format!("subscribe: {:?}", e.code()));
            None
        }
    };
    let events = Arc::new(AtomicU64::new(0));
    let tally = events.clone();
    let listener = tokio::spawn(async move {
        if let Some(mut stream) = stream {
            while let Some(Ok(_)) = stream.next().await {
                tally.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let mut person = Person {
        session,
        id,
        rng: StdRng::seed_from_u64(id),
        numbers: Vec::new(),
        words: Vec::new(),
        seq: 0,
    };
    while Instant::now() < until {
        let began = Instant::now();
        let (kind, result) = person.call().await;
        let took = began.elapsed();
        match result {
            Ok(()) => seen.latencies.entry(kind).or_default().push(took),
            Err(e) => seen
                .errors
                .push(format!("{kind}: {:?} {}", e.code(), e.message())),
        }
        tokio::time::sleep(think).await;
    }
    listener.abort();
    seen.events = events.load(Ordering::Relaxed);
    seen
}

/// A person at a terminal: what they last listed, and their next call.
struct Person {
    session: Session,
    id: u64,
    rng: StdRng,
    /// The tickets of their last list, and a word of each title to search.
    numbers: Vec<i64>,
    words: Vec<String>,
    seq: u32,
}

impl Person {
    /// One call of the mix, chosen at random (a list first).
    async fn call(&mut self) -> (&'static str, Result<(), Status>) {
        self.seq += 1;
        let roll = if self.numbers.is_empty() {
            0
        } else {
            self.rng.gen_range(0..100)
        };
        let number = self
            .numbers
            .get(self.rng.gen_range(0..self.numbers.len().max(1)))
            .copied()
            .unwrap_or_default();
        let tickets = self.session.tickets();
        match roll {
            0..35 => ("list", self.list().await),
            35..65 => (
                "open",
                tickets
                    .clone()
                    .get_ticket(pb::GetTicketRequest { number })
                    .await
                    .map(drop),
            ),
            65..80 => {
                let text = self
                    .words
                    .get(self.rng.gen_range(0..self.words.len().max(1)))
                    .cloned()
                    .unwrap_or_else(|| "printer".to_owned());
                let search = pb::ListTicketsRequest {
                    text,
                    ..Default::default()
                };
                (
                    "search",
                    tickets.clone().list_tickets(search).await.map(drop),
                )
            }
            80..95 => {
                let post = pb::AddPostRequest {
                    number,
                    kind: pb::PostKind::Discussion.into(),
                    body: format!("load {}-{}: any news?", self.id, self.seq),
                    chat: false,
                };
                ("reply", tickets.clone().add_post(post).await.map(drop))
            }
            _ => {
                let data: Vec<u8> = (0..4096).map(|_| self.rng.r#gen()).collect();
                let parts = vec![
                    pb::UploadAttachmentRequest {
                        part: Some(Part::Meta(pb::AttachmentMeta {
                            number,
                            title: "screenshot".into(),
                            file_name: format!("load-{}-{}.bin", self.id, self.seq),
                            content_type: String::new(),
                        })),
                    },
                    pb::UploadAttachmentRequest {
                        part: Some(Part::Data(data)),
                    },
                ];
                let upload = tickets
                    .clone()
                    .upload_attachment(tokio_stream::iter(parts))
                    .await;
                ("upload", upload.map(drop))
            }
        }
    }

    /// The first page of their tickets, kept to open, reply to and search.
    async fn list(&mut self) -> Result<(), Status> {
        let page = self
            .session
            .tickets()
            .list_tickets(pb::ListTicketsRequest {
                page: Some(pb::PageRequest {
                    page_size: 50,
                    cursor: String::new(),
                }),
                ..Default::default()
            })
            .await?
            .into_inner();
        self.numbers = page.tickets.iter().map(|t| t.number).collect();
        self.words = page
            .tickets
            .iter()
            .filter_map(|t| t.title.split_whitespace().next())
            .filter(|w| w.len() > 3)
            .map(str::to_owned)
            .collect();
        Ok(())
    }
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The process's resident set, KiB (0 when /proc cannot say).
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or_default()
}

/// CPU time (user and system, every thread) the process has used so far,
/// in seconds; 0 when /proc cannot say.
fn cpu_seconds(pid: u32) -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    let ticks = *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    });
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces), from field 3:
    // utime and stime are fields 14 and 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<f64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    fields.iter().sum::<f64>() / ticks
}

/// Pins the server (every thread) to CPU 0 and this process to the rest.
fn split_cpus(server: u32) -> anyhow::Result<()> {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    anyhow::ensure!(
        cpus >= 2,
        "--split-cpus needs two CPUs, this machine has {cpus}"
    );
    for (pid, list) in [
        (server, "0".to_owned()),
        (std::process::id(), format!("1-{}", cpus - 1)),
    ] {
        let status = std::process::Command::new("taskset")
            .args(["-a", "-p", "-c", &list, &pid.to_string()])
            .stdout(std::process::Stdio::null())
            .status()?;
        anyhow::ensure!(status.success(), "taskset -p -c {list} {pid} failed");
    }
    println!(
        "portal-load: the server on CPU 0, the generator on CPUs 1-{}",
        cpus - 1
    );
    Ok(())
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}
