//! Client speed: `cargo bench -p portal --bench client`.
//!
//! - a full Tickets screen at 200×60 (target ≤ 1 ms a frame);
//! - bytes written when the selection moves one row at 120×40 (≤ 2 KiB);
//! - start-up to Home painted, in-process, against a demo server: the one
//!   `PORTAL_BENCH_SERVER` names (e.g. `portal-server serve` over a store
//!   made by `portal-server demo`), else the embedded demo server, whose
//!   store is made before the clock starts. `portal-bench --only startup`
//!   measures start-up from outside (exec through a pty).
//!
//! `tests/client_bench.rs` runs it at `TINY` size so the code keeps working.

#[path = "../tests/fixtures.rs"]
#[allow(clippy::pedantic, clippy::unwrap_used)]
mod fixtures;

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use portal::action::{Action, AuthCall, ListId, Request};
use portal::app::{App, Phase};
use portal::client::{self, Client, Target};
use portal::keys::KeyMap;
use portal::theme::Theme;
use portal_proto::pb;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

/// Counts what would go to the terminal.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn terminal(width: u16, height: u16, counter: &Counter) -> Terminal<CrosstermBackend<Counter>> {
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
    };
    Terminal::with_options(CrosstermBackend::new(counter.clone()), options).expect("terminal")
}

fn tickets_screen(rows: i64) -> App {
    let mut app = fixtures::signed_in(fixtures::alice());
    fixtures::press(&mut app, KeyCode::Char('2'));
    fixtures::press(&mut app, KeyCode::Char('S'));
    let requests = app.take_requests();
    let statuses = [
        pb::TicketStatus::New,
        pb::TicketStatus::InProgress,
        pb::TicketStatus::WaitingOnClient,
    ];
    let tickets = (0..rows)
        .map(|i| {
            let title = format!(
                "Workstation {i} in the lab cannot reach the shared drive since the update"
            );
            fixtures::ticket(
                5000 - i,
                &title,
                statuses[(i % 3) as usize],
                (i % 5 + 1) as i32,
                "2026-11-19T10:00:00Z",
            )
        })
        .collect();
    fixtures::answer_tickets(&mut app, &requests, ListId::Tickets, tickets, "next");
    app
}

/// How much each measurement does.
pub struct Size {
    /// Frames per rendering figure.
    pub frames: u32,
    /// Starts timed in the start-up figure.
    pub starts: usize,
}

pub const FULL: Size = Size {
    frames: 2000,
    starts: 20,
};

/// Enough to run every line once; the figures mean nothing.
pub const TINY: Size = Size {
    frames: 3,
    starts: 2,
};

fn per_frame(total: Duration, frames: u32) -> String {
    format!("{:.3} ms", total.as_secs_f64() * 1000.0 / f64::from(frames))
}

fn bench_render(frames: u32) {
    let counter = Counter::default();
    let mut app = tickets_screen(100);
    let mut term = terminal(200, 60, &counter);
    term.draw(|f| app.render(f)).expect("draw");
    // Building the frame alone: widgets into a cleared buffer, no output.
    let start = Instant::now();
    for _ in 0..frames {
        term.current_buffer_mut().reset();
        let mut frame = term.get_frame();
        app.render(&mut frame);
    }
    println!(
        "tickets 200x60, frame built:         {} a frame",
        per_frame(start.elapsed(), frames)
    );
    // Full repaints: every cell is drawn and written.
    let start = Instant::now();
    for _ in 0..frames {
        term.clear().expect("clear");
        term.draw(|f| app.render(f)).expect("draw");
    }
    println!(
        "tickets 200x60, full repaint:        {} a frame",
        per_frame(start.elapsed(), frames)
    );
    // The usual frame: the selection moves one row.
    let start = Instant::now();
    for i in 0..frames {
        let key = if (i / 40) % 2 == 0 {
            KeyCode::Down
        } else {
            KeyCode::Up
        };
        fixtures::press(&mut app, key);
        app.take_requests();
        term.draw(|f| app.render(f)).expect("draw");
    }
    println!(
        "tickets 200x60, selection moves:     {} a frame",
        per_frame(start.elapsed(), frames)
    );
}

fn bench_bytes() {
    let counter = Counter::default();
    let mut app = tickets_screen(100);
    let mut term = terminal(120, 40, &counter);
    term.draw(|f| app.render(f)).expect("draw");
    let mut worst = 0;
    for _ in 0..20 {
        fixtures::press(&mut app, KeyCode::Down);
        app.take_requests();
        let before = counter.0.load(Ordering::Relaxed);
        term.draw(|f| app.render(f)).expect("draw");
        worst = worst.max(counter.0.load(Ordering::Relaxed) - before);
    }
    println!("tickets 120x40, one row down:        {worst} bytes written (worst of 20)");
}

fn bench_startup(url: &str, starts: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut times = Vec::new();
    for _ in 0..starts {
        let start = Instant::now();
        runtime.block_on(async {
            let target = Target {
                url: url.to_owned(),
                ca: None,
                use_keyring: false,
            };
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let client = Client::new(client::channel(&target).expect("channel"), target, tx);
            let first = Request::Auth(AuthCall::Login {
                email: fixtures::alice().email,
                password: "Portal-Demo-2026!".to_owned(),
                remember: false,
            });
            let mut app = App::new(Theme::default(), KeyMap::default(), url.to_owned(), first);
            let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
            loop {
                for request in app.take_requests() {
                    client.dispatch(request);
                }
                let home_ready = match &app.phase {
                    Phase::Main(main) => main.home.stats.is_some() && !main.home.open.is_empty(),
                    Phase::Login(login) => {
                        assert!(login.error.is_none(), "sign-in failed: {:?}", login.error);
                        false
                    }
                };
                if home_ready {
                    term.draw(|f| app.render(f)).expect("draw");
                    break;
                }
                match rx.recv().await {
                    Some(Action::Reply(reply)) => app.handle_action(Action::Reply(reply)),
                    Some(other) => app.handle_action(other),
                    None => panic!("client stopped"),
                }
            }
        });
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "start-up to Home painted, in-process, no exec or terminal set-up ({url}, its store made \
         before timing):  median {:.1} ms, min {:.1} ms, max {:.1} ms over {} runs",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0,
        times.len()
    );
}

fn main() {
    run(&FULL);
}

/// Every measurement, printed.
pub fn run(size: &Size) {
    bench_render(size.frames);
    bench_bytes();
    if let Ok(url) = std::env::var("PORTAL_BENCH_SERVER") {
        bench_startup(&url, size.starts);
    } else {
        // The embedded demo server, started once and not timed.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let demo = runtime
            .block_on(portal::demo::start())
            .expect("demo server");
        let url = demo.url.clone();
        std::thread::spawn(move || {
            runtime.block_on(async move {
                let _demo = demo;
                std::future::pending::<()>().await;
            });
        });
        bench_startup(&url, size.starts);
    }
}
