//! Tickets changed by e-mail (docs/MAIL.md, "Replies by e-mail"): a reply
//! becomes a public post with its files, a new message a new ticket with
//! its files, each in one write, as the contact who sent it and under the
//! same policy as the same change made in the client.

use portal_proto::pb;
use sha2::{Digest, Sha256};
use tonic::Status;

use super::{Applied, Tickets, audience, author, back_with_us, requester, validate};
use crate::domain::Caller;
use crate::domain::tickets::{Author, DEFAULT_PRIORITY, NewTicket, TimelineKind};
use crate::mail::inbound::InboundFile;
use crate::mail::notify;
use crate::policy;
use crate::service::outcome::Outcome;
use crate::store::attachments::{self, Content, NewAttachment};
use crate::store::timeline::{self, Change};
use crate::store::{catalog, now_ms, tickets};
use rusqlite::Connection;

/// A message's file as an attachment: its name without any folder, its
/// type as sent or guessed from the name.
fn attachment_meta(file: &InboundFile, n: usize) -> NewAttachment {
    let name = file.name.rsplit(['/', '\\']).next().unwrap_or_default();
    let file_name = validate::file_name(name).unwrap_or_else(|_| format!("attachment-{n}"));
    let content_type = validate::content_type(&file.content_type, &file_name)
        .unwrap_or_else(|_| "application/octet-stream".to_owned());
    NewAttachment {
        title: file_name.clone(),
        file_name,
        content_type,
    }
}

fn attach_all(
    conn: &Connection,
    number: i64,
    files: &[InboundFile],
    by: &Author,
    now: i64,
) -> Outcome<()> {
    for (i, file) in files.iter().enumerate() {
        let meta = attachment_meta(file, i + 1);
        let sha256 = hex::encode(Sha256::digest(&file.data));
        let content = Content {
            sha256: &sha256,
            size: file.data.len() as u64,
            data: &mut file.data.as_slice(),
        };
        attachments::add(conn, number, &meta, content, by, now)?;
    }
    Ok(())
}

impl Tickets {
    /// Adds `body` and `files` to ticket `number` as one public post by
    /// `who`, a contact.
    pub async fn post_by_mail(
        &self,
        who: &Caller,
        number: i64,
        body: String,
        files: Vec<InboundFile>,
    ) -> Result<(), Status> {
        let now = now_ms();
        let by = author(who);
        self.change(who, number, now, move |conn, p, facts| {
            policy::post(p, facts)?;
            let change = Change::post(TimelineKind::Discussion, &body);
            timeline::append(conn, number, &by, change, now)?;
            attach_all(conn, number, &files, &by, now)?;
            let back = back_with_us(conn, number, facts.status, now)?;
            let summary = format!("{} replied by e-mail to #{number}{back}", by.name);
            Ok(Applied::changed((), pb::EventKind::PostAdded, summary))
        })
        .await
    }

    /// Opens a ticket for `who`, a contact, of the service type named
    /// `service_type` (`--default-service-type`), with
    /// `files` attached; returns its number.
    pub async fn open_by_mail(
        &self,
        who: &Caller,
        (title, description): (String, String),
        service_type: String,
        files: Vec<InboundFile>,
    ) -> Result<i64, Status> {
        let now = now_ms();
        let by = author(who);
        let p = who.principal.clone();
        let (ticket, audience) = self
            .state
            .write(move |conn| {
                let (company_id, contact_id) = requester(conn, &p, None, None)?;
                let service_type_id = catalog::active_id_by_name(conn, &service_type)?;
                let new = NewTicket {
                    company_id,
                    site_id: None,
                    contact_id,
                    service_type_id,
                    title,
                    description,
                    fields: Vec::new(),
                    priority: DEFAULT_PRIORITY,
                    emergency: false,
                    due_date: None,
                    po_number: String::new(),
                    contact_phone: String::new(),
                    contact_email: String::new(),
                };
                let ticket = tickets::create(conn, &new, now)?;
                attach_all(conn, ticket.number, &files, &by, now)?;
                notify::ticket_created(conn, &ticket, now)?;
                Ok((ticket.clone(), audience(conn, ticket.number, false)?))
            })
            .await?;
        let summary = format!("New ticket #{} by e-mail: {}", ticket.number, ticket.title);
        self.publish(
            pb::EventKind::TicketCreated,
            ticket.number,
            &who.name,
            summary,
            audience,
            now,
        );
        Ok(ticket.number)
    }
}
