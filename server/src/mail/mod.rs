//! Outbound e-mail (docs/MAIL.md). `notify` decides, inside the
//! transaction of a change, who is mailed what and queues it in the outbox;
//! `sender` delivers the outbox over SMTP in the background.

pub mod notify;
pub mod sender;
