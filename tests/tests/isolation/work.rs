//! Estimates, sign-off and time of another company: every WorkService call
//! that names one answers NOT_FOUND exactly as for an id that does not
//! exist, and nothing changes.

use portal_e2e::{Session, TestServer, demo, expect_code};
use portal_proto::pb;
use tonic::{Code, Status};

use super::sign_in;

/// Every WorkService call naming ticket `number`, estimate `estimate_id`
/// and time entry `entry_id`.
async fn work_calls(
    s: &Session,
    number: i64,
    estimate_id: i64,
    entry_id: i64,
) -> Vec<(&'static str, Result<(), Status>)> {
    let w = s.work();
    let time = Some(pb::TimeInput {
        work_type_id: 1,
        minutes: 5,
        ..Default::default()
    });
    vec![
        (
            "GetTicketWork",
            w.clone()
                .get_ticket_work(pb::TicketWorkRequest { number })
                .await
                .map(drop),
        ),
        (
            "DecideEstimate",
            w.clone()
                .decide_estimate(pb::DecideEstimateRequest {
                    estimate_id,
                    approve: true,
                    comment: String::new(),
                })
                .await
                .map(drop),
        ),
        (
            "SignOff",
            w.clone()
                .sign_off(pb::SignOffRequest {
                    number,
                    full_name: "Ava Alder".into(),
                    comment: String::new(),
                })
                .await
                .map(drop),
        ),
        (
            "ProposeEstimate",
            w.clone()
                .propose_estimate(pb::ProposeEstimateRequest {
                    number,
                    description: "x".into(),
                    amount_cents: 100,
                    expires_on: String::new(),
                })
                .await
                .map(drop),
        ),
        (
            "LogTime",
            w.clone()
                .log_time(pb::LogTimeRequest {
                    number,
                    time: time.clone(),
                })
                .await
                .map(drop),
        ),
        (
            "UpdateTimeEntry",
            w.clone()
                .update_time_entry(pb::UpdateTimeEntryRequest { id: entry_id, time })
                .await
                .map(drop),
        ),
        (
            "DeleteTimeEntry",
            w.clone()
                .delete_time_entry(pb::TimeEntryRef { id: entry_id })
                .await
                .map(drop),
        ),
    ]
}

#[tokio::test]
async fn another_companys_estimates_sign_off_and_time_are_not_found() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, uma_id) = sign_in(&server, demo::CLIENT_USER).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let ticket = dina
        .tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: "Harbor's own".into(),
            description: "x".into(),
            service_type_id: uma.service_type("Other").await?.id,
            contact_id: uma_id.id,
            ..Default::default()
        })
        .await?
        .into_inner();
    let number = ticket.number;
    let estimate = dina
        .work()
        .propose_estimate(pb::ProposeEstimateRequest {
            number,
            description: "Switch".into(),
            amount_cents: 10_000,
            expires_on: String::new(),
        })
        .await?
        .into_inner();
    let wt = dina
        .work()
        .list_work_types(pb::ListWorkTypesRequest::default())
        .await?
        .into_inner()
        .work_types[0]
        .id;
    let entry = dina
        .work()
        .log_time(pb::LogTimeRequest {
            number,
            time: Some(pb::TimeInput {
                work_type_id: wt,
                minutes: 20,
                ..Default::default()
            }),
        })
        .await?
        .into_inner();
    dina.tickets()
        .change_status(pb::ChangeStatusRequest {
            number,
            status: pb::TicketStatus::Completed.into(),
            note: String::new(),
        })
        .await?;
    let before = dina
        .work()
        .get_ticket_work(pb::TicketWorkRequest { number })
        .await?
        .into_inner();

    for email in [demo::OTHER_USER, demo::OTHER_MANAGER, demo::OTHER_ADMIN] {
        let (other, _) = sign_in(&server, email).await?;
        let theirs = work_calls(&other, number, estimate.id, entry.id).await;
        let missing = work_calls(&other, 999_999_999, 999_999_999, 999_999_999).await;
        for ((name, got), (_, absent)) in theirs.into_iter().zip(missing) {
            let got = expect_code(got, Code::NotFound);
            let absent = expect_code(absent, Code::NotFound);
            assert_eq!(got.message(), absent.message(), "{name} as {email}");
        }
    }
    let after = dina
        .work()
        .get_ticket_work(pb::TicketWorkRequest { number })
        .await?
        .into_inner();
    assert_eq!(before, after, "nothing of Harbor's changed");
    Ok(())
}
