//! StaffService.

use portal_proto::pb;

use super::AppState;

pub struct StaffAdmin {
    state: AppState,
}

impl StaffAdmin {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::staff_service_server::StaffService for StaffAdmin {
    async fn list_companies(
        &self,
        _request: tonic::Request<pb::ListCompaniesRequest>,
    ) -> std::result::Result<tonic::Response<pb::ListCompaniesResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn create_company(
        &self,
        _request: tonic::Request<pb::SaveCompanyRequest>,
    ) -> std::result::Result<tonic::Response<pb::Company>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn update_company(
        &self,
        _request: tonic::Request<pb::SaveCompanyRequest>,
    ) -> std::result::Result<tonic::Response<pb::Company>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn list_staff(
        &self,
        _request: tonic::Request<pb::ListStaffRequest>,
    ) -> std::result::Result<tonic::Response<pb::ListStaffResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn create_staff(
        &self,
        _request: tonic::Request<pb::CreateStaffRequest>,
    ) -> std::result::Result<tonic::Response<pb::CreateStaffResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn update_staff(
        &self,
        _request: tonic::Request<pb::UpdateStaffRequest>,
    ) -> std::result::Result<tonic::Response<pb::StaffMember>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn save_service_type(
        &self,
        request: tonic::Request<pb::ServiceType>,
    ) -> std::result::Result<tonic::Response<pb::ServiceType>, tonic::Status> {
        let who = super::authn::caller(&request)?;
        crate::policy::administer_provider(&who.principal)?;
        let st = super::convert::tickets::service_type_from_pb(request.into_inner())?;
        st.validate()
            .map_err(|e| super::status::invalid(&e.field, e.message))?;
        let saved = self
            .state
            .store
            .write(move |conn| crate::store::catalog::save(conn, &st))
            .await?;
        Ok(tonic::Response::new(super::convert::tickets::service_type(
            saved,
        )))
    }
    async fn list_audit_log(
        &self,
        _request: tonic::Request<pb::ListAuditLogRequest>,
    ) -> std::result::Result<tonic::Response<pb::ListAuditLogResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
}
