//! BillingService against the real server (docs/MONEY.md): the demo's
//! agreements and invoices as a client sees them, billing runs (idempotent,
//! and billing once when two run at the same moment), payments (one per
//! idempotency key however many arrive at once, never above the balance)
//! and the money invariants over every stored invoice.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

use portal_e2e::{Session, TestServer, demo, expect_code, pdf_text, require_tool};
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
    // The demo's block is used up on some days and not on others: a forecast
    // is given exactly while hours are left.
    assert!(one.recent_minutes_per_month > 0, "{one:?}");
    assert_eq!(
        one.runs_out_on.is_empty(),
        block.left_minutes <= 0,
        "left {} minutes, runs out on {:?}",
        block.left_minutes,
        one.runs_out_on
    );

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

/// The subscription named `name` as `s` lists it.
async fn subscription(s: &Session, name: &str) -> anyhow::Result<pb::Subscription> {
    s.billing()
        .list_subscriptions(pb::ListSubscriptionsRequest {
            company_id: 0,
            include_cancelled: true,
        })
        .await?
        .into_inner()
        .subscriptions
        .into_iter()
        .find(|x| x.name == name)
        .ok_or_else(|| anyhow::anyhow!("no subscription {name}"))
}

#[tokio::test]
async fn a_renewal_is_billed_once_and_a_change_request_opens_a_ticket() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    let harbor = subscription(&alice, "Microsoft 365 Business Standard")
        .await?
        .company_id;
    // Harbor's Microsoft 365 renews within 90 days: Home's summary says so.
    let summary = alice
        .billing()
        .get_billing_summary(pb::BillingSummaryRequest::default())
        .await?
        .into_inner();
    assert!(
        summary
            .renewals
            .iter()
            .any(|r| r.name.starts_with("Microsoft 365")),
        "{:?}",
        summary.renewals
    );
    let today = portal_e2e::date_days_ago(0);
    let month = &today[..7];
    let created = paula
        .billing()
        .create_subscription(pb::SubscriptionInput {
            company_id: harbor,
            name: "Visio seats".into(),
            kind: pb::SubscriptionKind::Licence.into(),
            quantity: 3,
            term_months: 12,
            renews_on: format!("{month}-15"),
            unit_price_cents: 1_000,
            billed_by_run: true,
        })
        .await?
        .into_inner();
    assert_eq!(created.term_cents, 3_000);
    let renewal_lines = |run: &pb::BillingRun| -> Vec<pb::InvoiceLine> {
        run.invoices
            .iter()
            .flat_map(|d| d.lines.clone())
            .filter(|l| l.description.starts_with("Visio seats"))
            .collect()
    };
    let run = paula
        .billing()
        .run_billing(run_request(month))
        .await?
        .into_inner();
    let lines = renewal_lines(&run);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].kind, pb::InvoiceLineKind::Product as i32);
    assert_eq!((lines[0].quantity, lines[0].amount_cents), (3, 3_000));
    let again = paula
        .billing()
        .run_billing(run_request(month))
        .await?
        .into_inner();
    assert!(renewal_lines(&again).is_empty(), "billed once");
    let moved = subscription(&alice, "Visio seats").await?;
    let next_year: i32 = month[..4].parse::<i32>()? + 1;
    assert_eq!(moved.renews_on, format!("{next_year}{}-15", &month[4..]));

    // Alice asks for fewer seats: a ticket of the change type, filled in.
    let ticket = alice
        .billing()
        .request_subscription_change(pb::SubscriptionChangeRequest {
            subscription_id: created.id,
            change: pb::SubscriptionChange::FewerSeats.into(),
            requested_quantity: 2,
            note: "One left us.".into(),
            po_number: String::new(),
        })
        .await?
        .into_inner();
    assert_eq!(ticket.service_type_name, "Subscription change");
    let field = |key: &str| {
        ticket
            .fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(field("change"), "Fewer seats");
    assert_eq!(field("current_quantity"), "3");
    assert_eq!(field("requested_quantity"), "2");
    let full = alice
        .tickets()
        .get_ticket(pb::GetTicketRequest {
            number: ticket.number,
        })
        .await?
        .into_inner();
    let description = full.ticket.unwrap_or_default().description;
    assert!(description.contains("Current quantity: 3"), "{description}");
    assert!(description.contains("One left us."), "{description}");

    // Cancelled, it renews no more and takes no requests.
    let cancelled = paula
        .billing()
        .cancel_subscription(pb::SubscriptionRef { id: created.id })
        .await?
        .into_inner();
    assert!(cancelled.cancelled && !cancelled.renews_soon);
    expect_code(
        alice
            .billing()
            .request_subscription_change(pb::SubscriptionChangeRequest {
                subscription_id: created.id,
                change: pb::SubscriptionChange::MoreSeats.into(),
                requested_quantity: 9,
                note: String::new(),
                po_number: String::new(),
            })
            .await,
        Code::FailedPrecondition,
    );
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

    // Labour paid by prepaid hours names its agreement, not a rate of 0.00.
    let mut covered = None;
    for i in &mine {
        let d = detail(&alice, i.number).await?;
        if let Some(l) = d
            .lines
            .iter()
            .find(|l| l.kind == pb::InvoiceLineKind::Labour as i32 && !l.agreement_title.is_empty())
        {
            covered = Some((i.number, l.agreement_title.clone()));
            break;
        }
    }
    let (with_covered, agreement) = covered.expect("a labour line covered by prepaid hours");
    let pdf = export(&alice, with_covered, pb::ExportFormat::Pdf).await?;
    let text = String::from_utf8(export(&alice, with_covered, pb::ExportFormat::Text).await?)?;
    for read in [pdf_text(&pdf)?, text] {
        let flat = read.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&format!("covered by {agreement}")), "{flat}");
        assert!(!flat.contains("at 0.00/h"), "{flat}");
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

/// 64 submissions at once on one invoice, half with one idempotency key
/// and half each with its own, every one for a tenth of the balance: the
/// shared key is at most one payment, and exactly as many are recorded as
/// fit in the balance, never more. Then 64 confirmed payments recorded at
/// once by the provider Admin pay it off exactly, never below zero.
#[tokio::test]
async fn concurrent_payments_never_exceed_the_balance() -> anyhow::Result<()> {
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
        .find(|i| i.pending_cents == 0 && i.balance_cents >= 1000)
        .expect("an unpaid invoice without pending payments");
    let (number, balance) = (target.number, target.balance_cents);
    let amount = (balance + 9) / 10;
    let fit = balance / amount;

    let mut calls = tokio::task::JoinSet::new();
    for n in 0..64 {
        let s = alice.clone();
        let key = if n % 2 == 0 {
            "shared-key-0001".to_owned()
        } else {
            format!("own-key-{n:04}")
        };
        calls.spawn(async move { (key.clone(), submit(&s, number, amount, &key).await) });
    }
    let (mut ids, mut shared) = (Vec::new(), Vec::new());
    while let Some(r) = calls.join_next().await {
        let (key, r) = r?;
        match r {
            Ok(p) => {
                if key == "shared-key-0001" {
                    shared.push(p.id);
                }
                ids.push(p.id);
            }
            Err(s) => {
                assert_eq!(s.code(), Code::InvalidArgument, "{s:?}");
                assert!(s.message().starts_with("amount_cents:"), "{s:?}");
            }
        }
    }
    shared.dedup();
    assert!(shared.len() <= 1, "one key, one payment: {shared:?}");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len() as i64, fit, "as many as fit in {balance}");
    let d = detail(&alice, number).await?;
    let i = d.invoice.as_ref().expect("invoice");
    assert_eq!(i.pending_cents, fit * amount);
    assert!(i.pending_cents <= balance);
    assert_eq!(d.payments.len() as i64, fit);
    check_invariants(&d);

    // The provider Admin rejects them all, then records the balance in 64
    // confirmed payments at once: they pay exactly the balance.
    for id in ids {
        paula
            .billing()
            .reject_payment(pb::RejectPaymentRequest {
                id,
                reason: "Test: sent twice".into(),
            })
            .await?;
    }
    let part = (balance + 59) / 60;
    let mut calls = tokio::task::JoinSet::new();
    for n in 0..64 {
        let s = paula.clone();
        calls.spawn(async move { submit(&s, number, part, &format!("check-{n:04}")).await });
    }
    let mut confirmed = 0;
    while let Some(r) = calls.join_next().await {
        match r? {
            Ok(p) => {
                assert_eq!(p.state, pb::PaymentState::Confirmed as i32);
                confirmed += 1;
            }
            Err(s) => assert!(s.message().starts_with("amount_cents:"), "{s:?}"),
        }
    }
    assert_eq!(confirmed, balance / part);
    let d = detail(&paula, number).await?;
    let i = d.invoice.as_ref().expect("invoice");
    assert_eq!(i.balance_cents, balance - confirmed * part);
    assert!(i.balance_cents >= 0);
    check_invariants(&d);
    Ok(())
}

/// What a billing run for `month` stored: invoices, lines and their total.
fn billed(db: &std::path::Path, month: &str) -> anyhow::Result<(i64, i64, i64)> {
    let conn = rusqlite::Connection::open(db)?;
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM invoices WHERE period = ?1),
                (SELECT count(*) FROM invoice_lines WHERE period = ?1),
                (SELECT coalesce(sum(total_cents), 0) FROM invoices WHERE period = ?1)",
        [month],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}

/// A billing run is one transaction: `kill -9` at a random moment of a
/// large run (1,500 more companies with a recurring agreement) leaves all
/// of it or none of it, and the run after the restart bills exactly what
/// is left, so together they bill what the preview showed, once.
#[tokio::test]
async fn a_billing_run_killed_midway_leaves_all_of_it_or_none() -> anyhow::Result<()> {
    use rand::Rng;

    let mut server = TestServer::demo().await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let last = invoices(&paula, pb::ListInvoicesRequest::default())
        .await?
        .iter()
        .map(|i| i.period.clone())
        .max()
        .expect("a period");
    let month = month_after(&last);
    server.kill().await?;
    rusqlite::Connection::open(&server.db)?.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
         INSERT INTO companies (name, created_at) SELECT 'Crash test ' || i, 0 FROM n;
         INSERT INTO agreements (company_id, title, kind, start_date, end_date,
            monthly_amount_cents, prepaid_minutes, created_at, updated_at)
         SELECT id, 'Managed services', 1, '2020-01-01', NULL, 12345 + id, 0, 0, 0
         FROM companies WHERE name LIKE 'Crash test %';",
    )?;
    server.start().await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let started = std::time::Instant::now();
    let preview = paula
        .billing()
        .preview_billing_run(run_request(&month))
        .await?
        .into_inner();
    let planning = started.elapsed();
    assert!(preview.companies > 1500, "{preview:?}");
    let whole = (
        i64::from(preview.companies),
        i64::from(preview.lines),
        preview.total_cents,
    );

    // Kill at a random moment between the call and twice the time the
    // preview took (the run plans the same, then writes).
    let wait = rand::thread_rng().gen_range(0..=2 * planning.as_millis().max(1));
    let run = {
        let mut billing = paula.billing();
        let month = month.clone();
        tokio::spawn(async move { billing.run_billing(run_request(&month)).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(
        u64::try_from(wait).unwrap_or(0),
    ))
    .await;
    server.kill().await?;
    let answered = run.await?.is_ok();
    let after_kill = billed(&server.db, &month)?;
    eprintln!("killed after {wait} ms; the run had answered: {answered}; stored {after_kill:?}");
    assert!(
        after_kill == (0, 0, 0) || after_kill == whole,
        "a partial run: {after_kill:?} of {whole:?}"
    );
    if answered {
        assert_eq!(after_kill, whole, "an answered run is stored");
    }

    server.start().await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let rest = paula
        .billing()
        .run_billing(run_request(&month))
        .await?
        .into_inner();
    let expected_rest = if after_kill == whole {
        (0, 0, 0)
    } else {
        whole
    };
    assert_eq!(
        (
            i64::from(rest.companies),
            i64::from(rest.lines),
            rest.total_cents
        ),
        expected_rest
    );
    assert_eq!(billed(&server.db, &month)?, whole);
    // Each company's recurring charge is billed once.
    let once: i64 = rusqlite::Connection::open(&server.db)?.query_row(
        "SELECT count(*) FROM (SELECT company_id FROM invoices WHERE period = ?1
                               GROUP BY company_id HAVING count(*) > 1)",
        [&month],
        |r| r.get(0),
    )?;
    assert_eq!(once, 0);
    Ok(())
}

/// The next event of a stream, within a generous limit.
async fn next_event(stream: &mut tonic::Streaming<pb::Event>) -> anyhow::Result<pb::Event> {
    tokio::time::timeout(std::time::Duration::from_secs(30), stream.message())
        .await??
        .ok_or_else(|| anyhow::anyhow!("the stream ended"))
}

/// The events of a stream up to the ticket created as a marker (streams are
/// in order, so whatever came before it was sent before it).
async fn until_marker(
    stream: &mut tonic::Streaming<pb::Event>,
    marker: &str,
) -> anyhow::Result<Vec<pb::Event>> {
    let mut seen = Vec::new();
    loop {
        let e = next_event(stream).await?;
        if e.kind == pb::EventKind::TicketCreated as i32 && e.summary.contains(marker) {
            return Ok(seen);
        }
        seen.push(e);
    }
}

/// Money events (invoice issued or voided, payment submitted, confirmed or
/// rejected) reach the company's Managers and Admins and provider Admins
/// as they happen, and nobody else: not another company, not the
/// company's Users, not Dispatchers.
#[tokio::test]
async fn money_events_reach_only_those_who_see_the_company_money() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    let mark = server.as_demo(demo::CLIENT_MANAGER).await?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let max = server.as_demo(demo::OTHER_MANAGER).await?;
    let dina = server.as_demo(demo::DISPATCHER).await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let all = invoices(&paula, pb::ListInvoicesRequest::default()).await?;
    let harbor = invoices(&alice, pb::ListInvoicesRequest::default()).await?;
    let harbor_id = harbor[0].company_id;
    let unpaid = |i: &&pb::Invoice| {
        i.status == pb::InvoiceStatus::Unpaid as i32
            && i.pending_cents == 0
            && i.balance_cents > 100
    };
    let to_pay = harbor
        .iter()
        .find(unpaid)
        .expect("an unpaid Harbor invoice");
    let theirs = invoices(&max, pb::ListInvoicesRequest::default()).await?;
    let to_void = theirs
        .iter()
        .find(unpaid)
        .expect("an unpaid invoice of the other company");
    let month = month_after(
        &all.iter()
            .map(|i| i.period.clone())
            .max()
            .expect("a period"),
    );

    let mut streams = Vec::new();
    for s in [&mark, &uma, &max, &dina, &paula] {
        streams.push(
            s.events()
                .subscribe(pb::SubscribeRequest::default())
                .await?
                .into_inner(),
        );
    }

    let paid = submit(&alice, to_pay.number, 100, "events-pay-0001").await?;
    // The same key again records nothing, so says nothing.
    submit(&alice, to_pay.number, 100, "events-pay-0001").await?;
    paula
        .billing()
        .confirm_payment(pb::PaymentRef { id: paid.id })
        .await?;
    let bounced = submit(&alice, to_pay.number, 50, "events-pay-0002").await?;
    paula
        .billing()
        .reject_payment(pb::RejectPaymentRequest {
            id: bounced.id,
            reason: "Bounced".into(),
        })
        .await?;
    paula
        .billing()
        .void_invoice(pb::VoidInvoiceRequest {
            number: to_void.number,
            reason: "Billed in error".into(),
        })
        .await?;
    let run = paula
        .billing()
        .run_billing(run_request(&month))
        .await?
        .into_inner();
    // The markers: a ticket of Harbor's (seen by Mark, Uma, Dina, Paula)
    // and one of the other company's (seen by its Manager).
    let other = uma.service_type("Other").await?.id;
    uma.tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: "Marker harbor".into(),
            description: "after the money".into(),
            service_type_id: other,
            ..Default::default()
        })
        .await?;
    max.tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: "Marker other".into(),
            description: "after the money".into(),
            service_type_id: other,
            po_number: "PO-1".into(),
            ..Default::default()
        })
        .await?;

    let issued = |company: i64| -> Vec<(i32, i64)> {
        run.invoices
            .iter()
            .filter_map(|d| d.invoice.as_ref())
            .filter(|i| i.company_id == company)
            .map(|i| (pb::EventKind::InvoiceIssued as i32, i.number))
            .collect()
    };
    // Money events only: a sweep may change a ticket meanwhile.
    let kinds = |events: &[pb::Event]| -> Vec<(i32, i64)> {
        events
            .iter()
            .filter(|e| e.invoice_number > 0)
            .map(|e| (e.kind, e.invoice_number))
            .collect()
    };
    let [mark_s, uma_s, max_s, dina_s, paula_s] = &mut streams[..] else {
        unreachable!()
    };
    let mut want_harbor = vec![
        (pb::EventKind::PaymentSubmitted as i32, to_pay.number),
        (pb::EventKind::PaymentConfirmed as i32, to_pay.number),
        (pb::EventKind::PaymentSubmitted as i32, to_pay.number),
        (pb::EventKind::PaymentRejected as i32, to_pay.number),
    ];
    want_harbor.extend(issued(harbor_id));
    let seen = until_marker(mark_s, "Marker harbor").await?;
    assert_eq!(kinds(&seen), want_harbor);
    let confirmed = seen
        .iter()
        .find(|e| e.kind == pb::EventKind::PaymentConfirmed as i32)
        .expect("the confirmation");
    assert!(confirmed.summary.contains("confirmed"), "{confirmed:?}");
    assert!(!confirmed.actor_name.is_empty());
    let mut want_other = vec![(pb::EventKind::InvoiceVoided as i32, to_void.number)];
    want_other.extend(issued(to_void.company_id));
    assert_eq!(
        kinds(&until_marker(max_s, "Marker other").await?),
        want_other
    );
    // The company's User and a Dispatcher hear of the tickets only.
    assert!(kinds(&until_marker(uma_s, "Marker harbor").await?).is_empty());
    assert!(kinds(&until_marker(dina_s, "Marker harbor").await?).is_empty());
    // The provider Admin hears of every company's money.
    let everything = kinds(&until_marker(paula_s, "Marker harbor").await?);
    assert_eq!(everything.len(), 5 + run.invoices.len());
    Ok(())
}

fn agreement_input(company_id: i64, title: &str, renews: bool) -> pb::AgreementInput {
    pb::AgreementInput {
        company_id,
        title: title.to_owned(),
        kind: pb::AgreementKind::ManagedServices.into(),
        start_date: "2023-01-01".to_owned(),
        end_date: "2023-12-31".to_owned(),
        monthly_amount_cents: 12_345,
        renews,
        ..Default::default()
    }
}

/// docs/MONEY.md "Agreements": an agreement that renews runs on past its
/// end date, a year's term at a time, and is billed for; one that does not
/// renew ends. Turning renewal off ends it with its current term.
#[tokio::test]
async fn a_renewing_agreement_bills_on_past_its_end_date_until_renewal_is_turned_off()
-> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let mine = invoices(&alice, pb::ListInvoicesRequest::default()).await?;
    let harbor = mine[0].company_id;
    let last = mine
        .iter()
        .map(|i| i.period.clone())
        .max()
        .expect("a period");

    let mut billing = paula.billing();
    let renewing = billing
        .create_agreement(agreement_input(harbor, "Renewing care plan", true))
        .await?
        .into_inner();
    let ended = billing
        .create_agreement(agreement_input(harbor, "Lapsed care plan", false))
        .await?
        .into_inner();
    assert!(renewing.active && renewing.renews_on.ends_with("-01-01"));
    assert!(renewing.renews_on.as_str() > "2026-01-01", "{renewing:?}");
    assert!(!ended.active && ended.renews_on.is_empty(), "{ended:?}");

    // Alice's current agreements hold the renewing one, not the lapsed one.
    let current = alice
        .billing()
        .list_agreements(pb::ListAgreementsRequest::default())
        .await?
        .into_inner()
        .agreements;
    let titles: Vec<&str> = current.iter().map(|a| a.title.as_str()).collect();
    assert!(titles.contains(&"Renewing care plan"), "{titles:?}");
    assert!(!titles.contains(&"Lapsed care plan"), "{titles:?}");

    // A run bills the renewing agreement's next month, and nothing of the
    // lapsed one.
    let preview = billing
        .preview_billing_run(pb::BillingRunRequest {
            month: last.clone(),
            company_id: harbor,
        })
        .await?
        .into_inner();
    let lines: Vec<&pb::InvoiceLine> = preview.invoices.iter().flat_map(|d| &d.lines).collect();
    let recurring: Vec<&&pb::InvoiceLine> = lines
        .iter()
        .filter(|l| l.agreement_id == renewing.id)
        .collect();
    assert_eq!(recurring.len(), 1, "{lines:?}");
    assert_eq!(recurring[0].amount_cents, 12_345);
    assert!(
        lines.iter().all(|l| l.agreement_id != ended.id),
        "{lines:?}"
    );

    // Renewal off, the end date as it was: it ends the day before it would
    // have renewed.
    let off = billing
        .update_agreement(pb::UpdateAgreementRequest {
            id: renewing.id,
            agreement: Some(agreement_input(harbor, "Renewing care plan", false)),
        })
        .await?
        .into_inner();
    let (y, rest) = renewing.renews_on.split_once('-').expect("a date");
    let year: i32 = y.parse()?;
    assert_eq!(rest, "01-01");
    assert_eq!(off.end_date, format!("{}-12-31", year - 1));
    assert!(
        off.active && !off.renews && off.renews_on.is_empty(),
        "{off:?}"
    );
    Ok(())
}
