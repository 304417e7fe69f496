//! What the administration screens ask (docs/ROLES.md): the provider's
//! companies (`StaffService`), company preferences and pending requests
//! (`AccountService`), and the audit log. The Settings screen's
//! calls are in `settings.rs`.

use portal_proto::pb;

use super::{Client, Res, every_page};
use crate::action::Reply;

/// Which audit events the Audit screen shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub since: Option<prost_types::Timestamp>,
    pub until: Option<prost_types::Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AdminCall {
    /// Companies matching `query`, inactive ones included.
    Companies {
        query: String,
    },
    /// Creates the company (id 0) or replaces it.
    SaveCompany(Box<pb::Company>),
    /// Company preferences: `company_id` 0 is the caller's own.
    SavePreferences {
        company_id: i64,
        preferences: pb::CompanyPreferences,
    },
    PendingRequests,
    ResolveRequest {
        id: i64,
        approve: bool,
        access: pb::AccessLevel,
    },
    /// One page of the audit log; an empty cursor is the newest page.
    Audit {
        query: AuditQuery,
        cursor: String,
        page_size: u32,
    },
}

impl Client {
    pub(super) async fn admin_call(&self, call: AdminCall) -> Res<Reply> {
        let st = self.staff();
        Ok(match call {
            AdminCall::Companies { query } => {
                Reply::Companies(self.list_companies(&query, true).await?)
            }
            AdminCall::SaveCompany(company) => {
                let request = self.authed(pb::SaveCompanyRequest {
                    company: Some(*company.clone()),
                });
                let saved = if company.id == 0 {
                    st.clone().create_company(request).await?
                } else {
                    st.clone().update_company(request).await?
                };
                Reply::CompanySaved(Box::new(saved.into_inner()))
            }
            AdminCall::SavePreferences {
                company_id,
                preferences,
            } => Reply::CompanySaved(Box::new(
                self.account()
                    .update_company_preferences(self.authed(pb::UpdateCompanyPreferencesRequest {
                        company_id,
                        preferences: Some(preferences),
                    }))
                    .await?
                    .into_inner(),
            )),
            AdminCall::PendingRequests => Reply::PendingRequests(
                every_page(|page| {
                    let mut account = self.account();
                    let request = self.authed(pb::ListPendingRequestsRequest {
                        company_id: 0,
                        page: Some(page),
                    });
                    async move {
                        let list = account.list_pending_requests(request).await?.into_inner();
                        Ok((list.requests, list.next_cursor))
                    }
                })
                .await?,
            ),
            AdminCall::ResolveRequest {
                id,
                approve,
                access,
            } => {
                let resolved = self
                    .account()
                    .resolve_pending_request(self.authed(pb::ResolvePendingRequestRequest {
                        request_id: id,
                        approve,
                        access: access.into(),
                    }))
                    .await?
                    .into_inner();
                Reply::RequestResolved {
                    id,
                    approve,
                    temporary_password: resolved.temporary_password,
                }
            }
            AdminCall::Audit {
                query,
                cursor,
                page_size,
            } => {
                let first = cursor.is_empty();
                let page = st
                    .clone()
                    .list_audit_log(self.authed(pb::ListAuditLogRequest {
                        action: query.action.clone(),
                        company_id: 0,
                        page: Some(pb::PageRequest { page_size, cursor }),
                        actor: query.actor.clone(),
                        since: query.since,
                        until: query.until,
                    }))
                    .await?
                    .into_inner();
                Reply::Audit {
                    query: Box::new(query),
                    first,
                    page,
                }
            }
        })
    }
}
