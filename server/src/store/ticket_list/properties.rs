//! Properties of ticket lists: keyset paging under concurrent inserts, and
//! the full-text query sanitiser against FTS5 itself.

use std::collections::HashSet;

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use rusqlite::{Connection, params};

use super::{CountsAt, SearchText, list, match_query};
use crate::domain::TicketScope;
use crate::domain::tickets::{TicketCursor, TicketFilter, TicketSort};
use crate::store::search_terms::{SearchTerms, Tokenizer};
use crate::store::testing::{ALICE, BOB, COMPANY_A, COMPANY_B, MARK, UMA, temp_conn};

/// A ticket as the writer inserts it: few distinct values, so sort keys tie.
#[derive(Debug, Clone)]
struct Row {
    company_b: bool,
    contact: usize,
    title: &'static str,
    status: i64,
    priority: i64,
    created: i64,
    updated: i64,
    next_due: Option<i64>,
}

const TITLES: [&str; 6] = [
    "printer",
    "Printer",
    "PRINTER jam",
    "vpn",
    "",
    "Zebra printer",
];
const SORTS: [TicketSort; 9] = [
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

fn row() -> impl Strategy<Value = Row> {
    (
        (
            any::<bool>(),
            0..3_usize,
            prop::sample::select(TITLES.to_vec()),
        ),
        (1..9_i64, 1..6_i64, 0..4_i64, 0..4_i64),
        prop::option::of(0..3_i64),
    )
        .prop_map(
            |((company_b, contact, title), (status, priority, created, updated), next_due)| Row {
                company_b,
                contact,
                title,
                status,
                priority,
                created,
                updated,
                next_due,
            },
        )
}

fn insert(conn: &Connection, r: &Row) -> i64 {
    let (company, contacts) = if r.company_b {
        (COMPANY_B, [BOB, BOB, BOB])
    } else {
        (COMPANY_A, [ALICE, MARK, UMA])
    };
    conn.execute(
        "INSERT INTO tickets (company_id, contact_id, service_type_id, title, description,
           priority, status, created_at, updated_at, next_due_at)
         VALUES (?1, ?2, 1, ?3, 'text', ?4, ?5, ?6, ?7, ?8)",
        params![
            company,
            contacts[r.contact],
            r.title,
            r.priority,
            r.status,
            r.created,
            r.updated,
            r.next_due
        ],
    )
    .expect("insert a ticket");
    conn.last_insert_rowid()
}

/// The ids `scope` and `filter` list, read in one go.
fn all_ids(conn: &Connection, scope: &TicketScope, filter: &TicketFilter) -> HashSet<i64> {
    let page = list(
        conn,
        &CountsAt::unshared(),
        scope,
        filter,
        TicketSort::Number,
        false,
        None,
        10_000,
    )
    .expect("list everything");
    page.tickets.iter().map(|t| t.number).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A reader pages through a list while a writer (another connection to
    /// the same store file) inserts tickets between its pages: every
    /// ticket there at the start is listed exactly once, and no ticket is
    /// listed twice, in every sort order, both directions, with and
    /// without a search.
    #[test]
    fn paging_under_inserts_never_skips_or_repeats(
        before in prop::collection::vec(row(), 0..30),
        inserts in prop::collection::vec(prop::collection::vec(row(), 0..4), 0..30),
        sort in prop::sample::select(SORTS.to_vec()),
        descending in any::<bool>(),
        company in any::<bool>(),
        search in any::<bool>(),
        limit in 1..7_usize,
    ) {
        let (dir, writer) = temp_conn();
        writer.pragma_update(None, "journal_mode", "WAL").expect("WAL");
        let reader = Connection::open(dir.path().join("t.db")).expect("open the store again");
        for r in &before {
            insert(&writer, r);
        }
        let scope = if company {
            TicketScope::Company { company_id: COMPANY_A, contact_id: MARK }
        } else {
            TicketScope::All
        };
        let filter = TicketFilter {
            text: search.then(|| match_query("printer")).flatten(),
            ..TicketFilter::default()
        };
        let at_start = all_ids(&reader, &scope, &filter);
        let mut seen = Vec::new();
        let mut cursor: Option<TicketCursor> = None;
        let mut writes = inserts.iter();
        for _ in 0..1_000 {
            let page = list(
                &reader,
                &CountsAt::unshared(),
                &scope,
                &filter,
                sort,
                descending,
                cursor.as_ref(),
                limit,
            )
            .expect("a page");
            seen.extend(page.tickets.iter().map(|t| t.number));
            let Some(next) = page.next else { break };
            cursor = Some(next);
            for r in writes.next().into_iter().flatten() {
                insert(&writer, r);
            }
        }
        let unique: HashSet<i64> = seen.iter().copied().collect();
        prop_assert_eq!(unique.len(), seen.len(), "a ticket listed twice: {:?}", seen);
        let missed: Vec<_> = at_start.difference(&unique).collect();
        prop_assert!(missed.is_empty(), "skipped {:?} of {:?}", missed, seen);
    }
}

/// Pieces of what people type: words, FTS5 syntax, SQL, punctuation and
/// any character at all.
fn typed() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "printer",
            "Drucker",
            "café",
            "naïve",
            "日本語",
            "AND",
            "OR",
            "NOT",
            "NEAR",
            "NEAR(a b)",
            "\"",
            "*",
            "^",
            ":",
            "(",
            ")",
            "{",
            "}",
            "+",
            "-",
            "'",
            ";",
            "--",
            "\0",
            "\u{200b}",
            "\u{301}",
            "e\u{301}",
            "x̧",
            "😀",
            "١٢٣",
            "ǅ",
            "ß",
            "\u{16f51}",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z0-9]{1,12}",
        any::<char>().prop_map(String::from),
        "[a-z]{95,110}",
    ];
    let sep = prop::sample::select(vec!["", " ", "  ", "\t", "\n", "-", "."]);
    prop::collection::vec((piece, sep), 0..24)
        .prop_map(|parts| parts.into_iter().map(|(p, s)| p + s).collect())
}

/// Whatever is typed, the sanitised query is one FTS5 accepts, and typing
/// a ticket's own title finds that ticket: in FTS5's own form and with the
/// last word expanded from the index's words (`SearchTerms`). A title the
/// index keeps no word of (a lone combining mark such as U+16F51, which
/// Rust calls alphabetic and FTS5 a separator) can be found by nothing, and
/// its query finds nothing rather than everything.
#[test]
fn any_text_is_a_valid_query_that_finds_its_own_words() {
    let (_dir, conn) = temp_conn();
    let terms = SearchTerms::default();
    let tokenizer = Tokenizer::new().expect("the index's tokenizer");
    let mut runner = TestRunner::new(ProptestConfig::with_cases(512));
    let result = runner.run(&typed(), |text| {
        conn.execute(
            "INSERT INTO tickets (company_id, contact_id, service_type_id, title, description,
               priority, status, created_at, updated_at)
             VALUES (?1, ?2, 1, ?3, '', 3, 1, 0, 0)",
            params![COMPANY_A, UMA, text],
        )
        .expect("insert a ticket");
        let id = conn.last_insert_rowid();
        let Some(search) = SearchText::parse(&text) else {
            // Nothing searchable: no letter or digit anywhere.
            prop_assert!(!text.chars().any(char::is_alphanumeric), "{:?}", text);
            return Ok(());
        };
        let expanded = terms
            .query(&conn, &search)
            .map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        // The words of the query's own phrases (its quotes and stars are
        // not words).
        let indexed = !tokenizer
            .words([search.native()])
            .map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?
            .is_empty();
        for q in [search.native(), expanded] {
            let found = conn
                .prepare_cached(
                    "SELECT rowid >> 20 FROM ticket_search WHERE ticket_search MATCH ?1",
                )
                .and_then(|mut s| {
                    s.query_map([&q], |r| r.get(0))?
                        .collect::<rusqlite::Result<Vec<i64>>>()
                })
                .map_err(|e| TestCaseError::fail(format!("{q:?} from {text:?}: {e}")))?;
            if indexed {
                prop_assert!(found.contains(&id), "{:?} from {:?}", q, text);
            } else {
                prop_assert!(
                    found.is_empty(),
                    "{:?} from {:?} found {:?}",
                    q,
                    text,
                    found
                );
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
