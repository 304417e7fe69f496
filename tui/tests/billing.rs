//! The money screens (docs/MONEY.md): Home's unpaid invoices and low hours,
//! the Account tab's Invoices and Agreements, paying, and the staff Billing
//! tab. Keys in, requests out, replies fed back, snapshots at 80×24 and
//! 120×40.

mod fixtures;

use crossterm::event::KeyCode;
use fixtures::*;
use portal::action::{BillingCall, BillingReply, Reply, Request};
use portal::app::App;
use portal_proto::pb;

fn snap(name: &str, app: &mut App) {
    insta::assert_snapshot!(format!("{name}_80x24"), render(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), render(app, 120, 40));
}

fn billing(app: &mut App, reply: BillingReply) {
    fixtures::reply(app, Reply::Billing(Box::new(reply)));
}

/// A provider Admin.
fn pat() -> pb::Identity {
    pb::Identity {
        id: 3,
        email: "pat@keystone.example".into(),
        display_name: "Pat Park".into(),
        role: pb::StaffRole::Admin.into(),
        ..tom()
    }
}

/// A client User: no money screens.
fn uma() -> pb::Identity {
    pb::Identity {
        id: 4,
        email: "uma@harbor.example".into(),
        display_name: "Uma Ueda".into(),
        access: pb::AccessLevel::User.into(),
        ..alice()
    }
}

fn invoice(number: i64, status: pb::InvoiceStatus, total: i64, paid: i64) -> pb::Invoice {
    pb::Invoice {
        id: number,
        number,
        company_id: 1,
        company_name: "Harbor Dental Group".into(),
        period: "2026-10".into(),
        issued_on: "2026-10-01".into(),
        due_on: "2026-10-31".into(),
        subtotal_cents: total,
        total_cents: total,
        paid_cents: paid,
        balance_cents: total - paid,
        status: status.into(),
        ..Default::default()
    }
}

fn invoices() -> Vec<pb::Invoice> {
    vec![
        pb::Invoice {
            issued_on: "2026-11-01".into(),
            due_on: "2026-11-30".into(),
            period: "2026-11".into(),
            ..invoice(1009, pb::InvoiceStatus::Unpaid, 154_256, 0)
        },
        pb::Invoice {
            overdue: true,
            ..invoice(1007, pb::InvoiceStatus::PartiallyPaid, 120_000, 50_000)
        },
        pb::Invoice {
            issued_on: "2026-09-01".into(),
            due_on: "2026-09-30".into(),
            period: "2026-09".into(),
            ..invoice(1004, pb::InvoiceStatus::Paid, 120_000, 120_000)
        },
        pb::Invoice {
            issued_on: "2026-08-01".into(),
            due_on: "2026-08-31".into(),
            period: "2026-08".into(),
            void_reason: "Billed twice".into(),
            ..invoice(1002, pb::InvoiceStatus::Void, 30_000, 0)
        },
    ]
}

fn detail() -> pb::InvoiceDetail {
    pb::InvoiceDetail {
        invoice: Some(pb::Invoice {
            subtotal_cents: 142_500,
            tax_rate_basis_points: 825,
            tax_cents: 11_756,
            total_cents: 154_256,
            balance_cents: 154_256,
            pending_cents: 0,
            ..invoices()[0].clone()
        }),
        lines: vec![
            pb::InvoiceLine {
                id: 1,
                kind: pb::InvoiceLineKind::Recurring.into(),
                description: "Managed services, December 2026".into(),
                quantity: 1,
                unit_price_cents: 120_000,
                amount_cents: 120_000,
                agreement_id: 1,
                ..Default::default()
            },
            pb::InvoiceLine {
                id: 2,
                kind: pb::InvoiceLineKind::Labour.into(),
                description: "Printer jams on the second floor".into(),
                quantity: 90,
                unit_price_cents: 15_000,
                amount_cents: 22_500,
                ticket_number: 1042,
                ..Default::default()
            },
            pb::InvoiceLine {
                id: 3,
                kind: pb::InvoiceLineKind::Labour.into(),
                description: "Printer jams on the second floor".into(),
                quantity: 120,
                agreement_id: 2,
                agreement_title: "Support block 2026".into(),
                ticket_number: 1042,
                ..Default::default()
            },
        ],
        payments: vec![pb::Payment {
            id: 7,
            invoice_number: 1009,
            company_id: 1,
            company_name: "Harbor Dental Group".into(),
            amount_cents: 20_000,
            method: pb::PaymentMethod::Check.into(),
            reference: "Check 5521".into(),
            state: pb::PaymentState::Rejected.into(),
            submitted_by: "Alice Archer".into(),
            submitted_at: ts("2026-11-18T09:00:00Z"),
            reject_reason: "Bounced".into(),
            ..Default::default()
        }],
    }
}

fn summary() -> pb::BillingSummary {
    let list = invoices();
    pb::BillingSummary {
        unpaid_invoices: 2,
        amount_due_cents: 224_256,
        overdue_cents: 70_000,
        unpaid: vec![list[1].clone(), list[0].clone()],
        low_hours: vec![agreement()],
        renewals: Vec::new(),
    }
}

fn subscription(id: i64, name: &str, quantity: i64, term_months: u32) -> pb::Subscription {
    pb::Subscription {
        id,
        company_id: 1,
        company_name: "Harbor Dental Group".into(),
        name: name.into(),
        kind: pb::SubscriptionKind::Licence.into(),
        quantity,
        term_months,
        renews_on: "2027-01-15".into(),
        unit_price_cents: 15_000,
        term_cents: quantity * 15_000,
        billed_by_run: true,
        ..Default::default()
    }
}

fn subscriptions() -> Vec<pb::Subscription> {
    vec![
        pb::Subscription {
            kind: pb::SubscriptionKind::Service.into(),
            renews_on: "2028-01-05".into(),
            unit_price_cents: 108_000,
            term_cents: 108_000,
            billed_by_run: false,
            ..subscription(3, "Cloud backup, 1 TB", 1, 36)
        },
        pb::Subscription {
            renews_on: "2026-12-11".into(),
            unit_price_cents: 450,
            term_cents: 28 * 450,
            ..subscription(2, "Endpoint protection", 28, 1)
        },
        pb::Subscription {
            renews_soon: true,
            ..subscription(1, "Microsoft 365 Business Standard", 24, 12)
        },
        pb::Subscription {
            cancelled: true,
            cancelled_on: "2026-10-02".into(),
            ..subscription(4, "Visio", 2, 12)
        },
    ]
}

fn agreement() -> pb::Agreement {
    pb::Agreement {
        id: 1,
        company_id: 1,
        company_name: "Harbor Dental Group".into(),
        title: "Managed services".into(),
        kind: pb::AgreementKind::ManagedServices.into(),
        start_date: "2026-01-01".into(),
        end_date: "2026-12-31".into(),
        monthly_amount_cents: 120_000,
        prepaid_minutes: 40 * 60,
        used_minutes: 35 * 60,
        left_minutes: 5 * 60,
        work_type_ids: vec![1],
        work_type_names: vec!["Remote support".into()],
        renews: true,
        renews_on: "2027-01-01".into(),
        active: true,
        low_hours: true,
    }
}

fn agreements() -> Vec<pb::Agreement> {
    vec![
        agreement(),
        pb::Agreement {
            id: 2,
            title: "Labour block 2026".into(),
            kind: pb::AgreementKind::LabourBlock.into(),
            end_date: String::new(),
            renews_on: String::new(),
            monthly_amount_cents: 0,
            prepaid_minutes: 20 * 60,
            used_minutes: 4 * 60 + 30,
            left_minutes: 15 * 60 + 30,
            renews: false,
            low_hours: false,
            ..agreement()
        },
    ]
}

fn agreement_detail() -> pb::AgreementDetail {
    let used = [2, 3, 4, 3, 5, 2, 4, 3, 3, 3, 3];
    let mut left = 40 * 60;
    let burn_down = used
        .iter()
        .enumerate()
        .map(|(i, h)| {
            left -= h * 60;
            pb::MonthMinutes {
                month: format!("2026-{:02}", i + 1),
                used_minutes: h * 60,
                left_minutes: left,
            }
        })
        .collect();
    pb::AgreementDetail {
        agreement: Some(agreement()),
        burn_down,
        recent_minutes_per_month: 180,
        runs_out_on: "2027-01-20".into(),
    }
}

/// Alice on Home with something owed.
fn home_with_money() -> App {
    let mut app = signed_in(alice());
    billing(&mut app, BillingReply::Summary(summary()));
    app
}

/// Answers the last invoice list asked for.
fn answer_invoices(app: &mut App, requests: &[Request], rows: Vec<pb::Invoice>) {
    let (seq, append) = requests
        .iter()
        .rev()
        .find_map(|r| match r {
            Request::Billing(BillingCall::Invoices { seq, append, .. }) => Some((*seq, *append)),
            _ => None,
        })
        .expect("invoices were asked for");
    let page = pb::ListInvoicesResponse {
        total: rows.len() as u64,
        balance_cents: rows.iter().map(|i| i.balance_cents).sum(),
        invoices: rows,
        next_cursor: String::new(),
    };
    billing(app, BillingReply::Invoices { seq, append, page });
}

#[test]
fn home_shows_what_is_owed_and_low_hours_and_opens_them() {
    let mut app = home_with_money();
    snap("home_money", &mut app);
    // The waiting alert, then one line for both invoices to pay: it lists
    // the unpaid ones.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let asked = app.take_requests();
    let [Request::Billing(BillingCall::Invoices { query, .. })] = asked.as_slice() else {
        panic!("the invoices list: {asked:?}");
    };
    assert_eq!(
        query.statuses,
        [
            pb::InvoiceStatus::Unpaid as i32,
            pb::InvoiceStatus::PartiallyPaid as i32
        ]
    );
    // Back on Home, the low-hours line opens the agreement's burn-down.
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Summary)],
        "Home asks again what is owed"
    );
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let asked = app.take_requests();
    assert!(asked.contains(&Request::Billing(BillingCall::Agreement { id: 1 })));
}

#[test]
fn a_client_user_sees_no_money() {
    let mut app = signed_in(uma());
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("invoice"), "{screen}");
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('i'));
    assert!(app.take_requests().is_empty());
}

#[test]
fn invoices_filter_sort_and_open_one() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('4'));
    app.take_requests();
    press(&mut app, KeyCode::Char('i'));
    let asked = app.take_requests();
    answer_invoices(&mut app, &asked, invoices());
    snap("invoices", &mut app);

    // The filter: unpaid ones issued from October.
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2026-10-01");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Nov 30");
    ctrl(&mut app, 's');
    assert!(app.take_requests().is_empty(), "a bad date is not sent");
    snap("invoices_filter_bad_date", &mut app);
    for _ in 0..6 {
        press(&mut app, KeyCode::Backspace);
    }
    ctrl(&mut app, 's');
    let asked = app.take_requests();
    let Some(Request::Billing(BillingCall::Invoices { query, .. })) = asked.first() else {
        panic!("invoices asked again: {asked:?}");
    };
    assert_eq!(
        query.statuses,
        vec![
            pb::InvoiceStatus::Unpaid as i32,
            pb::InvoiceStatus::PartiallyPaid as i32
        ]
    );
    assert_eq!(query.issued_from, "2026-10-01");
    assert_eq!(query.issued_to, "");
    answer_invoices(&mut app, &asked, invoices()[..2].to_vec());

    // Sorted by balance, then reversed.
    press(&mut app, KeyCode::Char('s'));
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    let asked = app.take_requests();
    let Some(Request::Billing(BillingCall::Invoices { query, .. })) = asked.first() else {
        panic!("invoices asked again: {asked:?}");
    };
    assert_eq!(query.sort(), pb::InvoiceSort::Balance);
    assert!(!query.ascending);
    press(&mut app, KeyCode::Char('S'));
    let asked = app.take_requests();
    let Some(Request::Billing(BillingCall::Invoices { query, .. })) = asked.first() else {
        panic!("invoices asked again: {asked:?}");
    };
    assert!(query.ascending);
    answer_invoices(&mut app, &asked, invoices()[..2].to_vec());

    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Invoice { number: 1009 })]
    );
    billing(&mut app, BillingReply::Invoice(detail()));
    snap("invoice", &mut app);
}

/// Alice with invoice 1009 open.
fn invoice_open() -> App {
    let mut app = signed_in(alice());
    // One invoice to pay has a line of its own.
    let one = pb::BillingSummary {
        unpaid_invoices: 1,
        amount_due_cents: 154_256,
        overdue_cents: 0,
        unpaid: vec![invoices()[0].clone()],
        ..summary()
    };
    fixtures::reply(
        &mut app,
        Reply::Billing(Box::new(BillingReply::Summary(one))),
    );
    // Home: waiting alert, 1009.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    billing(&mut app, BillingReply::Invoice(detail()));
    app
}

#[test]
fn paying_sends_one_key_however_often_the_form_is_sent() {
    let mut app = invoice_open();
    press(&mut app, KeyCode::Char('$'));
    snap("pay_form", &mut app);
    // Method: ACH → Card; a reference.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "VISA 4242");
    ctrl(&mut app, 's');
    let first = app.take_requests();
    let [Request::Billing(BillingCall::Pay(pay))] = first.as_slice() else {
        panic!("one payment: {first:?}");
    };
    assert_eq!(pay.invoice_number, 1009);
    assert_eq!(pay.amount_cents, 154_256);
    assert_eq!(pay.method(), pb::PaymentMethod::Card);
    assert_eq!(pay.reference, "VISA 4242");
    // A second Ctrl-S while it is on its way sends nothing.
    ctrl(&mut app, 's');
    assert!(app.take_requests().is_empty());
    // The server did not answer in time: the retry carries the same key.
    fixtures::reply(
        &mut app,
        Reply::Failed {
            request: Box::new(first[0].clone()),
            error: portal::action::ApiError {
                code: tonic::Code::DeadlineExceeded,
                message: "the server did not answer in time".into(),
            },
        },
    );
    ctrl(&mut app, 's');
    assert_eq!(app.take_requests(), first, "the retry is the same payment");
    billing(
        &mut app,
        BillingReply::Payment(pb::Payment {
            id: 8,
            invoice_number: 1009,
            amount_cents: 154_256,
            state: pb::PaymentState::Pending.into(),
            ..Default::default()
        }),
    );
    let asked = app.take_requests();
    assert!(asked.contains(&Request::Billing(BillingCall::Invoice { number: 1009 })));
    assert!(asked.contains(&Request::Billing(BillingCall::Summary)));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Payment of 1,542.56 sent, pending"),
        "{screen}"
    );
    assert!(
        !screen.contains("Pay invoice"),
        "the form closed:\n{screen}"
    );
}

#[test]
fn a_bad_amount_is_marked_and_the_server_names_its_field() {
    let mut app = invoice_open();
    press(&mut app, KeyCode::Char('$'));
    for _ in 0..10 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "12.345");
    ctrl(&mut app, 's');
    assert!(app.take_requests().is_empty());
    snap("pay_bad_amount", &mut app);
    for _ in 0..6 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "9999");
    ctrl(&mut app, 's');
    let asked = app.take_requests();
    fixtures::reply(
        &mut app,
        Reply::Failed {
            request: Box::new(asked[0].clone()),
            error: portal::action::ApiError {
                code: tonic::Code::InvalidArgument,
                message: "amount_cents: more than the balance".into(),
            },
        },
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("more than the balance"), "{screen}");
}

#[test]
fn saving_an_invoice_asks_where_and_streams_it() {
    let mut app = invoice_open();
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Enter);
    snap("invoice_save", &mut app);
    ctrl(&mut app, 's');
    let asked = app.take_requests();
    let [
        Request::Billing(BillingCall::Export {
            number,
            format,
            path,
        }),
    ] = asked.as_slice()
    else {
        panic!("an export: {asked:?}");
    };
    assert_eq!((*number, *format), (1009, pb::ExportFormat::Pdf));
    assert!(path.to_string_lossy().ends_with("invoice-1009.pdf"));
    fixtures::reply(
        &mut app,
        Reply::Downloaded {
            path: path.clone(),
            bytes: 2048,
        },
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Saved"), "{screen}");
}

#[test]
fn agreements_show_hours_and_the_burn_down() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('4'));
    app.take_requests();
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Agreements { company_id: 0 })]
    );
    billing(&mut app, BillingReply::Agreements(agreements()));
    snap("agreements", &mut app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Agreement { id: 1 })]
    );
    billing(&mut app, BillingReply::Agreement(agreement_detail()));
    snap("agreement_burn_down", &mut app);
    // A client cannot edit.
    press(&mut app, KeyCode::Char('e'));
    assert!(app.take_requests().is_empty());
}

/// Pat on the Billing tab (the sixth).
fn billing_tab() -> App {
    let mut app = signed_in(pat());
    press(&mut app, KeyCode::Char('6'));
    let asked = app.take_requests();
    answer_invoices(&mut app, &asked, invoices());
    app
}

#[test]
fn staff_see_every_companys_invoices_and_decide_payments() {
    let mut app = billing_tab();
    snap("billing_invoices", &mut app);
    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Pending)]
    );
    let pending = pb::Payment {
        id: 9,
        invoice_number: 1007,
        company_id: 1,
        company_name: "Harbor Dental Group".into(),
        amount_cents: 70_000,
        method: pb::PaymentMethod::Ach.into(),
        reference: "ACH 88123".into(),
        state: pb::PaymentState::Pending.into(),
        submitted_by: "Alice Archer".into(),
        submitted_at: ts("2026-11-20T10:00:00Z"),
        ..Default::default()
    };
    billing(&mut app, BillingReply::Pending(vec![pending.clone()]));
    snap("billing_pending", &mut app);
    press(&mut app, KeyCode::Char('Y'));
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Confirm { id: 9 })]
    );
    billing(
        &mut app,
        BillingReply::Payment(pb::Payment {
            state: pb::PaymentState::Confirmed.into(),
            ..pending.clone()
        }),
    );
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Pending)]
    );
    // Reject with a reason.
    billing(&mut app, BillingReply::Pending(vec![pending]));
    press(&mut app, KeyCode::Char('N'));
    ctrl(&mut app, 's');
    assert!(app.take_requests().is_empty(), "a reason is required");
    type_text(&mut app, "No such transfer");
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Reject {
            id: 9,
            reason: "No such transfer".into()
        })]
    );
}

#[test]
fn a_provider_admin_voids_and_records_a_payment_from_the_invoice() {
    let mut app = billing_tab();
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    billing(&mut app, BillingReply::Invoice(detail()));
    snap("billing_invoice", &mut app);
    press(&mut app, KeyCode::Char('$'));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Record a payment"), "{screen}");
    ctrl(&mut app, 's');
    let asked = app.take_requests();
    assert!(matches!(
        asked.as_slice(),
        [Request::Billing(BillingCall::Pay(p))] if p.amount_cents == 154_256
    ));
    billing(
        &mut app,
        BillingReply::Payment(pb::Payment {
            invoice_number: 1009,
            amount_cents: 154_256,
            state: pb::PaymentState::Confirmed.into(),
            ..Default::default()
        }),
    );
    app.take_requests();
    press(&mut app, KeyCode::Char('V'));
    type_text(&mut app, "Billed twice");
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Void {
            number: 1009,
            reason: "Billed twice".into()
        })]
    );
}

#[test]
fn a_billing_run_is_previewed_then_run_after_a_question() {
    let mut app = billing_tab();
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    app.take_requests();
    press(&mut app, KeyCode::Char('['));
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Run {
            month: "2026-10".into(),
            run: false
        })]
    );
    let run = pb::BillingRun {
        month: "2026-10".into(),
        preview: true,
        invoices: vec![
            pb::InvoiceDetail {
                invoice: Some(pb::Invoice {
                    number: 0,
                    ..invoices()[0].clone()
                }),
                lines: detail().lines,
                payments: Vec::new(),
            },
            pb::InvoiceDetail {
                invoice: Some(pb::Invoice {
                    number: 0,
                    company_name: "Alder & Finch Law".into(),
                    total_cents: 80_000,
                    ..invoices()[0].clone()
                }),
                lines: detail().lines[..1].to_vec(),
                payments: Vec::new(),
            },
        ],
        companies: 2,
        lines: 3,
        total_cents: 234_256,
    };
    billing(&mut app, BillingReply::Run(run));
    snap("billing_run_preview", &mut app);
    press(&mut app, KeyCode::Char('b'));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("2,342.56"), "{screen}");
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Run {
            month: "2026-10".into(),
            run: true
        })]
    );
}

#[test]
fn billing_settings_and_agreements_for_staff() {
    let mut app = billing_tab();
    press(&mut app, KeyCode::Left);
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Settings)]
    );
    billing(
        &mut app,
        BillingReply::Settings(pb::BillingSettings {
            labour_rate_cents: 15_000,
            tax_rate_basis_points: 825,
            low_hours_percent: 20,
            currency: "USD".into(),
        }),
    );
    snap("billing_settings", &mut app);
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Tab);
    for _ in 0..4 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "7.5");
    ctrl(&mut app, 's');
    let asked = app.take_requests();
    assert!(matches!(
        asked.as_slice(),
        [Request::Billing(BillingCall::SaveSettings(s))] if s.tax_rate_basis_points == 750
    ));

    let mut app = billing_tab();
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    let asked = app.take_requests();
    assert!(asked.contains(&Request::Billing(BillingCall::Agreements { company_id: 0 })));
    fixtures::reply(
        &mut app,
        Reply::WorkTypes(vec![pb::WorkType {
            id: 1,
            name: "Remote support".into(),
            active: true,
        }]),
    );
    billing(&mut app, BillingReply::Agreements(agreements()));
    snap("billing_agreements", &mut app);
    press(&mut app, KeyCode::Char('e'));
    snap("agreement_form", &mut app);
    ctrl(&mut app, 's');
    let asked = app.take_requests();
    let [Request::Billing(BillingCall::SaveAgreement { id, input })] = asked.as_slice() else {
        panic!("the agreement: {asked:?}");
    };
    assert_eq!(*id, 1);
    assert_eq!(input.prepaid_minutes, 40 * 60);
    assert_eq!(input.monthly_amount_cents, 120_000);
    assert_eq!(input.work_type_ids, vec![1]);
}

#[test]
fn home_marks_renewals_within_ninety_days() {
    let mut app = signed_in(alice());
    let with_renewal = pb::BillingSummary {
        low_hours: Vec::new(),
        renewals: vec![subscriptions()[2].clone()],
        ..summary()
    };
    billing(&mut app, BillingReply::Summary(with_renewal));
    snap("home_renewal", &mut app);
    // The waiting alert, the invoices, then the renewal.
    for _ in 0..2 {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Subscriptions {
            company_id: 0
        })]
    );
}

#[test]
fn a_client_sees_subscriptions_and_requests_a_change() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('4'));
    app.take_requests();
    press(&mut app, KeyCode::Char('S'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Subscriptions {
            company_id: 0
        })]
    );
    billing(
        &mut app,
        BillingReply::Subscriptions {
            company_id: 0,
            rows: subscriptions(),
        },
    );
    snap("subscriptions", &mut app);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('r'));
    snap("subscription_change_form", &mut app);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "20");
    ctrl(&mut app, 's');
    assert!(
        app.take_requests().is_empty(),
        "more seats needs more than 24"
    );
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Right);
    ctrl(&mut app, 's');
    let asked = app.take_requests();
    let [Request::Billing(BillingCall::RequestChange(r))] = asked.as_slice() else {
        panic!("the request: {asked:?}");
    };
    assert_eq!(r.subscription_id, 1);
    assert_eq!(r.change, pb::SubscriptionChange::FewerSeats as i32);
    assert_eq!(r.requested_quantity, 20);
    billing(
        &mut app,
        BillingReply::ChangeRequested(Box::new(pb::Ticket {
            number: 4242,
            title: "Subscription change: Microsoft 365 Business Standard — Fewer seats".into(),
            ..Default::default()
        })),
    );
    assert!(render(&mut app, 120, 40).contains("Ticket #4242 opened"));
}

#[test]
fn a_client_user_has_no_subscriptions() {
    let mut app = signed_in(uma());
    press(&mut app, KeyCode::Char('4'));
    app.take_requests();
    press(&mut app, KeyCode::Char('S'));
    assert!(app.take_requests().is_empty());
}

#[test]
fn staff_see_every_companys_subscriptions_on_billing() {
    let mut app = billing_tab();
    for _ in 0..3 {
        press(&mut app, KeyCode::Right);
    }
    let asked = app.take_requests();
    assert!(
        asked.contains(&Request::Billing(BillingCall::Subscriptions {
            company_id: 0
        }))
    );
    billing(
        &mut app,
        BillingReply::Subscriptions {
            company_id: 0,
            rows: subscriptions(),
        },
    );
    snap("billing_subscriptions", &mut app);
    press(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 's');
    let asked = app.take_requests();
    let [Request::Billing(BillingCall::SaveSubscription { id, input })] = asked.as_slice() else {
        panic!("the subscription: {asked:?}");
    };
    assert_eq!((*id, input.quantity, input.term_months), (3, 1, 36));
    assert_eq!(input.unit_price_cents, 108_000);
}
