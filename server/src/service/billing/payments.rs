//! Payments: a client's pending "pay", a provider Admin's record of money
//! received outside the portal (confirmed at once), confirm and reject.
//! Every one is audited. How money arrives is a `PaymentGateway`; only the
//! manual one exists.

use portal_proto::pb;
use tonic::{Request, Status};

use super::super::authn::caller;
use super::super::convert::billing as conv;
use super::super::{input, keyset};
use super::invoices::visible;
use super::{Billing, validate};
use crate::domain::money::{Payment, PaymentState};
use crate::domain::work::money as money_text;
use crate::domain::{AuditAction, Caller, Invalid, Principal};
use crate::policy::{self, Denied};
use crate::store::audit::{self, AuditEvent};
use crate::store::payments::{self, NewPayment};
use crate::store::{invoices, now_ms};

/// How a submitted payment is settled. A card or bank gateway would
/// confirm payments itself; the manual gateway leaves a client's payment
/// pending for a provider Admin, who records money received outside the
/// portal as confirmed.
pub trait PaymentGateway: Send + Sync {
    /// The state a new payment by `p` starts in.
    fn initial_state(&self, p: &Principal) -> PaymentState;
}

/// Payments by check, transfer or card taken outside the portal.
pub struct Manual;

impl PaymentGateway for Manual {
    fn initial_state(&self, p: &Principal) -> PaymentState {
        if policy::manage_money(p).is_ok() {
            PaymentState::Confirmed
        } else {
            PaymentState::Pending
        }
    }
}

fn audit_payment(who: &Caller, action: AuditAction, p: &Payment) -> AuditEvent {
    AuditEvent {
        detail: format!(
            "{} on invoice {}",
            money_text(p.amount_cents),
            p.invoice_number
        ),
        ..AuditEvent::by(
            who,
            action,
            &format!("payment {}", p.id),
            Some(p.company_id),
        )
    }
}

/// "Payment of 10.00 on invoice 1009 confirmed", to those who see the
/// company's money.
fn publish_payment(b: &Billing, kind: pb::EventKind, who: &Caller, p: &Payment, what: &str) {
    super::publish(
        &b.state,
        kind,
        who,
        (p.company_id, p.invoice_number),
        format!(
            "Payment of {} on invoice {} {what}",
            money_text(p.amount_cents),
            p.invoice_number
        ),
    );
}

impl Billing {
    pub(super) async fn submit(
        &self,
        request: &Request<pb::SubmitPaymentRequest>,
    ) -> Result<pb::Payment, Status> {
        let who = caller(request)?.clone();
        policy::money_scope(&who.principal)?;
        let pay = validate::payment(request.get_ref())?;
        let state = Manual.initial_state(&who.principal);
        let now = now_ms();
        let actor = who.clone();
        // The payment, and whether this call recorded it (not a repeat).
        let (payment, recorded) = self
            .state
            .write(move |conn| {
                let invoice = visible(conn, &who.principal, pay.number)?;
                if let Some(done) = payments::by_key(conn, invoice.id, &pay.key)? {
                    if done.amount_cents != pay.amount_cents || done.method != pay.method {
                        return Err(Invalid::new(
                            "idempotency_key",
                            "already used for a different payment on this invoice",
                        )
                        .into());
                    }
                    return Ok((done, false));
                }
                if invoices::is_void(&invoice) {
                    return Err(Invalid::new("invoice_number", "the invoice is void").into());
                }
                let open = invoice.balance_cents - invoice.pending_cents;
                if pay.amount_cents > open {
                    return Err(Invalid::new(
                        "amount_cents",
                        format!(
                            "more than the balance less pending payments ({})",
                            money_text(open.max(0))
                        ),
                    )
                    .into());
                }
                let payment = payments::record(
                    conn,
                    &NewPayment {
                        invoice_id: invoice.id,
                        company_id: invoice.company_id,
                        amount_cents: pay.amount_cents,
                        method: pay.method,
                        reference: &pay.reference,
                        idempotency_key: &pay.key,
                        state,
                        by: &who.email,
                    },
                    now,
                )?;
                audit::record(
                    conn,
                    now,
                    &audit_payment(&who, AuditAction::PaymentRecorded, &payment),
                )?;
                Ok((payment, true))
            })
            .await?;
        if recorded {
            let (kind, what) = if payment.state == PaymentState::Confirmed as i32 {
                (pb::EventKind::PaymentConfirmed, "recorded")
            } else {
                (pb::EventKind::PaymentSubmitted, "submitted")
            };
            publish_payment(self, kind, &actor, &payment, what);
        }
        Ok(conv::payment(payment))
    }

    pub(super) async fn payments(
        &self,
        request: &Request<pb::ListPaymentsRequest>,
    ) -> Result<pb::ListPaymentsResponse, Status> {
        let p = caller(request)?.principal.clone();
        let req = request.get_ref();
        let asked = input::optional_id("company_id", req.company_id)?;
        let company = policy::money_company(&p, asked.unwrap_or_default())?;
        let number = input::optional_id("invoice_number", req.invoice_number)?;
        let states = validate::states(&req.states)?;
        let size = keyset::page_size(req.page.as_ref())?;
        let before = keyset::decode::<i64>(req.page.as_ref())?;
        self.state
            .read(move |conn| {
                let invoice = number
                    .map(|n| visible(conn, &p, n).map(|i| i.id))
                    .transpose()?;
                let mut rows = payments::list(conn, invoice, company, &states, before, size + 1)?;
                let next_cursor = keyset::finish(&mut rows, size, |p| p.id);
                Ok(pb::ListPaymentsResponse {
                    payments: rows.into_iter().map(conv::payment).collect(),
                    next_cursor,
                })
            })
            .await
    }

    /// Confirms (`reason` None) or rejects a pending payment: provider Admins.
    pub(super) async fn decide<T>(
        &self,
        request: &Request<T>,
        id: i64,
        reason: Option<Result<String, Status>>,
    ) -> Result<pb::Payment, Status> {
        let who = caller(request)?.clone();
        policy::manage_money(&who.principal)?;
        let id = input::id("id", id)?;
        let reason = reason.transpose()?;
        let now = now_ms();
        let actor = who.clone();
        let (kind, what) = if reason.is_some() {
            (pb::EventKind::PaymentRejected, "rejected")
        } else {
            (pb::EventKind::PaymentConfirmed, "confirmed")
        };
        let payment = self
            .state
            .write(move |conn| {
                let pending = payments::get(conn, id)?.ok_or(Denied::NotFound)?;
                let invoice = visible(conn, &who.principal, pending.invoice_number)?;
                let (state, action) = if reason.is_some() {
                    (PaymentState::Rejected, AuditAction::PaymentRejected)
                } else {
                    (PaymentState::Confirmed, AuditAction::PaymentConfirmed)
                };
                if state == PaymentState::Confirmed
                    && pending.state == PaymentState::Pending as i32
                    && pending.amount_cents > invoice.balance_cents
                {
                    return Err(crate::store::StoreError::FailedPrecondition(format!(
                        "the payment is more than the invoice's balance ({}); reject it",
                        money_text(invoice.balance_cents)
                    ))
                    .into());
                }
                let reason = reason.unwrap_or_default();
                let decided = payments::decide(conn, id, state, &who.email, &reason, now)?;
                audit::record(conn, now, &audit_payment(&who, action, &decided))?;
                Ok(decided)
            })
            .await?;
        publish_payment(self, kind, &actor, &payment, what);
        Ok(conv::payment(payment))
    }
}
