//! What the benchmarks ask for, chosen from the store itself: the companies
//! whose open tickets fill a page, and search terms of every kind drawn
//! from the tickets' own text.

use std::collections::{BTreeMap, BTreeSet};

use portal_server::domain::TicketStatus;
use portal_server::store::Store;
use rand::Rng;
use rand::seq::SliceRandom;

/// A page holds this many tickets.
pub const PAGE: u32 = 50;

/// A company with at least a page of open tickets.
#[derive(Clone, Copy)]
pub struct FullCompany {
    pub id: i64,
    /// Its Manager's contact id.
    pub manager: i64,
}

/// Search terms of one kind.
pub struct TermClass {
    pub name: &'static str,
    /// How often its terms occur, for the report.
    pub note: String,
    pub terms: Vec<String>,
}

pub struct Workload {
    pub max_number: i64,
    pub full: Vec<FullCompany>,
    pub terms: Vec<TermClass>,
}

impl Workload {
    /// Reads the store (`per_class` search terms of each kind) and prints
    /// what was chosen.
    pub async fn choose(store: &Store, per_class: usize) -> anyhow::Result<Self> {
        let open: Vec<String> = TicketStatus::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| (*s as i64).to_string())
            .collect();
        let (tickets, max_number, open_total, companies, full) = store
            .read(move |conn| {
                let (tickets, max_number): (i64, i64) = conn.query_row(
                    "SELECT count(*), ifnull(max(id), 0) FROM tickets",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let mut stmt = conn.prepare(&format!(
                    "SELECT t.company_id, count(*),
                        (SELECT min(c.id) FROM contacts c
                         WHERE c.company_id = t.company_id AND c.access = 'manager')
                     FROM tickets t WHERE t.status IN ({}) GROUP BY t.company_id",
                    open.join(",")
                ))?;
                let rows = stmt
                    .query_map([], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get(2)?))
                    })?
                    .collect::<Result<Vec<(i64, i64, Option<i64>)>, _>>()?;
                let open_total: i64 = rows.iter().map(|r| r.1).sum();
                let companies = rows.len();
                let full: Vec<FullCompany> = rows
                    .into_iter()
                    .filter(|r| r.1 >= i64::from(PAGE))
                    .filter_map(|(id, _, manager)| {
                        Some(FullCompany {
                            id,
                            manager: manager?,
                        })
                    })
                    .collect();
                Ok((tickets, max_number, open_total, companies, full))
            })
            .await?;
        println!(
            "store: {tickets} tickets (newest #{max_number}), {open_total} open in {companies} companies, \
             {} of which (with a Manager) have a page of {PAGE} open: their pages are the ones measured",
            full.len()
        );
        anyhow::ensure!(
            !full.is_empty(),
            "no company with a Manager has {PAGE} open tickets: the page figures need full pages"
        );
        let terms = store
            .read(move |conn| Ok(draw_terms(conn, max_number, per_class)?))
            .await?;
        let distinct: BTreeSet<&String> = terms.iter().flat_map(|c| &c.terms).collect();
        println!(
            "search terms: {} distinct, drawn from the tickets' text",
            distinct.len()
        );
        for class in &terms {
            println!(
                "  {}: {} terms, {}",
                class.name,
                class.terms.len(),
                class.note
            );
        }
        Ok(Self {
            max_number,
            full,
            terms,
        })
    }

    pub fn company(&self) -> FullCompany {
        self.full[rand::thread_rng().gen_range(0..self.full.len())]
    }
}

/// Words as the index's tokenizer (unicode61) sees them: runs of letters
/// and digits, lower-cased.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Search terms drawn from the text of randomly chosen tickets:
/// - rare: the words found in the fewest index rows;
/// - common: the words found in the most;
/// - multi-word: two neighbouring words of a title;
/// - prefix: the first half (at least 3 letters) of a word of 5 or more.
///
/// How many index rows hold a word comes from the index itself
/// (`fts5vocab`).
fn draw_terms(
    conn: &rusqlite::Connection,
    max_number: i64,
    per_class: usize,
) -> Result<Vec<TermClass>, rusqlite::Error> {
    conn.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab
         USING fts5vocab(main, 'ticket_search', 'row')",
    )?;
    let mut rng = rand::thread_rng();
    let mut stmt = conn.prepare("SELECT title, description FROM tickets WHERE id = ?1")?;
    let mut single = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    let mut prefixes = BTreeSet::new();
    // Enough tickets that the rarest words (identifiers, in about a third
    // of them) fill their kind several times over.
    for _ in 0..per_class * 10 {
        let id = rng.gen_range(1001..=max_number.max(1001));
        let Ok((title, description)) = stmt.query_row([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        }) else {
            continue;
        };
        let title_words: Vec<String> = words(&title).collect();
        for pair in title_words.windows(2) {
            pairs.insert(pair.join(" "));
        }
        for w in title_words.into_iter().chain(words(&description)) {
            let letters = w.chars().count();
            if letters >= 5 && w.chars().all(char::is_alphabetic) {
                prefixes.insert(w.chars().take((letters / 2).max(3)).collect::<String>());
            }
            single.insert(w);
        }
    }
    let mut vocab = conn.prepare("SELECT doc FROM temp.bench_vocab WHERE term = ?1")?;
    let mut by_rows: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for w in single {
        let rows: i64 = vocab.query_row([&w], |r| r.get(0)).unwrap_or(0);
        if rows > 0 {
            by_rows.entry(rows).or_default().push(w);
        }
    }
    let ranked: Vec<(i64, String)> = by_rows
        .into_iter()
        .flat_map(|(rows, ws)| ws.into_iter().map(move |w| (rows, w)))
        .collect();
    let band = |terms: &[(i64, String)]| TermClass {
        name: "",
        note: match (terms.first(), terms.last()) {
            (Some(lo), Some(hi)) => format!("each in {}–{} index rows", lo.0, hi.0),
            _ => "none found".to_owned(),
        },
        terms: terms.iter().map(|t| t.1.clone()).collect(),
    };
    let rare = band(&ranked[..per_class.min(ranked.len())]);
    let common = band(&ranked[ranked.len().saturating_sub(per_class)..]);
    let mut pick = |set: BTreeSet<String>| {
        let mut all: Vec<String> = set.into_iter().collect();
        all.shuffle(&mut rng);
        all.truncate(per_class);
        all
    };
    Ok(vec![
        TermClass {
            name: "rare",
            ..rare
        },
        TermClass {
            name: "common",
            ..common
        },
        TermClass {
            name: "multi-word",
            note: "two neighbouring words of a title".to_owned(),
            terms: pick(pairs),
        },
        TermClass {
            name: "prefix",
            note: "the first half of a word, at least 3 letters".to_owned(),
            terms: pick(prefixes),
        },
    ])
}
