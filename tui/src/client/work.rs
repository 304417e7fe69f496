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
    /// The caller's time by week: any day of it (YYYY-MM-DD), empty = this week.
    MyTime {
        week_of: String,
    },
    /// Changes one of the caller's unbilled entries on ticket `number`.
    UpdateTime {
        id: i64,
        number: i64,
        time: pb::TimeInput,
    },
    DeleteTime {
        id: i64,
        number: i64,
    },
    /// Logs the running timer's time, then stops the timer: nothing is lost
    /// when the time is refused (the timer runs on).
    LogTimer {
        number: i64,
        time: pb::TimeInput,
    },
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
            WorkCall::MyTime { week_of } => self.my_time(week_of).await?,
            WorkCall::UpdateTime { id, number, time } => self.update_time(id, number, time).await?,
            WorkCall::DeleteTime { id, number } => {
                w.clone()
                    .delete_time_entry(self.authed(pb::TimeEntryRef { id }))
                    .await?;
                Reply::TimeChanged {
                    number,
                    what: "time deleted".to_owned(),
                }
            }
            WorkCall::LogTimer { number, time } => self.log_timer(number, time).await?,
        })
    }

    async fn my_time(&self, week_of: String) -> Res<Reply> {
        let time = self
            .work()
            .list_my_time(self.authed(pb::ListMyTimeRequest {
                week_of: week_of.clone(),
            }))
            .await?
            .into_inner();
        Ok(Reply::MyTime {
            week_of,
            time: Box::new(time),
        })
    }

    async fn update_time(&self, id: i64, number: i64, time: pb::TimeInput) -> Res<Reply> {
        let e = self
            .work()
            .update_time_entry(self.authed(pb::UpdateTimeEntryRequest {
                id,
                time: Some(time),
            }))
            .await?
            .into_inner();
        Ok(Reply::TimeChanged {
            number,
            what: format!("time changed to {}", minutes(e.minutes)),
        })
    }

    /// Logs the timer's time, then stops the timer.
    async fn log_timer(&self, number: i64, time: pb::TimeInput) -> Res<Reply> {
        let mut w = self.work();
        w.log_time(self.authed(pb::LogTimeRequest {
            number,
            time: Some(time),
        }))
        .await?;
        // Stopped meanwhile elsewhere (`portal time stop`): the time is
        // logged all the same.
        let stopped = match w.stop_timer(self.authed(pb::Empty {})).await {
            Ok(stopped) => stopped.into_inner(),
            Err(e) if e.code() == tonic::Code::FailedPrecondition => pb::TimerState {
                ticket_number: number,
                ..Default::default()
            },
            Err(e) => return Err(e),
        };
        Ok(Reply::TimerStopped(stopped))
    }
}
