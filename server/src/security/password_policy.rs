//! The password policy, and temporary passwords that satisfy it.
//!
//! Rules: 8 to 256 characters; an upper-case and a lower-case letter, a
//! digit and a special character; no character three times in a row; not
//! one of the most common passwords (`data/common-passwords.txt`, compared
//! case-insensitively, also with leading or trailing digits and symbols
//! removed, so `Password2026!` counts as common); not the e-mail's name.

use std::collections::HashSet;
use std::sync::OnceLock;

use rand::Rng;
use rand::rngs::OsRng;

pub const MIN_LENGTH: usize = 8;
/// Long passphrases are welcome; the cap only bounds hashing work.
pub const MAX_LENGTH: usize = 256;

/// The rules as shown to people choosing a password, in the order checked.
pub const RULES: &[&str] = &[
    "at least 8 characters (and at most 256)",
    "an upper-case letter",
    "a lower-case letter",
    "a digit",
    "a special character (not a letter, digit or space)",
    "no character three times in a row",
    "not one of the most common passwords",
    "not containing the name part of your e-mail address",
];

const COMMON: &str = include_str!("../../../data/common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

fn is_special(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control()
}

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    if common().contains(lower.as_str()) {
        return true;
    }
    let core = lower.trim_matches(|c: char| c.is_ascii_digit() || is_special(c));
    core.chars().count() >= 3 && core != lower && common().contains(core)
}

fn has_triple(password: &str) -> bool {
    let chars: Vec<char> = password.chars().collect();
    chars.windows(3).any(|w| w[0] == w[1] && w[1] == w[2])
}

/// Every rule `password` breaks, as messages that complete "`new_password`: …"
/// (empty when it passes). `email` is the account's e-mail, if known.
pub fn check(password: &str, email: Option<&str>) -> Vec<&'static str> {
    let mut failed = Vec::new();
    let length = password.chars().count();
    if length < MIN_LENGTH {
        failed.push("must be at least 8 characters");
    }
    if length > MAX_LENGTH {
        failed.push("must be at most 256 characters");
    }
    if password.chars().any(char::is_control) {
        failed.push("must not contain control characters");
    }
    if !password.chars().any(char::is_uppercase) {
        failed.push("must contain an upper-case letter");
    }
    if !password.chars().any(char::is_lowercase) {
        failed.push("must contain a lower-case letter");
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        failed.push("must contain a digit");
    }
    if !password.chars().any(is_special) {
        failed.push("must contain a special character");
    }
    if has_triple(password) {
        failed.push("must not repeat a character three times in a row");
    }
    if length <= MAX_LENGTH && is_common(password) {
        failed.push("is too common; choose one that is harder to guess");
    }
    let local = email
        .and_then(|e| e.split('@').next())
        .map(str::to_lowercase)
        .unwrap_or_default();
    if local.chars().count() >= 4 && password.to_lowercase().contains(&local) {
        failed.push("must not contain the name part of your e-mail address");
    }
    failed
}

/// A random password that satisfies the policy, for accounts an Admin
/// creates or resets: four groups of four letters and digits, joined by `-`,
/// without look-alike characters.
pub fn temporary() -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    let mut rng = OsRng;
    loop {
        let groups: Vec<String> = (0..4)
            .map(|_| {
                (0..4)
                    .map(|_| {
                        let set = match rng.gen_range(0..3) {
                            0 => UPPER,
                            1 => LOWER,
                            _ => DIGIT,
                        };
                        char::from(set[rng.gen_range(0..set.len())])
                    })
                    .collect()
            })
            .collect();
        let candidate = groups.join("-");
        if check(&candidate, None).is_empty() {
            return candidate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fails(password: &str) -> Vec<&'static str> {
        check(password, Some("jane.doe@example.com"))
    }

    #[test]
    fn a_good_password_passes() {
        assert!(fails("Tidal-Harbor-93").is_empty());
        assert!(fails("Portal-Demo-2026!").is_empty());
    }

    #[test]
    fn each_rule_is_named() {
        assert_eq!(fails("Ab1!xyz"), vec!["must be at least 8 characters"]);
        assert_eq!(
            fails("tidal-harbor-93"),
            vec!["must contain an upper-case letter"]
        );
        assert_eq!(
            fails("TIDAL-HARBOR-93"),
            vec!["must contain a lower-case letter"]
        );
        assert_eq!(fails("Tidal-Harbor-xx"), vec!["must contain a digit"]);
        assert_eq!(
            fails("TidalHarbor93"),
            vec!["must contain a special character"]
        );
        assert_eq!(
            fails("Tidal-Harbooo-93"),
            vec!["must not repeat a character three times in a row"]
        );
        assert_eq!(
            fails("Jane.Doe-Harbor-93"),
            vec!["must not contain the name part of your e-mail address"]
        );
        assert_eq!(
            fails("Tidal\u{7}Harbor-93"),
            vec!["must not contain control characters"]
        );
    }

    #[test]
    fn all_failing_rules_are_listed() {
        assert_eq!(
            fails("aaa"),
            vec![
                "must be at least 8 characters",
                "must contain an upper-case letter",
                "must contain a digit",
                "must contain a special character",
                "must not repeat a character three times in a row",
            ]
        );
    }

    #[test]
    fn common_passwords_are_refused_in_any_case_and_decoration() {
        for p in [
            "Password1!",
            "PASSWORD1!",
            "Welcome2024!",
            "Qwerty123!",
            "P@ssw0rd1!",
            "Summer2025!",
            "Password2031!!",
            "!!Dragon77",
        ] {
            assert!(
                fails(p).contains(&"is too common; choose one that is harder to guess"),
                "{p} should be common"
            );
        }
        assert!(common().len() > 5000);
    }

    #[test]
    fn long_passphrases_are_accepted_up_to_the_cap() {
        let base = "Correct-Horse-Battery-Staple-7 ";
        let p128: String = base.chars().cycle().take(128).collect();
        assert!(fails(&p128).is_empty(), "{:?}", fails(&p128));
        let p256: String = base.chars().cycle().take(256).collect();
        assert!(fails(&p256).is_empty());
        let p257: String = base.chars().cycle().take(257).collect();
        assert_eq!(fails(&p257), vec!["must be at most 256 characters"]);
    }

    #[test]
    fn temporary_passwords_pass_and_differ() {
        let a = temporary();
        let b = temporary();
        assert_ne!(a, b);
        assert_eq!(a.len(), 19);
        assert!(check(&a, None).is_empty());
    }
}
