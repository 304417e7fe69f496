//! docs/ROLES.md rows for money (BillingService), for every role: client
//! Managers and Admins see their company's agreements, invoices and
//! payments and pay; provider Admins see and do everything; Users,
//! Technicians and Dispatchers see none of it (staff read the billing
//! settings). Refused, nothing changed.

use portal_proto::pb;

use super::{DENIED, Outcome, ROLES, Role, World, YES, check};

fn sees_money(role: Role) -> bool {
    matches!(role, Role::Manager | Role::Admin | Role::ProviderAdmin)
}

fn outcome<T>(r: Result<tonic::Response<T>, tonic::Status>) -> Outcome {
    r.map(drop)
}

/// A Harbor invoice with something owed and nothing pending, and a Harbor
/// agreement, as the provider Admin sees them.
async fn harbor_money(w: &World) -> anyhow::Result<(pb::Invoice, pb::Agreement)> {
    let b = w.s(Role::ProviderAdmin).billing();
    let invoice = b
        .clone()
        .list_invoices(pb::ListInvoicesRequest {
            company_id: w.harbor(),
            statuses: vec![pb::InvoiceStatus::Unpaid.into()],
            ..Default::default()
        })
        .await?
        .into_inner()
        .invoices
        .into_iter()
        .find(|i| i.pending_cents == 0)
        .ok_or_else(|| anyhow::anyhow!("no unpaid Harbor invoice"))?;
    let agreement = b
        .clone()
        .list_agreements(pb::ListAgreementsRequest {
            company_id: w.harbor(),
            include_ended: true,
        })
        .await?
        .into_inner()
        .agreements
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no Harbor agreement"))?;
    Ok((invoice, agreement))
}

#[tokio::test]
async fn money_is_seen_by_client_managers_and_admins_and_the_provider_admin() -> anyhow::Result<()>
{
    let w = World::new().await?;
    let (invoice, agreement) = harbor_money(&w).await?;
    let number = invoice.number;
    for role in ROLES {
        let want = if sees_money(role) { YES } else { DENIED };
        let b = w.s(role).billing();
        check(
            "ListInvoices",
            role,
            outcome(
                b.clone()
                    .list_invoices(pb::ListInvoicesRequest::default())
                    .await,
            ),
            want,
        );
        check(
            "GetInvoice",
            role,
            outcome(b.clone().get_invoice(pb::InvoiceRef { number }).await),
            want,
        );
        let export = b
            .clone()
            .export_invoice(pb::ExportInvoiceRequest {
                number,
                format: pb::ExportFormat::Text.into(),
            })
            .await;
        check("ExportInvoice", role, outcome(export), want);
        check(
            "ListAgreements",
            role,
            outcome(
                b.clone()
                    .list_agreements(pb::ListAgreementsRequest::default())
                    .await,
            ),
            want,
        );
        check(
            "GetAgreement",
            role,
            outcome(
                b.clone()
                    .get_agreement(pb::AgreementRef { id: agreement.id })
                    .await,
            ),
            want,
        );
        check(
            "ListPayments",
            role,
            outcome(
                b.clone()
                    .list_payments(pb::ListPaymentsRequest::default())
                    .await,
            ),
            want,
        );
        check(
            "GetBillingSummary",
            role,
            outcome(
                b.clone()
                    .get_billing_summary(pb::BillingSummaryRequest::default())
                    .await,
            ),
            want,
        );
        let settings = if role.is_staff() { YES } else { DENIED };
        check(
            "GetBillingSettings",
            role,
            outcome(b.clone().get_billing_settings(pb::Empty {}).await),
            settings,
        );
    }
    Ok(())
}

#[tokio::test]
async fn client_managers_and_admins_pay_pending_the_provider_admin_confirmed() -> anyhow::Result<()>
{
    let w = World::new().await?;
    let (invoice, _) = harbor_money(&w).await?;
    let number = invoice.number;
    let stored = |w: &World| {
        let b = w.s(Role::ProviderAdmin).billing();
        async move {
            Ok::<_, anyhow::Error>(
                b.clone()
                    .get_invoice(pb::InvoiceRef { number })
                    .await?
                    .into_inner()
                    .invoice
                    .unwrap_or_default(),
            )
        }
    };
    for (n, role) in ROLES.into_iter().enumerate() {
        let before = stored(&w).await?;
        let got = w
            .s(role)
            .billing()
            .submit_payment(pb::SubmitPaymentRequest {
                invoice_number: number,
                amount_cents: 100,
                method: pb::PaymentMethod::Check.into(),
                reference: String::new(),
                idempotency_key: format!("permissions-{n:04}"),
            })
            .await;
        let want = if sees_money(role) { YES } else { DENIED };
        let paid = got.as_ref().ok().map(|p| p.get_ref().state);
        check("SubmitPayment", role, outcome(got), want);
        let after = stored(&w).await?;
        match paid {
            Some(s) if s == pb::PaymentState::Confirmed as i32 => {
                assert_eq!(role, Role::ProviderAdmin);
                assert_eq!(after.paid_cents, before.paid_cents + 100);
            }
            Some(_) => assert_eq!(after.pending_cents, before.pending_cents + 100),
            None => assert_eq!(after, before, "refused as {role:?}: nothing changed"),
        }
    }
    Ok(())
}

#[tokio::test]
async fn only_the_provider_admin_manages_agreements_runs_invoices_and_settings()
-> anyhow::Result<()> {
    let w = World::new().await?;
    let (invoice, agreement) = harbor_money(&w).await?;
    let input = pb::AgreementInput {
        company_id: w.harbor(),
        title: "Backup service".into(),
        kind: pb::AgreementKind::Other.into(),
        start_date: "2026-01-01".into(),
        monthly_amount_cents: 5000,
        ..Default::default()
    };
    let settings = w
        .s(Role::ProviderAdmin)
        .billing()
        .get_billing_settings(pb::Empty {})
        .await?
        .into_inner();
    // The provider Admin goes last: its changes are the only ones.
    for role in ROLES {
        let want = if role == Role::ProviderAdmin {
            YES
        } else {
            DENIED
        };
        let b = w.s(role).billing();
        let count = || {
            let b = w.s(Role::ProviderAdmin).billing();
            async move {
                Ok::<_, anyhow::Error>(
                    b.clone()
                        .list_agreements(pb::ListAgreementsRequest {
                            company_id: 0,
                            include_ended: true,
                        })
                        .await?
                        .into_inner()
                        .agreements
                        .len(),
                )
            }
        };
        let before = count().await?;
        let created = b.clone().create_agreement(input.clone()).await;
        let made = created.is_ok();
        check("CreateAgreement", role, outcome(created), want);
        assert_eq!(count().await?, before + usize::from(made));
        let update = pb::UpdateAgreementRequest {
            id: agreement.id,
            agreement: Some(pb::AgreementInput {
                company_id: agreement.company_id,
                title: agreement.title.clone(),
                kind: agreement.kind,
                start_date: agreement.start_date.clone(),
                end_date: agreement.end_date.clone(),
                monthly_amount_cents: agreement.monthly_amount_cents,
                prepaid_minutes: agreement.prepaid_minutes,
                work_type_ids: agreement.work_type_ids.clone(),
                renews: agreement.renews,
            }),
        };
        check(
            "UpdateAgreement",
            role,
            outcome(b.clone().update_agreement(update).await),
            want,
        );
        let run = pb::BillingRunRequest {
            month: "2026-01".into(),
            company_id: 0,
        };
        check(
            "PreviewBillingRun",
            role,
            outcome(b.clone().preview_billing_run(run.clone()).await),
            want,
        );
        check(
            "RunBilling",
            role,
            outcome(b.clone().run_billing(run).await),
            want,
        );
        check(
            "EmailInvoice",
            role,
            outcome(
                b.clone()
                    .email_invoice(pb::InvoiceRef {
                        number: invoice.number,
                    })
                    .await,
            ),
            want,
        );
        check(
            "UpdateBillingSettings",
            role,
            outcome(b.clone().update_billing_settings(settings.clone()).await),
            want,
        );
        check(
            "ConfirmPayment",
            role,
            outcome(
                b.clone()
                    .confirm_payment(pb::PaymentRef { id: 999_999 })
                    .await,
            ),
            if want.is_ok() { super::NOT_FOUND } else { want },
        );
        check(
            "RejectPayment",
            role,
            outcome(
                b.clone()
                    .reject_payment(pb::RejectPaymentRequest {
                        id: 999_999,
                        reason: "Bounced".into(),
                    })
                    .await,
            ),
            if want.is_ok() { super::NOT_FOUND } else { want },
        );
        let void = pb::VoidInvoiceRequest {
            number: invoice.number,
            reason: "Wrong company".into(),
        };
        check(
            "VoidInvoice",
            role,
            outcome(b.clone().void_invoice(void).await),
            want,
        );
        let status = w
            .s(Role::ProviderAdmin)
            .billing()
            .get_invoice(pb::InvoiceRef {
                number: invoice.number,
            })
            .await?
            .into_inner()
            .invoice
            .unwrap_or_default()
            .status;
        let voided = status == pb::InvoiceStatus::Void as i32;
        assert_eq!(voided, role == Role::ProviderAdmin, "void as {role:?}");
    }
    Ok(())
}
