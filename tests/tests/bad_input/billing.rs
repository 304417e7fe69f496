//! Bad input to BillingService: each bad field is named and nothing
//! changes (amounts, dates, months, ids, reasons, keys and settings).

use portal_proto::pb;

use super::{Case, Fixture, forged_cursor, long, page};

/// What the billing cases need: an unpaid Harbor invoice and a pending
/// payment on it, an agreement and a work type.
pub struct BillingFixture {
    pub invoice: i64,
    pub payment: i64,
    pub agreement: i64,
    pub work_type: i64,
}

impl BillingFixture {
    pub async fn new(f: &Fixture) -> anyhow::Result<Self> {
        let b = f.alice.billing();
        let invoice = b
            .clone()
            .list_invoices(pb::ListInvoicesRequest {
                statuses: vec![pb::InvoiceStatus::Unpaid.into()],
                ..Default::default()
            })
            .await?
            .into_inner()
            .invoices
            .into_iter()
            .find(|i| i.balance_cents - i.pending_cents > 100)
            .ok_or_else(|| anyhow::anyhow!("no unpaid Harbor invoice"))?
            .number;
        let payment = b
            .clone()
            .submit_payment(pb::SubmitPaymentRequest {
                invoice_number: invoice,
                amount_cents: 100,
                method: pb::PaymentMethod::Check.into(),
                reference: "bad input".into(),
                idempotency_key: "bad-input-fixture".into(),
            })
            .await?
            .into_inner()
            .id;
        let agreement = b
            .clone()
            .list_agreements(pb::ListAgreementsRequest::default())
            .await?
            .into_inner()
            .agreements
            .first()
            .ok_or_else(|| anyhow::anyhow!("no Harbor agreement"))?
            .id;
        let work_type = f
            .dina
            .work()
            .list_work_types(pb::ListWorkTypesRequest::default())
            .await?
            .into_inner()
            .work_types[0]
            .id;
        Ok(Self {
            invoice,
            payment,
            agreement,
            work_type,
        })
    }
}

#[allow(clippy::too_many_lines)]
#[rustfmt::skip]
pub fn billing_cases(f: &Fixture, bf: &BillingFixture, cases: &mut Vec<Case>) {
    let admin = || f.paula.billing();
    let alice = || f.alice.billing();
    let harbor = f.harbor;
    let wt = bf.work_type;
    let agreement = |g: &dyn Fn(&mut pb::AgreementInput)| {
        let mut a = pb::AgreementInput {
            company_id: harbor,
            title: "Support block".into(),
            kind: pb::AgreementKind::LabourBlock.into(),
            start_date: "2026-01-01".into(),
            end_date: "2026-12-31".into(),
            monthly_amount_cents: 10_000,
            prepaid_minutes: 600,
            work_type_ids: vec![wt],
            renews: false,
        };
        g(&mut a);
        a
    };
    case!(cases, "ListAgreements", "company_id", "-1", admin(), list_agreements, pb::ListAgreementsRequest { company_id: -1, include_ended: false });
    case!(cases, "GetAgreement", "id", "0", alice(), get_agreement, pb::AgreementRef { id: 0 });
    case!(cases, "GetAgreement", "id", "-1", admin(), get_agreement, pb::AgreementRef { id: -1 });
    case!(cases, "CreateAgreement", "company_id", "0", admin(), create_agreement, agreement(&|a| a.company_id = 0));
    case!(cases, "CreateAgreement", "company_id", "no such company", admin(), create_agreement, agreement(&|a| a.company_id = 999_999));
    case!(cases, "CreateAgreement", "title", "blank", admin(), create_agreement, agreement(&|a| a.title = "  ".into()));
    case!(cases, "CreateAgreement", "title", "201 characters", admin(), create_agreement, agreement(&|a| a.title = long(201)));
    case!(cases, "CreateAgreement", "title", "NUL byte", admin(), create_agreement, agreement(&|a| a.title = "a\0b".into()));
    case!(cases, "CreateAgreement", "kind", "unspecified", admin(), create_agreement, agreement(&|a| a.kind = 0));
    case!(cases, "CreateAgreement", "kind", "unknown 99", admin(), create_agreement, agreement(&|a| a.kind = 99));
    case!(cases, "CreateAgreement", "start_date", "missing", admin(), create_agreement, agreement(&|a| a.start_date = String::new()));
    case!(cases, "CreateAgreement", "start_date", "malformed", admin(), create_agreement, agreement(&|a| a.start_date = "2026-02-30".into()));
    case!(cases, "CreateAgreement", "end_date", "malformed", admin(), create_agreement, agreement(&|a| a.end_date = "next year".into()));
    case!(cases, "CreateAgreement", "end_date", "before the start", admin(), create_agreement, agreement(&|a| a.end_date = "2025-12-31".into()));
    case!(cases, "CreateAgreement", "monthly_amount_cents", "negative", admin(), create_agreement, agreement(&|a| a.monthly_amount_cents = -1));
    case!(cases, "CreateAgreement", "monthly_amount_cents", "i64::MAX", admin(), create_agreement, agreement(&|a| a.monthly_amount_cents = i64::MAX));
    case!(cases, "CreateAgreement", "prepaid_minutes", "negative", admin(), create_agreement, agreement(&|a| a.prepaid_minutes = -60));
    case!(cases, "CreateAgreement", "prepaid_minutes", "i64::MAX", admin(), create_agreement, agreement(&|a| a.prepaid_minutes = i64::MAX));
    case!(cases, "CreateAgreement", "work_type_ids", "0", admin(), create_agreement, agreement(&|a| a.work_type_ids = vec![0]));
    case!(cases, "CreateAgreement", "work_type_ids", "no such work type", admin(), create_agreement, agreement(&|a| a.work_type_ids = vec![999_999]));
    let update = |id: i64, a: Option<pb::AgreementInput>| pb::UpdateAgreementRequest { id, agreement: a };
    case!(cases, "UpdateAgreement", "id", "0", admin(), update_agreement, update(0, Some(agreement(&|_| {}))));
    case!(cases, "UpdateAgreement", "agreement", "missing", admin(), update_agreement, update(bf.agreement, None));
    case!(cases, "UpdateAgreement", "agreement.title", "blank", admin(), update_agreement, update(bf.agreement, Some(agreement(&|a| a.title = String::new()))));
    case!(cases, "UpdateAgreement", "agreement.monthly_amount_cents", "negative", admin(), update_agreement, update(bf.agreement, Some(agreement(&|a| a.monthly_amount_cents = -5))));
    case!(cases, "UpdateAgreement", "agreement.end_date", "malformed", admin(), update_agreement, update(bf.agreement, Some(agreement(&|a| a.end_date = "2026-13-01".into()))));

    let run = |month: &str, company_id: i64| pb::BillingRunRequest { month: month.into(), company_id };
    for (what, month) in [("empty", ""), ("malformed", "2026-13"), ("a word", "soon"), ("not begun", "2999-01"), ("a day", "2026-01-15")] {
        case!(cases, "PreviewBillingRun", "month", what, admin(), preview_billing_run, run(month, 0));
        case!(cases, "RunBilling", "month", what, admin(), run_billing, run(month, 0));
    }
    case!(cases, "RunBilling", "company_id", "-1", admin(), run_billing, run("2026-01", -1));

    let list = |g: &dyn Fn(&mut pb::ListInvoicesRequest)| {
        let mut r = pb::ListInvoicesRequest::default();
        g(&mut r);
        r
    };
    case!(cases, "ListInvoices", "company_id", "-1", admin(), list_invoices, list(&|r| r.company_id = -1));
    case!(cases, "ListInvoices", "statuses", "unknown 99", alice(), list_invoices, list(&|r| r.statuses = vec![99]));
    case!(cases, "ListInvoices", "issued_from", "malformed", alice(), list_invoices, list(&|r| r.issued_from = "2026-02-30".into()));
    case!(cases, "ListInvoices", "issued_to", "malformed", alice(), list_invoices, list(&|r| r.issued_to = "yesterday".into()));
    case!(cases, "ListInvoices", "sort", "unknown 99", alice(), list_invoices, list(&|r| r.sort = 99));
    case!(cases, "ListInvoices", "page.page_size", "too large", alice(), list_invoices, list(&|r| r.page = page(1_000_000, "")));
    case!(cases, "ListInvoices", "page.cursor", "forged", alice(), list_invoices, list(&|r| r.page = page(10, &forged_cursor())));
    case!(cases, "GetInvoice", "number", "0", alice(), get_invoice, pb::InvoiceRef { number: 0 });
    case!(cases, "GetInvoice", "number", "-1", admin(), get_invoice, pb::InvoiceRef { number: -1 });
    let void = |number: i64, reason: String| pb::VoidInvoiceRequest { number, reason };
    case!(cases, "VoidInvoice", "number", "0", admin(), void_invoice, void(0, "wrong".into()));
    case!(cases, "VoidInvoice", "reason", "empty", admin(), void_invoice, void(bf.invoice, String::new()));
    case!(cases, "VoidInvoice", "reason", "blank", admin(), void_invoice, void(bf.invoice, "   ".into()));
    case!(cases, "VoidInvoice", "reason", "501 characters", admin(), void_invoice, void(bf.invoice, long(501)));
    case!(cases, "VoidInvoice", "reason", "terminal escape", admin(), void_invoice, void(bf.invoice, "\x1b[2Jgone".into()));
    case!(cases, "ExportInvoice", "number", "0", alice(), export_invoice, pb::ExportInvoiceRequest { number: 0, format: pb::ExportFormat::Pdf.into() });
    case!(cases, "ExportInvoice", "format", "unknown 99", alice(), export_invoice, pb::ExportInvoiceRequest { number: bf.invoice, format: 99 });
    case!(cases, "EmailInvoice", "number", "-1", admin(), email_invoice, pb::InvoiceRef { number: -1 });

    let pay = |g: &dyn Fn(&mut pb::SubmitPaymentRequest)| {
        let mut p = pb::SubmitPaymentRequest {
            invoice_number: bf.invoice,
            amount_cents: 50,
            method: pb::PaymentMethod::Ach.into(),
            reference: "TX".into(),
            idempotency_key: "bad-input-pay-1".into(),
        };
        g(&mut p);
        p
    };
    case!(cases, "SubmitPayment", "invoice_number", "0", alice(), submit_payment, pay(&|p| p.invoice_number = 0));
    case!(cases, "SubmitPayment", "amount_cents", "0", alice(), submit_payment, pay(&|p| p.amount_cents = 0));
    case!(cases, "SubmitPayment", "amount_cents", "negative", alice(), submit_payment, pay(&|p| p.amount_cents = -100));
    case!(cases, "SubmitPayment", "amount_cents", "i64::MAX", alice(), submit_payment, pay(&|p| p.amount_cents = i64::MAX));
    case!(cases, "SubmitPayment", "amount_cents", "i64::MIN", admin(), submit_payment, pay(&|p| p.amount_cents = i64::MIN));
    case!(cases, "SubmitPayment", "amount_cents", "above the balance", alice(), submit_payment, pay(&|p| p.amount_cents = 999_999_999));
    case!(cases, "SubmitPayment", "method", "unspecified", alice(), submit_payment, pay(&|p| p.method = 0));
    case!(cases, "SubmitPayment", "method", "unknown 99", alice(), submit_payment, pay(&|p| p.method = 99));
    case!(cases, "SubmitPayment", "idempotency_key", "empty", alice(), submit_payment, pay(&|p| p.idempotency_key = String::new()));
    case!(cases, "SubmitPayment", "idempotency_key", "7 characters", alice(), submit_payment, pay(&|p| p.idempotency_key = "1234567".into()));
    case!(cases, "SubmitPayment", "idempotency_key", "65 characters", alice(), submit_payment, pay(&|p| p.idempotency_key = long(65)));
    case!(cases, "SubmitPayment", "idempotency_key", "a space", alice(), submit_payment, pay(&|p| p.idempotency_key = "pay once please".into()));
    case!(cases, "SubmitPayment", "idempotency_key", "used for another amount", alice(), submit_payment, pay(&|p| { p.idempotency_key = "bad-input-fixture".into(); p.amount_cents = 101; }));
    case!(cases, "SubmitPayment", "reference", "101 characters", alice(), submit_payment, pay(&|p| p.reference = long(101)));
    case!(cases, "SubmitPayment", "reference", "NUL byte", alice(), submit_payment, pay(&|p| p.reference = "TX\0".into()));
    let payments = |g: &dyn Fn(&mut pb::ListPaymentsRequest)| {
        let mut r = pb::ListPaymentsRequest::default();
        g(&mut r);
        r
    };
    case!(cases, "ListPayments", "invoice_number", "-1", alice(), list_payments, payments(&|r| r.invoice_number = -1));
    case!(cases, "ListPayments", "company_id", "-1", admin(), list_payments, payments(&|r| r.company_id = -1));
    case!(cases, "ListPayments", "states", "unknown 99", admin(), list_payments, payments(&|r| r.states = vec![99]));
    case!(cases, "ListPayments", "page.cursor", "forged", admin(), list_payments, payments(&|r| r.page = page(10, &forged_cursor())));
    case!(cases, "ConfirmPayment", "id", "0", admin(), confirm_payment, pb::PaymentRef { id: 0 });
    let reject = |id: i64, reason: String| pb::RejectPaymentRequest { id, reason };
    case!(cases, "RejectPayment", "id", "-1", admin(), reject_payment, reject(-1, "no".into()));
    case!(cases, "RejectPayment", "reason", "empty", admin(), reject_payment, reject(bf.payment, String::new()));
    case!(cases, "RejectPayment", "reason", "501 characters", admin(), reject_payment, reject(bf.payment, long(501)));

    let settings = |g: &dyn Fn(&mut pb::BillingSettings)| {
        let mut s = pb::BillingSettings { labour_rate_cents: 15_000, tax_rate_basis_points: 0, low_hours_percent: 20, currency: String::new() };
        g(&mut s);
        s
    };
    case!(cases, "UpdateBillingSettings", "labour_rate_cents", "negative", admin(), update_billing_settings, settings(&|s| s.labour_rate_cents = -1));
    case!(cases, "UpdateBillingSettings", "labour_rate_cents", "i64::MAX", admin(), update_billing_settings, settings(&|s| s.labour_rate_cents = i64::MAX));
    case!(cases, "UpdateBillingSettings", "tax_rate_basis_points", "over 100 %", admin(), update_billing_settings, settings(&|s| s.tax_rate_basis_points = 10_001));
    case!(cases, "UpdateBillingSettings", "low_hours_percent", "over 100", admin(), update_billing_settings, settings(&|s| s.low_hours_percent = 101));
    case!(cases, "GetBillingSummary", "company_id", "-1", admin(), get_billing_summary, pb::BillingSummaryRequest { company_id: -1 });
}
