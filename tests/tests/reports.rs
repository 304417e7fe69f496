//! Reports against the real server over known data (docs/REPORTS.md):
//! tickets written into a demo store in 2020, long before the demo's own,
//! so every figure of 2020 is exact. Each client sees its company's
//! figures only; staff choose a company or all.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

use portal_e2e::{DEMO_PASSWORD, Session, TestServer, bin, demo, expect_code};
use portal_proto::pb;
use rusqlite::{Connection, params};
use tonic::Code;

async fn sign_in(server: &TestServer, email: &str) -> anyhow::Result<Session> {
    let login = server.login(email, DEMO_PASSWORD).await?;
    Session::new(server.channel().await?, &login.token)
}

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// Monday 2 March 2020, 00:00 UTC.
const MARCH_2: i64 = 1_583_107_200_000;
/// Wednesday 1 April 2020, 00:00 UTC.
const APRIL_1: i64 = 1_585_699_200_000;

/// A contact's company and id.
fn contact(conn: &Connection, email: &str) -> anyhow::Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT company_id, id FROM contacts WHERE email = ?1",
        [email],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Harbor: four tickets raised Monday 2 March 2020 09:00 UTC (business
/// hours 08:00–17:00, UTC for this test), answered after 30, 120 and 90
/// business minutes (the last on Friday 16:00, answered Monday 08:30) and
/// one never; one completed the next day at 10:00 (and closed since: the
/// server closes tickets completed over a week ago). Alder & Finch: two in
/// April. Returns (Harbor, Alder & Finch).
fn write_2020(db: &std::path::Path) -> anyhow::Result<(i64, i64)> {
    let conn = Connection::open(db)?;
    conn.execute("UPDATE provider_settings SET time_zone = 'UTC'", [])?;
    let (harbor, uma) = contact(&conn, demo::CLIENT_USER)?;
    let (alder, una) = contact(&conn, demo::OTHER_USER)?;
    let service_type: i64 =
        conn.query_row("SELECT min(id) FROM service_types", [], |r| r.get(0))?;
    let mut insert = conn.prepare(
        "INSERT INTO tickets (company_id, contact_id, service_type_id, title, description,
           priority, status, created_at, updated_at, responded_at, completed_at,
           response_due_at, resolution_due_at)
         VALUES (?1, ?2, ?3, 'Report fixture', '', 3, ?4, ?5, ?5, ?6, ?7, ?5 + 3600000, ?5 + 3 * 86400000)",
    )?;
    let monday = MARCH_2 + 9 * HOUR;
    let friday = MARCH_2 + 4 * DAY + 16 * HOUR;
    let april = APRIL_1 + 10 * HOUR;
    for (company, who, status, created, responded, completed) in [
        (
            harbor,
            uma,
            5,
            monday,
            Some(monday + 30 * MINUTE),
            Some(monday + DAY + HOUR),
        ),
        (harbor, uma, 3, monday, Some(monday + 2 * HOUR), None),
        (harbor, uma, 1, monday, None, None),
        (
            harbor,
            uma,
            2,
            friday,
            Some(friday + 3 * DAY - 7 * HOUR - 30 * MINUTE),
            None,
        ),
        (alder, una, 1, april, Some(april + 30 * MINUTE), None),
        (alder, una, 1, april + DAY, None, None),
    ] {
        insert.execute(params![
            company,
            who,
            service_type,
            status,
            created,
            responded,
            completed
        ])?;
    }
    Ok((harbor, alder))
}

async fn report(
    s: &Session,
    kind: pb::ReportKind,
    company_id: i64,
) -> Result<pb::Report, tonic::Status> {
    s.reports()
        .get_report(pb::ReportRequest {
            kind: kind.into(),
            from: "2020-01".into(),
            to: "2020-12".into(),
            company_id,
        })
        .await
        .map(tonic::Response::into_inner)
}

/// The rows as `label: values`.
fn rows(r: &pb::Report) -> Vec<String> {
    r.rows
        .iter()
        .map(|row| format!("{}: {:?}", row.labels.join(" / "), row.values))
        .collect()
}

#[tokio::test]
async fn reports_count_known_tickets_exactly_and_keep_companies_apart() -> anyhow::Result<()> {
    let mut server = TestServer::demo().await?;
    server.kill().await?;
    let (harbor, alder) = write_2020(&server.db)?;
    server.start().await?;
    let mark = sign_in(&server, demo::CLIENT_MANAGER).await?;
    let max = sign_in(&server, demo::OTHER_MANAGER).await?;
    let dina = sign_in(&server, demo::DISPATCHER).await?;

    let by_status = report(&mark, pb::ReportKind::ByStatus, 0).await?;
    assert_eq!(
        rows(&by_status),
        [
            "New: [1, 1]",
            "In Progress: [1, 1]",
            "Waiting on Client: [1, 1]",
            "Closed: [1, 0]"
        ]
    );
    assert_eq!(
        (by_status.company_id, by_status.from.as_str()),
        (harbor, "2020-01-01")
    );
    assert_eq!(by_status.to, "2020-12-31");
    // The other company's Manager sees its own two; staff choose.
    let theirs = report(&max, pb::ReportKind::ByStatus, 0).await?;
    assert_eq!(rows(&theirs), ["New: [2, 2]"]);
    assert_eq!(
        report(&dina, pb::ReportKind::ByStatus, alder).await?.rows,
        theirs.rows
    );
    assert_eq!(
        report(&dina, pb::ReportKind::ByStatus, harbor).await?.rows,
        by_status.rows
    );
    assert_eq!(
        rows(&report(&dina, pb::ReportKind::ByStatus, 0).await?),
        [
            "New: [3, 3]",
            "In Progress: [1, 1]",
            "Waiting on Client: [1, 1]",
            "Closed: [1, 0]"
        ]
    );
    // Another company's id is not found, for a client and (unknown) for staff.
    let status = expect_code(
        report(&mark, pb::ReportKind::ByStatus, alder).await,
        Code::NotFound,
    );
    assert_eq!(status.message(), "not found");
    expect_code(
        report(&dina, pb::ReportKind::ByStatus, 9_999_999).await,
        Code::NotFound,
    );

    let requests = report(&mark, pb::ReportKind::RequestsByMonth, 0).await?;
    let names: Vec<&str> = requests.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["month", "2019", "2020"]);
    assert_eq!(rows(&requests)[2], "03: [0, 4]");
    assert_eq!(rows(&requests)[3], "04: [0, 0]");

    // Responses: in time, late, never, late (Friday's, due at 17:00);
    // resolutions: one met, three passed (the due times are long gone).
    let sla = report(&mark, pb::ReportKind::SlaByMonth, 0).await?;
    assert_eq!(sla.rows.len(), 12);
    assert_eq!(rows(&sla)[2], "2020-03: [4, 1, 2500, 4, 1, 2500]");
    assert_eq!(
        sla.columns
            .iter()
            .filter(|c| c.unit() == pb::ReportUnit::BasisPoints)
            .count(),
        2
    );
    let sla = report(&dina, pb::ReportKind::SlaByPriority, 0).await?;
    assert_eq!(rows(&sla), ["3 Medium: [6, 2, 3333, 6, 1, 1667]"]);

    let times = report(&mark, pb::ReportKind::ResponseTimes, 0).await?;
    assert_eq!(
        rows(&times),
        [
            "3: [3, 90, 120, 1, 600, 600]",
            "all: [3, 90, 120, 1, 600, 600]"
        ]
    );
    let times = report(&max, pb::ReportKind::ResponseTimes, 0).await?;
    assert_eq!(
        rows(&times),
        ["3: [1, 30, 30, 0, 0, 0]", "all: [1, 30, 30, 0, 0, 0]"]
    );

    // The command line gets the same rows: CSV, JSON and a table.
    let token = server
        .login(demo::CLIENT_MANAGER, DEMO_PASSWORD)
        .await?
        .token;
    let portal = |args: &[&str]| {
        std::process::Command::new(bin("portal"))
            .args(args)
            .env("PORTAL_SERVER", &server.addr)
            .env("PORTAL_TOKEN", &token)
            .output()
    };
    let out = portal(&[
        "reports",
        "by-status",
        "--period",
        "2020-01..2020-12",
        "--csv",
    ])?;
    assert_eq!(
        String::from_utf8(out.stdout)?,
        "status,tickets,open\nNew,1,1\nIn Progress,1,1\nWaiting on Client,1,1\nClosed,1,0\n"
    );
    let out = portal(&["reports", "sla-monthly", "--period", "2020-03", "--csv"])?;
    assert_eq!(
        String::from_utf8(out.stdout)?.lines().nth(1),
        Some("2020-03,4,1,25.00,4,1,25.00")
    );
    let out = portal(&["reports", "times", "--period", "2020-01..2020-12"])?;
    let table = String::from_utf8(out.stdout)?;
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("all") && l.contains("1:30") && l.contains("10:00")),
        "{table}"
    );
    let out = portal(&[
        "reports",
        "by-status",
        "--period",
        "2020-01..2020-12",
        "--json",
    ])?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(json["rows"][0]["values"], serde_json::json!([1, 1]));
    assert_eq!(json["columns"][1]["unit"], "REPORT_UNIT_COUNT");
    let out = portal(&["reports", "by-status", "--period", "2020-13..2020-12"])?;
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8(out.stderr)?.contains("from"));
    let out = portal(&["reports", "time"])?;
    assert_eq!(out.status.code(), Some(4), "staff time is not a Manager's");
    Ok(())
}

/// Harbor's 2020 block of 10 prepaid hours: 2 hours billed in March, 1:30
/// unbilled in April, and 45 no-charge minutes that never draw. The
/// invoices of the demo are replaced by known ones, due days before or
/// after today (mid-bucket, so the day the test runs does not matter):
/// Harbor owes in every bucket; Alder & Finch 31–60 days; a void and a paid
/// invoice and a pending payment owe nothing more. Returns Harbor's name.
fn write_money(db: &std::path::Path) -> anyhow::Result<String> {
    let conn = Connection::open(db)?;
    conn.execute("UPDATE provider_settings SET time_zone = 'UTC'", [])?;
    let (harbor, uma) = contact(&conn, demo::CLIENT_USER)?;
    let (alder, _) = contact(&conn, demo::OTHER_USER)?;
    let name: String =
        conn.query_row("SELECT name FROM companies WHERE id = ?1", [harbor], |r| {
            r.get(0)
        })?;
    let (work_type, service_type, tom): (i64, i64, i64) = conn.query_row(
        "SELECT (SELECT min(id) FROM work_types), (SELECT min(id) FROM service_types),
                (SELECT id FROM staff WHERE email = ?1)",
        [demo::TECHNICIAN],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    conn.execute(
        "INSERT INTO tickets (company_id, contact_id, service_type_id, title, description,
           priority, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'Money fixture', '', 3, 1, ?4, ?4)",
        params![harbor, uma, service_type, MARCH_2],
    )?;
    let ticket = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO agreements (company_id, title, kind, start_date, end_date,
           monthly_amount_cents, prepaid_minutes, created_at, updated_at)
         VALUES (?1, 'Block 2020', 4, '2020-01-01', '2020-12-31', 0, 600, 0, 0)",
        [harbor],
    )?;
    let agreement = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO agreement_work_types (agreement_id, work_type_id) VALUES (?1, ?2)",
        [agreement, work_type],
    )?;
    let mut entry = conn.prepare(
        "INSERT INTO time_entries (ticket_id, company_id, staff_id, staff_name, work_type_id,
           ended_at, minutes, billable, created_at, updated_at, billed_at)
         VALUES (?1, ?2, ?3, 'Tom', ?4, ?5, ?6, ?7, 0, 0, ?8)",
    )?;
    for (ended, minutes, billable, billed) in [
        (MARCH_2 + DAY, 120, true, Some(APRIL_1)),
        (APRIL_1 + DAY, 90, true, None),
        (APRIL_1 + 2 * DAY, 45, false, None),
    ] {
        entry.execute(params![
            ticket, harbor, tom, work_type, ended, minutes, billable, billed
        ])?;
        if billed.is_some() {
            conn.execute(
                "INSERT INTO time_draws (time_entry_id, agreement_id, minutes, ended_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![conn.last_insert_rowid(), agreement, minutes, ended],
            )?;
        }
    }
    conn.execute_batch("DELETE FROM payments; DELETE FROM invoice_lines; DELETE FROM invoices;")?;
    let mut invoice = conn.prepare(
        "INSERT INTO invoices (number, company_id, period, issued_on, due_on, subtotal_cents,
           tax_rate_basis_points, tax_cents, total_cents, paid_cents, created_at, voided_at)
         VALUES (?1, ?2, '2020-01', '2020-01-01', date('now', ?3), ?4, 0, 0, ?4, ?5, 0, ?6)",
    )?;
    for (number, company, due, total, paid, voided) in [
        (1, harbor, "+10 days", 10_000, 0, None),
        (2, harbor, "-15 days", 20_000, 5_000, None),
        (3, harbor, "-45 days", 40_000, 0, None),
        (4, harbor, "-75 days", 80_000, 0, None),
        (5, harbor, "-120 days", 160_000, 0, None),
        (6, harbor, "-120 days", 1_000, 1_000, None),
        (7, harbor, "-120 days", 2_000, 0, Some(1)),
        (8, alder, "-45 days", 7_000, 0, None),
    ] {
        invoice.execute(params![number, company, due, total, paid, voided])?;
    }
    conn.execute(
        "INSERT INTO payments (invoice_id, company_id, amount_cents, method, idempotency_key,
           state, submitted_by, submitted_at)
         SELECT id, company_id, 3000, 1, 'pending-key', 1, 'Mark', 0 FROM invoices WHERE number = 3",
        [],
    )?;
    Ok(name)
}

#[tokio::test]
async fn money_reports_sum_known_agreements_and_invoices_exactly() -> anyhow::Result<()> {
    let mut server = TestServer::demo().await?;
    server.kill().await?;
    let harbor = write_money(&server.db)?;
    server.start().await?;
    let mark = sign_in(&server, demo::CLIENT_MANAGER).await?;
    let max = sign_in(&server, demo::OTHER_MANAGER).await?;
    let paula = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let dina = sign_in(&server, demo::DISPATCHER).await?;

    let hours = report(&mark, pb::ReportKind::AgreementHours, 0).await?;
    let names: Vec<&str> = hours.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["company", "agreement", "month", "bought", "used", "left"]
    );
    let rows_2020 = rows(&hours);
    assert_eq!(rows_2020.len(), 12, "{rows_2020:?}");
    assert_eq!(
        rows_2020[..4],
        [
            format!("{harbor} / Block 2020 / 2020-01: [600, 0, 600]"),
            format!("{harbor} / Block 2020 / 2020-02: [600, 0, 600]"),
            format!("{harbor} / Block 2020 / 2020-03: [600, 120, 480]"),
            format!("{harbor} / Block 2020 / 2020-04: [600, 90, 390]"),
        ]
    );
    assert_eq!(
        rows_2020[11],
        format!("{harbor} / Block 2020 / 2020-12: [600, 0, 390]")
    );
    // The other company has no agreement in 2020; staff choose.
    assert!(
        report(&max, pb::ReportKind::AgreementHours, 0)
            .await?
            .rows
            .is_empty()
    );
    assert_eq!(
        report(&paula, pb::ReportKind::AgreementHours, 0)
            .await?
            .rows,
        hours.rows
    );

    let aging = report(&mark, pb::ReportKind::InvoiceAging, 0).await?;
    assert_eq!(
        rows(&aging),
        [format!(
            "{harbor}: [10000, 15000, 40000, 80000, 160000, 305000]"
        )]
    );
    assert!(
        aging
            .columns
            .iter()
            .skip(1)
            .all(|c| c.unit() == pb::ReportUnit::Cents)
    );
    assert_eq!(
        rows(&report(&max, pb::ReportKind::InvoiceAging, 0).await?),
        ["Alder & Finch Architects: [0, 0, 7000, 0, 0, 7000]"]
    );
    assert_eq!(
        rows(&report(&paula, pb::ReportKind::InvoiceAging, 0).await?),
        [
            "Alder & Finch Architects: [0, 0, 7000, 0, 0, 7000]".to_owned(),
            format!("{harbor}: [10000, 15000, 40000, 80000, 160000, 305000]"),
            "total: [10000, 15000, 47000, 80000, 160000, 312000]".to_owned(),
        ]
    );
    // Money is not a Dispatcher's; another company's is not found.
    for kind in [pb::ReportKind::AgreementHours, pb::ReportKind::InvoiceAging] {
        expect_code(report(&dina, kind, 0).await, Code::PermissionDenied);
        let alder = contact(&Connection::open(&server.db)?, demo::OTHER_USER)?.0;
        expect_code(report(&mark, kind, alder).await, Code::NotFound);
    }

    // The command line prints the same cents with two decimals.
    let token = server
        .login(demo::CLIENT_MANAGER, DEMO_PASSWORD)
        .await?
        .token;
    let out = std::process::Command::new(bin("portal"))
        .args(["reports", "invoice-aging", "--csv"])
        .env("PORTAL_SERVER", &server.addr)
        .env("PORTAL_TOKEN", &token)
        .output()?;
    let csv = String::from_utf8(out.stdout)?;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "company,current,1–30 days,31–60 days,61–90 days,over 90 days,total"
    );
    assert!(
        lines[1].ends_with(",100.00,150.00,400.00,800.00,1600.00,3050.00"),
        "{csv}"
    );
    Ok(())
}
