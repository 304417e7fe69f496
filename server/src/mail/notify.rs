//! Who is mailed what, queued in the outbox inside the transaction of the
//! change that causes it, so a change and its mail commit or roll back
//! together. Contacts get only what their notification preferences allow;
//! internal notes never produce mail; no mail ever holds a password.

use rusqlite::Connection;

use crate::domain::mail::{MailKind, OutgoingMail};
use crate::domain::tickets::{Ticket, priority_label};
use crate::domain::{RequestKind, TicketStatus};
use crate::store::{self, outbox, recipients};

const SIGNATURE: &str = "\n\n--\nSent by Portal. Open the ticket there to answer.\n";

/// Queues one message about `ticket` to each follower whose preferences
/// allow mail of this `kind`.
fn to_followers(
    conn: &Connection,
    ticket: &Ticket,
    kind: MailKind,
    subject: &str,
    body: &str,
    now: i64,
) -> store::Result<()> {
    let followers = recipients::ticket_followers(conn, ticket.number)?;
    to_each(conn, ticket, kind, (subject, body), followers, now)
}

/// Queues one message about `ticket` to each of `to` whose preferences
/// allow mail of this `kind`.
fn to_each(
    conn: &Connection,
    ticket: &Ticket,
    kind: MailKind,
    (subject, body): (&str, &str),
    to: Vec<recipients::Follower>,
    now: i64,
) -> store::Result<()> {
    let subject = format!("[#{}] {subject}", ticket.number);
    let body = format!("{body}{SIGNATURE}");
    for follower in to {
        if kind.wanted_by(&follower.notifications) {
            let mail = OutgoingMail {
                kind,
                recipient: follower.email,
                subject: subject.clone(),
                body: body.clone(),
                ticket_number: Some(ticket.number),
                contact_id: Some(follower.contact_id),
            };
            outbox::enqueue(conn, &mail, now)?;
        }
    }
    Ok(())
}

fn heading(ticket: &Ticket) -> String {
    format!(
        "Ticket #{}: {}\nStatus: {}   Priority: {}   Company: {}",
        ticket.number,
        ticket.title,
        ticket.status.label(),
        priority_label(ticket.priority),
        ticket.company_name
    )
}

/// A new ticket: its confirmation to the requester (and any subscribers).
pub fn ticket_created(conn: &Connection, ticket: &Ticket, now: i64) -> store::Result<()> {
    let body = format!(
        "We received your ticket.\n\n{}\n\n{}",
        heading(ticket),
        ticket.description
    );
    let kind = MailKind::TicketCreated;
    to_followers(
        conn,
        ticket,
        kind,
        &format!("Received: {}", ticket.title),
        &body,
        now,
    )
}

/// A public post by staff (a discussion post or a resolution).
pub fn staff_post(
    conn: &Connection,
    ticket: &Ticket,
    author: &str,
    post: &str,
    now: i64,
) -> store::Result<()> {
    let body = format!("{author} wrote:\n\n{post}\n\n{}", heading(ticket));
    let kind = MailKind::StaffReply;
    to_followers(
        conn,
        ticket,
        kind,
        &format!("Reply: {}", ticket.title),
        &body,
        now,
    )
}

/// A move of the ticket by staff or the system; a move to Completed asks
/// for sign-off instead.
pub fn status_changed(
    conn: &Connection,
    ticket: &Ticket,
    (from, by, note): (TicketStatus, &str, &str),
    now: i64,
) -> store::Result<()> {
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("\n\n{note}")
    };
    if ticket.status == TicketStatus::Completed {
        let body = format!(
            "{by} completed this ticket.{note}\n\n{}\n\nPlease sign off the work in Portal, \
             or reject it with a note saying what is missing.",
            heading(ticket)
        );
        let kind = MailKind::AwaitingSignOff;
        let subject = format!("Completed, awaiting your sign-off: {}", ticket.title);
        return to_followers(conn, ticket, kind, &subject, &body, now);
    }
    let body = format!(
        "{by} moved this ticket from {} to {}.{note}\n\n{}",
        from.label(),
        ticket.status.label(),
        heading(ticket)
    );
    let kind = MailKind::StatusChanged;
    let subject = format!("{}: {}", ticket.status.label(), ticket.title);
    to_followers(conn, ticket, kind, &subject, &body, now)
}

/// A closed ticket: its requester alone is asked, once, how we did
/// (docs/TICKETS.md, "Ratings"). A ticket never leaves Closed, so this is
/// queued at most once per ticket.
pub fn rating_requested(conn: &Connection, ticket: &Ticket, now: i64) -> store::Result<()> {
    let requester: Vec<_> = recipients::ticket_followers(conn, ticket.number)?
        .into_iter()
        .filter(|f| f.contact_id == ticket.contact_id)
        .collect();
    let body = format!(
        "Your ticket is closed. How did we do?\n\n{}\n\n\
         Rate it from 1 (poor) to 5 (excellent), with a comment if you like, in Portal:\n\
         open the ticket and press *, or run `portal tickets rate {} --score N`.",
        heading(ticket),
        ticket.number
    );
    let kind = MailKind::RatingRequested;
    let subject = format!("How did we do? {}", ticket.title);
    to_each(conn, ticket, kind, (&subject, &body), requester, now)
}

/// An estimate staff proposed on `ticket`, awaiting the client's decision:
/// the company's Managers and Admins, who decide it, are told if they want
/// the provider's replies.
pub fn estimate_awaiting(
    conn: &Connection,
    ticket: &Ticket,
    (description, amount): (&str, &str),
    now: i64,
) -> store::Result<()> {
    let body = format!(
        "An estimate awaits your company's approval.\n\n{description}\nAmount: {amount}\n\n{}\n\n\
         A Manager or Admin of your company can approve or decline it in Portal.",
        heading(ticket)
    );
    let kind = MailKind::EstimateAwaiting;
    let subject = format!("Estimate awaiting approval: {}", ticket.title);
    let deciders = recipients::company_deciders(conn, ticket.company_id)?;
    to_each(conn, ticket, kind, (&subject, &body), deciders, now)
}

/// A password-reset or access request, to those who resolve it. The mail
/// names who asked; it never holds a password.
pub fn request_filed(
    conn: &Connection,
    kind: RequestKind,
    (company_id, contact_id, email): (i64, i64, &str),
    message: &str,
    now: i64,
) -> store::Result<()> {
    let (mail_kind, subject, what) = match kind {
        RequestKind::PasswordReset => (
            MailKind::PasswordResetRequested,
            format!("Password reset requested by {email}"),
            "asked for a password reset",
        ),
        RequestKind::Access => (
            MailKind::AccessRequested,
            format!("Portal access requested by {email}"),
            "asked for access to Portal",
        ),
    };
    let message = if message.is_empty() {
        String::new()
    } else {
        format!("\n\nTheir message:\n{message}")
    };
    let body = format!(
        "{email} {what}.{message}\n\nResolve it under the pending requests in Portal.{SIGNATURE}"
    );
    for recipient in recipients::request_resolvers(conn, company_id, contact_id)? {
        let mail = OutgoingMail {
            kind: mail_kind,
            recipient,
            subject: subject.clone(),
            body: body.clone(),
            ticket_number: None,
            contact_id: None,
        };
        outbox::enqueue(conn, &mail, now)?;
    }
    Ok(())
}
