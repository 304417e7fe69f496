//! Agreements, invoices and payments (docs/MONEY.md): plain types, the
//! rounding rule, billing months and how billable time draws on prepaid
//! hours. Amounts are integer cents, durations whole minutes.

use chrono::{Datelike, Months, NaiveDate};

/// `n / d` rounded to the nearest integer, half away from zero
/// (docs/MONEY.md "Amounts"). `d` must not be zero.
pub fn round_div(n: i128, d: i128) -> i64 {
    let q = n / d;
    let r = n % d;
    let up = 2 * r.abs() >= d.abs();
    let q = if up { q + (n.signum() * d.signum()) } else { q };
    i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX })
}

/// Non-contract labour: `minutes` at `rate_cents` an hour, rounded once.
pub fn labour_cents(minutes: i64, rate_cents: i64) -> i64 {
    round_div(i128::from(minutes) * i128::from(rate_cents), 60)
}

/// Tax on a subtotal at `basis_points` (825 = 8.25 %), rounded once.
pub fn tax_cents(subtotal_cents: i64, basis_points: u32) -> i64 {
    round_div(
        i128::from(subtotal_cents) * i128::from(basis_points),
        10_000,
    )
}

/// `h:mm` of a number of minutes.
pub fn hours(minutes: i64) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// A billing period: one calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(NaiveDate);

impl Month {
    /// `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1).map(Self)
    }

    pub fn of(day: NaiveDate) -> Self {
        Self(day.with_day(1).unwrap_or(day))
    }

    pub fn first_day(self) -> NaiveDate {
        self.0
    }

    #[must_use]
    pub fn next(self) -> Self {
        Self(self.0.checked_add_months(Months::new(1)).unwrap_or(self.0))
    }

    #[must_use]
    pub fn prev(self) -> Self {
        Self(self.0.checked_sub_months(Months::new(1)).unwrap_or(self.0))
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().0.pred_opt().unwrap_or(self.0)
    }

    /// "December 2026".
    pub fn label(self) -> String {
        self.0.format("%B %Y").to_string()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m"))
    }
}

/// The start of a provider-zone day, as UTC milliseconds.
pub fn day_start(zone: chrono_tz::Tz, d: NaiveDate) -> i64 {
    use chrono::TimeZone;
    let midnight = d.and_time(chrono::NaiveTime::MIN);
    zone.from_local_datetime(&midnight)
        .earliest()
        // A zone whose midnight is skipped starts the day an hour later.
        .or_else(|| {
            zone.from_local_datetime(&(midnight + chrono::TimeDelta::hours(1)))
                .earliest()
        })
        .map_or(0, |t| t.timestamp_millis())
}

/// The provider-zone day of an instant.
pub fn zone_day(zone: chrono_tz::Tz, ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&zone).date_naive())
        .unwrap_or_default()
}

/// The kinds of agreement (`pb::AgreementKind`, stored as its number).
pub const AGREEMENT_KINDS: std::ops::RangeInclusive<i32> = 1..=5;

/// An agreement as stored, with the names of the work types it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub title: String,
    pub kind: i32,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub monthly_amount_cents: i64,
    pub prepaid_minutes: i64,
    pub renews: bool,
    pub work_types: Vec<(i64, String)>,
}

impl Agreement {
    /// Its last day: none while it renews (a renewing agreement runs on past
    /// its end date, term after term) or when it has no end date.
    pub fn runs_until(&self) -> Option<NaiveDate> {
        self.end_date.filter(|_| !self.renews)
    }

    /// Whether it runs on `day`.
    pub fn covers_day(&self, day: NaiveDate) -> bool {
        self.start_date <= day && self.runs_until().is_none_or(|end| day <= end)
    }

    /// Whether it runs on any day of `month`.
    pub fn runs_in(&self, month: Month) -> bool {
        self.start_date <= month.last_day()
            && self.runs_until().is_none_or(|end| end >= month.first_day())
    }

    /// While it renews and has an end date: the day its next term starts
    /// after `today`. A term is as many whole months as the first one (start
    /// to end date, at least one); the renewals follow the end date, each
    /// counted from the first (the day after the end date), so they keep its
    /// day of the month, or a shorter month's last day.
    pub fn renews_on(&self, today: NaiveDate) -> Option<NaiveDate> {
        let end = self.end_date.filter(|_| self.renews)?;
        let first = end.succ_opt()?;
        let term = (1..=1200u32)
            .take_while(|n| {
                self.start_date
                    .checked_add_months(Months::new(*n))
                    .is_some_and(|d| d <= first)
            })
            .last()
            .unwrap_or(1);
        (0u32..)
            .map_while(|k| first.checked_add_months(Months::new(k.checked_mul(term)?)))
            .find(|d| *d > today)
    }
}

/// What a provider Admin sets on an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementInput {
    pub company_id: i64,
    pub title: String,
    pub kind: i32,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub monthly_amount_cents: i64,
    pub prepaid_minutes: i64,
    pub work_type_ids: Vec<i64>,
    pub renews: bool,
}

/// Fewer than `percent` of the prepaid minutes are left.
pub fn low_hours(prepaid: i64, left: i64, percent: u32) -> bool {
    prepaid > 0 && i128::from(left) * 100 < i128::from(prepaid) * i128::from(percent)
}

/// One month of an agreement's prepaid minutes: drawn in it, and left at
/// its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthUse {
    pub month: Month,
    pub used: i64,
    pub left: i64,
}

/// Month by month from `first` to `last`: the minutes `used` in each and
/// what is left of `prepaid` at its end (never below 0).
pub fn burn_down<S: std::hash::BuildHasher>(
    prepaid: i64,
    first: Month,
    last: Month,
    used: &std::collections::HashMap<Month, i64, S>,
) -> Vec<MonthUse> {
    let (mut out, mut month, mut left) = (Vec::new(), first, prepaid);
    while month <= last {
        let u = used.get(&month).copied().unwrap_or_default();
        left -= u;
        out.push(MonthUse {
            month,
            used: u,
            left: left.max(0),
        });
        if month.next() == month {
            break;
        }
        month = month.next();
    }
    out
}

/// A block of prepaid minutes billable time may draw on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub agreement_id: i64,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub work_type_ids: Vec<i64>,
    /// Prepaid minutes not yet drawn.
    pub left: i64,
}

/// Billable time not yet billed, in the order it draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    pub entry_id: i64,
    pub ticket_id: i64,
    pub work_type_id: i64,
    /// The provider-zone day the work ended.
    pub day: NaiveDate,
    pub minutes: i64,
}

/// Minutes of one time entry taken from one agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Draw {
    pub entry_id: i64,
    pub agreement_id: i64,
    pub minutes: i64,
}

/// Draws `work` (in order) on `blocks` (oldest first): each entry takes
/// from the first block that covers its work type and day and has minutes
/// left, then the next. What no block covers is non-contract labour: the
/// entry's minutes less its draws.
pub fn draw(blocks: &mut [Block], work: &[Work]) -> Vec<Draw> {
    let mut draws = Vec::new();
    for w in work {
        let mut need = w.minutes;
        for b in blocks.iter_mut() {
            if need == 0 {
                break;
            }
            let covers = b.left > 0
                && b.work_type_ids.contains(&w.work_type_id)
                && b.start_date <= w.day
                && b.end_date.is_none_or(|end| w.day <= end);
            if covers {
                let take = need.min(b.left);
                b.left -= take;
                need -= take;
                draws.push(Draw {
                    entry_id: w.entry_id,
                    agreement_id: b.agreement_id,
                    minutes: take,
                });
            }
        }
    }
    draws
}

/// The day prepaid minutes run out: `left` minutes used at
/// `per_month` minutes a month (30 days), from `today`. None when nothing
/// is used or nothing is left.
pub fn runs_out_on(today: NaiveDate, left: i64, per_month: i64) -> Option<NaiveDate> {
    if per_month <= 0 || left <= 0 {
        return None;
    }
    let days = round_div(i128::from(left) * 30, i128::from(per_month));
    today.checked_add_days(chrono::Days::new(u64::try_from(days).ok()?))
}

/// pb::InvoiceStatus numbers, as the store's generated column keeps them.
pub const INVOICE_VOID: i32 = 4;

/// pb::PaymentState numbers, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentState {
    Pending = 1,
    Confirmed = 2,
    Rejected = 3,
}

impl PaymentState {
    pub fn from_i32(n: i32) -> Option<Self> {
        Some(match n {
            1 => Self::Pending,
            2 => Self::Confirmed,
            3 => Self::Rejected,
            _ => return None,
        })
    }
}

/// The methods a payment may name (`pb::PaymentMethod`).
pub const PAYMENT_METHODS: std::ops::RangeInclusive<i32> = 1..=5;

/// An invoice as stored (the lines and payments apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: i64,
    pub number: i64,
    pub company_id: i64,
    pub company_name: String,
    pub period: String,
    pub issued_on: String,
    pub due_on: String,
    pub subtotal_cents: i64,
    pub tax_rate_basis_points: u32,
    pub tax_cents: i64,
    pub total_cents: i64,
    pub paid_cents: i64,
    pub pending_cents: i64,
    pub balance_cents: i64,
    pub status: i32,
    pub void_reason: String,
}

impl Invoice {
    /// Past its due day with something owed (`today` is YYYY-MM-DD).
    pub fn overdue(&self, today: &str) -> bool {
        self.balance_cents > 0 && self.due_on.as_str() < today
    }
}

/// Line kinds (`pb::InvoiceLineKind`), stored as their numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Recurring = 1,
    Labour = 2,
    Project = 3,
    /// A subscription's renewal.
    Product = 4,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    pub id: i64,
    pub kind: i32,
    pub description: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub amount_cents: i64,
    pub agreement_id: Option<i64>,
    /// The agreement's title ('' without one).
    pub agreement_title: String,
    pub ticket_id: Option<i64>,
    pub estimate_id: Option<i64>,
}

impl InvoiceLine {
    /// The agreement whose prepaid hours cover a labour line (billed at
    /// 0.00), if any.
    pub fn covered_by(&self) -> Option<&str> {
        (self.kind == LineKind::Labour as i32 && self.agreement_id.is_some())
            .then_some(self.agreement_title.as_str())
    }
}

/// A line a billing run bills, with the source key that makes it unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLine {
    pub kind: LineKind,
    pub source_id: i64,
    pub source_part: i64,
    pub line: InvoiceLine,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: i64,
    pub invoice_number: i64,
    pub company_id: i64,
    pub company_name: String,
    pub amount_cents: i64,
    pub method: i32,
    pub reference: String,
    pub state: i32,
    pub submitted_by: String,
    pub submitted_at: i64,
    pub decided_by: String,
    pub decided_at: Option<i64>,
    pub reject_reason: String,
}

/// What an invoice's exported document shows.
#[derive(Debug, Clone)]
pub struct InvoiceRecord {
    pub provider_name: String,
    pub currency: String,
    pub invoice: Invoice,
    pub lines: Vec<InvoiceLine>,
    pub payments: Vec<Payment>,
}

/// The billing settings (`provider_settings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingSettings {
    pub labour_rate_cents: i64,
    pub tax_rate_basis_points: u32,
    pub low_hours_percent: u32,
    pub currency: String,
    pub provider_name: String,
    pub zone: chrono_tz::Tz,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_div(5, 10), 1);
        assert_eq!(round_div(4, 10), 0);
        assert_eq!(round_div(-5, 10), -1);
        assert_eq!(round_div(-4, 10), 0);
        assert_eq!(labour_cents(1, 15_000), 250);
        assert_eq!(labour_cents(7, 10_001), 1167); // 1166.78
        assert_eq!(labour_cents(3, 10), 1); // 0.5 rounds up
        assert_eq!(tax_cents(1000, 825), 83); // 82.5
    }

    fn agreement(start: &str, end: Option<&str>, renews: bool) -> Agreement {
        Agreement {
            id: 1,
            company_id: 1,
            company_name: String::new(),
            title: String::new(),
            kind: 1,
            start_date: day(start),
            end_date: end.map(day),
            monthly_amount_cents: 100,
            prepaid_minutes: 0,
            renews,
            work_types: Vec::new(),
        }
    }

    #[test]
    fn a_renewing_agreement_runs_on_term_after_term() {
        let month = |m| Month::parse(m).unwrap();
        let ends = agreement("2026-01-01", Some("2026-12-31"), false);
        assert!(ends.runs_in(month("2026-12")));
        assert!(!ends.runs_in(month("2027-01")));
        assert!(!ends.covers_day(day("2027-01-01")));
        assert_eq!(ends.renews_on(day("2026-06-01")), None);

        let renews = agreement("2026-01-01", Some("2026-12-31"), true);
        assert!(renews.runs_in(month("2031-05")));
        assert!(renews.covers_day(day("2027-01-01")));
        assert!(!renews.runs_in(month("2025-12")));
        assert_eq!(renews.runs_until(), None);
        // A year's term: the next starts on the anniversary.
        assert_eq!(renews.renews_on(day("2026-06-01")), Some(day("2027-01-01")));
        assert_eq!(renews.renews_on(day("2026-12-31")), Some(day("2027-01-01")));
        assert_eq!(renews.renews_on(day("2027-01-01")), Some(day("2028-01-01")));
        assert_eq!(renews.renews_on(day("2029-03-15")), Some(day("2030-01-01")));
        // Quarters, each counted from the first renewal day.
        let quarter = agreement("2026-02-01", Some("2026-04-30"), true);
        assert_eq!(
            quarter.renews_on(day("2026-05-01")),
            Some(day("2026-08-01"))
        );
        assert_eq!(
            quarter.renews_on(day("2026-10-31")),
            Some(day("2026-11-01"))
        );
        assert_eq!(
            quarter.renews_on(day("2026-11-01")),
            Some(day("2027-02-01"))
        );
        // From the 31st: the 31st, or the last day of a shorter month.
        let monthly = agreement("2026-01-01", Some("2026-01-30"), true);
        assert_eq!(
            monthly.renews_on(day("2026-02-01")),
            Some(day("2026-02-28"))
        );
        assert_eq!(
            monthly.renews_on(day("2026-02-28")),
            Some(day("2026-03-31"))
        );
        // Shorter than a month: a month's term. No end date: nothing renews.
        let short = agreement("2026-03-01", Some("2026-03-10"), true);
        assert_eq!(short.renews_on(day("2026-03-11")), Some(day("2026-04-11")));
        assert_eq!(
            agreement("2026-01-01", None, true).renews_on(day("2026-06-01")),
            None
        );
    }

    #[test]
    fn months_parse_and_step() {
        let m = Month::parse("2026-12").unwrap();
        assert_eq!(m.next().to_string(), "2027-01");
        assert_eq!(m.last_day(), day("2026-12-31"));
        assert_eq!(m.label(), "December 2026");
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("2026-1"), None);
        assert_eq!(Month::parse("garbage"), None);
    }

    #[test]
    fn time_draws_oldest_covering_block_first_and_the_rest_is_labour() {
        let block = |id, start: &str, types: Vec<i64>, left| Block {
            agreement_id: id,
            start_date: day(start),
            end_date: None,
            work_type_ids: types,
            left,
        };
        let mut blocks = vec![
            block(1, "2026-01-01", vec![1], 60),
            block(2, "2026-02-01", vec![1, 2], 30),
        ];
        let work = |id, wt, d: &str, minutes| Work {
            entry_id: id,
            ticket_id: 9,
            work_type_id: wt,
            day: day(d),
            minutes,
        };
        let draws = draw(
            &mut blocks,
            &[
                work(10, 1, "2026-03-01", 50),
                work(11, 1, "2026-03-02", 30),
                work(12, 2, "2026-01-15", 20),
                work(13, 3, "2026-03-03", 20),
            ],
        );
        let d = |entry_id, agreement_id, minutes| Draw {
            entry_id,
            agreement_id,
            minutes,
        };
        // Entry 11 takes block 1's last 10 minutes, then 20 of block 2;
        // entry 12 ended before block 2 started; nothing covers type 3.
        assert_eq!(draws, vec![d(10, 1, 50), d(11, 1, 10), d(11, 2, 20)]);
        assert_eq!((blocks[0].left, blocks[1].left), (0, 10));
    }

    #[test]
    fn low_hours_and_forecast() {
        assert!(low_hours(600, 119, 20));
        assert!(!low_hours(600, 120, 20));
        assert!(!low_hours(0, 0, 20));
        assert_eq!(
            runs_out_on(day("2026-01-01"), 300, 600),
            Some(day("2026-01-16"))
        );
        assert_eq!(runs_out_on(day("2026-01-01"), 300, 0), None);
    }

    proptest! {
        /// Every draw takes what a block had, never more than the entry's
        /// minutes, and blocks never go below zero.
        #[test]
        fn draws_never_overdraw(
            lefts in proptest::collection::vec(0_i64..500, 1..4),
            minutes in proptest::collection::vec(1_i64..300, 0..12),
        ) {
            let mut blocks: Vec<Block> = lefts.iter().enumerate().map(|(i, &left)| Block {
                agreement_id: i64::try_from(i).unwrap(),
                start_date: day("2026-01-01"),
                end_date: None,
                work_type_ids: vec![1],
                left,
            }).collect();
            let work: Vec<Work> = minutes.iter().enumerate().map(|(i, &m)| Work {
                entry_id: i64::try_from(i).unwrap(),
                ticket_id: 1,
                work_type_id: 1,
                day: day("2026-02-01"),
                minutes: m,
            }).collect();
            let draws = draw(&mut blocks, &work);
            let drawn: i64 = draws.iter().map(|d| d.minutes).sum();
            let prepaid: i64 = lefts.iter().sum();
            let worked: i64 = minutes.iter().sum();
            prop_assert_eq!(drawn, prepaid.min(worked));
            prop_assert!(blocks.iter().all(|b| b.left >= 0));
            for w in &work {
                let of_entry: i64 = draws.iter().filter(|d| d.entry_id == w.entry_id).map(|d| d.minutes).sum();
                prop_assert!(of_entry <= w.minutes);
            }
        }

        /// The rounding rule: the rounded amount is within half a cent of
        /// the exact one, and ties go away from zero.
        #[test]
        fn labour_rounds_to_the_nearest_cent(minutes in 1_i64..100_000, rate in 0_i64..1_000_000) {
            let cents = labour_cents(minutes, rate);
            let exact_times_60 = i128::from(minutes) * i128::from(rate);
            let diff = i128::from(cents) * 60 - exact_times_60;
            prop_assert!(diff.abs() <= 30);
            if diff.abs() == 30 { prop_assert!(diff > 0); }
        }
    }
}
