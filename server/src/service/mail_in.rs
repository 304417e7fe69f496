//! Mail in (docs/MAIL.md, "Replies by e-mail"): what becomes of a message
//! the SMTP listener accepted. A reply to a ticket's reply address, from
//! the contact it was sent to, becomes a public post; a message to the
//! support address from a known contact opens a ticket. Everything else
//! (unknown or mismatched senders, forged addresses, auto-replies,
//! bounces, loops) is dropped with a log line and a `mail.dropped` audit
//! entry. The sender is never told which: answering would tell a stranger
//! who is a contact, and would feed a loop.

use std::fmt::Write as _;

use tonic::{Code, Status};

use super::AppState;
use super::tickets::Tickets;
use crate::domain::AuditAction;
use crate::domain::Caller;
use crate::mail::inbound::{self, Inbound, InboundFile};
use crate::mail::reply_address::{self, Mailboxes, Recipient, ReplyKey, ReplyTo};
use crate::store::audit::{self, AuditEvent};
use crate::store::mail_in::{self, Outcome};
use crate::store::{self, credentials, now_ms};

/// New tickets by mail one sender may open in an hour; more is a loop
/// with some machine that answers every message, or a flood.
const OPENED_PER_HOUR: u32 = 10;
/// The longest text kept from a message: the limit of a post, less room
/// for the note that says it was cut.
const MAX_TEXT_BYTES: usize = 60_000;
const HOUR_MS: i64 = 3_600_000;

/// What the SMTP listener answers the sending server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Taken (acted on, or dropped on purpose).
    Accepted,
    /// The store could not take it now: the sending server tries again.
    TryLater,
}

pub struct MailIn {
    state: AppState,
    tickets: Tickets,
    key: ReplyKey,
    boxes: Mailboxes,
}

impl MailIn {
    /// Mail in for the support address of `state`'s config (`--mail-from`).
    pub async fn new(state: AppState) -> Result<Self, store::StoreError> {
        let key = ReplyKey::new(state.store.write(mail_in::reply_key).await?);
        let boxes = Mailboxes::new(&state.config.mail_from.email);
        Ok(Self {
            tickets: Tickets::new(state.clone()),
            state,
            key,
            boxes,
        })
    }

    pub fn mailboxes(&self) -> &Mailboxes {
        &self.boxes
    }

    /// Acts on the message `raw`, delivered to `recipients` with the
    /// envelope sender `envelope_from` (empty for a bounce).
    pub async fn receive(&self, envelope_from: &str, recipients: &[String], raw: &[u8]) -> Verdict {
        let Some(message) = inbound::parse(raw) else {
            let drop = Drop::new("", "", "not an e-mail message");
            return self.dropped(drop).await;
        };
        match self.seen(&message.message_id).await {
            Ok(true) => return Verdict::Accepted,
            Ok(false) => {}
            Err(_) => return Verdict::TryLater,
        }
        let reason = if envelope_from.is_empty() {
            Some("a bounce (no envelope sender)")
        } else {
            message.automatic.map(|_| "sent automatically")
        };
        if let Some(reason) = reason {
            let detail = message.automatic.unwrap_or_default();
            return self
                .dropped(Drop::new(&message.message_id, &message.from, reason).with(detail))
                .await;
        }
        if message.from == self.boxes.support() {
            let drop = Drop::new(&message.message_id, &message.from, "sent by ourselves");
            return self.dropped(drop).await;
        }
        let replying = match self.reply_target(recipients, &message) {
            Ok(target) => target,
            Err(reason) => {
                return self
                    .dropped(Drop::new(&message.message_id, &message.from, reason))
                    .await;
            }
        };
        let sender = match self.contact(&message.from).await {
            Ok(Some(sender)) => sender,
            Ok(None) => {
                let drop = Drop::new(&message.message_id, &message.from, "unknown sender");
                return self.dropped(drop).await;
            }
            Err(_) => return Verdict::TryLater,
        };
        match replying {
            Some(to) => self.reply(&sender, to, message).await,
            None => self.open(&sender, message).await,
        }
    }

    /// The ticket and contact a reply is for: from a reply address it was
    /// sent to, or, sent to the support address, from the Message-ID it
    /// answers. `Ok(None)`: not a reply. A reply address that is not ours
    /// is refused, never taken for a new ticket.
    fn reply_target(
        &self,
        recipients: &[String],
        message: &Inbound,
    ) -> Result<Option<ReplyTo>, &'static str> {
        let tokens: Vec<String> = recipients
            .iter()
            .filter_map(|r| match self.boxes.recipient(r) {
                Some(Recipient::Reply(token)) => Some(token),
                _ => None,
            })
            .collect();
        if let Some(token) = tokens.first() {
            return self
                .key
                .check(token)
                .map(Some)
                .ok_or("a reply address the server did not make");
        }
        Ok(message
            .answers
            .iter()
            .filter_map(|id| reply_address::token_in_message_id(id))
            .find_map(|token| self.key.check(token)))
    }

    /// The contact who may sign in with login e-mail `from`, as a caller.
    async fn contact(&self, from: &str) -> Result<Option<Caller>, Status> {
        let from = from.to_owned();
        let account = self
            .state
            .read(move |c| Ok(credentials::find_by_email(c, &from)?))
            .await?;
        Ok(account.and_then(|a| {
            let principal = a.principal()?;
            matches!(principal, crate::domain::Principal::Contact { .. }).then(|| Caller {
                principal,
                session_id: 0,
                name: a.display_name(),
                email: a.email,
                must_change_password: false,
            })
        }))
    }

    async fn reply(&self, sender: &Caller, to: ReplyTo, message: Inbound) -> Verdict {
        let id = message.message_id.clone();
        if to.contact != sender.principal.subject_id() {
            let reason = "the sender is not the contact the reply address was sent to";
            return self.dropped(Drop::new(&id, &message.from, reason)).await;
        }
        let (body, files) = self.content(&message.text, message.files);
        if body.is_empty() {
            return self
                .dropped(Drop::new(&id, &sender.email, "nothing new in the reply"))
                .await;
        }
        let done = self
            .tickets
            .post_by_mail(sender, to.ticket, body, files)
            .await;
        self.done(done.map(|()| to.ticket), (&id, sender), Outcome::Posted)
            .await
    }

    async fn open(&self, sender: &Caller, message: Inbound) -> Verdict {
        let id = message.message_id.clone();
        let since = now_ms() - HOUR_MS;
        let email = sender.email.clone();
        let opened = self
            .state
            .read(move |c| Ok(mail_in::opened_since(c, &email, since)?))
            .await;
        match opened {
            Ok(n) if n >= OPENED_PER_HOUR => {
                let reason = "more new tickets by mail in an hour than allowed (a loop?)";
                return self.dropped(Drop::new(&id, &sender.email, reason)).await;
            }
            Ok(_) => {}
            Err(_) => return Verdict::TryLater,
        }
        let (description, files) = self.content(&message.text, message.files);
        let title = title(&message.subject, &description);
        if description.is_empty() {
            return self
                .dropped(Drop::new(&id, &sender.email, "an empty message"))
                .await;
        }
        let service_type = self.state.config.default_service_type.clone();
        let done = self
            .tickets
            .open_by_mail(sender, (title, description), service_type, files)
            .await;
        self.done(done, (&id, sender), Outcome::Opened).await
    }

    /// The text to keep and the files to attach: control characters out,
    /// the text cut to what a post holds, files over the upload limit left
    /// out, each saying so in the text.
    fn content(&self, text: &str, files: Vec<InboundFile>) -> (String, Vec<InboundFile>) {
        let mut text: String = text
            .chars()
            .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
            .collect();
        if text.len() > MAX_TEXT_BYTES {
            let mut end = MAX_TEXT_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push_str("\n\n[The e-mail was longer; the rest was cut.]");
        }
        let max = self.state.config.max_upload_bytes;
        let (kept, too_large): (Vec<_>, Vec<_>) =
            files.into_iter().partition(|f| f.data.len() as u64 <= max);
        for file in &too_large {
            let _ = write!(
                text,
                "\n\n[{} was not attached: larger than {} MiB.]",
                file.name,
                max / (1024 * 1024)
            );
        }
        if text.trim().is_empty() && !kept.is_empty() {
            text = format!("Sent by e-mail with {} attached.", files_named(&kept));
        }
        (text.trim().to_owned(), kept)
    }

    async fn seen(&self, id: &str) -> Result<bool, Status> {
        let id = id.to_owned();
        self.state.read(move |c| Ok(mail_in::seen(c, &id)?)).await
    }

    /// Records what a post or a new ticket came to. A refusal by policy
    /// (the ticket is gone, closed to posts, or the contact may not see it)
    /// drops the message; a store that cannot take it asks for it again.
    async fn done(
        &self,
        result: Result<i64, Status>,
        (id, sender): (&str, &Caller),
        outcome: Outcome,
    ) -> Verdict {
        match result {
            Ok(ticket) => {
                let (id, email) = (id.to_owned(), sender.email.clone());
                let now = now_ms();
                let recorded = self
                    .state
                    .write(move |c| {
                        Ok(mail_in::record(
                            c,
                            (&id, &email),
                            outcome,
                            Some(ticket),
                            now,
                        )?)
                    })
                    .await;
                tracing::info!(from = %sender.email, ticket, ?outcome, "mail in");
                if recorded.is_err() {
                    tracing::warn!("mail in: acted on, but not recorded as received");
                }
                Verdict::Accepted
            }
            Err(status)
                if matches!(
                    status.code(),
                    Code::Unavailable | Code::Internal | Code::ResourceExhausted
                ) =>
            {
                tracing::warn!(from = %sender.email, error = %status.message(), "mail in: try later");
                Verdict::TryLater
            }
            Err(status) => {
                let drop = Drop::new(id, &sender.email, "refused")
                    .with(status.message())
                    .company(sender.principal.company_id());
                self.dropped(drop).await
            }
        }
    }

    async fn dropped(&self, drop: Drop) -> Verdict {
        tracing::warn!(from = %drop.from, message_id = %drop.message_id, reason = drop.reason,
            detail = %drop.detail, "mail dropped");
        let now = now_ms();
        let written = self
            .state
            .write(move |c| {
                if !drop.message_id.is_empty() {
                    let id = (drop.message_id.as_str(), drop.from.as_str());
                    mail_in::record(c, id, Outcome::Dropped, None, now)?;
                }
                let detail = if drop.detail.is_empty() {
                    drop.reason.to_owned()
                } else {
                    format!("{}: {}", drop.reason, drop.detail)
                };
                let event = AuditEvent {
                    actor: drop.from,
                    action: AuditAction::MailDropped,
                    subject: drop.message_id,
                    company_id: drop.company_id,
                    detail,
                };
                Ok(audit::record(c, now, &event)?)
            })
            .await;
        match written {
            Ok(()) => Verdict::Accepted,
            Err(_) => Verdict::TryLater,
        }
    }
}

/// A message dropped, and why.
struct Drop {
    message_id: String,
    from: String,
    reason: &'static str,
    detail: String,
    company_id: Option<i64>,
}

impl Drop {
    fn new(message_id: &str, from: &str, reason: &'static str) -> Self {
        Self {
            message_id: message_id.to_owned(),
            from: from.to_owned(),
            reason,
            detail: String::new(),
            company_id: None,
        }
    }

    fn with(mut self, detail: &str) -> Self {
        detail.clone_into(&mut self.detail);
        self
    }

    fn company(mut self, company_id: Option<i64>) -> Self {
        self.company_id = company_id;
        self
    }
}

/// A new ticket's title: the subject, or else the first line of the text,
/// on one line and at most 200 characters.
fn title(subject: &str, text: &str) -> String {
    let line = if subject.trim().is_empty() {
        text.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("(no subject)")
    } else {
        subject
    };
    let line: String = line.chars().filter(|c| !c.is_control()).collect();
    line.trim().chars().take(200).collect()
}

fn files_named(files: &[InboundFile]) -> String {
    files
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::title;

    #[test]
    fn a_title_is_the_subject_or_the_first_line() {
        assert_eq!(title(" Printer jam ", "x"), "Printer jam");
        assert_eq!(title("", "\n\nScanner down\nsince Monday"), "Scanner down");
        assert_eq!(title("", ""), "(no subject)");
        assert_eq!(title(&"a".repeat(300), "").len(), 200);
    }
}
