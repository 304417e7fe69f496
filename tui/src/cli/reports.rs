//! `portal reports NAME`: Home's ticket figures (`summary`, `monthly`,
//! `status`) and every report of the Reports tab (docs/REPORTS.md).

use clap::{Args, ValueEnum};
use portal_proto::pb;

use super::Ctx;
use super::exit::{Done, Failure};
use super::output::{Format, Out};
use crate::ui::format;
use crate::ui::reports::{KINDS, Shown, cells};

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(value_enum)]
    name: ReportName,
    /// summary, monthly, status: months of totals, ending with this one (at most 36).
    #[arg(long, default_value_t = 12)]
    months: u32,
    /// The period of a report: FROM..TO, or one month or day; each
    /// YYYY-MM or YYYY-MM-DD (default: the last twelve months).
    #[arg(long, value_name = "FROM..TO")]
    period: Option<String>,
    /// Staff: one company only.
    #[arg(long)]
    company: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportName {
    /// Open, this month, this year, awaiting the client.
    Summary,
    /// Tickets created and completed per month.
    Monthly,
    /// Tickets per status, open or not (Home's figures).
    Status,
    /// Service requests per month, this year against last.
    Requests,
    /// Tickets raised in the period, per status.
    ByStatus,
    /// … per priority.
    ByPriority,
    /// … per service type.
    ByService,
    /// … per site.
    BySite,
    /// … per contact.
    ByContact,
    /// SLA targets met, per month.
    SlaMonthly,
    /// SLA targets met, per priority.
    SlaPriority,
    /// Median and 90th percentile response and resolution, business minutes.
    Times,
    /// Open tickets by age.
    Aging,
    /// Prepaid hours bought, used and left per agreement and month.
    AgreementHours,
    /// Unpaid invoice balances by days overdue, per company.
    InvoiceAging,
    /// Staff: time logged per technician and work type.
    Time,
}

impl ReportName {
    /// The report of `GetReport` it names; None for Home's figures.
    fn kind(self) -> Option<pb::ReportKind> {
        let name = self.to_possible_value()?.get_name().to_owned();
        KINDS.iter().find(|k| k.2 == name).map(|k| k.0)
    }
}

pub async fn run(ctx: &Ctx, args: &ReportArgs, out: &mut Out) -> Done {
    match args.name.kind() {
        Some(kind) => report(ctx, args, kind, out).await,
        None => stats(ctx, args, out).await,
    }
}

/// `--period`: `FROM..TO`, or one month or day for both.
fn period(arg: Option<&str>) -> Result<(String, String), Failure> {
    let Some(arg) = arg else {
        return Ok((String::new(), String::new()));
    };
    let (from, to) = arg.split_once("..").unwrap_or((arg, arg));
    if from.trim().is_empty() && to.trim().is_empty() {
        return Err(Failure::invalid("period", "expected FROM..TO"));
    }
    Ok((from.trim().to_owned(), to.trim().to_owned()))
}

async fn report(ctx: &Ctx, args: &ReportArgs, kind: pb::ReportKind, out: &mut Out) -> Done {
    let (from, to) = period(args.period.as_deref())?;
    let report = ctx
        .client
        .reports()
        .get_report(ctx.client.authed(pb::ReportRequest {
            kind: kind.into(),
            from,
            to,
            company_id: args.company.unwrap_or_default(),
        }))
        .await?
        .into_inner();
    // The JSON is the report itself: integers, with each column's unit.
    if out.format == Format::Json {
        return out.json(&report);
    }
    let shown = if out.format == Format::Csv {
        Shown::Csv
    } else {
        Shown::Screen
    };
    let (header, rows) = cells(&report, shown);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    out.rows(&header, &rows)
}

async fn stats(ctx: &Ctx, args: &ReportArgs, out: &mut Out) -> Done {
    let stats = ctx
        .client
        .reports()
        .ticket_stats(ctx.client.authed(pb::TicketStatsRequest {
            company_id: args.company.unwrap_or_default(),
            months: args.months,
        }))
        .await?
        .into_inner();
    // The JSON is the whole figures message, whichever view was named.
    if out.format == Format::Json {
        return out.json(&stats);
    }
    match args.name {
        ReportName::Summary => out.rows(
            &[
                "open",
                "created_this_month",
                "created_this_year",
                "awaiting_client",
            ],
            &[vec![
                stats.open.to_string(),
                stats.created_this_month.to_string(),
                stats.created_this_year.to_string(),
                stats.awaiting_client.to_string(),
            ]],
        ),
        ReportName::Monthly => {
            let rows: Vec<Vec<String>> = stats
                .by_month
                .iter()
                .map(|m| {
                    vec![
                        m.month.clone(),
                        m.created.to_string(),
                        m.completed.to_string(),
                    ]
                })
                .collect();
            out.rows(&["month", "created", "completed"], &rows)
        }
        _ => {
            let rows: Vec<Vec<String>> = stats
                .by_status
                .iter()
                .map(|s| vec![format::status(s.status()).to_owned(), s.count.to_string()])
                .collect();
            out.rows(&["status", "count"], &rows)
        }
    }
}
