//! The SMTP listener of mail in (`--mail-listen`; docs/MAIL.md, "Replies
//! by e-mail"). `mailin` is the SMTP state machine, with no I/O of its own,
//! so it runs here on the server's runtime: each connection reads lines,
//! hands them to the machine and writes its answers. Recipients other than
//! the support address and its reply addresses are refused at RCPT; a
//! whole message is acted on (`service::mail_in`) before the sending
//! server is told it was taken, so nothing accepted is lost. A server with
//! a certificate offers STARTTLS with it.

use std::io;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin::{Action, Handler, Response, SessionBuilder, response};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::service::mail_in::{MailIn, Verdict};

/// Connections served at once; more are told to come back later.
const MAX_CONNECTIONS: usize = 32;
/// A sending server silent this long is cut off (RFC 5321 asks for at
/// least five minutes).
const IDLE: Duration = Duration::from_mins(5);
/// The longest line read; SMTP's limit is 1,000, but real mail breaks it.
const MAX_LINE: u64 = 64 * 1024;
/// Recipients one message may have.
const MAX_RECIPIENTS: usize = 20;

/// The largest message taken: room for one attachment of `max_upload`
/// bytes in base64 (a third larger) and a text around it.
pub fn max_message_bytes(max_upload: u64) -> usize {
    usize::try_from(max_upload / 3 * 4 + 1024 * 1024).unwrap_or(usize::MAX)
}

/// Serves SMTP on `listener` for as long as the server runs, offering
/// STARTTLS with `tls`. A message may be up to `max_bytes` long.
pub async fn serve(
    listener: TcpListener,
    mail_in: Arc<MailIn>,
    max_bytes: usize,
    tls: Option<TlsAcceptor>,
) {
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (mut stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "mail in: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Each answer is one small write the client waits for: sent at
        // once, not held for the delayed ACK of the one before.
        let _ = stream.set_nodelay(true);
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            let _ = stream.write_all(b"421 Too busy, try again later\r\n").await;
            continue;
        };
        let mail_in = mail_in.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            if let Err(e) = session(stream, peer.ip(), &mail_in, max_bytes, tls).await {
                tracing::debug!(%peer, error = %e, "mail in: connection ended");
            }
            drop(permit);
        });
    }
}

/// Stands in for the null reverse-path `<>` of bounces (RFC 5321), which
/// `mailin`'s parser does not take; ".invalid" can never be an address.
const NULL_SENDER: &str = "null-sender@portal.invalid";

/// A `MAIL FROM:<>` command line with the stand-in for `<>`.
fn with_null_sender(line: &[u8]) -> Option<Vec<u8>> {
    const COMMAND: &[u8] = b"mail from:<>";
    let rest = line.get(COMMAND.len()..)?;
    line[..COMMAND.len()]
        .eq_ignore_ascii_case(COMMAND)
        .then(|| {
            let mut fixed = format!("MAIL FROM:<{NULL_SENDER}>").into_bytes();
            fixed.extend_from_slice(rest);
            fixed
        })
}

/// One message as it arrives.
#[derive(Default)]
struct Envelope {
    from: String,
    recipients: Vec<String>,
    data: Vec<u8>,
    too_large: bool,
}

/// The `mailin` handler: takes recipients and data, and hands a finished
/// message over through `done`, since the machine's callbacks cannot wait
/// for the store.
struct Collector {
    mail_in: Arc<MailIn>,
    max_bytes: usize,
    current: Envelope,
    done: Arc<Mutex<Option<Envelope>>>,
}

impl Handler for Collector {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.current = Envelope {
            from: if from == NULL_SENDER { "" } else { from }.to_owned(),
            ..Envelope::default()
        };
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if self.current.recipients.len() >= MAX_RECIPIENTS {
            return Response::custom(452, "Too many recipients".into());
        }
        if self.mail_in.mailboxes().recipient(to).is_none() {
            return response::NO_MAILBOX;
        }
        self.current.recipients.push(to.to_owned());
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.current.data.len() + buf.len() > self.max_bytes {
            self.current.too_large = true;
            self.current.data = Vec::new();
        } else if !self.current.too_large {
            self.current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let envelope = std::mem::take(&mut self.current);
        if let Ok(mut done) = self.done.lock() {
            *done = Some(envelope);
        }
        response::OK
    }
}

async fn session(
    stream: TcpStream,
    peer: IpAddr,
    mail_in: &Arc<MailIn>,
    max_bytes: usize,
    tls: Option<TlsAcceptor>,
) -> io::Result<()> {
    let done = Arc::new(Mutex::new(None));
    let collector = Collector {
        mail_in: mail_in.clone(),
        max_bytes,
        current: Envelope::default(),
        done: done.clone(),
    };
    let mut builder = SessionBuilder::new("portal");
    if tls.is_some() {
        builder.enable_start_tls();
    }
    let mut smtp = builder.build(peer, collector);
    let mut plain = BufReader::new(stream);
    plain.write_all(&smtp.greeting().buffer()?).await?;
    let mut talk = Conversation {
        smtp: &mut smtp,
        done: &done,
        mail_in,
        max_bytes,
    };
    if talk.until_close_or_tls(&mut plain).await? == Ended::Closed {
        return Ok(());
    }
    // Lines sent before the handshake would be taken as sent over TLS:
    // command injection (CVE-2011-0411), so they end the connection.
    let (Some(tls), true) = (tls, plain.buffer().is_empty()) else {
        return Ok(());
    };
    let secure = tls.accept(plain.into_inner()).await?;
    talk.smtp.tls_active();
    talk.until_close_or_tls(&mut BufReader::new(secure)).await?;
    Ok(())
}

/// How a stretch of the conversation ended.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    Closed,
    /// The client asked for STARTTLS and was told to go ahead.
    StartTls,
}

/// One connection's SMTP session and where its messages go.
struct Conversation<'a> {
    smtp: &'a mut mailin::Session<Collector>,
    done: &'a Mutex<Option<Envelope>>,
    mail_in: &'a MailIn,
    max_bytes: usize,
}

impl Conversation<'_> {
    /// Reads commands and message lines from `conn` and answers them, until
    /// the client leaves or STARTTLS is agreed.
    async fn until_close_or_tls<S>(&mut self, conn: &mut S) -> io::Result<Ended>
    where
        S: AsyncBufRead + AsyncWrite + Unpin,
    {
        let mut line = Vec::new();
        // Between DATA's 354 and the lone ".": message lines, not commands.
        let mut in_data = false;
        loop {
            line.clear();
            let mut limited = (&mut *conn).take(MAX_LINE);
            let n = tokio::time::timeout(IDLE, limited.read_until(b'\n', &mut line))
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "idle"))??;
            if n == 0 {
                return Ok(Ended::Closed);
            }
            if !line.ends_with(b"\n") {
                conn.write_all(b"500 Line too long\r\n").await?;
                return Ok(Ended::Closed);
            }
            let bounce = if in_data {
                None
            } else {
                with_null_sender(&line)
            };
            let mut answer = self.smtp.process(bounce.as_deref().unwrap_or(&line));
            if in_data && line == b".\r\n" {
                in_data = false;
            }
            if answer.code == 354 {
                in_data = true;
            }
            let finished = self.done.lock().ok().and_then(|mut d| d.take());
            if let Some(envelope) = finished {
                answer = deliver(self.mail_in, envelope, self.max_bytes).await;
            }
            if !matches!(answer.action, Action::NoReply) {
                conn.write_all(&answer.buffer()?).await?;
                // Over TLS the answer may wait in the session's buffer.
                conn.flush().await?;
            }
            match answer.action {
                Action::Close => return Ok(Ended::Closed),
                Action::UpgradeTls => return Ok(Ended::StartTls),
                Action::Reply | Action::NoReply => {}
            }
        }
    }
}

async fn deliver(mail_in: &MailIn, envelope: Envelope, max_bytes: usize) -> Response {
    if envelope.too_large {
        let mib = max_bytes / (1024 * 1024);
        return Response::custom(552, format!("Message larger than {mib} MiB"));
    }
    match mail_in
        .receive(&envelope.from, &envelope.recipients, &envelope.data)
        .await
    {
        Verdict::Accepted => response::OK,
        Verdict::TryLater => Response::custom(451, "Cannot take it now, try again later".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_sender_gets_the_stand_in_and_other_lines_stay() {
        assert_eq!(
            with_null_sender(b"MAIL FROM:<> SIZE=100\r\n").unwrap(),
            format!("MAIL FROM:<{NULL_SENDER}> SIZE=100\r\n").into_bytes()
        );
        assert_eq!(with_null_sender(b"mail from:<a@b.example>\r\n"), None);
        assert_eq!(with_null_sender(b"mail"), None);
    }

    #[test]
    fn a_message_leaves_room_for_base64() {
        assert_eq!(max_message_bytes(3 * 1024 * 1024), 5 * 1024 * 1024);
    }
}
