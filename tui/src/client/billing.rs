//! `BillingService`: agreements, invoices, payments, billing runs and the
//! settings (docs/MONEY.md). Every answer is one [`BillingReply`].

use std::path::PathBuf;

use portal_proto::pb::{self, billing_service_client::BillingServiceClient};
use tokio_stream::StreamExt;
use tonic::transport::Channel;

use super::tickets::save_new_file;
use super::{Client, Res, every_page};
use crate::action::Reply;

/// What the money screens ask of the server.
#[derive(Debug, Clone, PartialEq)]
pub enum BillingCall {
    /// Home: unpaid invoices, the amount due, agreements low on hours.
    Summary,
    Agreements {
        company_id: i64,
    },
    Agreement {
        id: i64,
    },
    /// Create (`id` 0) or change an agreement.
    SaveAgreement {
        id: i64,
        input: pb::AgreementInput,
    },
    /// A page of invoices; `seq` tells the answer to the latest question.
    Invoices {
        seq: u64,
        append: bool,
        query: pb::ListInvoicesRequest,
    },
    Invoice {
        number: i64,
    },
    Void {
        number: i64,
        reason: String,
    },
    Email {
        number: i64,
    },
    /// The invoice as PDF or text, saved to a new file at `path`.
    Export {
        number: i64,
        format: pb::ExportFormat,
        path: PathBuf,
    },
    Pay(pb::SubmitPaymentRequest),
    /// Payments waiting for a provider Admin's decision, of every company.
    Pending,
    Confirm {
        id: i64,
    },
    Reject {
        id: i64,
        reason: String,
    },
    Settings,
    SaveSettings(pb::BillingSettings),
    /// What a run for `month` would bill (`run` false), or bill it.
    Run {
        month: String,
        run: bool,
    },
    /// Subscriptions: a client its company's, staff one company's (or
    /// every company's with 0).
    Subscriptions {
        company_id: i64,
    },
    /// Create (`id` 0) or change a subscription.
    SaveSubscription {
        id: i64,
        input: pb::SubscriptionInput,
    },
    CancelSubscription {
        id: i64,
    },
    /// A client asks for a change: a ticket is opened.
    RequestChange(pb::SubscriptionChangeRequest),
}

/// What the billing calls answer.
#[derive(Debug, Clone)]
pub enum BillingReply {
    Summary(pb::BillingSummary),
    Agreements(Vec<pb::Agreement>),
    Agreement(pb::AgreementDetail),
    AgreementSaved(pb::Agreement),
    Invoices {
        seq: u64,
        append: bool,
        page: pb::ListInvoicesResponse,
    },
    Invoice(pb::InvoiceDetail),
    /// Void or e-mail went through: what happened, to say and reload.
    InvoiceChanged {
        number: i64,
        what: String,
    },
    Payment(pb::Payment),
    Pending(Vec<pb::Payment>),
    Settings(pb::BillingSettings),
    SettingsSaved(pb::BillingSettings),
    Run(pb::BillingRun),
    /// The subscriptions asked for with `company_id`.
    Subscriptions {
        company_id: i64,
        rows: Vec<pb::Subscription>,
    },
    SubscriptionSaved(pb::Subscription),
    /// The ticket a change request opened.
    ChangeRequested(Box<pb::Ticket>),
}

fn billing(reply: BillingReply) -> Reply {
    Reply::Billing(Box::new(reply))
}

impl Client {
    pub fn billing(&self) -> BillingServiceClient<Channel> {
        BillingServiceClient::new(self.channel.clone())
    }

    pub(super) async fn billing_call(&self, call: BillingCall) -> Res<Reply> {
        let mut b = self.billing();
        let reply = match call {
            BillingCall::Summary => BillingReply::Summary(
                b.get_billing_summary(self.authed(pb::BillingSummaryRequest { company_id: 0 }))
                    .await?
                    .into_inner(),
            ),
            BillingCall::Agreements { company_id } => BillingReply::Agreements(
                b.list_agreements(self.authed(pb::ListAgreementsRequest {
                    company_id,
                    include_ended: true,
                }))
                .await?
                .into_inner()
                .agreements,
            ),
            BillingCall::Agreement { id } => BillingReply::Agreement(
                b.get_agreement(self.authed(pb::AgreementRef { id }))
                    .await?
                    .into_inner(),
            ),
            BillingCall::SaveAgreement { id: 0, input } => BillingReply::AgreementSaved(
                b.create_agreement(self.authed(input)).await?.into_inner(),
            ),
            BillingCall::SaveAgreement { id, input } => BillingReply::AgreementSaved(
                b.update_agreement(self.authed(pb::UpdateAgreementRequest {
                    id,
                    agreement: Some(input),
                }))
                .await?
                .into_inner(),
            ),
            BillingCall::Invoices { seq, append, query } => BillingReply::Invoices {
                seq,
                append,
                page: b.list_invoices(self.authed(query)).await?.into_inner(),
            },
            BillingCall::Invoice { number } => BillingReply::Invoice(
                b.get_invoice(self.authed(pb::InvoiceRef { number }))
                    .await?
                    .into_inner(),
            ),
            BillingCall::Void { number, reason } => {
                b.void_invoice(self.authed(pb::VoidInvoiceRequest { number, reason }))
                    .await?;
                BillingReply::InvoiceChanged {
                    number,
                    what: "voided".to_owned(),
                }
            }
            BillingCall::Email { number } => {
                let to = b
                    .email_invoice(self.authed(pb::InvoiceRef { number }))
                    .await?
                    .into_inner()
                    .to;
                BillingReply::InvoiceChanged {
                    number,
                    what: format!("queued to {to}"),
                }
            }
            BillingCall::Export {
                number,
                format,
                path,
            } => return self.export_invoice(number, format, path).await,
            call @ (BillingCall::Pay(_)
            | BillingCall::Pending
            | BillingCall::Confirm { .. }
            | BillingCall::Reject { .. }) => self.payment_call(call).await?,
            call @ (BillingCall::Subscriptions { .. }
            | BillingCall::SaveSubscription { .. }
            | BillingCall::CancelSubscription { .. }
            | BillingCall::RequestChange(_)) => self.subscription_call(call).await?,
            BillingCall::Settings => BillingReply::Settings(
                b.get_billing_settings(self.authed(pb::Empty {}))
                    .await?
                    .into_inner(),
            ),
            BillingCall::SaveSettings(settings) => BillingReply::SettingsSaved(
                b.update_billing_settings(self.authed(settings))
                    .await?
                    .into_inner(),
            ),
            BillingCall::Run { month, run } => {
                let request = self.authed(pb::BillingRunRequest {
                    month,
                    company_id: 0,
                });
                BillingReply::Run(if run {
                    b.run_billing(request).await?.into_inner()
                } else {
                    b.preview_billing_run(request).await?.into_inner()
                })
            }
        };
        Ok(billing(reply))
    }

    async fn export_invoice(
        &self,
        number: i64,
        format: pb::ExportFormat,
        path: PathBuf,
    ) -> Res<Reply> {
        let stream = self
            .billing()
            .export_invoice(self.authed(pb::ExportInvoiceRequest {
                number,
                format: format.into(),
            }))
            .await?
            .into_inner()
            .map(|part| part.map(|p| p.data));
        let bytes = save_new_file(&path, stream).await?;
        Ok(Reply::Downloaded { path, bytes })
    }

    async fn payment_call(&self, call: BillingCall) -> Res<BillingReply> {
        let mut b = self.billing();
        Ok(match call {
            BillingCall::Pay(request) => {
                BillingReply::Payment(b.submit_payment(self.authed(request)).await?.into_inner())
            }
            BillingCall::Confirm { id } => BillingReply::Payment(
                b.confirm_payment(self.authed(pb::PaymentRef { id }))
                    .await?
                    .into_inner(),
            ),
            BillingCall::Reject { id, reason } => BillingReply::Payment(
                b.reject_payment(self.authed(pb::RejectPaymentRequest { id, reason }))
                    .await?
                    .into_inner(),
            ),
            // `Pending`, the one other call `billing_call` sends here.
            _ => BillingReply::Pending(
                every_page(|page| {
                    let mut b = self.billing();
                    let request = self.authed(pb::ListPaymentsRequest {
                        states: vec![pb::PaymentState::Pending.into()],
                        page: Some(page),
                        ..Default::default()
                    });
                    async move {
                        let list = b.list_payments(request).await?.into_inner();
                        Ok((list.payments, list.next_cursor))
                    }
                })
                .await?,
            ),
        })
    }
}

impl Client {
    async fn subscription_call(&self, call: BillingCall) -> Res<BillingReply> {
        let mut b = self.billing();
        Ok(match call {
            BillingCall::SaveSubscription { id: 0, input } => BillingReply::SubscriptionSaved(
                b.create_subscription(self.authed(input))
                    .await?
                    .into_inner(),
            ),
            BillingCall::SaveSubscription { id, input } => BillingReply::SubscriptionSaved(
                b.update_subscription(self.authed(pb::UpdateSubscriptionRequest {
                    id,
                    subscription: Some(input),
                }))
                .await?
                .into_inner(),
            ),
            BillingCall::CancelSubscription { id } => BillingReply::SubscriptionSaved(
                b.cancel_subscription(self.authed(pb::SubscriptionRef { id }))
                    .await?
                    .into_inner(),
            ),
            BillingCall::RequestChange(request) => BillingReply::ChangeRequested(Box::new(
                b.request_subscription_change(self.authed(request))
                    .await?
                    .into_inner(),
            )),
            BillingCall::Subscriptions { company_id } => BillingReply::Subscriptions {
                company_id,
                rows: b
                    .list_subscriptions(self.authed(pb::ListSubscriptionsRequest {
                        company_id,
                        include_cancelled: true,
                    }))
                    .await?
                    .into_inner()
                    .subscriptions,
            },
            // `billing_call` sends only the calls above here.
            _ => return Err(tonic::Status::internal("not a subscription call")),
        })
    }
}
