//! docs/ROLES.md rows for subscriptions, for every role: client Managers
//! and Admins and all staff see them, client Users do not; provider Admins
//! create, change and cancel them; client Managers and Admins request a
//! change (a ticket). Refused, nothing changed.

use portal_proto::pb;

use super::{DENIED, ROLES, Role, World, YES, check};

fn outcome<T>(r: Result<tonic::Response<T>, tonic::Status>) -> super::Outcome {
    r.map(drop)
}

/// Harbor's first subscription, as the provider Admin sees it.
async fn harbor_subscription(w: &World) -> anyhow::Result<pb::Subscription> {
    w.s(Role::ProviderAdmin)
        .billing()
        .list_subscriptions(pb::ListSubscriptionsRequest {
            company_id: w.harbor(),
            include_cancelled: false,
        })
        .await?
        .into_inner()
        .subscriptions
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no Harbor subscription"))
}

fn input(company_id: i64, name: &str) -> pb::SubscriptionInput {
    pb::SubscriptionInput {
        company_id,
        name: name.into(),
        kind: pb::SubscriptionKind::Licence.into(),
        quantity: 5,
        term_months: 12,
        renews_on: "2027-06-30".into(),
        unit_price_cents: 9_900,
        billed_by_run: false,
    }
}

#[tokio::test]
async fn subscriptions_are_seen_by_client_managers_admins_and_staff() -> anyhow::Result<()> {
    let w = World::new().await?;
    for role in ROLES {
        let want = if role == Role::User { DENIED } else { YES };
        let got = w
            .s(role)
            .billing()
            .list_subscriptions(pb::ListSubscriptionsRequest::default())
            .await;
        if let Ok(list) = &got {
            let list = &list.get_ref().subscriptions;
            assert!(!list.is_empty(), "{role:?} sees some");
            if !role.is_staff() {
                assert!(list.iter().all(|s| s.company_id == w.harbor()));
            }
        }
        check("ListSubscriptions", role, outcome(got), want);
    }
    Ok(())
}

#[tokio::test]
async fn only_provider_admins_change_subscriptions() -> anyhow::Result<()> {
    let w = World::new().await?;
    let sub = harbor_subscription(&w).await?;
    for role in ROLES {
        let want = if role == Role::ProviderAdmin {
            YES
        } else {
            DENIED
        };
        let b = w.s(role).billing();
        let name = format!("Seats for {role:?}");
        let created = b
            .clone()
            .create_subscription(input(w.harbor(), &name))
            .await;
        let new_id = created.as_ref().map(|r| r.get_ref().id).unwrap_or_default();
        check("CreateSubscription", role, outcome(created), want);
        let update = pb::UpdateSubscriptionRequest {
            id: sub.id,
            subscription: Some(pb::SubscriptionInput {
                quantity: sub.quantity + 1,
                ..input(w.harbor(), &sub.name)
            }),
        };
        let updated = b.clone().update_subscription(update).await;
        check("UpdateSubscription", role, outcome(updated), want);
        let target = if new_id > 0 { new_id } else { sub.id };
        let cancelled = b
            .clone()
            .cancel_subscription(pb::SubscriptionRef { id: target })
            .await;
        check("CancelSubscription", role, outcome(cancelled), want);
    }
    // What the refused roles tried left the subscription as it was (the
    // provider Admin's one update added one seat).
    let after = harbor_subscription(&w).await?;
    assert_eq!(after.quantity, sub.quantity + 1);
    assert!(!after.cancelled);
    Ok(())
}

#[tokio::test]
async fn client_managers_and_admins_request_changes() -> anyhow::Result<()> {
    let w = World::new().await?;
    let sub = harbor_subscription(&w).await?;
    for role in ROLES {
        let want = if matches!(role, Role::Manager | Role::Admin) {
            YES
        } else {
            DENIED
        };
        let got = w
            .s(role)
            .billing()
            .request_subscription_change(pb::SubscriptionChangeRequest {
                subscription_id: sub.id,
                change: pb::SubscriptionChange::MoreSeats.into(),
                requested_quantity: sub.quantity + 5,
                note: format!("asked by {role:?}"),
                po_number: String::new(),
            })
            .await;
        if let Ok(t) = &got {
            let t = t.get_ref();
            assert_eq!(t.service_type_name, "Subscription change");
            assert_eq!(t.contact_id, w.id(role).id);
        }
        check("RequestSubscriptionChange", role, outcome(got), want);
    }
    Ok(())
}
