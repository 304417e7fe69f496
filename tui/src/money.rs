//! Amounts as people read and type them, to and from integer cents
//! (docs/MONEY.md: every amount is integer cents; no floating point here).

/// `1,234.50` from cents.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

/// `1542.56` from cents: no grouping, for scripts (CSV, the command line).
pub fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Cents from what a person types: `12.34`, `450`, `450.5`, `1,200.00`.
/// No sign, at most two decimals; `None` for anything else, or for an
/// amount too large for cents in an `i64`.
pub fn parse_money(text: &str) -> Option<i64> {
    let text = text.trim();
    let (units, decimals) = text.split_once('.').unwrap_or((text, ""));
    let units: String = units.chars().filter(|c| *c != ',').collect();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if units.is_empty() || !digits(&units) || decimals.len() > 2 || !digits(decimals) {
        return None;
    }
    // "12.3" is 12.30: the decimals are tenths until a second digit says otherwise.
    let cents = decimals
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(2)
        .fold(0, |acc, b| acc * 10 + i64::from(b - b'0'));
    units
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_amounts_as_typed() {
        assert_eq!(parse_money("12.34"), Some(1_234));
        assert_eq!(parse_money(" 1,200.5 "), Some(120_050));
        assert_eq!(parse_money("450"), Some(45_000));
        assert_eq!(parse_money("0.07"), Some(7));
        for bad in ["", ".5", "4.505", "abc", "-1", "+1", "1.2.3", "1e3", "٣"] {
            assert_eq!(parse_money(bad), None, "{bad:?}");
        }
        assert_eq!(parse_money("92233720368547758.07"), Some(i64::MAX));
        assert_eq!(parse_money("92233720368547758.08"), None);
        assert_eq!(money(120_050), "1,200.50");
        assert_eq!(money(-5), "-0.05");
    }

    proptest! {
        #[test]
        fn what_is_shown_reads_back(cents in 0..=i64::MAX) {
            prop_assert_eq!(parse_money(&money(cents)), Some(cents));
        }

        #[test]
        fn decimals_read_back_too(cents in 0..=i64::MAX) {
            prop_assert_eq!(parse_money(&decimal(cents)), Some(cents));
        }

        #[test]
        fn units_and_cents_read_exactly(units in 0..=92_233_720_368_547_757i64, c in 0..100i64) {
            prop_assert_eq!(parse_money(&format!("{units}.{c:02}")), Some(units * 100 + c));
            if c % 10 == 0 {
                prop_assert_eq!(parse_money(&format!("{units}.{}", c / 10)), Some(units * 100 + c));
            }
        }

        #[test]
        fn three_decimals_or_a_sign_are_refused(units in 0..1_000_000i64, d in 0..1000u32) {
            prop_assert_eq!(parse_money(&format!("{units}.{d:03}")), None);
            prop_assert_eq!(parse_money(&format!("-{units}")), None);
        }

        #[test]
        fn any_text_is_an_answer_not_a_panic(text in "\\PC{0,24}") {
            let _ = parse_money(&text);
        }
    }
}
