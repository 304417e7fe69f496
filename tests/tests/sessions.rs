//! One's own sessions against the real server: listing where one is signed
//! in (client, address, this one marked), revoking one (its refresh token
//! and its open event stream end at once), and signing out everywhere,
//! keeping the current session when asked.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

use std::net::IpAddr;
use std::time::Duration;

use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo, expect_code};
use portal_proto::pb;
use tokio_stream::StreamExt;
use tonic::Code;
use tonic::transport::{Channel, Endpoint};

/// A channel to `server` whose connections come from `from` (any address
/// of 127.0.0.0/8 reaches a loopback listener).
async fn channel_from(server: &TestServer, from: &str) -> anyhow::Result<Channel> {
    let from: IpAddr = from.parse()?;
    Ok(Endpoint::from_shared(server.addr.clone())?
        .local_address(Some(from))
        .connect()
        .await?)
}

/// Signs in from `from` as `client`, remembered: the session and its
/// refresh token.
async fn sign_in_from(
    server: &TestServer,
    email: &str,
    from: &str,
    client: &str,
) -> anyhow::Result<(Session, String)> {
    let channel = channel_from(server, from).await?;
    let login = pb::auth_service_client::AuthServiceClient::new(channel.clone())
        .login(pb::LoginRequest {
            email: email.into(),
            password: DEMO_PASSWORD.into(),
            remember_me: true,
            client: client.into(),
        })
        .await?
        .into_inner();
    Ok((Session::new(channel, &login.token)?, login.refresh_token))
}

async fn refresh(server: &TestServer, token: &str) -> Result<pb::LoginResponse, tonic::Status> {
    let channel = server
        .channel()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    pb::auth_service_client::AuthServiceClient::new(channel)
        .refresh(pb::RefreshRequest {
            refresh_token: token.into(),
            client: "portal 0.1 CLI".into(),
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn list(s: &Session) -> anyhow::Result<Vec<pb::MySession>> {
    Ok(s.auth()
        .list_my_sessions(pb::Empty {})
        .await?
        .into_inner()
        .sessions)
}

async fn ended(s: &mut tonic::Streaming<pb::Event>) -> anyhow::Result<tonic::Status> {
    match tokio::time::timeout(Duration::from_secs(10), s.next()).await {
        Ok(Some(Err(status))) => Ok(status),
        other => Err(anyhow::anyhow!("the stream did not end: {other:?}")),
    }
}

#[tokio::test]
async fn two_sign_ins_are_listed_with_their_clients_and_addresses() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (laptop, _) = sign_in_from(
        &server,
        demo::CLIENT_USER,
        "127.0.0.1",
        "portal 0.1 full-screen",
    )
    .await?;
    let (script, _) =
        sign_in_from(&server, demo::CLIENT_USER, "127.0.0.2", "portal 0.1 CLI").await?;
    // Someone else's sign-in is not in the list.
    sign_in_from(&server, demo::CLIENT_ADMIN, "127.0.0.3", "other").await?;

    let seen = list(&laptop).await?;
    assert_eq!(seen.len(), 2, "{seen:?}");
    // The latest sign-in first; the caller's own marked.
    assert_eq!(seen[0].client, "portal 0.1 CLI");
    assert_eq!(seen[0].address, "127.0.0.2");
    assert!(!seen[0].current);
    assert_eq!(seen[1].client, "portal 0.1 full-screen");
    assert_eq!(seen[1].address, "127.0.0.1");
    assert!(seen[1].current);
    for s in &seen {
        assert!(s.remembered, "{s:?}");
        assert!(
            s.signed_in_at.is_some() && s.last_used_at.is_some(),
            "{s:?}"
        );
    }
    let from_script = list(&script).await?;
    assert_eq!(
        from_script.iter().map(|s| s.current).collect::<Vec<_>>(),
        [true, false]
    );

    // Without a client name the user-agent header stands in.
    let bare = server.login(demo::CLIENT_USER, DEMO_PASSWORD).await?;
    let bare = Session::new(server.channel().await?, &bare.token)?;
    let mine = list(&bare).await?;
    let current = mine.iter().find(|s| s.current).expect("current");
    assert!(current.client.contains("tonic"), "{current:?}");
    assert!(!current.remembered);
    Ok(())
}

#[tokio::test]
async fn a_refresh_carries_its_sign_in_on() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (laptop, refresh_token) = sign_in_from(
        &server,
        demo::TECHNICIAN,
        "127.0.0.2",
        "portal 0.1 full-screen",
    )
    .await?;
    let before = list(&laptop).await?;
    assert_eq!(before.len(), 1);
    let renewed = refresh(&server, &refresh_token).await?;
    let renewed = Session::new(server.channel().await?, &renewed.token)?;
    // Still one place signed in: the same id and sign-in time, now from
    // where and as what it was refreshed.
    let after = list(&renewed).await?;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].id, before[0].id);
    assert_eq!(after[0].signed_in_at, before[0].signed_in_at);
    assert_eq!(after[0].client, "portal 0.1 CLI");
    assert_eq!(after[0].address, "127.0.0.1");
    assert!(after[0].current);
    Ok(())
}

#[tokio::test]
async fn revoking_a_session_ends_its_refresh_token_and_its_event_stream() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (laptop, _) = sign_in_from(&server, demo::CLIENT_MANAGER, "127.0.0.1", "laptop").await?;
    let (stolen, stolen_refresh) =
        sign_in_from(&server, demo::CLIENT_MANAGER, "127.0.0.2", "phone").await?;
    let mut stolen_events = stolen
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    let mut laptop_events = laptop
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();

    let phone = list(&laptop)
        .await?
        .into_iter()
        .find(|s| s.client == "phone")
        .expect("the phone's session");
    laptop
        .auth()
        .revoke_session(pb::RevokeSessionRequest {
            session_id: phone.id,
        })
        .await?;

    // Its stream ends at once, its session and refresh token are dead.
    let status = ended(&mut stolen_events).await?;
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    expect_code(
        stolen.auth().who_am_i(pb::Empty {}).await,
        Code::Unauthenticated,
    );
    expect_code(
        refresh(&server, &stolen_refresh).await,
        Code::Unauthenticated,
    );
    // The revoker goes on: its session, its stream, the list without the phone.
    let left = list(&laptop).await?;
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].current);
    assert!(
        tokio::time::timeout(Duration::from_millis(300), laptop_events.next())
            .await
            .is_err(),
        "the revoker's own stream must go on"
    );
    // Ending it again: not found (it no longer exists).
    expect_code(
        laptop
            .auth()
            .revoke_session(pb::RevokeSessionRequest {
                session_id: phone.id,
            })
            .await,
        Code::NotFound,
    );
    Ok(())
}

#[tokio::test]
async fn sign_out_everywhere_keeps_the_current_session_when_asked() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (here, here_refresh) =
        sign_in_from(&server, demo::PROVIDER_ADMIN, "127.0.0.1", "here").await?;
    let (a, a_refresh) = sign_in_from(&server, demo::PROVIDER_ADMIN, "127.0.0.2", "a").await?;
    let (b, _) = sign_in_from(&server, demo::PROVIDER_ADMIN, "127.0.0.3", "b").await?;
    let (other, _) = sign_in_from(&server, demo::DISPATCHER, "127.0.0.1", "dina").await?;
    let mut a_events = a
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();

    let ended_count = here
        .auth()
        .sign_out_everywhere(pb::SignOutEverywhereRequest { keep_current: true })
        .await?
        .into_inner()
        .ended;
    assert_eq!(ended_count, 2);
    let status = ended(&mut a_events).await?;
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    for gone in [&a, &b] {
        expect_code(
            gone.auth().who_am_i(pb::Empty {}).await,
            Code::Unauthenticated,
        );
    }
    expect_code(refresh(&server, &a_refresh).await, Code::Unauthenticated);
    let left = list(&here).await?;
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].current && left[0].remembered);
    // Someone else is not touched.
    other.auth().who_am_i(pb::Empty {}).await?;

    // Without keep_current the caller's own session and refresh token end too.
    let ended_count = here
        .auth()
        .sign_out_everywhere(pb::SignOutEverywhereRequest {
            keep_current: false,
        })
        .await?
        .into_inner()
        .ended;
    assert_eq!(ended_count, 1);
    expect_code(
        here.auth().who_am_i(pb::Empty {}).await,
        Code::Unauthenticated,
    );
    expect_code(refresh(&server, &here_refresh).await, Code::Unauthenticated);
    other.auth().who_am_i(pb::Empty {}).await?;
    Ok(())
}

#[tokio::test]
async fn another_persons_session_answers_like_one_that_does_not_exist() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, _) = sign_in_from(&server, demo::CLIENT_USER, "127.0.0.1", "uma").await?;
    // Another company's Admin, and a provider Admin: still not theirs.
    let (ava, _) = sign_in_from(&server, demo::OTHER_ADMIN, "127.0.0.1", "ava").await?;
    let (paula, _) = sign_in_from(&server, demo::PROVIDER_ADMIN, "127.0.0.1", "paula").await?;
    let uma_id = list(&uma).await?[0].id;
    let missing = uma_id + 1_000;
    for caller in [&ava, &paula] {
        let theirs = expect_code(
            caller
                .auth()
                .revoke_session(pb::RevokeSessionRequest { session_id: uma_id })
                .await,
            Code::NotFound,
        );
        let nobodys = expect_code(
            caller
                .auth()
                .revoke_session(pb::RevokeSessionRequest {
                    session_id: missing,
                })
                .await,
            Code::NotFound,
        );
        assert_eq!(theirs.message(), nobodys.message());
    }
    // Uma is still signed in.
    uma.auth().who_am_i(pb::Empty {}).await?;
    assert_eq!(list(&uma).await?.len(), 1);
    Ok(())
}
