//! Billing runs: a provider Admin's preview (reads) and run (one write).

use portal_proto::pb;
use tonic::{Request, Status};

use super::super::authn::caller;
use super::super::convert::billing as conv;
use super::{Billing, day, validate};
use crate::domain::money::{Month, zone_day};
use crate::domain::work::money as money_text;
use crate::policy;
use crate::store::billing_run::{self, RunBy};
use crate::store::{billing_settings, now_ms};

/// The run's answer: its invoices, and how many companies, lines and cents.
fn answer(
    month: Month,
    preview: bool,
    billed: billing_run::Billing,
    today: &str,
) -> pb::BillingRun {
    let lines = billed.iter().map(|(_, l)| l.len()).sum::<usize>();
    let total_cents = billed.iter().map(|(i, _)| i.total_cents).sum();
    pb::BillingRun {
        month: month.to_string(),
        preview,
        companies: u32::try_from(billed.len()).unwrap_or(u32::MAX),
        lines: u32::try_from(lines).unwrap_or(u32::MAX),
        total_cents,
        invoices: billed
            .into_iter()
            .map(|(invoice, lines)| pb::InvoiceDetail {
                invoice: Some(conv::invoice(invoice, today)),
                lines: lines.into_iter().map(conv::line).collect(),
                payments: Vec::new(),
            })
            .collect(),
    }
}

impl Billing {
    pub(super) async fn run(
        &self,
        request: &Request<pb::BillingRunRequest>,
        preview: bool,
    ) -> Result<pb::BillingRun, Status> {
        let who = caller(request)?.clone();
        policy::manage_money(&who.principal)?;
        let req = request.get_ref();
        let company = super::super::input::optional_id("company_id", req.company_id)?;
        let now = now_ms();
        let zone = self
            .state
            .read_inline(|conn| Ok(billing_settings::get(conn)?.zone))?;
        let today = zone_day(zone, now);
        let month = validate::month(&req.month, Month::of(today))?;
        let actor = who.clone();
        let by_run = move |conn: &rusqlite::Connection| {
            let by = RunBy {
                actor: &who.email,
                now,
                today,
            };
            Ok(billing_run::run(conn, month, company, preview, by)?)
        };
        let billed = if preview {
            self.state.read(by_run).await?
        } else {
            let billed = self.state.write(by_run).await?;
            for (invoice, _) in &billed {
                super::publish(
                    &self.state,
                    pb::EventKind::InvoiceIssued,
                    &actor,
                    (invoice.company_id, invoice.number),
                    format!(
                        "Invoice {} issued: {}",
                        invoice.number,
                        money_text(invoice.total_cents)
                    ),
                );
            }
            billed
        };
        Ok(answer(month, preview, billed, &day(today)))
    }
}
