//! `StaffService`: the companies and staff lists the staff's pickers use.
//! Both answer only staff, so a refusal reads as "none".

use portal_proto::pb::{self, staff_service_client::StaffServiceClient};
use tonic::transport::Channel;

use super::{Client, Res, every_page};

impl Client {
    pub fn staff(&self) -> StaffServiceClient<Channel> {
        StaffServiceClient::new(self.channel.clone())
    }

    /// Every company, page by page (`include_inactive`: the closed ones too),
    /// narrowed by `query`.
    pub(super) async fn list_companies(
        &self,
        query: &str,
        include_inactive: bool,
    ) -> Res<Vec<pb::Company>> {
        every_page(|page| {
            let mut staff = self.staff();
            let request = self.authed(pb::ListCompaniesRequest {
                query: query.to_owned(),
                include_inactive,
                page: Some(page),
            });
            async move {
                let list = staff.list_companies(request).await?.into_inner();
                Ok((list.companies, list.next_cursor))
            }
        })
        .await
    }

    /// Every active company; none for a client.
    pub(super) async fn companies(&self) -> Vec<pb::Company> {
        self.list_companies("", false).await.unwrap_or_default()
    }

    /// Every staff member, page by page (`include_inactive`: those who left too).
    pub(super) async fn list_staff(&self, include_inactive: bool) -> Res<Vec<pb::StaffMember>> {
        every_page(|page| {
            let mut staff = self.staff();
            let request = self.authed(pb::ListStaffRequest {
                include_inactive,
                page: Some(page),
            });
            async move {
                let list = staff.list_staff(request).await?.into_inner();
                Ok((list.staff, list.next_cursor))
            }
        })
        .await
    }

    /// Every active staff member (the assignment picker); none for a client.
    pub async fn all_staff(&self) -> Vec<pb::StaffMember> {
        self.list_staff(false).await.unwrap_or_default()
    }
}
