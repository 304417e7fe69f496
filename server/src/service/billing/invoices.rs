//! Invoices: the list, one with its lines and payments, voiding (audited),
//! and the Home summary.

use portal_proto::pb;
use rusqlite::Connection;
use tonic::{Request, Status};

use super::super::authn::caller;
use super::super::convert::billing as conv;
use super::super::outcome::Outcome;
use super::super::{input, keyset};
use super::{Billing, day, today, validate};
use crate::domain::AuditAction;
use crate::domain::Principal;
use crate::domain::money::Invoice;
use crate::policy::{self, Denied};
use crate::store::audit::{self, AuditEvent};
use crate::store::invoices::{self, Filter, Sort};
use crate::store::{agreements, billing_settings, now_ms, payments, subscriptions};

/// Unpaid invoices Home lists.
const SUMMARY_INVOICES: u32 = 5;

/// The invoice `number` if the caller may see it; NOT_FOUND otherwise.
pub(super) fn visible(conn: &Connection, p: &Principal, number: i64) -> Outcome<Invoice> {
    let invoice = invoices::by_number(conn, number)?.ok_or(Denied::NotFound)?;
    policy::view_money(p, invoice.company_id)?;
    Ok(invoice)
}

/// An invoice with its lines and payments.
pub(super) fn detail(
    conn: &Connection,
    invoice: Invoice,
    today: &str,
) -> Outcome<pb::InvoiceDetail> {
    Ok(pb::InvoiceDetail {
        lines: invoices::lines(conn, invoice.id)?
            .into_iter()
            .map(conv::line)
            .collect(),
        payments: payments::of_invoice(conn, invoice.id)?
            .into_iter()
            .map(conv::payment)
            .collect(),
        invoice: Some(conv::invoice(invoice, today)),
    })
}

fn sort(raw: i32) -> Result<Sort, Status> {
    Ok(
        match pb::InvoiceSort::try_from(raw)
            .map_err(|_| super::super::status::invalid("sort", "no such sort"))?
        {
            pb::InvoiceSort::Unspecified => Sort::Issued,
            pb::InvoiceSort::Number => Sort::Number,
            pb::InvoiceSort::Due => Sort::Due,
            pb::InvoiceSort::Total => Sort::Total,
            pb::InvoiceSort::Balance => Sort::Balance,
        },
    )
}

impl Billing {
    pub(super) async fn invoices(
        &self,
        request: &Request<pb::ListInvoicesRequest>,
    ) -> Result<pb::ListInvoicesResponse, Status> {
        let p = &caller(request)?.principal;
        let req = request.get_ref();
        let asked = input::optional_id("company_id", req.company_id)?;
        let company_id = policy::money_company(p, asked.unwrap_or_default())?;
        let filter = Filter {
            company_id,
            statuses: validate::statuses(&req.statuses)?,
            issued_from: validate::date("issued_from", &req.issued_from, false)?.map(day),
            issued_to: validate::date("issued_to", &req.issued_to, false)?.map(day),
        };
        let order = (sort(req.sort)?, req.ascending);
        let size = keyset::page_size(req.page.as_ref())?;
        let after = keyset::decode::<(serde_json::Value, i64)>(req.page.as_ref())?;
        let now = now_ms();
        self.state
            .read(move |conn| {
                let mut rows = invoices::list(conn, &filter, order, after, size + 1)?;
                let next_cursor = keyset::finish(&mut rows, size, |i| (order.0.key(i), i.number));
                let (total, balance_cents) = invoices::totals(conn, &filter)?;
                let today = day(today(&billing_settings::get(conn)?, now));
                Ok(pb::ListInvoicesResponse {
                    invoices: rows.into_iter().map(|i| conv::invoice(i, &today)).collect(),
                    next_cursor,
                    total,
                    balance_cents,
                })
            })
            .await
    }

    pub(super) fn invoice(
        &self,
        request: &Request<pb::InvoiceRef>,
    ) -> Result<pb::InvoiceDetail, Status> {
        let p = &caller(request)?.principal;
        policy::money_scope(p)?;
        let number = input::id("number", request.get_ref().number)?;
        let now = now_ms();
        self.state.read_inline(|conn| {
            let invoice = visible(conn, p, number)?;
            let today = day(today(&billing_settings::get(conn)?, now));
            detail(conn, invoice, &today)
        })
    }

    pub(super) async fn void(
        &self,
        request: &Request<pb::VoidInvoiceRequest>,
    ) -> Result<pb::Invoice, Status> {
        let who = caller(request)?.clone();
        policy::manage_money(&who.principal)?;
        let number = input::id("number", request.get_ref().number)?;
        let reason = validate::reason(&request.get_ref().reason, true)?;
        let now = now_ms();
        let actor = who.clone();
        let voided = self
            .state
            .write(move |conn| {
                let invoice = visible(conn, &who.principal, number)?;
                invoices::void(conn, invoice.id, &who.email, &reason, now)?;
                let record = AuditEvent {
                    detail: reason,
                    ..AuditEvent::by(
                        &who,
                        AuditAction::InvoiceVoided,
                        &format!("invoice {number}"),
                        Some(invoice.company_id),
                    )
                };
                audit::record(conn, now, &record)?;
                let today = day(today(&billing_settings::get(conn)?, now));
                let voided = invoices::by_number(conn, number)?.ok_or(Denied::NotFound)?;
                Ok(conv::invoice(voided, &today))
            })
            .await?;
        super::publish(
            &self.state,
            pb::EventKind::InvoiceVoided,
            &actor,
            (voided.company_id, voided.number),
            format!("Invoice {} voided", voided.number),
        );
        Ok(voided)
    }

    pub(super) async fn summary(
        &self,
        request: &Request<pb::BillingSummaryRequest>,
    ) -> Result<pb::BillingSummary, Status> {
        let p = &caller(request)?.principal;
        let asked = input::optional_id("company_id", request.get_ref().company_id)?;
        let company = policy::money_company(p, asked.unwrap_or_default())?;
        let now = now_ms();
        self.state
            .read(move |conn| {
                let s = billing_settings::get(conn)?;
                let today = today(&s, now);
                let (unpaid_invoices, amount_due_cents, overdue_cents) =
                    invoices::owed(conn, company, &day(today))?;
                let unpaid = invoices::unpaid(conn, company, SUMMARY_INVOICES)?;
                let active = agreements::list(conn, company, false, today)?
                    .into_iter()
                    .filter(|a| a.prepaid_minutes > 0 && a.covers_day(today))
                    .collect();
                let low_hours = super::agreements::with_use(conn, active, &s, now)?
                    .into_iter()
                    .filter(|a| a.low_hours)
                    .collect();
                let mut renewals: Vec<_> = subscriptions::list(conn, company, false)?
                    .into_iter()
                    .filter(|sub| sub.renews_soon(today))
                    .collect();
                renewals.sort_by_key(|sub| (sub.renews_on(today), sub.id));
                Ok(pb::BillingSummary {
                    unpaid_invoices,
                    amount_due_cents,
                    overdue_cents,
                    unpaid: unpaid
                        .into_iter()
                        .map(|i| conv::invoice(i, &day(today)))
                        .collect(),
                    low_hours,
                    renewals: super::subscriptions::to_pb(renewals, &s, now),
                })
            })
            .await
    }
}
