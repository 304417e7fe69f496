//! Bad input to the subscription calls: each bad field is named and
//! nothing changes (no subscription saved, no ticket opened).

use portal_proto::pb;

use super::{Case, Fixture, long};

/// Harbor's Microsoft 365 subscription (24 seats), as Alice sees it.
pub async fn harbor_subscription(f: &Fixture) -> anyhow::Result<pb::Subscription> {
    f.alice
        .billing()
        .list_subscriptions(pb::ListSubscriptionsRequest::default())
        .await?
        .into_inner()
        .subscriptions
        .into_iter()
        .find(|s| s.name.starts_with("Microsoft 365"))
        .ok_or_else(|| anyhow::anyhow!("no Harbor Microsoft 365 subscription"))
}

#[allow(clippy::too_many_lines)]
#[rustfmt::skip]
pub fn subscription_cases(f: &Fixture, sub: &pb::Subscription, cases: &mut Vec<Case>) {
    let admin = || f.paula.billing();
    let alice = || f.alice.billing();
    let harbor = f.harbor;
    let input = |g: &dyn Fn(&mut pb::SubscriptionInput)| {
        let mut s = pb::SubscriptionInput {
            company_id: harbor,
            name: "Adobe Acrobat".into(),
            kind: pb::SubscriptionKind::Licence.into(),
            quantity: 5,
            term_months: 12,
            renews_on: "2027-03-01".into(),
            unit_price_cents: 23_900,
            billed_by_run: true,
        };
        g(&mut s);
        s
    };
    case!(cases, "ListSubscriptions", "company_id", "-1", admin(), list_subscriptions, pb::ListSubscriptionsRequest { company_id: -1, include_cancelled: false });
    case!(cases, "CreateSubscription", "company_id", "0", admin(), create_subscription, input(&|s| s.company_id = 0));
    case!(cases, "CreateSubscription", "company_id", "no such company", admin(), create_subscription, input(&|s| s.company_id = 999_999));
    case!(cases, "CreateSubscription", "name", "blank", admin(), create_subscription, input(&|s| s.name = "  ".into()));
    case!(cases, "CreateSubscription", "name", "201 characters", admin(), create_subscription, input(&|s| s.name = long(201)));
    case!(cases, "CreateSubscription", "name", "terminal escape", admin(), create_subscription, input(&|s| s.name = "\x1b[2Jx".into()));
    case!(cases, "CreateSubscription", "kind", "unspecified", admin(), create_subscription, input(&|s| s.kind = 0));
    case!(cases, "CreateSubscription", "kind", "unknown 99", admin(), create_subscription, input(&|s| s.kind = 99));
    case!(cases, "CreateSubscription", "quantity", "0", admin(), create_subscription, input(&|s| s.quantity = 0));
    case!(cases, "CreateSubscription", "quantity", "negative", admin(), create_subscription, input(&|s| s.quantity = -3));
    case!(cases, "CreateSubscription", "quantity", "i64::MAX", admin(), create_subscription, input(&|s| s.quantity = i64::MAX));
    case!(cases, "CreateSubscription", "term_months", "0", admin(), create_subscription, input(&|s| s.term_months = 0));
    case!(cases, "CreateSubscription", "term_months", "7", admin(), create_subscription, input(&|s| s.term_months = 7));
    case!(cases, "CreateSubscription", "term_months", "72", admin(), create_subscription, input(&|s| s.term_months = 72));
    case!(cases, "CreateSubscription", "renews_on", "missing", admin(), create_subscription, input(&|s| s.renews_on = String::new()));
    case!(cases, "CreateSubscription", "renews_on", "malformed", admin(), create_subscription, input(&|s| s.renews_on = "2027-02-30".into()));
    case!(cases, "CreateSubscription", "unit_price_cents", "negative", admin(), create_subscription, input(&|s| s.unit_price_cents = -1));
    case!(cases, "CreateSubscription", "unit_price_cents", "i64::MAX", admin(), create_subscription, input(&|s| s.unit_price_cents = i64::MAX));
    let update = |id: i64, s: Option<pb::SubscriptionInput>| pb::UpdateSubscriptionRequest { id, subscription: s };
    case!(cases, "UpdateSubscription", "id", "0", admin(), update_subscription, update(0, Some(input(&|_| {}))));
    case!(cases, "UpdateSubscription", "subscription", "missing", admin(), update_subscription, update(sub.id, None));
    case!(cases, "UpdateSubscription", "subscription.name", "blank", admin(), update_subscription, update(sub.id, Some(input(&|s| s.name = String::new()))));
    case!(cases, "UpdateSubscription", "subscription.quantity", "0", admin(), update_subscription, update(sub.id, Some(input(&|s| s.quantity = 0))));
    case!(cases, "UpdateSubscription", "subscription.company_id", "another company", admin(), update_subscription, update(sub.id, Some(input(&|s| s.company_id = harbor + 1))));
    case!(cases, "CancelSubscription", "id", "0", admin(), cancel_subscription, pb::SubscriptionRef { id: 0 });
    case!(cases, "CancelSubscription", "id", "-1", admin(), cancel_subscription, pb::SubscriptionRef { id: -1 });

    let ask = |g: &dyn Fn(&mut pb::SubscriptionChangeRequest)| {
        let mut r = pb::SubscriptionChangeRequest {
            subscription_id: sub.id,
            change: pb::SubscriptionChange::MoreSeats.into(),
            requested_quantity: sub.quantity + 6,
            note: "Six new starters in March.".into(),
            po_number: String::new(),
        };
        g(&mut r);
        r
    };
    let q = sub.quantity;
    case!(cases, "RequestSubscriptionChange", "subscription_id", "0", alice(), request_subscription_change, ask(&|r| r.subscription_id = 0));
    case!(cases, "RequestSubscriptionChange", "change", "unspecified", alice(), request_subscription_change, ask(&|r| r.change = 0));
    case!(cases, "RequestSubscriptionChange", "change", "unknown 99", alice(), request_subscription_change, ask(&|r| r.change = 99));
    case!(cases, "RequestSubscriptionChange", "requested_quantity", "negative", alice(), request_subscription_change, ask(&|r| r.requested_quantity = -1));
    case!(cases, "RequestSubscriptionChange", "requested_quantity", "more seats, same count", alice(), request_subscription_change, ask(&|r| r.requested_quantity = q));
    case!(cases, "RequestSubscriptionChange", "requested_quantity", "fewer seats, more", alice(), request_subscription_change, ask(&|r| { r.change = pb::SubscriptionChange::FewerSeats.into(); r.requested_quantity = q + 1; }));
    case!(cases, "RequestSubscriptionChange", "requested_quantity", "fewer seats, none", alice(), request_subscription_change, ask(&|r| { r.change = pb::SubscriptionChange::FewerSeats.into(); r.requested_quantity = 0; }));
    case!(cases, "RequestSubscriptionChange", "note", "upgrade without one", alice(), request_subscription_change, ask(&|r| { r.change = pb::SubscriptionChange::Upgrade.into(); r.note = " ".into(); }));
    case!(cases, "RequestSubscriptionChange", "note", "2001 characters", alice(), request_subscription_change, ask(&|r| r.note = long(2001)));
    case!(cases, "RequestSubscriptionChange", "note", "NUL byte", alice(), request_subscription_change, ask(&|r| r.note = "a\0b".into()));
    case!(cases, "RequestSubscriptionChange", "po_number", "51 characters", alice(), request_subscription_change, ask(&|r| r.po_number = long(51)));
}
