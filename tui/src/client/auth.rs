//! `AuthService`: signing in and out, the remembered session, and the
//! signed-out screens' requests.

use portal_proto::pb::{self, auth_service_client::AuthServiceClient};
use tonic::transport::Channel;

use super::{Client, Res, Session};
use crate::action::Reply;
use crate::keyring;

/// What the sign-in screens ask of the server.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthCall {
    Login {
        email: String,
        password: String,
        remember: bool,
    },
    /// Sign in with the remembered refresh token, if there is one.
    Resume,
    /// Sign in with the session the SSH gateway gave for a registered key
    /// (no refresh token, so nothing to renew or remember).
    Adopt {
        token: String,
    },
    PasswordPolicy,
    /// The forced change of a temporary password.
    ChangeTempPassword {
        current: String,
        new: String,
    },
    ForgotPassword {
        email: String,
    },
    RequestAccess {
        email: String,
        message: String,
    },
    Logout,
}

impl Client {
    pub fn auth(&self) -> AuthServiceClient<Channel> {
        AuthServiceClient::new(self.channel.clone())
    }

    pub(super) async fn auth_call(&self, call: AuthCall) -> Res<Reply> {
        Ok(match call {
            AuthCall::Login {
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
                        client: self.client_name(),
                    })
                    .await?
                    .into_inner();
                self.signed_in(response, remember)
            }
            AuthCall::Resume => self.resume().await?,
            AuthCall::Adopt { token } => self.adopt(token).await?,
            AuthCall::PasswordPolicy => Reply::PasswordPolicy(
                self.auth()
                    .get_password_policy(pb::Empty {})
                    .await?
                    .into_inner(),
            ),
            AuthCall::ChangeTempPassword { current, new } => {
                self.change_password(current, new).await?;
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
            AuthCall::ForgotPassword { email } => Reply::Neutral(
                self.auth()
                    .forgot_password(pb::ForgotPasswordRequest { email })
                    .await?
                    .into_inner()
                    .message,
            ),
            AuthCall::RequestAccess { email, message } => Reply::Neutral(
                self.auth()
                    .request_access(pb::RequestAccessRequest { email, message })
                    .await?
                    .into_inner()
                    .message,
            ),
            AuthCall::Logout => self.logout().await,
        })
    }

    /// How this client names itself in one's list of sessions.
    pub(super) fn client_name(&self) -> String {
        let kind = if self.live { "full-screen" } else { "CLI" };
        format!("portal {} {kind}", env!("CARGO_PKG_VERSION"))
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
            .refresh(pb::RefreshRequest {
                refresh_token,
                client: self.client_name(),
            })
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

    async fn adopt(&self, token: String) -> Res<Reply> {
        self.use_token(token);
        match self.auth().who_am_i(self.authed(pb::Empty {})).await {
            Ok(identity) => {
                self.start_events();
                Ok(Reply::SignedIn {
                    identity: identity.into_inner(),
                    remember_note: None,
                })
            }
            Err(status) => {
                *self.session() = Session::default();
                Err(status)
            }
        }
    }

    async fn logout(&self) -> Reply {
        // Live updates stop first: the server ending the session would
        // otherwise end their stream as if the session had expired.
        if let Some(events) = self.session().events.take() {
            events.abort();
        }
        let refresh_token = self.session().refresh.clone().unwrap_or_default();
        // Signing out locally must work even when the server is unreachable.
        let _ = self
            .auth()
            .logout(self.authed(pb::LogoutRequest { refresh_token }))
            .await;
        if self.keyring_usable() {
            let _ = keyring::delete(&self.target.url);
        }
        *self.session() = Session::default();
        Reply::SignedOut
    }

    /// Exchanges the refresh token for a new session; false when there is
    /// none or the server refuses it.
    pub(super) async fn renew(&self) -> bool {
        let Some(refresh_token) = self.session().refresh.clone() else {
            return false;
        };
        let Ok(response) = self
            .auth()
            .refresh(pb::RefreshRequest {
                refresh_token,
                client: self.client_name(),
            })
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
}
