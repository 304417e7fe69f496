//! Bad input to the ratings (TicketService.RateTicket, ListRatings): each
//! bad field is named and nothing changes.

use portal_proto::pb;

use super::{Case, Fixture, forged_cursor, long, page};

/// A Closed Harbor ticket of Alice's, not rated: signed off by her.
pub async fn closed_ticket(f: &Fixture) -> anyhow::Result<i64> {
    let t = f.dina.tickets();
    let number = t
        .clone()
        .create_ticket(pb::CreateTicketRequest {
            title: "Rating input".into(),
            description: "x".into(),
            service_type_id: f.service_type,
            company_id: f.harbor,
            contact_id: f.alice_id,
            ..Default::default()
        })
        .await?
        .into_inner()
        .number;
    t.clone()
        .change_status(pb::ChangeStatusRequest {
            number,
            status: pb::TicketStatus::Completed.into(),
            note: String::new(),
        })
        .await?;
    let me = f
        .alice
        .accounts()
        .get_my_profile(pb::Empty {})
        .await?
        .into_inner();
    let d = me.contact.and_then(|c| c.details).unwrap_or_default();
    f.alice
        .work()
        .sign_off(pb::SignOffRequest {
            number,
            full_name: format!("{} {}", d.first_name, d.last_name),
            comment: String::new(),
        })
        .await?;
    Ok(number)
}

#[rustfmt::skip]
pub fn rating_cases(f: &Fixture, closed: i64, cases: &mut Vec<Case>) {
    let alice = || f.alice.tickets();
    let staff = || f.dina.tickets();
    let rate = |number: i64, score: u32, comment: String| pb::RateTicketRequest { number, score, comment };
    case!(cases, "RateTicket", "number", "0", alice(), rate_ticket, rate(0, 5, String::new()));
    case!(cases, "RateTicket", "number", "-1", alice(), rate_ticket, rate(-1, 5, String::new()));
    case!(cases, "RateTicket", "score", "0", alice(), rate_ticket, rate(closed, 0, String::new()));
    case!(cases, "RateTicket", "score", "6", alice(), rate_ticket, rate(closed, 6, String::new()));
    case!(cases, "RateTicket", "score", "4294967295", alice(), rate_ticket, rate(closed, u32::MAX, String::new()));
    case!(cases, "RateTicket", "comment", "2001 characters", alice(), rate_ticket, rate(closed, 5, long(2001)));
    case!(cases, "RateTicket", "comment", "NUL byte", alice(), rate_ticket, rate(closed, 5, "good\0".into()));
    case!(cases, "RateTicket", "comment", "escape character", alice(), rate_ticket, rate(closed, 5, "good\x1b[2J".into()));
    let list = |company_id: i64, staff_id: i64, page: Option<pb::PageRequest>| pb::ListRatingsRequest { company_id, staff_id, page };
    case!(cases, "ListRatings", "company_id", "-1", staff(), list_ratings, list(-1, 0, None));
    case!(cases, "ListRatings", "staff_id", "-1", staff(), list_ratings, list(0, -1, None));
    case!(cases, "ListRatings", "page.page_size", "201", staff(), list_ratings, list(0, 0, page(201, "")));
    case!(cases, "ListRatings", "page.cursor", "forged", staff(), list_ratings, list(0, 0, page(0, &forged_cursor())));
    case!(cases, "ListRatings", "page.cursor", "not hex", staff(), list_ratings, list(0, 0, page(0, "xyz")));
}
