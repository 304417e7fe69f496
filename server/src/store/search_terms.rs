//! The words of the ticket search index, kept in memory, so that the word a
//! user is still typing (matched as a prefix) is looked up as the whole
//! words it starts (docs/TICKETS.md, "Search").
//!
//! FTS5 answers a prefix by merging the full match lists of every word the
//! prefix starts before it yields a first row: a fifth of a second for
//! "the" over a million tickets, whatever the page. An OR of whole words is
//! read lazily, newest first, and stops with the page.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::{Mutex, PoisonError};

use rusqlite::Connection;

use super::Result;
use super::ticket_list::SearchText;

/// The index's tokenizer (`ticket_search`, migration 0017): the words of new
/// text are split and folded here exactly as the index splits them.
const TOKENIZER: &str = "unicode61 remove_diacritics 2";

/// A prefix starting more words than this is left to FTS5's own prefix
/// match: an OR of that many words costs as much.
const MAX_COMPLETIONS: usize = 200;

/// Prefixes up to this many characters have an index of their own
/// (`prefix = '1 2'`, migration 0017), which FTS5 reads lazily: they start
/// too many words to name them all.
const INDEXED_PREFIX: usize = 2;

/// Loaded on first use (or `warm`), then caught up with new tickets and
/// posts before each search.
#[derive(Default)]
pub struct SearchTerms {
    words: Mutex<Option<WordList>>,
}

impl SearchTerms {
    /// Loads the index's words now, off the request path (at start).
    pub fn warm(&self, conn: &Connection) -> Result<()> {
        let mut words = self.words.lock().unwrap_or_else(PoisonError::into_inner);
        if words.is_none() {
            *words = Some(WordList::load(conn)?);
        }
        Ok(())
    }

    /// The FTS5 query for `search` on `conn`'s snapshot: its last term, when
    /// it is one word, becomes the whole words in the index it starts.
    pub fn query(&self, conn: &Connection, search: &SearchText) -> Result<String> {
        let mut words = self.words.lock().unwrap_or_else(PoisonError::into_inner);
        let words = match &mut *words {
            Some(words) => words,
            empty => empty.insert(WordList::load(conn)?),
        };
        words.catch_up(conn)?;
        // The expanded form joins its terms with AND, and FTS5 reads a term
        // with no word in it (a lone combining mark) joined so as matching
        // nothing: such terms go first. Typed alone, nothing can find them.
        let mut each = search
            .terms()
            .map(|term| words.tokenizer.words([term]))
            .collect::<Result<Vec<Vec<String>>>>()?;
        let kept: Vec<bool> = each.iter().map(|w| !w.is_empty()).collect();
        let Some(search) = search.only(&kept) else {
            return Ok(search.native());
        };
        // The last kept term's words: the last non-empty list.
        each.retain(|w| !w.is_empty());
        let last = each.pop().unwrap_or_default();
        let Ok([word]) = <[String; 1]>::try_from(last) else {
            // Several words in one term ("e-mail"): a phrase, left to FTS5.
            return Ok(search.native());
        };
        if word.chars().count() <= INDEXED_PREFIX {
            return Ok(search.native());
        }
        let completions: Vec<&str> = words
            .words
            .range::<str, _>((Bound::Included(word.as_str()), Bound::Unbounded))
            .map(AsRef::as_ref)
            .take_while(|w: &&str| w.starts_with(word.as_str()))
            .take(MAX_COMPLETIONS + 1)
            .collect();
        Ok(match completions.len() {
            0 => search.with_last(&[&word]),
            n if n > MAX_COMPLETIONS => search.native(),
            _ => search.with_last(&completions),
        })
    }
}

struct WordList {
    words: BTreeSet<Box<str>>,
    /// The last ticket and timeline entry whose words are in `words`.
    tickets_to: i64,
    timeline_to: i64,
    tokenizer: Tokenizer,
}

impl WordList {
    /// Every word of the index as of `conn`'s snapshot.
    fn load(conn: &Connection) -> Result<Self> {
        let (tickets_to, timeline_to) = last_ids(conn)?;
        conn.execute_batch(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.ticket_search_words
             USING fts5vocab (main, ticket_search, row)",
        )?;
        let words = conn
            .prepare("SELECT term FROM temp.ticket_search_words")?
            .query_map([], |r| r.get::<_, String>(0).map(Box::from))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Self {
            words,
            tickets_to,
            timeline_to,
            tokenizer: Tokenizer::new()?,
        })
    }

    /// Adds the words of the tickets and posts indexed since the last look
    /// (the text the index's triggers take). Tickets' titles and
    /// descriptions never change once written, and a snapshot older than the
    /// last look has nothing new.
    fn catch_up(&mut self, conn: &Connection) -> Result<()> {
        let (tickets_to, timeline_to) = last_ids(conn)?;
        let mut texts = Vec::new();
        for (sql, from, to) in [
            (
                "SELECT title || char(10) || description FROM tickets WHERE id > ?1 AND id <= ?2",
                self.tickets_to,
                tickets_to,
            ),
            (
                "SELECT body FROM timeline WHERE id > ?1 AND id <= ?2 AND kind IN (1, 2)",
                self.timeline_to,
                timeline_to,
            ),
        ] {
            if to > from {
                let mut stmt = conn.prepare_cached(sql)?;
                let rows = stmt.query_map([from, to], |r| r.get::<_, String>(0))?;
                for text in rows {
                    texts.push(text?);
                }
            }
        }
        if texts.is_empty() {
            return Ok(());
        }
        self.words
            .extend(self.tokenizer.words(texts)?.into_iter().map(Box::from));
        self.tickets_to = self.tickets_to.max(tickets_to);
        self.timeline_to = self.timeline_to.max(timeline_to);
        Ok(())
    }
}

fn last_ids(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn.prepare_cached(
        "SELECT coalesce((SELECT max(id) FROM tickets), 0), coalesce((SELECT max(id) FROM timeline), 0)",
    )?
    .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The index's own tokenizer, on a table in memory: text goes in, its
/// words come out.
pub(super) struct Tokenizer(Connection);

impl Tokenizer {
    pub(super) fn new() -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE text USING fts5 (body, tokenize = '{TOKENIZER}');
             CREATE VIRTUAL TABLE found USING fts5vocab (text, instance);"
        ))?;
        Ok(Self(conn))
    }

    /// The words of `texts`, once for each time they occur.
    pub(super) fn words<S: AsRef<str>>(
        &self,
        texts: impl IntoIterator<Item = S>,
    ) -> Result<Vec<String>> {
        let tx = self.0.unchecked_transaction()?;
        {
            let mut insert = tx.prepare_cached("INSERT INTO text (body) VALUES (?1)")?;
            for text in texts {
                insert.execute([text.as_ref()])?;
            }
        }
        let words = tx
            .prepare_cached("SELECT term FROM found")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute("DELETE FROM text", [])?;
        tx.commit()?;
        Ok(words)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rusqlite::Connection;

    use super::*;
    use crate::domain::tickets::{Author, AuthorKind, TimelineKind};
    use crate::store::testing::*;
    use crate::store::timeline::{self, Change};

    /// The tickets `fts` matches, by FTS5 itself.
    fn found(conn: &Connection, fts: &str) -> Vec<i64> {
        let mut ids: Vec<i64> = conn
            .prepare("SELECT rowid >> 20 FROM ticket_search WHERE ticket_search MATCH ?1")
            .unwrap()
            .query_map([fts], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// What the expanded query finds is what FTS5's own prefix finds.
    fn same_as_fts5(conn: &Connection, terms: &SearchTerms, text: &str) -> String {
        let search = SearchText::parse(text).unwrap();
        let query = terms.query(conn, &search).unwrap();
        assert_eq!(
            found(conn, &query),
            found(conn, &search.native()),
            "{text}: {query}"
        );
        query
    }

    fn post(conn: &Connection, ticket: i64, kind: TimelineKind, body: &str) {
        let tom = Author {
            kind: AuthorKind::Staff,
            id: TOM,
            name: "Tom".into(),
        };
        timeline::append(conn, ticket, &tom, Change::post(kind, body), 1).unwrap();
    }

    #[test]
    fn the_tokenizer_is_the_index_one() {
        let (_dir, conn) = temp_conn();
        let sql: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'ticket_search'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(sql.contains(&format!("tokenize = '{TOKENIZER}'")), "{sql}");
        let tokenizer = Tokenizer::new().unwrap();
        let mut words = tokenizer.words(["Résumé e-mail ÉCOLE"]).unwrap();
        words.sort();
        assert_eq!(words, ["e", "ecole", "mail", "resume"]);
        assert!(tokenizer.words(["— ?! …"]).unwrap().is_empty());
    }

    #[test]
    fn the_last_word_becomes_the_words_it_starts_and_follows_new_text() {
        let (_dir, conn) = temp_conn();
        let a = raw_ticket(&conn, COMPANY_A, ALICE, "Printer jams in the Café", 1);
        let terms = SearchTerms::default();
        terms.warm(&conn).unwrap();
        // Written after the words were loaded: found all the same.
        let b = raw_ticket(&conn, COMPANY_A, ALICE, "Printing the payroll", 2);
        post(
            &conn,
            a,
            TimelineKind::Discussion,
            "the printhead was replaced",
        );
        post(&conn, b, TimelineKind::InternalNote, "printservice secret");

        let query = same_as_fts5(&conn, &terms, "print");
        assert_eq!(query, r#"("printer" OR "printhead" OR "printing")"#);
        assert_eq!(found(&conn, &query), [a, b]);
        assert_eq!(
            same_as_fts5(&conn, &terms, "jams PRINTE"),
            r#""jams" AND ("printer")"#
        );
        assert_eq!(same_as_fts5(&conn, &terms, "cafe"), r#"("cafe")"#);
        // No word starts so: the query still names the word, and finds nothing.
        assert_eq!(
            same_as_fts5(&conn, &terms, "printservice"),
            r#"("printservice")"#
        );
        // Two words in one term stay a phrase for FTS5.
        assert_eq!(
            same_as_fts5(&conn, &terms, "in the-pay"),
            r#""in" "the-pay" *"#
        );
        // A term with no word in it (a lone combining mark) is dropped: joined
        // by AND it would match nothing.
        assert_eq!(
            same_as_fts5(&conn, &terms, "\u{16f51} jams prin"),
            r#""jams" AND ("printer" OR "printhead" OR "printing")"#
        );
        assert!(found(&conn, &same_as_fts5(&conn, &terms, "\u{16f51}")).is_empty());
    }

    #[test]
    fn short_prefixes_and_those_of_too_many_words_are_left_to_fts5() {
        let (_dir, conn) = temp_conn();
        let words: Vec<String> = (0..=MAX_COMPLETIONS)
            .map(|i| format!("wxy{i:04}"))
            .collect();
        raw_ticket(&conn, COMPANY_A, ALICE, &words.join(" "), 1);
        let terms = SearchTerms::default();
        assert_eq!(same_as_fts5(&conn, &terms, "wxy"), r#""wxy" *"#);
        assert_eq!(
            same_as_fts5(&conn, &terms, "wxy000"),
            r#"("wxy0000" OR "wxy0001" OR "wxy0002" OR "wxy0003" OR "wxy0004" OR "wxy0005" OR "wxy0006" OR "wxy0007" OR "wxy0008" OR "wxy0009")"#
        );
        // One or two letters: the index's own prefixes answer.
        assert_eq!(same_as_fts5(&conn, &terms, "w"), r#""w" *"#);
        assert_eq!(
            same_as_fts5(&conn, &terms, "wxy0000 Wx"),
            r#""wxy0000" "Wx" *"#
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// For any text in the index and any search, loaded before or
        /// after the text was written, the expanded query finds exactly
        /// the tickets FTS5's own prefix match finds.
        #[test]
        fn expanding_the_prefix_finds_what_fts5_finds(
            before in prop::collection::vec("[a-cé ]{0,12}", 0..6),
            after in prop::collection::vec("[a-cé ]{0,12}", 0..6),
            search in "[a-cA-CÉé -]{1,8}",
        ) {
            let (_dir, conn) = temp_conn();
            let terms = SearchTerms::default();
            for (i, title) in before.iter().enumerate() {
                raw_ticket(&conn, COMPANY_A, ALICE, title, i as i64);
            }
            terms.warm(&conn).unwrap();
            for (i, title) in after.iter().enumerate() {
                let t = raw_ticket(&conn, COMPANY_A, ALICE, title, i as i64);
                post(&conn, t, TimelineKind::Discussion, &title.to_uppercase());
            }
            if SearchText::parse(&search).is_some() {
                same_as_fts5(&conn, &terms, &search);
            }
        }
    }
}
