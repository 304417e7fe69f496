//! Reply addresses (docs/MAIL.md, "Replies by e-mail"). Each ticket message
//! to a contact carries an address of its own, `desk+N.C.MAC@domain` for
//! the sender `desk@domain`: ticket N, contact C, and a MAC of both under a
//! key only the server holds. Nobody can make one for another ticket or
//! another contact, so a reply lands on the one ticket it answers, as the
//! one contact it was sent to, whatever company they guess at.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of the MAC kept in an address: 80 bits are out of reach of
/// guessing over SMTP, and the local part stays under its 64 characters.
const MAC_BYTES: usize = 10;

/// The ticket and contact a reply token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyTo {
    pub ticket: i64,
    pub contact: i64,
}

/// The server's key for reply tokens (`store::server_keys`).
#[derive(Clone)]
pub struct ReplyKey([u8; 32]);

impl ReplyKey {
    pub fn new(key: [u8; 32]) -> Self {
        Self(key)
    }

    fn mac(&self, to: ReplyTo) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("reply:{}:{}", to.ticket, to.contact).as_bytes());
        mac
    }

    /// The token for replies by `to.contact` to `to.ticket`.
    pub fn token(&self, to: ReplyTo) -> String {
        let mac = self.mac(to).finalize().into_bytes();
        format!(
            "{}.{}.{}",
            to.ticket,
            to.contact,
            hex::encode(&mac[..MAC_BYTES])
        )
    }

    /// What `token` names, when this key made it. Case does not matter: some
    /// mail servers fold the local part.
    pub fn check(&self, token: &str) -> Option<ReplyTo> {
        let mut parts = token.split('.');
        let ticket = parts.next()?.parse().ok()?;
        let contact = parts.next()?.parse().ok()?;
        let mac = hex::decode(parts.next()?).ok()?;
        if parts.next().is_some() || mac.len() != MAC_BYTES {
            return None;
        }
        let to = ReplyTo { ticket, contact };
        self.mac(to).verify_truncated_left(&mac).ok()?;
        Some(to)
    }
}

/// The addresses mail comes in at: the support address itself (a new
/// ticket) and its `+token` sub-addresses (replies).
#[derive(Debug, Clone)]
pub struct Mailboxes {
    local: String,
    domain: String,
}

/// What an incoming recipient address is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    Support,
    Reply(String),
}

impl Mailboxes {
    /// The mailboxes of the support address `address` (the sender of mail).
    pub fn new(address: &lettre::Address) -> Self {
        Self {
            local: address.user().to_ascii_lowercase(),
            domain: address.domain().to_ascii_lowercase(),
        }
    }

    pub fn support(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }

    /// The reply address carrying `token`.
    pub fn reply(&self, token: &str) -> String {
        format!("{}+{token}@{}", self.local, self.domain)
    }

    /// What `address` is to us (`None`: not ours). Angle brackets and case
    /// are ignored.
    pub fn recipient(&self, address: &str) -> Option<Recipient> {
        let address = address
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_ascii_lowercase();
        let (local, domain) = address.rsplit_once('@')?;
        if domain != self.domain {
            return None;
        }
        if local == self.local {
            return Some(Recipient::Support);
        }
        let token = local.strip_prefix(&self.local)?.strip_prefix('+')?;
        Some(Recipient::Reply(token.to_owned()))
    }
}

/// The Message-ID of an outbox message: the same on every attempt, and
/// carrying the reply token when there is one, so a reply sent to the
/// support address rather than the reply address is still recognised by
/// its In-Reply-To or References.
pub fn message_id(outbox_id: i64, created_at: i64, token: Option<&str>) -> String {
    match token {
        Some(token) => format!("<outbox-{outbox_id}-{created_at}.{token}@portal>"),
        None => format!("<outbox-{outbox_id}-{created_at}@portal>"),
    }
}

/// The reply token inside a Message-ID made by `message_id`, if any.
pub fn token_in_message_id(id: &str) -> Option<&str> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let rest = id.strip_prefix("outbox-")?.strip_suffix("@portal")?;
    rest.split_once('.').map(|(_, token)| token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(byte: u8) -> ReplyKey {
        ReplyKey::new([byte; 32])
    }

    #[test]
    fn a_token_names_its_ticket_and_contact_under_its_key_only() {
        let to = ReplyTo {
            ticket: 1042,
            contact: 7,
        };
        let token = key(1).token(to);
        assert_eq!(key(1).check(&token), Some(to));
        assert_eq!(key(1).check(&token.to_ascii_uppercase()), Some(to));
        assert_eq!(key(2).check(&token), None, "another server's key");
        let mac = token.rsplit('.').next().unwrap();
        for forged in [
            format!("1043.7.{mac}"),
            format!("1042.8.{mac}"),
            format!("1042.7.{}", &mac[..mac.len() - 2]),
            format!("1042.7.{mac}.1"),
            "1042.7".to_owned(),
            String::new(),
        ] {
            assert_eq!(key(1).check(&forged), None, "{forged}");
        }
    }

    #[test]
    fn recipients_are_the_support_address_and_its_sub_addresses() {
        let boxes = Mailboxes::new(&"Desk@MSP.example".parse().unwrap());
        assert_eq!(boxes.support(), "desk@msp.example");
        assert_eq!(
            boxes.recipient("<desk@msp.example>"),
            Some(Recipient::Support)
        );
        assert_eq!(
            boxes.recipient("DESK+12.3.ab@msp.example"),
            Some(Recipient::Reply("12.3.ab".into()))
        );
        assert_eq!(boxes.reply("12.3.ab"), "desk+12.3.ab@msp.example");
        assert_eq!(boxes.recipient("desk@other.example"), None);
        assert_eq!(boxes.recipient("deskx@msp.example"), None);
        assert_eq!(boxes.recipient("nobody"), None);
    }

    #[test]
    fn a_message_id_carries_the_token() {
        let id = message_id(5, 99, Some("12.3.ab"));
        assert_eq!(token_in_message_id(&id), Some("12.3.ab"));
        assert_eq!(token_in_message_id(&message_id(5, 99, None)), None);
        assert_eq!(token_in_message_id("<abc@mail.example>"), None);
    }

    proptest! {
        #[test]
        fn only_the_exact_token_checks(ticket in 1i64..10_000_000, contact in 1i64..10_000_000,
                                       other in 1i64..10_000_000) {
            let k = key(9);
            let to = ReplyTo { ticket, contact };
            prop_assert_eq!(k.check(&k.token(to)), Some(to));
            let mac = k.token(to).rsplit('.').next().unwrap().to_owned();
            if other != ticket {
                prop_assert_eq!(k.check(&format!("{other}.{contact}.{mac}")), None);
            }
            if other != contact {
                prop_assert_eq!(k.check(&format!("{ticket}.{other}.{mac}")), None);
            }
        }
    }
}
