//! The gRPC side: every [`Request`] runs as its own task and sends back one
//! [`Action::Reply`]. One module per gRPC service holds that service's calls
//! (`AuthCall`, `TicketCall`, ...) and how each is made; this one holds the
//! connection, the session and the dispatch.

mod account;
mod admin;
mod auth;
mod billing;
mod events;
mod knowledge;
mod pages;
mod reports;
mod settings;
mod staff;
mod tickets;
mod work;

pub use account::AccountCall;
pub use admin::{AdminCall, AuditQuery};
pub use auth::AuthCall;
pub use billing::{BillingCall, BillingReply};
pub use knowledge::{ArticlesFor, KnowledgeCall};
pub use pages::every_page;
pub use reports::ReportCall;
pub use settings::SettingsCall;
pub(crate) use tickets::save_new_file;
pub use tickets::{TicketCall, upload_problem};
pub use work::WorkCall;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use portal_proto::pb::{self, auth_service_client::AuthServiceClient};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::action::{Action, ApiError, Reply, Request};
use crate::keyring;

/// Where to connect and how.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    pub ca: Option<PathBuf>,
    /// Remember-me uses the keyring (off for `--demo`).
    pub use_keyring: bool,
}

/// Opens a channel that connects on first use and reconnects by itself.
pub fn channel(target: &Target) -> Result<Channel, String> {
    let mut endpoint = Endpoint::from_shared(target.url.clone())
        .map_err(|e| format!("bad server URL {:?}: {e}", target.url))?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true);
    if target.url.starts_with("https://") {
        let mut tls = ClientTlsConfig::new().with_native_roots();
        if let Some(ca) = &target.ca {
            let pem = std::fs::read(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
            tls = tls.ca_certificate(Certificate::from_pem(pem));
        }
        endpoint = endpoint.tls_config(tls).map_err(|e| format!("TLS: {e}"))?;
    }
    Ok(endpoint.connect_lazy())
}

#[derive(Default)]
struct Session {
    token: Option<String>,
    refresh: Option<String>,
    events: Option<JoinHandle<()>>,
}

/// Runs requests in the background.
#[derive(Clone)]
pub struct Client {
    channel: Channel,
    target: Arc<Target>,
    session: Arc<Mutex<Session>>,
    tx: UnboundedSender<Action>,
    keyring_broken: Arc<AtomicBool>,
    /// Signing in starts the live-update stream (not for one command).
    live: bool,
}

type Res<T> = Result<T, tonic::Status>;

impl Client {
    pub fn new(channel: Channel, target: Target, tx: UnboundedSender<Action>) -> Self {
        Self {
            channel,
            target: Arc::new(target),
            session: Arc::default(),
            keyring_broken: Arc::default(),
            tx,
            live: true,
        }
    }

    /// A client for one command (`portal <noun> <verb>`): the same calls
    /// and sign-in, without the live-update stream of the full-screen one.
    pub fn for_command(channel: Channel, target: Target) -> Self {
        let (tx, _) = tokio::sync::mpsc::unbounded_channel();
        Self {
            live: false,
            ..Self::new(channel, target, tx)
        }
    }

    /// The connection, for services without a module here.
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// A call that gives up when the server does not answer in time, so no
    /// spinner turns forever.
    async fn call_in_time(&self, request: Request) -> Res<Reply> {
        let limit = match request {
            Request::Ticket(TicketCall::Upload { .. } | TicketCall::Download { .. }) => {
                Duration::from_mins(10)
            }
            _ => Duration::from_secs(30),
        };
        tokio::time::timeout(limit, self.call(request))
            .await
            .unwrap_or_else(|_| {
                Err(tonic::Status::deadline_exceeded(
                    "the server did not answer in time",
                ))
            })
    }

    fn keyring_usable(&self) -> bool {
        self.target.use_keyring && !self.keyring_broken.load(Ordering::Relaxed)
    }

    /// The keyring does not work here: say so the first time only, and
    /// carry on without remembering.
    fn keyring_failed(&self, error: &str) -> Option<String> {
        let first = !self.keyring_broken.swap(true, Ordering::Relaxed);
        first.then(|| format!("No keyring here, so remember me is off ({error})"))
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts `request`; its reply arrives later as an action.
    pub fn dispatch(&self, request: Request) {
        let this = self.clone();
        tokio::spawn(async move {
            let reply = match this.request(request.clone()).await {
                Ok(reply) => reply,
                Err(error) => Reply::Failed {
                    request: Box::new(request),
                    error,
                },
            };
            // The app may be gone when quitting; nothing to do then.
            let _ = this.tx.send(Action::Reply(Box::new(reply)));
        });
    }

    /// Makes `request` and waits for its answer. An expired session is
    /// renewed with the refresh token, once, and the call retried.
    pub async fn request(&self, request: Request) -> Result<Reply, ApiError> {
        let mut result = self.call_in_time(request.clone()).await;
        let expired = matches!(&result, Err(s) if s.code() == tonic::Code::Unauthenticated);
        let renewable = !matches!(
            request,
            Request::Auth(
                AuthCall::Login { .. }
                    | AuthCall::Resume
                    | AuthCall::Adopt { .. }
                    | AuthCall::Logout
            ) | Request::Account(AccountCall::ChangePassword { .. })
        );
        if expired && renewable && self.renew().await {
            result = self.call_in_time(request).await;
        }
        result.map_err(|status| ApiError::from_status(&status))
    }

    /// Calls with `token` as the session (`portal --token`): no refresh
    /// token, so nothing to renew.
    pub fn use_token(&self, token: String) {
        self.session().token = Some(token);
    }

    /// Adds the session's bearer token to a call.
    pub fn authed<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        if let Some(token) = &self.session().token
            && let Ok(value) = format!("Bearer {token}").parse()
        {
            request.metadata_mut().insert("authorization", value);
        }
        request
    }

    async fn call(&self, request: Request) -> Res<Reply> {
        match request {
            Request::Auth(call) => self.auth_call(call).await,
            Request::Ticket(call) => self.ticket_call(call).await,
            Request::Account(call) => self.account_call(call).await,
            Request::Report(call) => self.report_call(call).await,
            Request::Work(call) => self.work_call(call).await,
            Request::Billing(call) => self.billing_call(call).await,
            Request::Admin(call) => self.admin_call(call).await,
            Request::Settings(call) => self.settings_call(call).await,
            Request::Knowledge(call) => self.knowledge_call(call).await,
        }
    }
}

/// `portal logout`: revokes the remembered refresh token on the server and
/// forgets it locally.
pub async fn forget(target: &Target) -> Result<bool, String> {
    let Some(refresh_token) = keyring::load(&target.url)? else {
        return Ok(false);
    };
    let channel = channel(target)?;
    let revoked = AuthServiceClient::new(channel)
        .revoke_refresh(pb::RevokeRefreshRequest { refresh_token })
        .await;
    keyring::delete(&target.url)?;
    revoked.map_err(|e| format!("forgot locally, but the server said: {}", e.message()))?;
    Ok(true)
}
