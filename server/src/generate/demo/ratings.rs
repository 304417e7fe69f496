//! Ratings in the demo (docs/TICKETS.md, "Ratings"): about half of the
//! tickets their requesters signed off are rated, mostly well, some with a
//! comment, so the satisfaction reports have something to show. Each
//! ticket's draws come from a seed of its own, so the rest of the demo is
//! the same with or without them.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, params};

use super::clock::{DAY, MINUTE};
use super::spec::Lines;
use crate::domain::TicketStatus;
use crate::domain::ratings::Rating;
use crate::domain::tickets::{Author, AuthorKind};
use crate::store::{self, ratings, tickets};

const SEED: u64 = 0x5a71_5fac;

pub fn insert(conn: &Connection, lines: &Lines, now: i64) -> store::Result<()> {
    let closed = TicketStatus::Closed;
    let signed_off: Vec<(i64, i64)> = conn
        .prepare(
            "SELECT t.id, t.closed_at FROM tickets t
             WHERE t.status = ?1 AND t.closed_at IS NOT NULL AND EXISTS (
                 SELECT 1 FROM timeline e WHERE e.ticket_id = t.id AND e.kind = 4
                     AND e.to_value = ?2 AND e.author_kind = 'contact')
             ORDER BY t.id",
        )?
        .query_map(params![closed as i64, closed.label()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (number, closed_at) in signed_off {
        let mut rng = StdRng::seed_from_u64(SEED ^ number.unsigned_abs());
        if !rng.gen_bool(0.55) {
            continue;
        }
        let score = match rng.r#gen::<f64>() {
            x if x < 0.55 => 5,
            x if x < 0.85 => 4,
            x if x < 0.95 => 3,
            x if x < 0.98 => 2,
            _ => 1,
        };
        let said = if score >= 4 {
            &lines.rating_praise
        } else {
            &lines.rating_critique
        };
        let comment = if rng.gen_bool(0.4) && !said.is_empty() {
            said[rng.gen_range(0..said.len())].clone()
        } else {
            String::new()
        };
        let t = tickets::load(conn, number)?;
        let by = Author {
            kind: AuthorKind::Contact,
            id: t.contact_id,
            name: t.contact_name.clone(),
        };
        let at = (closed_at + rng.gen_range(10 * MINUTE..2 * DAY)).min(now - MINUTE);
        ratings::rate(conn, &Rating::of(&t, &by, (score, comment), at), &by)?;
    }
    Ok(())
}
