//! `WorkService`: a ticket's estimates, sign-off and time, and the staff
//! member's timer.

use portal_proto::pb::{self, work_service_client::WorkServiceClient};
use tonic::transport::Channel;

use super::{Client, Res};
use crate::action::Reply;
use crate::ui::ticket_work::{minutes, money};

/// What the work screens ask of the server.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkCall {
    Get {
        number: i64,
    },
    Propose {
        number: i64,
        description: String,
        amount_cents: i64,
        expires_on: String,
    },
    Decide {
        number: i64,
        estimate_id: i64,
        approve: bool,
        comment: String,
    },
    SignOff {
        number: i64,
        full_name: String,
        comment: String,
    },
    LogTime {
        number: i64,
        time: pb::TimeInput,
    },
    WorkTypes,
    /// A Manager's or Admin's estimates awaiting its decision (Home).
    Awaiting,
    GetTimer,
    StartTimer {
        number: i64,
    },
    StopTimer,
}

fn changed(number: i64, what: String) -> Reply {
    Reply::Changed { number, what }
}

impl Client {
    pub(super) fn work(&self) -> WorkServiceClient<Channel> {
        WorkServiceClient::new(self.channel.clone())
    }

    pub(super) async fn work_call(&self, call: WorkCall) -> Res<Reply> {
        let w = self.work();
        Ok(match call {
            WorkCall::Get { number } => Reply::Work {
                number,
                work: Box::new(
                    w.clone()
                        .get_ticket_work(self.authed(pb::TicketWorkRequest { number }))
                        .await?
                        .into_inner(),
                ),
            },
            WorkCall::Propose {
                number,
                description,
                amount_cents,
                expires_on,
            } => {
                let e = w
                    .clone()
                    .propose_estimate(self.authed(pb::ProposeEstimateRequest {
                        number,
                        description,
                        amount_cents,
                        expires_on,
                    }))
                    .await?
                    .into_inner();
                changed(
                    number,
                    format!("estimate of {} proposed", money(e.amount_cents)),
                )
            }
            WorkCall::Decide {
                number,
                estimate_id,
                approve,
                comment,
            } => {
                w.clone()
                    .decide_estimate(self.authed(pb::DecideEstimateRequest {
                        estimate_id,
                        approve,
                        comment,
                    }))
                    .await?;
                let what = if approve { "approved" } else { "declined" };
                changed(number, format!("estimate {what}"))
            }
            WorkCall::SignOff {
                number,
                full_name,
                comment,
            } => {
                w.clone()
                    .sign_off(self.authed(pb::SignOffRequest {
                        number,
                        full_name,
                        comment,
                    }))
                    .await?;
                changed(number, "signed off and closed".to_owned())
            }
            WorkCall::LogTime { number, time } => {
                let e = w
                    .clone()
                    .log_time(self.authed(pb::LogTimeRequest {
                        number,
                        time: Some(time),
                    }))
                    .await?
                    .into_inner();
                changed(number, format!("{} logged", minutes(e.minutes)))
            }
            WorkCall::WorkTypes => Reply::WorkTypes(
                w.clone()
                    .list_work_types(self.authed(pb::ListWorkTypesRequest::default()))
                    .await?
                    .into_inner()
                    .work_types,
            ),
            WorkCall::Awaiting => Reply::AwaitingEstimates(
                w.clone()
                    .list_awaiting_estimates(self.authed(pb::Empty {}))
                    .await?
                    .into_inner()
                    .estimates,
            ),
            WorkCall::GetTimer => Reply::Timer(
                w.clone()
                    .get_timer(self.authed(pb::Empty {}))
                    .await?
                    .into_inner(),
            ),
            WorkCall::StartTimer { number } => Reply::Timer(
                w.clone()
                    .start_timer(self.authed(pb::StartTimerRequest { number }))
                    .await?
                    .into_inner(),
            ),
            WorkCall::StopTimer => Reply::TimerStopped(
                w.clone()
                    .stop_timer(self.authed(pb::Empty {}))
                    .await?
                    .into_inner(),
            ),
        })
    }
}
