//! Proposing and deciding estimates, and signing off.

use portal_proto::pb;
use tonic::{Request, Status};

use super::super::authn::caller;
use super::super::input;
use super::super::tickets::{author, visible};
use super::{Work, conv, event, validate};
use crate::domain::tickets::{Author, TimelineKind};
use crate::domain::work::{EstimateState, SignOff, money, name_matches, utc_day};
use crate::domain::{AuditAction, TicketStatus};
use crate::mail::notify;
use crate::policy::{self, Denied};
use crate::store::audit::{self, AuditEvent};
use crate::store::estimates::{self, Proposal};
use crate::store::tickets::Mover;
use crate::store::timeline::{self, Change};
use crate::store::{StoreError, now_ms, signoffs, tickets};

/// The most estimates the Home alert lists.
const AWAITING_LIMIT: usize = 50;

/// Appends an estimate's timeline entry: `to` says what happened.
fn estimate_entry(
    conn: &rusqlite::Connection,
    number: i64,
    by: &Author,
    (body, to): (&str, &str),
    now: i64,
) -> crate::store::Result<()> {
    let change = Change {
        kind: TimelineKind::Estimate,
        body,
        from: "",
        to,
    };
    timeline::append(conn, number, by, change, now).map(drop)
}

impl Work {
    pub(super) async fn propose(
        &self,
        request: Request<pb::ProposeEstimateRequest>,
    ) -> Result<pb::Estimate, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = input::id("number", req.number)?;
        let description = input::text("description", &req.description, 2000, true)?;
        let amount_cents = validate::amount_cents(req.amount_cents)?;
        let now = now_ms();
        let expires_on = validate::expires_on(&req.expires_on, now)?;
        let by = author(&who);
        let (estimate, event) = self
            .state
            .write(move |conn| {
                let facts = visible(conn, number, &who.principal)?;
                policy::propose_estimate(&who.principal, &facts)?;
                if facts.status.group() == crate::domain::StatusGroup::Closed {
                    return Err(StoreError::FailedPrecondition(format!(
                        "#{number} is {}: no estimate can be proposed on it",
                        facts.status.label()
                    ))
                    .into());
                }
                let proposal = Proposal {
                    ticket_id: number,
                    company_id: facts.company_id,
                    description: &description,
                    amount_cents,
                    expires_on: expires_on.as_deref(),
                    staff_id: by.id,
                    staff_name: &by.name,
                };
                let estimate = estimates::propose(conn, &proposal, now)?;
                let body = format!("{} — {}", money(amount_cents), description);
                estimate_entry(conn, number, &by, (&body, "Proposed"), now)?;
                let ticket = tickets::load(conn, number)?;
                let amount = money(amount_cents);
                notify::estimate_awaiting(conn, &ticket, (&description, &amount), now)?;
                let subject = format!("estimate {} on #{number}", estimate.id);
                let record = AuditEvent {
                    detail: format!("{amount_cents} cents"),
                    ..AuditEvent::by(
                        &who,
                        AuditAction::EstimateProposed,
                        &subject,
                        Some(facts.company_id),
                    )
                };
                audit::record(conn, now, &record)?;
                let summary = format!("Estimate proposed on #{number}: {}", money(amount_cents));
                let told = event(
                    conn,
                    (number, false),
                    pb::EventKind::EstimateProposed,
                    &by,
                    summary,
                    now,
                )?;
                Ok((estimate, told))
            })
            .await?;
        self.state.events.publish(event);
        Ok(conv::estimate(estimate, &utc_day(now), String::new()))
    }

    pub(super) async fn decide(
        &self,
        request: Request<pb::DecideEstimateRequest>,
    ) -> Result<pb::Estimate, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let id = input::id("estimate_id", req.estimate_id)?;
        let comment = input::long_text("comment", &req.comment, false)?;
        let state = if req.approve {
            EstimateState::Approved
        } else {
            EstimateState::Declined
        };
        let now = now_ms();
        let today = utc_day(now);
        let by = author(&who);
        let today_in = today.clone();
        let (estimate, event) = self
            .state
            .write(move |conn| {
                // Another company's estimate is not found, like a missing one.
                let e = estimates::get(conn, id)?.ok_or(Denied::NotFound)?;
                let number = e.ticket_id;
                let facts = visible(conn, number, &who.principal)?;
                policy::decide_estimate(&who.principal, &facts)?;
                if e.state != EstimateState::Pending {
                    return Err(StoreError::FailedPrecondition(format!(
                        "this estimate was {} already",
                        e.state.label().to_lowercase()
                    ))
                    .into());
                }
                if e.expired(&today_in) {
                    return Err(StoreError::FailedPrecondition(
                        "this estimate expired; ask for a new one".into(),
                    )
                    .into());
                }
                let contact = by.id;
                let decided =
                    estimates::decide(conn, id, (state, contact, &by.name), &comment, now)?;
                let body = format!("{} — {}", money(e.amount_cents), e.description);
                let body = if comment.is_empty() {
                    body
                } else {
                    format!("{body}\n{comment}")
                };
                estimate_entry(conn, number, &by, (&body, state.label()), now)?;
                let action = match state {
                    EstimateState::Approved => AuditAction::EstimateApproved,
                    _ => AuditAction::EstimateDeclined,
                };
                let subject = format!("estimate {id} on #{number}");
                let record = AuditEvent {
                    detail: format!("{} cents", e.amount_cents),
                    ..AuditEvent::by(&who, action, &subject, Some(facts.company_id))
                };
                audit::record(conn, now, &record)?;
                let summary = format!(
                    "Estimate on #{number} {}: {}",
                    state.label().to_lowercase(),
                    money(e.amount_cents)
                );
                let told = event(
                    conn,
                    (number, false),
                    pb::EventKind::EstimateDecided,
                    &by,
                    summary,
                    now,
                )?;
                Ok((decided, told))
            })
            .await?;
        self.state.events.publish(event);
        Ok(conv::estimate(estimate, &today, String::new()))
    }

    pub(super) fn awaiting(
        &self,
        request: &Request<pb::Empty>,
    ) -> Result<pb::ListAwaitingEstimatesResponse, Status> {
        let company = policy::awaiting_estimates(&caller(request)?.principal)?;
        let today = utc_day(now_ms());
        let list = self
            .state
            .read_inline(|conn| Ok(estimates::awaiting(conn, company, &today, AWAITING_LIMIT)?))?;
        Ok(pb::ListAwaitingEstimatesResponse {
            estimates: list
                .into_iter()
                .map(|(e, title)| conv::estimate(e, &today, title))
                .collect(),
        })
    }

    pub(super) async fn sign(
        &self,
        request: Request<pb::SignOffRequest>,
    ) -> Result<pb::SignOffRecord, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = input::id("number", req.number)?;
        let typed = input::text("full_name", &req.full_name, 200, true)?;
        let comment = input::long_text("comment", &req.comment, false)?;
        let now = now_ms();
        let by = author(&who);
        let (record, event) = self
            .state
            .write(move |conn| {
                let facts = visible(conn, number, &who.principal)?;
                policy::sign_off(&who.principal, &facts)?;
                if facts.status != TicketStatus::Completed {
                    return Err(StoreError::FailedPrecondition(format!(
                        "#{number} is {}: only a Completed ticket can be signed off",
                        facts.status.label()
                    ))
                    .into());
                }
                // The caller's name is read from the store with its session.
                let on_record = by.name.clone();
                if !name_matches(&typed, &on_record) {
                    return Err(StoreError::invalid(
                        "full_name",
                        format!("type your full name as on record: {on_record}"),
                    )
                    .into());
                }
                let resolution = timeline::latest_resolution(conn, number)?;
                let record = SignOff {
                    ticket_id: number,
                    contact_id: by.id,
                    contact_name: on_record,
                    typed_name: typed,
                    comment,
                    signed_at: now,
                    resolution_entry_id: resolution.as_ref().map(|r| r.0),
                    resolution: resolution.map(|r| r.1).unwrap_or_default(),
                };
                signoffs::record(conn, &record)?;
                tickets::set_status(conn, number, TicketStatus::Closed, Mover::Other, now)?;
                let note = if record.comment.is_empty() {
                    format!("Signed off as \"{}\".", record.typed_name)
                } else {
                    format!(
                        "Signed off as \"{}\": {}",
                        record.typed_name, record.comment
                    )
                };
                let change = Change {
                    kind: TimelineKind::StatusChange,
                    body: &note,
                    from: TicketStatus::Completed.label(),
                    to: TicketStatus::Closed.label(),
                };
                timeline::append(conn, number, &by, change, now)?;
                // Closed: the requester is asked how we did.
                notify::rating_requested(conn, &tickets::load(conn, number)?, now)?;
                let record_of = AuditEvent::by(
                    &who,
                    AuditAction::SignedOff,
                    &format!("#{number}"),
                    Some(facts.company_id),
                );
                audit::record(conn, now, &record_of)?;
                let summary = format!("#{number} signed off by {} and closed", by.name);
                let told = event(
                    conn,
                    (number, false),
                    pb::EventKind::SignedOff,
                    &by,
                    summary,
                    now,
                )?;
                Ok((record, told))
            })
            .await?;
        self.state.events.publish(event);
        Ok(conv::sign_off(record))
    }
}
