//! `StaffService`: companies, staff members and the audit log. Any staff
//! member may read companies and staff; provider Admins change them.

use portal_proto::pb;
use rusqlite::Connection;
use tonic::{Request, Response, Status};

use super::AppState;
use super::authn::caller;
use super::convert::{
    self, audit_to_pb, company_from_pb, company_to_pb, required_role, staff_to_pb,
};
use super::input::{self, MAX_NAME};
use super::keyset;
use super::status::invalid;
use crate::domain::{AuditAction, Caller, Company, StaffMember, SubjectKind};
use crate::policy;
use crate::security::{password, password_policy};
use crate::store::audit::{self, AuditEvent, AuditFilter};
use crate::store::companies::{self, CompanyKey, CompanyQuery};
use crate::store::{self, catalog, contacts, credentials, now_ms, staff};

pub struct StaffAdmin {
    state: AppState,
}

/// Adds a company; returns it as stored, and nobody's sign-ins ended.
fn insert_company(
    c: &Connection,
    caller: &Caller,
    company: &Company,
    now: i64,
) -> store::Result<(Company, Vec<i64>)> {
    let id = companies::insert(c, company, now)?;
    let event = AuditEvent::by(caller, AuditAction::CompanyCreated, &company.name, Some(id));
    audit::record(c, now, &event)?;
    Ok((companies::get(c, id)?, Vec::new()))
}

/// Changes a company; returns it as stored, with the contacts whose
/// sign-ins ended (a deactivated company's people are signed out).
fn update_company(
    c: &Connection,
    caller: &Caller,
    company: &Company,
    now: i64,
) -> store::Result<(Company, Vec<i64>)> {
    let before = companies::get(c, company.id)?;
    companies::update(c, company)?;
    let mut event = AuditEvent::by(
        caller,
        AuditAction::CompanyUpdated,
        &company.name,
        Some(company.id),
    );
    let mut ended = Vec::new();
    if before.active && !company.active {
        ended = contacts::ids_of_company(c, company.id)?;
        for id in &ended {
            credentials::end_sign_ins(c, SubjectKind::Contact, *id, now)?;
        }
        event.detail = "deactivated".into();
    }
    audit::record(c, now, &event)?;
    Ok((companies::get(c, company.id)?, ended))
}

impl StaffAdmin {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Saves a new (id 0) or existing company; returns it as stored.
    async fn save_company(
        &self,
        caller: &Caller,
        sent: Option<pb::Company>,
        create: bool,
    ) -> Result<pb::Company, Status> {
        policy::administer_provider(&caller.principal)?;
        let sent = sent.ok_or_else(|| invalid("company", "required"))?;
        let mut company = input::company(&company_from_pb(sent))?;
        if create {
            company.active = true;
        } else {
            input::id("company.id", company.id)?;
        }
        let now = now_ms();
        let caller = caller.clone();
        let (saved, ended) = self
            .state
            .write(move |c| {
                let saved = if create {
                    insert_company(c, &caller, &company, now)
                } else {
                    update_company(c, &caller, &company, now)
                };
                Ok(saved.map_err(|e| e.within("company"))?)
            })
            .await?;
        for id in ended {
            self.state.sessions.forget_subject(SubjectKind::Contact, id);
        }
        Ok(company_to_pb(&saved))
    }
}

#[tonic::async_trait]
impl pb::staff_service_server::StaffService for StaffAdmin {
    async fn list_companies(
        &self,
        request: Request<pb::ListCompaniesRequest>,
    ) -> Result<Response<pb::ListCompaniesResponse>, Status> {
        let caller = caller(&request)?;
        policy::view_provider_directory(&caller.principal)?;
        let req = request.get_ref();
        let limit = keyset::page_size(req.page.as_ref())?;
        let after = keyset::decode::<(String, i64)>(req.page.as_ref())?
            .map(|(name, id)| CompanyKey { name, id });
        let query = CompanyQuery {
            text: input::text("query", &req.query, 200, false)?,
            include_inactive: req.include_inactive,
            after,
            limit: limit + 1,
        };
        let (mut page, total) = self
            .state
            .read(move |c| Ok(companies::list(c, &query)?))
            .await?;
        let next_cursor = keyset::finish(&mut page, limit, |last| (last.name.clone(), last.id));
        Ok(Response::new(pb::ListCompaniesResponse {
            companies: page.iter().map(company_to_pb).collect(),
            next_cursor,
            total,
        }))
    }

    async fn create_company(
        &self,
        request: Request<pb::SaveCompanyRequest>,
    ) -> Result<Response<pb::Company>, Status> {
        let caller = caller(&request)?.clone();
        let saved = self
            .save_company(&caller, request.into_inner().company, true)
            .await?;
        Ok(Response::new(saved))
    }

    async fn update_company(
        &self,
        request: Request<pb::SaveCompanyRequest>,
    ) -> Result<Response<pb::Company>, Status> {
        let caller = caller(&request)?.clone();
        let saved = self
            .save_company(&caller, request.into_inner().company, false)
            .await?;
        Ok(Response::new(saved))
    }

    async fn list_staff(
        &self,
        request: Request<pb::ListStaffRequest>,
    ) -> Result<Response<pb::ListStaffResponse>, Status> {
        let caller = caller(&request)?;
        policy::view_provider_directory(&caller.principal)?;
        let req = request.get_ref();
        let include_inactive = req.include_inactive;
        let limit = keyset::page_size(req.page.as_ref())?;
        let after = keyset::decode::<(String, String, i64)>(req.page.as_ref())?;
        let mut list = self
            .state
            .read(move |c| Ok(staff::list(c, include_inactive, after, limit + 1)?))
            .await?;
        let next_cursor = keyset::finish(&mut list, limit, |last| {
            (last.last_name.clone(), last.first_name.clone(), last.id)
        });
        Ok(Response::new(pb::ListStaffResponse {
            staff: list.iter().map(staff_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_staff(
        &self,
        request: Request<pb::CreateStaffRequest>,
    ) -> Result<Response<pb::CreateStaffResponse>, Status> {
        let caller = caller(&request)?.clone();
        policy::administer_provider(&caller.principal)?;
        let req = request.into_inner();
        let first = input::text("first_name", &req.first_name, MAX_NAME, true)?;
        let last = input::text("last_name", &req.last_name, MAX_NAME, true)?;
        let email = input::email("email", &req.email, true)?;
        let role = required_role("role", req.role)?;
        let temporary = password_policy::temporary();
        let hash = password::hash_off_thread(temporary.clone()).await?;
        let mut added = AuditEvent::by(&caller, AuditAction::StaffAdded, &email, None);
        added.detail = format!("role {}", role.as_str());
        let now = now_ms();
        let member = self
            .state
            .write(move |c| {
                let id = staff::insert(c, &first, &last, &email, role, now)?;
                credentials::set_password(c, SubjectKind::Staff, id, &hash, true, now)?;
                audit::record(c, now, &added)?;
                Ok(staff::get(c, id)?)
            })
            .await?;
        Ok(Response::new(pb::CreateStaffResponse {
            staff: Some(staff_to_pb(&member)),
            temporary_password: temporary,
        }))
    }

    async fn update_staff(
        &self,
        request: Request<pb::UpdateStaffRequest>,
    ) -> Result<Response<pb::StaffMember>, Status> {
        let caller = caller(&request)?.clone();
        policy::administer_provider(&caller.principal)?;
        let req = request.into_inner();
        let id = input::id("staff_id", req.staff_id)?;
        let role = required_role("role", req.role)?;
        policy::update_staff(&caller.principal, id, role, req.active)?;
        let wanted = StaffMember {
            id,
            first_name: input::text("first_name", &req.first_name, MAX_NAME, true)?,
            last_name: input::text("last_name", &req.last_name, MAX_NAME, true)?,
            email: String::new(),
            role,
            active: req.active,
            created_at: 0,
        };
        let now = now_ms();
        let member = self
            .state
            .write(move |c| {
                let before = staff::get(c, id)?;
                staff::update(c, &wanted)?;
                credentials::touched(c, SubjectKind::Staff, id, &caller.name, now)?;
                if before.role != wanted.role {
                    let mut e =
                        AuditEvent::by(&caller, AuditAction::RoleChange, &before.email, None);
                    e.detail = format!("{} → {}", before.role.as_str(), wanted.role.as_str());
                    audit::record(c, now, &e)?;
                }
                if before.active != wanted.active {
                    let action = if wanted.active {
                        AuditAction::StaffEnabled
                    } else {
                        AuditAction::StaffDisabled
                    };
                    audit::record(
                        c,
                        now,
                        &AuditEvent::by(&caller, action, &before.email, None),
                    )?;
                    if !wanted.active {
                        credentials::end_sign_ins(c, SubjectKind::Staff, id, now)?;
                    }
                }
                Ok(staff::get(c, id)?)
            })
            .await?;
        self.state.sessions.forget_subject(SubjectKind::Staff, id);
        Ok(Response::new(staff_to_pb(&member)))
    }

    async fn save_service_type(
        &self,
        request: Request<pb::ServiceType>,
    ) -> Result<Response<pb::ServiceType>, Status> {
        let who = caller(&request)?;
        policy::administer_provider(&who.principal)?;
        let st = convert::tickets::service_type_from_pb(request.into_inner())?;
        st.validate()?;
        let saved = self
            .state
            .write(move |conn| Ok(catalog::save(conn, &st)?))
            .await?;
        Ok(Response::new(convert::tickets::service_type(saved)))
    }

    async fn list_audit_log(
        &self,
        request: Request<pb::ListAuditLogRequest>,
    ) -> Result<Response<pb::ListAuditLogResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.get_ref();
        let action = input::text("action", &req.action, MAX_NAME, false)?;
        let actor = input::text("actor", &req.actor, MAX_NAME, false)?;
        let company = input::optional_id("company_id", req.company_id)?;
        let since = input::time("since", req.since.as_ref())?;
        let until = input::time("until", req.until.as_ref())?;
        let limit = keyset::page_size(req.page.as_ref())?;
        let before = keyset::decode::<i64>(req.page.as_ref())?;
        let filter = AuditFilter {
            action,
            actor,
            company_id: policy::audit_log_scope(&caller.principal, company)?,
            since,
            until,
        };
        let mut entries = self
            .state
            .read(move |c| Ok(audit::list(c, &filter, before, limit + 1)?))
            .await?;
        let next_cursor = keyset::finish(&mut entries, limit, |last| last.id);
        Ok(Response::new(pb::ListAuditLogResponse {
            entries: entries.iter().map(audit_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn get_sla_settings(
        &self,
        request: Request<pb::Empty>,
    ) -> Result<Response<pb::SlaSettings>, Status> {
        let caller = caller(&request)?;
        policy::view_sla_settings(&caller.principal)?;
        let settings = self.state.read_inline(|c| Ok(store::sla::settings(c)?))?;
        Ok(Response::new(convert::sla::settings_to_pb(&settings)))
    }

    async fn update_sla_settings(
        &self,
        request: Request<pb::SlaSettings>,
    ) -> Result<Response<pb::SlaSettings>, Status> {
        let caller = caller(&request)?.clone();
        policy::administer_provider(&caller.principal)?;
        let wanted = convert::sla::settings_from_pb(request.get_ref())?;
        let now = now_ms();
        let saved = self
            .state
            .write(move |c| {
                let open = store::sla::change_settings(c, &wanted, now)?;
                let mut event = AuditEvent::by(&caller, AuditAction::SlaChanged, "", None);
                event.detail = format!("{open} open tickets' deadlines recomputed");
                audit::record(c, now, &event)?;
                Ok(store::sla::settings(c)?)
            })
            .await?;
        Ok(Response::new(convert::sla::settings_to_pb(&saved)))
    }

    async fn list_failed_mail(
        &self,
        request: Request<pb::ListFailedMailRequest>,
    ) -> Result<Response<pb::ListFailedMailResponse>, Status> {
        super::outbox::list_failed(&self.state, request).await
    }

    async fn retry_mail(
        &self,
        request: Request<pb::RetryMailRequest>,
    ) -> Result<Response<pb::OutboxMessage>, Status> {
        super::outbox::retry(&self.state, request).await
    }

    async fn get_backup_status(
        &self,
        request: Request<pb::Empty>,
    ) -> Result<Response<pb::BackupStatus>, Status> {
        super::backups::status(&self.state, &request)
    }
}
