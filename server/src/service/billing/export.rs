//! An invoice saved as PDF or text (streamed like a ticket export), and
//! e-mailed to the company's billing contact through the outbox.

use portal_proto::pb;
use rusqlite::Connection;
use tonic::{Request, Status};

use super::super::authn::caller;
use super::super::input;
use super::super::outcome::Outcome;
use super::Billing;
use super::invoices::visible;
use crate::domain::mail::{MailKind, OutgoingMail};
use crate::domain::money::{Invoice, InvoiceRecord};
use crate::domain::{AuditAction, Principal};
use crate::export::{self, Format};
use crate::policy;
use crate::service::file_stream::{FileStream, file_stream};
use crate::store::audit::{self, AuditEvent};
use crate::store::{StoreError, billing_settings, invoices, now_ms, outbox, payments};

/// Everything the invoice's document shows.
fn record(conn: &Connection, invoice: Invoice) -> Outcome<InvoiceRecord> {
    let s = billing_settings::get(conn)?;
    Ok(InvoiceRecord {
        provider_name: s.provider_name,
        currency: s.currency,
        lines: invoices::lines(conn, invoice.id)?,
        payments: payments::of_invoice(conn, invoice.id)?,
        invoice,
    })
}

fn load(conn: &Connection, p: &Principal, number: i64) -> Outcome<InvoiceRecord> {
    let invoice = visible(conn, p, number)?;
    record(conn, invoice)
}

impl Billing {
    pub(super) async fn export(
        &self,
        request: &Request<pb::ExportInvoiceRequest>,
    ) -> Result<FileStream, Status> {
        let p = caller(request)?.principal.clone();
        policy::money_scope(&p)?;
        let number = input::id("number", request.get_ref().number)?;
        let format = match pb::ExportFormat::try_from(request.get_ref().format) {
            Ok(pb::ExportFormat::Text) => Format::Text,
            Ok(pb::ExportFormat::Unspecified | pb::ExportFormat::Pdf) => Format::Pdf,
            Err(_) => return Err(super::super::status::invalid("format", "no such format")),
        };
        let record = self.state.read(move |conn| load(conn, &p, number)).await?;
        let bytes = tokio::task::spawn_blocking(move || {
            export::render(&export::invoice_document(&record), format)
        })
        .await
        .map_err(|e| Status::from(export::RenderFailed::from(e)))?;
        let file_name = format!("invoice-{number}.{}", format.extension());
        Ok(file_stream(file_name, format, &bytes))
    }

    /// Queues the invoice, as text, to the company's billing contact: its
    /// first active Admin. Provider Admins; audited.
    pub(super) async fn email(
        &self,
        request: &Request<pb::InvoiceRef>,
    ) -> Result<pb::EmailInvoiceResponse, Status> {
        let who = caller(request)?.clone();
        policy::manage_money(&who.principal)?;
        let number = input::id("number", request.get_ref().number)?;
        let now = now_ms();
        let p = who.principal.clone();
        let (r, to) = self
            .state
            .read(move |conn| {
                let r = load(conn, &p, number)?;
                let to = invoices::billing_contact(conn, r.invoice.company_id)?;
                Ok((r, to))
            })
            .await?;
        let to = to.ok_or_else(|| {
            Status::from(StoreError::FailedPrecondition(
                "the company has no active Admin to send invoices to".into(),
            ))
        })?;
        let body = export::render(&export::invoice_document(&r), Format::Text);
        let mail = OutgoingMail {
            kind: MailKind::InvoiceSent,
            recipient: to.clone(),
            subject: format!("Invoice {number} from {}", r.provider_name),
            body: String::from_utf8_lossy(&body).into_owned(),
            ticket_number: None,
            contact_id: None,
        };
        let company = r.invoice.company_id;
        self.state
            .write(move |conn| {
                outbox::enqueue(conn, &mail, now)?;
                let record = AuditEvent {
                    detail: format!("to {}", mail.recipient),
                    ..AuditEvent::by(
                        &who,
                        AuditAction::InvoiceEmailed,
                        &format!("invoice {number}"),
                        Some(company),
                    )
                };
                audit::record(conn, now, &record)?;
                Ok(())
            })
            .await?;
        Ok(pb::EmailInvoiceResponse { to })
    }
}
