//! Money of another company: every BillingService call a client Manager or
//! Admin can make that names an agreement or invoice answers NOT_FOUND
//! exactly as for one that does not exist, and nothing changes. (Payment
//! ids are named only by ConfirmPayment and RejectPayment, provider Admins'
//! calls: a client is refused those for its role, whatever the id.)

use portal_e2e::{Session, TestServer, demo, expect_code};
use portal_proto::pb;
use tokio_stream::StreamExt;
use tonic::{Code, Status};

use super::sign_in;

/// Every call a client may make naming agreement `id` or invoice `number`.
async fn money_calls(s: &Session, id: i64, number: i64) -> Vec<(&'static str, Result<(), Status>)> {
    let b = s.billing();
    let export = async {
        let mut stream = b
            .clone()
            .export_invoice(pb::ExportInvoiceRequest {
                number,
                format: pb::ExportFormat::Pdf.into(),
            })
            .await?
            .into_inner();
        while let Some(piece) = stream.next().await {
            piece?;
        }
        Ok(())
    };
    vec![
        (
            "GetAgreement",
            b.clone()
                .get_agreement(pb::AgreementRef { id })
                .await
                .map(drop),
        ),
        (
            "GetInvoice",
            b.clone()
                .get_invoice(pb::InvoiceRef { number })
                .await
                .map(drop),
        ),
        ("ExportInvoice", export.await),
        (
            "SubmitPayment",
            b.clone()
                .submit_payment(pb::SubmitPaymentRequest {
                    invoice_number: number,
                    amount_cents: 100,
                    method: pb::PaymentMethod::Check.into(),
                    reference: String::new(),
                    idempotency_key: "isolation-key-1".into(),
                })
                .await
                .map(drop),
        ),
        (
            "ListPayments",
            b.clone()
                .list_payments(pb::ListPaymentsRequest {
                    invoice_number: number,
                    ..Default::default()
                })
                .await
                .map(drop),
        ),
    ]
}

#[tokio::test]
async fn another_companys_agreements_and_invoices_are_not_found() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let all = paula
        .billing()
        .list_invoices(pb::ListInvoicesRequest::default())
        .await?
        .into_inner()
        .invoices;
    let agreements = paula
        .billing()
        .list_agreements(pb::ListAgreementsRequest::default())
        .await?
        .into_inner()
        .agreements;
    for (me, them) in [
        (demo::CLIENT_ADMIN, demo::OTHER_ADMIN),
        (demo::CLIENT_MANAGER, demo::OTHER_MANAGER),
        (demo::OTHER_ADMIN, demo::CLIENT_ADMIN),
    ] {
        let (s, identity) = sign_in(&server, me).await?;
        let (_, other) = sign_in(&server, them).await?;
        let invoice = all
            .iter()
            .find(|i| i.company_id == other.company_id)
            .expect("an invoice of the other company");
        let agreement = agreements
            .iter()
            .find(|a| a.company_id == other.company_id)
            .expect("an agreement of the other company");
        let before = paula
            .billing()
            .get_invoice(pb::InvoiceRef {
                number: invoice.number,
            })
            .await?
            .into_inner();
        let theirs = money_calls(&s, agreement.id, invoice.number).await;
        let missing = money_calls(&s, 999_999, 999_999).await;
        for ((call, got), (_, none)) in theirs.into_iter().zip(missing) {
            let got = expect_code(got, Code::NotFound);
            let none = expect_code(none, Code::NotFound);
            assert_eq!(got.message(), none.message(), "{call} as {me}");
        }
        // A list for another company answers the caller's own.
        let listed = s
            .billing()
            .list_invoices(pb::ListInvoicesRequest {
                company_id: other.company_id,
                ..Default::default()
            })
            .await?
            .into_inner()
            .invoices;
        assert!(listed.iter().all(|i| i.company_id == identity.company_id));
        let after = paula
            .billing()
            .get_invoice(pb::InvoiceRef {
                number: invoice.number,
            })
            .await?
            .into_inner();
        assert_eq!(before, after, "nothing of {them}'s company changed");
    }
    Ok(())
}
