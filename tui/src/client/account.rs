//! `AccountService`: my profile and password, and the company's users.

use portal_proto::pb::{self, account_service_client::AccountServiceClient};
use tonic::transport::Channel;

use super::{Client, Res, every_page};
use crate::action::Reply;

/// What the Account tab (and the new-ticket form's contact list) asks.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountCall {
    Profile,
    UpdateProfile(pb::ContactDetails),
    ChangePassword {
        current: String,
        new: String,
    },
    Users {
        query: String,
    },
    /// Contacts of one company, for staff raising a ticket for it.
    CompanyContacts {
        company_id: i64,
    },
    /// Staff: who may subscribe to a ticket of the company, its contacts
    /// and those of other companies related to it.
    SubscriberCandidates {
        company_id: i64,
    },
    /// A provider Admin relates a contact to other companies.
    SetRelatedCompanies {
        contact_id: i64,
        company_ids: Vec<i64>,
    },
    AddUser(pb::AddUserRequest),
    UpdateUser(pb::UpdateUserRequest),
    SetAccess {
        contact_id: i64,
        access: pb::AccessLevel,
    },
    SetActive {
        contact_id: i64,
        active: bool,
    },
    ResetPassword {
        contact_id: i64,
    },
    /// My own sessions (where I am signed in).
    Sessions,
    /// Ends one of my sessions.
    RevokeSession {
        id: i64,
    },
    /// Ends all my sessions, or all but this one.
    SignOutEverywhere {
        keep_current: bool,
    },
    /// My SSH keys and the gateway's host key.
    SshKeys,
    /// Registers a public key, the line of an `.pub` file as pasted.
    AddSshKey {
        public_key: String,
    },
    RemoveSshKey {
        id: i64,
    },
}

impl Client {
    pub fn account(&self) -> AccountServiceClient<Channel> {
        AccountServiceClient::new(self.channel.clone())
    }

    pub(super) async fn account_call(&self, call: AccountCall) -> Res<Reply> {
        Ok(match call {
            AccountCall::Profile => Reply::Profile(Box::new(
                self.account()
                    .get_my_profile(self.authed(pb::Empty {}))
                    .await?
                    .into_inner(),
            )),
            AccountCall::UpdateProfile(details) => Reply::Profile(Box::new(
                self.account()
                    .update_my_profile(self.authed(pb::UpdateMyProfileRequest {
                        details: Some(details),
                    }))
                    .await?
                    .into_inner(),
            )),
            AccountCall::ChangePassword { current, new } => {
                self.change_password(current, new).await?;
                Reply::PasswordChanged
            }
            AccountCall::Users { query } => Reply::Users(self.users(0, query).await?),
            AccountCall::CompanyContacts { company_id } => Reply::CompanyContacts {
                company_id,
                contacts: self.users(company_id, String::new()).await?,
            },
            AccountCall::SubscriberCandidates { company_id } => Reply::SubscriberCandidates {
                company_id,
                contacts: self
                    .contacts(pb::ListUsersRequest {
                        company_id,
                        include_related: true,
                        ..Default::default()
                    })
                    .await?,
            },
            AccountCall::SetRelatedCompanies {
                contact_id,
                company_ids,
            } => Reply::UserChanged(Box::new(
                self.account()
                    .set_related_companies(self.authed(pb::SetRelatedCompaniesRequest {
                        contact_id,
                        related_company_ids: company_ids,
                    }))
                    .await?
                    .into_inner(),
            )),
            AccountCall::AddUser(add) => {
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
            AccountCall::UpdateUser(update) => Reply::UserChanged(Box::new(
                self.account()
                    .update_user(self.authed(update))
                    .await?
                    .into_inner(),
            )),
            AccountCall::SetAccess { contact_id, access } => Reply::UserChanged(Box::new(
                self.account()
                    .set_access_level(self.authed(pb::SetAccessLevelRequest {
                        contact_id,
                        access: access.into(),
                    }))
                    .await?
                    .into_inner(),
            )),
            AccountCall::SetActive { contact_id, active } => Reply::UserChanged(Box::new(
                self.account()
                    .set_user_active(self.authed(pb::SetUserActiveRequest { contact_id, active }))
                    .await?
                    .into_inner(),
            )),
            AccountCall::Sessions => Reply::Sessions(self.my_sessions().await?),
            AccountCall::RevokeSession { id } => {
                self.revoke_session(id).await?;
                Reply::SessionRevoked { id }
            }
            AccountCall::SignOutEverywhere { keep_current } => Reply::SignedOutEverywhere {
                ended: self.sign_out_everywhere(keep_current).await?,
                keep_current,
            },
            AccountCall::SshKeys => Reply::SshKeys(self.my_ssh_keys().await?),
            AccountCall::AddSshKey { public_key } => {
                Reply::SshKeyAdded(self.add_ssh_key(public_key).await?)
            }
            AccountCall::RemoveSshKey { id } => {
                self.remove_ssh_key(id).await?;
                Reply::SshKeyRemoved { id }
            }
            AccountCall::ResetPassword { contact_id } => {
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

    /// One's own sessions (Account, `s`).
    async fn my_sessions(&self) -> Res<Vec<pb::MySession>> {
        Ok(self
            .auth()
            .list_my_sessions(self.authed(pb::Empty {}))
            .await?
            .into_inner()
            .sessions)
    }

    async fn revoke_session(&self, id: i64) -> Res<()> {
        self.auth()
            .revoke_session(self.authed(pb::RevokeSessionRequest { session_id: id }))
            .await?;
        Ok(())
    }

    /// Signs out everywhere (else, with `keep_current`): how many ended.
    async fn sign_out_everywhere(&self, keep_current: bool) -> Res<u32> {
        Ok(self
            .auth()
            .sign_out_everywhere(self.authed(pb::SignOutEverywhereRequest { keep_current }))
            .await?
            .into_inner()
            .ended)
    }

    /// One's SSH keys and the gateway's host key (Account, `K`).
    async fn my_ssh_keys(&self) -> Res<pb::ListMySshKeysResponse> {
        Ok(self
            .auth()
            .list_my_ssh_keys(self.authed(pb::Empty {}))
            .await?
            .into_inner())
    }

    async fn add_ssh_key(&self, public_key: String) -> Res<pb::SshKey> {
        Ok(self
            .auth()
            .add_ssh_key(self.authed(pb::AddSshKeyRequest { public_key }))
            .await?
            .into_inner())
    }

    async fn remove_ssh_key(&self, id: i64) -> Res<()> {
        self.auth()
            .remove_ssh_key(self.authed(pb::RemoveSshKeyRequest { key_id: id }))
            .await?;
        Ok(())
    }

    pub(super) async fn change_password(&self, current: String, new: String) -> Res<()> {
        self.account()
            .change_password(self.authed(pb::ChangePasswordRequest {
                current_password: current,
                new_password: new,
            }))
            .await?;
        Ok(())
    }

    /// Every contact of a company (0: my own), inactive ones included.
    pub(super) async fn users(&self, company_id: i64, query: String) -> Res<Vec<pb::Contact>> {
        self.contacts(pb::ListUsersRequest {
            company_id,
            query,
            include_inactive: true,
            ..Default::default()
        })
        .await
    }

    /// Every contact `request` lists, page by page.
    async fn contacts(&self, request: pb::ListUsersRequest) -> Res<Vec<pb::Contact>> {
        every_page(|page| {
            let mut account = self.account();
            let request = self.authed(pb::ListUsersRequest {
                page: Some(page),
                ..request.clone()
            });
            async move {
                let list = account.list_users(request).await?.into_inner();
                Ok((list.contacts, list.next_cursor))
            }
        })
        .await
    }

    /// My company; `None` for staff, who have none of their own.
    pub(super) async fn my_company(&self) -> Option<pb::Company> {
        self.account()
            .get_company(self.authed(pb::GetCompanyRequest { company_id: 0 }))
            .await
            .ok()
            .map(tonic::Response::into_inner)
    }
}
