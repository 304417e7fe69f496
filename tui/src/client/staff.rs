//! `StaffService`: the companies and staff lists the staff's pickers use.
//! Both answer only staff, so a refusal reads as "none".

use portal_proto::pb::{self, staff_service_client::StaffServiceClient};
use tonic::transport::Channel;

use super::Client;

impl Client {
    pub fn staff(&self) -> StaffServiceClient<Channel> {
        StaffServiceClient::new(self.channel.clone())
    }

    /// The first 200 active companies; none for a client.
    pub(super) async fn companies(&self) -> Vec<pb::Company> {
        self.staff()
            .list_companies(self.authed(pb::ListCompaniesRequest {
                query: String::new(),
                include_inactive: false,
                page: Some(pb::PageRequest {
                    page_size: 200,
                    cursor: String::new(),
                }),
            }))
            .await
            .map(|r| r.into_inner().companies)
            .unwrap_or_default()
    }

    /// Every active staff member (the assignment picker), page by page; what
    /// arrived before a failure.
    pub async fn all_staff(&self) -> Vec<pb::StaffMember> {
        let mut staff = Vec::new();
        let mut cursor = String::new();
        loop {
            let Ok(page) = self
                .staff()
                .list_staff(self.authed(pb::ListStaffRequest {
                    include_inactive: false,
                    page: Some(pb::PageRequest {
                        page_size: 200,
                        cursor,
                    }),
                }))
                .await
            else {
                return staff;
            };
            let page = page.into_inner();
            staff.extend(page.staff);
            if page.next_cursor.is_empty() {
                return staff;
            }
            cursor = page.next_cursor;
        }
    }
}
