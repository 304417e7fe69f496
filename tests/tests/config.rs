//! Server settings from a TOML file, `PORTAL_*` variables and flags, in
//! that order of strength, seen through what the server does; and bad
//! settings refused at start.

use portal_e2e::{DEMO_PASSWORD, TestServer, bin, demo, expect_code};
use portal_proto::pb;
use tonic::Code;

/// Signs in to a demo account; the status when refused.
async fn login(server: &TestServer, email: &str, password: &str) -> Result<(), tonic::Status> {
    server.login(email, password).await.map(|_| ())
}

/// Fails `n` sign-ins of the client User with a wrong password, none locking.
async fn fail_logins(server: &TestServer, n: usize) {
    for _ in 0..n {
        expect_code(
            login(server, demo::CLIENT_USER, "Wrong-Pass-1").await,
            Code::Unauthenticated,
        );
    }
}

/// Posts a discussion post of `bytes` bytes on an open ticket, as a Dispatcher.
async fn post(server: &TestServer, bytes: usize) -> anyhow::Result<Result<(), tonic::Status>> {
    let dina = server.as_demo(demo::DISPATCHER).await?;
    let open = dina
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            status_group: pb::StatusGroup::Open.into(),
            page: Some(pb::PageRequest {
                page_size: 1,
                cursor: String::new(),
            }),
            ..Default::default()
        })
        .await?
        .into_inner();
    let number = open.tickets.first().expect("an open ticket").number;
    let reply = dina
        .tickets()
        .add_post(pb::AddPostRequest {
            number,
            kind: pb::PostKind::Discussion.into(),
            body: "x".repeat(bytes),
            chat: false,
        })
        .await;
    Ok(reply.map(|_| ()))
}

#[tokio::test]
async fn a_setting_in_the_config_file_alone_applies() -> anyhow::Result<()> {
    let server = TestServer::demo_configured("lockout_threshold = 2\n").await?;
    fail_logins(&server, 1).await;
    // The second failure locks, not the default fifth.
    let locked = expect_code(
        login(&server, demo::CLIENT_USER, "Wrong-Pass-1").await,
        Code::ResourceExhausted,
    );
    assert!(locked.message().contains("locked"), "{locked:?}");
    expect_code(
        login(&server, demo::CLIENT_USER, DEMO_PASSWORD).await,
        Code::ResourceExhausted,
    );
    Ok(())
}

#[tokio::test]
async fn a_setting_in_the_environment_alone_applies() -> anyhow::Result<()> {
    let server = TestServer::demo_with_env(&[("PORTAL_MAX_MESSAGE_KIB", "16")], &[]).await?;
    // A 32 KiB post is within the post limit (64 KiB) but not the message limit.
    let refused = expect_code(post(&server, 32 * 1024).await?, Code::OutOfRange);
    assert!(refused.message().contains("too large"), "{refused:?}");
    post(&server, 8 * 1024).await??;
    Ok(())
}

#[tokio::test]
async fn the_environment_wins_over_the_config_file() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("portal.toml");
    std::fs::write(&file, "max_message_kib = 16\n")?;
    let file = file.to_string_lossy();
    let server =
        TestServer::demo_with_env(&[("PORTAL_MAX_MESSAGE_KIB", "128")], &["--config", &file])
            .await?;
    post(&server, 32 * 1024).await??;
    Ok(())
}

#[tokio::test]
async fn a_flag_wins_over_the_environment() -> anyhow::Result<()> {
    let server = TestServer::demo_with_env(
        &[("PORTAL_LOCKOUT_THRESHOLD", "1")],
        &["--lockout-threshold", "3"],
    )
    .await?;
    // Two failures lock nothing (the environment's 1 would have)...
    fail_logins(&server, 2).await;
    // (signed in from another address: the lockout spares addresses the
    // account signed in from lately)
    server
        .login_from("127.0.0.2", demo::CLIENT_USER, DEMO_PASSWORD)
        .await?;
    // ...the third does.
    fail_logins(&server, 2).await;
    expect_code(
        login(&server, demo::CLIENT_USER, "Wrong-Pass-1").await,
        Code::ResourceExhausted,
    );
    Ok(())
}

/// Starts `portal-server serve` with `flags`, `env` and, unless empty, a
/// config file holding `toml`; asserts it refuses and returns its stderr.
async fn refused(flags: &[&str], env: &[(&str, &str)], toml: &str) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let mut serve = tokio::process::Command::new(bin("portal-server"));
    serve
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("portal.db"));
    if !toml.is_empty() {
        let file = dir.path().join("portal.toml");
        std::fs::write(&file, toml)?;
        serve.arg("--config").arg(&file);
    }
    let out = serve.args(flags).envs(env.iter().copied()).output().await?;
    assert!(!out.status.success(), "{flags:?} {env:?} {toml:?}: started");
    Ok(String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test]
async fn bad_settings_stop_the_server_naming_them() -> anyhow::Result<()> {
    for (stderr, named) in [
        (
            refused(&["--session-idle-minutes", "0"], &[], "").await?,
            "--session-idle-minutes",
        ),
        (
            refused(&[], &[("PORTAL_READERS", "many")], "").await?,
            "--readers",
        ),
        (
            refused(&["--max-message-kib", "1.5"], &[], "").await?,
            "--max-message-kib",
        ),
        (
            refused(&[], &[], "request_timeout_seconds = 0\n").await?,
            "--request-timeout-seconds",
        ),
        (
            refused(&[], &[], "refresh_days = -1\n").await?,
            "--refresh-days",
        ),
        (
            refused(&[], &[], "session_idle = 5\n").await?,
            "unknown setting session_idle",
        ),
    ] {
        assert!(stderr.contains(named), "{named} not named: {stderr}");
    }
    Ok(())
}
