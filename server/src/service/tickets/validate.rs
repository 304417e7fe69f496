//! Checks on ticket input that need nothing from the store. Text and ids
//! are checked by `service::input`.

use chrono::{NaiveDate, TimeZone, Utc};
use tonic::Status;

use portal_proto::pb;

use crate::domain::input::parse_date;
use crate::domain::tickets::SavedView;
use crate::service::convert;
use crate::service::input;
use crate::service::status::invalid;

/// The requester's phone and e-mail for one ticket: each optional, a
/// phone number and an e-mail address when given.
pub fn reach(phone: &str, email: &str) -> Result<(String, String), Status> {
    let phone = phone.trim();
    if !phone.is_empty() {
        input::phone_number("contact_phone", phone)?;
    }
    Ok((
        phone.to_owned(),
        input::email("contact_email", email, false)?,
    ))
}

/// A required ticket number.
pub fn number(n: i64) -> Result<i64, Status> {
    input::id("number", n)
}

/// A ticket priority 1..=5, or 0 for "not given".
pub fn priority(field: &str, p: i32, required: bool) -> Result<Option<i32>, Status> {
    match p {
        0 if !required => Ok(None),
        1..=5 => Ok(Some(p)),
        _ => Err(invalid(field, "must be 1 (Critical) to 5 (Planned)")),
    }
}

/// An enum value that the client sent as a raw number.
pub fn known<E: TryFrom<i32>>(field: &str, v: i32) -> Result<E, Status> {
    E::try_from(v).map_err(|_| invalid(field, "not a known value"))
}

fn day_ms(d: NaiveDate) -> i64 {
    Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN))
        .timestamp_millis()
}

fn date(field: &str, s: &str) -> Result<Option<NaiveDate>, Status> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    parse_date(s)
        .map(Some)
        .ok_or_else(|| invalid(field, "not a valid date (YYYY-MM-DD)"))
}

/// An inclusive `YYYY-MM-DD` range (UTC) as half-open milliseconds.
pub fn date_range(
    (from_field, from): (&str, &str),
    (to_field, to): (&str, &str),
) -> Result<(Option<i64>, Option<i64>), Status> {
    let from = date(from_field, from)?;
    let to = date(to_field, to)?;
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err(invalid(to_field, "before the start of the range"));
    }
    Ok((from.map(day_ms), to.and_then(|t| t.succ_opt()).map(day_ms)))
}

/// A due date: a real date, today or later (UTC).
pub fn due_date(s: &str, now_ms: i64) -> Result<Option<String>, Status> {
    let Some(d) = date("due_date", s)? else {
        return Ok(None);
    };
    let today = Utc
        .timestamp_millis_opt(now_ms)
        .single()
        .map(|t| t.date_naive());
    if today.is_some_and(|today| d < today) {
        return Err(invalid("due_date", "must not be in the past"));
    }
    Ok(Some(d.format("%Y-%m-%d").to_string()))
}

/// A file name as uploaded: a bare name, no path.
pub fn file_name(s: &str) -> Result<String, Status> {
    let name = input::text("file_name", s, 255, true)?;
    if name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(invalid("file_name", "a file name without any folder"));
    }
    Ok(name)
}

/// A MIME type, or one guessed from the file name when none is given.
pub fn content_type(s: &str, file_name: &str) -> Result<String, Status> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(guess_content_type(file_name).to_owned());
    }
    let ok = s.len() <= 100
        && s.split_once('/')
            .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
        && s.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(invalid(
            "content_type",
            "a MIME type such as text/plain, at most 100 characters",
        ))
    }
}

fn guess_content_type(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "htm" | "html" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "eml" => "message/rfc822",
        _ => "application/octet-stream",
    }
}

/// A saved view as the client sent it; its fields are named `view.*`.
pub fn saved_view(v: &pb::SavedView) -> Result<SavedView, Status> {
    let (sort, descending) =
        convert::tickets::order_from_pb(known("view.sort", v.sort)?, v.descending, false);
    Ok(SavedView {
        id: 0,
        name: input::text("view.name", &v.name, 40, true)?,
        unassigned: v.unassigned,
        mine: v.mine,
        company_id: input::optional_id("view.company_id", v.company_id)?,
        priority: priority("view.priority", v.priority, false)?,
        breached: v.breached,
        sort,
        descending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ranges_are_inclusive_days() {
        let (from, to) = date_range(("a", "2026-03-01"), ("b", "2026-03-01")).unwrap();
        assert_eq!(to.unwrap() - from.unwrap(), 86_400_000);
        assert!(date_range(("a", "2026-03-02"), ("b", "2026-03-01")).is_err());
        assert!(date_range(("a", "2026-13-01"), ("b", "")).is_err());
        assert_eq!(date_range(("a", ""), ("b", "")).unwrap(), (None, None));
    }

    #[test]
    fn file_names_and_types() {
        assert!(file_name("../etc/passwd").is_err());
        assert!(file_name("a\\b").is_err());
        assert!(file_name("").is_err());
        assert_eq!(file_name(" scan.PDF ").unwrap(), "scan.PDF");
        assert_eq!(content_type("", "scan.PDF").unwrap(), "application/pdf");
        assert_eq!(
            content_type("", "noext").unwrap(),
            "application/octet-stream"
        );
        assert!(content_type("nonsense", "x").is_err());
        assert_eq!(content_type("Text/Plain", "x").unwrap(), "text/plain");
    }

    #[test]
    fn due_dates_may_not_be_past() {
        let now = day_ms(NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()) + 5;
        assert!(due_date("2026-03-09", now).is_err());
        assert_eq!(due_date("2026-03-10", now).unwrap().unwrap(), "2026-03-10");
        assert!(due_date("2026-02-30", now).is_err());
        assert_eq!(due_date("", now).unwrap(), None);
    }
}
