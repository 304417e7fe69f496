//! docs/ROLES.md rows for customer satisfaction (TicketService.RateTicket,
//! ListRatings, the satisfaction reports), for every role. Allowed, the
//! rating is seen afterwards; refused, nothing changed.

use portal_proto::pb;

use super::{DENIED, NOT_FOUND, Person, ROLES, Role, World, YES, check};

/// A ticket of `requester`'s, assigned to Tom, completed, and signed off
/// by the requester: Closed.
pub(super) async fn closed(w: &World, requester: &Person) -> anyhow::Result<i64> {
    let (session, me) = requester;
    let tom = w.id(Role::Technician).id;
    let number = w.ticket(me, tom, pb::TicketStatus::Completed).await?;
    session
        .work()
        .sign_off(pb::SignOffRequest {
            number,
            full_name: me.display_name.clone(),
            comment: String::new(),
        })
        .await?;
    Ok(number)
}

fn rate(number: i64, score: u32) -> pb::RateTicketRequest {
    pb::RateTicketRequest {
        number,
        score,
        comment: "Quick and friendly".into(),
    }
}

#[tokio::test]
async fn only_the_requester_rates_and_only_staff_list_ratings() -> anyhow::Result<()> {
    let w = World::new().await?;
    let uma = w.id(Role::User).clone();
    for role in ROLES {
        let number = closed(&w, w.person(Role::User)).await?;
        let got = w.s(role).tickets().rate_ticket(rate(number, 4)).await;
        let after = super::stored(&w, number).await?.rating;
        if got.is_ok() {
            let r = after.unwrap_or_default();
            assert_eq!((r.score, r.contact_id), (4, uma.id), "{role:?}");
        } else {
            assert_eq!(after, None, "{role:?}");
        }
        // Uma rates her own ticket; her Manager and Admin see it but do not
        // speak for her here; staff never rate.
        let cell = if role == Role::User { YES } else { DENIED };
        check("rate Uma's closed ticket", role, got.map(drop), cell);
        let detail = super::detail(w.s(role), number).await?;
        let can = detail.permissions.unwrap_or_default().can_rate;
        assert!(!can, "{role:?}: rated already, or not theirs");
    }
    // A colleague's ticket, out of the User's sight, is not found.
    let hals = closed(&w, &w.hal).await?;
    let got = w.s(Role::User).tickets().rate_ticket(rate(hals, 5)).await;
    check(
        "rate a colleague's ticket",
        Role::User,
        got.map(drop),
        NOT_FOUND,
    );
    let hal_can = super::detail(&w.hal.0, hals)
        .await?
        .permissions
        .unwrap_or_default()
        .can_rate;
    assert!(hal_can, "the requester is offered to rate");

    for role in ROLES {
        let got = w
            .s(role)
            .tickets()
            .list_ratings(pb::ListRatingsRequest::default())
            .await;
        if let Ok(list) = &got {
            assert!(!list.get_ref().ratings.is_empty(), "{role:?}");
        }
        let cell = if role.is_staff() { YES } else { DENIED };
        check("list ratings", role, got.map(drop), cell);
        for (kind, staff_only) in [
            (pb::ReportKind::SatisfactionByMonth, false),
            (pb::ReportKind::SatisfactionByTechnician, true),
            (pb::ReportKind::SatisfactionByCompany, true),
        ] {
            let got = w
                .s(role)
                .reports()
                .get_report(pb::ReportRequest {
                    kind: kind.into(),
                    ..Default::default()
                })
                .await;
            // Reports: client Managers and Admins, Dispatchers and provider
            // Admins; per technician and company, staff only.
            let cell = match role {
                Role::User | Role::Technician => DENIED,
                Role::Manager | Role::Admin if staff_only => DENIED,
                _ => YES,
            };
            check(&format!("report {kind:?}"), role, got.map(drop), cell);
        }
    }
    Ok(())
}
