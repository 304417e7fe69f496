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
fn a_technician_runs_the_timer_and_cancelling_its_stop_form_keeps_it_running() {
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
    // Stopping opens the prefilled form; the server's timer runs on.
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.take_requests(), Vec::<Request>::new());
    snap("work_time_form", &mut app);
    // Cancelling it loses nothing: the timer still runs and the next stop
    // offers the same start again.
    press(&mut app, KeyCode::Esc);
    assert!(render(&mut app, 80, 24).contains("stop timer"));
    press(&mut app, KeyCode::Char('m'));
    assert!(render(&mut app, 80, 24).contains("2026-11-20 11:40"));
    ctrl(&mut app, 's');
    let sent = app.take_requests();
    let [Request::Work(WorkCall::LogTimer { number: 1042, time })] = sent.as_slice() else {
        panic!("saving logs the timer's time: {sent:?}");
    };
    assert_eq!(time.started_at, ts("2026-11-20T11:40:00Z"));
    reply(
        &mut app,
        Reply::TimerStopped(pb::TimerState {
            running: false,
            stopped_at: ts("2026-11-20T12:00:00Z"),
            ..running
        }),
    );
    // The form closes, the ticket's time reloads, the timer is gone.
    assert_eq!(
        app.take_requests(),
        vec![Request::Work(WorkCall::Get { number: 1042 })]
    );
    assert!(render(&mut app, 80, 24).contains("m timer"));
}

#[test]
fn home_tells_a_client_admin_of_estimates_awaiting_its_decision() {
    let mut app = signed_in(alice());
    let mut waiting = estimate(2, pb::EstimateState::Pending);
    waiting.ticket_title = "Printer on the second floor jams on every job".into();
    reply(&mut app, Reply::AwaitingEstimates(vec![waiting]));
    snap("work_home_alert", &mut app);
}

fn entry(id: i64, ended: &str, minutes: u32, billed: bool) -> pb::TimeEntry {
    pb::TimeEntry {
        id,
        ticket_number: 1042,
        ticket_title: "Printer on the second floor jams on every job".into(),
        staff_name: "Tom Tran".into(),
        work_type_id: 3,
        work_type_name: "On-site support".into(),
        ended_at: ts(ended),
        minutes,
        billable: true,
        billed,
        mine: true,
        ..Default::default()
    }
}

fn week() -> pb::MyTime {
    let day = |date: &str, minutes| pb::DayTotal {
        date: date.into(),
        minutes,
        billable_minutes: minutes,
    };
    pb::MyTime {
        days: vec![
            day("2026-11-16", 45),
            day("2026-11-17", 0),
            day("2026-11-18", 0),
            day("2026-11-19", 0),
            day("2026-11-20", 90),
            day("2026-11-21", 0),
            day("2026-11-22", 0),
        ],
        entries: vec![
            entry(7, "2026-11-16T10:00:00Z", 45, true),
            pb::TimeEntry {
                started_at: ts("2026-11-20T09:00:00Z"),
                ..entry(8, "2026-11-20T10:30:00Z", 90, false)
            },
        ],
    }
}

#[test]
fn a_technician_reads_my_time_by_week_and_day_and_changes_an_entry() {
    let mut app = signed_in(tom());
    press(&mut app, KeyCode::Char('4'));
    app.take_requests();
    press(&mut app, KeyCode::Char('t'));
    assert_eq!(
        app.take_requests(),
        vec![
            Request::Work(WorkCall::MyTime {
                week_of: String::new()
            }),
            Request::Work(WorkCall::WorkTypes),
        ]
    );
    reply(
        &mut app,
        Reply::WorkTypes(vec![pb::WorkType {
            id: 3,
            name: "On-site support".into(),
            active: true,
        }]),
    );
    reply(
        &mut app,
        Reply::MyTime {
            week_of: String::new(),
            time: Box::new(week()),
        },
    );
    snap("my_time_week", &mut app);
    // A billed entry no longer changes.
    press(&mut app, KeyCode::Char('e'));
    assert!(app.popups.is_empty());
    assert_eq!(app.take_requests(), Vec::<Request>::new());
    // The day view opens on today, Friday 20 November.
    press(&mut app, KeyCode::Char('v'));
    snap("my_time_day", &mut app);
    press(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 's');
    let sent = app.take_requests();
    let [
        Request::Work(WorkCall::UpdateTime {
            id: 8,
            number: 1042,
            time,
        }),
    ] = sent.as_slice()
    else {
        panic!("the entry's change: {sent:?}");
    };
    assert_eq!(
        (time.started_at, time.ended_at, time.work_type_id),
        (ts("2026-11-20T09:00:00Z"), ts("2026-11-20T10:30:00Z"), 3)
    );
    reply(
        &mut app,
        Reply::TimeChanged {
            number: 1042,
            what: "time changed to 1 h 30 min".into(),
        },
    );
    assert!(app.popups.is_empty());
    assert_eq!(
        app.take_requests(),
        vec![Request::Work(WorkCall::MyTime {
            week_of: String::new()
        })]
    );
    // Delete asks first.
    press(&mut app, KeyCode::Char('d'));
    assert!(render(&mut app, 80, 24).contains("Delete this time?"));
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Work(WorkCall::DeleteTime {
            id: 8,
            number: 1042
        })]
    );
    // Past Sunday is the next week.
    press(&mut app, KeyCode::Char('v'));
    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.take_requests(),
        vec![Request::Work(WorkCall::MyTime {
            week_of: "2026-11-23".into()
        })]
    );
}

#[test]
fn a_technician_changes_its_own_time_from_the_ticket() {
    let perms = pb::WorkPermissions {
        can_log_time: true,
        ..Default::default()
    };
    let mut ticket_work = work(perms);
    ticket_work.time_entries[0].mine = true;
    let mut app = open(tom(), ticket_work);
    app.take_requests();
    press(&mut app, KeyCode::Char('e'));
    assert!(render(&mut app, 80, 24).contains("Change it"));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Work(WorkCall::DeleteTime {
            id: 5,
            number: 1042
        })]
    );
    reply(
        &mut app,
        Reply::TimeChanged {
            number: 1042,
            what: "time deleted".into(),
        },
    );
    assert_eq!(app.take_requests(), opened(1042));
}
