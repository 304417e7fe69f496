//! `AccountService`: My Account, a company's users and preferences, and the
//! pending password-reset and access requests, and the account team.

mod team;

use portal_proto::pb;
use rusqlite::Connection;
use tonic::{Request, Response, Status};

use super::AppState;
use super::auth::lockout_rule;
use super::authn::{any_caller, caller};
use super::convert::{
    self, access_from_pb, address_to_pb, company_to_pb, contact_to_pb, details_from_pb,
    identity_to_pb, request_to_pb, staff_to_pb,
};
use super::input::{self, MAX_NAME};
use super::keyset;
use super::outcome::Outcome;
use super::status::{self, invalid};
use crate::domain::{
    AccessLevel, Account, AuditAction, Caller, Contact, Credential, PendingRequest, Principal,
    RequestKind, SubjectKind,
};
use crate::policy;
use crate::security::{password, password_policy};
use crate::store::audit::{self, AuditEvent};
use crate::store::contacts::{self, ContactKey, ContactQuery};
use crate::store::{
    StoreError, companies, credentials, now_ms, refresh_tokens, requests, sessions, staff,
};

pub struct Accounts {
    state: AppState,
}

/// The company a request means: `asked`, or for 0 the caller's own (staff
/// must name one).
fn company_of(caller: &Caller, asked: i64) -> Result<i64, Status> {
    match (asked, &caller.principal) {
        (0, Principal::Contact { company_id, .. }) => Ok(*company_id),
        (0, Principal::Staff { .. }) => Err(invalid("company_id", "required for staff")),
        (id, _) => input::id("company_id", id),
    }
}

/// Contact `id` when the caller may see it; NOT_FOUND otherwise, exactly as
/// for a contact that does not exist.
fn visible_contact(conn: &Connection, p: &Principal, id: i64, now: i64) -> Outcome<Contact> {
    let contact = contacts::get(conn, id, now)?;
    policy::view_contact(p, contact.company_id, contact.id)?;
    Ok(contact)
}

fn contact_event(caller: &Caller, action: AuditAction, contact: &Contact) -> AuditEvent {
    AuditEvent::by(caller, action, &contact.email, Some(contact.company_id))
}

impl Accounts {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Changes contact `id` in one write: `apply` gets the contact the
    /// caller may see (NOT_FOUND otherwise), authorizes, makes the change
    /// and says what to audit (`None`: nothing to change). The contact is
    /// read back; when it changed, its cached sessions are forgotten, since
    /// its rights or name may have changed.
    async fn change_contact(
        &self,
        caller: &Caller,
        id: i64,
        apply: impl FnOnce(&Connection, &Principal, &Contact, i64) -> Outcome<Option<AuditEvent>>
        + Send
        + 'static,
    ) -> Result<pb::Contact, Status> {
        let p = caller.principal.clone();
        let by = caller.name.clone();
        let now = now_ms();
        let (contact, changed) = self
            .state
            .write(move |c| {
                let before = visible_contact(c, &p, id, now)?;
                let Some(event) = apply(c, &p, &before, now)? else {
                    return Ok((before, false));
                };
                audit::record(c, now, &event)?;
                credentials::touched(c, SubjectKind::Contact, id, &by, now)?;
                Ok((contacts::get(c, id, now)?, true))
            })
            .await?;
        if changed {
            self.state.sessions.forget_subject(SubjectKind::Contact, id);
        }
        Ok(contact_to_pb(&contact))
    }

    async fn profile(&self, caller: &Caller) -> Result<pb::MyProfile, Status> {
        let (kind, id) = (caller.principal.kind(), caller.principal.subject_id());
        let now = now_ms();
        self.state
            .read(move |c| {
                let account = credentials::find(c, kind, id)?.ok_or(StoreError::NotFound)?;
                let mut profile = pb::MyProfile {
                    identity: Some(identity_to_pb(&account)),
                    ..pb::MyProfile::default()
                };
                match kind {
                    SubjectKind::Contact => {
                        let contact = contacts::get(c, id, now)?;
                        let company = companies::get(c, contact.company_id)?;
                        profile.contact = Some(contact_to_pb(&contact));
                        profile.company_address = Some(address_to_pb(&company.address));
                    }
                    SubjectKind::Staff => profile.staff = Some(staff_to_pb(&staff::get(c, id)?)),
                }
                if let Some((at, by)) = credentials::last_touched(c, kind, id)? {
                    profile.updated_at = Some(convert::timestamp(at));
                    profile.updated_by = by;
                }
                Ok(profile)
            })
            .await
    }

    /// Gives a contact a new temporary password: it must change it at its
    /// next sign-in, and every current sign-in ends. `resolve` is the
    /// password-reset request this approves, if any.
    async fn reset_password(
        &self,
        caller: &Caller,
        contact: &Contact,
        resolve: Option<i64>,
    ) -> Result<String, Status> {
        let temporary = password_policy::temporary();
        let hash = password::hash_off_thread(temporary.clone()).await?;
        let (id, now) = (contact.id, now_ms());
        let mut event = contact_event(caller, AuditAction::PasswordReset, contact);
        let by = caller.email.clone();
        if resolve.is_some() {
            event.detail = "password reset request approved".into();
        }
        self.state
            .write(move |c| {
                if let Some(request) = resolve {
                    requests::resolve(c, request, &by, true, now)?;
                }
                credentials::set_password(c, SubjectKind::Contact, id, &hash, true, now)?;
                credentials::end_sign_ins(c, SubjectKind::Contact, id, now)?;
                Ok(audit::record(c, now, &event)?)
            })
            .await?;
        self.state.sessions.forget_subject(SubjectKind::Contact, id);
        Ok(temporary)
    }

    /// The caller's own account and its password, to check a password
    /// change against.
    fn own_credential(&self, caller: &Caller) -> Result<(Account, Credential), Status> {
        let (kind, id) = (caller.principal.kind(), caller.principal.subject_id());
        let account = self
            .state
            .read_inline(|c| Ok(credentials::find(c, kind, id)?))?
            .ok_or_else(status::sign_in_first)?;
        let credential = account.credential.clone().ok_or_else(|| {
            StoreError::FailedPrecondition("this account has no password to change".into())
        })?;
        Ok((account, credential))
    }

    /// Refuses a wrong current password; a wrong guess counts towards
    /// lockout, as at sign-in (guessing through a stolen session).
    async fn check_current_password(
        &self,
        caller: &Caller,
        (account, credential): (Account, Credential),
        current: String,
    ) -> Result<(), Status> {
        let now = now_ms();
        if let Some(left) = credential.lock.locked_for(now) {
            return Err(status::locked(left));
        }
        if password::verify_off_thread(current, Some(credential.password_hash)).await {
            return Ok(());
        }
        let lock = credential
            .lock
            .after_failure(now, lockout_rule(&self.state));
        let event = AuditEvent {
            detail: "wrong current password".into(),
            ..AuditEvent::by(
                caller,
                AuditAction::PasswordChangeFailed,
                &caller.email,
                account.company_id,
            )
        };
        let (kind, id) = (account.kind, account.id);
        self.state
            .write(move |c| {
                credentials::save_lock(c, kind, id, &lock)?;
                Ok(audit::record(c, now, &event)?)
            })
            .await?;
        Err(invalid("current_password", "is not correct"))
    }

    /// Dismisses a pending request: nothing changes but the request.
    async fn dismiss_request(
        &self,
        caller: &Caller,
        pending: &PendingRequest,
        contact: &Contact,
    ) -> Result<(), Status> {
        let event = AuditEvent {
            detail: pending.kind.as_str().into(),
            ..contact_event(caller, AuditAction::RequestDismissed, contact)
        };
        let (request_id, by, now) = (pending.id, caller.email.clone(), now_ms());
        self.state
            .write(move |c| {
                requests::resolve(c, request_id, &by, false, now)?;
                Ok(audit::record(c, now, &event)?)
            })
            .await
    }

    /// Approves a password reset: a temporary password, while the contact
    /// still has portal access.
    async fn approve_password_reset(
        &self,
        caller: &Caller,
        pending: &PendingRequest,
        contact: &Contact,
    ) -> Result<String, Status> {
        if contact.access == AccessLevel::None || !contact.active {
            return Err(StoreError::FailedPrecondition(
                "this contact no longer has portal access; dismiss the request".into(),
            )
            .into());
        }
        self.reset_password(caller, contact, Some(pending.id)).await
    }

    /// Approves an access request: the contact gets `asked` access (User
    /// when unspecified), is enabled, and gets a temporary password.
    async fn approve_access(
        &self,
        caller: &Caller,
        pending: &PendingRequest,
        contact: &Contact,
        asked: pb::AccessLevel,
    ) -> Result<String, Status> {
        let access = match asked {
            pb::AccessLevel::Unspecified => AccessLevel::User,
            pb::AccessLevel::None => {
                return Err(invalid(
                    "access",
                    "approving grants portal access; dismiss instead",
                ));
            }
            other => access_from_pb(other).unwrap_or(AccessLevel::User),
        };
        let temporary = password_policy::temporary();
        let hash = password::hash_off_thread(temporary.clone()).await?;
        let role = AuditEvent {
            detail: format!(
                "{} → {} (access request approved)",
                contact.access.as_str(),
                access.as_str()
            ),
            ..contact_event(caller, AuditAction::RoleChange, contact)
        };
        let enabled =
            (!contact.active).then(|| contact_event(caller, AuditAction::UserEnabled, contact));
        let (request_id, id, by, now) = (pending.id, contact.id, caller.email.clone(), now_ms());
        self.state
            .write(move |c| {
                requests::resolve(c, request_id, &by, true, now)?;
                contacts::set_access(c, id, access)?;
                contacts::set_active(c, id, true)?;
                credentials::set_password(c, SubjectKind::Contact, id, &hash, true, now)?;
                audit::record(c, now, &role)?;
                if let Some(event) = enabled {
                    audit::record(c, now, &event)?;
                }
                Ok(())
            })
            .await?;
        self.state.sessions.forget_subject(SubjectKind::Contact, id);
        Ok(temporary)
    }
}

#[tonic::async_trait]
impl pb::account_service_server::AccountService for Accounts {
    async fn get_my_profile(
        &self,
        request: Request<pb::Empty>,
    ) -> Result<Response<pb::MyProfile>, Status> {
        let caller = caller(&request)?;
        Ok(Response::new(self.profile(caller).await?))
    }

    async fn update_my_profile(
        &self,
        request: Request<pb::UpdateMyProfileRequest>,
    ) -> Result<Response<pb::MyProfile>, Status> {
        let caller = caller(&request)?.clone();
        let details = request
            .into_inner()
            .details
            .ok_or_else(|| invalid("details", "required"))?;
        match caller.principal {
            Principal::Contact { contact_id, .. } => {
                let details = input::details(&details_from_pb(details)?)?;
                let (by, now) = (caller.name.clone(), now_ms());
                self.state
                    .write(move |c| {
                        contacts::update_details(c, contact_id, &details)?;
                        credentials::touched(c, SubjectKind::Contact, contact_id, &by, now)?;
                        Ok(())
                    })
                    .await?;
            }
            Principal::Staff { staff_id, .. } => {
                let first = input::text("details.first_name", &details.first_name, MAX_NAME, true)?;
                let last = input::text("details.last_name", &details.last_name, MAX_NAME, true)?;
                let (by, now) = (caller.name.clone(), now_ms());
                self.state
                    .write(move |c| {
                        staff::set_name(c, staff_id, &first, &last)?;
                        credentials::touched(c, SubjectKind::Staff, staff_id, &by, now)?;
                        Ok(())
                    })
                    .await?;
            }
        }
        // Cached sessions carry the display name.
        self.state
            .sessions
            .forget_subject(caller.principal.kind(), caller.principal.subject_id());
        Ok(Response::new(self.profile(&caller).await?))
    }

    async fn change_password(
        &self,
        request: Request<pb::ChangePasswordRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        let caller = any_caller(&request)?.clone();
        let req = request.into_inner();
        if req.current_password.is_empty() {
            return Err(invalid("current_password", "required"));
        }
        let failed = password_policy::check(&req.new_password, Some(&caller.email));
        if !failed.is_empty() {
            return Err(invalid("new_password", failed.join("; ")));
        }
        if req.new_password == req.current_password {
            return Err(invalid(
                "new_password",
                "must differ from the current password",
            ));
        }
        let own = self.own_credential(&caller)?;
        let company_id = own.0.company_id;
        self.check_current_password(&caller, own, req.current_password)
            .await?;
        let hash = password::hash_off_thread(req.new_password).await?;
        let (kind, id) = (caller.principal.kind(), caller.principal.subject_id());
        let (session, now) = (caller.session_id, now_ms());
        let event = AuditEvent::by(
            &caller,
            AuditAction::PasswordChange,
            &caller.email,
            company_id,
        );
        self.state
            .write(move |c| {
                credentials::set_password(c, kind, id, &hash, false, now)?;
                sessions::revoke_subject_except(c, kind, id, session)?;
                refresh_tokens::revoke_subject(c, kind, id, now)?;
                Ok(audit::record(c, now, &event)?)
            })
            .await?;
        self.state.sessions.forget_subject(kind, id);
        Ok(Response::new(pb::Empty {}))
    }

    async fn get_company(
        &self,
        request: Request<pb::GetCompanyRequest>,
    ) -> Result<Response<pb::Company>, Status> {
        let caller = caller(&request)?;
        let company_id = company_of(caller, request.get_ref().company_id)?;
        policy::view_company(&caller.principal, company_id)?;
        let company = self
            .state
            .read_inline(|c| Ok(companies::get(c, company_id)?))?;
        Ok(Response::new(company_to_pb(&company)))
    }

    async fn update_company_preferences(
        &self,
        request: Request<pb::UpdateCompanyPreferencesRequest>,
    ) -> Result<Response<pb::Company>, Status> {
        let caller = caller(&request)?.clone();
        let req = request.into_inner();
        let company_id = company_of(&caller, req.company_id)?;
        let prefs = req
            .preferences
            .ok_or_else(|| invalid("preferences", "required"))?;
        let prefs = convert::preferences_from_pb(Some(prefs));
        input::subscriber_ids(
            "preferences.default_subscriber_ids",
            &prefs.default_subscriber_ids,
        )?;
        policy::manage_users(&caller.principal, company_id)?;
        let mut event = AuditEvent::by(&caller, AuditAction::CompanyUpdated, "", Some(company_id));
        event.detail = "preferences".into();
        let now = now_ms();
        let company = self
            .state
            .write(move |c| {
                let mut company = companies::get(c, company_id)?;
                companies::set_preferences(c, company_id, &prefs)?;
                event.subject.clone_from(&company.name);
                audit::record(c, now, &event)?;
                company.preferences = prefs;
                Ok(company)
            })
            .await?;
        Ok(Response::new(company_to_pb(&company)))
    }

    async fn list_users(
        &self,
        request: Request<pb::ListUsersRequest>,
    ) -> Result<Response<pb::ListUsersResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.get_ref();
        let company_id = company_of(caller, req.company_id)?;
        let limit = keyset::page_size(req.page.as_ref())?;
        let after = keyset::decode::<(String, String, i64)>(req.page.as_ref())?.map(
            |(last_name, first_name, id)| ContactKey {
                last_name,
                first_name,
                id,
            },
        );
        let text = input::text("query", &req.query, 200, false)?;
        let only = policy::contact_list_scope(&caller.principal, company_id)?;
        if req.include_related {
            policy::list_related_contacts(&caller.principal)?;
        }
        let query = ContactQuery {
            company_id,
            text,
            include_inactive: req.include_inactive,
            include_related: req.include_related,
            only,
            after,
            limit: limit + 1,
        };
        let now = now_ms();
        let (mut page, total) = self
            .state
            .read(move |c| Ok(contacts::list(c, &query, now)?))
            .await?;
        let next_cursor = keyset::finish(&mut page, limit, |last| {
            (
                last.details.last_name.clone(),
                last.details.first_name.clone(),
                last.id,
            )
        });
        Ok(Response::new(pb::ListUsersResponse {
            contacts: page.iter().map(contact_to_pb).collect(),
            next_cursor,
            total,
        }))
    }

    async fn get_user(
        &self,
        request: Request<pb::GetUserRequest>,
    ) -> Result<Response<pb::Contact>, Status> {
        let p = caller(&request)?.principal.clone();
        let id = input::id("contact_id", request.get_ref().contact_id)?;
        let now = now_ms();
        let contact = self
            .state
            .read_inline(|c| visible_contact(c, &p, id, now))?;
        Ok(Response::new(contact_to_pb(&contact)))
    }

    async fn add_user(
        &self,
        request: Request<pb::AddUserRequest>,
    ) -> Result<Response<pb::AddUserResponse>, Status> {
        let caller = caller(&request)?.clone();
        let req = request.into_inner();
        let company_id = company_of(&caller, req.company_id)?;
        let email = input::email("email", &req.email, true)?;
        let access = convert::required_access("access", req.access)?;
        let details = req.details.ok_or_else(|| invalid("details", "required"))?;
        let details = input::details(&details_from_pb(details)?)?;
        policy::manage_users(&caller.principal, company_id)?;
        let temporary = (access != AccessLevel::None).then(password_policy::temporary);
        let hash = match &temporary {
            Some(t) => Some(password::hash_off_thread(t.clone()).await?),
            None => None,
        };
        let mut event = AuditEvent::by(&caller, AuditAction::UserAdded, &email, Some(company_id));
        event.detail = format!("access {}", access.as_str());
        let now = now_ms();
        let contact = self
            .state
            .write(move |c| {
                companies::get(c, company_id)?;
                let id = contacts::insert(c, company_id, &email, &details, access, now)?;
                if let Some(hash) = hash {
                    credentials::set_password(c, SubjectKind::Contact, id, &hash, true, now)?;
                }
                audit::record(c, now, &event)?;
                Ok(contacts::get(c, id, now)?)
            })
            .await?;
        Ok(Response::new(pb::AddUserResponse {
            contact: Some(contact_to_pb(&contact)),
            temporary_password: temporary.unwrap_or_default(),
        }))
    }

    async fn update_user(
        &self,
        request: Request<pb::UpdateUserRequest>,
    ) -> Result<Response<pb::Contact>, Status> {
        let caller = caller(&request)?.clone();
        let req = request.into_inner();
        let id = input::id("contact_id", req.contact_id)?;
        let details = req.details.ok_or_else(|| invalid("details", "required"))?;
        let details = input::details(&details_from_pb(details)?)?;
        let email = input::email("email", &req.email, false)?;
        let by = caller.clone();
        let contact = self
            .change_contact(&caller, id, move |c, p, contact, _| {
                policy::edit_contact_details(p, contact.company_id)?;
                let new_email = (!email.is_empty() && email != contact.email).then_some(email);
                let mut event = contact_event(&by, AuditAction::UserUpdated, contact);
                if let Some(e) = &new_email {
                    policy::manage_users(p, contact.company_id)?;
                    event.action = AuditAction::UserEmailChanged;
                    event.detail = format!("login e-mail changed to {e}");
                }
                contacts::update_details(c, id, &details)?;
                if let Some(email) = new_email {
                    contacts::set_email(c, id, &email)?;
                }
                Ok(Some(event))
            })
            .await?;
        Ok(Response::new(contact))
    }

    async fn set_access_level(
        &self,
        request: Request<pb::SetAccessLevelRequest>,
    ) -> Result<Response<pb::Contact>, Status> {
        let caller = caller(&request)?.clone();
        let req = request.into_inner();
        let id = input::id("contact_id", req.contact_id)?;
        let access = convert::required_access("access", req.access)?;
        let by = caller.clone();
        let contact = self
            .change_contact(&caller, id, move |c, p, contact, now| {
                policy::set_access_level(p, contact.company_id, id, contact.access, access)?;
                if access == contact.access {
                    return Ok(None);
                }
                contacts::set_access(c, id, access)?;
                if access == AccessLevel::None {
                    credentials::end_sign_ins(c, SubjectKind::Contact, id, now)?;
                }
                Ok(Some(AuditEvent {
                    detail: format!("{} → {}", contact.access.as_str(), access.as_str()),
                    ..contact_event(&by, AuditAction::RoleChange, contact)
                }))
            })
            .await?;
        Ok(Response::new(contact))
    }

    async fn set_user_active(
        &self,
        request: Request<pb::SetUserActiveRequest>,
    ) -> Result<Response<pb::Contact>, Status> {
        let caller = caller(&request)?.clone();
        let req = request.into_inner();
        let id = input::id("contact_id", req.contact_id)?;
        let active = req.active;
        let by = caller.clone();
        let contact = self
            .change_contact(&caller, id, move |c, p, contact, now| {
                policy::set_user_active(p, contact.company_id, id)?;
                if active == contact.active {
                    return Ok(None);
                }
                contacts::set_active(c, id, active)?;
                if !active {
                    credentials::end_sign_ins(c, SubjectKind::Contact, id, now)?;
                }
                let action = if active {
                    AuditAction::UserEnabled
                } else {
                    AuditAction::UserDisabled
                };
                Ok(Some(contact_event(&by, action, contact)))
            })
            .await?;
        Ok(Response::new(contact))
    }

    async fn reset_user_password(
        &self,
        request: Request<pb::ResetUserPasswordRequest>,
    ) -> Result<Response<pb::TemporaryPassword>, Status> {
        let caller = caller(&request)?.clone();
        let id = input::id("contact_id", request.get_ref().contact_id)?;
        let (p, now) = (caller.principal.clone(), now_ms());
        let contact = self.state.read_inline(|c| {
            let contact = visible_contact(c, &p, id, now)?;
            policy::manage_users(&p, contact.company_id)?;
            if contact.access == AccessLevel::None {
                return Err(StoreError::FailedPrecondition(
                    "this contact has no portal access; give it a security level first".into(),
                )
                .into());
            }
            Ok(contact)
        })?;
        let temporary = self.reset_password(&caller, &contact, None).await?;
        Ok(Response::new(pb::TemporaryPassword {
            temporary_password: temporary,
        }))
    }

    async fn set_related_companies(
        &self,
        request: Request<pb::SetRelatedCompaniesRequest>,
    ) -> Result<Response<pb::Contact>, Status> {
        let caller = caller(&request)?.clone();
        let req = request.into_inner();
        let id = input::id("contact_id", req.contact_id)?;
        let related = input::related_company_ids(&req.related_company_ids)?;
        let by = caller.clone();
        let contact = self
            .change_contact(&caller, id, move |c, p, contact, _| {
                policy::set_related_companies(p, contact.company_id)?;
                let (added, removed) =
                    contacts::set_related_companies(c, id, contact.company_id, &related)?;
                if added.is_empty() && removed.is_empty() {
                    return Ok(None);
                }
                let names = |ids: &[i64]| -> Outcome<String> {
                    let mut names = Vec::with_capacity(ids.len());
                    for &company in ids {
                        names.push(companies::get(c, company)?.name);
                    }
                    Ok(names.join(", "))
                };
                let mut detail = Vec::new();
                if !added.is_empty() {
                    detail.push(format!("related to {}", names(&added)?));
                }
                if !removed.is_empty() {
                    detail.push(format!(
                        "no longer related to {} (its subscriptions there dropped)",
                        names(&removed)?
                    ));
                }
                Ok(Some(AuditEvent {
                    detail: detail.join("; "),
                    ..contact_event(&by, AuditAction::UserRelatedCompanies, contact)
                }))
            })
            .await?;
        Ok(Response::new(contact))
    }

    async fn list_pending_requests(
        &self,
        request: Request<pb::ListPendingRequestsRequest>,
    ) -> Result<Response<pb::ListPendingRequestsResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.get_ref();
        let company = match (&caller.principal, req.company_id) {
            (Principal::Staff { .. }, 0) => None,
            (_, asked) => Some(company_of(caller, asked)?),
        };
        let limit = keyset::page_size(req.page.as_ref())?;
        let after = keyset::decode::<i64>(req.page.as_ref())?;
        if let Some(company_id) = company {
            policy::resolve_requests(&caller.principal, company_id)?;
        }
        let mut list = self
            .state
            .read(move |c| Ok(requests::list_open(c, company, after, limit + 1)?))
            .await?;
        let next_cursor = keyset::finish(&mut list, limit, |last| last.id);
        Ok(Response::new(pb::ListPendingRequestsResponse {
            requests: list.iter().map(request_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn get_account_team(
        &self,
        request: Request<pb::GetAccountTeamRequest>,
    ) -> Result<Response<pb::AccountTeam>, Status> {
        self.team(&request).map(Response::new)
    }

    async fn set_account_team(
        &self,
        request: Request<pb::SetAccountTeamRequest>,
    ) -> Result<Response<pb::AccountTeam>, Status> {
        self.set_team(request).await.map(Response::new)
    }

    async fn resolve_pending_request(
        &self,
        request: Request<pb::ResolvePendingRequestRequest>,
    ) -> Result<Response<pb::ResolvePendingRequestResponse>, Status> {
        let caller = caller(&request)?.clone();
        let req = request.into_inner();
        let request_id = input::id("request_id", req.request_id)?;
        let asked_access = pb::AccessLevel::try_from(req.access)
            .map_err(|_| invalid("access", "not a known security level"))?;
        let (p, now) = (caller.principal.clone(), now_ms());
        let (pending, contact) = self.state.read_inline(|c| {
            let pending = requests::get(c, request_id)?;
            policy::resolve_requests(&p, pending.company_id)?;
            if pending.resolved {
                return Err(StoreError::FailedPrecondition(
                    "this request has already been resolved".into(),
                )
                .into());
            }
            let contact = contacts::get(c, pending.contact_id, now)?;
            Ok((pending, contact))
        })?;
        let temporary = match (req.approve, pending.kind) {
            (false, _) => {
                self.dismiss_request(&caller, &pending, &contact).await?;
                String::new()
            }
            (true, RequestKind::PasswordReset) => {
                self.approve_password_reset(&caller, &pending, &contact)
                    .await?
            }
            (true, RequestKind::Access) => {
                self.approve_access(&caller, &pending, &contact, asked_access)
                    .await?
            }
        };
        Ok(Response::new(pb::ResolvePendingRequestResponse {
            temporary_password: temporary,
        }))
    }
}
