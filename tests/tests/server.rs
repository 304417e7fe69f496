//! The server as any gRPC client sees it: health, reflection, sign-in
//! required, TLS, refusing plaintext off loopback. Durability is in
//! durability.rs.

use portal_e2e::{TestServer, bin, demo, expect_code};
use portal_proto::pb;
use tokio_stream::StreamExt;
use tonic::Code;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};

/// The seven services of `portal.v1`.
const PORTAL_SERVICES: [&str; 7] = [
    "portal.v1.AuthService",
    "portal.v1.TicketService",
    "portal.v1.AccountService",
    "portal.v1.BillingService",
    "portal.v1.ReportService",
    "portal.v1.StaffService",
    "portal.v1.EventService",
];

#[tokio::test]
async fn health_reports_every_service_and_the_server_serving() -> anyhow::Result<()> {
    use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus};
    let server = TestServer::demo().await?;
    let mut health = tonic_health::pb::health_client::HealthClient::new(server.channel().await?);
    for service in PORTAL_SERVICES.into_iter().chain([""]) {
        let reply = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await?
            .into_inner();
        assert_eq!(reply.status(), ServingStatus::Serving, "{service:?}");
    }
    // A name the server does not serve is NOT_FOUND, so the above can fail.
    let unknown = health
        .check(HealthCheckRequest {
            service: "portal.v1.NoSuchService".into(),
        })
        .await;
    expect_code(unknown, Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn reflection_lists_every_service_in_v1_and_v1alpha() -> anyhow::Result<()> {
    use tonic_reflection::pb::{v1, v1alpha};
    let server = TestServer::demo().await?;
    let expected: Vec<&str> = PORTAL_SERVICES
        .into_iter()
        .chain(["grpc.health.v1.Health"])
        .collect();

    let mut client =
        v1::server_reflection_client::ServerReflectionClient::new(server.channel().await?);
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut replies = client
        .server_reflection_info(tokio_stream::once(request))
        .await?
        .into_inner();
    let Some(reply) = replies.next().await.transpose()? else {
        anyhow::bail!("no v1 reply")
    };
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        reply.message_response
    else {
        anyhow::bail!("unexpected v1 reply")
    };
    let names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    for name in expected {
        assert!(
            names.iter().any(|n| n == name),
            "v1 reflection lacks {name}: {names:?}"
        );
    }

    let mut client =
        v1alpha::server_reflection_client::ServerReflectionClient::new(server.channel().await?);
    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            v1alpha::server_reflection_request::MessageRequest::ListServices(String::new()),
        ),
    };
    let mut replies = client
        .server_reflection_info(tokio_stream::once(request))
        .await?
        .into_inner();
    let Some(reply) = replies.next().await.transpose()? else {
        anyhow::bail!("no v1alpha reply")
    };
    let Some(v1alpha::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        reply.message_response
    else {
        anyhow::bail!("unexpected v1alpha reply")
    };
    assert!(
        list.service
            .iter()
            .any(|s| s.name == "portal.v1.TicketService")
    );
    Ok(())
}

#[tokio::test]
async fn calls_without_a_valid_token_are_unauthenticated() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let anonymous = server.anonymous().await?;
    expect_code(
        anonymous
            .tickets()
            .list_tickets(pb::ListTicketsRequest::default())
            .await,
        Code::Unauthenticated,
    );
    expect_code(
        anonymous.accounts().get_my_profile(pb::Empty {}).await,
        Code::Unauthenticated,
    );
    expect_code(
        anonymous.auth().who_am_i(pb::Empty {}).await,
        Code::Unauthenticated,
    );

    let forged = portal_e2e::Session::new(server.channel().await?, &"ab".repeat(32))?;
    expect_code(
        forged
            .tickets()
            .get_ticket(pb::GetTicketRequest { number: 1001 })
            .await,
        Code::Unauthenticated,
    );
    expect_code(
        forged
            .reports()
            .ticket_stats(pb::TicketStatsRequest::default())
            .await,
        Code::Unauthenticated,
    );

    let signed_in = server.as_demo(demo::CLIENT_USER).await?;
    let me = signed_in.auth().who_am_i(pb::Empty {}).await?.into_inner();
    assert_eq!(me.email, demo::CLIENT_USER);
    Ok(())
}

#[tokio::test]
async fn refuses_plaintext_on_a_public_address() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let out = tokio::process::Command::new(bin("portal-server"))
        .args(["serve", "--listen", "0.0.0.0:0", "--db"])
        .arg(&server.db)
        .output()
        .await?;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing plaintext"), "stderr: {stderr}");
    Ok(())
}

#[tokio::test]
async fn serves_tls_when_given_a_certificate() -> anyhow::Result<()> {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])?;
    let dir = tempfile::tempdir()?;
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem())?;
    std::fs::write(&key_path, cert.signing_key.serialize_pem())?;
    let server = TestServer::demo_with(&[
        "--tls-cert",
        cert_path.to_str().unwrap_or_default(),
        "--tls-key",
        key_path.to_str().unwrap_or_default(),
    ])
    .await?;
    assert!(server.addr.starts_with("https://"), "{}", server.addr);

    let port = server.addr.rsplit(':').next().unwrap_or_default();
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(cert.cert.pem()))
        .domain_name("localhost");
    let channel = Channel::from_shared(format!("https://localhost:{port}"))?
        .tls_config(tls)?
        .connect()
        .await?;
    let reply = pb::auth_service_client::AuthServiceClient::new(channel)
        .login(pb::LoginRequest {
            email: demo::CLIENT_ADMIN.into(),
            password: portal_e2e::DEMO_PASSWORD.into(),
            remember_me: false,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(!reply.token.is_empty());
    Ok(())
}
