//! Subscriptions of another company: its Managers and Admins never list
//! them, and a change request naming one answers NOT_FOUND exactly as for
//! an id that does not exist; no ticket is opened.

use portal_e2e::{TestServer, demo, expect_code};
use portal_proto::pb;
use tonic::Code;

use super::sign_in;

/// How many tickets Harbor's Admin sees.
async fn tickets(s: &portal_e2e::Session) -> anyhow::Result<u64> {
    Ok(s.tickets()
        .list_tickets(pb::ListTicketsRequest::default())
        .await?
        .into_inner()
        .total)
}

#[tokio::test]
async fn another_companys_subscriptions_are_not_found() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (alice, harbor) = sign_in(&server, demo::CLIENT_ADMIN).await?;
    let theirs = alice
        .billing()
        .list_subscriptions(pb::ListSubscriptionsRequest::default())
        .await?
        .into_inner()
        .subscriptions;
    let sub = theirs.first().cloned().unwrap_or_default();
    assert!(sub.id > 0 && sub.company_id == harbor.company_id);
    let ask = |subscription_id: i64| pb::SubscriptionChangeRequest {
        subscription_id,
        change: pb::SubscriptionChange::MoreSeats.into(),
        requested_quantity: 500,
        note: "from elsewhere".into(),
        po_number: "PO-1".into(),
    };
    let before = tickets(&alice).await?;
    for email in [demo::OTHER_MANAGER, demo::OTHER_ADMIN] {
        let (other, _) = sign_in(&server, email).await?;
        let b = other.billing();
        // Naming Harbor lists their own company's, never Harbor's.
        let listed = b
            .clone()
            .list_subscriptions(pb::ListSubscriptionsRequest {
                company_id: harbor.company_id,
                include_cancelled: true,
            })
            .await?
            .into_inner()
            .subscriptions;
        assert!(!listed.is_empty(), "{email} sees their own");
        assert!(
            listed.iter().all(|s| s.company_id != harbor.company_id),
            "{email} sees none of Harbor's"
        );
        let got = expect_code(
            b.clone().request_subscription_change(ask(sub.id)).await,
            Code::NotFound,
        );
        let absent = expect_code(
            b.clone()
                .request_subscription_change(ask(999_999_999))
                .await,
            Code::NotFound,
        );
        assert_eq!(got.message(), absent.message(), "{email}");
        // Their own summary has no Harbor renewal either.
        let summary = b
            .clone()
            .get_billing_summary(pb::BillingSummaryRequest {
                company_id: harbor.company_id,
            })
            .await?
            .into_inner();
        assert!(
            summary
                .renewals
                .iter()
                .all(|s| s.company_id != harbor.company_id)
        );
    }
    assert_eq!(tickets(&alice).await?, before, "no ticket was opened");
    Ok(())
}
