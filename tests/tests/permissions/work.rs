//! docs/ROLES.md rows for estimates, sign-off and time (WorkService), for
//! every role. Allowed, the change is seen afterwards; refused, nothing
//! changed.

use portal_proto::pb;

use super::{DENIED, NOT_FOUND, Outcome, ROLES, Role, World, YES, check};

async fn work(w: &World, number: i64) -> anyhow::Result<pb::TicketWork> {
    Ok(w.dispatcher()
        .work()
        .get_ticket_work(pb::TicketWorkRequest { number })
        .await?
        .into_inner())
}

async fn propose(w: &World, role: Role, number: i64) -> Result<pb::Estimate, tonic::Status> {
    w.s(role)
        .work()
        .propose_estimate(pb::ProposeEstimateRequest {
            number,
            description: "Replace the switch".into(),
            amount_cents: 45_000,
            expires_on: String::new(),
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn work_type(w: &World) -> anyhow::Result<i64> {
    let types = w
        .dispatcher()
        .work()
        .list_work_types(pb::ListWorkTypesRequest::default())
        .await?
        .into_inner()
        .work_types;
    Ok(types.first().map(|t| t.id).unwrap_or_default())
}

fn thirty_minutes(work_type_id: i64) -> pb::TimeInput {
    pb::TimeInput {
        work_type_id,
        minutes: 30,
        billable: true,
        note: "Swapped the cable".into(),
        ..Default::default()
    }
}

fn outcome<T>(r: Result<T, tonic::Status>) -> Outcome {
    r.map(drop)
}

#[tokio::test]
async fn estimates_are_proposed_by_staff_and_decided_by_managers_and_admins() -> anyhow::Result<()>
{
    use pb::TicketStatus::InProgress;
    let w = World::new().await?;
    let uma = w.id(Role::User).clone();
    let tom = w.id(Role::Technician).id;
    let number = w.ticket(&uma, tom, InProgress).await?;
    for role in ROLES {
        let before = work(&w, number).await?.estimates.len();
        let got = outcome(propose(&w, role, number).await);
        let after = work(&w, number).await?.estimates.len();
        assert_eq!(after, before + usize::from(got.is_ok()), "{role:?}");
        let cell = if role.is_staff() { YES } else { DENIED };
        check("propose an estimate", role, got, cell);
    }
    for role in ROLES {
        let e = propose(&w, Role::Technician, number).await?;
        let got = w
            .s(role)
            .work()
            .decide_estimate(pb::DecideEstimateRequest {
                estimate_id: e.id,
                approve: true,
                comment: "Go ahead".into(),
            })
            .await;
        let state = work(&w, number)
            .await?
            .estimates
            .into_iter()
            .find(|x| x.id == e.id)
            .map(|x| x.state())
            .unwrap_or_default();
        let want = if got.is_ok() {
            pb::EstimateState::Approved
        } else {
            pb::EstimateState::Pending
        };
        assert_eq!(state, want, "{role:?}");
        let cell = if matches!(role, Role::Manager | Role::Admin) {
            YES
        } else {
            DENIED
        };
        check("approve an estimate", role, outcome(got), cell);
        let awaiting = w.s(role).work().list_awaiting_estimates(pb::Empty {}).await;
        check(
            "list estimates awaiting a decision",
            role,
            outcome(awaiting),
            cell,
        );
    }
    // A User who cannot see the ticket does not learn the estimate exists.
    let hals = w.ticket(&w.hal.1, tom, InProgress).await?;
    let e = propose(&w, Role::Technician, hals).await?;
    let got = w
        .s(Role::User)
        .work()
        .decide_estimate(pb::DecideEstimateRequest {
            estimate_id: e.id,
            approve: false,
            comment: String::new(),
        })
        .await;
    check(
        "decline an estimate out of sight",
        Role::User,
        outcome(got),
        NOT_FOUND,
    );
    let got = w
        .s(Role::User)
        .work()
        .get_ticket_work(pb::TicketWorkRequest { number: hals })
        .await;
    check(
        "read a colleague's ticket's work",
        Role::User,
        outcome(got),
        NOT_FOUND,
    );
    Ok(())
}

#[tokio::test]
async fn the_requester_and_company_managers_and_admins_sign_off() -> anyhow::Result<()> {
    use pb::TicketStatus::Completed;
    let w = World::new().await?;
    let uma = w.id(Role::User).clone();
    let tom = w.id(Role::Technician).id;
    for role in ROLES {
        let number = w.ticket(&uma, tom, Completed).await?;
        let name = w.id(role).display_name.clone();
        let got = w
            .s(role)
            .work()
            .sign_off(pb::SignOffRequest {
                number,
                full_name: name.clone(),
                comment: "All good".into(),
            })
            .await;
        let after = work(&w, number).await?;
        let status = super::stored(&w, number)
            .await?
            .ticket
            .map(|t| t.status())
            .unwrap_or_default();
        if got.is_ok() {
            let record = after.sign_off.clone().unwrap_or_default();
            assert_eq!(
                (record.typed_name.as_str(), record.signer_name.as_str()),
                (name.as_str(), name.as_str())
            );
            assert_eq!(status, pb::TicketStatus::Closed);
        } else {
            assert_eq!((after.sign_off, status), (None, Completed), "{role:?}");
        }
        let cell = if role.is_staff() { DENIED } else { YES };
        check("sign off Uma's ticket", role, outcome(got), cell);
    }
    // A colleague's ticket the User subscribes to is not its own.
    let theirs = w.ticket(&w.hal.1, tom, Completed).await?;
    w.s(Role::Manager)
        .tickets()
        .add_subscriber(pb::SubscriberRequest {
            number: theirs,
            contact_id: uma.id,
        })
        .await?;
    let got = w
        .s(Role::User)
        .work()
        .sign_off(pb::SignOffRequest {
            number: theirs,
            full_name: uma.display_name.clone(),
            comment: String::new(),
        })
        .await;
    check(
        "sign off a colleague's subscribed ticket",
        Role::User,
        outcome(got),
        DENIED,
    );
    Ok(())
}

#[tokio::test]
async fn staff_log_time_and_change_only_their_own() -> anyhow::Result<()> {
    use pb::TicketStatus::InProgress;
    let w = World::new().await?;
    let uma = w.id(Role::User).clone();
    let tom = w.id(Role::Technician).id;
    let number = w.ticket(&uma, tom, InProgress).await?;
    let wt = work_type(&w).await?;
    let dina_entry = w
        .dispatcher()
        .work()
        .log_time(pb::LogTimeRequest {
            number,
            time: Some(thirty_minutes(wt)),
        })
        .await?
        .into_inner();
    for role in ROLES {
        let before = work(&w, number).await?.time_entries.len();
        let got = w
            .s(role)
            .work()
            .log_time(pb::LogTimeRequest {
                number,
                time: Some(thirty_minutes(wt)),
            })
            .await
            .map(tonic::Response::into_inner);
        let after = work(&w, number).await?.time_entries.len();
        assert_eq!(after, before + usize::from(got.is_ok()), "{role:?}");
        let staff_only = if role.is_staff() { YES } else { DENIED };
        let own = got.as_ref().map_or(dina_entry.id, |e| e.id);
        check("log time", role, outcome(got), staff_only);
        // Their own entry, changed then deleted.
        let changed = w
            .s(role)
            .work()
            .update_time_entry(pb::UpdateTimeEntryRequest {
                id: own,
                time: Some(pb::TimeInput {
                    minutes: 45,
                    ..thirty_minutes(wt)
                }),
            })
            .await;
        let own_cell = if role.is_staff() { YES } else { DENIED };
        check("change own time", role, outcome(changed), own_cell);
        // Someone else's (the Dispatcher's) entry.
        let theirs = w
            .s(role)
            .work()
            .update_time_entry(pb::UpdateTimeEntryRequest {
                id: dina_entry.id,
                time: Some(thirty_minutes(wt)),
            })
            .await;
        let theirs_cell = if role == Role::Dispatcher {
            YES
        } else {
            DENIED
        };
        check("change another's time", role, outcome(theirs), theirs_cell);
        let kept = work(&w, number)
            .await?
            .time_entries
            .iter()
            .find(|e| e.id == dina_entry.id)
            .map(|e| e.minutes);
        assert_eq!(kept, Some(30), "{role:?}");
        if role.is_staff() {
            w.s(role)
                .work()
                .delete_time_entry(pb::TimeEntryRef { id: own })
                .await?;
            let left = work(&w, number).await?.time_entries;
            assert!(left.iter().all(|e| e.id != own), "{role:?}");
        }
    }
    Ok(())
}

#[tokio::test]
async fn timers_my_time_work_types_and_settings_by_role() -> anyhow::Result<()> {
    use pb::TicketStatus::InProgress;
    let w = World::new().await?;
    let uma = w.id(Role::User).clone();
    let tom = w.id(Role::Technician).id;
    let number = w.ticket(&uma, tom, InProgress).await?;
    for role in ROLES {
        let s = w.s(role).work();
        let staff_only = if role.is_staff() { YES } else { DENIED };
        let admin_only = if role == Role::ProviderAdmin {
            YES
        } else {
            DENIED
        };
        let started = s
            .clone()
            .start_timer(pb::StartTimerRequest { number })
            .await;
        check("start a timer", role, outcome(started), staff_only);
        let running = s.clone().get_timer(pb::Empty {}).await;
        if let Ok(t) = &running {
            assert!(t.get_ref().running && t.get_ref().ticket_number == number);
        }
        check("see own timer", role, outcome(running), staff_only);
        let stopped = s.clone().stop_timer(pb::Empty {}).await;
        check("stop a timer", role, outcome(stopped), staff_only);
        let mine = s
            .clone()
            .list_my_time(pb::ListMyTimeRequest::default())
            .await;
        check("my time", role, outcome(mine), staff_only);
        let types = s
            .clone()
            .list_work_types(pb::ListWorkTypesRequest::default())
            .await;
        check("list work types", role, outcome(types), staff_only);
        let retired = s
            .clone()
            .list_work_types(pb::ListWorkTypesRequest {
                include_retired: true,
            })
            .await;
        check(
            "list retired work types",
            role,
            outcome(retired),
            admin_only,
        );
        let name = format!("Bench work {role:?}");
        let created = s
            .clone()
            .create_work_type(pb::CreateWorkTypeRequest { name: name.clone() })
            .await;
        let listed = w
            .s(Role::ProviderAdmin)
            .work()
            .list_work_types(pb::ListWorkTypesRequest {
                include_retired: true,
            })
            .await?
            .into_inner()
            .work_types;
        assert_eq!(
            listed.iter().any(|t| t.name == name),
            created.is_ok(),
            "{role:?}"
        );
        check("create a work type", role, outcome(created), admin_only);
        let first = listed.first().map(|t| t.id).unwrap_or_default();
        let renamed = s
            .clone()
            .rename_work_type(pb::RenameWorkTypeRequest {
                id: first,
                name: listed.first().map(|t| t.name.clone()).unwrap_or_default(),
            })
            .await;
        check("rename a work type", role, outcome(renamed), admin_only);
        let retire = s
            .clone()
            .set_work_type_active(pb::SetWorkTypeActiveRequest {
                id: first,
                active: true,
            })
            .await;
        check(
            "retire or restore a work type",
            role,
            outcome(retire),
            admin_only,
        );
        let settings = s.clone().get_work_settings(pb::Empty {}).await;
        check("read time settings", role, outcome(settings), staff_only);
        let set = s
            .clone()
            .set_work_settings(pb::WorkSettings {
                clients_see_time: false,
            })
            .await;
        check("change time settings", role, outcome(set), admin_only);
    }
    Ok(())
}
