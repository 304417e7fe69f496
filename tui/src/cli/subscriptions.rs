//! `portal subscriptions list` and `portal subscriptions request`: the
//! company's licences and services, and asking for a change (a ticket;
//! docs/MONEY.md "Subscriptions and renewals").

use clap::{Subcommand, ValueEnum};
use portal_proto::pb;

use super::Ctx;
use super::billing::billing;
use super::exit::{Done, Failure};
use super::output::{Format, Out};
use crate::action::{BillingCall, BillingReply};
use crate::money::decimal;
use crate::ui::subscriptions::term;

#[derive(Debug, Subcommand)]
pub enum SubscriptionsCommand {
    /// Subscriptions with quantity, term, renewal date and price a term
    /// (clients: your company's; staff: every company's); cancelled ones too.
    #[command(after_help = "Example:\n  portal subscriptions list --csv")]
    List {
        /// Staff: one company's, by id.
        #[arg(long)]
        company: Option<i64>,
    },
    /// Ask for a change to a subscription (client Managers and Admins): opens
    /// a ticket with the details filled in, and prints its number.
    #[command(
        after_help = "Examples:\n  portal subscriptions request 3 --change more-seats --quantity 30\n  \
        portal subscriptions request 3 --change upgrade --note 'To Business Premium'\n  \
        portal subscriptions request 3 --change cancel-at-renewal"
    )]
    Request {
        /// The subscription's id (`portal subscriptions list`).
        id: i64,
        #[arg(long, value_enum)]
        change: ChangeArg,
        /// The quantity wanted (more or fewer seats; an upgrade keeps the
        /// current one without it).
        #[arg(long, default_value_t = 0)]
        quantity: i64,
        #[arg(long, default_value = "")]
        note: String,
        /// Where your company requires a PO number on new tickets.
        #[arg(long, default_value = "")]
        po: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChangeArg {
    MoreSeats,
    FewerSeats,
    CancelAtRenewal,
    Upgrade,
}

impl ChangeArg {
    fn pb(self) -> pb::SubscriptionChange {
        match self {
            Self::MoreSeats => pb::SubscriptionChange::MoreSeats,
            Self::FewerSeats => pb::SubscriptionChange::FewerSeats,
            Self::CancelAtRenewal => pb::SubscriptionChange::CancelAtRenewal,
            Self::Upgrade => pb::SubscriptionChange::Upgrade,
        }
    }
}

pub async fn run(ctx: &Ctx, command: SubscriptionsCommand, out: &mut Out) -> Done {
    match command {
        SubscriptionsCommand::List { company } => list(ctx, company, out).await,
        SubscriptionsCommand::Request {
            id,
            change,
            quantity,
            note,
            po,
        } => {
            let call = BillingCall::RequestChange(pb::SubscriptionChangeRequest {
                subscription_id: id,
                change: change.pb().into(),
                requested_quantity: quantity,
                note,
                po_number: po,
            });
            let BillingReply::ChangeRequested(t) = billing(ctx, call).await? else {
                return Err(Failure::other("unexpected answer from the server"));
            };
            if out.format == Format::Json {
                return out.json(t.as_ref());
            }
            out.line(&format!("Ticket #{} opened: {}", t.number, t.title))
        }
    }
}

async fn list(ctx: &Ctx, company: Option<i64>, out: &mut Out) -> Done {
    let call = BillingCall::Subscriptions {
        company_id: company.unwrap_or_default(),
    };
    let BillingReply::Subscriptions { rows: list, .. } = billing(ctx, call).await? else {
        return Err(Failure::other("unexpected answer from the server"));
    };
    if out.format == Format::Json {
        return list.iter().try_for_each(|s| out.json(s));
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|s| {
            let state = if s.cancelled {
                format!("cancelled {}", s.cancelled_on)
            } else if s.renews_soon {
                "renews soon".to_owned()
            } else {
                String::new()
            };
            vec![
                s.id.to_string(),
                s.company_name.clone(),
                s.name.clone(),
                s.quantity.to_string(),
                term(s.term_months).to_lowercase(),
                s.renews_on.clone(),
                decimal(s.unit_price_cents),
                decimal(s.term_cents),
                state,
            ]
        })
        .collect();
    out.rows(
        &[
            "id", "company", "name", "quantity", "term", "renews", "unit", "per_term", "state",
        ],
        &rows,
    )
}
