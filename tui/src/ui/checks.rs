//! Quick checks of what is typed, so a form marks every field it can
//! before anything is sent. The server checks everything again and has
//! the last word (docs/INPUT.md).

use chrono::NaiveDate;

/// A check: what is wrong with a value typed, if anything.
pub type Check = fn(&str) -> Option<&'static str>;

/// What is wrong with a date typed as YYYY-MM-DD, if anything.
pub fn date_problem(value: &str) -> Option<&'static str> {
    if NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok() {
        return None;
    }
    let shaped = value.len() == 10
        && value.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            _ => c.is_ascii_digit(),
        });
    Some(if shaped {
        "no such day on the calendar"
    } else {
        "a date as YYYY-MM-DD"
    })
}

/// What is wrong with a phone number, if anything.
pub fn phone_problem(number: &str) -> Option<&'static str> {
    let allowed = |c: char| c.is_ascii_digit() || " +()-.".contains(c);
    (!number.chars().all(allowed) || !number.chars().any(|c| c.is_ascii_digit()))
        .then_some("only digits, spaces and + ( ) - . (and a digit at least)")
}

/// What is wrong with an e-mail address, if anything: the shape only
/// (someone@somewhere.tld); the server's check is stricter.
pub fn email_problem(address: &str) -> Option<&'static str> {
    let shaped = address.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.split('.').count() >= 2
            && domain.split('.').all(|label| !label.is_empty())
    }) && !address.contains(char::is_whitespace);
    (!shaped).then_some("not an e-mail address, like name@example.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_phones_and_addresses() {
        assert_eq!(date_problem("2026-02-28"), None);
        assert_eq!(
            date_problem("2026-02-30"),
            Some("no such day on the calendar")
        );
        assert_eq!(date_problem("Feb 30"), Some("a date as YYYY-MM-DD"));
        assert_eq!(phone_problem("+1 (555) 010-0199"), None);
        assert!(phone_problem("abc!!").is_some());
        assert!(phone_problem("+ ( )").is_some());
        assert_eq!(email_problem("kim@harbor.example"), None);
        for bad in ["not-an-email", "a@b", "a@@b.c", "@b.c", "a b@c.d", "a@b..c"] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }
}
