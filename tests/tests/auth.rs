//! Every sign-in flow against the real server: login, wrong and unknown
//! e-mails, remember me and refresh, logout, lockout, the password policy,
//! temporary passwords, forgot password and access requests.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

use std::time::Duration;

use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo, expect_code};
use portal_proto::pb;
use tonic::Code;

async fn login_req(
    server: &TestServer,
    email: &str,
    password: &str,
    remember_me: bool,
) -> Result<pb::LoginResponse, tonic::Status> {
    let anon = server
        .anonymous()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    anon.auth()
        .login(pb::LoginRequest {
            email: email.into(),
            password: password.into(),
            remember_me,
            ..Default::default()
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn session(server: &TestServer, token: &str) -> anyhow::Result<Session> {
    Session::new(server.channel().await?, token)
}

async fn refresh(server: &TestServer, token: &str) -> Result<pb::LoginResponse, tonic::Status> {
    let anon = server
        .anonymous()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    anon.auth()
        .refresh(pb::RefreshRequest {
            refresh_token: token.into(),
            ..Default::default()
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn change_password(s: &Session, current: &str, new: &str) -> Result<(), tonic::Status> {
    s.accounts()
        .change_password(pb::ChangePasswordRequest {
            current_password: current.into(),
            new_password: new.into(),
        })
        .await
        .map(|_| ())
}

#[tokio::test]
async fn login_gives_a_token_identity_and_ignores_email_case() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let login = login_req(&server, "ALICE@Harbor.Example", DEMO_PASSWORD, false).await?;
    assert!(login.token.len() >= 32);
    assert!(
        login.refresh_token.is_empty(),
        "no refresh token without remember me"
    );
    let idle = login.idle_expires_at.expect("idle expiry");
    let absolute = login.expires_at.expect("absolute expiry");
    assert!(idle.seconds <= absolute.seconds);
    let identity = login.identity.expect("identity");
    assert_eq!(identity.email, demo::CLIENT_ADMIN);
    assert!(!identity.staff);
    assert_eq!(identity.access(), pb::AccessLevel::Admin);
    assert!(!identity.must_change_password);
    assert!(identity.company_id > 0);
    assert!(!identity.company_name.is_empty());
    // The provider's zone from data/sla.toml: clients see times as staff do.
    assert_eq!(identity.time_zone, "America/Chicago");

    let me = session(&server, &login.token)
        .await?
        .auth()
        .who_am_i(pb::Empty {})
        .await?
        .into_inner();
    assert_eq!(me, identity);

    let staff = login_req(&server, demo::PROVIDER_ADMIN, DEMO_PASSWORD, false).await?;
    let identity = staff.identity.expect("identity");
    assert!(identity.staff);
    assert_eq!(identity.role(), pb::StaffRole::Admin);
    Ok(())
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let wrong = expect_code(
        login_req(&server, demo::CLIENT_USER, "Not-The-Password-1", false).await,
        Code::Unauthenticated,
    );
    let unknown = expect_code(
        login_req(
            &server,
            "nobody@harbor.example",
            "Not-The-Password-1",
            false,
        )
        .await,
        Code::Unauthenticated,
    );
    assert_eq!(wrong.message(), unknown.message());
    // A contact without portal access has no password: the same answer again.
    let no_access = expect_code(
        login_req(&server, "walt@harbor.example", DEMO_PASSWORD, false).await,
        Code::Unauthenticated,
    );
    assert_eq!(no_access.message(), wrong.message());
    expect_code(
        login_req(&server, "", "x", false).await,
        Code::InvalidArgument,
    );
    Ok(())
}

#[tokio::test]
async fn missing_garbage_and_revoked_tokens_are_unauthenticated() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let anon = server.anonymous().await?;
    expect_code(
        anon.auth().who_am_i(pb::Empty {}).await,
        Code::Unauthenticated,
    );
    expect_code(
        anon.accounts().get_my_profile(pb::Empty {}).await,
        Code::Unauthenticated,
    );
    let garbage = session(&server, "0123456789abcdef").await?;
    expect_code(
        garbage.auth().who_am_i(pb::Empty {}).await,
        Code::Unauthenticated,
    );
    expect_code(
        garbage
            .staff()
            .list_staff(pb::ListStaffRequest::default())
            .await,
        Code::Unauthenticated,
    );
    Ok(())
}

#[tokio::test]
async fn remember_me_refresh_rotates_and_revoke_ends_it() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let login = login_req(&server, demo::CLIENT_MANAGER, DEMO_PASSWORD, true).await?;
    assert!(!login.refresh_token.is_empty());

    let renewed = refresh(&server, &login.refresh_token).await?;
    assert_ne!(renewed.token, login.token);
    assert_ne!(renewed.refresh_token, login.refresh_token);
    assert!(!renewed.refresh_token.is_empty());
    assert_eq!(
        renewed.identity.as_ref().map(|i| i.email.as_str()),
        Some(demo::CLIENT_MANAGER)
    );
    session(&server, &renewed.token)
        .await?
        .auth()
        .who_am_i(pb::Empty {})
        .await?;

    // The used token is spent; presenting it again also ends its successor.
    expect_code(
        refresh(&server, &login.refresh_token).await,
        Code::Unauthenticated,
    );
    expect_code(
        refresh(&server, &renewed.refresh_token).await,
        Code::Unauthenticated,
    );

    let again = login_req(&server, demo::CLIENT_MANAGER, DEMO_PASSWORD, true).await?;
    server
        .anonymous()
        .await?
        .auth()
        .revoke_refresh(pb::RevokeRefreshRequest {
            refresh_token: again.refresh_token.clone(),
        })
        .await?;
    expect_code(
        refresh(&server, &again.refresh_token).await,
        Code::Unauthenticated,
    );
    expect_code(refresh(&server, "").await, Code::Unauthenticated);
    expect_code(refresh(&server, "garbage").await, Code::Unauthenticated);
    Ok(())
}

#[tokio::test]
async fn logout_revokes_the_session_and_its_refresh_token() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let login = login_req(&server, demo::TECHNICIAN, DEMO_PASSWORD, true).await?;
    let other = login_req(&server, demo::TECHNICIAN, DEMO_PASSWORD, false).await?;
    let s = session(&server, &login.token).await?;
    s.auth()
        .logout(pb::LogoutRequest {
            refresh_token: login.refresh_token.clone(),
        })
        .await?;
    expect_code(s.auth().who_am_i(pb::Empty {}).await, Code::Unauthenticated);
    expect_code(
        refresh(&server, &login.refresh_token).await,
        Code::Unauthenticated,
    );
    // Other sessions of the same person go on.
    session(&server, &other.token)
        .await?
        .auth()
        .who_am_i(pb::Empty {})
        .await?;
    Ok(())
}

#[tokio::test]
async fn five_failures_lock_the_account_until_the_lockout_ends() -> anyhow::Result<()> {
    // The failures come from one address; the account's lockout does not
    // hold at addresses it signed in from lately (see
    // tests/tests/signin_throttle.rs), so its own sign-in comes from another.
    const AT: &str = "127.0.0.2";
    // Locked for 3 s.
    let server = TestServer::demo_with(&["--lockout-minutes", "0.05"]).await?;
    // Success resets the count.
    for _ in 0..4 {
        expect_code(
            server
                .login_from(AT, demo::CLIENT_USER, "Wrong-Pass-1")
                .await,
            Code::Unauthenticated,
        );
    }
    server
        .login_from("127.0.0.3", demo::CLIENT_USER, DEMO_PASSWORD)
        .await?;
    for _ in 0..4 {
        expect_code(
            server
                .login_from(AT, demo::CLIENT_USER, "Wrong-Pass-1")
                .await,
            Code::Unauthenticated,
        );
    }
    let locked = expect_code(
        server
            .login_from(AT, demo::CLIENT_USER, "Wrong-Pass-1")
            .await,
        Code::ResourceExhausted,
    );
    assert!(locked.message().contains("locked"), "{}", locked.message());
    let with_right = expect_code(
        server
            .login_from(AT, demo::CLIENT_USER, DEMO_PASSWORD)
            .await,
        Code::ResourceExhausted,
    );
    assert!(
        with_right.message().contains("try again in 1 minute"),
        "{}",
        with_right.message()
    );

    // An unknown e-mail locks the same way, so lockout reveals nothing.
    for _ in 0..4 {
        expect_code(
            server
                .login_from(AT, "ghost@harbor.example", "Wrong-Pass-1")
                .await,
            Code::Unauthenticated,
        );
    }
    let ghost = expect_code(
        server
            .login_from(AT, "ghost@harbor.example", "Wrong-Pass-1")
            .await,
        Code::ResourceExhausted,
    );
    assert_eq!(ghost.message(), locked.message());

    let admin = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let entries = admin
        .staff()
        .list_audit_log(pb::ListAuditLogRequest {
            action: "lockout".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .entries;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].subject, demo::CLIENT_USER);
    let users = admin
        .accounts()
        .get_user(pb::GetUserRequest {
            contact_id: login_req(&server, demo::CLIENT_ADMIN, DEMO_PASSWORD, false)
                .await?
                .identity
                .map_or(0, |i| i.id),
        })
        .await?
        .into_inner();
    assert!(!users.locked);

    tokio::time::sleep(Duration::from_millis(3500)).await;
    server
        .login_from(AT, demo::CLIENT_USER, DEMO_PASSWORD)
        .await?;
    Ok(())
}

#[tokio::test]
async fn an_idle_session_ends_after_the_idle_limit() -> anyhow::Result<()> {
    let server = TestServer::demo_configured("session_idle_minutes = 0.05 # 3 s\n").await?;
    let login = login_req(&server, demo::CLIENT_USER, DEMO_PASSWORD, false).await?;
    let uma = session(&server, &login.token).await?;
    // Calls 1.5 s apart keep it going past 3 s after sign-in...
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        uma.auth().who_am_i(pb::Empty {}).await?;
    }
    // ...3 s without one end it.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let ended = expect_code(
        uma.tickets()
            .list_service_types(pb::ListServiceTypesRequest::default())
            .await,
        Code::Unauthenticated,
    );
    assert!(ended.message().contains("session has ended"), "{ended:?}");
    Ok(())
}

#[tokio::test]
async fn a_busy_session_still_ends_at_the_absolute_limit() -> anyhow::Result<()> {
    let server = TestServer::demo_configured(
        "session_idle_minutes = 0.05 # 3 s\nsession_absolute_hours = 0.002 # 7.2 s\n",
    )
    .await?;
    let signed_in = tokio::time::Instant::now();
    let login = login_req(&server, demo::CLIENT_USER, DEMO_PASSWORD, false).await?;
    let uma = session(&server, &login.token).await?;
    let mut last_ok = Duration::ZERO;
    let ended = loop {
        match uma.auth().who_am_i(pb::Empty {}).await {
            Ok(_) => last_ok = signed_in.elapsed(),
            Err(status) => break status,
        }
        assert!(last_ok < Duration::from_secs(30), "the session never ended");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(ended.code(), Code::Unauthenticated, "{ended:?}");
    assert!(
        last_ok > Duration::from_secs(3),
        "ended within the idle limit although in use ({last_ok:?})"
    );
    assert!(
        signed_in.elapsed() >= Duration::from_millis(7200),
        "ended before the absolute limit"
    );
    // The person may sign in again.
    login_req(&server, demo::CLIENT_USER, DEMO_PASSWORD, false).await?;
    Ok(())
}

#[tokio::test]
async fn ended_sessions_and_refresh_tokens_are_deleted_from_the_store() -> anyhow::Result<()> {
    let mut server = TestServer::demo_configured(
        "session_absolute_hours = 0.001 # 3.6 s\nrefresh_days = 0.00004 # 3.5 s\n",
    )
    .await?;
    login_req(&server, demo::CLIENT_USER, DEMO_PASSWORD, true).await?;
    let rows = |db: &std::path::Path| -> anyhow::Result<i64> {
        let conn = rusqlite::Connection::open(db)?;
        Ok(conn.query_row(
            "SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM refresh_tokens)",
            [],
            |r| r.get(0),
        )?)
    };
    assert_eq!(rows(&server.db)?, 2);
    tokio::time::sleep(Duration::from_secs(4)).await;
    // Ended but still stored until the sweep, which runs at start.
    assert_eq!(rows(&server.db)?, 2);
    server.kill().await?;
    server.start().await?;
    let mut left = rows(&server.db)?;
    for _ in 0..100 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = rows(&server.db)?;
    }
    assert_eq!(left, 0, "ended sessions or refresh tokens were kept");
    Ok(())
}

#[tokio::test]
async fn change_password_enforces_every_policy_rule() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let second = server.as_demo(demo::CLIENT_USER).await?;
    let cases = [
        ("Ab1!", "must be at least 8 characters"),
        ("tidal-harbor-93", "must contain an upper-case letter"),
        ("TIDAL-HARBOR-93", "must contain a lower-case letter"),
        ("Tidal-Harbor-xx", "must contain a digit"),
        ("TidalHarbor93", "must contain a special character"),
        (
            "Tidal-Harbooo-93",
            "must not repeat a character three times in a row",
        ),
        ("Password1!", "is too common"),
        ("Welcome2024!", "is too common"),
        ("Qwerty123!", "is too common"),
    ];
    for (password, rule) in cases {
        let status = expect_code(
            change_password(&uma, DEMO_PASSWORD, password).await,
            Code::InvalidArgument,
        );
        assert!(
            status.message().starts_with("new_password: "),
            "{}",
            status.message()
        );
        assert!(
            status.message().contains(rule),
            "{password}: {}",
            status.message()
        );
    }
    // Every failing rule is listed.
    let all = expect_code(
        change_password(&uma, DEMO_PASSWORD, "abc").await,
        Code::InvalidArgument,
    );
    for rule in ["at least 8", "upper-case", "digit", "special"] {
        assert!(all.message().contains(rule), "{}", all.message());
    }
    let same = expect_code(
        change_password(&uma, DEMO_PASSWORD, DEMO_PASSWORD).await,
        Code::InvalidArgument,
    );
    assert!(same.message().contains("differ"), "{}", same.message());
    let wrong = expect_code(
        change_password(&uma, "Not-Current-9", "Tidal-Harbor-93").await,
        Code::InvalidArgument,
    );
    assert!(
        wrong.message().starts_with("current_password:"),
        "{}",
        wrong.message()
    );
    // Nothing changed so far.
    login_req(&server, demo::CLIENT_USER, DEMO_PASSWORD, false).await?;

    let long: String = "Correct-Horse-Battery-Staple-7 "
        .chars()
        .cycle()
        .take(128)
        .collect();
    change_password(&uma, DEMO_PASSWORD, &long).await?;
    expect_code(
        login_req(&server, demo::CLIENT_USER, DEMO_PASSWORD, false).await,
        Code::Unauthenticated,
    );
    login_req(&server, demo::CLIENT_USER, &long, false).await?;
    // The changing session goes on; the person's other sessions end.
    uma.auth().who_am_i(pb::Empty {}).await?;
    expect_code(
        second.auth().who_am_i(pb::Empty {}).await,
        Code::Unauthenticated,
    );

    let policy = server
        .anonymous()
        .await?
        .auth()
        .get_password_policy(pb::Empty {})
        .await?
        .into_inner();
    assert_eq!(policy.min_length, 8);
    assert!(policy.max_length >= 128);
    assert!(policy.rules.iter().any(|r| r.contains("common")));
    Ok(())
}

#[tokio::test]
async fn a_temporary_password_must_be_changed_before_anything_else() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    let added = alice
        .accounts()
        .add_user(pb::AddUserRequest {
            company_id: 0,
            email: "newbie@harbor.example".into(),
            details: Some(pb::ContactDetails {
                first_name: "New".into(),
                last_name: "Bie".into(),
                ..Default::default()
            }),
            access: pb::AccessLevel::User as i32,
        })
        .await?
        .into_inner();
    let temporary = added.temporary_password;
    assert!(!temporary.is_empty());

    let login = login_req(&server, "newbie@harbor.example", &temporary, false).await?;
    assert!(
        login
            .identity
            .as_ref()
            .is_some_and(|i| i.must_change_password)
    );
    let newbie = session(&server, &login.token).await?;
    expect_code(
        newbie.accounts().get_my_profile(pb::Empty {}).await,
        Code::PermissionDenied,
    );
    expect_code(
        newbie
            .accounts()
            .list_users(pb::ListUsersRequest::default())
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        newbie
            .accounts()
            .get_company(pb::GetCompanyRequest::default())
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        newbie
            .accounts()
            .list_pending_requests(pb::ListPendingRequestsRequest::default())
            .await,
        Code::PermissionDenied,
    );
    assert!(
        newbie
            .auth()
            .who_am_i(pb::Empty {})
            .await?
            .into_inner()
            .must_change_password
    );

    change_password(&newbie, &temporary, "Fresh-Start-2027").await?;
    assert!(
        !newbie
            .auth()
            .who_am_i(pb::Empty {})
            .await?
            .into_inner()
            .must_change_password
    );
    newbie.accounts().get_my_profile(pb::Empty {}).await?;
    let me = login_req(&server, "newbie@harbor.example", "Fresh-Start-2027", false).await?;
    assert!(me.identity.is_some_and(|i| !i.must_change_password));
    newbie.auth().logout(pb::LogoutRequest::default()).await?;
    Ok(())
}

#[tokio::test]
async fn forgot_password_is_neutral_and_reaches_only_the_companys_admins() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let anon = server.anonymous().await?;
    let mut answers = Vec::new();
    for email in [
        demo::CLIENT_USER,
        "nobody@nowhere.example",
        demo::TECHNICIAN,
        "walt@harbor.example",
    ] {
        answers.push(
            anon.auth()
                .forgot_password(pb::ForgotPasswordRequest {
                    email: email.into(),
                })
                .await?
                .into_inner(),
        );
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    expect_code(
        anon.auth()
            .forgot_password(pb::ForgotPasswordRequest {
                email: "not an email".into(),
            })
            .await,
        Code::InvalidArgument,
    );

    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    let list = alice
        .accounts()
        .list_pending_requests(pb::ListPendingRequestsRequest::default())
        .await?
        .into_inner()
        .requests;
    // The demo store has requests of its own; ours is the one for Uma, and
    // nothing was filed for the unknown e-mail, the staff member or Walt.
    let request = list
        .iter()
        .find(|r| r.email == demo::CLIENT_USER)
        .expect("Uma's request");
    assert!(
        !list.iter().any(|r| r.email == "walt@harbor.example"
            && r.kind() == pb::PendingRequestKind::PasswordReset)
    );
    assert_eq!(request.kind(), pb::PendingRequestKind::PasswordReset);

    let ava = server.as_demo(demo::OTHER_ADMIN).await?;
    let theirs = ava
        .accounts()
        .list_pending_requests(pb::ListPendingRequestsRequest::default())
        .await?
        .into_inner()
        .requests;
    assert!(theirs.iter().all(|r| r.id != request.id));
    let resolve = pb::ResolvePendingRequestRequest {
        request_id: request.id,
        approve: true,
        access: 0,
    };
    expect_code(
        ava.accounts().resolve_pending_request(resolve).await,
        Code::NotFound,
    );
    let mark = server.as_demo(demo::CLIENT_MANAGER).await?;
    expect_code(
        mark.accounts().resolve_pending_request(resolve).await,
        Code::PermissionDenied,
    );
    expect_code(
        mark.accounts()
            .list_pending_requests(pb::ListPendingRequestsRequest::default())
            .await,
        Code::PermissionDenied,
    );
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let all = paula
        .accounts()
        .list_pending_requests(pb::ListPendingRequestsRequest::default())
        .await?
        .into_inner()
        .requests;
    assert!(all.iter().any(|r| r.id == request.id));

    let uma_before = server.as_demo(demo::CLIENT_USER).await?;
    let temporary = alice
        .accounts()
        .resolve_pending_request(resolve)
        .await?
        .into_inner()
        .temporary_password;
    assert!(!temporary.is_empty());
    expect_code(
        alice.accounts().resolve_pending_request(resolve).await,
        Code::FailedPrecondition,
    );
    expect_code(
        uma_before.auth().who_am_i(pb::Empty {}).await,
        Code::Unauthenticated,
    );
    expect_code(
        login_req(&server, demo::CLIENT_USER, DEMO_PASSWORD, false).await,
        Code::Unauthenticated,
    );
    let login = login_req(&server, demo::CLIENT_USER, &temporary, false).await?;
    assert!(login.identity.is_some_and(|i| i.must_change_password));

    let audit = paula
        .staff()
        .list_audit_log(pb::ListAuditLogRequest {
            action: "password.reset".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .entries;
    assert!(
        audit
            .iter()
            .any(|e| e.action == "password.reset" && e.actor == demo::CLIENT_ADMIN)
    );
    assert!(
        audit
            .iter()
            .any(|e| e.action == "password.reset_requested" && e.subject == demo::TECHNICIAN)
    );
    Ok(())
}

#[tokio::test]
async fn request_access_reaches_the_admins_only_for_known_contacts() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let anon = server.anonymous().await?;
    let mut answers = Vec::new();
    for email in [
        "walt@harbor.example",
        "stranger@nowhere.example",
        demo::CLIENT_USER,
    ] {
        answers.push(
            anon.auth()
                .request_access(pb::RequestAccessRequest {
                    email: email.into(),
                    message: "I need to raise tickets".into(),
                })
                .await?
                .into_inner(),
        );
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    expect_code(
        anon.auth()
            .request_access(pb::RequestAccessRequest {
                email: "walt@harbor.example".into(),
                message: "x".repeat(1001),
            })
            .await,
        Code::InvalidArgument,
    );

    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    let list = alice
        .accounts()
        .list_pending_requests(pb::ListPendingRequestsRequest::default())
        .await?
        .into_inner()
        .requests;
    // Only Walt (a contact without access) got a request; the demo's own
    // request for him now carries the new message.
    let access: Vec<_> = list
        .iter()
        .filter(|r| r.kind() == pb::PendingRequestKind::Access)
        .collect();
    assert_eq!(access.len(), 1, "{list:?}");
    assert_eq!(access[0].email, "walt@harbor.example");
    assert_eq!(access[0].message, "I need to raise tickets");
    let request_id = access[0].id;

    let temporary = alice
        .accounts()
        .resolve_pending_request(pb::ResolvePendingRequestRequest {
            request_id,
            approve: true,
            access: pb::AccessLevel::Manager as i32,
        })
        .await?
        .into_inner()
        .temporary_password;
    let login = login_req(&server, "walt@harbor.example", &temporary, false).await?;
    let identity = login.identity.expect("identity");
    assert_eq!(identity.access(), pb::AccessLevel::Manager);
    assert!(identity.must_change_password);
    Ok(())
}

#[tokio::test]
async fn a_dismissed_request_changes_nothing() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    server
        .anonymous()
        .await?
        .auth()
        .forgot_password(pb::ForgotPasswordRequest {
            email: demo::OTHER_USER.into(),
        })
        .await?;
    let ava = server.as_demo(demo::OTHER_ADMIN).await?;
    let list = ava
        .accounts()
        .list_pending_requests(pb::ListPendingRequestsRequest::default())
        .await?
        .into_inner()
        .requests;
    let request_id = list
        .iter()
        .find(|r| r.email == demo::OTHER_USER)
        .expect("the request")
        .id;
    let answer = ava
        .accounts()
        .resolve_pending_request(pb::ResolvePendingRequestRequest {
            request_id,
            approve: false,
            access: 0,
        })
        .await?
        .into_inner();
    assert!(answer.temporary_password.is_empty());
    login_req(&server, demo::OTHER_USER, DEMO_PASSWORD, false).await?;
    let left = ava
        .accounts()
        .list_pending_requests(pb::ListPendingRequestsRequest::default())
        .await?
        .into_inner()
        .requests;
    assert!(left.iter().all(|r| r.id != request_id));
    Ok(())
}
