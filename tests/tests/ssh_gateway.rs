//! The SSH gateway (docs/GATEWAY.md) driven by OpenSSH's own `ssh`: a
//! registered key opens the portal without a password, in tmux at 80×24;
//! a ticket is raised, a staff reply arrives live, the terminal is resized
//! and the client quits. Then everything that is not the portal is refused:
//! a shell command, port forwarding, a subsystem, flags that point the
//! client elsewhere, an unknown key with a wrong password, and a connection
//! over the per-address limit.

use std::process::{Command, Output};
use std::time::Duration;

use portal_e2e::tmux::Tmux;
use portal_e2e::{DEMO_PASSWORD, TestServer, demo, require_tool, ssh};
use portal_proto::pb;
use tokio::io::AsyncReadExt;

async fn gateway(extra: &[&str]) -> anyhow::Result<(TestServer, String)> {
    let mut args = vec!["--ssh-listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let server = TestServer::demo_with(&args).await?;
    let (addr, fingerprint) = server.ssh.clone().expect("the gateway's address");
    assert!(fingerprint.starts_with("SHA256:"), "{fingerprint}");
    Ok((server, addr))
}

/// Registers a new key for the demo account `email`; its private key's path.
async fn registered_key(
    server: &TestServer,
    dir: &std::path::Path,
    email: &str,
) -> anyhow::Result<std::path::PathBuf> {
    let name = email.split('@').next().unwrap_or("key").replace('.', "_");
    let (key, line) = ssh::keygen(dir, &name)?;
    server
        .as_demo(email)
        .await?
        .auth()
        .add_ssh_key(pb::AddSshKeyRequest { public_key: line })
        .await?;
    Ok(key)
}

/// Runs `ssh` to the gateway with `args` after the host, without a terminal.
fn ssh_run(addr: &str, key: Option<&std::path::Path>, args: &[&str]) -> Output {
    let cmd = ssh::command(addr, key);
    Command::new(&cmd[0])
        .args(&cmd[1..])
        .args(args)
        .output()
        .expect("ssh runs")
}

fn shell_line(addr: &str, key: Option<&std::path::Path>) -> String {
    let mut cmd = ssh::command(addr, key);
    cmd.insert(1, "-t".into());
    format!("{}; echo \"SSH EXITED $?\"; sleep 60", cmd.join(" "))
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    any(missing_tmux, missing_ssh),
    ignore = "tmux or ssh is not installed (under CI=true this test runs and fails)"
)]
async fn a_registered_key_opens_the_portal_raises_a_ticket_and_sees_a_reply_live()
-> anyhow::Result<()> {
    require_tool("tmux");
    require_tool("ssh");
    let (server, addr) = gateway(&[]).await?;
    let dir = tempfile::tempdir()?;
    let key = registered_key(&server, dir.path(), demo::CLIENT_ADMIN).await?;

    let tmux = Tmux::start(&shell_line(&addr, Some(&key)));
    // No password asked: Home straight away.
    tmux.wait_for("Welcome,");

    let title = format!("Over SSH {}", std::process::id());
    let number = tmux.raise_ticket(&title, "Raised through the SSH gateway.");

    // A technician answers: the reply shows without a key pressed.
    let reply = "Answered while you watched over SSH";
    server
        .as_demo(demo::TECHNICIAN)
        .await?
        .tickets()
        .add_post(pb::AddPostRequest {
            number,
            kind: pb::PostKind::Discussion.into(),
            body: reply.into(),
            chat: false,
        })
        .await?;
    tmux.wait_for(reply);

    // A bigger terminal: the client redraws to its width.
    tmux.run(&["resize-window", "-t", "t", "-x", "120", "-y", "40"]);
    tmux.wait_until("a 120-column screen", |s| {
        s.lines().any(|l| l.trim_end().chars().count() > 100)
    });

    // Quitting ends the SSH session.
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
    tmux.wait_for("SSH EXITED 0");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    missing_ssh,
    ignore = "ssh is not installed (under CI=true this test runs and fails)"
)]
async fn the_gateway_runs_the_portal_and_nothing_else() -> anyhow::Result<()> {
    require_tool("ssh");
    let (server, addr) = gateway(&[]).await?;
    let dir = tempfile::tempdir()?;
    let key = registered_key(&server, dir.path(), demo::CLIENT_ADMIN).await?;

    // The command-line twin runs, signed in by the key.
    let out = ssh_run(&addr, Some(&key), &["tickets", "list", "--json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.lines().count() > 1,
        "tickets as JSON lines: {stdout}"
    );
    assert!(stdout.lines().all(|l| l.starts_with('{')), "{stdout}");

    // A shell command is no command of the portal's.
    let out = ssh_run(&addr, Some(&key), &["sh", "-c", "'echo PWNED; id'"]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(!all.contains("PWNED") && !all.contains("uid="), "{all}");

    // Flags that point the client elsewhere are refused before it runs.
    let out = ssh_run(
        &addr,
        Some(&key),
        &["tickets", "list", "--server", "http://127.0.0.1:1"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--server is set by the gateway"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // No port forwarding (stdio forwarding is the same channel kind as -L).
    let grpc = server.addr.trim_start_matches("http://");
    let out = ssh_run(&addr, Some(&key), &["-W", grpc]);
    assert!(!out.status.success(), "a forward was opened");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("open failed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = ssh_run(
        &addr,
        Some(&key),
        &[
            "-N",
            "-o",
            "ExitOnForwardFailure=yes",
            "-R",
            "0:127.0.0.1:1",
        ],
    );
    assert!(!out.status.success(), "a remote forward was opened");

    // No subsystem (sftp and the like).
    let out = ssh_run(&addr, Some(&key), &["-s", "sftp"]);
    assert!(!out.status.success(), "a subsystem ran");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    any(missing_tmux, missing_ssh),
    ignore = "tmux or ssh is not installed (under CI=true this test runs and fails)"
)]
async fn an_unknown_key_gets_the_sign_in_screen_and_a_wrong_password_gets_nothing()
-> anyhow::Result<()> {
    require_tool("tmux");
    require_tool("ssh");
    let (_server, addr) = gateway(&[]).await?;
    let dir = tempfile::tempdir()?;
    let (stranger, _) = ssh::keygen(dir.path(), "stranger")?;

    let tmux = Tmux::start(&shell_line(&addr, Some(&stranger)));
    tmux.wait_for("sign in");
    tmux.text(demo::CLIENT_ADMIN);
    tmux.keys(&["Tab"]);
    tmux.text(&format!("{DEMO_PASSWORD}-wrong"));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Wrong e-mail or password.");
    assert!(!screen.contains("Welcome,"), "{screen}");

    // Without a registered key the command-line twin is not signed in.
    let out = ssh_run(&addr, Some(&stranger), &["tickets", "list"]);
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    missing_ssh,
    ignore = "ssh is not installed (under CI=true this test runs and fails)"
)]
async fn a_connection_over_the_per_address_limit_is_told_why() -> anyhow::Result<()> {
    require_tool("ssh");
    let (server, addr) = gateway(&["--ssh-max-per-address", "1"]).await?;
    let dir = tempfile::tempdir()?;
    let key = registered_key(&server, dir.path(), demo::CLIENT_ADMIN).await?;

    // One session held open: the portal in a terminal, at Home, so it is
    // surely counted before the second one comes.
    let mut cmd = ssh::command(&addr, Some(&key));
    cmd.insert(1, "-tt".into());
    let mut held = tokio::process::Command::new(&cmd[0])
        .args(&cmd[1..])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdout = held.stdout.take().expect("piped");
    let mut seen = Vec::new();
    let at_home = tokio::time::timeout(Duration::from_secs(20), async {
        let mut buf = [0u8; 4096];
        while !seen.windows(8).any(|w| w == b"Welcome,") {
            let n = stdout.read(&mut buf).await?;
            anyhow::ensure!(n > 0, "the held session ended");
            seen.extend_from_slice(&buf[..n]);
        }
        Ok(())
    })
    .await;
    assert!(
        matches!(at_home, Ok(Ok(()))),
        "the held session reached Home"
    );

    // The second is refused, and told why.
    let out = ssh_run(&addr, Some(&key), &["tickets", "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let refused =
        !out.status.success() && stderr.contains("as many SSH sessions open as one address may");
    held.kill().await?;
    assert!(refused, "the second connection was let in");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    missing_ssh,
    ignore = "ssh is not installed (under CI=true this test runs and fails)"
)]
async fn a_server_with_tls_serves_the_gateway_too() -> anyhow::Result<()> {
    require_tool("ssh");
    let mut plain = TestServer::demo().await?;
    let dir = tempfile::tempdir()?;
    let key = registered_key(&plain, dir.path(), demo::CLIENT_ADMIN).await?;
    plain.kill().await?;

    // A certificate that names only a host the gateway's clients never use.
    let cert = rcgen::generate_simple_self_signed(vec!["portal.example".to_string()])?;
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem())?;
    std::fs::write(&key_path, cert.signing_key.serialize_pem())?;
    let server = TestServer::over(
        &plain.db,
        &[
            "--tls-cert",
            cert_path.to_str().unwrap_or_default(),
            "--tls-key",
            key_path.to_str().unwrap_or_default(),
            "--ssh-listen",
            "127.0.0.1:0",
        ],
    )
    .await?;
    assert!(server.addr.starts_with("https://"), "{}", server.addr);
    let (addr, _) = server.ssh.clone().expect("the gateway's address");

    let out = ssh_run(&addr, Some(&key), &["tickets", "list", "--json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.lines().count() > 1,
        "tickets as JSON lines: {stdout}"
    );
    Ok(())
}
