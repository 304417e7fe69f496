//! The ticket detail's estimates, sign-off and time, and the timer in the
//! status line (docs/TICKETS.md "Estimates" and "Sign-off", docs/MONEY.md
//! "Time entries"): keys in, requests out, replies fed back, snapshots at
//! 80×24 and 120×40.

mod fixtures;

use crossterm::event::KeyCode;
use fixtures::*;
use portal::action::{Reply, Request, WorkCall};
use portal_proto::pb;

fn snap(name: &str, app: &mut portal::app::App) {
    insta::assert_snapshot!(format!("{name}_80x24"), render(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), render(app, 120, 40));
}

fn estimate(id: i64, state: pb::EstimateState) -> pb::Estimate {
    pb::Estimate {
        id,
        ticket_number: 1042,
        description: "Replace the fuser unit".into(),
        amount_cents: 45_000,
        proposed_by: "Tom Tran".into(),
        proposed_at: ts("2026-11-20T10:20:00Z"),
        state: state.into(),
        expires_on: "2026-12-01".into(),
        ..Default::default()
    }
}

fn work(permissions: pb::WorkPermissions) -> Box<pb::TicketWork> {
    Box::new(pb::TicketWork {
        estimates: vec![
            pb::Estimate {
                decided_by: "Alice Archer".into(),
                decided_at: ts("2026-11-20T11:00:00Z"),
                comment: "Go ahead".into(),
                description: "Toner".into(),
                amount_cents: 8_000,
                ..estimate(1, pb::EstimateState::Approved)
            },
            estimate(2, pb::EstimateState::Pending),
        ],
        time_entries: vec![pb::TimeEntry {
            id: 5,
            ticket_number: 1042,
            staff_name: "Tom Tran".into(),
            work_type_name: "On-site support".into(),
            ended_at: ts("2026-11-20T12:00:00Z"),
            minutes: 90,
            billable: true,
            note: "Cleared the jam".into(),
            note_public: true,
            ..Default::default()
        }],
        billable_minutes: 90,
        permissions: Some(permissions),
        ..Default::default()
    })
}

/// Opens ticket 1042 as `me` with `work` on it.
fn open(me: pb::Identity, work: Box<pb::TicketWork>) -> portal::app::App {
    let mut app = signed_in(me);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.take_requests(), opened(1042));
    show_ticket(&mut app, detail());
    reply(&mut app, Reply::Work { number: 1042, work });
    app
}

#[test]
fn a_client_admin_approves_the_waiting_estimate_with_one_key() {
    let perms = pb::WorkPermissions {
        can_decide_estimates: true,
        ..Default::default()
    };
    let mut app = open(alice(), work(perms));
    snap("work_client_estimates", &mut app);
    press(&mut app, KeyCode::Char('Y'));
    type_text(&mut app, "Fine");
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Work(WorkCall::Decide {
            number: 1042,
            estimate_id: 2,
            approve: true,
            comment: "Fine".into(),
        })]
    );
}

#[test]
fn the_requester_signs_off_a_completed_ticket_by_typing_its_name() {
    let perms = pb::WorkPermissions {
        can_sign_off: true,
        ..Default::default()
    };
    let mut app = open(alice(), work(perms));
    press(&mut app, KeyCode::Char('O'));
    snap("work_sign_off_prompt", &mut app);
    type_text(&mut app, "Alice Archer");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Thanks");
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Work(WorkCall::SignOff {
            number: 1042,
            full_name: "Alice Archer".into(),
            comment: "Thanks".into(),
        })]
    );
}

#[test]
fn a_technician_runs_the_timer_and_its_stop_opens_the_time_form() {
    let perms = pb::WorkPermissions {
        can_log_time: true,
        can_propose_estimate: true,
        ..Default::default()
    };
    let mut app = open(tom(), work(perms));
    // Knowing it may log time, the detail asks for the timer and work types.
    let asked = app.take_requests();
    assert!(
        asked.contains(&Request::Work(WorkCall::GetTimer)),
        "{asked:?}"
    );
    reply(
        &mut app,
        Reply::WorkTypes(vec![pb::WorkType {
            id: 3,
            name: "On-site support".into(),
            active: true,
        }]),
    );
    reply(&mut app, Reply::Timer(pb::TimerState::default()));
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Work(WorkCall::StartTimer { number: 1042 })]
    );
    let running = pb::TimerState {
        running: true,
        ticket_number: 1042,
        ticket_title: "Printer".into(),
        started_at: ts("2026-11-20T11:40:00Z"),
        stopped_at: None,
    };
    reply(&mut app, Reply::Timer(running.clone()));
    snap("work_timer_running", &mut app);
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Work(WorkCall::StopTimer)]
    );
    reply(
        &mut app,
        Reply::TimerStopped(pb::TimerState {
            running: false,
            stopped_at: ts("2026-11-20T12:00:00Z"),
            ..running
        }),
    );
    snap("work_time_form", &mut app);
}

#[test]
fn home_tells_a_client_admin_of_estimates_awaiting_its_decision() {
    let mut app = signed_in(alice());
    let mut waiting = estimate(2, pb::EstimateState::Pending);
    waiting.ticket_title = "Printer on the second floor jams on every job".into();
    reply(&mut app, Reply::AwaitingEstimates(vec![waiting]));
    snap("work_home_alert", &mut app);
}
