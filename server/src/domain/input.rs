//! The one set of checks on input values, shared by the services, the
//! domain's own rules and the store: text of bounded length, ids, dates.
//! A refusal names its field; `service::status` turns it into
//! INVALID_ARGUMENT.

/// A bad input value: the field it concerns and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

pub type Checked<T> = Result<T, Invalid>;

/// Descriptions, posts and multi-line fields are at most this many bytes.
pub const MAX_LONG_TEXT_BYTES: usize = 64 * 1024;

/// The refusal of a page cursor that no list of this kind handed out.
pub const NOT_A_CURSOR: &str = "not a cursor from this list";

/// How long a text may be.
#[derive(Debug, Clone, Copy)]
pub enum Max {
    /// Counted in characters, as people count.
    Chars(usize),
    /// Counted in bytes (large texts, whose size is what matters).
    Bytes(usize),
}

/// The one length check: `value` within `max`, the message saying how it
/// is counted.
pub fn at_most(field: &str, value: &str, max: Max) -> Checked<()> {
    match max {
        Max::Chars(n) if value.chars().count() > n => {
            Err(Invalid::new(field, format!("at most {n} characters")))
        }
        Max::Bytes(n) if value.len() > n => Err(Invalid::new(
            field,
            format!("at most {} KiB", n.div_ceil(1024)),
        )),
        _ => Ok(()),
    }
}

/// Trimmed single-line text of at most `max` characters.
pub fn single_line(field: &str, value: &str, max: usize, required: bool) -> Checked<String> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(Invalid::new(field, "required"));
    }
    at_most(field, value, Max::Chars(max))?;
    if value.chars().any(char::is_control) {
        return Err(Invalid::new(field, "must be a single line of text"));
    }
    Ok(value.to_owned())
}

/// Free text that may hold line breaks and tabs, trailing space trimmed;
/// `required` refuses blank text.
pub fn multi_line(field: &str, value: &str, max: Max, required: bool) -> Checked<String> {
    let value = value.trim_end();
    if required && value.trim_start().is_empty() {
        return Err(Invalid::new(field, "required"));
    }
    at_most(field, value, max)?;
    if has_stray_control(value) {
        return Err(Invalid::new(
            field,
            "must not hold control characters other than line breaks and tabs",
        ));
    }
    Ok(value.to_owned())
}

/// A description, post or note: multi-line, at most 64 KiB.
pub fn long_text(field: &str, value: &str, required: bool) -> Checked<String> {
    multi_line(field, value, Max::Bytes(MAX_LONG_TEXT_BYTES), required)
}

const NOT_AN_ID: &str = "must be a positive id";

/// A required id.
pub fn id(field: &str, value: i64) -> Checked<i64> {
    if value > 0 {
        Ok(value)
    } else {
        Err(Invalid::new(field, NOT_AN_ID))
    }
}

/// An optional id: 0 means none.
pub fn optional_id(field: &str, value: i64) -> Checked<Option<i64>> {
    match value {
        0 => Ok(None),
        _ => id(field, value).map(Some),
    }
}

/// Whether `e` looks like an e-mail address: a dot-atom local part and a
/// domain of at least two labels.
pub fn is_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// Whether free text holds a control character other than a line break or a
/// tab: NUL, or an escape sequence that would reach other people's terminals.
pub fn has_stray_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// A `YYYY-MM-DD` date that exists.
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message<T: std::fmt::Debug>(r: Checked<T>) -> String {
        r.err()
            .map(|e| format!("{}: {}", e.field, e.message))
            .unwrap_or_default()
    }

    #[test]
    fn limits_count_what_the_message_says() {
        // Four characters, eight bytes.
        assert!(single_line("t", "éééé", 4, true).is_ok());
        assert_eq!(
            message(single_line("t", "ééééé", 4, true)),
            "t: at most 4 characters"
        );
        assert!(multi_line("m", "éééé", Max::Chars(4), false).is_ok());
        assert_eq!(
            message(multi_line("m", "ééééé", Max::Chars(4), false)),
            "m: at most 4 characters"
        );
        assert_eq!(
            message(long_text(
                "body",
                &"y".repeat(MAX_LONG_TEXT_BYTES + 1),
                true
            )),
            "body: at most 64 KiB"
        );
    }

    #[test]
    fn lines_and_controls() {
        assert_eq!(single_line("t", "  a  ", 5, true).unwrap(), "a");
        assert_eq!(message(single_line("t", " ", 5, true)), "t: required");
        assert!(single_line("t", "a\nb", 5, true).is_err());
        assert_eq!(long_text("b", "a\n\tb  \n", true).unwrap(), "a\n\tb");
        assert!(long_text("b", "a\u{1b}[2J", true).is_err());
        assert_eq!(message(long_text("b", " \n ", true)), "b: required");
    }

    #[test]
    fn ids_have_one_message() {
        assert_eq!(id("x", 3), Ok(3));
        assert_eq!(message(id("x", 0)), "x: must be a positive id");
        assert_eq!(message(id("x", -1)), "x: must be a positive id");
        assert_eq!(optional_id("x", 0), Ok(None));
        assert_eq!(message(optional_id("x", -1)), "x: must be a positive id");
    }
}
