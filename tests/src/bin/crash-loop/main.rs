//! `crash-loop`: kills `portal-server` with SIGKILL, over and over, under a
//! mixed write load, and proves after each kill that the store is whole and
//! holds exactly what the server acknowledged (docs/RELIABILITY.md).
//!
//! One cycle: start the server over the same store; many clients create
//! tickets, post, upload, change status, log time, pay invoices and try
//! writes the server must refuse (posts it may not make, payments above the
//! balance); `kill -9` at a random moment; then, on the store the dead
//! server left, `PRAGMA integrity_check` and `foreign_key_check`, and a check
//! that every acknowledged write (of every cycle so far) is there, every
//! attachment's bytes match their SHA-256, and no refused write is.
//!
//! ```sh
//! cargo build -p portal-e2e -p portal-server --bins
//! target/debug/crash-loop --cycles 200 --clients 32
//! ```
//!
//! It prints a line per cycle and a summary; any lost or refused-but-stored
//! write, integrity error or unexpected answer makes it exit with status 1.

mod check;
mod load;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo};
use portal_proto::pb;
use rand::{Rng, SeedableRng};

use load::{Ledger, Sessions, Setup};

#[derive(Parser)]
struct Args {
    /// Kill-and-restart cycles.
    #[arg(long, default_value_t = 10)]
    cycles: u32,
    /// Concurrent clients, each on its own connection.
    #[arg(long, default_value_t = 16)]
    clients: u32,
    /// The seed of every random choice (the kill moments, the mix); by
    /// default one from the clock, printed so a run can be repeated.
    #[arg(long)]
    seed: Option<u64>,
    /// The kill comes at a random moment this many milliseconds at least
    /// after the load starts ...
    #[arg(long, default_value_t = 50)]
    min_kill_ms: u64,
    /// ... and at most this many.
    #[arg(long, default_value_t = 1500)]
    max_kill_ms: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    anyhow::ensure!(
        args.min_kill_ms <= args.max_kill_ms,
        "--min-kill-ms must not exceed --max-kill-ms"
    );
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    println!(
        "crash-loop: {} cycles, {} clients, seed {seed}",
        args.cycles, args.clients
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut server = TestServer::demo().await?;
    let tokens = (
        server.login(demo::CLIENT_USER, DEMO_PASSWORD).await?.token,
        server.login(demo::DISPATCHER, DEMO_PASSWORD).await?.token,
        server.login(demo::CLIENT_ADMIN, DEMO_PASSWORD).await?.token,
    );
    let setup = Setup::read(
        &server.as_demo(demo::DISPATCHER).await?,
        &server.as_demo(demo::CLIENT_ADMIN).await?,
    )
    .await?;
    let mut ledger = Ledger::default();
    let mut survived = 0;
    let started = Instant::now();
    for cycle in 1..=args.cycles {
        if cycle > 1 {
            server.start().await?;
        }
        let mut clients = Vec::new();
        for _ in 0..args.clients {
            let channel = server.channel().await?;
            clients.push(Sessions {
                client: Session::new(channel.clone(), &tokens.0)?,
                staff: Session::new(channel.clone(), &tokens.1)?,
                payer: Session::new(channel, &tokens.2)?,
            });
        }
        let kill_after = Duration::from_millis(rng.gen_range(args.min_kill_ms..=args.max_kill_ms));
        let load = load::run(cycle, seed, clients, setup);
        tokio::time::sleep(kill_after).await;
        server.kill().await?;
        let outcome = load.finish().await?;
        let report = check::store(&server.db, &mut ledger, outcome)?;
        println!(
            "cycle {cycle}: killed after {} ms; {}",
            kill_after.as_millis(),
            report.line()
        );
        if !report.passed() {
            println!("FAILED: {}", report.problems.join("; "));
            summary(
                survived,
                args.cycles,
                &ledger,
                report.problems.len(),
                started,
            );
            return Ok(ExitCode::FAILURE);
        }
        survived += 1;
    }
    summary(survived, args.cycles, &ledger, 0, started);
    Ok(ExitCode::SUCCESS)
}

fn summary(survived: u32, cycles: u32, ledger: &Ledger, problems: usize, started: Instant) {
    println!(
        "crash-loop: {survived} of {cycles} cycles survived; {} acknowledged ({} payments) and \
         {} refused writes checked after every kill; {problems} problems (lost or \
         refused-but-stored writes, integrity errors); {:.0} s",
        ledger.acknowledged(),
        ledger.payments.len(),
        ledger.refused.len(),
        started.elapsed().as_secs_f64()
    );
}

/// The ticket status a staff member moves a ticket to next: In Progress
/// and Scheduled in turn (both allowed from New and from each other).
pub fn next_status(current: i32) -> i32 {
    if current == pb::TicketStatus::InProgress as i32 {
        pb::TicketStatus::Scheduled as i32
    } else {
        pb::TicketStatus::InProgress as i32
    }
}
