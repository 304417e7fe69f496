//! `AccountService`: My Account, a company's users and preferences, and the
//! pending password-reset and access requests.

use portal_proto::pb;
use rusqlite::Connection;
use tonic::{Request, Response, Status};

use super::AppState;
use super::auth::{locked, lockout_rule};
use super::authn::{any_caller, caller};
use super::convert::{
    self, access_from_pb, address_to_pb, company_to_pb, contact_to_pb, details_from_pb,
    identity_to_pb, request_to_pb, staff_to_pb,
};
use super::input::{self, MAX_NAME};
use super::keyset;
use super::status::invalid;
use crate::domain::{AccessLevel, Caller, Principal, RequestKind, SubjectKind};
use crate::policy;
use crate::security::{password, password_policy};
use crate::store::audit::{self, AuditEvent};
use crate::store::contacts::{self, ContactKey, ContactQuery};
use crate::store::{self, companies, credentials, now_ms, requests, sessions, staff};

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

fn actor_event(
    caller: &Caller,
    action: &'static str,
    subject: &str,
    company_id: i64,
) -> AuditEvent {
    AuditEvent {
        actor: caller.email.clone(),
        action,
        subject: subject.to_owned(),
        company_id: Some(company_id),
        detail: String::new(),
    }
}

impl Accounts {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// A contact the caller may see (`NOT_FOUND` otherwise, like a missing id).
    fn visible_contact(&self, caller: &Caller, id: i64) -> Result<crate::domain::Contact, Status> {
        let id = input::id("contact_id", id)?;
        let now = now_ms();
        let contact = self
            .state
            .store
            .read_inline(|c| contacts::get(c, id, now))?;
        policy::view_contact(&caller.principal, contact.company_id, contact.id)?;
        Ok(contact)
    }

    /// Changes contact `id` and records `event` in one write that also reads
    /// the contact back; its cached sessions are forgotten, since its rights
    /// or name may have changed.
    async fn change_contact(
        &self,
        (id, now): (i64, i64),
        event: AuditEvent,
        change: impl FnOnce(&Connection) -> store::Result<()> + Send + 'static,
    ) -> Result<pb::Contact, Status> {
        let contact = self
            .state
            .store
            .write(move |c| {
                change(c)?;
                audit::record(c, now, &event)?;
                contacts::get(c, id, now)
            })
            .await?;
        self.state.sessions.forget_subject(SubjectKind::Contact, id);
        Ok(contact_to_pb(&contact))
    }

    async fn profile(&self, caller: &Caller) -> Result<pb::MyProfile, Status> {
        let (kind, id) = (caller.principal.kind(), caller.principal.subject_id());
        let now = now_ms();
        let profile = self
            .state
            .store
            .read(move |c| {
                let account =
                    credentials::find(c, kind, id)?.ok_or(crate::store::StoreError::NotFound)?;
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
                Ok(profile)
            })
            .await?;
        Ok(profile)
    }

    /// Gives a contact a new temporary password: it must change it at its next
    /// sign-in, and every current sign-in ends.
    async fn reset_password(
        &self,
        caller: &Caller,
        contact: &crate::domain::Contact,
        resolve: Option<i64>,
    ) -> Result<String, Status> {
        let temporary = password_policy::temporary();
        let hash = password::hash_off_thread(temporary.clone()).await?;
        let (id, now) = (contact.id, now_ms());
        let mut event = actor_event(caller, "password.reset", &contact.email, contact.company_id);
        let by = caller.email.clone();
        if resolve.is_some() {
            event.detail = "password reset request approved".into();
        }
        self.state
            .store
            .write(move |c| {
                if let Some(request) = resolve {
                    requests::resolve(c, request, &by, true, now)?;
                }
                credentials::set_password(c, SubjectKind::Contact, id, &hash, true, now)?;
                credentials::end_sign_ins(c, SubjectKind::Contact, id, now)?;
                audit::record(c, now, &event)
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
                self.state
                    .store
                    .write(move |c| contacts::update_details(c, contact_id, &details))
                    .await?;
            }
            Principal::Staff { staff_id, .. } => {
                let first = input::text("details.first_name", &details.first_name, MAX_NAME, true)?;
                let last = input::text("details.last_name", &details.last_name, MAX_NAME, true)?;
                self.state
                    .store
                    .write(move |c| staff::set_name(c, staff_id, &first, &last))
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
        let (kind, id) = (caller.principal.kind(), caller.principal.subject_id());
        let account = self
            .state
            .store
            .read_inline(|c| credentials::find(c, kind, id))?
            .ok_or_else(|| Status::unauthenticated("sign in first"))?;
        let credential = account
            .credential
            .ok_or_else(|| Status::failed_precondition("this account has no password to change"))?;
        let now = now_ms();
        if let Some(left) = credential.lock.locked_for(now) {
            return Err(locked(left));
        }
        let company_id = account.company_id;
        if !password::verify_off_thread(req.current_password, Some(credential.password_hash)).await
        {
            // Guessing through a stolen session counts towards lockout too.
            let lock = credential
                .lock
                .after_failure(now, lockout_rule(&self.state));
            let event = AuditEvent {
                actor: caller.email.clone(),
                action: "password.change_failed",
                subject: caller.email.clone(),
                company_id,
                detail: "wrong current password".into(),
            };
            self.state
                .store
                .write(move |c| {
                    credentials::save_lock(c, kind, id, &lock)?;
                    audit::record(c, now, &event)
                })
                .await?;
            return Err(invalid("current_password", "is not correct"));
        }
        let hash = password::hash_off_thread(req.new_password).await?;
        let session = caller.session_id;
        let event = AuditEvent {
            actor: caller.email.clone(),
            action: "password.change",
            subject: caller.email.clone(),
            company_id,
            detail: String::new(),
        };
        self.state
            .store
            .write(move |c| {
                credentials::set_password(c, kind, id, &hash, false, now)?;
                sessions::revoke_subject_except(c, kind, id, session)?;
                crate::store::refresh_tokens::revoke_subject(c, kind, id, now)?;
                audit::record(c, now, &event)
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
            .store
            .read_inline(|c| companies::get(c, company_id))?;
        Ok(Response::new(company_to_pb(&company)))
    }

    async fn update_company_preferences(
        &self,
        request: Request<pb::UpdateCompanyPreferencesRequest>,
    ) -> Result<Response<pb::Company>, Status> {
        let caller = caller(&request)?.clone();
        let req = request.into_inner();
        let company_id = company_of(&caller, req.company_id)?;
        policy::manage_users(&caller.principal, company_id)?;
        let prefs = req
            .preferences
            .ok_or_else(|| invalid("preferences", "required"))?;
        let prefs = convert::preferences_from_pb(Some(prefs));
        input::subscriber_ids(
            "preferences.default_subscriber_ids",
            &prefs.default_subscriber_ids,
        )?;
        let mut event = actor_event(&caller, "company.updated", "", company_id);
        event.detail = "preferences".into();
        let now = now_ms();
        let company = self
            .state
            .store
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
        let only = policy::contact_list_scope(&caller.principal, company_id)?;
        let limit = keyset::page_size(req.page.as_ref())?;
        let after = keyset::decode::<(String, String, i64)>(req.page.as_ref())?.map(
            |(last_name, first_name, id)| ContactKey {
                last_name,
                first_name,
                id,
            },
        );
        let query = ContactQuery {
            company_id,
            text: input::text("query", &req.query, 200, false)?,
            include_inactive: req.include_inactive,
            only,
            after,
            limit: limit + 1,
        };
        let now = now_ms();
        let (mut page, total) = self
            .state
            .store
            .read(move |c| contacts::list(c, &query, now))
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
        let caller = caller(&request)?;
        let contact = self.visible_contact(caller, request.get_ref().contact_id)?;
        Ok(Response::new(contact_to_pb(&contact)))
    }

    async fn add_user(
        &self,
        request: Request<pb::AddUserRequest>,
    ) -> Result<Response<pb::AddUserResponse>, Status> {
        let caller = caller(&request)?.clone();
        let req = request.into_inner();
        let company_id = company_of(&caller, req.company_id)?;
        policy::manage_users(&caller.principal, company_id)?;
        let email = input::email("email", &req.email, true)?;
        let access = convert::required_access("access", req.access)?;
        let details = req.details.ok_or_else(|| invalid("details", "required"))?;
        let details = input::details(&details_from_pb(details)?)?;
        let temporary = (access != AccessLevel::None).then(password_policy::temporary);
        let hash = match &temporary {
            Some(t) => Some(password::hash_off_thread(t.clone()).await?),
            None => None,
        };
        let mut event = actor_event(&caller, "user.added", &email, company_id);
        event.detail = format!("access {}", access.as_str());
        let now = now_ms();
        let contact = self
            .state
            .store
            .write(move |c| {
                companies::get(c, company_id)?;
                let id = contacts::insert(c, company_id, &email, &details, access, now)?;
                if let Some(hash) = hash {
                    credentials::set_password(c, SubjectKind::Contact, id, &hash, true, now)?;
                }
                audit::record(c, now, &event)?;
                contacts::get(c, id, now)
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
        let contact = self.visible_contact(&caller, req.contact_id)?;
        policy::edit_contact_details(&caller.principal, contact.company_id)?;
        let details = req.details.ok_or_else(|| invalid("details", "required"))?;
        let details = input::details(&details_from_pb(details)?)?;
        let new_email = input::email("email", &req.email, false)?;
        let new_email = (!new_email.is_empty() && new_email != contact.email).then_some(new_email);
        if new_email.is_some() {
            policy::manage_users(&caller.principal, contact.company_id)?;
        }
        let mut event = actor_event(&caller, "user.updated", &contact.email, contact.company_id);
        if let Some(e) = &new_email {
            event.action = "user.email_changed";
            event.detail = format!("login e-mail changed to {e}");
        }
        let id = contact.id;
        let contact = self
            .change_contact((id, now_ms()), event, move |c| {
                contacts::update_details(c, id, &details)?;
                match new_email {
                    Some(email) => contacts::set_email(c, id, &email),
                    None => Ok(()),
                }
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
        let contact = self.visible_contact(&caller, req.contact_id)?;
        let access = convert::required_access("access", req.access)?;
        policy::set_access_level(
            &caller.principal,
            contact.company_id,
            contact.id,
            contact.access,
            access,
        )?;
        if access == contact.access {
            return Ok(Response::new(contact_to_pb(&contact)));
        }
        let mut event = actor_event(&caller, "role.change", &contact.email, contact.company_id);
        event.detail = format!("{} → {}", contact.access.as_str(), access.as_str());
        let (id, now) = (contact.id, now_ms());
        let contact = self
            .change_contact((id, now), event, move |c| {
                contacts::set_access(c, id, access)?;
                if access == AccessLevel::None {
                    credentials::end_sign_ins(c, SubjectKind::Contact, id, now)?;
                }
                Ok(())
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
        let contact = self.visible_contact(&caller, req.contact_id)?;
        policy::set_user_active(&caller.principal, contact.company_id, contact.id)?;
        if req.active == contact.active {
            return Ok(Response::new(contact_to_pb(&contact)));
        }
        let action = if req.active {
            "user.enabled"
        } else {
            "user.disabled"
        };
        let event = actor_event(&caller, action, &contact.email, contact.company_id);
        let (id, now, active) = (contact.id, now_ms(), req.active);
        let contact = self
            .change_contact((id, now), event, move |c| {
                contacts::set_active(c, id, active)?;
                if !active {
                    credentials::end_sign_ins(c, SubjectKind::Contact, id, now)?;
                }
                Ok(())
            })
            .await?;
        Ok(Response::new(contact))
    }

    async fn reset_user_password(
        &self,
        request: Request<pb::ResetUserPasswordRequest>,
    ) -> Result<Response<pb::TemporaryPassword>, Status> {
        let caller = caller(&request)?.clone();
        let contact = self.visible_contact(&caller, request.get_ref().contact_id)?;
        policy::manage_users(&caller.principal, contact.company_id)?;
        if contact.access == AccessLevel::None {
            return Err(Status::failed_precondition(
                "this contact has no portal access; give it a security level first",
            ));
        }
        let temporary = self.reset_password(&caller, &contact, None).await?;
        Ok(Response::new(pb::TemporaryPassword {
            temporary_password: temporary,
        }))
    }

    async fn list_pending_requests(
        &self,
        request: Request<pb::ListPendingRequestsRequest>,
    ) -> Result<Response<pb::ListPendingRequestsResponse>, Status> {
        let caller = caller(&request)?;
        let asked = request.get_ref().company_id;
        let company = match (&caller.principal, asked) {
            (Principal::Staff { .. }, 0) => None,
            _ => Some(company_of(caller, asked)?),
        };
        if let Some(company_id) = company {
            policy::resolve_requests(&caller.principal, company_id)?;
        }
        let page = request.get_ref().page.as_ref();
        let limit = keyset::page_size(page)?;
        let after = keyset::decode::<i64>(page)?;
        let mut list = self
            .state
            .store
            .read(move |c| requests::list_open(c, company, after, limit + 1))
            .await?;
        let next_cursor = keyset::finish(&mut list, limit, |last| last.id);
        Ok(Response::new(pb::ListPendingRequestsResponse {
            requests: list.iter().map(request_to_pb).collect(),
            next_cursor,
        }))
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
        let pending = self
            .state
            .store
            .read_inline(|c| requests::get(c, request_id))?;
        policy::resolve_requests(&caller.principal, pending.company_id)?;
        if pending.resolved {
            return Err(Status::failed_precondition(
                "this request has already been resolved",
            ));
        }
        let now = now_ms();
        let contact = {
            let id = pending.contact_id;
            self.state
                .store
                .read_inline(|c| contacts::get(c, id, now))?
        };
        if !req.approve {
            let mut event = actor_event(
                &caller,
                "request.dismissed",
                &contact.email,
                contact.company_id,
            );
            event.detail = pending.kind.as_str().into();
            let by = caller.email.clone();
            self.state
                .store
                .write(move |c| {
                    requests::resolve(c, request_id, &by, false, now)?;
                    audit::record(c, now, &event)
                })
                .await?;
            return Ok(Response::new(pb::ResolvePendingRequestResponse::default()));
        }
        let temporary = match pending.kind {
            RequestKind::PasswordReset => {
                if contact.access == AccessLevel::None || !contact.active {
                    return Err(Status::failed_precondition(
                        "this contact no longer has portal access; dismiss the request",
                    ));
                }
                self.reset_password(&caller, &contact, Some(request_id))
                    .await?
            }
            RequestKind::Access => {
                let access = match asked_access {
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
                let mut role =
                    actor_event(&caller, "role.change", &contact.email, contact.company_id);
                role.detail = format!(
                    "{} → {} (access request approved)",
                    contact.access.as_str(),
                    access.as_str()
                );
                let enabled = (!contact.active).then(|| {
                    actor_event(&caller, "user.enabled", &contact.email, contact.company_id)
                });
                let (id, by) = (contact.id, caller.email.clone());
                self.state
                    .store
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
                temporary
            }
        };
        Ok(Response::new(pb::ResolvePendingRequestResponse {
            temporary_password: temporary,
        }))
    }
}
