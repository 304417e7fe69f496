//! Customer satisfaction (docs/TICKETS.md, "Ratings"): the requester rates
//! a closed ticket once; staff list the ratings.

use portal_proto::pb;
use tonic::{Request, Status};

use super::{Applied, Tickets, author};
use crate::domain::input::{Max, multi_line};
use crate::domain::ratings::{MAX_COMMENT, Rating, SCORES};
use crate::domain::{AuditAction, TicketStatus};
use crate::policy;
use crate::service::authn::caller;
use crate::service::convert::tickets as conv;
use crate::service::status::invalid;
use crate::service::{input, keyset};
use crate::store::audit::{self, AuditEvent};
use crate::store::{StoreError, now_ms, ratings, staff, tickets};

impl Tickets {
    pub(super) async fn rate(
        &self,
        request: Request<pb::RateTicketRequest>,
    ) -> Result<pb::Rating, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = input::id("number", req.number)?;
        let score = i64::from(req.score);
        if !SCORES.contains(&score) {
            return Err(invalid("score", "from 1 (poor) to 5 (excellent)"));
        }
        let comment = multi_line("comment", &req.comment, Max::Chars(MAX_COMMENT), false)?;
        let now = now_ms();
        let by = author(&who);
        let audit_by = who.clone();
        self.change(&who, number, now, move |conn, p, facts| {
            policy::rate_ticket(p, facts)?;
            if facts.status != TicketStatus::Closed {
                return Err(StoreError::FailedPrecondition(format!(
                    "#{number} is {}: only a Closed ticket can be rated",
                    facts.status.label()
                ))
                .into());
            }
            let ticket = tickets::load(conn, number)?;
            let rating = Rating::of(&ticket, &by, (score, comment), now);
            ratings::rate(conn, &rating, &by)?;
            let event = AuditEvent::by(
                &audit_by,
                AuditAction::Rated,
                &format!("#{number}"),
                Some(facts.company_id),
            );
            audit::record(conn, now, &event)?;
            let summary = format!("#{number} rated {score}/5 by {}", by.name);
            let mut applied =
                Applied::changed(conv::rating(rating), pb::EventKind::TicketRated, summary);
            // Staff hear of it live; the requester knows, having rated.
            applied.staff_only = true;
            Ok(applied)
        })
        .await
    }

    pub(super) fn ratings(
        &self,
        request: &Request<pb::ListRatingsRequest>,
    ) -> Result<pb::ListRatingsResponse, Status> {
        let p = caller(request)?.principal.clone();
        let req = request.get_ref();
        let company = input::optional_id("company_id", req.company_id)?;
        let staff_id = input::optional_id("staff_id", req.staff_id)?;
        let limit = keyset::page_size(req.page.as_ref())?;
        let before = keyset::decode::<(i64, i64)>(req.page.as_ref())?;
        policy::list_ratings(&p)?;
        let mut list = self.state.read_inline(|conn| {
            if let Some(id) = company {
                crate::store::companies::get(conn, id)?;
            }
            if let Some(id) = staff_id {
                staff::get(conn, id)?;
            }
            let rows = ratings::list(conn, (company, staff_id), before, limit as usize + 1)?;
            Ok(rows)
        })?;
        let next_cursor = keyset::finish(&mut list, limit, |r| (r.rated_at, r.ticket_id));
        Ok(pb::ListRatingsResponse {
            ratings: list.into_iter().map(conv::rating).collect(),
            next_cursor,
        })
    }
}
