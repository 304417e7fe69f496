//! One SSH connection: its sign-in, and for each session channel the
//! `portal` client it runs (in a pty for a terminal, on pipes for an exec
//! without one). Shells of the machine, port and agent forwarding, X11 and
//! subsystems are refused: the only program anyone reaches is the portal.

use std::collections::HashMap;
use std::net::IpAddr;
use std::process::Stdio;
use std::sync::Arc;

use portal_proto::pb;
use russh::keys::PublicKey;
use russh::server::{Auth, Handle, Msg, Response, Session};
use russh::{Channel, ChannelId, CryptoVec, Pty};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;

use super::Shared;
use super::command;
use super::limits::Admission;

/// The largest terminal accepted, either way.
const MAX_CELLS: u32 = 1000;
/// Variables an SSH client may set for the portal (`SendEnv`/`SetEnv`).
const PASSED_ENV: [&str; 2] = ["NO_COLOR", "COLORTERM"];

pub struct Connection {
    shared: Arc<Shared>,
    peer: Option<IpAddr>,
    admission: Result<Admission, &'static str>,
    /// The session a registered key signed in, for the clients it starts.
    token: Option<String>,
    channels: HashMap<ChannelId, Chan>,
}

#[derive(Default)]
struct Chan {
    /// The terminal asked for: its TERM, columns and rows.
    pty: Option<(String, u16, u16)>,
    env: Vec<(String, String)>,
    input: Option<Input>,
    running: Option<JoinHandle<()>>,
}

/// Where the SSH client's keystrokes go.
enum Input {
    Pty(pty_process::OwnedWritePty),
    Pipe(tokio::process::ChildStdin),
}

/// A terminal dimension as the SSH client gave it; 0 (a client that does
/// not know, like `ssh -tt` from a pipe) is the classic 80×24's.
fn cells(n: u32, unknown: u16) -> u16 {
    if n == 0 {
        return unknown;
    }
    u16::try_from(n.min(MAX_CELLS)).unwrap_or(unknown)
}

impl Connection {
    pub(super) fn new(shared: Arc<Shared>, peer: Option<IpAddr>) -> Self {
        let admission = shared.limits.admit(peer);
        if let Err(why) = admission {
            tracing::info!(peer = ?peer, why, "SSH connection over a limit");
        }
        Self {
            shared,
            peer,
            admission,
            token: None,
            channels: HashMap::new(),
        }
    }

    fn auth_client(&self) -> pb::auth_service_client::AuthServiceClient<tonic::transport::Channel> {
        pb::auth_service_client::AuthServiceClient::new(self.shared.channel.clone())
    }

    /// The client command for channel `chan`: the portal pointed at this
    /// server, with only the environment it needs.
    fn client(&self, chan: &Chan, args: &[String]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(&self.shared.client);
        cmd.env_clear()
            .arg("--gateway")
            .arg("--server")
            .arg(&self.shared.server_url)
            .args(args)
            .env("LANG", "C.UTF-8")
            .kill_on_drop(true);
        if let Some((term, _, _)) = &chan.pty {
            cmd.env("TERM", term);
        }
        cmd.envs(chan.env.iter().map(|(k, v)| (k, v)));
        if let Some(token) = &self.token {
            cmd.env("PORTAL_GATEWAY_TOKEN", token);
        }
        cmd
    }

    /// Runs the portal with `args` on channel `id`: in a pty when one was
    /// asked for, else on pipes.
    fn run(&mut self, id: ChannelId, args: &[String], handle: Handle) -> std::io::Result<()> {
        let Some(chan) = self.channels.get(&id) else {
            return Ok(());
        };
        let cmd = self.client(chan, args);
        let (input, running) = if let Some((_, cols, rows)) = chan.pty {
            in_pty(cmd, (cols, rows), handle, id)?
        } else {
            on_pipes(cmd, handle, id)?
        };
        if let Some(chan) = self.channels.get_mut(&id) {
            chan.input = Some(input);
            chan.running = Some(running);
        }
        Ok(())
    }
}

/// Starts `cmd` in a new pty of `cols` × `rows`, its output sent to channel `id`.
fn in_pty(
    cmd: tokio::process::Command,
    (cols, rows): (u16, u16),
    handle: Handle,
    id: ChannelId,
) -> std::io::Result<(Input, JoinHandle<()>)> {
    let (pty, pts) = pty_process::open().map_err(std::io::Error::other)?;
    pty.resize(pty_process::Size::new(rows, cols))
        .map_err(std::io::Error::other)?;
    let child = pty_process::Command::from(cmd)
        .spawn(pts)
        .map_err(std::io::Error::other)?;
    let (read, write) = pty.into_split();
    let running = tokio::spawn(async move {
        let open = forward(read, &handle, id, None).await;
        finish(child, &handle, id, open).await;
    });
    Ok((Input::Pty(write), running))
}

/// Starts `cmd` on pipes: its stdout and stderr sent to channel `id`.
fn on_pipes(
    mut cmd: tokio::process::Command,
    handle: Handle,
    id: ChannelId,
) -> std::io::Result<(Input, JoinHandle<()>)> {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(std::io::Error::other("the client's pipes are missing"));
    };
    let running = tokio::spawn(async move {
        let (out, err) = tokio::join!(
            forward(stdout, &handle, id, None),
            forward(stderr, &handle, id, Some(1))
        );
        finish(child, &handle, id, out && err).await;
    });
    Ok((Input::Pipe(stdin), running))
}

/// Copies `from` to the channel (as stderr with `ext`) until it ends; false
/// when the SSH side went away first.
async fn forward(
    mut from: impl AsyncRead + Unpin,
    handle: &Handle,
    id: ChannelId,
    ext: Option<u32>,
) -> bool {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        // A pty whose last holder closed reads EIO: the same as the end.
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return true,
            Ok(n) => n,
        };
        let data = CryptoVec::from_slice(&buf[..n]);
        let sent = match ext {
            Some(code) => handle.extended_data(id, code, data).await,
            None => handle.data(id, data).await,
        };
        if sent.is_err() {
            return false;
        }
    }
}

/// Reports the client's exit to the SSH client and closes the channel.
async fn finish(mut child: tokio::process::Child, handle: &Handle, id: ChannelId, open: bool) {
    let status = child.wait().await;
    if open {
        let code = status.ok().and_then(|s| s.code()).unwrap_or(1);
        let _ = handle
            .exit_status_request(id, u32::try_from(code).unwrap_or(1))
            .await;
        let _ = handle.eof(id).await;
        let _ = handle.close(id).await;
    }
}

/// Tells the SSH client why nothing runs, with exit status 2.
async fn refuse(handle: Handle, id: ChannelId, why: String) {
    let _ = handle
        .extended_data(
            id,
            1,
            CryptoVec::from_slice(format!("portal: {why}\r\n").as_bytes()),
        )
        .await;
    let _ = handle.exit_status_request(id, 2).await;
    let _ = handle.eof(id).await;
    let _ = handle.close(id).await;
}

impl Drop for Connection {
    fn drop(&mut self) {
        // Stopping the tasks drops their clients, which are killed.
        for chan in self.channels.values() {
            if let Some(running) = &chan.running {
                running.abort();
            }
        }
        // The session the key signed in ends with the connection.
        if let Some(token) = self.token.take() {
            let mut auth = self.auth_client();
            tokio::spawn(async move {
                let mut request = tonic::Request::new(pb::LogoutRequest::default());
                if let Ok(value) = format!("Bearer {token}").parse() {
                    request.metadata_mut().insert("authorization", value);
                }
                if let Err(e) = auth.logout(request).await {
                    tracing::warn!(error = %e, "could not end an SSH session's sign-in");
                }
            });
        }
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn authentication_banner(&mut self) -> Result<Option<String>, Self::Error> {
        Ok(self
            .admission
            .as_ref()
            .err()
            .map(|why| format!("{why}\r\n")))
    }

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        Ok(Auth::reject())
    }

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        _key: &PublicKey,
    ) -> Result<Auth, Self::Error> {
        // Whether a key is known is only asked once the client proved it
        // holds it, so offering keys tells nothing about who registered one.
        Ok(if self.admission.is_ok() {
            Auth::Accept
        } else {
            Auth::reject()
        })
    }

    async fn auth_publickey(&mut self, _user: &str, key: &PublicKey) -> Result<Auth, Self::Error> {
        let Ok(line) = key.to_openssh() else {
            return Ok(Auth::reject());
        };
        let signed_in = self
            .auth_client()
            .ssh_key_sign_in(pb::SshKeySignInRequest {
                gateway_secret: self.shared.secret.clone(),
                public_key: line,
                client: format!(
                    "portal over SSH from {}",
                    self.peer.map_or_else(String::new, |p| p.to_string())
                ),
            })
            .await;
        Ok(match signed_in {
            Ok(response) => {
                self.token = Some(response.into_inner().token);
                Auth::Accept
            }
            // Unknown here: the SSH client tries its next key, then
            // keyboard-interactive, which leads to the sign-in screen.
            Err(_) => Auth::reject(),
        })
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        _user: &str,
        _submethods: &str,
        _response: Option<Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        // No key signed anyone in: the portal's own sign-in screen follows,
        // with its lockout rules.
        Ok(if self.admission.is_ok() {
            Auth::Accept
        } else {
            Auth::reject()
        })
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        self.channels.insert(channel.id(), Chan::default());
        Ok(true)
    }

    async fn channel_close(
        &mut self,
        id: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(chan) = self.channels.remove(&id)
            && let Some(running) = chan.running
        {
            running.abort();
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        id: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(chan) = self.channels.get_mut(&id)
            && matches!(chan.input, Some(Input::Pipe(_)))
        {
            chan.input = None;
        }
        Ok(())
    }

    async fn pty_request(
        &mut self,
        id: ChannelId,
        term: &str,
        cols: u32,
        rows: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.channels.get_mut(&id) {
            Some(chan) if chan.input.is_none() => {
                let term: String = term
                    .chars()
                    .filter(char::is_ascii_graphic)
                    .take(64)
                    .collect();
                chan.pty = Some((term, cells(cols, 80), cells(rows, 24)));
                session.channel_success(id)
            }
            _ => session.channel_failure(id),
        }
    }

    async fn env_request(
        &mut self,
        id: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.channels.get_mut(&id) {
            Some(chan) if PASSED_ENV.contains(&name) && value.len() <= 64 => {
                chan.env.retain(|(k, _)| k != name);
                chan.env.push((name.to_owned(), value.to_owned()));
                session.channel_success(id)
            }
            _ => session.channel_failure(id),
        }
    }

    async fn shell_request(
        &mut self,
        id: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let handle = session.handle();
        if self.channels.get(&id).is_none_or(|c| c.pty.is_none()) {
            session.channel_success(id)?;
            let why = "the portal needs a terminal: run ssh from one (or ssh -t)".to_owned();
            tokio::spawn(refuse(handle, id, why));
            return Ok(());
        }
        match self.run(id, &[], handle) {
            Ok(()) => session.channel_success(id),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the portal client for an SSH session");
                session.channel_failure(id)
            }
        }
    }

    async fn exec_request(
        &mut self,
        id: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let handle = session.handle();
        session.channel_success(id)?;
        let started = command::words(data).and_then(|args| {
            self.run(id, &args, handle.clone())
                .map_err(|e| format!("cannot start the portal client: {e}"))
        });
        if let Err(why) = started {
            tokio::spawn(refuse(handle, id, why));
        }
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        id: ChannelId,
        _name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(id)
    }

    async fn x11_request(
        &mut self,
        id: ChannelId,
        _single: bool,
        _protocol: &str,
        _cookie: &str,
        _screen: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(id)
    }

    async fn window_change_request(
        &mut self,
        id: ChannelId,
        cols: u32,
        rows: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(Input::Pty(pty)) = self.channels.get(&id).and_then(|c| c.input.as_ref()) {
            let _ = pty.resize(pty_process::Size::new(cells(rows, 24), cells(cols, 80)));
        }
        Ok(())
    }

    async fn data(
        &mut self,
        id: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let written = match self.channels.get_mut(&id).and_then(|c| c.input.as_mut()) {
            Some(Input::Pty(pty)) => pty.write_all(data).await,
            Some(Input::Pipe(stdin)) => stdin.write_all(data).await,
            None => Ok(()),
        };
        if written.is_err()
            && let Some(chan) = self.channels.get_mut(&id)
        {
            chan.input = None;
        }
        Ok(())
    }
}
