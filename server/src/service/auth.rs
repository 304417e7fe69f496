//! AuthService.

use portal_proto::pb;

use super::AppState;

pub struct Auth {
    state: AppState,
}

impl Auth {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::auth_service_server::AuthService for Auth {
    async fn login(
        &self,
        _request: tonic::Request<pb::LoginRequest>,
    ) -> std::result::Result<tonic::Response<pb::LoginResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn refresh(
        &self,
        _request: tonic::Request<pb::RefreshRequest>,
    ) -> std::result::Result<tonic::Response<pb::LoginResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn revoke_refresh(
        &self,
        _request: tonic::Request<pb::RevokeRefreshRequest>,
    ) -> std::result::Result<tonic::Response<pb::Empty>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn logout(
        &self,
        _request: tonic::Request<pb::LogoutRequest>,
    ) -> std::result::Result<tonic::Response<pb::Empty>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn who_am_i(
        &self,
        _request: tonic::Request<pb::Empty>,
    ) -> std::result::Result<tonic::Response<pb::Identity>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn forgot_password(
        &self,
        _request: tonic::Request<pb::ForgotPasswordRequest>,
    ) -> std::result::Result<tonic::Response<pb::NeutralResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn request_access(
        &self,
        _request: tonic::Request<pb::RequestAccessRequest>,
    ) -> std::result::Result<tonic::Response<pb::NeutralResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
    async fn get_password_policy(
        &self,
        _request: tonic::Request<pb::Empty>,
    ) -> std::result::Result<tonic::Response<pb::PasswordPolicy>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
}
