//! E-mail (docs/MAIL.md). Out: `notify` decides, inside the transaction of
//! a change, who is mailed what and queues it in the outbox; `sender`
//! delivers the outbox over SMTP in the background. In: `listener` takes
//! mail over SMTP, `inbound` reads it, `reply_text` keeps what was newly
//! written, `reply_address` ties a reply to its ticket and contact.

pub mod inbound;
pub mod listener;
pub mod notify;
pub mod reply_address;
pub mod reply_text;
pub mod sender;
