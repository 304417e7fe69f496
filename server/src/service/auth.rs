//! `AuthService`: signing in and out, refresh tokens, forgot password and
//! access requests.
//!
//! A wrong password and an unknown e-mail get the same answer after the same
//! work (one argon2 verification and one durable write). A locked account
//! answers `RESOURCE_EXHAUSTED`, even to the right password, with the minutes
//! left: it is a rate limit, and the client shows the message as is. Unknown
//! e-mails are locked out the same way (in memory), so lockout tells nothing
//! about which accounts exist.
//!
//! Failures are also counted by source address (`security::throttle`): an
//! address that failed too often waits before its next attempt, whatever
//! the e-mail, and is told so before any password is looked at. An address
//! the account signed in from lately is exempt from the account's lockout,
//! so failures elsewhere cannot keep the owner out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use portal_proto::pb;
use tonic::{Request, Response, Status};

use super::AppState;
use super::authn::{CallerSlot, any_caller, millis};
use super::convert::{identity_to_pb, timestamp};
use super::input;
use super::my_sessions;
use super::ssh_keys;
use super::status::{self, invalid, locked};
use crate::domain::{
    Account, AuditAction, Credential, LockState, LockoutRule, RequestKind, SubjectKind,
};
use crate::mail::notify;
use crate::security::throttle::{self, AddressThrottle, KnownAddresses};
use crate::security::{password, password_policy, token};
use crate::store::audit::{self, AuditEvent};
use crate::store::sign_ins::{self, Origin};
use crate::store::{credentials, now_ms, refresh_tokens, requests, sessions};

const FORGOT_ANSWER: &str = "If this e-mail belongs to an account with portal access, \
    a password reset request has been passed to the people who can approve it.";
const ACCESS_ANSWER: &str = "If this e-mail belongs to a contact of one of our clients, \
    the request has been passed to the company's Admins.";
/// Passwords longer than this are wrong without hashing them.
const MAX_PASSWORD_BYTES: usize = 4 * password_policy::MAX_LENGTH;
/// Unknown e-mails tracked for lockout before the oldest are forgotten.
const MAX_STRANGERS: usize = 10_000;

pub fn lockout_rule(state: &AppState) -> LockoutRule {
    LockoutRule {
        threshold: state.config.lockout_threshold,
        window_ms: millis(state.config.lockout_window),
        duration_ms: millis(state.config.lockout_duration),
    }
}

pub fn address_rule(state: &AppState) -> throttle::Rule {
    throttle::Rule {
        free: state.config.signin_address_failures,
        window_ms: millis(state.config.lockout_window),
        max_wait_ms: millis(state.config.signin_address_max_wait),
    }
}

pub struct Auth {
    state: AppState,
    /// Failed sign-ins for e-mails without an account, by lower-cased e-mail.
    strangers: Mutex<HashMap<String, LockState>>,
    /// Failed sign-ins by source address.
    addresses: AddressThrottle,
    /// The addresses each account signed in from lately.
    known: KnownAddresses,
}

impl Auth {
    pub fn new(state: AppState) -> Self {
        // Build the dummy hash now, so the first unknown e-mail costs no more
        // than a wrong password does.
        std::thread::spawn(|| password::verify_dummy(""));
        Self {
            state,
            strangers: Mutex::default(),
            addresses: AddressThrottle::default(),
            known: KnownAddresses::default(),
        }
    }

    /// A refused sign-in from `from`: one more failure for the address (the
    /// wait, if this starts one, applies from its next attempt on).
    fn address_failed(&self, from: Option<IpAddr>, now: i64) {
        if let Some(addr) = from {
            self.addresses.failed(addr, now, address_rule(&self.state));
        }
    }

    /// One more failure for an e-mail without a password; the lockout left, if any.
    fn stranger_failed(&self, email: &str, now: i64) -> Option<i64> {
        let rule = lockout_rule(&self.state);
        let mut map = self.strangers.lock().ok()?;
        if map.len() >= MAX_STRANGERS {
            map.retain(|_, s| {
                s.locked_for(now).is_some()
                    || s.window_start.is_some_and(|w| now - w < rule.window_ms)
            });
            if map.len() >= MAX_STRANGERS {
                map.clear();
            }
        }
        let entry = map.entry(email.to_lowercase()).or_default();
        if let Some(left) = entry.locked_for(now) {
            return Some(left);
        }
        *entry = entry.after_failure(now, rule);
        entry.locked_for(now)
    }

    /// Signs `account` in: a session, a refresh token when asked for, the
    /// sign-in recorded (a new one, or `carried` on by a refresh). The
    /// account may sign in (checked by the caller).
    async fn start_session(
        &self,
        account: Account,
        remember: bool,
        action: AuditAction,
        (origin, carried): (Origin, Option<i64>),
    ) -> Result<pb::LoginResponse, Status> {
        let now = now_ms();
        let config = &self.state.config;
        let expires_at = now.saturating_add(millis(config.session_absolute));
        let idle_expires_at = now
            .saturating_add(millis(config.session_idle))
            .min(expires_at);
        let (session_token, session_hash) = token::generate();
        let refresh = remember.then(token::generate);
        let refresh_hash = refresh.as_ref().map(|(_, h)| *h);
        let refresh_expires = now.saturating_add(millis(config.refresh_ttl));
        let (kind, id) = (account.kind, account.id);
        let event = AuditEvent {
            actor: account.email.clone(),
            action,
            subject: account.email.clone(),
            company_id: account.company_id,
            detail: [
                if remember { "remember me" } else { "" },
                origin.client.as_str(),
                origin.address.as_str(),
            ]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", "),
        };
        self.state
            .write(move |c| {
                let sign_in = match carried {
                    Some(sign_in) if sign_ins::carry_on(c, sign_in, &origin, now)? => sign_in,
                    _ => sign_ins::start(c, kind, id, &origin, now)?,
                };
                let (who, sign_in) = ((kind, id), Some(sign_in));
                sessions::create(c, &session_hash, who, sign_in, now, expires_at)?;
                if let Some(hash) = refresh_hash {
                    refresh_tokens::create(c, &hash, who, sign_in, now, refresh_expires)?;
                }
                credentials::signed_in(c, kind, id, now)?;
                Ok(audit::record(c, now, &event)?)
            })
            .await?;
        Ok(pb::LoginResponse {
            token: session_token,
            idle_expires_at: Some(timestamp(idle_expires_at)),
            expires_at: Some(timestamp(expires_at)),
            refresh_token: refresh.map(|(t, _)| t).unwrap_or_default(),
            identity: Some(identity_to_pb(&account)),
        })
    }

    /// Records a refused call and gives its answer (or the store's error,
    /// when recording failed).
    async fn refused(&self, event: AuditEvent, answer: Status) -> Status {
        let now = now_ms();
        match self
            .state
            .write(move |c| Ok(audit::record(c, now, &event)?))
            .await
        {
            Ok(()) => answer,
            Err(e) => e,
        }
    }

    /// A wrong password for an account: one more failure towards lockout,
    /// recorded (`failed`, and the lockout if this starts one). From an
    /// address the account signed in from lately (`known`), the lockout does
    /// not apply, so the answer is the plain one.
    async fn wrong_password(
        &self,
        account: &Account,
        credential: &Credential,
        failed: AuditEvent,
        now: i64,
        known: bool,
    ) -> Status {
        let lock = credential
            .lock
            .after_failure(now, lockout_rule(&self.state));
        let (kind, id) = (account.kind, account.id);
        let lockout = lock.locked_until.map(|until| AuditEvent {
            action: AuditAction::Lockout,
            detail: format!("locked until {until} (unix ms)"),
            ..failed.clone()
        });
        let answer = lock
            .locked_for(now)
            .filter(|_| !known)
            .map_or_else(status::wrong_credentials, locked);
        let saved = self
            .state
            .write(move |c| {
                credentials::save_lock(c, kind, id, &lock)?;
                audit::record(c, now, &failed)?;
                if let Some(event) = lockout {
                    audit::record(c, now, &event)?;
                }
                Ok(())
            })
            .await;
        saved.err().unwrap_or(answer)
    }
}

#[tonic::async_trait]
impl pb::auth_service_server::AuthService for Auth {
    async fn login(
        &self,
        request: Request<pb::LoginRequest>,
    ) -> Result<Response<pb::LoginResponse>, Status> {
        let origin = my_sessions::origin(&request, &request.get_ref().client);
        let slot = CallerSlot::of(&request);
        let from = request.remote_addr().map(|a| a.ip());
        let req = request.into_inner();
        let email = input::text("email", &req.email, input::MAX_EMAIL, true)?;
        if req.password.is_empty() {
            return Err(invalid("password", "required"));
        }
        // Before the account is even looked up: the same for every e-mail.
        if let Some(addr) = from
            && let Err(left) = self.addresses.check(addr, now_ms())
        {
            return Err(status::address_throttled(left));
        }
        let found = {
            let email = email.clone();
            self.state
                .read_inline(|c| Ok(credentials::find_by_email(c, &email)?))?
        };
        let credential = found.as_ref().and_then(|a| a.credential.clone());
        let candidate = if req.password.len() > MAX_PASSWORD_BYTES {
            String::new()
        } else {
            req.password
        };
        let hash = credential
            .as_ref()
            .filter(|_| !candidate.is_empty())
            .map(|c| c.password_hash.clone());
        let matches = password::verify_off_thread(candidate, hash).await;
        let now = now_ms();

        let (Some(account), Some(credential)) = (found, credential) else {
            // No such e-mail (or no password yet): the same answer as a wrong password.
            self.address_failed(from, now);
            let locked_left = self.stranger_failed(&email, now);
            let event = AuditEvent {
                detail: "no account with a password".into(),
                ..AuditEvent::anonymous(AuditAction::LoginFailed, email)
            };
            let answer = locked_left.map_or_else(status::wrong_credentials, locked);
            return Err(self.refused(event, answer).await);
        };
        let failed = |detail: &str| AuditEvent {
            company_id: account.company_id,
            detail: detail.to_owned(),
            ..AuditEvent::anonymous(AuditAction::LoginFailed, account.email.clone())
        };
        let who = (account.kind.as_str(), account.id);
        let known = from.is_some_and(|a| self.known.knows(who, a, now));
        if let Some(left) = credential.lock.locked_for(now).filter(|_| !known) {
            self.address_failed(from, now);
            return Err(self.refused(failed("account locked"), locked(left)).await);
        }
        if !matches {
            self.address_failed(from, now);
            return Err(self
                .wrong_password(&account, &credential, failed(""), now, known)
                .await);
        }
        if account.principal().is_none() {
            self.address_failed(from, now);
            let event = failed("account disabled or without portal access");
            return Err(self.refused(event, status::no_portal_access()).await);
        }
        if let (Some(slot), Some(principal)) = (slot, account.principal()) {
            slot.fill(&principal);
        }
        if let Some(addr) = from {
            self.known.signed_in(who, addr, now);
        }
        let response = self
            .start_session(
                account,
                req.remember_me,
                AuditAction::LoginOk,
                (origin, None),
            )
            .await?;
        Ok(Response::new(response))
    }

    async fn refresh(
        &self,
        request: Request<pb::RefreshRequest>,
    ) -> Result<Response<pb::LoginResponse>, Status> {
        let origin = my_sessions::origin(&request, &request.get_ref().client);
        let presented = request.into_inner().refresh_token;
        if presented.trim().is_empty() {
            return Err(status::sign_in_ended());
        }
        let hash = token::hash(presented.trim());
        let now = now_ms();
        let (account, sign_in) = self
            .state
            .write(move |c| {
                let Some((kind, id, sign_in)) = refresh_tokens::consume_in(c, &hash, now)? else {
                    return Ok(None);
                };
                Ok(credentials::find(c, kind, id)?
                    .filter(|a| a.principal().is_some() && a.credential.is_some())
                    .map(|a| (a, sign_in)))
            })
            .await?
            .ok_or_else(status::sign_in_ended)?;
        let response = self
            .start_session(account, true, AuditAction::LoginRefresh, (origin, sign_in))
            .await?;
        Ok(Response::new(response))
    }

    async fn revoke_refresh(
        &self,
        request: Request<pb::RevokeRefreshRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        let presented = request.into_inner().refresh_token;
        if !presented.trim().is_empty() {
            let hash = token::hash(presented.trim());
            let now = now_ms();
            self.state
                .write(move |c| Ok(refresh_tokens::revoke(c, &hash, None, now)?))
                .await?;
        }
        Ok(Response::new(pb::Empty {}))
    }

    async fn logout(
        &self,
        request: Request<pb::LogoutRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        let caller = any_caller(&request)?.clone();
        let presented = request.into_inner().refresh_token;
        let refresh_hash = (!presented.trim().is_empty()).then(|| token::hash(presented.trim()));
        let owner = (caller.principal.kind(), caller.principal.subject_id());
        let session = caller.session_id;
        let now = now_ms();
        self.state
            .write(move |c| {
                sessions::revoke(c, session)?;
                if let Some(hash) = refresh_hash {
                    refresh_tokens::revoke(c, &hash, Some(owner), now)?;
                }
                Ok(())
            })
            .await?;
        self.state.sessions.forget_session(session);
        Ok(Response::new(pb::Empty {}))
    }

    async fn who_am_i(
        &self,
        request: Request<pb::Empty>,
    ) -> Result<Response<pb::Identity>, Status> {
        let caller = any_caller(&request)?;
        let (kind, id) = (caller.principal.kind(), caller.principal.subject_id());
        let account = self
            .state
            .read_inline(|c| Ok(credentials::find(c, kind, id)?))?
            .ok_or_else(status::sign_in_first)?;
        Ok(Response::new(identity_to_pb(&account)))
    }

    async fn forgot_password(
        &self,
        request: Request<pb::ForgotPasswordRequest>,
    ) -> Result<Response<pb::NeutralResponse>, Status> {
        let email = input::email("email", &request.into_inner().email, true)?;
        let now = now_ms();
        self.state
            .write(move |c| {
                let found = credentials::find_by_email(c, &email)?;
                let mut event =
                    AuditEvent::anonymous(AuditAction::PasswordResetRequested, email.clone());
                match found {
                    Some(a) if a.kind == SubjectKind::Contact && a.principal().is_some() => {
                        let company = a.company_id.unwrap_or_default();
                        let kind = RequestKind::PasswordReset;
                        if requests::open(c, kind, company, a.id, "", now)? {
                            notify::request_filed(c, kind, (company, a.id, &email), "", now)?;
                        }
                        event.company_id = Some(company);
                        event.detail = "request filed for the company's Admins".into();
                    }
                    Some(a) if a.kind == SubjectKind::Staff => {
                        event.detail = "staff member: a provider Admin resets it".into();
                    }
                    Some(_) => event.detail = "contact without portal access".into(),
                    None => event.detail = "no such account".into(),
                }
                Ok(audit::record(c, now, &event)?)
            })
            .await?;
        Ok(Response::new(pb::NeutralResponse {
            message: FORGOT_ANSWER.into(),
        }))
    }

    async fn request_access(
        &self,
        request: Request<pb::RequestAccessRequest>,
    ) -> Result<Response<pb::NeutralResponse>, Status> {
        let req = request.into_inner();
        let email = input::email("email", &req.email, true)?;
        let message = input::message("message", &req.message)?
            .trim_start()
            .to_owned();
        let now = now_ms();
        self.state
            .write(move |c| {
                let found = credentials::find_by_email(c, &email)?;
                let mut event = AuditEvent::anonymous(AuditAction::AccessRequested, email.clone());
                match found {
                    Some(a) if a.kind == SubjectKind::Contact && a.principal().is_none() => {
                        let company = a.company_id.unwrap_or_default();
                        let kind = RequestKind::Access;
                        if requests::open(c, kind, company, a.id, &message, now)? {
                            let who = (company, a.id, email.as_str());
                            notify::request_filed(c, kind, who, &message, now)?;
                        }
                        event.company_id = Some(company);
                        event.detail = "request filed for the company's Admins".into();
                    }
                    Some(_) => event.detail = "account already has access".into(),
                    None => event.detail = "no such contact".into(),
                }
                Ok(audit::record(c, now, &event)?)
            })
            .await?;
        Ok(Response::new(pb::NeutralResponse {
            message: ACCESS_ANSWER.into(),
        }))
    }

    async fn list_my_sessions(
        &self,
        request: Request<pb::Empty>,
    ) -> Result<Response<pb::ListMySessionsResponse>, Status> {
        Ok(Response::new(my_sessions::list(&self.state, &request)?))
    }

    async fn revoke_session(
        &self,
        request: Request<pb::RevokeSessionRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        my_sessions::revoke(&self.state, &request).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn sign_out_everywhere(
        &self,
        request: Request<pb::SignOutEverywhereRequest>,
    ) -> Result<Response<pb::SignOutEverywhereResponse>, Status> {
        Ok(Response::new(
            my_sessions::sign_out_everywhere(&self.state, &request).await?,
        ))
    }

    async fn list_my_ssh_keys(
        &self,
        request: Request<pb::Empty>,
    ) -> Result<Response<pb::ListMySshKeysResponse>, Status> {
        Ok(Response::new(ssh_keys::list(&self.state, &request)?))
    }

    async fn add_ssh_key(
        &self,
        request: Request<pb::AddSshKeyRequest>,
    ) -> Result<Response<pb::SshKey>, Status> {
        Ok(Response::new(ssh_keys::add(&self.state, &request).await?))
    }

    async fn remove_ssh_key(
        &self,
        request: Request<pb::RemoveSshKeyRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        ssh_keys::remove(&self.state, &request).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn ssh_key_sign_in(
        &self,
        request: Request<pb::SshKeySignInRequest>,
    ) -> Result<Response<pb::LoginResponse>, Status> {
        let origin = my_sessions::origin(&request, &request.get_ref().client);
        let slot = CallerSlot::of(&request);
        let account = ssh_keys::owner_for_gateway(&self.state, request.get_ref()).await?;
        if let (Some(slot), Some(principal)) = (slot, account.principal()) {
            slot.fill(&principal);
        }
        let response = self
            .start_session(account, false, AuditAction::LoginSshKey, (origin, None))
            .await?;
        Ok(Response::new(response))
    }

    async fn get_password_policy(
        &self,
        _request: Request<pb::Empty>,
    ) -> Result<Response<pb::PasswordPolicy>, Status> {
        Ok(Response::new(pb::PasswordPolicy {
            min_length: password_policy::MIN_LENGTH as u32,
            max_length: password_policy::MAX_LENGTH as u32,
            rules: password_policy::RULES
                .iter()
                .map(|r| (*r).to_owned())
                .collect(),
        }))
    }
}
