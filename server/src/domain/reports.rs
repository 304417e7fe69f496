//! Reports as plain tables (docs/REPORTS.md): which report, over which
//! period, and the integer rows it answers with.

use chrono::{Datelike, Months, NaiveDate, NaiveTime, TimeZone, Utc};

use super::input::{Invalid, parse_date};

/// Every report `ReportService.GetReport` serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    RequestsByMonth,
    ByStatus,
    ByPriority,
    ByServiceType,
    BySite,
    ByContact,
    SlaByMonth,
    SlaByPriority,
    ResponseTimes,
    OpenAging,
    TimeLogged,
    AgreementHours,
    InvoiceAging,
    SatisfactionByMonth,
    SatisfactionByTechnician,
    SatisfactionByCompany,
}

/// What a report reads, which decides who may ask for it
/// (`policy::report`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportSubject {
    /// Ticket figures.
    Tickets,
    /// The provider's staff time.
    StaffTime,
    /// Agreements and invoices: seen by whoever sees the company's money.
    Money,
    /// Ratings per technician or per company: staff's.
    StaffRatings,
}

impl ReportKind {
    pub fn subject(self) -> ReportSubject {
        match self {
            Self::TimeLogged => ReportSubject::StaffTime,
            Self::AgreementHours | Self::InvoiceAging => ReportSubject::Money,
            Self::SatisfactionByTechnician | Self::SatisfactionByCompany => {
                ReportSubject::StaffRatings
            }
            _ => ReportSubject::Tickets,
        }
    }
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Text,
    Count,
    Minutes,
    Cents,
    BasisPoints,
    /// A score times 100 (an average rating: 423 is 4.23).
    Hundredths,
}

/// A report's answer: label columns first, then value columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    pub columns: Vec<(String, Unit)>,
    pub rows: Vec<(Vec<String>, Vec<i64>)>,
}

impl Table {
    pub fn new(title: impl Into<String>, columns: &[(&str, Unit)]) -> Self {
        Self {
            title: title.into(),
            columns: columns
                .iter()
                .map(|(name, unit)| ((*name).to_owned(), *unit))
                .collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, label: impl Into<String>, values: Vec<i64>) {
        self.rows.push((vec![label.into()], values));
    }
}

/// The days a report covers, inclusive, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A period longer than this is refused (a report reads every ticket in it).
const MAX_YEARS: u32 = 10;

impl Period {
    /// `from` and `to` as `YYYY-MM` (the month's first or last day) or
    /// `YYYY-MM-DD`; empty `to` is `today`, empty `from` eleven months
    /// before the month of `to`.
    pub fn parse(from: &str, to: &str, today: NaiveDate) -> Result<Self, Invalid> {
        let to = match to.trim() {
            "" => today,
            s => day("to", s, true)?,
        };
        let from = match from.trim() {
            "" => month_start(to)
                .checked_sub_months(Months::new(11))
                .unwrap_or(to),
            s => day("from", s, false)?,
        };
        if from > to {
            return Err(Invalid::new("from", "after `to`"));
        }
        if from.checked_add_months(Months::new(12 * MAX_YEARS)) < Some(to) {
            return Err(Invalid::new(
                "from",
                format!("the period is at most {MAX_YEARS} years"),
            ));
        }
        Ok(Self { from, to })
    }

    /// `[start, end)` in UTC milliseconds.
    pub fn range_ms(&self) -> (i64, i64) {
        let next = self.to.succ_opt().unwrap_or(self.to);
        (midnight_ms(self.from), midnight_ms(next))
    }

    /// Every month the period touches, `YYYY-MM`, oldest first.
    pub fn months(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut m = month_start(self.from);
        while m <= self.to {
            out.push(m.format("%Y-%m").to_string());
            let Some(next) = m.checked_add_months(Months::new(1)) else {
                break;
            };
            m = next;
        }
        out
    }
}

/// A day, or a month (`YYYY-MM`) taken as its first day or, for the end
/// of a period, its last.
fn day(field: &str, s: &str, last: bool) -> Result<NaiveDate, Invalid> {
    let bad = || Invalid::new(field, "expected YYYY-MM or YYYY-MM-DD");
    if s.len() == 7 {
        let first = parse_date(&format!("{s}-01")).ok_or_else(bad)?;
        if !last {
            return Ok(first);
        }
        return first
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
            .ok_or_else(bad);
    }
    parse_date(s).ok_or_else(bad)
}

pub fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

pub fn midnight_ms(d: NaiveDate) -> i64 {
    Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN))
        .timestamp_millis()
}

/// `part` of `whole` in basis points, rounded to the nearest (0 of 0 is 0).
pub fn basis_points(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    (part * 10_000 + whole / 2) / whole
}

/// The nearest-rank percentile (`pct` of 100) of sorted values; 0 when
/// there are none. The median is the 50th: the lower middle of an even
/// count.
pub fn percentile(sorted: &[i64], pct: usize) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (sorted.len() * pct).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_take_months_or_days_and_name_the_bad_field() {
        let today = d(2026, 3, 15);
        let p = Period::parse("", "", today).unwrap();
        assert_eq!((p.from, p.to), (d(2025, 4, 1), today));
        assert_eq!(p.months().len(), 12);
        let p = Period::parse("2024-02", "2024-02", today).unwrap();
        assert_eq!((p.from, p.to), (d(2024, 2, 1), d(2024, 2, 29)));
        assert_eq!(p.months(), vec!["2024-02".to_owned()]);
        let (start, end) = p.range_ms();
        assert_eq!(end - start, 29 * 86_400_000);
        let p = Period::parse("2024-02-10", "2024-03-05", today).unwrap();
        assert_eq!(p.months(), vec!["2024-02".to_owned(), "2024-03".to_owned()]);
        assert_eq!(
            Period::parse("2024-13", "", today).unwrap_err().field,
            "from"
        );
        assert_eq!(Period::parse("", "march", today).unwrap_err().field, "to");
        assert_eq!(
            Period::parse("2024-05", "2024-04", today)
                .unwrap_err()
                .field,
            "from"
        );
        assert!(Period::parse("2000-01", "2026-01", today).is_err());
    }

    #[test]
    fn percentiles_are_nearest_rank_and_shares_round() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!((percentile(&v, 50), percentile(&v, 90)), (5, 9));
        assert_eq!((percentile(&[7], 50), percentile(&[], 90)), (7, 0));
        assert_eq!(percentile(&[1, 2, 3], 50), 2);
        assert_eq!((basis_points(1, 3), basis_points(2, 3)), (3333, 6667));
        assert_eq!((basis_points(0, 0), basis_points(5, 5)), (0, 10_000));
    }
}
