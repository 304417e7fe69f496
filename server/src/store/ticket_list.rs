//! Ticket lists: scope, filters, full-text search and keyset paging.

use std::fmt::Write as _;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::list_counts::CountsAt;
use super::{Result, StoreError, tickets};
use crate::domain::TicketScope;
use crate::domain::input::NOT_A_CURSOR;
use crate::domain::tickets::{
    SortValue, Ticket, TicketCursor, TicketFilter, TicketPage, TicketSort,
};

/// What a user typed into a search, as FTS5 terms: every term becomes a
/// quoted phrase (its quotes doubled, so no FTS operator or syntax
/// survives), and the last one, and any cut short, matches as a prefix.
/// The phrase keeps the term's characters: FTS5 splits it into tokens with
/// the same tokenizer as the text it searches (a decomposed "é" stays one
/// letter).
#[derive(Debug, Clone)]
pub struct SearchText {
    /// Each term as typed (control characters blanked, at most 100
    /// characters) and whether it was cut short.
    terms: Vec<(String, bool)>,
}

impl SearchText {
    /// None when nothing searchable is left.
    pub fn parse(text: &str) -> Option<Self> {
        const TERM_CHARS: usize = 100;
        let terms: Vec<(String, bool)> = text
            .split_whitespace()
            .filter(|term| term.chars().any(char::is_alphanumeric))
            .map(|term| {
                // A NUL would end the query early; no control character is
                // part of a word.
                let kept = term
                    .chars()
                    .take(TERM_CHARS)
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect::<String>();
                // A term cut short still finds the word it was cut from.
                (kept, term.chars().nth(TERM_CHARS).is_some())
            })
            .take(16)
            .collect();
        (!terms.is_empty()).then_some(Self { terms })
    }

    /// Each term as typed.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(|(t, _)| t.as_str())
    }

    /// Only the terms `keep` marks, in order; None when it marks none.
    #[must_use]
    pub fn only(&self, keep: &[bool]) -> Option<Self> {
        let terms: Vec<(String, bool)> = self
            .terms
            .iter()
            .zip(keep)
            .filter(|(_, keep)| **keep)
            .map(|(term, _)| term.clone())
            .collect();
        (!terms.is_empty()).then_some(Self { terms })
    }

    /// The last term as typed: the one matched as a prefix.
    pub fn last(&self) -> &str {
        self.terms.last().map_or("", |(t, _)| t)
    }

    /// FTS5's own form, its prefixes marked `*`.
    pub fn native(&self) -> String {
        let last = self.terms.len() - 1;
        let q: Vec<String> = self
            .terms
            .iter()
            .enumerate()
            .map(|(i, (t, cut))| {
                let star = if *cut || i == last { " *" } else { "" };
                format!("{}{star}", phrase(t))
            })
            .collect();
        q.join(" ")
    }

    /// The query with its last term replaced by any one of `words`, whole.
    pub fn with_last(&self, words: &[&str]) -> String {
        let head = &self.terms[..self.terms.len() - 1];
        let mut q: Vec<String> = head
            .iter()
            .map(|(t, cut)| format!("{}{}", phrase(t), if *cut { " *" } else { "" }))
            .collect();
        let any: Vec<String> = words.iter().map(|w| phrase(w)).collect();
        q.push(format!("({})", any.join(" OR ")));
        q.join(" AND ")
    }
}

/// `text` as one quoted FTS5 phrase.
fn phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A safe FTS5 query for what a user typed (`SearchText::native`); None
/// when nothing searchable is left.
pub fn match_query(text: &str) -> Option<String> {
    SearchText::parse(text).map(|s| s.native())
}

/// The SQL condition limiting `t` to what a scope may see, pushing its
/// parameters onto `args`.
/// `narrow` is true when the scope itself should drive the query (a
/// contact's own and followed tickets, by id).
pub(super) fn scope_clause(
    conn: &Connection,
    scope: &TicketScope,
    args: &mut Vec<Value>,
) -> Result<(String, bool)> {
    // As one id list, so the few tickets are fetched by id instead of
    // scanning an index for the OR.
    const MINE: &str = "t.id IN (SELECT id FROM tickets WHERE contact_id = ?
        UNION ALL SELECT ticket_id FROM ticket_subscribers WHERE contact_id = ?)";
    Ok(match *scope {
        TicketScope::All => ("1".to_owned(), false),
        TicketScope::Own { contact_id } => {
            args.extend([Value::Integer(contact_id), Value::Integer(contact_id)]);
            (format!("({MINE})"), true)
        }
        TicketScope::Company {
            company_id,
            contact_id,
        } => {
            args.push(Value::Integer(company_id));
            // Almost nobody follows tickets of other companies; when this
            // contact does not, the plain company condition lets the
            // (company_id, ...) indexes serve the page directly.
            if follows_elsewhere(conn, company_id, contact_id)? {
                args.extend([Value::Integer(contact_id), Value::Integer(contact_id)]);
                (format!("(t.company_id = ? OR {MINE})"), true)
            } else {
                ("t.company_id = ?".to_owned(), false)
            }
        }
    })
}

/// Whether a contact subscribes to a ticket outside its company. Only a
/// subscription can reach there: a ticket's requester is always a contact
/// of its company (CreateTicket checks it, and contacts never change
/// company), so the contact's own tickets, thousands for a busy Manager,
/// need no look.
fn follows_elsewhere(conn: &Connection, company_id: i64, contact_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM ticket_subscribers s JOIN tickets t ON t.id = s.ticket_id
                            WHERE s.contact_id = ?2 AND t.company_id != ?1)",
        )?
        .query_row([company_id, contact_id], |r| r.get(0))?)
}

/// The SQL expression a sort orders by, and whether its value is text.
fn sort_key(sort: TicketSort) -> (&'static str, bool) {
    match sort {
        TicketSort::Number => ("t.id", false),
        TicketSort::Title => ("t.title COLLATE NOCASE", true),
        TicketSort::Status => ("t.status", false),
        TicketSort::Priority => ("t.priority", false),
        TicketSort::Contact => ("(c.first_name || ' ' || c.last_name) COLLATE NOCASE", true),
        TicketSort::Updated => ("t.updated_at", false),
        TicketSort::Created => ("t.created_at", false),
        TicketSort::Company => ("co.name COLLATE NOCASE", true),
        // Tickets without a running deadline sort last; the same expression
        // is indexed (tickets_group_next_due).
        TicketSort::NextDue => ("coalesce(t.next_due_at, 9223372036854775807)", false),
    }
}

/// The value of `sort`'s key for a ticket, as the next cursor carries it.
fn sort_value(sort: TicketSort, t: &Ticket) -> SortValue {
    match sort {
        TicketSort::Number => SortValue::Int(t.number),
        TicketSort::Title => SortValue::Text(t.title.clone()),
        TicketSort::Status => SortValue::Int(t.status as i64),
        TicketSort::Priority => SortValue::Int(i64::from(t.priority)),
        TicketSort::Contact => SortValue::Text(t.contact_name.clone()),
        TicketSort::Updated => SortValue::Int(t.updated_at),
        TicketSort::Created => SortValue::Int(t.created_at),
        TicketSort::Company => SortValue::Text(t.company_name.clone()),
        TicketSort::NextDue => SortValue::Int(t.next_due_at.unwrap_or(i64::MAX)),
    }
}

/// The filters but `text` as SQL conditions. With `narrow`, columns are written `+t.x`
/// so that no index on them competes with the scope's id list: without
/// statistics SQLite would rather walk every open ticket.
fn filter_clause(filter: &TicketFilter, narrow: bool, args: &mut Vec<Value>) -> String {
    let mut sql = String::new();
    let mut cond = |s: &str, v: Option<Value>| {
        sql.push_str(" AND ");
        if narrow && s.starts_with("t.") {
            sql.push('+');
        }
        sql.push_str(s);
        if let Some(v) = v {
            args.push(v);
        }
    };
    let int = |n: i64| Some(Value::Integer(n));
    if let Some(g) = filter.status_group {
        cond("t.status_group = ?", int(g as i64));
    }
    if let Some(s) = filter.status {
        cond("t.status = ?", int(s as i64));
    }
    if let Some(n) = filter.number {
        cond("t.id = ?", int(n));
    }
    if let Some(c) = filter.contact_id {
        cond("t.contact_id = ?", int(c));
    }
    if let Some(p) = filter.priority {
        cond("t.priority = ?", int(i64::from(p)));
    }
    if let Some(s) = filter.service_type_id {
        cond("t.service_type_id = ?", int(s));
    }
    if let Some(from) = filter.created.0 {
        cond("t.created_at >= ?", int(from));
    }
    if let Some(to) = filter.created.1 {
        cond("t.created_at < ?", int(to));
    }
    if let Some(from) = filter.updated.0 {
        cond("t.updated_at >= ?", int(from));
    }
    if let Some(to) = filter.updated.1 {
        cond("t.updated_at < ?", int(to));
    }
    if let Some(c) = filter.company_id {
        cond("t.company_id = ?", int(c));
    }
    if let Some(now) = filter.breached_at {
        // Written on the indexed expression so a Triage page of breached
        // tickets is one range of tickets_group_next_due.
        cond(
            "coalesce(t.next_due_at, 9223372036854775807) <= ?",
            int(now),
        );
    }
    // A staff member's queue: primary or other assignee (docs/TICKETS.md,
    // "Assignees"); nobody assigned is neither.
    let plus = if narrow { "+" } else { "" };
    if let Some(s) = filter.assigned_staff_id {
        let _ = write!(
            sql,
            " AND ({plus}t.assigned_staff_id = ? OR t.id IN
                 (SELECT ticket_id FROM ticket_assignees WHERE staff_id = ?))"
        );
        args.extend([Value::Integer(s), Value::Integer(s)]);
    }
    if filter.chat_waiting {
        sql.push_str(" AND t.chat_waiting_since IS NOT NULL");
    }
    if filter.unassigned {
        let _ = write!(
            sql,
            " AND {plus}t.assigned_staff_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM ticket_assignees a WHERE a.ticket_id = t.id)"
        );
    }
    sql
}

/// A search counts at most this many matches (then says it stopped).
pub const SEARCH_COUNT_CAP: usize = 1000;

/// A page of tickets visible in `scope` matching `filter`, sorted by `sort`,
/// after `cursor`; with the total count of matches (of a search: at most
/// `SEARCH_COUNT_CAP`), kept in `counts` until the store changes.
/// Descriptions are cut to 200 characters.
#[allow(
    clippy::too_many_arguments,
    reason = "a list is its connection, counts, scope, filter, order, cursor and size"
)]
pub fn list(
    conn: &Connection,
    counts: &CountsAt,
    scope: &TicketScope,
    filter: &TicketFilter,
    sort: TicketSort,
    descending: bool,
    cursor: Option<&TicketCursor>,
    limit: usize,
) -> Result<TicketPage> {
    if cursor.is_some_and(|c| c.sort != sort || c.descending != descending) {
        return Err(StoreError::invalid(
            "page.cursor",
            "belongs to a different sort order",
        ));
    }
    let mut args = Vec::new();
    let (scope_sql, narrow) = scope_clause(conn, scope, &mut args)?;
    let filter_sql = filter_clause(filter, narrow, &mut args);
    let mut where_sql = format!("WHERE {scope_sql}{filter_sql}");
    match &filter.text {
        // Newest first, straight from the index; a narrow scope has few
        // tickets, better checked one by one below.
        Some(q) if sort == TicketSort::Number && descending && !narrow => {
            args.push(Value::Text(q.clone()));
            // With no scope or filter to check (every indexed ticket is
            // visible), the index alone answers.
            let visible = (!matches!(scope, TicketScope::All) || !filter_sql.is_empty())
                .then_some(where_sql.as_str());
            newest_matches((conn, counts), visible, args, cursor, limit)
        }
        Some(q) => {
            // The few tickets of a narrow scope are checked one by one;
            // otherwise the tickets the index names are taken.
            where_sql.push_str(if narrow {
                " AND EXISTS (SELECT 1 FROM ticket_search WHERE ticket_search MATCH ?
                     AND rowid BETWEEN t.id << 20 AND (t.id << 20) + 1048575)"
            } else {
                " AND t.id IN (SELECT rowid >> 20 FROM ticket_search WHERE ticket_search MATCH ?)"
            });
            args.push(Value::Text(q.clone()));
            sorted(
                (conn, counts),
                &where_sql,
                true,
                args,
                (sort, descending),
                cursor,
                limit,
            )
        }
        None => sorted(
            (conn, counts),
            &where_sql,
            false,
            args,
            (sort, descending),
            cursor,
            limit,
        ),
    }
}

/// A search page newest ticket first: the index yields matches by rowid
/// descending, i.e. by ticket number, so stepping stops as soon as the page
/// is full. The capped count steps the matches oldest first, which FTS5
/// reads about twice as fast as newest first, and is kept in `counts` for
/// the list's next pages. `args` end with the match query; `where_sql`,
/// when there is one, limits the matches to the tickets it lets through.
fn newest_matches(
    (conn, counts): (&Connection, &CountsAt),
    where_sql: Option<&str>,
    mut args: Vec<Value>,
    cursor: Option<&TicketCursor>,
    limit: usize,
) -> Result<TicketPage> {
    let base = match where_sql {
        // CROSS JOIN keeps the index as the outer loop, whatever else the
        // conditions offer.
        Some(where_sql) => format!(
            "SELECT s.rowid >> 20 FROM ticket_search s CROSS JOIN tickets t ON t.id = s.rowid >> 20
             {where_sql} AND s.ticket_search MATCH ?"
        ),
        None => {
            "SELECT s.rowid >> 20 FROM ticket_search s WHERE s.ticket_search MATCH ?".to_owned()
        }
    };
    let count_sql = format!("{base} ORDER BY s.rowid");
    // All the matches, when the count found them all (at most the cap):
    // the page is then taken from them, without a second walk.
    let mut all = None;
    let n = counts.get_or(format!("{count_sql}\0{args:?}"), || {
        #[cfg(test)]
        plan::record(conn, &count_sql, &args);
        let ids = distinct_ids(conn, &count_sql, &args, SEARCH_COUNT_CAP + 1)?;
        let n = ids.len() as i64;
        all = (ids.len() <= SEARCH_COUNT_CAP).then_some(ids);
        Ok(n)
    })?;
    let n = n.max(0) as usize;
    let (total, total_is_lower_bound) = (n.min(SEARCH_COUNT_CAP) as u64, n > SEARCH_COUNT_CAP);
    let after = match cursor.map(|c| &c.value) {
        None => None,
        Some(SortValue::Int(after)) => Some(*after),
        Some(SortValue::Text(_)) => return Err(StoreError::invalid("page.cursor", NOT_A_CURSOR)),
    };
    let mut ids = if let Some(all) = all {
        all.into_iter()
            .rev()
            .filter(|&id| after.is_none_or(|after| id < after))
            .take(limit + 1)
            .collect()
    } else {
        let mut page_sql = base;
        if let Some(after) = after {
            args.push(Value::Integer(after.saturating_mul(1 << 20)));
            page_sql.push_str(" AND s.rowid < ?");
        }
        page_sql.push_str(" ORDER BY s.rowid DESC");
        #[cfg(test)]
        plan::record(conn, &page_sql, &args);
        distinct_ids(conn, &page_sql, &args, limit + 1)?
    };
    let next = if ids.len() > limit {
        ids.truncate(limit);
        ids.last().map(|&id| TicketCursor {
            sort: TicketSort::Number,
            descending: true,
            value: SortValue::Int(id),
            id,
        })
    } else {
        None
    };
    let sql = format!("{} WHERE t.id = ?1", tickets::SELECT_BRIEF);
    let mut stmt = conn.prepare_cached(&sql)?;
    let tickets = ids
        .iter()
        .map(|id| tickets::finish(stmt.query_row([id], tickets::from_row)?))
        .collect::<Result<Vec<_>>>()?;
    Ok(TicketPage {
        tickets,
        next,
        total,
        total_is_lower_bound,
    })
}

/// The first `max` distinct ids `sql` yields, stepping it only as far as
/// needed; equal ids come one after another.
fn distinct_ids(conn: &Connection, sql: &str, args: &[Value], max: usize) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut ids: Vec<i64> = Vec::new();
    while ids.len() < max {
        let Some(row) = rows.next()? else { break };
        let id = row.get(0)?;
        if ids.last() != Some(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// A page in any order, sorting the matches; `capped` counts at most
/// `SEARCH_COUNT_CAP` of them (a search).
fn sorted(
    (conn, counts): (&Connection, &CountsAt),
    where_sql: &str,
    capped: bool,
    mut args: Vec<Value>,
    (sort, descending): (TicketSort, bool),
    cursor: Option<&TicketCursor>,
    limit: usize,
) -> Result<TicketPage> {
    let count_sql = if capped {
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM tickets t {where_sql} LIMIT {})",
            SEARCH_COUNT_CAP + 1
        )
    } else {
        format!("SELECT count(*) FROM tickets t {where_sql}")
    };
    // The statement and its arguments name the count; every page of a list
    // (and everyone's first page of Triage) shares it.
    let n = counts.get_or(format!("{count_sql}\0{args:?}"), || {
        Ok(conn
            .prepare_cached(&count_sql)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?)
    })?;
    let n = n.max(0) as usize;
    let (total, total_is_lower_bound) = if capped {
        (n.min(SEARCH_COUNT_CAP), n > SEARCH_COUNT_CAP)
    } else {
        (n, false)
    };

    let (key, text_key) = sort_key(sort);
    let (cmp, dir) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let mut page_sql = format!("{} {where_sql}", tickets::SELECT_BRIEF);
    if let Some(c) = cursor {
        let value = match (&c.value, text_key) {
            (SortValue::Int(n), false) => Value::Integer(*n),
            (SortValue::Text(s), true) => Value::Text(s.clone()),
            _ => return Err(StoreError::invalid("page.cursor", NOT_A_CURSOR)),
        };
        // The plain bound lets an index on an expression key (triage) seek
        // too; the row value then skips the ties already shown.
        write!(
            page_sql,
            " AND {key} {cmp}= ? AND ({key}, t.id) {cmp} (?, ?)"
        )
        .ok();
        args.extend([value.clone(), value, Value::Integer(c.id)]);
    }
    write!(
        page_sql,
        " ORDER BY {key} {dir}, t.id {dir} LIMIT {}",
        limit + 1
    )
    .ok();

    #[cfg(test)]
    plan::record(conn, &page_sql, &args);
    let mut stmt = conn.prepare_cached(&page_sql)?;
    let mut tickets = stmt
        .query_map(params_from_iter(args.iter()), tickets::from_row)?
        .map(|r| tickets::finish(r?))
        .collect::<Result<Vec<_>>>()?;
    let next = if tickets.len() > limit {
        tickets.truncate(limit);
        tickets.last().map(|t| TicketCursor {
            sort,
            descending,
            value: sort_value(sort, t),
            id: t.number,
        })
    } else {
        None
    };
    Ok(TicketPage {
        tickets,
        next,
        total: total as u64,
        total_is_lower_bound,
    })
}

/// The query plans of the pages listed, for tests that keep them fast.
#[cfg(test)]
pub(crate) mod plan {
    use std::cell::RefCell;

    use rusqlite::types::Value;
    use rusqlite::{Connection, params_from_iter};

    thread_local! {
        pub static LAST: RefCell<String> = const { RefCell::new(String::new()) };
    }

    pub fn record(conn: &Connection, sql: &str, args: &[Value]) {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows: Vec<String> = stmt
            .query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        LAST.with(|l| *l.borrow_mut() = rows.join("\n"));
    }

    pub fn last() -> String {
        LAST.with(|l| l.borrow().clone())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::domain::StatusGroup;
    use crate::domain::tickets::{Author, AuthorKind, TimelineKind};
    use crate::store::testing::*;
    use crate::store::timeline::{self, Change};

    fn search(conn: &Connection, text: &str) -> Vec<i64> {
        let filter = TicketFilter {
            text: match_query(text),
            ..Default::default()
        };
        if filter.text.is_none() {
            return vec![];
        }
        list(
            conn,
            &CountsAt::unshared(),
            &TicketScope::All,
            &filter,
            TicketSort::Number,
            false,
            None,
            200,
        )
        .unwrap()
        .tickets
        .iter()
        .map(|t| t.number)
        .collect()
    }

    #[test]
    fn match_query_quotes_every_term() {
        assert_eq!(match_query("printer jam").unwrap(), "\"printer\" \"jam\" *");
        assert_eq!(
            match_query("a\"b OR c*").unwrap(),
            "\"a\"\"b\" \"OR\" \"c*\" *"
        );
        assert_eq!(match_query("  \t "), None);
        assert_eq!(match_query("\"\" ** ()"), None);
    }

    /// Found by the property test: a word longer than a term may be, not
    /// the last one typed, was cut and then looked for whole, so typing a
    /// ticket's own title did not find it.
    #[test]
    fn a_long_word_cut_short_is_still_found() {
        let (_dir, conn) = temp_conn();
        let long = "a".repeat(101);
        let t = raw_ticket(&conn, COMPANY_A, UMA, &format!("{long} A"), 0);
        assert_eq!(
            match_query(&format!("{long} A")).unwrap(),
            format!("\"{}\" * \"A\" *", &long[..100])
        );
        assert_eq!(search(&conn, &format!("{long} A")), vec![t]);
    }

    /// Found by the property test: a letter and its combining accent (as
    /// some keyboards type "é") were split into two words, which FTS5 keeps
    /// as one, so the ticket was not found.
    #[test]
    fn a_decomposed_accent_stays_in_its_word() {
        let (_dir, conn) = temp_conn();
        let t = raw_ticket(&conn, COMPANY_A, UMA, "Re\u{301}sume\u{301}A", 0);
        assert_eq!(search(&conn, "Re\u{301}sume\u{301}A"), vec![t]);
        assert_eq!(search(&conn, "resumea"), vec![t]);
        assert_eq!(search(&conn, "a\0b"), Vec::<i64>::new());
    }

    #[test]
    fn hostile_text_never_breaks_the_query() {
        let (_dir, conn) = temp_conn();
        raw_ticket(&conn, COMPANY_A, UMA, "Drucker druckt nicht", 0);
        for text in [
            "\"",
            "\"\"",
            "'",
            "''; DROP TABLE tickets; --",
            "NEAR(a b)",
            "a OR",
            "AND",
            "NOT x",
            "^x",
            "x:y",
            "body:x",
            "*",
            "x*",
            "(",
            ")",
            "{a b}",
            "-x",
            "+",
            "\\",
            "\0",
            "😀",
            "ünïcödé",
            "日本語",
            "a\u{200b}b",
            "%",
            "_",
            "?1",
            ":x",
            "$x",
        ] {
            search(&conn, text);
        }
        let long = "x ".repeat(5000);
        search(&conn, &long);
    }

    #[test]
    fn search_finds_titles_descriptions_public_posts_and_prefixes() {
        let (_dir, conn) = temp_conn();
        let a = raw_ticket(&conn, COMPANY_A, UMA, "Printer jams on tray two", 0);
        let b = raw_ticket(&conn, COMPANY_A, UMA, "VPN drops", 0);
        let c = raw_ticket(&conn, COMPANY_A, UMA, "Café menu", 0);
        let tom = Author {
            kind: AuthorKind::Staff,
            id: TOM,
            name: "Tom".into(),
        };
        timeline::append(
            &conn,
            b,
            &tom,
            Change::post(TimelineKind::Discussion, "replaced the router"),
            1,
        )
        .unwrap();
        timeline::append(
            &conn,
            a,
            &tom,
            Change::post(TimelineKind::InternalNote, "router secret"),
            1,
        )
        .unwrap();
        assert_eq!(search(&conn, "printer"), vec![a]);
        assert_eq!(search(&conn, "PRINT"), vec![a]);
        assert_eq!(search(&conn, "router"), vec![b]);
        assert_eq!(search(&conn, "secret"), Vec::<i64>::new());
        assert_eq!(search(&conn, "cafe"), vec![c]);
        assert_eq!(search(&conn, "jams tray"), vec![a]);
        assert_eq!(search(&conn, "jams vpn"), Vec::<i64>::new());
    }

    #[test]
    fn keyset_pages_cover_every_ticket_once_in_every_order() {
        let (_dir, conn) = temp_conn();
        for i in 0..37_i64 {
            let company = if i % 3 == 0 { COMPANY_B } else { COMPANY_A };
            let contact = if company == COMPANY_B {
                BOB
            } else {
                [ALICE, MARK, UMA][(i % 3) as usize]
            };
            let t = raw_ticket(
                &conn,
                company,
                contact,
                &format!("T{}", i % 5),
                i64::from(i % 4 == 0) * 7,
            );
            conn.execute(
                "UPDATE tickets SET priority = ?2, status = ?3, next_due_at = ?4 WHERE id = ?1",
                rusqlite::params![t, 1 + i % 5, 1 + i % 8, (i % 2 == 0).then_some(i % 6)],
            )
            .unwrap();
        }
        let sorts = [
            TicketSort::Number,
            TicketSort::Title,
            TicketSort::Status,
            TicketSort::Priority,
            TicketSort::Contact,
            TicketSort::Updated,
            TicketSort::Created,
            TicketSort::Company,
            TicketSort::NextDue,
        ];
        for sort in sorts {
            for descending in [false, true] {
                let mut seen = Vec::new();
                let mut cursor = None;
                loop {
                    let page = list(
                        &conn,
                        &CountsAt::unshared(),
                        &TicketScope::All,
                        &TicketFilter::default(),
                        sort,
                        descending,
                        cursor.as_ref(),
                        5,
                    )
                    .unwrap();
                    assert_eq!(page.total, 37);
                    seen.extend(page.tickets.iter().map(|t| t.number));
                    match page.next {
                        Some(c) => cursor = Some(c),
                        None => break,
                    }
                }
                let unique: HashSet<_> = seen.iter().collect();
                assert_eq!(
                    (seen.len(), unique.len()),
                    (37, 37),
                    "{sort:?} {descending}"
                );
            }
        }
    }

    #[test]
    fn scopes_and_filters_limit_the_list() {
        let (_dir, conn) = temp_conn();
        let mine = raw_ticket(&conn, COMPANY_A, UMA, "mine", 0);
        let colleague = raw_ticket(&conn, COMPANY_A, ALICE, "colleague", 0);
        let other = raw_ticket(&conn, COMPANY_B, BOB, "other", 0);
        let numbers = |scope: TicketScope, filter: TicketFilter| {
            list(
                &conn,
                &CountsAt::unshared(),
                &scope,
                &filter,
                TicketSort::Number,
                false,
                None,
                50,
            )
            .unwrap()
            .tickets
            .iter()
            .map(|t| t.number)
            .collect::<Vec<_>>()
        };
        let own = TicketScope::Own { contact_id: UMA };
        let company = TicketScope::Company {
            company_id: COMPANY_A,
            contact_id: MARK,
        };
        assert_eq!(numbers(own, TicketFilter::default()), vec![mine]);
        assert_eq!(
            numbers(company, TicketFilter::default()),
            vec![mine, colleague]
        );
        conn.execute(
            "INSERT INTO ticket_subscribers VALUES (?1, ?2)",
            [other, MARK],
        )
        .unwrap();
        assert_eq!(
            numbers(company, TicketFilter::default()),
            vec![mine, colleague, other]
        );
        conn.execute(
            "INSERT INTO ticket_subscribers VALUES (?1, ?2)",
            [colleague, UMA],
        )
        .unwrap();
        assert_eq!(numbers(own, TicketFilter::default()), vec![mine, colleague]);
        let filter = TicketFilter {
            contact_id: Some(ALICE),
            ..Default::default()
        };
        assert_eq!(numbers(TicketScope::All, filter), vec![colleague]);
        conn.execute("UPDATE tickets SET status = 5 WHERE id = ?1", [mine])
            .unwrap();
        let filter = TicketFilter {
            status_group: Some(StatusGroup::Completed),
            ..Default::default()
        };
        assert_eq!(numbers(TicketScope::All, filter), vec![mine]);
        let filter = TicketFilter {
            created: (Some(1), None),
            ..Default::default()
        };
        assert!(numbers(TicketScope::All, filter).is_empty());
        let filter = TicketFilter {
            unassigned: true,
            company_id: Some(COMPANY_B),
            ..Default::default()
        };
        assert_eq!(numbers(TicketScope::All, filter), vec![other]);
    }

    fn newest_first(
        conn: &Connection,
        scope: &TicketScope,
        text: &str,
        cursor: Option<&TicketCursor>,
        limit: usize,
    ) -> TicketPage {
        let filter = TicketFilter {
            text: match_query(text),
            ..Default::default()
        };
        list(
            conn,
            &CountsAt::unshared(),
            scope,
            &filter,
            TicketSort::Number,
            true,
            cursor,
            limit,
        )
        .unwrap()
    }

    #[test]
    fn search_pages_walk_newest_first_without_duplicates_or_gaps() {
        let (_dir, conn) = temp_conn();
        let tom = Author {
            kind: AuthorKind::Staff,
            id: TOM,
            name: "Tom".into(),
        };
        let mut expected = Vec::new();
        for i in 0..23_i64 {
            let title = if i % 3 == 0 { "printer down" } else { "other" };
            let t = raw_ticket(&conn, COMPANY_A, UMA, title, 0);
            // Several matching posts on some tickets, one on others.
            for _ in 0..(i % 4) {
                timeline::append(
                    &conn,
                    t,
                    &tom,
                    Change::post(TimelineKind::Discussion, "printer again"),
                    1,
                )
                .unwrap();
            }
            if i % 3 == 0 || i % 4 > 0 {
                expected.push(t);
            }
        }
        expected.reverse();
        for scope in [
            TicketScope::All,
            TicketScope::Own { contact_id: UMA },
            TicketScope::Company {
                company_id: COMPANY_A,
                contact_id: MARK,
            },
        ] {
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = newest_first(&conn, &scope, "printer", cursor.as_ref(), 4);
                assert_eq!(page.total, expected.len() as u64);
                assert!(!page.total_is_lower_bound);
                seen.extend(page.tickets.iter().map(|t| t.number));
                match page.next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            assert_eq!(seen, expected, "{scope:?}");
        }
        // Another company's scope sees none of them.
        let other = TicketScope::Company {
            company_id: COMPANY_B,
            contact_id: BOB,
        };
        assert!(
            newest_first(&conn, &other, "printer", None, 4)
                .tickets
                .is_empty()
        );
        // The matches are read from the index in order, not sorted.
        let cursor = TicketCursor {
            sort: TicketSort::Number,
            descending: true,
            value: SortValue::Int(10),
            id: 10,
        };
        newest_first(&conn, &TicketScope::All, "printer", Some(&cursor), 4);
        let plan = plan::last();
        assert!(plan.starts_with("SCAN s VIRTUAL TABLE"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    #[test]
    fn a_search_counts_up_to_the_cap() {
        let (_dir, conn) = temp_conn();
        conn.execute_batch("BEGIN").unwrap();
        for _ in 0..=SEARCH_COUNT_CAP {
            raw_ticket(&conn, COMPANY_A, UMA, "printer", 0);
        }
        raw_ticket(&conn, COMPANY_A, UMA, "scanner", 0);
        conn.execute_batch("COMMIT").unwrap();
        let page = newest_first(&conn, &TicketScope::All, "printer", None, 50);
        assert_eq!(
            (page.total, page.total_is_lower_bound, page.tickets.len()),
            (SEARCH_COUNT_CAP as u64, true, 50)
        );
        // Past the cap the pages still walk every match, newest first.
        let (mut seen, mut cursor) = (Vec::new(), None);
        loop {
            let page = newest_first(&conn, &TicketScope::All, "printer", cursor.as_ref(), 400);
            seen.extend(page.tickets.iter().map(|t| t.number));
            let Some(next) = page.next else { break };
            cursor = Some(next);
        }
        assert_eq!(seen.len(), SEARCH_COUNT_CAP + 1);
        assert!(seen.windows(2).all(|w| w[0] > w[1]));
        let page = newest_first(&conn, &TicketScope::All, "scanner", None, 50);
        assert_eq!((page.total, page.total_is_lower_bound), (1, false));
        // Other orders and narrow scopes cap the same way.
        let filter = TicketFilter {
            text: match_query("printer"),
            ..Default::default()
        };
        for scope in [TicketScope::All, TicketScope::Own { contact_id: UMA }] {
            let page = list(
                &conn,
                &CountsAt::unshared(),
                &scope,
                &filter,
                TicketSort::Title,
                false,
                None,
                5,
            )
            .unwrap();
            assert_eq!(
                (page.total, page.total_is_lower_bound),
                (SEARCH_COUNT_CAP as u64, true)
            );
        }
    }

    #[test]
    fn the_index_follows_title_changes_and_never_holds_internal_notes() {
        let (_dir, conn) = temp_conn();
        let t = raw_ticket(&conn, COMPANY_A, UMA, "printer", 0);
        conn.execute("UPDATE tickets SET title = 'scanner' WHERE id = ?1", [t])
            .unwrap();
        assert_eq!(search(&conn, "printer"), Vec::<i64>::new());
        assert_eq!(search(&conn, "scanner"), vec![t]);
        let tom = Author {
            kind: AuthorKind::Staff,
            id: TOM,
            name: "Tom".into(),
        };
        for (kind, body) in [
            (TimelineKind::Discussion, "one"),
            (TimelineKind::InternalNote, "secret"),
            (TimelineKind::Resolution, "two"),
        ] {
            timeline::append(&conn, t, &tom, Change::post(kind, body), 1).unwrap();
        }
        let rowids: Vec<i64> = conn
            .prepare("SELECT rowid FROM ticket_search ORDER BY rowid")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        // Title and description, then the posts under their entry ids.
        assert_eq!(rowids, vec![t << 20, (t << 20) + 1, (t << 20) + 3]);
        assert_eq!(search(&conn, "secret"), Vec::<i64>::new());
        assert_eq!(search(&conn, "two"), vec![t]);
    }

    #[test]
    fn a_full_timeline_refuses_more_and_leaves_the_next_ticket_alone() {
        let (_dir, conn) = temp_conn();
        let t = raw_ticket(&conn, COMPANY_A, UMA, "printer", 0);
        let next = raw_ticket(&conn, COMPANY_A, UMA, "scanner", 0);
        conn.execute(
            "INSERT INTO timeline (id, ticket_id, kind, at, author_kind, author_name)
             VALUES ((?1 << 20) + 1048575, ?1, 3, 0, 'system', '')",
            [t],
        )
        .unwrap();
        let tom = Author {
            kind: AuthorKind::Staff,
            id: TOM,
            name: "Tom".into(),
        };
        let err = timeline::append(
            &conn,
            t,
            &tom,
            Change::post(TimelineKind::Discussion, "x"),
            1,
        )
        .unwrap_err();
        assert!(matches!(err, StoreError::FailedPrecondition(_)), "{err:?}");
        // The schema itself keeps entries inside their ticket's range.
        assert!(
            conn.execute(
                "INSERT INTO timeline (id, ticket_id, kind, at, author_kind, author_name)
                 VALUES (?1 << 20, ?2, 1, 0, 'system', '')",
                [next, t],
            )
            .is_err()
        );
        timeline::append(
            &conn,
            next,
            &tom,
            Change::post(TimelineKind::Discussion, "y"),
            1,
        )
        .unwrap();
    }

    #[test]
    fn a_cursor_of_another_sort_is_refused() {
        let (_dir, conn) = temp_conn();
        let cursor = TicketCursor {
            sort: TicketSort::Title,
            descending: false,
            value: SortValue::Int(3),
            id: 1,
        };
        let err = list(
            &conn,
            &CountsAt::unshared(),
            &TicketScope::All,
            &TicketFilter::default(),
            TicketSort::Title,
            false,
            Some(&cursor),
            5,
        )
        .unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }));
        let err = list(
            &conn,
            &CountsAt::unshared(),
            &TicketScope::All,
            &TicketFilter::default(),
            TicketSort::Number,
            false,
            Some(&cursor),
            5,
        )
        .unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }));
    }

    #[test]
    fn common_pages_are_served_by_indexes() {
        let (_dir, conn) = temp_conn();
        let page = |scope: TicketScope, filter: TicketFilter, sort: TicketSort| {
            let first = list(
                &conn,
                &CountsAt::unshared(),
                &scope,
                &filter,
                sort,
                true,
                None,
                50,
            )
            .unwrap();
            assert!(first.next.is_none());
            let cursor = TicketCursor {
                sort,
                descending: true,
                value: SortValue::Int(5),
                id: 9,
            };
            list(
                &conn,
                &CountsAt::unshared(),
                &scope,
                &filter,
                sort,
                true,
                Some(&cursor),
                50,
            )
            .unwrap();
            plan::last()
        };
        let open = TicketFilter {
            status_group: Some(StatusGroup::Open),
            ..Default::default()
        };
        let staff_company = TicketFilter {
            company_id: Some(COMPANY_A),
            ..open.clone()
        };
        let manager = TicketScope::Company {
            company_id: COMPANY_A,
            contact_id: MARK,
        };
        for (name, plan) in [
            (
                "staff, company + open by updated",
                page(TicketScope::All, staff_company, TicketSort::Updated),
            ),
            (
                "manager, open by updated",
                page(manager, open.clone(), TicketSort::Updated),
            ),
            (
                "triage by next deadline",
                page(TicketScope::All, open.clone(), TicketSort::NextDue),
            ),
            (
                "triage, breached only",
                page(
                    TicketScope::All,
                    TicketFilter {
                        breached_at: Some(1_000),
                        ..open.clone()
                    },
                    TicketSort::NextDue,
                ),
            ),
            (
                "all by updated",
                page(
                    TicketScope::All,
                    TicketFilter::default(),
                    TicketSort::Updated,
                ),
            ),
        ] {
            println!("{name}:\n{plan}\n");
            assert!(!plan.contains("TEMP B-TREE"), "{name} sorts:\n{plan}");
            assert!(!plan.contains("SCAN t"), "{name} scans:\n{plan}");
        }
        // A User's own and followed tickets are found by contact, then sorted.
        let plan = page(
            TicketScope::Own { contact_id: UMA },
            open.clone(),
            TicketSort::Updated,
        );
        assert!(
            plan.starts_with("SEARCH t USING INTEGER PRIMARY KEY"),
            "user:\n{plan}"
        );
        // A Manager following a ticket elsewhere: the company's tickets by
        // index, plus the followed ones by id.
        let elsewhere = raw_ticket(&conn, COMPANY_B, BOB, "b", 0);
        conn.execute(
            "INSERT INTO ticket_subscribers VALUES (?1, ?2)",
            [elsewhere, MARK],
        )
        .unwrap();
        let plan = page(manager, open.clone(), TicketSort::Updated);
        println!("manager following elsewhere:\n{plan}");
        assert!(!plan.contains("SCAN t"), "manager scans:\n{plan}");
        // A search starts from the matches and sorts only those.
        let text = TicketFilter {
            text: match_query("printer"),
            ..Default::default()
        };
        let plan = page(TicketScope::All, text, TicketSort::Updated);
        assert!(
            plan.starts_with("SEARCH t USING INTEGER PRIMARY KEY"),
            "{plan}"
        );
    }
}

#[cfg(test)]
mod properties;
