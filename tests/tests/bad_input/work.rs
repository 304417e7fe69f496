//! Bad input to WorkService: each bad field is named and nothing changes.

use portal_proto::pb;

use super::{Case, Fixture, long};

/// What the work cases need besides the fixture: an open and a Completed
/// Harbor ticket of Alice's, a pending estimate and one of Dina's time
/// entries.
pub struct WorkFixture {
    pub open: i64,
    pub completed: i64,
    pub estimate: i64,
    pub entry: i64,
    pub work_type: i64,
}

impl WorkFixture {
    pub async fn new(f: &Fixture) -> anyhow::Result<Self> {
        let ticket = || pb::CreateTicketRequest {
            title: "Work input".into(),
            description: "x".into(),
            service_type_id: f.service_type,
            company_id: f.harbor,
            contact_id: f.alice_id,
            ..Default::default()
        };
        let t = f.dina.tickets();
        let open = t.clone().create_ticket(ticket()).await?.into_inner().number;
        let completed = t.clone().create_ticket(ticket()).await?.into_inner().number;
        t.clone()
            .change_status(pb::ChangeStatusRequest {
                number: completed,
                status: pb::TicketStatus::Completed.into(),
                note: String::new(),
            })
            .await?;
        let w = f.dina.work();
        let work_type = w
            .clone()
            .list_work_types(pb::ListWorkTypesRequest::default())
            .await?
            .into_inner()
            .work_types[0]
            .id;
        let estimate = w
            .clone()
            .propose_estimate(pb::ProposeEstimateRequest {
                number: open,
                description: "Switch".into(),
                amount_cents: 100,
                expires_on: String::new(),
            })
            .await?
            .into_inner()
            .id;
        let entry = w
            .clone()
            .log_time(pb::LogTimeRequest {
                number: open,
                time: Some(pb::TimeInput {
                    work_type_id: work_type,
                    minutes: 10,
                    ..Default::default()
                }),
            })
            .await?
            .into_inner()
            .id;
        Ok(Self {
            open,
            completed,
            estimate,
            entry,
            work_type,
        })
    }
}

#[rustfmt::skip]
pub fn work_cases(f: &Fixture, wf: &WorkFixture, cases: &mut Vec<Case>) {
    let staff = || f.dina.work();
    let admin = || f.paula.work();
    let alice = || f.alice.work();
    let ticket = wf.open;
    let propose = |number: i64, description: &str, amount_cents: i64, expires_on: &str| pb::ProposeEstimateRequest {
        number,
        description: description.into(),
        amount_cents,
        expires_on: expires_on.into(),
    };
    case!(cases, "ProposeEstimate", "number", "0", staff(), propose_estimate, propose(0, "x", 100, ""));
    case!(cases, "ProposeEstimate", "description", "blank", staff(), propose_estimate, propose(ticket, " ", 100, ""));
    case!(cases, "ProposeEstimate", "description", "2001 characters", staff(), propose_estimate, propose(ticket, &long(2001), 100, ""));
    case!(cases, "ProposeEstimate", "amount_cents", "0", staff(), propose_estimate, propose(ticket, "x", 0, ""));
    case!(cases, "ProposeEstimate", "amount_cents", "negative", staff(), propose_estimate, propose(ticket, "x", -5, ""));
    case!(cases, "ProposeEstimate", "expires_on", "not a date", staff(), propose_estimate, propose(ticket, "x", 100, "2026-02-30"));
    case!(cases, "ProposeEstimate", "expires_on", "in the past", staff(), propose_estimate, propose(ticket, "x", 100, "2001-01-01"));
    let decide = |estimate_id: i64, comment: String| pb::DecideEstimateRequest { estimate_id, approve: true, comment };
    case!(cases, "DecideEstimate", "estimate_id", "0", alice(), decide_estimate, decide(0, String::new()));
    case!(cases, "DecideEstimate", "comment", "NUL byte", alice(), decide_estimate, decide(wf.estimate, "ok\0".into()));
    let sign = |number: i64, full_name: &str| pb::SignOffRequest { number, full_name: full_name.into(), comment: String::new() };
    case!(cases, "SignOff", "number", "-1", alice(), sign_off, sign(-1, "Alice"));
    case!(cases, "SignOff", "full_name", "blank", alice(), sign_off, sign(wf.completed, "  "));
    case!(cases, "SignOff", "full_name", "someone else's name", alice(), sign_off, sign(wf.completed, "Mark Someone"));
    let wt = wf.work_type;
    let time = |g: &dyn Fn(&mut pb::TimeInput)| {
        let mut t = pb::TimeInput { work_type_id: wt, minutes: 30, ..Default::default() };
        g(&mut t);
        Some(t)
    };
    let log = |time: Option<pb::TimeInput>| pb::LogTimeRequest { number: ticket, time };
    case!(cases, "LogTime", "time", "missing", staff(), log_time, log(None));
    case!(cases, "LogTime", "time.work_type_id", "0", staff(), log_time, log(time(&|t| t.work_type_id = 0)));
    case!(cases, "LogTime", "time.work_type_id", "no such type", staff(), log_time, log(time(&|t| t.work_type_id = 999_999)));
    case!(cases, "LogTime", "time.minutes", "none", staff(), log_time, log(time(&|t| t.minutes = 0)));
    case!(cases, "LogTime", "time.minutes", "25 hours", staff(), log_time, log(time(&|t| t.minutes = 1500)));
    case!(cases, "LogTime", "time.minutes", "duration and span", staff(), log_time, log(time(&|t| { t.started_at = Some(prost_types::Timestamp { seconds: 1_000, nanos: 0 }); t.ended_at = Some(prost_types::Timestamp { seconds: 2_000, nanos: 0 }); })));
    case!(cases, "LogTime", "time.ended_at", "before the start", staff(), log_time, log(time(&|t| { t.minutes = 0; t.started_at = Some(prost_types::Timestamp { seconds: 2_000, nanos: 0 }); t.ended_at = Some(prost_types::Timestamp { seconds: 1_000, nanos: 0 }); })));
    case!(cases, "LogTime", "time.ended_at", "in the future", staff(), log_time, log(time(&|t| t.ended_at = Some(prost_types::Timestamp { seconds: 4_000_000_000, nanos: 0 }))));
    case!(cases, "LogTime", "time.note", "NUL byte", staff(), log_time, log(time(&|t| t.note = "a\0".into())));
    case!(cases, "UpdateTimeEntry", "id", "0", staff(), update_time_entry, pb::UpdateTimeEntryRequest { id: 0, time: time(&|_| {}) });
    case!(cases, "UpdateTimeEntry", "time.minutes", "none", staff(), update_time_entry, pb::UpdateTimeEntryRequest { id: wf.entry, time: time(&|t| t.minutes = 0) });
    case!(cases, "DeleteTimeEntry", "id", "-1", staff(), delete_time_entry, pb::TimeEntryRef { id: -1 });
    case!(cases, "StartTimer", "number", "0", staff(), start_timer, pb::StartTimerRequest { number: 0 });
    case!(cases, "ListMyTime", "week_of", "not a date", staff(), list_my_time, pb::ListMyTimeRequest { week_of: "last week".into() });
    case!(cases, "CreateWorkType", "name", "blank", admin(), create_work_type, pb::CreateWorkTypeRequest { name: String::new() });
    case!(cases, "CreateWorkType", "name", "101 characters", admin(), create_work_type, pb::CreateWorkTypeRequest { name: long(101) });
    case!(cases, "RenameWorkType", "id", "0", admin(), rename_work_type, pb::RenameWorkTypeRequest { id: 0, name: "x".into() });
    case!(cases, "RenameWorkType", "name", "control character", admin(), rename_work_type, pb::RenameWorkTypeRequest { id: wt, name: "a\x1bb".into() });
    case!(cases, "SetWorkTypeActive", "id", "-1", admin(), set_work_type_active, pb::SetWorkTypeActiveRequest { id: -1, active: false });
}
