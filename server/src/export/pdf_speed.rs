//! How fast the PDF renderer is, in process and without a store: the
//! largest invoice of the 1M store (1,563 lines) and a ticket with 200
//! timeline entries, each rendered many times (docs/BENCHMARKS.md). Run
//! with `cargo test --release -p portal-server --lib pdf_speed -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use super::document::{Block, Document};
use super::{Format, render};

fn field(label: &str, value: &str) -> Block {
    Block::Field(label.to_owned(), value.to_owned())
}

/// Shaped like `invoice_document` of a large client's month of labour.
fn invoice(lines: usize) -> Document {
    let mut blocks = vec![
        field("Bill to", "Northwind Logistics GmbH"),
        field("Period", "October 2026"),
        field("Issued", "2026-11-01"),
        field("Due", "2026-12-01"),
        field("Status", "Unpaid"),
        Block::Heading(format!("Lines ({lines})")),
    ];
    blocks.extend((0..lines).map(|i| Block::Entry {
        head: format!(
            "#{} Printer on the second floor jams after a toner change — 1:{:02} h labour",
            400_000 + i,
            i % 60
        ),
        body: format!(
            "Labour: 1:{:02} h at 150.00/h = {}.50",
            i % 60,
            150 + i % 90
        ),
    }));
    blocks.push(Block::Heading("Totals (EUR)".into()));
    for (label, value) in [
        ("Subtotal", "351,234.50"),
        ("Tax 19.00 %", "66,734.56"),
        ("Total", "417,969.06"),
        ("Paid", "0.00"),
        ("Balance due", "417,969.06"),
    ] {
        blocks.push(field(label, value));
    }
    Document {
        title: "Invoice INV-2026-10-0042".into(),
        subtitle: "From Acme IT Services".into(),
        blocks,
    }
}

/// Shaped like `ticket_document` of portal-bench's exported ticket.
fn ticket(entries: usize) -> Document {
    let mut blocks = vec![
        Block::Heading("Details".into()),
        field("Status", "In progress"),
        field("Priority", "P3 Medium"),
        field("Company", "Northwind Logistics GmbH"),
        field("Created", "2026-11-30 09:12 CET"),
        Block::Heading("Description".into()),
        Block::Paragraph("A ticket with a long timeline, exported by portal-bench".into()),
        Block::Heading(format!("Timeline ({entries})")),
    ];
    blocks.extend((0..entries).map(|i| Block::Entry {
        head: format!("2026-11-30 10:{:02} CET  Alice Agent  (Post)", i % 60),
        body: format!(
            "Update {i}: checked the switch, the cabling and the printer queue; \
             the next step follows after lunch."
        ),
    }));
    Document {
        title: "Ticket #1000001: Benchmark export".into(),
        subtitle: "Acme IT Services, exported 2026-12-01 10:00 CET".into(),
        blocks,
    }
}

fn measure(what: &str, doc: &Document, samples: usize) {
    let mut times: Vec<Duration> = Vec::with_capacity(samples);
    let mut size = 0;
    for _ in 0..samples {
        let start = Instant::now();
        size = render(doc, Format::Pdf).len();
        times.push(start.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((samples - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    println!(
        "{what}: {} KiB, {samples} renders, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        size / 1024,
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

#[test]
#[ignore = "a measurement: run with --release --ignored --nocapture"]
fn pdf_speed() {
    measure("invoice of 1,563 lines", &invoice(1563), 300);
    measure("ticket of 200 timeline entries", &ticket(200), 300);
}
