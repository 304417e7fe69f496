//! docs/ROLES.md rows for the queue: other assignees (whoever may assign)
//! and saved views (staff, their own), for every role. Allowed, the change
//! is seen afterwards; refused, nothing changed.

use portal_proto::pb;

use super::{DENIED, Outcome, ROLES, Role, World, YES, check, set_status, stored};

/// Another active Technician than Tom.
async fn raj(w: &World) -> anyhow::Result<i64> {
    let staff = w
        .dispatcher()
        .staff()
        .list_staff(pb::ListStaffRequest::default())
        .await?
        .into_inner()
        .staff;
    staff
        .iter()
        .find(|s| s.first_name == "Raj")
        .map(|s| s.id)
        .ok_or_else(|| anyhow::anyhow!("no Raj"))
}

async fn others(w: &World, number: i64) -> anyhow::Result<Vec<i64>> {
    Ok(stored(w, number)
        .await?
        .ticket
        .unwrap_or_default()
        .other_assignees
        .iter()
        .map(|a| a.staff_id)
        .collect())
}

/// Adds (or removes) `staff_id` as another assignee of `number` as `role`.
/// Allowed, the ticket's other assignees say so; refused, they are as before.
async fn set_other(
    w: &World,
    role: Role,
    number: i64,
    staff_id: i64,
    add: bool,
) -> anyhow::Result<Outcome> {
    let before = others(w, number).await?;
    let req = pb::AssigneeRequest { number, staff_id };
    let t = w.s(role).tickets();
    let got = if add {
        t.clone().add_assignee(req).await
    } else {
        t.clone().remove_assignee(req).await
    };
    let now = others(w, number).await?;
    if got.is_ok() {
        assert_eq!(now.contains(&staff_id), add, "{role:?}: {now:?}");
    } else {
        assert_eq!(now, before, "{role:?}");
    }
    Ok(got.map(drop))
}

#[tokio::test]
async fn other_assignees_are_set_by_whoever_may_assign_and_may_move_the_ticket()
-> anyhow::Result<()> {
    use pb::TicketStatus::{InProgress, New};
    let w = World::new().await?;
    let uma = w.id(Role::User).clone();
    let tom = w.id(Role::Technician).id;
    let raj = raj(&w).await?;
    for role in ROLES {
        let want = match role {
            Role::Dispatcher | Role::ProviderAdmin => YES,
            _ => DENIED,
        };
        let number = w.ticket(&uma, raj, New).await?;
        check(
            "add an assignee",
            role,
            set_other(&w, role, number, tom, true).await?,
            want,
        );
        // Tom is one of them from here on, whoever tried.
        if want != YES {
            set_other(&w, Role::Dispatcher, number, tom, true).await??;
        }
        check(
            "remove an assignee",
            role,
            set_other(&w, role, number, tom, false).await?,
            want,
        );
    }
    // Another assignee works the ticket like the primary: a Technician on
    // it may move it.
    let number = w.ticket(&uma, raj, New).await?;
    check(
        "status before being assigned",
        Role::Technician,
        set_status(&w, Role::Technician, number, InProgress).await?,
        DENIED,
    );
    set_other(&w, Role::Dispatcher, number, tom, true).await??;
    check(
        "status as another assignee",
        Role::Technician,
        set_status(&w, Role::Technician, number, InProgress).await?,
        YES,
    );
    Ok(())
}

fn view(name: &str) -> pb::SaveViewRequest {
    pb::SaveViewRequest {
        view: Some(pb::SavedView {
            name: name.into(),
            breached: true,
            sort: pb::TicketSort::NextDue.into(),
            ..Default::default()
        }),
    }
}

async fn names(w: &World, role: Role) -> Result<Vec<String>, tonic::Status> {
    let views = w
        .s(role)
        .tickets()
        .list_saved_views(pb::ListSavedViewsRequest {})
        .await?
        .into_inner()
        .views;
    Ok(views.into_iter().map(|v| v.name).collect())
}

#[tokio::test]
async fn saved_views_are_staffs_own() -> anyhow::Result<()> {
    let w = World::new().await?;
    for role in ROLES {
        let want = if role.is_staff() { YES } else { DENIED };
        let name = format!("{role:?} breached");
        let saved = w.s(role).tickets().save_view(view(&name)).await;
        let id = saved.as_ref().map_or(0, |v| v.get_ref().id);
        check("save a view", role, saved.map(drop), want);
        let listed = names(&w, role).await;
        if let Ok(names) = &listed {
            assert_eq!(
                names,
                std::slice::from_ref(&name),
                "{role:?} sees only its own views"
            );
        }
        check("list views", role, listed.map(drop), want);
        if role.is_staff() {
            let deleted = w
                .s(role)
                .tickets()
                .delete_saved_view(pb::DeleteSavedViewRequest { id })
                .await;
            check("delete own view", role, deleted.map(drop), YES);
            assert!(names(&w, role).await?.is_empty());
        } else {
            let deleted = w
                .s(role)
                .tickets()
                .delete_saved_view(pb::DeleteSavedViewRequest { id: 1 })
                .await;
            check("delete a view", role, deleted.map(drop), DENIED);
        }
    }
    Ok(())
}
