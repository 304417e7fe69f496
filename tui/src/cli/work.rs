//! `portal time …` (the server's timer and time entries, for staff) and
//! `portal tickets approve|decline|signoff` (estimates and sign-off):
//! WorkService.

use clap::{Args, Subcommand};
use portal_proto::pb::{self, work_service_client::WorkServiceClient};
use tonic::transport::Channel;

use super::Ctx;
use super::exit::{Done, Failure};
use super::output::{Format, Out};
use crate::ui::{format, ticket_work};

#[derive(Debug, Subcommand)]
pub enum TimeCommand {
    /// Start your timer on a ticket (the one the full-screen client shows).
    #[command(after_help = "Example:\n  portal time start 1042")]
    Start { number: i64 },
    /// Stop your timer; with --type, log the time it ran.
    #[command(after_help = "Example:\n  portal time stop --type Remote -m 'Replaced the fuser'")]
    Stop {
        #[command(flatten)]
        log: LogArgs,
    },
    /// Whether your timer runs, on which ticket, since when.
    #[command(after_help = "Example:\n  portal time status --json")]
    Status,
    /// Your time entries of a week (Monday to Sunday), with their ids.
    #[command(after_help = "Example:\n  portal time list --week 2026-11-16 --json")]
    List {
        /// Any day of the week (YYYY-MM-DD); this week when left out.
        #[arg(long)]
        week: Option<String>,
    },
    /// Delete one of your time entries, until it is billed.
    #[command(after_help = "Example:\n  portal time delete 311")]
    Delete { id: i64 },
    /// Change one of your time entries, until it is billed; what is not
    /// named stays as it is.
    #[command(
        after_help = "Examples:\n  portal time edit 311 --minutes 1h15m --note 'Also the scanner'\n  \
                            portal time edit 311 --start '2026-11-30 09:00' --end '2026-11-30 10:30' --no-charge"
    )]
    Edit {
        id: i64,
        #[command(flatten)]
        edit: EditArgs,
    },
    /// Log time on a ticket: 1h30m, 45m, 2h or minutes.
    #[command(after_help = "Example:\n  portal time log 1042 1h30m --type Remote --no-charge")]
    Log {
        number: i64,
        duration: String,
        #[command(flatten)]
        log: LogArgs,
    },
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The work type, by name or id (required to log).
    #[arg(long = "type")]
    work_type: Option<String>,
    /// Not billable.
    #[arg(long)]
    no_charge: bool,
    /// A note with the time.
    #[arg(short = 'm', long)]
    note: Option<String>,
    /// Clients may read the note.
    #[arg(long)]
    public: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The new duration: 1h30m, 45m, 2h or minutes (it keeps its end).
    #[arg(long, conflicts_with_all = ["start", "end"])]
    minutes: Option<String>,
    /// The new start, `YYYY-MM-DD HH:MM` or `HH:MM` today, in the
    /// provider's time zone; with --end.
    #[arg(long, requires = "end")]
    start: Option<String>,
    /// The new end, as --start; with --start.
    #[arg(long, requires = "start")]
    end: Option<String>,
    /// The work type, by name or id.
    #[arg(long = "type")]
    work_type: Option<String>,
    /// The note (empty clears it).
    #[arg(short = 'm', long)]
    note: Option<String>,
    /// Billable.
    #[arg(long, conflicts_with = "no_charge")]
    billable: bool,
    /// Not billable.
    #[arg(long)]
    no_charge: bool,
}

/// `1h30m`, `45m`, `2h` or a plain number of minutes.
fn minutes(text: &str) -> Result<u32, Failure> {
    let bad = || Failure::invalid("duration", format!("{text:?} is not like 1h30m, 45m or 90"));
    let text = text.trim().to_ascii_lowercase();
    if let Ok(m) = text.parse::<u32>() {
        return Ok(m);
    }
    let (hours, rest) = match text.split_once('h') {
        Some((h, rest)) => (h.parse::<u32>().map_err(|_| bad())?, rest),
        None => (0, text.as_str()),
    };
    let mins = match rest.strip_suffix('m') {
        Some(m) => m.parse::<u32>().map_err(|_| bad())?,
        None if rest.is_empty() => 0,
        None => return Err(bad()),
    };
    Ok(hours * 60 + mins)
}

fn work(ctx: &Ctx) -> WorkServiceClient<Channel> {
    WorkServiceClient::new(ctx.client.channel())
}

async fn work_type(ctx: &Ctx, which: &str) -> Result<i64, Failure> {
    let types = work(ctx)
        .list_work_types(ctx.client.authed(pb::ListWorkTypesRequest::default()))
        .await?
        .into_inner()
        .work_types;
    types
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(which.trim()) || t.id.to_string() == which.trim())
        .map(|t| t.id)
        .ok_or_else(|| {
            let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
            Failure::invalid(
                "type",
                format!("no work type {which:?}; one of: {}", names.join(", ")),
            )
        })
}

async fn time_input(ctx: &Ctx, log: &LogArgs) -> Result<pb::TimeInput, Failure> {
    let which = log
        .work_type
        .as_deref()
        .ok_or_else(|| Failure::invalid("type", "required: --type NAME"))?;
    Ok(pb::TimeInput {
        work_type_id: work_type(ctx, which).await?,
        billable: !log.no_charge,
        note: log.note.clone().unwrap_or_default(),
        note_public: log.public,
        ..Default::default()
    })
}

/// How far back `time edit` looks for one's entry: a year of weeks.
const EDIT_WEEKS: u64 = 53;

/// One's own time entry `id`, looked for in "My time" week by week from
/// this one back (no call reads one entry by id).
async fn my_entry(ctx: &Ctx, id: i64, tz: chrono_tz::Tz) -> Result<pb::TimeEntry, Failure> {
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    for weeks in 0..EDIT_WEEKS {
        let Some(day) = today.checked_sub_days(chrono::Days::new(weeks * 7)) else {
            break;
        };
        let mine = work(ctx)
            .list_my_time(ctx.client.authed(pb::ListMyTimeRequest {
                week_of: day.format("%Y-%m-%d").to_string(),
            }))
            .await?
            .into_inner();
        if let Some(entry) = mine.entries.into_iter().find(|e| e.id == id) {
            return Ok(entry);
        }
    }
    Err(Failure::not_found(format!(
        "time entry {id} is none of yours of the last year"
    )))
}

/// The entry as the flags change it; what they leave out stays.
async fn edited(
    ctx: &Ctx,
    entry: &pb::TimeEntry,
    edit: &EditArgs,
    tz: chrono_tz::Tz,
) -> Result<pb::TimeInput, Failure> {
    let now = chrono::Utc::now();
    let at = |field: &str, text: &str| {
        ticket_work::parse_local(text, tz, now)
            .map(ticket_work::timestamp)
            .ok_or_else(|| {
                Failure::invalid(field, format!("{text:?} is not YYYY-MM-DD HH:MM or HH:MM"))
            })
    };
    let mut time = pb::TimeInput {
        work_type_id: entry.work_type_id,
        started_at: entry.started_at,
        ended_at: entry.ended_at,
        minutes: 0,
        billable: entry.billable,
        note: entry.note.clone(),
        note_public: entry.note_public,
    };
    if entry.started_at.is_none() {
        time.minutes = entry.minutes;
    }
    if let Some(text) = &edit.minutes {
        time.started_at = None;
        time.minutes = minutes(text)
            .map_err(|f| Failure::invalid("minutes", f.message.trim_start_matches("duration: ")))?;
    }
    if let (Some(start), Some(end)) = (&edit.start, &edit.end) {
        time.started_at = Some(at("start", start)?);
        time.ended_at = Some(at("end", end)?);
        time.minutes = 0;
    }
    if let Some(which) = &edit.work_type {
        time.work_type_id = work_type(ctx, which).await?;
    }
    if let Some(note) = &edit.note {
        time.note.clone_from(note);
    }
    if edit.billable || edit.no_charge {
        time.billable = edit.billable;
    }
    Ok(time)
}

fn timer(out: &mut Out, state: &pb::TimerState) -> Done {
    if out.format == Format::Json {
        return out.json(state);
    }
    let since = format::time(state.started_at.as_ref(), out.tz);
    match (state.running, &state.stopped_at) {
        (true, _) => out.line(&format!(
            "running on #{} {} since {since}",
            state.ticket_number, state.ticket_title
        )),
        (false, Some(_)) => out.line(&format!(
            "stopped on #{}: {since} to {}",
            state.ticket_number,
            format::time(state.stopped_at.as_ref(), out.tz)
        )),
        (false, None) => out.line("no timer running"),
    }
}

fn entry(out: &mut Out, e: &pb::TimeEntry) -> Done {
    match out.format {
        Format::Json => out.json(e),
        Format::Table | Format::Csv => {
            eprintln!(
                "Logged {} min on #{} as {}.",
                e.minutes, e.ticket_number, e.work_type_name
            );
            Ok(())
        }
    }
}

fn my_time(out: &mut Out, mine: &pb::MyTime) -> Done {
    if out.format == Format::Json {
        return out.json(mine);
    }
    let rows: Vec<Vec<String>> = mine
        .entries
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                format::time(e.ended_at.as_ref(), out.tz),
                format!("#{}", e.ticket_number),
                e.work_type_name.clone(),
                e.minutes.to_string(),
                if e.billed {
                    "billed"
                } else if e.billable {
                    "billable"
                } else {
                    "no charge"
                }
                .to_owned(),
            ]
        })
        .collect();
    out.rows(
        &["id", "ended", "ticket", "work type", "minutes", "charge"],
        &rows,
    )
}

pub async fn time(ctx: &Ctx, command: TimeCommand, out: &mut Out) -> Done {
    let mut work = work(ctx);
    match command {
        TimeCommand::Start { number } => {
            let state = work
                .start_timer(ctx.client.authed(pb::StartTimerRequest { number }))
                .await?;
            timer(out, &state.into_inner())
        }
        TimeCommand::Status => {
            let state = work.get_timer(ctx.client.authed(pb::Empty {})).await?;
            timer(out, &state.into_inner())
        }
        TimeCommand::Stop { log } => {
            // The work type is checked before the timer stops.
            let input = match log.work_type {
                Some(_) => Some(time_input(ctx, &log).await?),
                None => None,
            };
            let state = work
                .stop_timer(ctx.client.authed(pb::Empty {}))
                .await?
                .into_inner();
            let Some(input) = input else {
                return timer(out, &state);
            };
            let time = pb::TimeInput {
                started_at: state.started_at,
                ended_at: state.stopped_at,
                ..input
            };
            let logged = work
                .log_time(ctx.client.authed(pb::LogTimeRequest {
                    number: state.ticket_number,
                    time: Some(time),
                }))
                .await?;
            entry(out, &logged.into_inner())
        }
        TimeCommand::List { week } => {
            let mine = work
                .list_my_time(ctx.client.authed(pb::ListMyTimeRequest {
                    week_of: week.unwrap_or_default(),
                }))
                .await?
                .into_inner();
            my_time(out, &mine)
        }
        TimeCommand::Edit { id, edit } => {
            let entry = my_entry(ctx, id, out.tz).await?;
            let time = edited(ctx, &entry, &edit, out.tz).await?;
            let changed = work
                .update_time_entry(ctx.client.authed(pb::UpdateTimeEntryRequest {
                    id,
                    time: Some(time),
                }))
                .await?
                .into_inner();
            match out.format {
                Format::Json => out.json(&changed),
                Format::Table | Format::Csv => {
                    eprintln!(
                        "Time entry {id} is now {} min on #{} as {}{}.",
                        changed.minutes,
                        changed.ticket_number,
                        changed.work_type_name,
                        if changed.billable { "" } else { ", no charge" }
                    );
                    Ok(())
                }
            }
        }
        TimeCommand::Delete { id } => {
            work.delete_time_entry(ctx.client.authed(pb::TimeEntryRef { id }))
                .await?;
            eprintln!("Time entry {id} deleted.");
            Ok(())
        }
        TimeCommand::Log {
            number,
            duration,
            log,
        } => {
            let time = pb::TimeInput {
                minutes: minutes(&duration)?,
                ..time_input(ctx, &log).await?
            };
            let logged = work
                .log_time(ctx.client.authed(pb::LogTimeRequest {
                    number,
                    time: Some(time),
                }))
                .await?;
            entry(out, &logged.into_inner())
        }
    }
}

/// The estimate to decide on ticket `number`: the one named, else its only
/// pending one.
async fn pending_estimate(ctx: &Ctx, number: i64, named: Option<i64>) -> Result<i64, Failure> {
    if let Some(id) = named {
        return Ok(id);
    }
    let ticket = work(ctx)
        .get_ticket_work(ctx.client.authed(pb::TicketWorkRequest { number }))
        .await?
        .into_inner();
    let pending: Vec<i64> = ticket
        .estimates
        .iter()
        .filter(|e| e.state() == pb::EstimateState::Pending)
        .map(|e| e.id)
        .collect();
    match pending.as_slice() {
        [one] => Ok(*one),
        [] => Err(Failure::not_found(format!(
            "#{number} has no estimate awaiting a decision"
        ))),
        _ => Err(Failure::usage(format!(
            "#{number} has {} pending estimates; name one with --estimate",
            pending.len()
        ))),
    }
}

pub async fn decide(
    ctx: &Ctx,
    number: i64,
    estimate: Option<i64>,
    approve: bool,
    comment: Option<String>,
    out: &mut Out,
) -> Done {
    let estimate_id = pending_estimate(ctx, number, estimate).await?;
    let decided = work(ctx)
        .decide_estimate(ctx.client.authed(pb::DecideEstimateRequest {
            estimate_id,
            approve,
            comment: comment.unwrap_or_default(),
        }))
        .await?
        .into_inner();
    match out.format {
        Format::Json => out.json(&decided),
        Format::Table | Format::Csv => {
            let what = if approve { "approved" } else { "declined" };
            eprintln!("#{number}: estimate {} {what}.", decided.id);
            Ok(())
        }
    }
}

pub async fn sign_off(
    ctx: &Ctx,
    number: i64,
    name: Option<String>,
    comment: Option<String>,
    out: &mut Out,
) -> Done {
    let signed = work(ctx)
        .sign_off(ctx.client.authed(pb::SignOffRequest {
            number,
            full_name: name.unwrap_or_else(|| ctx.me.display_name.clone()),
            comment: comment.unwrap_or_default(),
        }))
        .await?
        .into_inner();
    match out.format {
        Format::Json => out.json(&signed),
        Format::Table | Format::Csv => {
            eprintln!(
                "#{number}: signed off by {}; it is closed.",
                signed.signer_name
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(minutes("1h30m"), Ok(90));
        assert_eq!(minutes("45m"), Ok(45));
        assert_eq!(minutes("2h"), Ok(120));
        assert_eq!(minutes("90"), Ok(90));
        let bad = minutes("1.5h").expect_err("bad");
        assert!(bad.message.starts_with("duration:"), "{bad:?}");
        assert!(minutes("h").is_err() && minutes("3x").is_err());
    }
}
