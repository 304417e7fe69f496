//! BillingService against the real server (docs/MONEY.md): the demo's
//! agreements and invoices as a client sees them, billing runs (idempotent,
//! and billing once when two run at the same moment), payments (one per
//! idempotency key however many arrive at once, never above the balance)
//! and the money invariants over every stored invoice.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

use portal_e2e::{Session, TestServer, demo, expect_code, require_tool};
use portal_proto::pb;
use tokio_stream::StreamExt;
use tonic::Code;

async fn invoices(s: &Session, req: pb::ListInvoicesRequest) -> anyhow::Result<Vec<pb::Invoice>> {
    let mut all = Vec::new();
    let mut req = pb::ListInvoicesRequest {
        page: Some(pb::PageRequest {
            page_size: 7,
            cursor: String::new(),
        }),
        ..req
    };
    loop {
        let page = s.billing().list_invoices(req.clone()).await?.into_inner();
        all.extend(page.invoices);
        if page.next_cursor.is_empty() {
            return Ok(all);
        }
        if let Some(p) = req.page.as_mut() {
            p.cursor = page.next_cursor;
        }
    }
}

async fn detail(s: &Session, number: i64) -> anyhow::Result<pb::InvoiceDetail> {
    Ok(s.billing()
        .get_invoice(pb::InvoiceRef { number })
        .await?
        .into_inner())
}

/// The money invariants of one invoice: its lines and tax sum to its
/// total; its balance is the total less confirmed payments, never negative
/// (nothing for a void one); its pending cents are its pending payments.
fn check_invariants(d: &pb::InvoiceDetail) {
    let i = d.invoice.as_ref().expect("invoice");
    let lines: i64 = d.lines.iter().map(|l| l.amount_cents).sum();
    assert_eq!(lines, i.subtotal_cents, "invoice {}", i.number);
    assert_eq!(i.subtotal_cents + i.tax_cents, i.total_cents);
    let by_state = |state: pb::PaymentState| -> i64 {
        d.payments
            .iter()
            .filter(|p| p.state == state as i32)
            .map(|p| p.amount_cents)
            .sum()
    };
    assert_eq!(i.paid_cents, by_state(pb::PaymentState::Confirmed));
    assert_eq!(i.pending_cents, by_state(pb::PaymentState::Pending));
    let void = i.status == pb::InvoiceStatus::Void as i32;
    let owed = if void {
        0
    } else {
        i.total_cents - i.paid_cents
    };
    assert_eq!(i.balance_cents, owed, "invoice {}", i.number);
    assert!(i.balance_cents >= 0);
    for l in &d.lines {
        if l.kind == pb::InvoiceLineKind::Labour as i32 {
            // Minutes at a rate an hour, rounded half away from zero.
            assert_eq!(l.amount_cents, (l.quantity * l.unit_price_cents + 30) / 60);
        } else {
            assert_eq!(l.amount_cents, l.quantity * l.unit_price_cents);
        }
    }
}

#[tokio::test]
async fn a_client_admin_sees_the_demo_money_of_its_company_only() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let mine = invoices(&alice, pb::ListInvoicesRequest::default()).await?;
    let all = invoices(&paula, pb::ListInvoicesRequest::default()).await?;
    assert!(!mine.is_empty() && mine.len() < all.len());
    let harbor = mine[0].company_id;
    assert!(mine.iter().all(|i| i.company_id == harbor));
    // Newest first by default, every status among all of them.
    assert!(mine.windows(2).all(|w| w[0].issued_on >= w[1].issued_on));
    for status in [
        pb::InvoiceStatus::Unpaid,
        pb::InvoiceStatus::PartiallyPaid,
        pb::InvoiceStatus::Paid,
        pb::InvoiceStatus::Void,
    ] {
        assert!(
            all.iter().any(|i| i.status == status as i32),
            "no {status:?} invoice"
        );
    }
    for i in &all {
        check_invariants(&detail(&paula, i.number).await?);
    }

    // Filtered by status, with the count and the summed balance.
    let unpaid = alice
        .billing()
        .list_invoices(pb::ListInvoicesRequest {
            statuses: vec![
                pb::InvoiceStatus::Unpaid as i32,
                pb::InvoiceStatus::PartiallyPaid as i32,
            ],
            sort: pb::InvoiceSort::Balance as i32,
            ..Default::default()
        })
        .await?
        .into_inner();
    let due: i64 = unpaid.invoices.iter().map(|i| i.balance_cents).sum();
    assert_eq!(unpaid.balance_cents, due);
    assert_eq!(unpaid.total, unpaid.invoices.len() as u64);
    assert!(
        unpaid
            .invoices
            .windows(2)
            .all(|w| w[0].balance_cents >= w[1].balance_cents)
    );

    let summary = alice
        .billing()
        .get_billing_summary(pb::BillingSummaryRequest { company_id: 0 })
        .await?
        .into_inner();
    assert_eq!(summary.amount_due_cents, due);
    assert_eq!(summary.unpaid_invoices as usize, unpaid.invoices.len());
    assert!(
        !summary.low_hours.is_empty(),
        "the demo's labour block runs low"
    );

    let agreements = alice
        .billing()
        .list_agreements(pb::ListAgreementsRequest::default())
        .await?
        .into_inner()
        .agreements;
    assert!(agreements.iter().all(|a| a.company_id == harbor));
    let block = agreements
        .iter()
        .find(|a| a.low_hours)
        .expect("a low agreement");
    assert_eq!(
        block.used_minutes + block.left_minutes,
        block.prepaid_minutes
    );
    let one = alice
        .billing()
        .get_agreement(pb::AgreementRef { id: block.id })
        .await?
        .into_inner();
    let burnt: i64 = one.burn_down.iter().map(|m| m.used_minutes).sum();
    assert_eq!(burnt, block.used_minutes);
    assert_eq!(
        one.burn_down.last().map(|m| m.left_minutes),
        Some(block.left_minutes)
    );
    assert!(one.recent_minutes_per_month > 0 && !one.runs_out_on.is_empty());

    // Another company's invoice is not found, like one that does not exist.
    let other = all.iter().find(|i| i.company_id != harbor).expect("other");
    let theirs = expect_code(
        detail(&alice, other.number).await.map_err(status),
        Code::NotFound,
    );
    let none = expect_code(
        detail(&alice, 999_999).await.map_err(status),
        Code::NotFound,
    );
    assert_eq!(theirs.message(), none.message());
    Ok(())
}

fn status(e: anyhow::Error) -> tonic::Status {
    e.downcast::<tonic::Status>()
        .unwrap_or_else(|e| tonic::Status::unknown(e.to_string()))
}

/// The month after `period` (YYYY-MM): the demo billed every month up to
/// the last, so the one after its newest invoices is the current one.
fn month_after(period: &str) -> String {
    let (y, m) = period.split_once('-').expect("YYYY-MM");
    let (y, m): (i32, u32) = (y.parse().expect("year"), m.parse().expect("month"));
    if m == 12 {
        format!("{}-01", y + 1)
    } else {
        format!("{y}-{:02}", m + 1)
    }
}

fn run_request(month: &str) -> pb::BillingRunRequest {
    pb::BillingRunRequest {
        month: month.to_owned(),
        company_id: 0,
    }
}

#[tokio::test]
async fn a_billing_run_bills_once_even_when_two_run_at_the_same_moment() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let before = invoices(&paula, pb::ListInvoicesRequest::default()).await?;
    let last = before
        .iter()
        .map(|i| i.period.clone())
        .max()
        .expect("a period");
    let month = month_after(&last);
    let preview = paula
        .billing()
        .preview_billing_run(run_request(&month))
        .await?
        .into_inner();
    assert!(preview.preview && preview.companies > 0 && preview.lines > 0);
    // A preview writes nothing.
    assert_eq!(
        invoices(&paula, pb::ListInvoicesRequest::default())
            .await?
            .len(),
        before.len()
    );

    let (mut one, mut two) = (paula.billing(), paula.billing());
    let (a, b) = tokio::join!(
        one.run_billing(run_request(&month)),
        two.run_billing(run_request(&month)),
    );
    let (a, b) = (a?.into_inner(), b?.into_inner());
    // The runs are one transaction each: one bills everything, the other nothing.
    let (ran, idle) = if a.companies > 0 { (a, b) } else { (b, a) };
    assert_eq!((idle.companies, idle.lines, idle.total_cents), (0, 0, 0));
    assert_eq!(
        (ran.companies, ran.lines, ran.total_cents),
        (preview.companies, preview.lines, preview.total_cents)
    );
    let after = invoices(&paula, pb::ListInvoicesRequest::default()).await?;
    assert_eq!(after.len(), before.len() + ran.invoices.len());
    let newest = before.iter().map(|i| i.number).max().unwrap_or_default();
    for d in &ran.invoices {
        let i = d.invoice.as_ref().expect("invoice");
        assert!(i.number > newest, "numbers increase");
        assert_eq!(i.period, month);
        check_invariants(&detail(&paula, i.number).await?);
    }

    // Again, and the months the demo billed already: nothing twice.
    let again = paula
        .billing()
        .run_billing(run_request(&month))
        .await?
        .into_inner();
    assert_eq!((again.companies, again.lines), (0, 0));
    let old = paula
        .billing()
        .run_billing(run_request(&last))
        .await?
        .into_inner();
    assert_eq!((old.companies, old.lines), (0, 0));

    // A month not begun, and garbage, are refused by name.
    for bad in ["2999-01", "2026-13", "soon"] {
        let s = expect_code(
            paula.billing().run_billing(run_request(bad)).await,
            Code::InvalidArgument,
        );
        assert!(s.message().starts_with("month:"), "{s:?}");
    }
    Ok(())
}

async fn submit(
    s: &Session,
    number: i64,
    amount_cents: i64,
    key: &str,
) -> Result<pb::Payment, tonic::Status> {
    s.billing()
        .submit_payment(pb::SubmitPaymentRequest {
            invoice_number: number,
            amount_cents,
            method: pb::PaymentMethod::Ach.into(),
            reference: "TX-1".into(),
            idempotency_key: key.into(),
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn invoice_of(s: &Session, number: i64) -> anyhow::Result<pb::Invoice> {
    detail(s, number)
        .await?
        .invoice
        .ok_or_else(|| anyhow::anyhow!("no invoice"))
}

#[tokio::test]
async fn payments_are_recorded_once_per_key_and_never_above_the_balance() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let open = invoices(
        &alice,
        pb::ListInvoicesRequest {
            statuses: vec![pb::InvoiceStatus::Unpaid.into()],
            ..Default::default()
        },
    )
    .await?;
    let target = open
        .iter()
        .find(|i| i.pending_cents == 0 && i.balance_cents > 1000)
        .expect("an unpaid invoice without pending payments");
    let number = target.number;

    // 64 identical submissions at once: one payment.
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..64 {
        let s = alice.clone();
        calls.spawn(async move { submit(&s, number, 1000, "pay-once-0001").await });
    }
    let mut ids = Vec::new();
    while let Some(r) = calls.join_next().await {
        ids.push(r??.id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let listed = alice
        .billing()
        .list_payments(pb::ListPaymentsRequest {
            invoice_number: number,
            ..Default::default()
        })
        .await?
        .into_inner()
        .payments;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, pb::PaymentState::Pending as i32);
    let pending = invoice_of(&alice, number).await?;
    assert_eq!(pending.pending_cents, 1000);
    assert_eq!(
        pending.balance_cents, target.balance_cents,
        "pending pays nothing yet"
    );

    // The same key for another amount, and more than is open: refused by name,
    // nothing changed.
    let s = expect_code(
        submit(&alice, number, 999, "pay-once-0001").await,
        Code::InvalidArgument,
    );
    assert!(s.message().starts_with("idempotency_key:"), "{s:?}");
    let open_cents = target.balance_cents - 1000;
    let s = expect_code(
        submit(&alice, number, open_cents + 1, "pay-too-much").await,
        Code::InvalidArgument,
    );
    assert!(s.message().starts_with("amount_cents:"), "{s:?}");
    assert_eq!(invoice_of(&alice, number).await?, pending);

    // Confirmed, the balance falls: partially paid. Deciding twice is refused.
    paula
        .billing()
        .confirm_payment(pb::PaymentRef { id: ids[0] })
        .await?;
    let partly = invoice_of(&alice, number).await?;
    assert_eq!(partly.balance_cents, target.balance_cents - 1000);
    assert_eq!(partly.status, pb::InvoiceStatus::PartiallyPaid as i32);
    expect_code(
        paula
            .billing()
            .confirm_payment(pb::PaymentRef { id: ids[0] })
            .await,
        Code::FailedPrecondition,
    );

    // A pending payment rejected pays nothing.
    let rejected = submit(&alice, number, 500, "pay-rejected-1").await?;
    let r = paula
        .billing()
        .reject_payment(pb::RejectPaymentRequest {
            id: rejected.id,
            reason: "The transfer bounced".into(),
        })
        .await?
        .into_inner();
    assert_eq!(r.state, pb::PaymentState::Rejected as i32);
    assert_eq!(invoice_of(&alice, number).await?, partly);

    // The provider Admin records the rest, received by check: paid.
    let rest = submit(&paula, number, partly.balance_cents, "check-4471").await?;
    assert_eq!(rest.state, pb::PaymentState::Confirmed as i32);
    let paid = invoice_of(&alice, number).await?;
    assert_eq!(
        (paid.balance_cents, paid.status),
        (0, pb::InvoiceStatus::Paid as i32)
    );
    expect_code(
        submit(&alice, number, 1, "pay-after-paid").await,
        Code::InvalidArgument,
    );
    check_invariants(&detail(&paula, number).await?);

    // Every money event is in the audit log.
    let audit = paula
        .staff()
        .list_audit_log(pb::ListAuditLogRequest {
            action: "payment".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .entries;
    for action in ["payment.recorded", "payment.confirmed", "payment.rejected"] {
        assert!(audit.iter().any(|e| e.action == action), "no {action}");
    }
    Ok(())
}

async fn export(s: &Session, number: i64, format: pb::ExportFormat) -> anyhow::Result<Vec<u8>> {
    let mut stream = s
        .billing()
        .export_invoice(pb::ExportInvoiceRequest {
            number,
            format: format.into(),
        })
        .await?
        .into_inner();
    let mut data = Vec::new();
    while let Some(piece) = stream.next().await {
        data.extend(piece?.data);
    }
    Ok(data)
}

/// The text of a PDF, as `pdftotext` reads it.
fn pdf_text(pdf: &[u8]) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("invoice.pdf");
    std::fs::write(&path, pdf)?;
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()?;
    anyhow::ensure!(out.status.success(), "pdftotext failed");
    Ok(String::from_utf8(out.stdout)?)
}

fn money(cents: i64) -> String {
    let units = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{:02}", cents % 100)
}

#[tokio::test]
#[cfg_attr(
    missing_pdftotext,
    ignore = "pdftotext is not installed (under CI=true this test runs and fails)"
)]
async fn an_invoice_saved_as_pdf_and_text_shows_the_stored_lines_and_totals() -> anyhow::Result<()>
{
    require_tool("pdftotext");
    let server = TestServer::demo().await?;
    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let mine = invoices(&alice, pb::ListInvoicesRequest::default()).await?;
    let number = mine.iter().map(|i| i.number).max().expect("an invoice");
    let stored = detail(&alice, number).await?;
    let i = stored.invoice.as_ref().expect("invoice");
    let pdf = export(&alice, number, pb::ExportFormat::Pdf).await?;
    assert!(pdf.starts_with(b"%PDF"));
    let text = String::from_utf8(export(&alice, number, pb::ExportFormat::Text).await?)?;
    for read in [pdf_text(&pdf)?, text] {
        // Words as the reader sees them, whatever the line breaks.
        let flat = read.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&format!("Invoice {number}")), "{flat}");
        for l in &stored.lines {
            let head: String = l
                .description
                .split_whitespace()
                .take(4)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(flat.contains(&head), "{head} missing");
            assert!(flat.contains(&format!("= {}", money(l.amount_cents))));
        }
        for (label, cents) in [
            ("Subtotal", i.subtotal_cents),
            ("Total", i.total_cents),
            ("Balance due", i.balance_cents),
        ] {
            assert!(
                flat.contains(&format!("{label} {}", money(cents))),
                "{label}"
            );
        }
    }

    // E-mailed to Harbor's billing contact (its Admin) through the outbox.
    let sent = paula
        .billing()
        .email_invoice(pb::InvoiceRef { number })
        .await?
        .into_inner();
    assert_eq!(sent.to, demo::CLIENT_ADMIN);
    // Another company's invoice cannot be saved by a client.
    let theirs = invoices(&paula, pb::ListInvoicesRequest::default())
        .await?
        .into_iter()
        .find(|x| x.company_id != i.company_id)
        .expect("another company's invoice");
    let e = export(&alice, theirs.number, pb::ExportFormat::Pdf)
        .await
        .map_err(status);
    expect_code(e, Code::NotFound);
    Ok(())
}
