//! What the provider Admin's Settings screen asks: staff, the catalog, SLA
//! settings, work types and the time setting, failed mail and the backup
//! status (`StaffService`, `TicketService` and `WorkService`).

use portal_proto::pb;

use super::{Client, Res, every_page};
use crate::action::Reply;

#[derive(Debug, Clone, PartialEq)]
pub enum SettingsCall {
    /// Every staff member, inactive ones included.
    Staff,
    AddStaff(pb::CreateStaffRequest),
    UpdateStaff(pb::UpdateStaffRequest),
    /// The catalog, retired types included.
    ServiceTypes,
    SaveServiceType(Box<pb::ServiceType>),
    Sla,
    SaveSla(Box<pb::SlaSettings>),
    /// Work types, retired ones included, and the time settings.
    WorkTypes,
    CreateWorkType {
        name: String,
    },
    RenameWorkType {
        id: i64,
        name: String,
    },
    SetWorkTypeActive {
        id: i64,
        active: bool,
    },
    SetClientsSeeTime(bool),
    FailedMail,
    RetryMail {
        id: i64,
    },
    /// The scheduled backups and when the last good one was taken.
    Backup,
}

impl Client {
    pub(super) async fn settings_call(&self, call: SettingsCall) -> Res<Reply> {
        let st = self.staff();
        let work = self.work();
        Ok(match call {
            SettingsCall::Staff => Reply::StaffList(self.list_staff(true).await?),
            SettingsCall::AddStaff(add) => {
                let added = st
                    .clone()
                    .create_staff(self.authed(add))
                    .await?
                    .into_inner();
                Reply::StaffAdded {
                    staff: added.staff.unwrap_or_default(),
                    temporary_password: added.temporary_password,
                }
            }
            SettingsCall::UpdateStaff(update) => Reply::StaffChanged(
                st.clone()
                    .update_staff(self.authed(update))
                    .await?
                    .into_inner(),
            ),
            SettingsCall::ServiceTypes => Reply::ServiceTypes(
                self.tickets()
                    .list_service_types(self.authed(pb::ListServiceTypesRequest {
                        include_inactive: true,
                    }))
                    .await?
                    .into_inner()
                    .service_types,
            ),
            SettingsCall::SaveServiceType(t) => Reply::ServiceTypeSaved(
                st.clone()
                    .save_service_type(self.authed(*t))
                    .await?
                    .into_inner(),
            ),
            SettingsCall::Sla => Reply::Sla(
                st.clone()
                    .get_sla_settings(self.authed(pb::Empty {}))
                    .await?
                    .into_inner(),
            ),
            SettingsCall::SaveSla(settings) => Reply::Sla(
                st.clone()
                    .update_sla_settings(self.authed(*settings))
                    .await?
                    .into_inner(),
            ),
            SettingsCall::WorkTypes => {
                let types = work
                    .clone()
                    .list_work_types(self.authed(pb::ListWorkTypesRequest {
                        include_retired: true,
                    }))
                    .await?
                    .into_inner()
                    .work_types;
                let settings = work
                    .clone()
                    .get_work_settings(self.authed(pb::Empty {}))
                    .await?
                    .into_inner();
                Reply::WorkSetup { types, settings }
            }
            SettingsCall::CreateWorkType { name } => Reply::WorkTypeSaved(
                work.clone()
                    .create_work_type(self.authed(pb::CreateWorkTypeRequest { name }))
                    .await?
                    .into_inner(),
            ),
            SettingsCall::RenameWorkType { id, name } => Reply::WorkTypeSaved(
                work.clone()
                    .rename_work_type(self.authed(pb::RenameWorkTypeRequest { id, name }))
                    .await?
                    .into_inner(),
            ),
            SettingsCall::SetWorkTypeActive { id, active } => Reply::WorkTypeSaved(
                work.clone()
                    .set_work_type_active(self.authed(pb::SetWorkTypeActiveRequest { id, active }))
                    .await?
                    .into_inner(),
            ),
            SettingsCall::SetClientsSeeTime(clients_see_time) => Reply::WorkSettings(
                work.clone()
                    .set_work_settings(self.authed(pb::WorkSettings { clients_see_time }))
                    .await?
                    .into_inner(),
            ),
            SettingsCall::FailedMail => Reply::FailedMail(self.failed_mail().await?),
            SettingsCall::RetryMail { id } => Reply::MailRetried(
                st.clone()
                    .retry_mail(self.authed(pb::RetryMailRequest { id }))
                    .await?
                    .into_inner(),
            ),
            SettingsCall::Backup => Reply::BackupStatus(
                st.clone()
                    .get_backup_status(self.authed(pb::Empty {}))
                    .await?
                    .into_inner(),
            ),
        })
    }

    /// Every message the sender gave up on.
    async fn failed_mail(&self) -> Res<Vec<pb::OutboxMessage>> {
        every_page(|page| {
            let mut staff = self.staff();
            let request = self.authed(pb::ListFailedMailRequest { page: Some(page) });
            async move {
                let list = staff.list_failed_mail(request).await?.into_inner();
                Ok((list.messages, list.next_cursor))
            }
        })
        .await
    }
}
