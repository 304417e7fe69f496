//! Customer satisfaction (docs/TICKETS.md, "Ratings"): a requester's
//! rating of a closed ticket, 1 to 5, and the figures reports make of them.

use super::tickets::{Author, Ticket};

/// The lowest and highest score.
pub const SCORES: std::ops::RangeInclusive<i64> = 1..=5;

/// A rating's comment is at most this many characters.
pub const MAX_COMMENT: usize = 2_000;

/// A ticket's rating, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub ticket_id: i64,
    pub company_id: i64,
    pub contact_id: i64,
    pub contact_name: String,
    /// The ticket's primary assignee when it was rated.
    pub staff_id: Option<i64>,
    pub staff_name: String,
    pub score: i64,
    pub comment: String,
    pub rated_at: i64,
    /// Read with the rating, not stored with it.
    pub company_name: String,
    pub ticket_title: String,
}

impl Rating {
    /// `by`'s rating of `ticket` at `at`, with the company and the primary
    /// assignee the ticket has then.
    pub fn of(ticket: &Ticket, by: &Author, (score, comment): (i64, String), at: i64) -> Self {
        Self {
            ticket_id: ticket.number,
            company_id: ticket.company_id,
            contact_id: by.id,
            contact_name: by.name.clone(),
            staff_id: ticket.assigned_staff_id,
            staff_name: ticket.assigned_staff_name.clone(),
            score,
            comment,
            rated_at: at,
            company_name: ticket.company_name.clone(),
            ticket_title: ticket.title.clone(),
        }
    }
}

/// The figures of a group of ratings: how many of each score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scores {
    pub of: [i64; 5],
}

impl Scores {
    pub fn add(&mut self, score: i64, n: i64) {
        if let Some(slot) = usize::try_from(score - 1)
            .ok()
            .and_then(|i| self.of.get_mut(i))
        {
            *slot += n;
        }
    }

    pub fn count(&self) -> i64 {
        self.of.iter().sum()
    }

    /// The average score times 100, rounded half up (0 with no ratings):
    /// integers only, so 4.235 is 424.
    pub fn average_hundredths(&self) -> i64 {
        let n = self.count();
        if n == 0 {
            return 0;
        }
        let sum: i64 = self.of.iter().zip(1..).map(|(c, s)| c * s).sum();
        super::money::round_div(i128::from(sum) * 100, i128::from(n))
    }

    /// The report's values: count, average ×100, then each score's count.
    pub fn values(&self) -> Vec<i64> {
        let mut v = vec![self.count(), self.average_hundredths()];
        v.extend(self.of);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_are_integer_hundredths_rounded_half_up() {
        let mut s = Scores::default();
        assert_eq!((s.count(), s.average_hundredths()), (0, 0));
        s.add(5, 2);
        s.add(4, 1);
        // (5 + 5 + 4) / 3 = 4.666…
        assert_eq!((s.count(), s.average_hundredths()), (3, 467));
        s.add(1, 1);
        // 15 / 4 = 3.75
        assert_eq!(s.average_hundredths(), 375);
        s.add(0, 9);
        s.add(6, 9);
        assert_eq!(s.count(), 4);
        assert_eq!(s.values(), vec![4, 375, 1, 0, 0, 1, 2]);
    }
}
