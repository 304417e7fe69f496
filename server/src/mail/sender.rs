//! The background sender: delivers due outbox messages over SMTP, one
//! connection each, and records each outcome at once, so a message that
//! was accepted is never sent again and one that was not is retried with a
//! doubling wait until `--mail-max-attempts`. The outbox is in the store,
//! so whatever was not yet sent is picked up again after a restart.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::reply_address::{self, Mailboxes, ReplyKey, ReplyTo};
use super::reply_text::REPLY_ABOVE;
use crate::config::{Config, SmtpTls};
use crate::domain::mail::QueuedMail;
use crate::store::{self, Store, mail_in, now_ms, outbox};

/// How often the outbox is looked at while nothing is due.
const POLL: Duration = Duration::from_secs(1);
/// Messages taken from the outbox at a time.
const BATCH: usize = 100;
/// The longest wait between two attempts.
const MAX_WAIT: Duration = Duration::from_hours(6);
/// An SMTP exchange that takes longer has failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where and how mail goes out.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
    /// With mail in on, ticket mail to a contact gets a reply address of its
    /// own (docs/MAIL.md, "Replies by e-mail").
    replies: Option<(ReplyKey, Mailboxes)>,
}

/// RFC 3834: mail a program sends on its own, which auto-responders must
/// not answer. Mail in drops mail marked so, which ends loops both ways.
const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");

impl Smtp {
    /// The SMTP connection `config` describes; `None` when no host is set.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Self>> {
        type Transport = AsyncSmtpTransport<Tokio1Executor>;
        let Some(host) = config.smtp_host.as_deref() else {
            return Ok(None);
        };
        let (builder, port) = match config.smtp_tls {
            SmtpTls::None => (Transport::builder_dangerous(host), 25),
            SmtpTls::Starttls => (Transport::starttls_relay(host)?, 587),
            SmtpTls::Tls => (Transport::relay(host)?, 465),
        };
        let mut builder = builder
            .port(config.smtp_port.unwrap_or(port))
            .timeout(Some(SMTP_TIMEOUT));
        if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.0.clone()));
        }
        Ok(Some(Self {
            transport: builder.build(),
            from: config.mail_from.clone(),
            replies: None,
        }))
    }

    /// Gives ticket mail reply addresses made with `key`.
    #[must_use]
    pub fn with_replies(mut self, key: ReplyKey) -> Self {
        self.replies = Some((key, Mailboxes::new(&self.from.email)));
        self
    }

    /// The reply token of `mail`, when it may be answered by e-mail.
    fn token(&self, mail: &QueuedMail) -> Option<String> {
        let (key, _) = self.replies.as_ref()?;
        let to = ReplyTo {
            ticket: mail.ticket_number?,
            contact: mail.contact_id?,
        };
        Some(key.token(to))
    }

    /// Sends one message; `Err` says why not and whether trying again may help.
    async fn send(&self, mail: &QueuedMail) -> Result<(), Refused> {
        let token = self.token(mail);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(mail.recipient.parse().map_err(|e| Refused {
                error: format!("recipient {}: {e}", mail.recipient),
                permanent: true,
            })?)
            .subject(&mail.subject)
            // The same id on every attempt, so a duplicate is recognisable.
            .message_id(Some(reply_address::message_id(
                mail.id,
                mail.created_at,
                token.as_deref(),
            )))
            .header(ContentType::TEXT_PLAIN);
        let mut body = mail.body.clone();
        if let (Some(token), Some((_, boxes))) = (&token, &self.replies) {
            let reply_to = boxes.reply(token).parse().map_err(|e| Refused {
                error: format!("reply address: {e}"),
                permanent: true,
            })?;
            builder = builder.reply_to(lettre::message::Mailbox::new(
                self.from.name.clone(),
                reply_to,
            ));
            body = format!("{REPLY_ABOVE}\n\n{body}");
        }
        let mut message = builder.body(body).map_err(|e| Refused {
            error: e.to_string(),
            permanent: true,
        })?;
        message.headers_mut().insert_raw(HeaderValue::new(
            AUTO_SUBMITTED,
            "auto-generated".to_owned(),
        ));
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| Refused {
                permanent: e.is_permanent(),
                error: e.to_string(),
            })
    }
}

/// Why a message was not sent.
struct Refused {
    error: String,
    /// The server refused it for good (5xx): retrying cannot help.
    permanent: bool,
}

/// Delivers the outbox for as long as the server runs. Without an SMTP
/// host it says once that mail is off and returns: messages stay queued.
pub async fn run(store: Store, config: Arc<Config>) {
    let smtp = match Smtp::from_config(&config) {
        Ok(Some(smtp)) => smtp,
        Ok(None) => {
            tracing::warn!("mail is off: no --smtp-host is set; mail stays in the outbox");
            return;
        }
        Err(e) => {
            tracing::error!(error = %e, "mail is off: the SMTP settings are unusable");
            return;
        }
    };
    let smtp = if config.mail_listen.is_some() {
        match store.write(mail_in::reply_key).await {
            Ok(key) => smtp.with_replies(ReplyKey::new(key)),
            Err(e) => {
                tracing::error!(error = %e, "mail is off: the reply key is unreadable");
                return;
            }
        }
    } else {
        smtp
    };
    tracing::info!(host = ?config.smtp_host, "mail is on");
    loop {
        match deliver_due(&store, &smtp, &config).await {
            Ok(n) if n == BATCH => {}
            Ok(_) => tokio::time::sleep(POLL).await,
            Err(e) => {
                tracing::warn!(error = %e, "mail sender could not use the store");
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

/// Sends the messages due now; returns how many were tried.
pub async fn deliver_due(store: &Store, smtp: &Smtp, config: &Config) -> store::Result<usize> {
    let now = now_ms();
    let due = store.read(move |c| outbox::due(c, now, BATCH)).await?;
    for mail in &due {
        let outcome = smtp.send(mail).await;
        let (id, attempts) = (mail.id, mail.attempts + 1);
        let now = now_ms();
        match outcome {
            Ok(()) => store.write(move |c| outbox::mark_sent(c, id, now)).await?,
            Err(refused) => {
                let retry_at = (!refused.permanent && attempts < config.mail_max_attempts)
                    .then(|| now + wait_ms(config.mail_retry_after, attempts));
                tracing::warn!(id, attempts, error = %refused.error, given_up = retry_at.is_none(),
                    "mail not sent");
                store
                    .write(move |c| outbox::mark_failed(c, id, &refused.error, retry_at, now))
                    .await?;
            }
        }
    }
    Ok(due.len())
}

/// The wait after the `attempts`-th failure: `first`, doubling each time,
/// at most `MAX_WAIT`.
fn wait_ms(first: Duration, attempts: u32) -> i64 {
    let wait = first
        .saturating_mul(1 << attempts.saturating_sub(1).min(20))
        .min(MAX_WAIT);
    i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_the_cap() {
        let first = Duration::from_mins(1);
        assert_eq!(wait_ms(first, 1), 60_000);
        assert_eq!(wait_ms(first, 2), 120_000);
        assert_eq!(wait_ms(first, 4), 480_000);
        assert_eq!(wait_ms(first, 30), 6 * 3_600_000);
    }
}
