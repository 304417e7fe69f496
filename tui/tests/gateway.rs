//! `portal --gateway`: the client the SSH gateway runs, on the server's
//! machine, for someone else's terminal. Every test here runs as the
//! gateway does (no local files, editor or keyring: a setting of the whole
//! process), which is why they have a file of their own.

mod fixtures;
mod live_session;

use std::path::Path;
use std::process::Stdio;

use crossterm::event::KeyCode;
use fixtures::{alice, ctrl, detail, opened, press, render, show_ticket, signed_in, type_text};
use live_session::{Session, main_of};
use portal::action::{AuthCall, ReportCall, Request, upload_problem};
use portal::app::{App, Phase};
use portal::client::{self, Target};
use portal::ui::popup::Popup;
use portal_proto::pb::{self, auth_service_client::AuthServiceClient};

/// What every refusal says.
const REFUSED: &str = "not available over SSH";

fn as_the_gateway() {
    portal::local_files::refuse();
}

/// Whether the popup on top says why files are refused.
fn says_refused(app: &App) -> bool {
    matches!(app.popups.last(), Some(Popup::Info { lines, .. }) if lines.join(" ").contains(REFUSED))
}

/// Alice on ticket 1042.
fn on_a_ticket() -> App {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.take_requests(), opened(1042));
    show_ticket(&mut app, detail());
    app
}

#[test]
fn the_external_editor_is_refused_and_the_built_in_one_keeps_the_text() {
    as_the_gateway();
    let mut app = on_a_ticket();
    press(&mut app, KeyCode::Char('r'));
    type_text(&mut app, "The scanner works again");
    assert!(
        !render(&mut app, 80, 24).contains("EDITOR"),
        "no $EDITOR is offered"
    );
    ctrl(&mut app, 'e');
    assert_eq!(app.take_external_edit(), None, "no $EDITOR over SSH");
    assert!(says_refused(&app), "{}", render(&mut app, 80, 24));
    press(&mut app, KeyCode::Esc);
    assert!(
        render(&mut app, 80, 24).contains("The scanner works again"),
        "the reply stays in the built-in editor"
    );
    // The editor itself refuses too, whoever asks.
    assert!(portal::editor::edit("x").is_err_and(|e| e.contains(REFUSED)));
}

#[test]
fn attaching_saving_and_exporting_are_refused_before_a_path_is_asked() {
    as_the_gateway();
    let mut app = on_a_ticket();
    for key in ['a', 'w', 'x'] {
        press(&mut app, KeyCode::Char(key));
        assert_eq!(app.popups.len(), 1, "{key}: no path prompt");
        assert!(says_refused(&app), "{key}: {}", render(&mut app, 80, 24));
        assert_eq!(app.take_requests(), vec![], "{key}: nothing sent");
        press(&mut app, KeyCode::Esc);
    }
    press(&mut app, KeyCode::Char('w'));
    insta::assert_snapshot!("files_refused_80x24", render(&mut app, 80, 24));
    // The new-ticket form's Attachments field shows the same beside it.
    let problem = upload_problem(Path::new("/etc/hostname")).unwrap_or_default();
    assert!(problem.contains(REFUSED), "{problem}");
}

/// A session token for `email`, as the gateway has for a registered key.
async fn session_token(url: &str, email: &str) -> String {
    let target = Target {
        url: url.to_owned(),
        ca: None,
        use_keyring: false,
    };
    AuthServiceClient::new(client::channel(&target).expect("channel"))
        .login(pb::LoginRequest {
            email: email.to_owned(),
            password: portal::demo::DEMO_PASSWORD.to_owned(),
            remember_me: false,
            client: "gateway test".to_owned(),
        })
        .await
        .expect("signed in")
        .into_inner()
        .token
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gateways_token_signs_in_with_live_updates_and_files_stay_refused() {
    as_the_gateway();
    let demo = portal::demo::start().await.expect("demo server");
    let token = session_token(&demo.url, "alice@harbor.example").await;
    let mut alice = Session::starting(&demo.url, Request::Auth(AuthCall::Adopt { token }));
    alice
        .until("Home", |app| {
            main_of(app).is_some_and(|m| m.me.email == "alice@harbor.example")
        })
        .await;
    alice
        .until("live updates", |app| app.status.connected == Some(true))
        .await;

    // The client refuses to write a file whatever screen asked for it.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.csv");
    let saved = alice
        .client
        .request(
            ReportCall::SaveCsv {
                csv: "month,tickets\n".to_owned(),
                path: path.clone(),
            }
            .into(),
        )
        .await;
    assert!(
        saved.is_err_and(|e| e.message.contains(REFUSED)),
        "saving is refused"
    );
    assert!(!path.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_shows_the_sign_in_form_without_remember_me() {
    as_the_gateway();
    let demo = portal::demo::start().await.expect("demo server");
    let first = Request::Auth(AuthCall::Adopt {
        token: "not-a-session".to_owned(),
    });
    let mut someone = Session::starting(&demo.url, first);
    someone
        .until("the sign-in form saying why", |app| {
            matches!(&app.phase, Phase::Login(login)
                if login.error.as_deref().is_some_and(|e| e.contains("SSH key did not sign you in")))
        })
        .await;
    let screen = someone.screen();
    assert!(screen.contains("Password"), "{screen}");
    assert!(
        !screen.contains("Remember me"),
        "no keyring here:\n{screen}"
    );

    // A password still signs in, as ever.
    someone.type_text("alice@harbor.example");
    someone.press(KeyCode::Tab);
    someone.type_text(portal::demo::DEMO_PASSWORD);
    someone.press(KeyCode::Enter);
    someone.until("Home", |app| main_of(app).is_some()).await;
}

/// `portal --gateway --server URL ARGS…` as the gateway starts it.
async fn portal(
    url: &str,
    token: Option<&str>,
    args: &[&str],
    dir: &Path,
) -> (Option<i32>, String, String) {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_portal"));
    command
        .args(["--gateway", "--server", url])
        .args(args)
        .current_dir(dir)
        .env_remove("PORTAL_TOKEN")
        .env_remove("PORTAL_SERVER")
        .env_remove("PORTAL_GATEWAY_TOKEN")
        .stdin(Stdio::null());
    if let Some(token) = token {
        command.env("PORTAL_GATEWAY_TOKEN", token);
    }
    let out = command.output().await.expect("portal runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_over_ssh_use_the_token_and_refuse_files_as_usage_errors() {
    let demo = portal::demo::start().await.expect("demo server");
    let token = session_token(&demo.url, "alice@harbor.example").await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("note.txt"), "from a file").expect("write");

    // The token signs commands in: no keyring, no `portal login`.
    let (code, listed, stderr) = portal(
        &demo.url,
        Some(&token),
        &["tickets", "list", "--json"],
        dir.path(),
    )
    .await;
    assert_eq!(code, Some(0), "{stderr}");
    let number = serde_json::from_str::<serde_json::Value>(listed.lines().next().unwrap_or("{}"))
        .ok()
        .and_then(|t| t["number"].as_i64())
        .expect("a ticket number")
        .to_string();

    let refused: [&[&str]; 10] = [
        &["login"],
        &["logout"],
        &["tickets", "attach", &number, "note.txt"],
        &["tickets", "download", &number, "note.txt"],
        &["tickets", "export", &number, "--pdf"],
        &["invoices", "pdf", "1001", "-o", "invoice.pdf"],
        &["tickets", "reply", &number, "-F", "note.txt"],
        &["tickets", "reply", &number, "--edit"],
        &["--config", "note.txt", "tickets", "list"],
        &["--ca", "note.txt", "tickets", "list"],
    ];
    for args in refused {
        let (code, _, stderr) = portal(&demo.url, Some(&token), args, dir.path()).await;
        assert_eq!(code, Some(2), "{args:?} is a usage error: {stderr}");
        assert!(stderr.contains(REFUSED), "{args:?}: {stderr}");
    }
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    left.sort();
    assert_eq!(left, ["note.txt"], "nothing was written here");

    // Stdout is the user's own terminal: `-o -` still works.
    let args = ["tickets", "export", &number, "--text", "-o", "-"];
    let (code, text, stderr) = portal(&demo.url, Some(&token), &args, dir.path()).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(text.contains(&number), "{text}");

    // Without a registered key, commands are not signed in (7), and say how;
    // what needs no sign-in prints to the user's terminal all the same.
    let (code, _, stderr) = portal(&demo.url, None, &["tickets", "list"], dir.path()).await;
    assert_eq!(code, Some(7), "{stderr}");
    assert!(stderr.contains("SSH key"), "{stderr}");
    let (code, man, stderr) = portal(&demo.url, None, &["man"], dir.path()).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(man.contains(".TH"), "the manual page");
}
