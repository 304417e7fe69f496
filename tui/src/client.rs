//! The gRPC side: every [`Request`] runs as its own task and sends back one
//! [`Action::Reply`]; the live-update stream runs as a long-lived task that
//! reconnects by itself.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use portal_proto::pb::{
    self, account_service_client::AccountServiceClient, auth_service_client::AuthServiceClient,
    event_service_client::EventServiceClient, report_service_client::ReportServiceClient,
    staff_service_client::StaffServiceClient, ticket_service_client::TicketServiceClient,
};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::action::{Action, ApiError, Reply, Request};
use crate::keyring;

/// Largest file the client will upload.
const MAX_UPLOAD: u64 = 64 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

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
        }
    }

    /// A call that gives up when the server does not answer in time, so no
    /// spinner turns forever.
    async fn call_in_time(&self, request: Request) -> Res<Reply> {
        let limit = match request {
            Request::Upload { .. } | Request::Download { .. } => Duration::from_mins(10),
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
            let mut result = this.call_in_time(request.clone()).await;
            // An expired session is renewed with the refresh token, once.
            let expired = matches!(&result, Err(s) if s.code() == tonic::Code::Unauthenticated);
            let renewable = !matches!(
                request,
                Request::Login { .. }
                    | Request::Resume
                    | Request::Logout
                    | Request::ChangePassword { .. }
            );
            if expired && renewable && this.renew().await {
                result = this.call_in_time(request.clone()).await;
            }
            let reply = match result {
                Ok(reply) => reply,
                Err(status) => Reply::Failed {
                    request: Box::new(request),
                    error: ApiError::from_status(&status),
                },
            };
            // The app may be gone when quitting; nothing to do then.
            let _ = this.tx.send(Action::Reply(Box::new(reply)));
        });
    }

    /// Exchanges the refresh token for a new session; false when there is
    /// none or the server refuses it.
    async fn renew(&self) -> bool {
        let Some(refresh_token) = self.session().refresh.clone() else {
            return false;
        };
        let Ok(response) = self
            .auth()
            .refresh(pb::RefreshRequest { refresh_token })
            .await
        else {
            return false;
        };
        let response = response.into_inner();
        if self.keyring_usable() && !response.refresh_token.is_empty() {
            let _ = keyring::save(&self.target.url, &response.refresh_token);
        }
        let mut session = self.session();
        session.token = Some(response.token);
        if !response.refresh_token.is_empty() {
            session.refresh = Some(response.refresh_token);
        }
        true
    }

    fn authed<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        if let Some(token) = &self.session().token
            && let Ok(value) = format!("Bearer {token}").parse()
        {
            request.metadata_mut().insert("authorization", value);
        }
        request
    }

    fn auth(&self) -> AuthServiceClient<Channel> {
        AuthServiceClient::new(self.channel.clone())
    }
    fn tickets(&self) -> TicketServiceClient<Channel> {
        TicketServiceClient::new(self.channel.clone())
    }
    fn account(&self) -> AccountServiceClient<Channel> {
        AccountServiceClient::new(self.channel.clone())
    }

    async fn call(&self, request: Request) -> Res<Reply> {
        Ok(match request {
            Request::Login {
                email,
                password,
                remember,
            } => {
                let response = self
                    .auth()
                    .login(pb::LoginRequest {
                        email,
                        password,
                        remember_me: remember,
                    })
                    .await?
                    .into_inner();
                self.signed_in(response, remember)
            }
            Request::Resume => self.resume().await?,
            Request::PasswordPolicy => Reply::PasswordPolicy(
                self.auth()
                    .get_password_policy(pb::Empty {})
                    .await?
                    .into_inner(),
            ),
            Request::ChangeTempPassword { current, new } => {
                self.account()
                    .change_password(self.authed(pb::ChangePasswordRequest {
                        current_password: current,
                        new_password: new,
                    }))
                    .await?;
                let identity = self
                    .auth()
                    .who_am_i(self.authed(pb::Empty {}))
                    .await?
                    .into_inner();
                self.start_events();
                Reply::SignedIn {
                    identity,
                    remember_note: None,
                }
            }
            Request::ForgotPassword { email } => Reply::Neutral(
                self.auth()
                    .forgot_password(pb::ForgotPasswordRequest { email })
                    .await?
                    .into_inner()
                    .message,
            ),
            Request::RequestAccess { email, message } => Reply::Neutral(
                self.auth()
                    .request_access(pb::RequestAccessRequest { email, message })
                    .await?
                    .into_inner()
                    .message,
            ),
            Request::Logout => self.logout().await,
            Request::Stats => Reply::Stats(
                ReportServiceClient::new(self.channel.clone())
                    .ticket_stats(self.authed(pb::TicketStatsRequest {
                        company_id: 0,
                        months: 12,
                    }))
                    .await?
                    .into_inner(),
            ),
            Request::Tickets {
                list,
                seq,
                append,
                query,
            } => {
                let page = self
                    .tickets()
                    .list_tickets(self.authed(query))
                    .await?
                    .into_inner();
                Reply::Tickets {
                    list,
                    seq,
                    append,
                    page,
                }
            }
            Request::Ticket { number } => Reply::Ticket(Box::new(
                self.tickets()
                    .get_ticket(self.authed(pb::GetTicketRequest { number }))
                    .await?
                    .into_inner(),
            )),
            Request::OlderTimeline { number, cursor } => {
                let page = self
                    .tickets()
                    .get_timeline(self.authed(pb::GetTimelineRequest {
                        number,
                        page: Some(pb::PageRequest {
                            page_size: 50,
                            cursor,
                        }),
                    }))
                    .await?
                    .into_inner();
                Reply::OlderTimeline { number, page }
            }
            Request::AddPost { number, kind, body } => {
                self.tickets()
                    .add_post(self.authed(pb::AddPostRequest {
                        number,
                        kind: kind.into(),
                        body,
                    }))
                    .await?;
                Reply::Posted { number }
            }
            Request::ChangeStatus {
                number,
                status,
                note,
            } => Reply::StatusChanged(Box::new(
                self.tickets()
                    .change_status(self.authed(pb::ChangeStatusRequest {
                        number,
                        status: status.into(),
                        note,
                    }))
                    .await?
                    .into_inner(),
            )),
            Request::SetPriority { number, priority } => {
                let t = self
                    .tickets()
                    .set_priority(self.authed(pb::SetPriorityRequest {
                        number,
                        priority,
                        note: String::new(),
                    }))
                    .await?
                    .into_inner();
                Reply::Changed {
                    number,
                    what: format!(
                        "priority is now {}",
                        crate::ui::format::priority(t.priority)
                    ),
                }
            }
            Request::Assign { number, staff_id } => {
                let t = self
                    .tickets()
                    .assign(self.authed(pb::AssignRequest {
                        number,
                        staff_id,
                        board: String::new(),
                    }))
                    .await?
                    .into_inner();
                let who = if t.assigned_staff_name.is_empty() {
                    "nobody".to_owned()
                } else {
                    t.assigned_staff_name
                };
                Reply::Changed {
                    number,
                    what: format!("assigned to {who}"),
                }
            }
            Request::AddTask { number, text } => {
                self.tickets()
                    .add_task(self.authed(pb::AddTaskRequest { number, text }))
                    .await?;
                Reply::Changed {
                    number,
                    what: "task added".to_owned(),
                }
            }
            Request::SetTaskDone {
                number,
                task_id,
                done,
            } => {
                self.tickets()
                    .set_task_done(self.authed(pb::SetTaskDoneRequest {
                        number,
                        task_id,
                        done,
                    }))
                    .await?;
                let what = if done { "task done" } else { "task reopened" };
                Reply::Changed {
                    number,
                    what: what.to_owned(),
                }
            }
            Request::AddSubscriber { number, contact_id } => {
                let subscribers = self
                    .tickets()
                    .add_subscriber(self.authed(pb::SubscriberRequest { number, contact_id }))
                    .await?
                    .into_inner()
                    .subscribers;
                Reply::Subscribers {
                    number,
                    subscribers,
                }
            }
            Request::Upload { number, path } => Reply::Uploaded(self.upload(number, &path).await?),
            Request::Download {
                attachment_id,
                path,
            } => {
                let bytes = self.download(attachment_id, &path).await?;
                Reply::Downloaded { path, bytes }
            }
            Request::FormData => self.form_data().await?,
            Request::CreateTicket(create) => Reply::Created(Box::new(
                self.tickets()
                    .create_ticket(self.authed(create))
                    .await?
                    .into_inner(),
            )),
            Request::Profile => Reply::Profile(Box::new(
                self.account()
                    .get_my_profile(self.authed(pb::Empty {}))
                    .await?
                    .into_inner(),
            )),
            Request::UpdateProfile(details) => Reply::Profile(Box::new(
                self.account()
                    .update_my_profile(self.authed(pb::UpdateMyProfileRequest {
                        details: Some(details),
                    }))
                    .await?
                    .into_inner(),
            )),
            Request::ChangePassword { current, new } => {
                self.account()
                    .change_password(self.authed(pb::ChangePasswordRequest {
                        current_password: current,
                        new_password: new,
                    }))
                    .await?;
                Reply::PasswordChanged
            }
            Request::Users { query } => Reply::Users(self.users(0, query).await?),
            Request::CompanyContacts { company_id } => Reply::CompanyContacts {
                company_id,
                contacts: self.users(company_id, String::new()).await?,
            },
            Request::AddUser(add) => {
                let response = self
                    .account()
                    .add_user(self.authed(add))
                    .await?
                    .into_inner();
                Reply::UserAdded {
                    contact: Box::new(response.contact.unwrap_or_default()),
                    temporary_password: response.temporary_password,
                }
            }
            Request::UpdateUser(update) => Reply::UserChanged(Box::new(
                self.account()
                    .update_user(self.authed(update))
                    .await?
                    .into_inner(),
            )),
            Request::SetAccess { contact_id, access } => Reply::UserChanged(Box::new(
                self.account()
                    .set_access_level(self.authed(pb::SetAccessLevelRequest {
                        contact_id,
                        access: access.into(),
                    }))
                    .await?
                    .into_inner(),
            )),
            Request::SetActive { contact_id, active } => Reply::UserChanged(Box::new(
                self.account()
                    .set_user_active(self.authed(pb::SetUserActiveRequest { contact_id, active }))
                    .await?
                    .into_inner(),
            )),
            Request::ResetPassword { contact_id } => {
                let password = self
                    .account()
                    .reset_user_password(self.authed(pb::ResetUserPasswordRequest { contact_id }))
                    .await?
                    .into_inner()
                    .temporary_password;
                Reply::TemporaryPassword {
                    contact_id,
                    password,
                }
            }
        })
    }

    /// Keeps the session, remembers the refresh token when asked, and starts
    /// live updates (unless the password must change first).
    fn signed_in(&self, response: pb::LoginResponse, remember: bool) -> Reply {
        let identity = response.identity.unwrap_or_default();
        let mut remember_note = None;
        if remember
            && !response.refresh_token.is_empty()
            && self.keyring_usable()
            && let Err(e) = keyring::save(&self.target.url, &response.refresh_token)
        {
            remember_note = self.keyring_failed(&e);
        }
        {
            let mut session = self.session();
            session.token = Some(response.token);
            session.refresh =
                (!response.refresh_token.is_empty()).then_some(response.refresh_token);
        }
        if !identity.must_change_password {
            self.start_events();
        }
        Reply::SignedIn {
            identity,
            remember_note,
        }
    }

    async fn resume(&self) -> Res<Reply> {
        if !self.keyring_usable() {
            return Ok(Reply::NotRemembered { note: None });
        }
        let refresh_token = match keyring::load(&self.target.url) {
            Ok(Some(token)) => token,
            Ok(None) => return Ok(Reply::NotRemembered { note: None }),
            Err(e) => {
                return Ok(Reply::NotRemembered {
                    note: self.keyring_failed(&e),
                });
            }
        };
        match self
            .auth()
            .refresh(pb::RefreshRequest { refresh_token })
            .await
        {
            Ok(response) => Ok(self.signed_in(response.into_inner(), true)),
            Err(status) if status.code() == tonic::Code::Unauthenticated => {
                let _ = keyring::delete(&self.target.url);
                Ok(Reply::NotRemembered {
                    note: Some("Your remembered sign-in has expired".to_owned()),
                })
            }
            Err(status) => Err(status),
        }
    }

    async fn logout(&self) -> Reply {
        let refresh_token = self.session().refresh.clone().unwrap_or_default();
        // Signing out locally must work even when the server is unreachable.
        let _ = self
            .auth()
            .logout(self.authed(pb::LogoutRequest { refresh_token }))
            .await;
        if self.keyring_usable() {
            let _ = keyring::delete(&self.target.url);
        }
        let mut session = self.session();
        if let Some(events) = session.events.take() {
            events.abort();
        }
        *session = Session::default();
        Reply::SignedOut
    }

    async fn form_data(&self) -> Res<Reply> {
        let service_types = self
            .tickets()
            .list_service_types(self.authed(pb::ListServiceTypesRequest {
                include_inactive: false,
            }))
            .await?
            .into_inner()
            .service_types;
        // Staff have no company of their own; users may not list contacts.
        let company = self
            .account()
            .get_company(self.authed(pb::GetCompanyRequest { company_id: 0 }))
            .await
            .ok();
        let contacts = match company {
            Some(_) => self.users(0, String::new()).await.unwrap_or_default(),
            None => Vec::new(),
        };
        // Only staff may list companies.
        let companies = StaffServiceClient::new(self.channel.clone())
            .list_companies(self.authed(pb::ListCompaniesRequest {
                query: String::new(),
                include_inactive: false,
                page: Some(pb::PageRequest {
                    page_size: 200,
                    cursor: String::new(),
                }),
            }))
            .await
            .map(|r| r.into_inner().companies)
            .unwrap_or_default();
        let staff = if companies.is_empty() {
            Vec::new()
        } else {
            self.all_staff().await
        };
        Ok(Reply::FormData {
            service_types,
            company: company.map(|c| Box::new(c.into_inner())),
            contacts,
            companies,
            staff,
        })
    }

    /// Every active staff member (the assignment picker), page by page; what
    /// arrived before a failure.
    async fn all_staff(&self) -> Vec<pb::StaffMember> {
        let mut staff = Vec::new();
        let mut cursor = String::new();
        loop {
            let Ok(page) = StaffServiceClient::new(self.channel.clone())
                .list_staff(self.authed(pb::ListStaffRequest {
                    include_inactive: false,
                    page: Some(pb::PageRequest {
                        page_size: 200,
                        cursor,
                    }),
                }))
                .await
            else {
                return staff;
            };
            let page = page.into_inner();
            staff.extend(page.staff);
            if page.next_cursor.is_empty() {
                return staff;
            }
            cursor = page.next_cursor;
        }
    }

    async fn users(&self, company_id: i64, query: String) -> Res<Vec<pb::Contact>> {
        Ok(self
            .account()
            .list_users(self.authed(pb::ListUsersRequest {
                company_id,
                query,
                include_inactive: true,
                page: Some(pb::PageRequest {
                    page_size: 200,
                    cursor: String::new(),
                }),
            }))
            .await?
            .into_inner()
            .contacts)
    }

    async fn upload(&self, number: i64, path: &Path) -> Res<pb::Attachment> {
        let bytes = read_upload(path)
            .await
            .map_err(tonic::Status::invalid_argument)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let meta = pb::AttachmentMeta {
            number,
            title: file_name.clone(),
            file_name,
            content_type: String::new(),
        };
        let mut parts = vec![pb::UploadAttachmentRequest {
            part: Some(pb::upload_attachment_request::Part::Meta(meta)),
        }];
        parts.extend(
            bytes
                .chunks(CHUNK)
                .map(|chunk| pb::UploadAttachmentRequest {
                    part: Some(pb::upload_attachment_request::Part::Data(chunk.to_vec())),
                }),
        );
        let stream = tokio_stream::iter(parts);
        Ok(self
            .tickets()
            .upload_attachment(self.authed(stream))
            .await?
            .into_inner())
    }

    async fn download(&self, attachment_id: i64, path: &Path) -> Res<u64> {
        let mut stream = self
            .tickets()
            .download_attachment(self.authed(pb::DownloadAttachmentRequest { attachment_id }))
            .await?
            .into_inner();
        let io =
            |e: std::io::Error| tonic::Status::invalid_argument(format!("{}: {e}", path.display()));
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .await
            .map_err(io)?;
        let copied = async {
            let mut written = 0u64;
            while let Some(part) = stream.message().await? {
                file.write_all(&part.data).await.map_err(io)?;
                written += part.data.len() as u64;
            }
            file.flush().await.map_err(io)?;
            Ok(written)
        }
        .await;
        if copied.is_err() {
            // No half-written file is left behind.
            let _ = tokio::fs::remove_file(path).await;
        }
        copied
    }

    /// Live updates until signed out: reconnects with a growing pause and
    /// says so through [`Action::Connected`]; a session the server ended is
    /// renewed if it can be, else reported as [`Action::SessionEnded`].
    fn start_events(&self) {
        let this = self.clone();
        let handle = tokio::spawn(async move {
            let mut pause = Duration::from_millis(500);
            loop {
                let mut events = EventServiceClient::new(this.channel.clone());
                let ended = match events.subscribe(this.authed(pb::Empty {})).await {
                    Ok(response) => {
                        pause = Duration::from_millis(500);
                        let _ = this.tx.send(Action::Connected(true));
                        let mut stream = response.into_inner();
                        loop {
                            match stream.message().await {
                                Ok(Some(event)) => {
                                    if this.tx.send(Action::Event(event)).is_err() {
                                        return;
                                    }
                                }
                                Ok(None) => break None,
                                Err(status) => break Some(status),
                            }
                        }
                    }
                    Err(status) => Some(status),
                };
                let unauthenticated =
                    ended.is_some_and(|s| s.code() == tonic::Code::Unauthenticated);
                if unauthenticated && !this.renew().await {
                    let _ = this.tx.send(Action::SessionEnded);
                    return;
                }
                if this.tx.send(Action::Connected(false)).is_err() {
                    return;
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(10));
            }
        });
        if let Some(old) = self.session().events.replace(handle) {
            old.abort();
        }
    }
}

async fn read_upload(path: &Path) -> Result<Vec<u8>, String> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    if meta.len() > MAX_UPLOAD {
        return Err(format!("{} is larger than 64 MiB", path.display()));
    }
    tokio::fs::read(path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))
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
