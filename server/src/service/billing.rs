//! BillingService: agreements, subscriptions, billing runs, invoices and
//! payments (docs/MONEY.md). Every call first asks `policy::money_scope` or
//! `policy::manage_money`; an object of another company is NOT_FOUND.

mod agreements;
mod export;
mod invoices;
mod payments;
mod runs;
mod subscriptions;
mod validate;

use chrono::NaiveDate;
use portal_proto::pb;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

use super::AppState;
use super::authn::caller;
use super::events::{Audience, TicketEvent};
use crate::domain::money::{BillingSettings, zone_day};
use crate::domain::{AuditAction, Caller};
use crate::policy;
use crate::store::audit::{self, AuditEvent};
use crate::store::{billing_settings, now_ms};

pub struct Billing {
    state: AppState,
}

impl Billing {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// Today in the provider's zone.
fn today(s: &BillingSettings, now: i64) -> NaiveDate {
    zone_day(s.zone, now)
}

/// Tells those who see `company_id`'s money (and only them) what changed,
/// once the change is committed.
fn publish(
    state: &AppState,
    kind: pb::EventKind,
    who: &Caller,
    (company_id, invoice_number): (i64, i64),
    summary: String,
) {
    state.events.publish(TicketEvent {
        kind,
        ticket_number: 0,
        at_ms: now_ms(),
        actor_name: who.name.clone(),
        summary,
        audience: Audience::Money {
            company_id,
            invoice_number,
        },
    });
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn settings_pb(s: BillingSettings) -> pb::BillingSettings {
    pb::BillingSettings {
        labour_rate_cents: s.labour_rate_cents,
        tax_rate_basis_points: s.tax_rate_basis_points,
        low_hours_percent: s.low_hours_percent,
        currency: s.currency,
    }
}

impl Billing {
    fn get_settings(&self, request: &Request<pb::Empty>) -> Result<pb::BillingSettings, Status> {
        policy::view_billing_settings(&caller(request)?.principal)?;
        let s = self
            .state
            .read_inline(|conn| Ok(billing_settings::get(conn)?))?;
        Ok(settings_pb(s))
    }

    async fn set_settings(
        &self,
        request: Request<pb::BillingSettings>,
    ) -> Result<pb::BillingSettings, Status> {
        let who = caller(&request)?.clone();
        policy::manage_money(&who.principal)?;
        let (rate, tax, low) = validate::settings(request.get_ref())?;
        let now = now_ms();
        let s = self
            .state
            .write(move |conn| {
                billing_settings::update(conn, rate, tax, low)?;
                let record = AuditEvent {
                    detail: format!(
                        "labour_rate_cents = {rate}, tax_rate_basis_points = {tax}, low_hours_percent = {low}"
                    ),
                    ..AuditEvent::by(
                        &who,
                        AuditAction::BillingSettingsChanged,
                        "billing settings",
                        None,
                    )
                };
                audit::record(conn, now, &record)?;
                Ok(billing_settings::get(conn)?)
            })
            .await?;
        Ok(settings_pb(s))
    }
}

#[tonic::async_trait]
impl pb::billing_service_server::BillingService for Billing {
    async fn list_agreements(
        &self,
        request: Request<pb::ListAgreementsRequest>,
    ) -> Result<Response<pb::ListAgreementsResponse>, Status> {
        self.agreements(&request).await.map(Response::new)
    }

    async fn get_agreement(
        &self,
        request: Request<pb::AgreementRef>,
    ) -> Result<Response<pb::AgreementDetail>, Status> {
        self.agreement(&request).await.map(Response::new)
    }

    async fn create_agreement(
        &self,
        request: Request<pb::AgreementInput>,
    ) -> Result<Response<pb::Agreement>, Status> {
        let input = validate::agreement("", Some(request.get_ref()));
        self.save_agreement(&request, None, input)
            .await
            .map(Response::new)
    }

    async fn update_agreement(
        &self,
        request: Request<pb::UpdateAgreementRequest>,
    ) -> Result<Response<pb::Agreement>, Status> {
        let id = super::input::id("id", request.get_ref().id);
        let input = validate::agreement("agreement", request.get_ref().agreement.as_ref());
        self.save_agreement(&request, Some(id), input)
            .await
            .map(Response::new)
    }

    async fn preview_billing_run(
        &self,
        request: Request<pb::BillingRunRequest>,
    ) -> Result<Response<pb::BillingRun>, Status> {
        self.run(&request, true).await.map(Response::new)
    }

    async fn run_billing(
        &self,
        request: Request<pb::BillingRunRequest>,
    ) -> Result<Response<pb::BillingRun>, Status> {
        self.run(&request, false).await.map(Response::new)
    }

    async fn list_invoices(
        &self,
        request: Request<pb::ListInvoicesRequest>,
    ) -> Result<Response<pb::ListInvoicesResponse>, Status> {
        self.invoices(&request).await.map(Response::new)
    }

    async fn get_invoice(
        &self,
        request: Request<pb::InvoiceRef>,
    ) -> Result<Response<pb::InvoiceDetail>, Status> {
        self.invoice(&request).map(Response::new)
    }

    async fn void_invoice(
        &self,
        request: Request<pb::VoidInvoiceRequest>,
    ) -> Result<Response<pb::Invoice>, Status> {
        self.void(&request).await.map(Response::new)
    }

    async fn export_invoice(
        &self,
        request: Request<pb::ExportInvoiceRequest>,
    ) -> Result<Response<BoxStream<pb::ExportTicketResponse>>, Status> {
        self.export(&request)
            .await
            .map(|stream| Response::new(Box::pin(stream) as BoxStream<_>))
    }

    async fn email_invoice(
        &self,
        request: Request<pb::InvoiceRef>,
    ) -> Result<Response<pb::EmailInvoiceResponse>, Status> {
        self.email(&request).await.map(Response::new)
    }

    async fn submit_payment(
        &self,
        request: Request<pb::SubmitPaymentRequest>,
    ) -> Result<Response<pb::Payment>, Status> {
        self.submit(&request).await.map(Response::new)
    }

    async fn list_payments(
        &self,
        request: Request<pb::ListPaymentsRequest>,
    ) -> Result<Response<pb::ListPaymentsResponse>, Status> {
        self.payments(&request).await.map(Response::new)
    }

    async fn confirm_payment(
        &self,
        request: Request<pb::PaymentRef>,
    ) -> Result<Response<pb::Payment>, Status> {
        let id = request.get_ref().id;
        self.decide(&request, id, None).await.map(Response::new)
    }

    async fn reject_payment(
        &self,
        request: Request<pb::RejectPaymentRequest>,
    ) -> Result<Response<pb::Payment>, Status> {
        let id = request.get_ref().id;
        let reason = validate::reason(&request.get_ref().reason, true);
        self.decide(&request, id, Some(reason))
            .await
            .map(Response::new)
    }

    async fn get_billing_settings(
        &self,
        request: Request<pb::Empty>,
    ) -> Result<Response<pb::BillingSettings>, Status> {
        self.get_settings(&request).map(Response::new)
    }

    async fn update_billing_settings(
        &self,
        request: Request<pb::BillingSettings>,
    ) -> Result<Response<pb::BillingSettings>, Status> {
        self.set_settings(request).await.map(Response::new)
    }

    async fn get_billing_summary(
        &self,
        request: Request<pb::BillingSummaryRequest>,
    ) -> Result<Response<pb::BillingSummary>, Status> {
        self.summary(&request).await.map(Response::new)
    }

    async fn list_subscriptions(
        &self,
        request: Request<pb::ListSubscriptionsRequest>,
    ) -> Result<Response<pb::ListSubscriptionsResponse>, Status> {
        self.subscriptions(&request).await.map(Response::new)
    }

    async fn create_subscription(
        &self,
        request: Request<pb::SubscriptionInput>,
    ) -> Result<Response<pb::Subscription>, Status> {
        let input = validate::subscription("", Some(request.get_ref()));
        self.save_subscription(&request, None, input)
            .await
            .map(Response::new)
    }

    async fn update_subscription(
        &self,
        request: Request<pb::UpdateSubscriptionRequest>,
    ) -> Result<Response<pb::Subscription>, Status> {
        let id = super::input::id("id", request.get_ref().id);
        let input = validate::subscription("subscription", request.get_ref().subscription.as_ref());
        self.save_subscription(&request, Some(id), input)
            .await
            .map(Response::new)
    }

    async fn cancel_subscription(
        &self,
        request: Request<pb::SubscriptionRef>,
    ) -> Result<Response<pb::Subscription>, Status> {
        self.cancel(&request).await.map(Response::new)
    }

    async fn request_subscription_change(
        &self,
        request: Request<pb::SubscriptionChangeRequest>,
    ) -> Result<Response<pb::Ticket>, Status> {
        self.request_change(&request).await.map(Response::new)
    }
}
