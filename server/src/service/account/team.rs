//! "Our account team" (docs/KNOWLEDGE.md): the provider's people for a
//! company, read by its contacts and staff, set by provider Admins.

use portal_proto::pb;
use tonic::{Request, Status};

use super::{Accounts, company_of};
use crate::domain::AuditAction;
use crate::policy;
use crate::service::authn::caller;
use crate::service::convert::knowledge as conv;
use crate::service::events::{Audience, TicketEvent};
use crate::service::input;
use crate::store::account_team::{self, TeamChoice};
use crate::store::audit::{self, AuditEvent};
use crate::store::now_ms;

impl Accounts {
    pub(super) fn team(
        &self,
        request: &Request<pb::GetAccountTeamRequest>,
    ) -> Result<pb::AccountTeam, Status> {
        let caller = caller(request)?;
        let company_id = company_of(caller, request.get_ref().company_id)?;
        policy::view_account_team(&caller.principal, company_id)?;
        let team = self
            .state
            .read_inline(|c| Ok(account_team::get(c, company_id)?))?;
        Ok(conv::account_team(team))
    }

    pub(super) async fn set_team(
        &self,
        request: Request<pb::SetAccountTeamRequest>,
    ) -> Result<pb::AccountTeam, Status> {
        let caller = caller(&request)?.clone();
        let req = request.into_inner();
        let company_id = input::id("company_id", req.company_id)?;
        let phone = req.after_hours_phone.trim().to_owned();
        if !phone.is_empty() {
            input::phone_number("after_hours_phone", &phone)?;
        }
        let choice = TeamChoice {
            account_manager_id: input::optional_id(
                "account_manager_staff_id",
                req.account_manager_staff_id,
            )?,
            technician_id: input::optional_id("technician_staff_id", req.technician_staff_id)?,
            after_hours_phone: phone,
        };
        policy::set_account_team(&caller.principal)?;
        let now = now_ms();
        let actor_name = caller.name.clone();
        let team = self
            .state
            .write(move |c| {
                account_team::set(c, company_id, &choice, (now, &caller.name))?;
                let team = account_team::get(c, company_id)?;
                let mut event = AuditEvent::by(
                    &caller,
                    AuditAction::AccountTeamChanged,
                    &team.company_name,
                    Some(company_id),
                );
                event.detail = format!(
                    "manager {}, technician {}, after hours {}",
                    team.account_manager.as_ref().map_or("none", |m| &m.name),
                    team.technician.as_ref().map_or("none", |m| &m.name),
                    if team.after_hours_phone.is_empty() {
                        "none"
                    } else {
                        &team.after_hours_phone
                    },
                );
                audit::record(c, now, &event)?;
                Ok(team)
            })
            .await?;
        // The company's people see their team page follow.
        self.state.events.publish(TicketEvent {
            kind: pb::EventKind::AccountTeamChanged,
            ticket_number: 0,
            at_ms: now,
            actor_name,
            summary: format!("The account team of {} changed", team.company_name),
            audience: Audience::Readers {
                company_id: Some(company_id),
            },
        });
        Ok(conv::account_team(team))
    }
}
