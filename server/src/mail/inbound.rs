//! An incoming e-mail as the service desk reads it: who sent it, what it
//! answers, its new text and its files, and whether a machine sent it
//! (docs/MAIL.md, "Replies by e-mail"). Parsing is `mail-parser`'s.

use mail_parser::{HeaderValue, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use super::reply_text;

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundFile {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The Message-ID, or a hash of the message when it has none.
    pub message_id: String,
    /// The From address, lower-cased; empty when there is none.
    pub from: String,
    pub subject: String,
    /// What the sender wrote, without quoted history or signature.
    pub text: String,
    pub files: Vec<InboundFile>,
    /// The ids this answers (In-Reply-To, then References).
    pub answers: Vec<String>,
    /// Why this looks sent by a machine (an auto-reply, a bounce, a list).
    pub automatic: Option<&'static str>,
}

/// Reads `raw`; `None` when it is not a message at all.
pub fn parse(raw: &[u8]) -> Option<Inbound> {
    let message = MessageParser::default().parse(raw)?;
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let message_id = message.message_id().map_or_else(
        || format!("sha256:{}", hex::encode(Sha256::digest(raw))),
        |id| id.trim().to_owned(),
    );
    let text = message.body_text(0).unwrap_or_default();
    let files = message
        .attachments()
        .filter(|part| !part.contents().is_empty())
        .enumerate()
        .map(|(i, part)| InboundFile {
            name: part
                .attachment_name()
                .map_or_else(|| format!("attachment-{}", i + 1), str::to_owned),
            content_type: part.content_type().map_or_else(
                || "application/octet-stream".to_owned(),
                |t| match t.subtype() {
                    Some(sub) => format!("{}/{sub}", t.ctype()),
                    None => t.ctype().to_owned(),
                },
            ),
            data: part.contents().to_vec(),
        })
        .collect();
    let mut answers = ids(message.in_reply_to());
    answers.extend(ids(message.references()));
    Some(Inbound {
        message_id,
        from,
        subject: message.subject().unwrap_or_default().trim().to_owned(),
        text: reply_text::new_text(&text),
        files,
        answers,
        automatic: automatic(&message),
    })
}

fn ids(value: &HeaderValue) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(list) => list.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

/// Why `message` was sent by a machine rather than typed by a person, by
/// the headers auto-responders, bounces and mailing lists set (RFC 3834 and
/// the common non-standard ones).
fn automatic(message: &mail_parser::Message) -> Option<&'static str> {
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    if header("Auto-Submitted").is_some_and(|v| v != "no") {
        return Some("Auto-Submitted");
    }
    if header("Precedence")
        .is_some_and(|v| ["bulk", "junk", "list", "auto_reply"].contains(&v.as_str()))
    {
        return Some("Precedence");
    }
    if [
        "X-Autoreply",
        "X-Autorespond",
        "X-Auto-Response-Suppress",
        "List-Id",
    ]
    .into_iter()
    .any(|name| header(name).is_some())
    {
        return Some("auto-reply or list header");
    }
    let content_type = message.root_part().content_type();
    if content_type.is_some_and(|t| {
        t.subtype()
            .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    }) {
        return Some("delivery report");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPLY: &str = "From: Ana Client <Ana@Client.example>\r\n\
        To: desk+12.3.ab@msp.example\r\n\
        Subject: Re: [#12] Reply: Printer\r\n\
        Message-ID: <m1@client.example>\r\n\
        In-Reply-To: <outbox-5-99.12.3.ab@portal>\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
        It works now.\r\n\r\nOn Tue, Desk wrote:\r\n> Try again.\r\n\
        --b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"log.txt\"\r\n\r\n\
        line 1\r\n--b--\r\n";

    #[test]
    fn a_reply_is_read_with_its_text_files_and_what_it_answers() {
        let m = parse(REPLY.as_bytes()).unwrap();
        assert_eq!(m.from, "ana@client.example");
        assert_eq!(m.message_id, "m1@client.example");
        assert_eq!(m.subject, "Re: [#12] Reply: Printer");
        assert_eq!(m.text, "It works now.");
        assert_eq!(m.answers, vec!["outbox-5-99.12.3.ab@portal".to_owned()]);
        assert_eq!(m.files.len(), 1);
        assert_eq!(m.files[0].name, "log.txt");
        assert_eq!(m.files[0].content_type, "text/plain");
        assert_eq!(m.automatic, None);
    }

    #[test]
    fn machine_mail_is_recognised() {
        let auto = REPLY.replace(
            "MIME-Version",
            "Auto-Submitted: auto-replied\r\nMIME-Version",
        );
        assert_eq!(
            parse(auto.as_bytes()).unwrap().automatic,
            Some("Auto-Submitted")
        );
        let bulk = REPLY.replace("MIME-Version", "Precedence: bulk\r\nMIME-Version");
        assert_eq!(
            parse(bulk.as_bytes()).unwrap().automatic,
            Some("Precedence")
        );
        let typed = REPLY.replace("MIME-Version", "Auto-Submitted: no\r\nMIME-Version");
        assert_eq!(parse(typed.as_bytes()).unwrap().automatic, None);
    }

    #[test]
    fn a_message_without_an_id_is_known_by_its_hash() {
        let raw = "From: a@b.example\r\nSubject: x\r\n\r\nhello\r\n";
        let m = parse(raw.as_bytes()).unwrap();
        assert!(m.message_id.starts_with("sha256:"));
        assert_eq!(m.text, "hello");
    }
}
