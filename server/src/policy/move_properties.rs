//! The ticket status machine against docs/TICKETS.md ("Who may move it
//! where"), written out again here as the oracle: every move the policy
//! offers is in the table and every move of the table is offered, for any
//! caller and ticket; and no sequence of moves, sign-offs and automatic
//! closes by anyone reaches a state the document forbids.

use proptest::prelude::*;

use super::{allowed_statuses, change_status, move_needs_note, sign_off};
use crate::domain::{AccessLevel, Principal, StaffRole, TicketFacts, TicketStatus};

use TicketStatus::{
    Cancelled, Closed, Completed, InProgress, New, NoActionRequired, Scheduled, WaitingOnClient,
};

/// The clients' table.
fn client_table(from: TicketStatus) -> Vec<TicketStatus> {
    match from {
        New | InProgress | WaitingOnClient | Scheduled => vec![Cancelled, NoActionRequired],
        Completed => vec![InProgress],
        Closed | Cancelled | NoActionRequired => vec![],
    }
}

/// The staff's table.
fn staff_table(from: TicketStatus) -> Vec<TicketStatus> {
    match from {
        New => vec![InProgress, WaitingOnClient, Scheduled, Completed],
        InProgress => vec![WaitingOnClient, Scheduled, Completed],
        WaitingOnClient => vec![InProgress, Scheduled, Completed],
        Scheduled => vec![InProgress, WaitingOnClient, Completed],
        Completed => vec![InProgress],
        Closed | Cancelled | NoActionRequired => vec![],
    }
}

/// Who may move a ticket at all, as the document says: the assigned
/// Technician, any Dispatcher or provider Admin; the requester, the
/// company's Managers and Admins. Nobody who cannot see it.
fn may_move(p: &Principal, t: &TicketFacts) -> bool {
    match *p {
        Principal::Staff {
            role: StaffRole::Technician,
            staff_id,
        } => t.assigned_staff_id == Some(staff_id),
        Principal::Staff { .. } => true,
        Principal::Contact {
            contact_id,
            company_id,
            access,
        } => {
            contact_id == t.contact_id
                || (company_id == t.company_id && access >= AccessLevel::Manager)
        }
    }
}

fn expected(p: &Principal, t: &TicketFacts) -> Vec<TicketStatus> {
    if !may_move(p, t) {
        return vec![];
    }
    match p {
        Principal::Staff { .. } => staff_table(t.status),
        Principal::Contact { .. } => client_table(t.status),
    }
}

fn status() -> impl Strategy<Value = TicketStatus> {
    prop::sample::select(TicketStatus::ALL.to_vec())
}

fn principal() -> impl Strategy<Value = Principal> {
    let staff = (
        1..4_i64,
        prop::sample::select(vec![
            StaffRole::Technician,
            StaffRole::Dispatcher,
            StaffRole::Admin,
        ]),
    )
        .prop_map(|(staff_id, role)| Principal::Staff { staff_id, role });
    let contact = (
        1..5_i64,
        1..3_i64,
        prop::sample::select(vec![
            AccessLevel::None,
            AccessLevel::User,
            AccessLevel::Manager,
            AccessLevel::Admin,
        ]),
    )
        .prop_map(|(contact_id, company_id, access)| Principal::Contact {
            contact_id,
            company_id,
            access,
        });
    prop_oneof![staff, contact]
}

fn ticket() -> impl Strategy<Value = TicketFacts> {
    (
        1..3_i64,
        1..5_i64,
        status(),
        prop::option::of(1..4_i64),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                company_id,
                contact_id,
                status,
                assigned_staff_id,
                caller_subscribed,
                users_see_all,
            )| {
                TicketFacts {
                    company_id,
                    contact_id,
                    status,
                    assigned_staff_id,
                    caller_subscribed,
                    caller_assigned: false,
                    users_see_all,
                }
            },
        )
}

/// One thing that may happen to a ticket.
#[derive(Debug, Clone)]
enum Step {
    Move(Principal, TicketStatus),
    SignOff(Principal),
    /// The server closing a Completed ticket nobody answered.
    AutoClose,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (principal(), status()).prop_map(|(p, to)| Step::Move(p, to)),
        1 => principal().prop_map(Step::SignOff),
        1 => Just(Step::AutoClose),
    ]
}

fn is_final(s: TicketStatus) -> bool {
    matches!(s, Closed | Cancelled | NoActionRequired)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The policy offers exactly the table's moves, to exactly the callers
    /// the document names, and a move outside the offer is refused.
    #[test]
    fn the_offered_moves_are_the_documented_ones(p in principal(), t in ticket()) {
        let mut offered = allowed_statuses(&p, &t).to_vec();
        let mut table = expected(&p, &t);
        offered.sort();
        table.sort();
        prop_assert_eq!(&offered, &table, "{:?} on {:?}", p, t);
        prop_assert_eq!(change_status(&p, &t).is_ok(), may_move(&p, &t));
        // A client's rejection of completion, and only that, needs a note.
        for to in TicketStatus::ALL {
            let note = move_needs_note(&p, t.status, to);
            let rejecting = matches!(p, Principal::Contact { .. })
                && t.status == Completed
                && to == InProgress;
            prop_assert_eq!(note, rejecting);
        }
    }

    /// Any sequence of attempts by anyone, from New: the ticket never goes
    /// back to New, never leaves a final status, is closed only from
    /// Completed (by sign-off or the automatic close), and staff never end
    /// it themselves.
    #[test]
    fn no_sequence_reaches_a_forbidden_state(
        base in ticket(),
        steps in prop::collection::vec(step(), 1..40),
    ) {
        let mut t = TicketFacts { status: New, ..base };
        for step in steps {
            let from = t.status;
            let to = match &step {
                Step::Move(p, to) => allowed_statuses(p, &t).contains(to).then_some(*to),
                Step::SignOff(p) => {
                    (sign_off(p, &t).is_ok() && from == Completed).then_some(Closed)
                }
                Step::AutoClose => (from == Completed).then_some(Closed),
            };
            let Some(to) = to else { continue };
            prop_assert_ne!(to, New, "{:?}", step);
            prop_assert!(!is_final(from), "{:?} left final {:?}", step, from);
            if to == Closed {
                prop_assert_eq!(from, Completed, "{:?}", step);
                prop_assert!(!matches!(step, Step::Move(..)), "a bare move closed it");
            }
            if let Step::Move(Principal::Staff { .. }, _) = step {
                prop_assert!(!is_final(to), "staff ended it: {:?}", step);
            }
            t.status = to;
        }
        // Once final, nobody is offered anything.
        if is_final(t.status) {
            for p in [
                Principal::Staff { staff_id: 1, role: StaffRole::Admin },
                Principal::Contact { contact_id: t.contact_id, company_id: t.company_id, access: AccessLevel::Admin },
            ] {
                prop_assert!(allowed_statuses(&p, &t).is_empty());
            }
        }
    }
}
