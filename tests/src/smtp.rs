//! Real SMTP on loopback for the mail tests, in processes of their own: a
//! server, Python's `aiosmtpd` running `tests/smtp_sink.py`, which writes
//! each message it accepts as a JSON line; and a client, Python's
//! `smtplib` running `tests/smtp_send.py`, which sends mail into Portal.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// One message as the SMTP server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub subject: String,
    pub message_id: String,
    pub reply_to: String,
    pub body: String,
}

impl Received {
    /// The bare address of the Reply-To ("Desk <a@b>" gives "a@b").
    pub fn reply_address(&self) -> &str {
        self.reply_to
            .rsplit_once('<')
            .map_or(self.reply_to.as_str(), |(_, rest)| {
                rest.trim_end_matches('>')
            })
    }
}

/// A running SMTP sink (killed on drop).
pub struct SmtpSink {
    pub port: u16,
    out: PathBuf,
    child: Option<Child>,
    _dir: TempDir,
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl SmtpSink {
    /// A sink on `port` refusing every recipient that contains `refuse`
    /// (nothing when empty).
    pub async fn start(port: u16, refuse: &str) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let out = dir.path().join("received.jsonl");
        let mut sink = Self {
            port,
            out,
            child: None,
            _dir: dir,
        };
        sink.restart(refuse).await?;
        Ok(sink)
    }

    /// Stops the server: the port refuses connections until `restart`.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.start_kill()?;
            child.wait().await?;
        }
        Ok(())
    }

    /// Starts the server again on the same port, keeping what it received.
    pub async fn restart(&mut self, refuse: &str) -> anyhow::Result<()> {
        self.stop().await?;
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(self.port.to_string())
            .arg(&self.out)
            .arg(refuse)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("cannot run python3")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let line = tokio::time::timeout(
            Duration::from_secs(30),
            BufReader::new(stdout).lines().next_line(),
        )
        .await
        .context("the SMTP sink did not start in 30 s")??;
        if line.as_deref() != Some("ready") {
            bail!("the SMTP sink did not start: {line:?}");
        }
        self.child = Some(child);
        Ok(())
    }

    /// Everything received so far, in order.
    pub fn received(&self) -> anyhow::Result<Vec<Received>> {
        let text = match std::fs::read_to_string(&self.out) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        // The sink may be writing a line right now: only whole lines count.
        let whole = text.rfind('\n').map_or("", |end| &text[..end]);
        whole
            .lines()
            .map(|line| {
                let v: serde_json::Value = serde_json::from_str(line)?;
                let s = |key: &str| v[key].as_str().unwrap_or_default().to_owned();
                Ok(Received {
                    mail_from: s("mail_from"),
                    rcpt_tos: v["rcpt_tos"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|r| r.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                    subject: s("subject"),
                    message_id: s("message_id"),
                    reply_to: s("reply_to"),
                    body: s("body"),
                })
            })
            .collect()
    }

    /// Waits (up to 30 s) until at least `count` messages arrived; returns
    /// them all.
    pub async fn wait_for(&self, count: usize) -> anyhow::Result<Vec<Received>> {
        for _ in 0..300 {
            let got = self.received()?;
            if got.len() >= count {
                return Ok(got);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "expected {count} messages within 30 s, got {:?}",
            self.received()?
        )
    }
}

/// `serve` flags for a server that mails through the sink on `port` as the
/// demo's provider (`desk@keystone.example`), retrying after 0.2 s.
pub fn mailing_through(port: u16) -> Vec<String> {
    let port = port.to_string();
    [
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
        "--mail-from",
        "Keystone Desk <desk@keystone.example>",
        "--mail-retry-seconds",
        "0.2",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// A message to send into Portal's mail in.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Extra headers, e.g. `("In-Reply-To", "<id>")`.
    pub headers: Vec<(String, String)>,
    /// Files attached: name and content.
    pub files: Vec<(String, Vec<u8>)>,
    /// The envelope sender, when not `from` ("" for a bounce).
    pub envelope_from: Option<String>,
    /// Sent over STARTTLS, trusting this CA certificate (PEM file) and
    /// nothing else; plaintext when None.
    pub starttls_ca: Option<PathBuf>,
}

/// Sends `mail` to the SMTP server at `addr` (HOST:PORT) with Python's
/// `smtplib`; returns the server's final reply code (250 when taken).
pub async fn send(addr: &str, mail: &Outgoing) -> anyhow::Result<u16> {
    let (host, port) = addr.rsplit_once(':').context("HOST:PORT")?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("smtp_send.py");
    let files: Vec<serde_json::Value> = mail
        .files
        .iter()
        .map(|(name, data)| serde_json::json!({"name": name, "hex": hex::encode(data)}))
        .collect();
    let request = serde_json::json!({
        "host": host, "port": port.parse::<u16>()?,
        "from": mail.from, "to": mail.to, "subject": mail.subject, "body": mail.body,
        "headers": mail.headers, "files": files,
        "envelope_from": mail.envelope_from.clone().unwrap_or_else(|| mail.from.clone()),
        "starttls_ca": mail.starttls_ca,
    });
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("cannot run python3")?;
    let mut stdin = child.stdin.take().context("no stdin")?;
    tokio::io::AsyncWriteExt::write_all(&mut stdin, request.to_string().as_bytes()).await?;
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .context("smtp_send.py did not finish in 30 s")??;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .parse()
        .with_context(|| format!("smtp_send.py printed {text:?}"))
}
