//! `portal reports NAME`: what ReportService offers (ticket figures).

use clap::{Args, ValueEnum};
use portal_proto::pb;

use super::Ctx;
use super::exit::Done;
use super::output::{Format, Out};
use crate::ui::format;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(value_enum)]
    name: ReportName,
    /// Months of totals, ending with this one (at most 36).
    #[arg(long, default_value_t = 12)]
    months: u32,
    /// Staff: one company's tickets only.
    #[arg(long)]
    company: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportName {
    /// Open, this month, this year, awaiting the client.
    Summary,
    /// Tickets created and completed per month.
    Monthly,
    /// Tickets per status.
    Status,
}

pub async fn run(ctx: &Ctx, args: &ReportArgs, out: &mut Out) -> Done {
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
        ReportName::Status => {
            let rows: Vec<Vec<String>> = stats
                .by_status
                .iter()
                .map(|s| vec![format::status(s.status()).to_owned(), s.count.to_string()])
                .collect();
            out.rows(&["status", "count"], &rows)
        }
    }
}
