//! `portal-bench`: the figures in docs/BENCHMARKS.md, measured against the
//! real `portal-server` binary (from the same target directory) over a store
//! made by `portal-server gen`.
//!
//! ```sh
//! cargo build --release -p portal-server -p portal-e2e -p portal --bins
//! target/release/portal-server gen --db /tmp/big.db
//! target/release/portal-bench --db /tmp/big.db
//! ```
//!
//! Every line says how many calls succeeded and failed; a run with a
//! failed call says so in its summary and exits with status 1.

mod gateway;
mod mail_export;
mod mail_in;
mod measure;
mod money;
mod startup;
mod workload;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use portal_e2e::{Session, TestServer};
use portal_proto::pb;
use portal_server::store::{Store, StoreOptions};
use rand::Rng;

use measure::{Latencies, RssSampler, Summary, throughput};
use workload::{PAGE, Workload};

/// Ticket numbers start here.
const FIRST_NUMBER: i64 = 1001;

#[derive(Parser)]
struct Args {
    /// A store made by `portal-server gen` (not needed for `--only startup`).
    #[arg(long)]
    db: Option<PathBuf>,
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
    /// Sequential calls per latency line.
    #[arg(long, default_value_t = 2000)]
    samples: usize,
    /// Search terms of each kind (rare, common, multi-word, prefix).
    #[arg(long, default_value_t = 300)]
    terms: usize,
    /// Starts of the client in the start-up run (and of `ssh` in the gateway run).
    #[arg(long, default_value_t = 20)]
    starts: usize,
    /// SSH sessions held at once in the gateway run.
    #[arg(long, default_value_t = 200)]
    ssh_sessions: usize,
    /// Only these measurements (comma-separated); all by default.
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Run>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Run {
    /// Ticket handlers in-process: pages, searches and single tickets.
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
    /// `StartTimer` and `StopTimer`, one client, on random tickets.
    Timers,
    /// `ExportTicket` of a ticket with 200 entries (adds it to the store).
    Export,
    /// The mail sender draining 1,000 queued messages (adds them to the
    /// store's outbox; needs Python's aiosmtpd).
    Mail,
    /// Replies by mail into the SMTP listener, against a demo store (needs
    /// Python's aiosmtpd for the mail out that carries the reply address).
    MailIn,
    /// The `portal` client's start-up, from outside, against a demo store.
    Startup,
    /// Every report of `GetReport`, the last twelve months, for all
    /// companies and for one (docs/REPORTS.md).
    Reports,
    /// The SSH gateway against a demo store: `ssh` to Home, and
    /// `--ssh-sessions` held at once (needs OpenSSH and tmux).
    Gateway,
    /// Invoice pages, one invoice and its PDF, and the billing run of the
    /// month `gen` left unbilled, run twice (adds invoices to the store).
    Money,
}

impl Args {
    fn wants(&self, run: Run) -> bool {
        self.only.is_empty() || self.only.contains(&run)
    }

    fn wants_store(&self) -> bool {
        [
            Run::Service,
            Run::Latency,
            Run::Floor,
            Run::Reads,
            Run::Pages,
            Run::Creates,
            Run::Timers,
            Run::Export,
            Run::Mail,
            Run::Reports,
            Run::Money,
        ]
        .into_iter()
        .any(|r| self.wants(r))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let mut summary = Summary::default();
    if args.wants_store() {
        let db = args.db.as_ref().ok_or_else(|| {
            anyhow::anyhow!("--db: a store made by `portal-server gen` is needed")
        })?;
        let store = Store::open(db, &StoreOptions::default())?;
        let work = Workload::choose(&store, args.terms).await?;
        if args.wants(Run::Service) {
            service_layer(&mut summary, store, &work, args.samples).await?;
        } else {
            drop(store);
        }
        over_grpc(&mut summary, &args, db, &work).await?;
        if args.wants(Run::Mail)
            && let Err(e) = mail_export::mail(&mut summary, db).await
        {
            summary.failed("mail sender", &e);
        }
    }
    if args.wants(Run::MailIn)
        && let Err(e) = mail_in::mail_in(&mut summary).await
    {
        summary.failed("mail in", &e);
    }
    if args.wants(Run::Startup)
        && let Err(e) = startup::startup(&mut summary, args.starts).await
    {
        summary.failed("start-up from outside", &e);
    }
    if args.wants(Run::Gateway)
        && let Err(e) = gateway::gateway(&mut summary, args.starts, args.ssh_sessions).await
    {
        summary.failed("SSH gateway", &e);
    }
    Ok(if summary.finish() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The measurements over gRPC, against `portal-server serve` over the store.
async fn over_grpc(
    summary: &mut Summary,
    args: &Args,
    db: &Path,
    work: &Workload,
) -> anyhow::Result<()> {
    let server = TestServer::over(db, &[]).await?;
    let pid = server
        .pid()
        .ok_or_else(|| anyhow::anyhow!("server is not running"))?;
    let login = server.login(&args.email, &args.password).await?;
    let session = Session::new(server.channel().await?, &login.token)?;
    let rss = RssSampler::start(pid);

    if args.wants(Run::Latency) {
        latency(summary, &session, work, args.samples).await;
    }
    if args.wants(Run::Reports) {
        reports(summary, &session, work, args.samples).await;
    }
    if args.wants(Run::Money) {
        let companies: Vec<i64> = work.full.iter().map(|c| c.id).collect();
        if let Err(e) = money::money(summary, &session, &companies, args.samples).await {
            summary.failed("money", &e);
        }
    }

    let load = (args.clients, args.connections);
    let seconds = Duration::from_secs(args.seconds);
    if args.wants(Run::Floor) {
        throughput(
            summary,
            "transport ceiling (GetPasswordPolicy, no store)",
            &server,
            &login.token,
            load,
            seconds,
            |s| async move {
                s.auth()
                    .get_password_policy(pb::Empty {})
                    .await
                    .map(|_| None)
            },
        )
        .await?;
    }
    if args.wants(Run::Reads) {
        let max_number = work.max_number;
        throughput(
            summary,
            "single-ticket reads (GetTicket)",
            &server,
            &login.token,
            load,
            seconds,
            move |s| async move {
                let number = rand::thread_rng().gen_range(FIRST_NUMBER..=max_number);
                s.tickets()
                    .get_ticket(pb::GetTicketRequest { number })
                    .await
                    .map(|_| None)
            },
        )
        .await?;
    }
    if args.wants(Run::Pages) {
        let full = work.full.clone();
        throughput(
            summary,
            "pages of 50 open tickets of a company, by update (ListTickets)",
            &server,
            &login.token,
            load,
            seconds,
            move |s| {
                let company = full[rand::thread_rng().gen_range(0..full.len())].id;
                async move {
                    s.tickets()
                        .list_tickets(open_page(company))
                        .await
                        .map(|r| Some(r.into_inner().tickets.len()))
                }
            },
        )
        .await?;
    }
    if args.wants(Run::Creates) {
        creates(summary, &server, &session, args).await?;
    }
    if args.wants(Run::Timers) {
        timers(summary, &session, work.max_number, args.samples).await;
    }
    if args.wants(Run::Export) {
        let client = server.login(&args.client_email, &args.password).await?;
        let client = Session::new(server.channel().await?, &client.token)?;
        let samples = args.samples.min(500);
        mail_export::export(summary, &session, &client, samples).await?;
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
            page_size: PAGE,
            cursor: String::new(),
        }),
        ..Default::default()
    }
}

/// The first Triage page: every company's open tickets by next SLA
/// deadline (docs/TICKETS.md, "The next deadline and its state").
fn triage_page(breached: bool) -> pb::ListTicketsRequest {
    pb::ListTicketsRequest {
        status_group: pb::StatusGroup::Open as i32,
        sort: pb::TicketSort::NextDue as i32,
        breached,
        page: Some(pb::PageRequest {
            page_size: PAGE,
            cursor: String::new(),
        }),
        ..Default::default()
    }
}

/// A search over all tickets, page of 50, in the order the client asks
/// for (the default: newest first).
fn search_page(text: &str) -> pb::ListTicketsRequest {
    pb::ListTicketsRequest {
        text: text.to_owned(),
        page: Some(pb::PageRequest {
            page_size: PAGE,
            cursor: String::new(),
        }),
        ..Default::default()
    }
}

/// Sequential calls from one client: pages and searches.
async fn latency(summary: &mut Summary, session: &Session, work: &Workload, samples: usize) {
    let mut pages = Latencies::default();
    for _ in 0..samples {
        let company = work.company().id;
        pages
            .time(async {
                session
                    .tickets()
                    .list_tickets(open_page(company))
                    .await
                    .map(|r| Some(r.into_inner().tickets.len()))
            })
            .await;
    }
    pages.report(
        summary,
        "page of 50 open tickets of a company, by update (gRPC, 1 client)",
    );
    for (breached, what) in [(false, "all"), (true, "breached")] {
        let mut triage = Latencies::default();
        for _ in 0..samples {
            triage
                .time(async {
                    session
                        .tickets()
                        .list_tickets(triage_page(breached))
                        .await
                        .map(|r| Some(r.into_inner().tickets.len()))
                })
                .await;
        }
        triage.report(
            summary,
            &format!(
                "Triage: page of 50 of {what} open tickets, by next deadline (gRPC, 1 client)"
            ),
        );
    }

    for class in &work.terms {
        let mut search = Latencies::default();
        for i in 0..samples {
            let Some(term) = class.terms.get(i % class.terms.len().max(1)) else {
                break;
            };
            search
                .time(async {
                    session
                        .tickets()
                        .list_tickets(search_page(term))
                        .await
                        .map(|r| Some(r.into_inner().tickets.len()))
                })
                .await;
        }
        search.report(
            summary,
            &format!(
                "full-text search, {} terms, page of 50 (gRPC, 1 client)",
                class.name
            ),
        );
    }
}

/// Each report over the last twelve months, `samples` times, for every
/// company and for one drawn at random (docs/REPORTS.md).
async fn reports(summary: &mut Summary, session: &Session, work: &Workload, samples: usize) {
    // Every kind the server knows, the ones added later too.
    let kinds = (1..).map_while(|k| pb::ReportKind::try_from(k).ok());
    for kind in kinds {
        for all in [true, false] {
            let mut times = Latencies::default();
            for _ in 0..samples.clamp(1, 50) {
                let company_id = if all { 0 } else { work.company().id };
                times
                    .time(async {
                        session
                            .reports()
                            .get_report(pb::ReportRequest {
                                kind: kind.into(),
                                company_id,
                                ..Default::default()
                            })
                            .await
                            .map(|r| Some(r.into_inner().rows.len()))
                    })
                    .await;
            }
            let whose = if all { "all companies" } else { "one company" };
            times.report(
                summary,
                &format!(
                    "report {}, 12 months, {whose} (gRPC, 1 client)",
                    kind.as_str_name()
                ),
            );
        }
    }
}

/// The signed-in staff member's timer started on a random ticket and
/// stopped, `samples` times, one call at a time (docs/MONEY.md "The timer").
async fn timers(summary: &mut Summary, session: &Session, max_number: i64, samples: usize) {
    let (mut starts, mut stops) = (Latencies::default(), Latencies::default());
    // A timer left by an earlier, interrupted run would refuse every start.
    let _ = session.work().stop_timer(pb::Empty {}).await;
    for _ in 0..samples {
        let number = rand::thread_rng().gen_range(FIRST_NUMBER..=max_number);
        starts
            .time(async {
                session
                    .work()
                    .start_timer(pb::StartTimerRequest { number })
                    .await
                    .map(|_| None)
            })
            .await;
        stops
            .time(async { session.work().stop_timer(pb::Empty {}).await.map(|_| None) })
            .await;
    }
    starts.report(summary, "timer start (StartTimer, gRPC, 1 client)");
    stops.report(summary, "timer stop (StopTimer, gRPC, 1 client)");
}

/// Tickets raised concurrently by a company's User.
async fn creates(
    summary: &mut Summary,
    server: &TestServer,
    session: &Session,
    args: &Args,
) -> anyhow::Result<()> {
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
        summary,
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
                .map(|_| None)
        },
    )
    .await
}

/// Latency of the ticket handlers called in-process (no network), as a
/// company's Manager, as a Dispatcher filtering by company, searching, and
/// reading one ticket.
async fn service_layer(
    summary: &mut Summary,
    store: Store,
    work: &Workload,
    samples: usize,
) -> anyhow::Result<()> {
    use portal_proto::pb::ticket_service_server::TicketService;
    use portal_server::domain::{AccessLevel, Caller, Principal, StaffRole};

    // The word list searches expand a prefix from, loaded as `serve` loads
    // it at start (store::search_terms), and timed apart from the searches.
    let started = std::time::Instant::now();
    let terms = store.search_terms();
    store.read(move |conn| terms.warm(conn)).await?;
    println!(
        "service layer: search words loaded (as `serve` does at start) in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
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
    let dispatcher = caller(Principal::Staff {
        staff_id: 2,
        role: StaffRole::Dispatcher,
    });
    let as_who = |req: pb::ListTicketsRequest, who: &Caller| {
        let mut req = tonic::Request::new(req);
        req.extensions_mut().insert(who.clone());
        req
    };
    let rows = |r: Result<tonic::Response<pb::ListTicketsResponse>, tonic::Status>| {
        r.map(|r| Some(r.into_inner().tickets.len()))
    };

    let mut as_manager = Latencies::default();
    let mut as_dispatcher = Latencies::default();
    let mut detail = Latencies::default();
    for _ in 0..samples {
        let company = work.company();
        let manager = caller(Principal::Contact {
            contact_id: company.manager,
            company_id: company.id,
            access: AccessLevel::Manager,
        });
        // The Manager's own company is the scope; no filter needed.
        let req = as_who(open_page(0), &manager);
        as_manager
            .time(async { rows(tickets.list_tickets(req).await) })
            .await;

        let req = as_who(open_page(company.id), &dispatcher);
        as_dispatcher
            .time(async { rows(tickets.list_tickets(req).await) })
            .await;

        let number = rand::thread_rng().gen_range(FIRST_NUMBER..=work.max_number);
        let mut req = tonic::Request::new(pb::GetTicketRequest { number });
        req.extensions_mut().insert(dispatcher.clone());
        detail
            .time(async { tickets.get_ticket(req).await.map(|_| None) })
            .await;
    }
    as_manager.report(
        summary,
        "service layer: page of 50 open tickets, by update, as the company's Manager",
    );
    as_dispatcher.report(
        summary,
        "service layer: page of 50 open tickets, by update, a Dispatcher filtering by company",
    );
    detail.report(summary, "service layer: one ticket (GetTicket)");

    for class in &work.terms {
        let mut search = Latencies::default();
        for i in 0..samples {
            let Some(term) = class.terms.get(i % class.terms.len().max(1)) else {
                break;
            };
            let req = as_who(search_page(term), &dispatcher);
            search
                .time(async { rows(tickets.list_tickets(req).await) })
                .await;
        }
        search.report(
            summary,
            &format!(
                "service layer: full-text search over all tickets, {} terms, page of 50",
                class.name
            ),
        );
    }
    Ok(())
}
