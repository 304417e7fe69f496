//! Subscriptions and their renewals (docs/MONEY.md "Subscriptions and
//! renewals"): the term model, the renewal schedule and what a change
//! request asks for.

use chrono::{Datelike, Days, Months, NaiveDate};

/// The kinds of subscription (`pb::SubscriptionKind`, stored as its number).
pub const SUBSCRIPTION_KINDS: std::ops::RangeInclusive<i32> = 1..=2;

/// Terms in months: monthly, yearly, or multi-year in whole years.
pub const TERMS: [u32; 6] = [1, 12, 24, 36, 48, 60];

/// Home marks renewals due within this many days.
pub const RENEWS_SOON_DAYS: u64 = 90;

/// At most this many renewals are billed for one subscription in one run,
/// however far behind its date is: a guard against a date typed decades
/// back, not a business rule.
const MAX_RENEWALS_PER_RUN: u32 = 120;

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub name: String,
    pub kind: i32,
    pub quantity: i64,
    pub term_months: u32,
    pub unit_price_cents: i64,
    /// The renewal date as last set; later renewals are whole terms on.
    pub anchor: NaiveDate,
    /// Renewals the billing run billed since the anchor.
    pub renewals_billed: u32,
    pub billed_by_run: bool,
    /// When it was cancelled (ms); it renews no more.
    pub cancelled_at: Option<i64>,
}

/// What a provider Admin sets on a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionInput {
    pub company_id: i64,
    pub name: String,
    pub kind: i32,
    pub quantity: i64,
    pub term_months: u32,
    pub renews_on: NaiveDate,
    pub unit_price_cents: i64,
    pub billed_by_run: bool,
}

/// The `n`th renewal after (0: on) the anchor.
fn renewal(anchor: NaiveDate, term_months: u32, n: u32) -> NaiveDate {
    anchor
        .checked_add_months(Months::new(term_months.saturating_mul(n)))
        .unwrap_or(NaiveDate::MAX)
}

impl Subscription {
    /// The next renewal: for one the run bills, the first not yet billed
    /// (it may have passed, waiting for the run); else the first on or
    /// after `today`.
    pub fn renews_on(&self, today: NaiveDate) -> NaiveDate {
        if self.billed_by_run {
            return renewal(self.anchor, self.term_months, self.renewals_billed);
        }
        if self.anchor >= today {
            return self.anchor;
        }
        // Start a term short of today (whole months apart, less one for
        // the day of the month), then step to the first on or after it.
        let months = (today.year() - self.anchor.year()) * 12 + today.month0() as i32
            - self.anchor.month0() as i32;
        let mut n = u32::try_from(months - 1).unwrap_or(0) / self.term_months.max(1);
        loop {
            let d = renewal(self.anchor, self.term_months, n);
            if d >= today {
                return d;
            }
            n += 1;
        }
    }

    /// What one renewal costs.
    pub fn term_cents(&self) -> i64 {
        self.quantity.saturating_mul(self.unit_price_cents)
    }

    pub fn active(&self) -> bool {
        self.cancelled_at.is_none()
    }

    /// Active, on a yearly or longer term, and renewing within
    /// [`RENEWS_SOON_DAYS`] of `today` (a monthly one renews every month:
    /// no reminder).
    pub fn renews_soon(&self, today: NaiveDate) -> bool {
        let horizon = today
            .checked_add_days(Days::new(RENEWS_SOON_DAYS))
            .unwrap_or(NaiveDate::MAX);
        self.active() && self.term_months >= 12 && self.renews_on(today) <= horizon
    }

    /// The renewals a run covering days up to `last` bills: those not yet
    /// billed on or before it, oldest first (none unless active and billed
    /// by the run).
    pub fn due_through(&self, last: NaiveDate) -> Vec<NaiveDate> {
        if !self.billed_by_run || !self.active() {
            return Vec::new();
        }
        (self.renewals_billed..self.renewals_billed + MAX_RENEWALS_PER_RUN)
            .map(|n| renewal(self.anchor, self.term_months, n))
            .take_while(|d| *d <= last)
            .collect()
    }
}

/// `monthly`, `yearly`, `2 years`…
pub fn term_label(term_months: u32) -> String {
    match term_months {
        1 => "monthly".to_owned(),
        12 => "yearly".to_owned(),
        m => format!("{} years", m / 12),
    }
}

/// A renewal date as the invoice line's source part: `20270131`.
pub fn date_key(d: NaiveDate) -> i64 {
    d.format("%Y%m%d").to_string().parse().unwrap_or_default()
}

/// What a client asks to change (`pb::SubscriptionChange`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    MoreSeats = 1,
    FewerSeats = 2,
    CancelAtRenewal = 3,
    Upgrade = 4,
}

impl Change {
    pub fn from_i32(n: i32) -> Option<Self> {
        Some(match n {
            1 => Self::MoreSeats,
            2 => Self::FewerSeats,
            3 => Self::CancelAtRenewal,
            4 => Self::Upgrade,
            _ => return None,
        })
    }

    /// As the ticket's "change" field shows it (one of its choices).
    pub fn label(self) -> &'static str {
        match self {
            Self::MoreSeats => "More seats",
            Self::FewerSeats => "Fewer seats",
            Self::CancelAtRenewal => "Cancel at renewal",
            Self::Upgrade => "Upgrade",
        }
    }

    pub const ALL: [Self; 4] = [
        Self::MoreSeats,
        Self::FewerSeats,
        Self::CancelAtRenewal,
        Self::Upgrade,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn sub(anchor: &str, term: u32, billed_by_run: bool) -> Subscription {
        Subscription {
            id: 1,
            company_id: 1,
            company_name: String::new(),
            name: "Office".into(),
            kind: 1,
            quantity: 10,
            term_months: term,
            unit_price_cents: 1_250,
            anchor: d(anchor),
            renewals_billed: 0,
            billed_by_run,
            cancelled_at: None,
        }
    }

    #[test]
    fn renewals_keep_the_anchor_day() {
        let mut s = sub("2026-01-31", 1, true);
        s.renewals_billed = 1;
        assert_eq!(s.renews_on(d("2026-01-01")), d("2026-02-28"));
        s.renewals_billed = 2;
        assert_eq!(s.renews_on(d("2026-01-01")), d("2026-03-31"));
    }

    #[test]
    fn one_not_billed_by_the_run_rolls_on_to_today() {
        let s = sub("2024-03-15", 12, false);
        assert_eq!(s.renews_on(d("2026-03-15")), d("2026-03-15"));
        assert_eq!(s.renews_on(d("2026-03-16")), d("2027-03-15"));
        assert_eq!(s.renews_on(d("2023-01-01")), d("2024-03-15"));
    }

    #[test]
    fn due_renewals_are_those_up_to_the_runs_last_day() {
        let s = sub("2026-01-10", 1, true);
        assert_eq!(
            s.due_through(d("2026-03-31")),
            vec![d("2026-01-10"), d("2026-02-10"), d("2026-03-10")]
        );
        assert!(
            sub("2026-01-10", 1, false)
                .due_through(d("2026-03-31"))
                .is_empty()
        );
        let mut cancelled = sub("2026-01-10", 1, true);
        cancelled.cancelled_at = Some(1);
        assert!(cancelled.due_through(d("2026-03-31")).is_empty());
    }

    #[test]
    fn soon_is_within_ninety_days() {
        let s = sub("2026-04-01", 12, true);
        assert!(s.renews_soon(d("2026-01-01")));
        assert!(!s.renews_soon(d("2025-12-31")));
        assert!(!sub("2026-01-02", 1, true).renews_soon(d("2026-01-01")));
        assert_eq!(s.term_cents(), 12_500);
        assert_eq!(term_label(36), "3 years");
        assert_eq!(date_key(d("2027-01-31")), 20_270_131);
    }
}
