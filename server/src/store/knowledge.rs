//! The knowledge library (docs/KNOWLEDGE.md): articles and their full-text
//! search (`article_search`, kept by the table's triggers).

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::{Result, StoreError, ticket_list};
use crate::domain::knowledge::{Article, ArticleScope, ArticleText};

const SELECT: &str = "SELECT a.id, a.title, a.body, a.company_id, coalesce(c.name, ''),
        a.author_id, a.author_name, a.created_at, a.updated_at, a.archived_at
    FROM articles a
    LEFT JOIN companies c ON c.id = a.company_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Article> {
    Ok(Article {
        id: r.get(0)?,
        title: r.get(1)?,
        body: r.get(2)?,
        company_id: r.get(3)?,
        company_name: r.get(4)?,
        author_id: r.get(5)?,
        author_name: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        archived_at: r.get(9)?,
    })
}

/// A company named for an article must exist; the error names `field`.
fn check_company(conn: &Connection, company_id: Option<i64>, field: &str) -> Result<()> {
    if let Some(id) = company_id {
        let exists = conn
            .prepare_cached("SELECT 1 FROM companies WHERE id = ?1")?
            .exists([id])?;
        if !exists {
            return Err(StoreError::invalid(field, "no such company"));
        }
    }
    Ok(())
}

/// Stores a new article by staff member `author`; returns its id.
pub fn create(conn: &Connection, text: &ArticleText, author: (i64, &str), now: i64) -> Result<i64> {
    check_company(conn, text.company_id, "article.company_id")?;
    conn.prepare_cached(
        "INSERT INTO articles (title, body, company_id, author_id, author_name, created_at,
            updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![
        text.title,
        text.body,
        text.company_id,
        author.0,
        author.1,
        now
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Replaces an article's title, body and audience.
pub fn update(conn: &Connection, id: i64, text: &ArticleText, now: i64) -> Result<()> {
    check_company(conn, text.company_id, "article.company_id")?;
    let n = conn
        .prepare_cached(
            "UPDATE articles SET title = ?2, body = ?3, company_id = ?4, updated_at = ?5
             WHERE id = ?1",
        )?
        .execute(params![id, text.title, text.body, text.company_id, now])?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Archives an article (`Some(now)`) or brings it back (`None`).
pub fn set_archived(conn: &Connection, id: i64, archived_at: Option<i64>) -> Result<()> {
    let n = conn
        .prepare_cached("UPDATE articles SET archived_at = ?2 WHERE id = ?1")?
        .execute(params![id, archived_at])?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> Result<Article> {
    conn.prepare_cached(&format!("{SELECT} WHERE a.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The SQL condition limiting `a` to `scope`, pushing its parameters.
fn scope_clause(scope: ArticleScope, args: &mut Vec<Value>) -> &'static str {
    match scope {
        ArticleScope::All { archived: true } => "1",
        ArticleScope::All { archived: false } => "a.archived_at IS NULL",
        ArticleScope::Client { company_id } => {
            args.push(Value::Integer(company_id));
            "a.archived_at IS NULL AND (a.company_id IS NULL OR a.company_id = ?)"
        }
    }
}

/// Articles in `scope`, most recently updated first, after the
/// `(updated_at, id)` of the previous page; `limit` rows.
pub fn list(
    conn: &Connection,
    scope: ArticleScope,
    before: Option<(i64, i64)>,
    limit: usize,
) -> Result<Vec<Article>> {
    let mut args = Vec::new();
    let mut sql = format!("{SELECT} WHERE {}", scope_clause(scope, &mut args));
    if let Some((at, id)) = before {
        sql.push_str(" AND (a.updated_at, a.id) < (?, ?)");
        args.extend([Value::Integer(at), Value::Integer(id)]);
    }
    sql.push_str(" ORDER BY a.updated_at DESC, a.id DESC LIMIT ?");
    args.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    Ok(conn
        .prepare(&sql)?
        .query_map(params_from_iter(args.iter()), from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Words too common to tell articles apart, left out of a search.
const COMMON: &[&str] = &[
    "and", "are", "but", "can", "cannot", "cant", "does", "doesn", "dont", "for", "from", "get",
    "has", "have", "how", "into", "not", "our", "the", "this", "that", "was", "what", "when",
    "why", "will", "with", "won", "you", "your",
];

/// What was typed as an FTS5 query matching any of its words (each a
/// prefix, made safe as for ticket search), leaving out words of fewer
/// than three letters and common ones: a ticket's title, "Cannot print
/// from the laptop", finds the articles on printing. None when no word
/// is left.
fn any_word_query(typed: &str) -> Option<String> {
    let words: Vec<String> = typed
        .split_whitespace()
        .filter(|w| {
            let letters: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
            letters.chars().count() >= 3 && !COMMON.contains(&letters.to_lowercase().as_str())
        })
        .filter_map(ticket_list::match_query)
        .take(16)
        .collect();
    (!words.is_empty()).then(|| words.join(" OR "))
}

/// The `limit` articles in `scope` that best match any word typed (bm25:
/// more of the words and rarer ones first, a title match weighing three
/// times a body match); nothing when no searchable word was typed.
pub fn search(
    conn: &Connection,
    scope: ArticleScope,
    typed: &str,
    limit: usize,
) -> Result<Vec<Article>> {
    let Some(query) = any_word_query(typed) else {
        return Ok(Vec::new());
    };
    let mut args = vec![Value::Text(query)];
    let clause = scope_clause(scope, &mut args);
    let sql = format!(
        "{SELECT} JOIN (SELECT rowid, bm25(article_search, 3.0, 1.0) AS rank
            FROM article_search WHERE article_search MATCH ?) s ON s.rowid = a.id
         WHERE {clause} ORDER BY s.rank, a.id DESC LIMIT ?"
    );
    args.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    Ok(conn
        .prepare(&sql)?
        .query_map(params_from_iter(args.iter()), from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{COMPANY_A, COMPANY_B, TOM, temp_conn};

    fn text(title: &str, body: &str, company_id: Option<i64>) -> ArticleText {
        ArticleText {
            title: title.into(),
            body: body.into(),
            company_id,
        }
    }

    fn titles(list: &[Article]) -> Vec<&str> {
        list.iter().map(|a| a.title.as_str()).collect()
    }

    #[test]
    fn clients_see_public_and_their_own_companys_articles_not_archived() {
        let (_dir, conn) = temp_conn();
        let by = (TOM, "Tom Tech");
        create(&conn, &text("Public", "for all", None), by, 1).unwrap();
        create(&conn, &text("Alpha only", "a", Some(COMPANY_A)), by, 2).unwrap();
        create(&conn, &text("Beta only", "b", Some(COMPANY_B)), by, 3).unwrap();
        let old = create(&conn, &text("Old", "gone", None), by, 4).unwrap();
        set_archived(&conn, old, Some(5)).unwrap();
        let alpha = ArticleScope::Client {
            company_id: COMPANY_A,
        };
        assert_eq!(
            titles(&list(&conn, alpha, None, 10).unwrap()),
            ["Alpha only", "Public"]
        );
        let all = list(&conn, ArticleScope::All { archived: true }, None, 10).unwrap();
        assert_eq!(titles(&all), ["Old", "Beta only", "Alpha only", "Public"]);
        let page = list(
            &conn,
            ArticleScope::All { archived: false },
            Some((3, 3)),
            10,
        );
        assert_eq!(titles(&page.unwrap()), ["Alpha only", "Public"]);
        let alpha_company = get(&conn, 2).unwrap().company_name;
        assert_eq!(alpha_company, "Alpha");
    }

    #[test]
    fn search_ranks_titles_first_follows_edits_and_keeps_the_scope() {
        let (_dir, conn) = temp_conn();
        let by = (TOM, "Tom Tech");
        let vpn = create(
            &conn,
            &text("VPN setup", "Install the client.", None),
            by,
            1,
        )
        .unwrap();
        create(
            &conn,
            &text("Printers", "Not the vpn, the toner.", None),
            by,
            2,
        )
        .unwrap();
        create(
            &conn,
            &text("Beta VPN", "Their own gateway.", Some(COMPANY_B)),
            by,
            3,
        )
        .unwrap();
        let alpha = ArticleScope::Client {
            company_id: COMPANY_A,
        };
        assert_eq!(
            titles(&search(&conn, alpha, "vpn", 10).unwrap()),
            ["VPN setup", "Printers"]
        );
        // A prefix finds the word; any word is enough, common words
        // match nothing; FTS syntax is only text.
        assert_eq!(
            titles(&search(&conn, alpha, "instal", 10).unwrap()),
            ["VPN setup"]
        );
        assert_eq!(
            titles(&search(&conn, alpha, "Cannot get the toner for the printer", 10).unwrap()),
            ["Printers"]
        );
        assert!(search(&conn, alpha, "\"vpn OR * NEAR(", 10).is_ok());
        assert!(search(&conn, alpha, "  the of ", 10).unwrap().is_empty());
        update(&conn, vpn, &text("Remote access", "Use the app.", None), 9).unwrap();
        assert_eq!(
            titles(&search(&conn, alpha, "vpn", 10).unwrap()),
            ["Printers"]
        );
        assert_eq!(
            titles(&search(&conn, alpha, "remote", 10).unwrap()),
            ["Remote access"]
        );
        assert!(matches!(
            update(&conn, vpn, &text("x", "y", Some(99)), 10),
            Err(StoreError::Invalid { .. })
        ));
        assert!(matches!(get(&conn, 99), Err(StoreError::NotFound)));
    }
}
