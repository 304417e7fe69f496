//! docs/ROLES.md rows for related contacts, for every role: relating a
//! contact to other companies (provider Admins), listing the contacts
//! related to a company and subscribing them to its tickets (staff), and
//! removing such a subscriber (whoever manages the ticket's subscribers).
//! Allowed, the change is seen afterwards; refused, nothing changed.

use portal_e2e::Session;
use portal_proto::pb;
use tonic::Status;

use super::{DENIED, NOT_FOUND, ROLES, Role, World, YES, check, sign_in, stored};

async fn related_of(s: &Session, contact_id: i64) -> anyhow::Result<Vec<i64>> {
    Ok(s.accounts()
        .get_user(pb::GetUserRequest { contact_id })
        .await?
        .into_inner()
        .related_company_ids)
}

async fn relate(s: &Session, contact_id: i64, ids: Vec<i64>) -> Result<pb::Contact, Status> {
    s.accounts()
        .set_related_companies(pb::SetRelatedCompaniesRequest {
            contact_id,
            related_company_ids: ids,
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn subscribed(w: &World, number: i64, contact_id: i64) -> anyhow::Result<bool> {
    Ok(stored(w, number)
        .await?
        .subscribers
        .iter()
        .any(|s| s.contact_id == contact_id))
}

#[tokio::test]
async fn only_provider_admins_relate_a_contact_to_other_companies() -> anyhow::Result<()> {
    let w = World::new().await?;
    let hal = w.hal.1.id;
    let alder = w.alder();
    let padmin = w.s(Role::ProviderAdmin);
    for role in ROLES {
        let want = match role {
            Role::ProviderAdmin => YES,
            // A User sees no other contact of its company.
            Role::User => NOT_FOUND,
            _ => DENIED,
        };
        relate(padmin, hal, vec![]).await?;
        let got = relate(w.s(role), hal, vec![alder]).await;
        let now = related_of(w.dispatcher(), hal).await?;
        if got.is_ok() {
            assert_eq!(now, vec![alder], "{role:?}");
        } else {
            assert!(now.is_empty(), "{role:?}: {now:?}");
        }
        check("relate a contact", role, got.map(drop), want);
    }
    // The provider Admin's change is in the audit log, naming the company.
    let entries = padmin
        .staff()
        .list_audit_log(pb::ListAuditLogRequest {
            action: "user.related_companies".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .entries;
    assert!(
        entries.iter().any(|e| e.subject == "hal@harbor.example"
            && e.detail.contains("related to Alder")
            && e.actor == Role::ProviderAdmin.email()),
        "{entries:?}"
    );
    Ok(())
}

#[tokio::test]
async fn staff_list_and_subscribe_related_contacts_and_clients_may_remove_them()
-> anyhow::Result<()> {
    use pb::TicketStatus::New;
    let w = World::new().await?;
    let harbor = w.harbor();
    let una = w.una.1.clone();
    // Ava is of Alder & Finch too, but not related to Harbor.
    let (_, ava) = sign_in(&w.server, portal_e2e::demo::OTHER_ADMIN).await?;
    relate(w.s(Role::ProviderAdmin), una.id, vec![harbor]).await?;
    let uma = w.id(Role::User).clone();
    for role in ROLES {
        // Listing Harbor's contacts with those related to it.
        let list = w
            .s(role)
            .accounts()
            .list_users(pb::ListUsersRequest {
                company_id: harbor,
                include_related: true,
                ..Default::default()
            })
            .await
            .map(tonic::Response::into_inner);
        if let Ok(list) = &list {
            let found = list.contacts.iter().find(|c| c.id == una.id);
            assert_eq!(found.map(|c| c.company_id), Some(una.company_id));
            assert!(list.contacts.iter().all(|c| c.id != ava.id));
        }
        let want = if role.is_staff() { YES } else { DENIED };
        check("list related contacts", role, list.map(drop), want);

        // Subscribing Una to a ticket of Uma's.
        let number = w.ticket(&uma, 0, New).await?;
        let add = |contact_id| pb::SubscriberRequest { number, contact_id };
        let got = w.s(role).tickets().add_subscriber(add(una.id)).await;
        assert_eq!(
            subscribed(&w, number, una.id).await?,
            got.is_ok(),
            "{role:?}"
        );
        // To a client, another company's contact is not found, related or not.
        let want = if role.is_staff() { YES } else { NOT_FOUND };
        check("subscribe a related contact", role, got.map(drop), want);
        let got = w.s(role).tickets().add_subscriber(add(ava.id)).await;
        assert!(!subscribed(&w, number, ava.id).await?);
        check(
            "subscribe an unrelated contact",
            role,
            got.map(drop),
            NOT_FOUND,
        );

        // Whoever manages the subscribers may remove her again.
        w.dispatcher().tickets().add_subscriber(add(una.id)).await?;
        let got = w.s(role).tickets().remove_subscriber(add(una.id)).await;
        assert_eq!(
            subscribed(&w, number, una.id).await?,
            got.is_err(),
            "{role:?}"
        );
        check("remove a related subscriber", role, got.map(drop), YES);
    }
    Ok(())
}
