//! Customer satisfaction in the client (docs/TICKETS.md "Ratings",
//! docs/REPORTS.md): the requester's question on a closed ticket, the
//! rating popup, the rating staff see, Home's reminder and the
//! satisfaction report: keys in, requests out, replies fed back, snapshots
//! at 80×24 and 120×40.

mod fixtures;

use crossterm::event::KeyCode;
use fixtures::*;
use portal::action::{Reply, ReportCall, Request, TicketCall};
use portal_proto::pb;

fn snap(name: &str, app: &mut portal::app::App) {
    insta::assert_snapshot!(format!("{name}_80x24"), render(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), render(app, 120, 40));
}

/// Ticket 1042, Closed, with `rating` and `can_rate`.
fn closed(rating: Option<pb::Rating>, can_rate: bool) -> pb::TicketDetail {
    let mut d = detail();
    if let Some(t) = &mut d.ticket {
        t.status = pb::TicketStatus::Closed.into();
    }
    d.permissions = Some(pb::TicketPermissions {
        can_post: true,
        can_rate,
        ..Default::default()
    });
    d.rating = rating;
    d
}

/// Opens ticket 1042 as `me`, showing `detail`.
fn open(me: pb::Identity, detail: pb::TicketDetail) -> portal::app::App {
    let mut app = signed_in(me);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.take_requests(), opened(1042));
    show_ticket(&mut app, detail);
    app
}

#[test]
fn the_requester_rates_a_closed_ticket_with_a_digit_and_a_comment() {
    let mut app = open(alice(), closed(None, true));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("How did we do?"), "{screen}");
    assert!(screen.contains("Press * to rate it"), "{screen}");
    press(&mut app, KeyCode::Char('*'));
    snap("rating_popup", &mut app);
    // Out of 1–5: named on the form, nothing sent.
    type_text(&mut app, "9");
    ctrl(&mut app, 's');
    assert!(app.take_requests().is_empty());
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("1 (poor) to 5 (excellent)"), "{screen}");
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "4");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Quick and tidy");
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::Rate {
            number: 1042,
            score: 4,
            comment: "Quick and tidy".into(),
        })]
    );
    // Rated: the popup closes and the ticket reloads.
    reply(
        &mut app,
        Reply::Changed {
            number: 1042,
            what: "thank you for rating it".into(),
        },
    );
    assert_eq!(app.take_requests(), opened(1042));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("#1042: thank you for rating it"),
        "{screen}"
    );
}

#[test]
fn a_server_refusal_of_the_rating_is_shown_on_its_field() {
    let mut app = open(alice(), closed(None, true));
    press(&mut app, KeyCode::Char('*'));
    type_text(&mut app, "5");
    ctrl(&mut app, 's');
    let sent = app.take_requests();
    assert_eq!(sent.len(), 1);
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(sent[0].clone()),
            error: portal::action::ApiError {
                code: tonic::Code::InvalidArgument,
                message: "comment: at most 2000 characters".into(),
            },
        },
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("at most 2000 characters"), "{screen}");
}

#[test]
fn staff_see_the_rating_and_nobody_is_asked_again() {
    let rating = pb::Rating {
        ticket_number: 1042,
        score: 4,
        comment: "Quick and tidy".into(),
        rated_at: ts("2026-11-22T09:30:00Z"),
        contact_name: "Alice Archer".into(),
        staff_name: "Tom Tran".into(),
        ..Default::default()
    };
    let mut app = open(tom(), closed(Some(rating), false));
    snap("rating_shown", &mut app);
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("How did we do?"), "{screen}");
    press(&mut app, KeyCode::Char('*'));
    assert!(app.take_requests().is_empty());
}

#[test]
fn home_asks_the_requester_to_rate_its_closed_tickets() {
    let mut app = signed_in(alice());
    reply(
        &mut app,
        Reply::Stats(pb::TicketStats {
            awaiting_client: 0,
            awaiting_rating: 2,
            ..stats()
        }),
    );
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Rate 2 closed tickets: how did we do?"),
        "{screen}"
    );
    // Enter on the reminder lists the closed tickets.
    press(&mut app, KeyCode::Enter);
    let asked = app.take_requests();
    let listed = asked.iter().any(|r| {
        matches!(r, Request::Ticket(TicketCall::List { query, .. })
            if query.status() == pb::TicketStatus::Closed)
    });
    assert!(listed, "{asked:?}");
}

fn satisfaction() -> pb::Report {
    let col = |name: &str, unit: pb::ReportUnit| pb::ReportColumn {
        name: name.into(),
        unit: unit.into(),
    };
    let mut columns = vec![
        col("month", pb::ReportUnit::Text),
        col("ratings", pb::ReportUnit::Count),
        col("average", pb::ReportUnit::Hundredths),
    ];
    for s in ["1", "2", "3", "4", "5"] {
        columns.push(col(s, pb::ReportUnit::Count));
    }
    let scores: [[i64; 5]; 12] = [
        [0, 1, 1, 3, 2],
        [0, 0, 2, 2, 3],
        [1, 0, 1, 4, 2],
        [0, 0, 1, 3, 4],
        [0, 1, 0, 2, 5],
        [0, 0, 0, 0, 0],
        [0, 0, 2, 3, 3],
        [0, 0, 1, 4, 4],
        [0, 0, 0, 3, 6],
        [0, 1, 1, 2, 6],
        [0, 0, 1, 2, 7],
        [0, 0, 0, 3, 5],
    ];
    let rows = scores
        .iter()
        .enumerate()
        .map(|(i, of)| {
            let n: i64 = of.iter().sum();
            let sum: i64 = of.iter().zip(1..).map(|(c, s)| c * s).sum();
            let average = if n == 0 { 0 } else { (sum * 100 + n / 2) / n };
            let (y, m) = if i < 1 { (2025, 12) } else { (2026, i) };
            let mut values = vec![n, average];
            values.extend(of);
            pb::ReportRow {
                labels: vec![format!("{y}-{m:02}")],
                values,
            }
        })
        .collect();
    pb::Report {
        kind: pb::ReportKind::SatisfactionByMonth.into(),
        title: "Customer satisfaction by month".into(),
        from: "2025-12-01".into(),
        to: "2026-11-30".into(),
        company_id: 1,
        columns,
        rows,
    }
}

#[test]
fn the_satisfaction_report_charts_the_average_month_by_month() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('3'));
    app.take_requests();
    // A client's last report is satisfaction by month (per technician and
    // company are staff's): one step back from the first.
    press(&mut app, KeyCode::Char('['));
    let requests = app.take_requests();
    let Some(Request::Report(ReportCall::Get(request))) = requests.last() else {
        panic!("a report, got {requests:?}")
    };
    assert_eq!(request.kind(), pb::ReportKind::SatisfactionByMonth);
    reply(
        &mut app,
        Reply::Report {
            report: satisfaction(),
            request: request.clone(),
        },
    );
    snap("reports_satisfaction", &mut app);
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("4.33"), "the average as 4.33:\n{screen}");
    let (header, rows) =
        portal::ui::reports::cells(&satisfaction(), portal::ui::reports::Shown::Csv);
    assert_eq!(header[2], "average");
    assert_eq!(rows[0][1..3], ["7".to_owned(), "3.86".to_owned()]);
}
