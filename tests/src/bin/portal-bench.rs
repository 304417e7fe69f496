//! `portal-bench`: the figures in docs/BENCHMARKS.md, measured against the
//! real `portal-server` binary (from the same target directory) over a store
//! made by `portal-server gen`.
//!
//! ```sh
//! cargo build --release -p portal-server -p portal-e2e
//! target/release/portal-server gen --db /tmp/big.db
//! target/release/portal-bench --db /tmp/big.db
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use portal_e2e::{Session, TestServer};
use portal_proto::pb;
use portal_server::store::StoreOptions;
use rand::Rng;

/// Ticket numbers start here.
const FIRST_NUMBER: i64 = 1001;

/// Search terms of varied frequency in the synthetic vocabulary.
const WORDS: [&str; 10] = [
    "printer", "vpn", "outlook", "laptop", "backup", "firewall", "password", "invoice", "scanner",
    "wifi",
];

#[derive(Parser)]
struct Args {
    /// A store made by `portal-server gen`.
    #[arg(long)]
    db: PathBuf,
    /// The account the load signs in as (gen's staff Admin by default).
    #[arg(long, default_value = "bench-admin@provider.example")]
    email: String,
    /// The client who raises tickets in the creation run (a User of gen's company 1).
    #[arg(long, default_value = "u3@c1.example")]
    client_email: String,
    #[arg(long, default_value = "Portal-Demo-2026!")]
    password: String,
    /// Concurrent streams for the throughput runs.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Connections the throughput runs' streams share.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Seconds per throughput run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Sequential calls per latency run.
    #[arg(long, default_value_t = 2000)]
    samples: usize,
    /// Only these measurements (comma-separated); all by default.
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Run>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Run {
    /// Ticket handlers in-process: pages and searches.
    Service,
    /// One gRPC client: pages and searches.
    Latency,
    /// The transport's ceiling: `GetPasswordPolicy` (no store) throughput.
    Floor,
    /// `GetTicket` throughput.
    Reads,
    /// `ListTickets` throughput.
    Pages,
    /// `CreateTicket` throughput (adds tickets to the store).
    Creates,
}

impl Args {
    fn wants(&self, run: Run) -> bool {
        self.only.is_empty() || self.only.contains(&run)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.wants(Run::Service) {
        service_layer(&args).await?;
    }
    let server = TestServer::over(&args.db, &[]).await?;
    let pid = server
        .pid()
        .ok_or_else(|| anyhow::anyhow!("server is not running"))?;
    let login = server.login(&args.email, &args.password).await?;
    let session = Session::new(server.channel().await?, &login.token)?;

    let newest = session
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            sort: pb::TicketSort::Number as i32,
            descending: true,
            page: Some(pb::PageRequest {
                page_size: 1,
                cursor: String::new(),
            }),
            ..Default::default()
        })
        .await?
        .into_inner();
    let max_number = newest.tickets.first().map_or(1, |t| t.number);
    println!("store: {} tickets, newest #{max_number}", newest.total);

    let rss = RssSampler::start(pid);

    if args.wants(Run::Latency) {
        latency(&session, args.samples).await?;
    }

    let seconds = Duration::from_secs(args.seconds);
    if args.wants(Run::Floor) {
        throughput(
            "transport ceiling (GetPasswordPolicy, no store)",
            &server,
            &login.token,
            (args.clients, args.connections),
            seconds,
            |s| async move { s.auth().get_password_policy(pb::Empty {}).await.map(drop) },
        )
        .await?;
    }
    if args.wants(Run::Reads) {
        throughput(
            "single-ticket reads (GetTicket)",
            &server,
            &login.token,
            (args.clients, args.connections),
            seconds,
            move |s| async move {
                let number = rand::thread_rng().gen_range(FIRST_NUMBER..=max_number);
                s.tickets()
                    .get_ticket(pb::GetTicketRequest { number })
                    .await
                    .map(drop)
            },
        )
        .await?;
    }
    if args.wants(Run::Pages) {
        throughput(
            "pages of 50 (ListTickets)",
            &server,
            &login.token,
            (args.clients, args.connections),
            seconds,
            move |s| async move {
                let company = rand::thread_rng().gen_range(1..=1000);
                s.tickets().list_tickets(open_page(company)).await.map(drop)
            },
        )
        .await?;
    }
    if args.wants(Run::Creates) {
        creates(&server, &session, &args).await?;
    }

    println!(
        "server peak resident memory: {:.1} MiB",
        rss.stop().await as f64 / 1024.0
    );
    Ok(())
}

/// A page of 50 of a company's open tickets, last updated first.
fn open_page(company_id: i64) -> pb::ListTicketsRequest {
    pb::ListTicketsRequest {
        company_id,
        status_group: pb::StatusGroup::Open as i32,
        sort: pb::TicketSort::Updated as i32,
        descending: true,
        page: Some(pb::PageRequest {
            page_size: 50,
            cursor: String::new(),
        }),
        ..Default::default()
    }
}

/// Sequential calls from one client: pages and searches.
async fn latency(session: &Session, samples: usize) -> anyhow::Result<()> {
    let mut lat = Vec::with_capacity(samples);
    for _ in 0..samples {
        let company = rand::thread_rng().gen_range(1..=1000);
        let start = Instant::now();
        session.tickets().list_tickets(open_page(company)).await?;
        lat.push(start.elapsed());
    }
    report_latency(
        "page of 50 by company+status, by update (gRPC, 1 client)",
        &mut lat,
    );

    let mut lat = Vec::with_capacity(samples);
    for i in 0..samples {
        let start = Instant::now();
        session
            .tickets()
            .list_tickets(pb::ListTicketsRequest {
                text: WORDS[i % WORDS.len()].to_string(),
                page: Some(pb::PageRequest {
                    page_size: 50,
                    cursor: String::new(),
                }),
                ..Default::default()
            })
            .await?;
        lat.push(start.elapsed());
    }
    report_latency("full-text search, page of 50 (gRPC, 1 client)", &mut lat);

    Ok(())
}

/// Tickets raised concurrently by a company's User.
async fn creates(server: &TestServer, session: &Session, args: &Args) -> anyhow::Result<()> {
    let types = session
        .tickets()
        .list_service_types(pb::ListServiceTypesRequest::default())
        .await?
        .into_inner();
    let free_type = types
        .service_types
        .iter()
        .find(|t| t.fields.iter().all(|f| !f.required))
        .map_or(0, |t| t.id);
    // Clients raise tickets for themselves, as a company's User would.
    let user = server.login(&args.client_email, &args.password).await?;
    throughput(
        "durable ticket creation (CreateTicket)",
        server,
        &user.token,
        (args.clients, args.connections),
        Duration::from_secs(args.seconds),
        move |s| async move {
            s.tickets()
                .create_ticket(pb::CreateTicketRequest {
                    title: "Benchmark ticket".into(),
                    description: "Created by portal-bench".into(),
                    service_type_id: free_type,
                    po_number: "PO-BENCH".into(), // some companies require one
                    ..Default::default()
                })
                .await
                .map(drop)
        },
    )
    .await?;

    Ok(())
}

/// Latency of the ticket handlers called in-process (no network), as a
/// company's Manager and as a Dispatcher filtering by company.
async fn service_layer(args: &Args) -> anyhow::Result<()> {
    use portal_proto::pb::ticket_service_server::TicketService;
    use portal_server::domain::{AccessLevel, Caller, Principal, StaffRole};

    let store = portal_server::store::Store::open(&args.db, &StoreOptions::default())?;
    let managers: Vec<(i64, i64)> = store
        .read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, company_id FROM contacts WHERE access = 'manager' ORDER BY company_id",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    anyhow::ensure!(!managers.is_empty(), "the store has no Managers");
    let max_number: i64 = store
        .read(|conn| Ok(conn.query_row("SELECT max(id) FROM tickets", [], |r| r.get(0))?))
        .await?;
    let tickets = portal_server::service::Tickets::new(portal_server::service::AppState::new(
        store,
        portal_server::config::Config::default(),
    ));
    let caller = |principal| Caller {
        principal,
        session_id: 0,
        email: String::new(),
        name: "bench".into(),
        must_change_password: false,
    };
    let page = |company_id, text: &str| pb::ListTicketsRequest {
        company_id,
        text: text.to_string(),
        status_group: if text.is_empty() {
            pb::StatusGroup::Open as i32
        } else {
            0
        },
        // A search keeps the default order (newest first), as the client
        // sends it; the lists sort by update.
        sort: if text.is_empty() {
            pb::TicketSort::Updated as i32
        } else {
            pb::TicketSort::Unspecified as i32
        },
        descending: text.is_empty(),
        page: Some(pb::PageRequest {
            page_size: 50,
            cursor: String::new(),
        }),
        ..Default::default()
    };

    let mut as_manager = Vec::with_capacity(args.samples);
    let mut as_dispatcher = Vec::with_capacity(args.samples);
    let mut search = Vec::with_capacity(args.samples);
    let mut detail = Vec::with_capacity(args.samples);
    for i in 0..args.samples {
        let (contact_id, company_id) = managers[rand::thread_rng().gen_range(0..managers.len())];
        let mut req = tonic::Request::new(page(0, ""));
        req.extensions_mut().insert(caller(Principal::Contact {
            contact_id,
            company_id,
            access: AccessLevel::Manager,
        }));
        let start = Instant::now();
        tickets.list_tickets(req).await?;
        as_manager.push(start.elapsed());

        let dispatcher = caller(Principal::Staff {
            staff_id: 2,
            role: StaffRole::Dispatcher,
        });
        let mut req = tonic::Request::new(page(company_id, ""));
        req.extensions_mut().insert(dispatcher.clone());
        let start = Instant::now();
        tickets.list_tickets(req).await?;
        as_dispatcher.push(start.elapsed());

        let mut req = tonic::Request::new(page(0, WORDS[i % WORDS.len()]));
        req.extensions_mut().insert(dispatcher.clone());
        let start = Instant::now();
        tickets.list_tickets(req).await?;
        search.push(start.elapsed());

        let number = rand::thread_rng().gen_range(FIRST_NUMBER..=max_number);
        let mut req = tonic::Request::new(pb::GetTicketRequest { number });
        req.extensions_mut().insert(dispatcher);
        let start = Instant::now();
        tickets.get_ticket(req).await?;
        detail.push(start.elapsed());
    }
    report_latency(
        "service layer: page of 50, open, by update, as the company's Manager",
        &mut as_manager,
    );
    report_latency(
        "service layer: page of 50, open, by update, Dispatcher filtering by company",
        &mut as_dispatcher,
    );
    report_latency(
        "service layer: full-text search over all tickets, page of 50",
        &mut search,
    );
    report_latency("service layer: one ticket (GetTicket)", &mut detail);
    Ok(())
}

fn report_latency(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1000.0;
    println!(
        "{what}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({} calls)",
        at(0.5),
        at(0.99),
        at(1.0),
        samples.len()
    );
}

/// Runs `call` from `clients` concurrent tasks for `duration`, and prints the
/// successful calls a second and the server's CPU time a call (what the
/// server could serve on its own, whoever else shares the cores).
async fn throughput<F, Fut>(
    what: &str,
    server: &TestServer,
    token: &str,
    (clients, connections): (usize, usize),
    duration: Duration,
    call: F,
) -> anyhow::Result<()>
where
    F: Fn(Session) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<(), tonic::Status>> + Send,
{
    // A few connections, each multiplexing many streams, as real clients would.
    let mut sessions = Vec::new();
    for _ in 0..connections.max(1) {
        sessions.push(Session::new(server.channel().await?, token)?);
    }
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
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
            let (done, failed, stop) = (done.clone(), failed.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    match call(session.clone()).await {
                        Ok(()) => done.fetch_add(1, Ordering::Relaxed),
                        Err(e) => {
                            if failed.fetch_add(1, Ordering::Relaxed) == 0 {
                                eprintln!("  first failure: {e:?}");
                            }
                            0
                        }
                    };
                }
            })
        })
        .collect();
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await?;
    }
    let failed = failed.load(Ordering::Relaxed);
    if failed > 0 {
        eprintln!("  ({failed} calls failed)");
    }
    let calls = done.load(Ordering::Relaxed) as f64;
    let cpu = cpu_seconds(pid)? - cpu_before;
    let own = cpu_seconds(me)? - own_before;
    println!(
        "{what}, {clients} streams over {connections} connections: {:.0} req/s; \
         CPU a call: server {:.0} µs, load generator {:.0} µs",
        calls / start.elapsed().as_secs_f64(),
        cpu / calls * 1e6,
        own / calls * 1e6,
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
struct RssSampler {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<u64>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
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

    async fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap_or(0)
    }
}
