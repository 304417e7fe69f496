//! The read of everything a ticket's export holds, in one snapshot.

use rusqlite::{Connection, OptionalExtension};

use super::{Result, attachments, catalog, estimates, signoffs, tasks, tickets, timeline};
use crate::domain::export::TicketRecord;

/// A ticket holds at most this many timeline entries (see the schema).
const MAX_ENTRIES: usize = (1 << 20) - 1;

/// Ticket `number` with its public timeline (oldest first), tasks and
/// attachments, estimates and sign-off, and the provider's name and time
/// zone.
pub fn load(conn: &Connection, number: i64) -> Result<TicketRecord> {
    let ticket = tickets::load(conn, number)?;
    let (mut timeline, _) = timeline::page(conn, number, None, MAX_ENTRIES, false)?;
    timeline.reverse();
    let (provider_name, zone) = conn
        .prepare_cached("SELECT name, time_zone FROM provider_settings WHERE id = 1")?
        .query_row([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .optional()?
        .unwrap_or_else(|| (String::new(), "UTC".into()));
    // Labels from the catalog, in its order; a value whose field was removed
    // since keeps its key as label.
    let defs = catalog::get(conn, ticket.service_type_id)?.map_or_else(Vec::new, |s| s.fields);
    let mut fields: Vec<(String, String)> = defs
        .iter()
        .filter_map(|d| {
            let v = ticket.fields.iter().find(|f| f.key == d.key)?;
            Some((d.label.clone(), v.value.clone()))
        })
        .collect();
    fields.extend(
        ticket
            .fields
            .iter()
            .filter(|f| !defs.iter().any(|d| d.key == f.key))
            .map(|f| (f.key.clone(), f.value.clone())),
    );
    Ok(TicketRecord {
        fields,
        provider_name,
        // The seed refuses unknown zones; UTC only covers a store edited by hand.
        zone: zone.parse().unwrap_or(chrono_tz::Tz::UTC),
        ticket,
        timeline,
        tasks: tasks::list(conn, number)?,
        attachments: attachments::list(conn, number)?,
        estimates: estimates::list(conn, number)?,
        sign_off: signoffs::get(conn, number)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tickets::{Author, AuthorKind, TimelineKind};
    use crate::store::testing::*;
    use crate::store::timeline::Change;

    #[test]
    fn the_record_holds_the_public_timeline_oldest_first() {
        let (_dir, conn) = temp_conn();
        let t = raw_ticket(&conn, COMPANY_A, UMA, "Printer jam", 0);
        let tom = Author {
            kind: AuthorKind::Staff,
            id: TOM,
            name: "Tom Tech".into(),
        };
        for (kind, body) in [
            (TimelineKind::Discussion, "first"),
            (TimelineKind::InternalNote, "secret"),
            (TimelineKind::Discussion, "second"),
        ] {
            timeline::append(&conn, t, &tom, Change::post(kind, body), 1).unwrap();
        }
        let record = load(&conn, t).unwrap();
        let bodies: Vec<&str> = record.timeline.iter().map(|e| e.body.as_str()).collect();
        assert_eq!(bodies, ["first", "second"]);
        assert_eq!(record.ticket.title, "Printer jam");
    }
}
