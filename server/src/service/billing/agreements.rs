//! Agreements: the list, one with its burn-down and forecast, and a
//! provider Admin's create and update (audited).

use std::collections::HashMap;

use portal_proto::pb;
use rusqlite::Connection;
use tonic::{Request, Status};

use super::super::authn::caller;
use super::super::convert::billing as conv;
use super::super::outcome::Outcome;
use super::{Billing, day, today};
use crate::domain::AuditAction;
use crate::domain::money::{
    self, Agreement, AgreementInput, BillingSettings, Month, runs_out_on, zone_day,
};
use crate::policy::{self, Denied};
use crate::store::agreements::{self, TimedDraw};
use crate::store::audit::{self, AuditEvent};
use crate::store::{StoreError, billing_settings, now_ms};

/// Recent use is averaged over this many days, as months of 30 days.
const RECENT_DAYS: i64 = 90;
const DAY_MS: i64 = 86_400_000;

/// Minutes drawn from each agreement of these companies.
fn used_by_agreement(
    conn: &Connection,
    companies: impl IntoIterator<Item = i64>,
    s: &BillingSettings,
) -> Outcome<HashMap<i64, i64>> {
    let mut used = HashMap::new();
    for company in companies {
        for d in agreements::company_draws(conn, company, s.zone)?.0 {
            *used.entry(d.draw.agreement_id).or_default() += d.draw.minutes;
        }
    }
    Ok(used)
}

/// Agreements with their use, as the wire has them.
pub(super) fn with_use(
    conn: &Connection,
    list: Vec<Agreement>,
    s: &BillingSettings,
    now: i64,
) -> Outcome<Vec<pb::Agreement>> {
    let mut companies: Vec<i64> = list.iter().map(|a| a.company_id).collect();
    companies.dedup();
    let used = used_by_agreement(conn, companies, s)?;
    let today = zone_day(s.zone, now);
    Ok(list
        .into_iter()
        .map(|a| {
            let u = used.get(&a.id).copied().unwrap_or_default();
            conv::agreement(a, u, today, s.low_hours_percent)
        })
        .collect())
}

/// Month by month from the agreement's start to now (or its end): what
/// was drawn and what was left.
fn burn_down(
    a: &Agreement,
    draws: &[TimedDraw],
    s: &BillingSettings,
    now: i64,
) -> Vec<pb::MonthMinutes> {
    let today = zone_day(s.zone, now);
    let last = Month::of(a.runs_until().map_or(today, |end| end.min(today)));
    let by_month = agreements::used_by_month(draws, a.id, s.zone);
    money::burn_down(a.prepaid_minutes, Month::of(a.start_date), last, &by_month)
        .into_iter()
        .map(|m| pb::MonthMinutes {
            month: m.month.to_string(),
            used_minutes: m.used,
            left_minutes: m.left,
        })
        .collect()
}

impl Billing {
    pub(super) async fn agreements(
        &self,
        request: &Request<pb::ListAgreementsRequest>,
    ) -> Result<pb::ListAgreementsResponse, Status> {
        let p = &caller(request)?.principal;
        let asked = super::super::input::optional_id("company_id", request.get_ref().company_id)?;
        let company = policy::money_company(p, asked.unwrap_or_default())?;
        let include_ended = request.get_ref().include_ended;
        let now = now_ms();
        self.state
            .read(move |conn| {
                let s = billing_settings::get(conn)?;
                let list = agreements::list(conn, company, include_ended, today(&s, now))?;
                Ok(pb::ListAgreementsResponse {
                    agreements: with_use(conn, list, &s, now)?,
                })
            })
            .await
    }

    pub(super) async fn agreement(
        &self,
        request: &Request<pb::AgreementRef>,
    ) -> Result<pb::AgreementDetail, Status> {
        let p = caller(request)?.principal.clone();
        policy::money_scope(&p)?;
        let id = super::super::input::id("id", request.get_ref().id)?;
        let now = now_ms();
        self.state
            .read(move |conn| {
                let a = agreements::get(conn, id)?.ok_or(Denied::NotFound)?;
                policy::view_money(&p, a.company_id)?;
                let s = billing_settings::get(conn)?;
                let draws = agreements::company_draws(conn, a.company_id, s.zone)?.0;
                let recent: i64 = draws
                    .iter()
                    .filter(|d| {
                        d.draw.agreement_id == a.id && d.ended_at > now - RECENT_DAYS * DAY_MS
                    })
                    .map(|d| d.draw.minutes)
                    .sum();
                let per_month = crate::domain::money::round_div(
                    i128::from(recent) * 30,
                    i128::from(RECENT_DAYS),
                );
                let burn_down = burn_down(&a, &draws, &s, now);
                let used: i64 = burn_down.iter().map(|m| m.used_minutes).sum();
                let left = a.prepaid_minutes - used;
                let runs_out = runs_out_on(today(&s, now), left, per_month).map(day);
                Ok(pb::AgreementDetail {
                    agreement: Some(conv::agreement(
                        a,
                        used,
                        today(&s, now),
                        s.low_hours_percent,
                    )),
                    burn_down,
                    recent_minutes_per_month: per_month,
                    runs_out_on: runs_out.unwrap_or_default(),
                })
            })
            .await
    }

    /// Creates (`id` None) or updates an agreement: provider Admins.
    pub(super) async fn save_agreement<T>(
        &self,
        request: &Request<T>,
        id: Option<Result<i64, Status>>,
        input: Result<AgreementInput, Status>,
    ) -> Result<pb::Agreement, Status> {
        let who = caller(request)?.clone();
        policy::manage_money(&who.principal)?;
        let id = id.transpose()?;
        let mut input = input?;
        let now = now_ms();
        self.state
            .write(move |conn| {
                let s = billing_settings::get(conn)?;
                let (saved, action) = match id {
                    None => (
                        agreements::create(conn, &input, now)?,
                        AuditAction::AgreementCreated,
                    ),
                    Some(id) => {
                        let before = agreements::get(conn, id)?.ok_or(Denied::NotFound)?;
                        if before.renews && !input.renews && input.end_date == before.end_date {
                            // Renewal turned off: it ends with its current
                            // term, not on the end date long past.
                            let today = zone_day(s.zone, now);
                            input.end_date = before.renews_on(today).and_then(|d| d.pred_opt());
                        }
                        let saved = agreements::update(conn, id, &input, now)
                            .map_err(|e: StoreError| e.within("agreement"))?;
                        (saved, AuditAction::AgreementUpdated)
                    }
                };
                let record = AuditEvent {
                    detail: format!(
                        "{} to {}, {} cents a month, {} prepaid minutes",
                        saved.start_date,
                        saved.end_date.map_or_else(|| "open".to_owned(), day),
                        saved.monthly_amount_cents,
                        saved.prepaid_minutes
                    ),
                    ..AuditEvent::by(&who, action, &saved.title, Some(saved.company_id))
                };
                audit::record(conn, now, &record)?;
                Ok(with_use(conn, vec![saved], &s, now)?
                    .pop()
                    .unwrap_or_default())
            })
            .await
    }
}
