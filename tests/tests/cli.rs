//! `portal <noun> <verb>` end to end (docs/CLI.md): the real `portal` binary
//! against the real server, as a script uses it — output, the `--json`
//! schema, exit codes, the editor, stdin and stdout piping, and `--all`.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use portal_e2e::{
    DEMO_PASSWORD, Session, TestServer, bin, date_days_ago, demo, pdf_file_text, require_tool,
};
use portal_proto::pb;
use serde_json::Value;

/// Runs `portal` against one server as one signed-in account (or none).
struct Portal<'a> {
    server: &'a TestServer,
    token: Option<String>,
    home: tempfile::TempDir,
    env: Vec<(&'static str, String)>,
}

impl<'a> Portal<'a> {
    async fn signed_in(server: &'a TestServer, email: &str) -> anyhow::Result<Self> {
        let login = server.login(email, DEMO_PASSWORD).await?;
        Ok(Self {
            server,
            token: Some(login.token),
            home: tempfile::tempdir()?,
            env: Vec::new(),
        })
    }

    fn anonymous(server: &'a TestServer) -> anyhow::Result<Self> {
        Ok(Self {
            server,
            token: None,
            home: tempfile::tempdir()?,
            env: Vec::new(),
        })
    }

    /// `portal ARGS` with `stdin` piped in.
    fn run(&self, args: &[&str], stdin: &str) -> anyhow::Result<Output> {
        let mut command = Command::new(bin("portal"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path())
            .env("PORTAL_SERVER", &self.server.addr)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(self.home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(token) = &self.token {
            command.env("PORTAL_TOKEN", token);
        }
        let mut child = command.spawn()?;
        child
            .stdin
            .take()
            .map(|mut s| s.write_all(stdin.as_bytes()))
            .transpose()?;
        Ok(child.wait_with_output()?)
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str], stdin: &str) -> anyhow::Result<String> {
        let out = self.run(args, stdin)?;
        anyhow::ensure!(
            out.status.success(),
            "portal {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8(out.stdout)?)
    }

    /// Runs and expects exit `code` with one line on stderr; returns it.
    fn fails(&self, args: &[&str], stdin: &str, code: i32) -> anyhow::Result<String> {
        let out = self.run(args, stdin)?;
        let stderr = String::from_utf8(out.stderr)?;
        anyhow::ensure!(
            out.status.code() == Some(code),
            "portal {args:?}: expected exit {code}, got {} with {stderr}",
            out.status
        );
        if code != 2 {
            anyhow::ensure!(
                stderr.lines().count() == 1 && stderr.starts_with("portal: "),
                "one line on stderr: {stderr:?}"
            );
        }
        Ok(stderr)
    }

    /// One JSON document.
    fn json(&self, args: &[&str]) -> anyhow::Result<Value> {
        let mut args = args.to_vec();
        args.push("--json");
        Ok(serde_json::from_str(&self.ok(&args, "")?)?)
    }
}

/// JSON lines, each parsed.
fn lines(text: &str) -> anyhow::Result<Vec<Value>> {
    text.lines().map(|l| Ok(serde_json::from_str(l)?)).collect()
}

#[tokio::test]
async fn tickets_read_as_tables_json_and_csv_with_documented_exit_codes() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let tom = Portal::signed_in(&server, demo::TECHNICIAN).await?;

    // JSON lines with the gRPC field names, enums by name, every field there.
    let listed = lines(&tom.ok(&["tickets", "list", "--limit", "3", "--json"], "")?)?;
    assert_eq!(listed.len(), 3);
    for t in &listed {
        assert!(t["number"].as_i64().is_some_and(|n| n > 1000), "{t}");
        assert!(
            t["status"]
                .as_str()
                .is_some_and(|s| s.starts_with("TICKET_STATUS_"))
        );
        assert!(t["assigned_staff_name"].is_string() && t["fields"].is_array());
    }
    let number = listed[0]["number"].as_i64().unwrap_or_default();

    // The table (not a terminal: no colour) and CSV agree on the rows.
    let table = tom.ok(&["tickets", "list", "--limit", "3"], "")?;
    assert!(table.starts_with("number  status"), "{table}");
    assert!(!table.contains('\x1b'), "no colour into a pipe");
    assert_eq!(table.lines().count(), 4);
    let csv = tom.ok(&["tickets", "list", "--limit", "3", "--csv"], "")?;
    assert!(csv.starts_with("number,status,priority,title,contact,company,assigned,updated\n"));
    assert_eq!(csv.lines().count(), 4);

    let detail = tom.json(&["tickets", "show", &number.to_string()])?;
    assert_eq!(detail["ticket"]["number"], number);
    assert!(detail["timeline"].is_array() && detail["permissions"].is_object());
    let shown = tom.ok(&["tickets", "show", &number.to_string()], "")?;
    assert!(shown.starts_with(&format!("#{number}  ")), "{shown}");

    // Filters reach the server: an open group holds only open statuses.
    for t in lines(&tom.ok(&["tickets", "list", "--group", "open", "--json"], "")?)? {
        let status = t["status"].as_str().unwrap_or_default();
        assert!(
            ["NEW", "IN_PROGRESS", "WAITING_ON_CLIENT", "SCHEDULED"]
                .iter()
                .any(|s| status.ends_with(s)),
            "{status}"
        );
    }

    // Exit codes: 3 not found, 2 usage, 5 invalid naming the field, 4 not
    // allowed, 6 unavailable, 7 not signed in.
    let e = tom.fails(&["tickets", "show", "999999"], "", 3)?;
    assert!(e.contains("not found"), "{e}");
    tom.fails(&["tickets", "show", "abc"], "", 2)?;
    tom.fails(&["tickets", "frobnicate"], "", 2)?;
    let e = tom.fails(
        &[
            "tickets",
            "new",
            "--type",
            "Hardware",
            "--title",
            "Dock",
            "--description",
            "-",
        ],
        "It is dead",
        5,
    )?;
    assert!(e.contains("fields.device: required"), "{e}");
    let e = tom.fails(&["tickets", "list", "--type", "Nonsense"], "", 5)?;
    assert!(e.contains("type:"), "{e}");
    let uma = Portal::signed_in(&server, demo::CLIENT_USER).await?;
    uma.fails(
        &[
            "users",
            "add",
            "--email",
            "kim@harbor.example",
            "--first",
            "Kim",
            "--last",
            "Lee",
        ],
        "",
        4,
    )?;
    let mut down = Portal::signed_in(&server, demo::TECHNICIAN).await?;
    down.env
        .push(("PORTAL_SERVER", "http://127.0.0.1:9".into()));
    let e = down.fails(&["tickets", "list"], "", 6)?;
    assert!(e.contains("--server or PORTAL_SERVER"), "{e}");
    let nobody = Portal::anonymous(&server)?;
    let e = nobody.fails(&["tickets", "list"], "", 7)?;
    assert!(e.contains("portal login"), "{e}");
    let mut stale = Portal::anonymous(&server)?;
    stale.token = Some("not-a-token".into());
    stale.fails(&["tickets", "list"], "", 7)?;
    Ok(())
}

#[tokio::test]
async fn tickets_are_raised_and_answered_from_stdin_files_and_the_editor() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = Portal::signed_in(&server, demo::CLIENT_USER).await?;
    let tom = Portal::signed_in(&server, demo::TECHNICIAN).await?;

    // `types` lists the required fields `new` checks.
    let types = lines(&uma.ok(&["tickets", "types", "--json"], "")?)?;
    let hardware = types
        .iter()
        .find(|t| t["name"] == "Hardware")
        .expect("Hardware");
    assert!(
        hardware["fields"][0]["required"]
            .as_bool()
            .unwrap_or_default()
    );

    // The description from stdin; stdout is the new number alone.
    let out = uma.ok(
        &[
            "tickets",
            "new",
            "--type",
            "hardware",
            "--title",
            "Dock dead",
            "--field",
            "device=Docking station",
            "--description",
            "-",
        ],
        "No lights at all.\n",
    )?;
    let number: i64 = out.trim().parse()?;
    let n = number.to_string();
    let t = uma.json(&["tickets", "show", &n])?;
    assert_eq!(t["ticket"]["description"], "No lights at all.");
    assert_eq!(t["ticket"]["fields"][0]["value"], "Docking station");

    // A reply written in the editor: a script stands in for it.
    let editor = uma.home.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'Written in the editor' > \"$1\"\n",
    )?;
    let mut with_editor = Portal::signed_in(&server, demo::CLIENT_USER).await?;
    with_editor
        .env
        .push(("EDITOR", format!("sh {}", editor.display())));
    let entry = with_editor.json(&["tickets", "reply", &n, "--edit"])?;
    assert_eq!(entry["body"], "Written in the editor");
    assert_eq!(entry["kind"], "TIMELINE_KIND_DISCUSSION");
    // An editor that saves nothing sends nothing.
    let empty = uma.home.path().join("empty.sh");
    std::fs::write(&empty, "#!/bin/sh\n: > \"$1\"\n")?;
    with_editor.env = vec![("EDITOR", format!("sh {}", empty.display()))];
    let e = with_editor.fails(&["tickets", "reply", &n, "--edit"], "", 5)?;
    assert!(e.contains("body: is empty"), "{e}");

    // Piped in without -m: stdin is the text. -F FILE and -m too.
    uma.ok(&["tickets", "reply", &n], "Piped in\n")?;
    let file = uma.home.path().join("reply.txt");
    std::fs::write(&file, "From a file")?;
    uma.ok(&["tickets", "reply", &n, "-F", &file.to_string_lossy()], "")?;
    tom.ok(
        &["tickets", "reply", &n, "-m", "Between us", "--internal"],
        "",
    )?;
    let bodies = |who: &Portal| -> anyhow::Result<Vec<String>> {
        let t = who.json(&["tickets", "show", &n])?;
        Ok(t["timeline"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["body"].as_str().unwrap_or_default().to_owned())
            .collect())
    };
    let seen = bodies(&uma)?;
    for body in ["Written in the editor", "Piped in", "From a file"] {
        assert!(seen.iter().any(|b| b == body), "{body:?} in {seen:?}");
    }
    assert!(
        !seen.iter().any(|b| b == "Between us"),
        "clients never see notes"
    );
    assert!(bodies(&tom)?.iter().any(|b| b == "Between us"));
    uma.fails(&["tickets", "reply", &n, "-m", "x", "--internal"], "", 4)?;

    // Assignment, status, priority.
    let dina = Portal::signed_in(&server, demo::DISPATCHER).await?;
    let assigned = dina.json(&["tickets", "assign", &n, demo::TECHNICIAN])?;
    assert!(assigned["assigned_staff_id"].as_i64().unwrap_or_default() > 0);
    // Another assignee besides the primary: in the JSON, in `show`, and in
    // their queue (`--mine`).
    let both = dina.json(&["tickets", "assign", &n, "raj@keystone.example", "--add"])?;
    assert_eq!(
        both["other_assignees"][0]["name"], "Raj Menon-Price",
        "{both}"
    );
    let shown = dina.ok(&["tickets", "show", &n], "")?;
    assert!(
        shown.contains("Assigned: Tom Brandvold (+ Raj Menon-Price)"),
        "{shown}"
    );
    let raj = Portal::signed_in(&server, "raj@keystone.example").await?;
    let mine = lines(&raj.ok(&["tickets", "list", "--mine", "--json"], "")?)?;
    assert!(
        mine.iter()
            .any(|t| t["number"].as_i64().is_some_and(|x| x.to_string() == n)),
        "{mine:?}"
    );
    let one = dina.json(&["tickets", "assign", &n, "raj@keystone.example", "--remove"])?;
    assert!(
        one["other_assignees"].as_array().is_none_or(Vec::is_empty),
        "{one}"
    );
    let mine = lines(&raj.ok(&["tickets", "list", "--mine", "--json"], "")?)?;
    assert!(
        mine.iter()
            .all(|t| t["number"].as_i64().is_none_or(|x| x.to_string() != n)),
        "{mine:?}"
    );
    uma.fails(&["tickets", "list", "--mine"], "", 2)?;
    let moved = tom.json(&["tickets", "status", &n, "in-progress"])?;
    assert_eq!(moved["status"], "TICKET_STATUS_IN_PROGRESS");
    let e = tom.fails(&["tickets", "status", &n, "closed"], "", 4)?;
    assert!(!e.is_empty());
    assert_eq!(dina.json(&["tickets", "priority", &n, "2"])?["priority"], 2);

    // Attach, then download by name to stdout (piped) and by id to a file.
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let path = uma.home.path().join("trace.bin");
    std::fs::write(&path, &data)?;
    let out = uma.run(&["tickets", "attach", &n, &path.to_string_lossy()], "")?;
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("100% of 200000 bytes"));
    let piped = uma.run(&["tickets", "download", &n, "trace.bin", "-o", "-"], "")?;
    assert!(piped.status.success());
    assert_eq!(piped.stdout, data);
    let id = uma.json(&["tickets", "show", &n])?["attachments"][0]["id"]
        .as_i64()
        .unwrap_or_default();
    let saved = uma.home.path().join("copy.bin");
    uma.ok(
        &[
            "tickets",
            "download",
            &n,
            &id.to_string(),
            "-o",
            &saved.to_string_lossy(),
        ],
        "",
    )?;
    assert_eq!(std::fs::read(&saved)?, data);
    uma.fails(&["tickets", "download", &n, "nothing.txt"], "", 3)?;
    Ok(())
}

/// `--all` pages through every ticket: all of them, each once.
#[tokio::test]
async fn list_all_returns_every_ticket_once() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("gen.db");
    let out = Command::new(bin("portal-server"))
        .args(["gen", "--companies", "3", "--contacts", "4"])
        .args(["--tickets", "5000", "--days", "60", "--no-merge", "--db"])
        .arg(&db)
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = TestServer::over(&db, &[]).await?;
    let admin = Portal::signed_in(&server, "bench-admin@provider.example").await?;
    let listed = lines(&admin.ok(&["tickets", "list", "--all", "--json"], "")?)?;
    let numbers: HashSet<i64> = listed
        .iter()
        .map(|t| t["number"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(listed.len(), 5000);
    assert_eq!(numbers.len(), 5000, "each once");
    Ok(())
}

/// Signing in remembers the session in the keyring, as the full-screen
/// client does; later commands use it, and `logout` forgets it.
#[tokio::test]
async fn login_is_remembered_for_later_commands_until_logout() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let me = Portal::anonymous(&server)?;
    me.fails(&["tickets", "list"], "", 7)?;
    let e = me.fails(
        &["login", "--email", demo::CLIENT_USER, "--password-stdin"],
        "Not-The-Password-1\n",
        7,
    )?;
    assert!(!e.contains("Not-The-Password"), "never echoed: {e}");
    let out = me.run(
        &["login", "--email", demo::CLIENT_USER, "--password-stdin"],
        &format!("{DEMO_PASSWORD}\n"),
    )?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing but data on stdout");
    assert!(stderr.contains("Uma"), "{stderr}");
    let listed = lines(&me.ok(&["tickets", "list", "--json"], "")?)?;
    assert!(!listed.is_empty());
    me.ok(&["logout"], "")?;
    me.fails(&["tickets", "list"], "", 7)?;
    assert!(
        !Path::new(&me.home.path().join("portal")).exists(),
        "no file written"
    );
    Ok(())
}

/// `portal watch` prints each event it may see as one JSON line, ids
/// increasing, and stops with 7 when its session ends.
#[tokio::test]
async fn watch_prints_events_as_json_lines_until_the_session_ends() -> anyhow::Result<()> {
    use tokio::io::AsyncBufReadExt;
    let server = TestServer::demo().await?;
    let login = server.login(demo::CLIENT_USER, DEMO_PASSWORD).await?;
    let uma = portal_e2e::Session::new(server.channel().await?, &login.token)?;
    let tom = server.as_demo(demo::TECHNICIAN).await?;
    let home = tempfile::tempdir()?;
    let mut child = tokio::process::Command::new(bin("portal"))
        .arg("watch")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .env("PORTAL_SERVER", &server.addr)
        .env("PORTAL_TOKEN", &login.token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mine = uma
        .tickets()
        .list_tickets(portal_proto::pb::ListTicketsRequest::default())
        .await?
        .into_inner()
        .tickets;
    let (ticket, other) = (mine[0].number, mine[1].number);
    let post = |body: &str| portal_proto::pb::AddPostRequest {
        number: ticket,
        kind: portal_proto::pb::PostKind::Discussion.into(),
        body: body.into(),
        chat: false,
    };
    // Until the stream is open, posts go unseen: post until one is seen.
    let first = loop {
        tom.tickets().add_post(post("ping")).await?;
        let wait = std::time::Duration::from_secs(2);
        if let Ok(line) = tokio::time::timeout(wait, lines.next_line()).await {
            break line?.expect("a line");
        }
    };
    let first: Value = serde_json::from_str(&first)?;
    assert_eq!(first["kind"], "EVENT_KIND_POST_ADDED");
    assert_eq!(first["ticket_number"], ticket);
    tom.tickets()
        .add_post(portal_proto::pb::AddPostRequest {
            kind: portal_proto::pb::PostKind::InternalNote.into(),
            ..post("unseen")
        })
        .await?;
    tom.tickets()
        .add_post(portal_proto::pb::AddPostRequest {
            number: other,
            ..post("last")
        })
        .await?;
    let mut ids = vec![first["id"].as_u64().unwrap_or_default()];
    loop {
        let line = lines.next_line().await?.expect("a line");
        let event: Value = serde_json::from_str(&line)?;
        ids.push(event["id"].as_u64().unwrap_or_default());
        if event["ticket_number"] == other || ids.len() > 20 {
            break;
        }
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    uma.auth()
        .logout(portal_proto::pb::LogoutRequest::default())
        .await?;
    let status = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait()).await??;
    assert_eq!(status.code(), Some(7));
    Ok(())
}

/// The server's timer and time entries, and a client's sign-off.
#[tokio::test]
async fn time_is_kept_and_logged_and_completed_work_signed_off() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = Portal::signed_in(&server, demo::CLIENT_USER).await?;
    let tom = Portal::signed_in(&server, demo::TECHNICIAN).await?;
    let dina = Portal::signed_in(&server, demo::DISPATCHER).await?;
    let n = uma
        .ok(
            &[
                "tickets",
                "new",
                "--type",
                "Other",
                "--title",
                "Slow PC",
                "--description",
                "-",
            ],
            "Takes ages to start.",
        )?
        .trim()
        .to_owned();
    dina.ok(&["tickets", "assign", &n, demo::TECHNICIAN], "")?;

    assert_eq!(tom.ok(&["time", "status"], "")?.trim(), "no timer running");
    tom.ok(&["time", "start", &n], "")?;
    let running = tom.json(&["time", "status"])?;
    assert_eq!(running["running"], true);
    assert_eq!(running["ticket_number"].to_string(), n);
    tom.fails(&["time", "start", &n], "", 4)?;
    let e = tom.fails(&["time", "stop", "--type", "Juggling"], "", 5)?;
    assert!(e.contains("type:"), "{e}");
    assert_eq!(tom.json(&["time", "status"])?["running"], true, "unchanged");
    let stopped = tom.json(&["time", "stop", "--type", "remote support"])?;
    assert_eq!(stopped["ticket_number"].to_string(), n);
    assert_eq!(stopped["work_type_name"], "Remote support");
    let logged = tom.json(&[
        "time",
        "log",
        &n,
        "1h30m",
        "--type",
        "Travel",
        "--no-charge",
    ])?;
    assert_eq!(
        (logged["minutes"].as_u64(), logged["billable"].as_bool()),
        (Some(90), Some(false))
    );
    let e = tom.fails(&["time", "log", &n, "1.5h", "--type", "Travel"], "", 5)?;
    assert!(e.contains("duration:"), "{e}");
    uma.fails(&["time", "log", &n, "1h", "--type", "Travel"], "", 4)?;

    // Completed, then signed off by the requester: closed.
    tom.ok(&["tickets", "status", &n, "in-progress"], "")?;
    tom.ok(
        &[
            "tickets",
            "reply",
            &n,
            "--resolution",
            "-m",
            "Replaced the disk.",
        ],
        "",
    )?;
    tom.ok(&["tickets", "status", &n, "completed"], "")?;
    let signed = uma.json(&["tickets", "signoff", &n, "-m", "Fast now"])?;
    assert_eq!(signed["signer_name"], "Uma Vasquez-Orr");
    let closed = uma.json(&["tickets", "show", &n])?;
    assert_eq!(closed["ticket"]["status"], "TICKET_STATUS_CLOSED");
    uma.fails(&["tickets", "approve", &n], "", 3)?;

    // Closed: the requester rates it once (docs/TICKETS.md "Ratings").
    let asked = uma.ok(&["tickets", "show", &n], "")?;
    assert!(
        asked.contains(&format!("portal tickets rate {n}")),
        "{asked}"
    );
    uma.fails(&["tickets", "rate", &n, "--score", "6"], "", 2)?;
    tom.fails(&["tickets", "rate", &n, "--score", "5"], "", 4)?;
    let rated = uma.json(&["tickets", "rate", &n, "--score", "5", "-m", "Fast now"])?;
    assert_eq!(
        (rated["score"].as_u64(), rated["comment"].as_str()),
        (Some(5), Some("Fast now"))
    );
    let again = uma.fails(&["tickets", "rate", &n, "--score", "1"], "", 5)?;
    assert!(again.contains("rated already"), "{again}");
    let shown = tom.ok(&["tickets", "show", &n], "")?;
    assert!(shown.contains("Rated 5/5 by Uma Vasquez-Orr"), "{shown}");
    let listed = tom.ok(&["tickets", "ratings", "--csv"], "")?;
    let mut lines = listed.lines();
    assert_eq!(
        lines.next(),
        Some("ticket,score,rated,requester,company,technician,comment")
    );
    let first = lines.next().unwrap_or_default();
    assert!(first.starts_with(&format!("#{n},5,")), "{listed}");
    assert!(first.ends_with(",Fast now"), "{listed}");
    uma.fails(&["tickets", "ratings"], "", 4)?;
    Ok(())
}

/// `tickets export`: the server's PDF or text, to a new file or stdout; a
/// client's copy holds no internal note.
#[tokio::test]
async fn tickets_are_exported_as_pdf_and_text() -> anyhow::Result<()> {
    require_tool("pdftotext");
    let server = TestServer::demo().await?;
    let uma = Portal::signed_in(&server, demo::CLIENT_USER).await?;
    let dina = Portal::signed_in(&server, demo::DISPATCHER).await?;
    let n = uma
        .ok(
            &[
                "tickets",
                "new",
                "--type",
                "Other",
                "--title",
                "Scanner offline",
                "--description",
                "-",
            ],
            "The scanner on floor 2 says offline.",
        )?
        .trim()
        .to_owned();
    dina.ok(
        &["tickets", "reply", &n, "-m", "Power-cycled the scanner."],
        "",
    )?;
    dina.ok(
        &[
            "tickets",
            "reply",
            &n,
            "--internal",
            "-m",
            "INTERNAL-5521 its lease ends",
        ],
        "",
    )?;

    let text = uma.ok(&["tickets", "export", &n, "--text", "-o", "-"], "")?;
    assert!(text.contains("Scanner offline"), "{text}");
    assert!(text.contains("Power-cycled the scanner."), "{text}");
    assert!(!text.contains("INTERNAL-5521"), "a client's export: {text}");
    // The document is the public record, whoever exports it.
    let staff_copy = dina.ok(&["tickets", "export", &n, "--text", "-o", "-"], "")?;
    assert!(
        staff_copy.contains("Power-cycled the scanner."),
        "{staff_copy}"
    );
    assert!(!staff_copy.contains("INTERNAL-5521"), "{staff_copy}");

    // Saved under the server's file name, here; never over an existing file.
    let out = uma.run(&["tickets", "export", &n, "--pdf"], "")?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "data went to the file");
    let saved = uma.home.path().join(format!("ticket-{n}.pdf"));
    assert!(String::from_utf8(out.stderr)?.starts_with(&format!("Saved ticket-{n}.pdf (")));
    let pdf = std::fs::read(&saved)?;
    assert!(pdf.starts_with(b"%PDF"));
    let read = pdf_file_text(&saved)?;
    assert!(
        read.contains("Scanner offline") && read.contains("Power-cycled"),
        "{read}"
    );
    assert!(!read.contains("INTERNAL-5521"), "{read}");
    let e = uma.fails(&["tickets", "export", &n, "--pdf"], "", 5)?;
    assert!(e.contains(&format!("ticket-{n}.pdf")), "{e}");
    assert_eq!(std::fs::read(&saved)?, pdf, "the file is left as it was");

    let form = uma.ok(
        &["tickets", "export", &n, "--text", "--sign-off", "-o", "-"],
        "",
    )?;
    assert!(form.contains("Scanner offline"), "{form}");
    uma.fails(&["tickets", "export", &n], "", 2)?;
    uma.fails(&["tickets", "export", &n, "--pdf", "--text"], "", 2)?;
    uma.fails(&["tickets", "export", "999999", "--pdf", "-o", "-"], "", 3)?;
    Portal::signed_in(&server, demo::OTHER_USER).await?.fails(
        &["tickets", "export", &n, "--text", "-o", "-"],
        "",
        3,
    )?;
    Ok(())
}

/// `tickets approve|decline`: a client Manager decides the estimates staff
/// proposed; a User may not, and a decided estimate stays decided.
#[tokio::test]
async fn estimates_are_approved_and_declined_from_the_command_line() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = Portal::signed_in(&server, demo::CLIENT_USER).await?;
    let mark = Portal::signed_in(&server, demo::CLIENT_MANAGER).await?;
    let n: i64 = uma
        .ok(
            &[
                "tickets",
                "new",
                "--type",
                "Other",
                "--title",
                "New laptop",
                "--description",
                "-",
            ],
            "Mine is six years old.",
        )?
        .trim()
        .parse()?;
    let staff = server.login(demo::DISPATCHER, DEMO_PASSWORD).await?;
    let staff = Session::new(server.channel().await?, &staff.token)?;
    let mut ids = Vec::new();
    for (description, amount_cents) in [("Laptop and set-up", 149_900), ("Docking station", 21_000)]
    {
        let estimate = staff
            .work()
            .propose_estimate(pb::ProposeEstimateRequest {
                number: n,
                description: description.into(),
                amount_cents,
                expires_on: String::new(),
            })
            .await?;
        ids.push(estimate.into_inner().id);
    }
    let [laptop, dock] = ids[..] else {
        anyhow::bail!("two estimates were proposed: {ids:?}")
    };
    let n = n.to_string();

    // Two pending: which one must be named.
    let e = mark.fails(&["tickets", "approve", &n], "", 2)?;
    assert!(e.contains("--estimate"), "{e}");
    uma.fails(
        &["tickets", "approve", &n, "--estimate", &laptop.to_string()],
        "",
        4,
    )?;
    let approved = mark.json(&[
        "tickets",
        "approve",
        &n,
        "--estimate",
        &laptop.to_string(),
        "-m",
        "Go ahead",
    ])?;
    assert_eq!(approved["id"], laptop);
    assert_eq!(approved["state"], "ESTIMATE_STATE_APPROVED");
    assert_eq!(approved["comment"], "Go ahead");
    assert!(
        approved["decided_by"]
            .as_str()
            .is_some_and(|who| !who.is_empty())
    );

    // One left pending: found without naming it.
    let out = mark.run(&["tickets", "decline", &n, "-m", "Too expensive"], "")?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stderr)?.trim(),
        format!("#{n}: estimate {dock} declined.")
    );
    let work = staff
        .work()
        .get_ticket_work(pb::TicketWorkRequest { number: n.parse()? })
        .await?
        .into_inner();
    let states: Vec<_> = work.estimates.iter().map(|e| (e.id, e.state())).collect();
    assert!(
        states.contains(&(laptop, pb::EstimateState::Approved)),
        "{states:?}"
    );
    assert!(
        states.contains(&(dock, pb::EstimateState::Declined)),
        "{states:?}"
    );

    let e = mark.fails(&["tickets", "approve", &n], "", 3)?;
    assert!(e.contains("no estimate awaiting"), "{e}");
    mark.fails(
        &["tickets", "decline", &n, "--estimate", &laptop.to_string()],
        "",
        4,
    )?;
    Ok(())
}

/// `portal sessions list|revoke|signout-all` with their exit codes.
#[tokio::test]
async fn sessions_are_listed_revoked_and_signed_out_everywhere() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let me = Portal::signed_in(&server, demo::CLIENT_USER).await?;
    let other = Portal::signed_in(&server, demo::CLIENT_USER).await?;
    let third = Portal::signed_in(&server, demo::CLIENT_USER).await?;
    let listed = lines(&me.ok(&["sessions", "list", "--json"], "")?)?;
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(
        listed.iter().filter(|s| s["current"] == true).count(),
        1,
        "{listed:?}"
    );
    assert!(
        listed.iter().all(|s| s["address"] == "127.0.0.1"),
        "{listed:?}"
    );
    let table = me.ok(&["sessions", "list"], "")?;
    assert!(table.starts_with("id"), "{table}");
    assert!(table.contains("127.0.0.1"), "{table}");

    // The newest sign-in (the third) first: revoke it.
    let newest = listed[0]["id"]
        .as_str()
        .map_or_else(|| listed[0]["id"].to_string(), ToOwned::to_owned);
    assert_eq!(listed[0]["current"], false);
    me.ok(&["sessions", "revoke", &newest], "")?;
    third.fails(&["sessions", "list"], "", 7)?;
    me.fails(&["sessions", "revoke", &newest], "", 3)?;
    me.fails(&["sessions", "revoke", "0"], "", 5)?;
    me.fails(&["sessions", "revoke", "-3"], "", 2)?;

    // Everywhere else, then everywhere.
    me.ok(&["sessions", "signout-all", "--keep-current"], "")?;
    other.fails(&["sessions", "list"], "", 7)?;
    assert_eq!(
        lines(&me.ok(&["sessions", "list", "--json"], "")?)?.len(),
        1
    );
    me.ok(&["sessions", "signout-all"], "")?;
    me.fails(&["sessions", "list"], "", 7)?;
    Ok(())
}

#[test]
fn help_completions_and_man_page_need_no_server() -> anyhow::Result<()> {
    let run = |args: &[&str]| Command::new(bin("portal")).args(args).output();
    let bash = run(&["completions", "bash"])?;
    assert!(bash.status.success());
    assert!(String::from_utf8_lossy(&bash.stdout).contains("tickets"));
    let man = run(&["man"])?;
    assert!(String::from_utf8_lossy(&man.stdout).starts_with(".ie"));
    for args in [
        &["tickets", "list", "--help"][..],
        &["tickets", "new", "--help"],
        &["tickets", "reply", "--help"],
        &["tickets", "export", "--help"],
        &["users", "add", "--help"],
        &["watch", "--help"],
    ] {
        let help = String::from_utf8(run(args)?.stdout)?;
        assert!(help.contains("Example"), "{args:?}: {help}");
    }
    Ok(())
}

/// `time list|edit|delete`: one's own entries until they are billed; what
/// an edit does not name stays; bad values exit 5 naming the flag or the
/// server's field, another's entry is not found (3), a client may not (4).
#[tokio::test]
async fn own_time_entries_are_listed_edited_and_deleted() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = Portal::signed_in(&server, demo::CLIENT_USER).await?;
    let tom = Portal::signed_in(&server, demo::TECHNICIAN).await?;
    let dina = Portal::signed_in(&server, demo::DISPATCHER).await?;
    let n = uma
        .ok(
            &[
                "tickets",
                "new",
                "--type",
                "Other",
                "--title",
                "Laptop fan loud",
                "--description",
                "-",
            ],
            "It whirs all day.",
        )?
        .trim()
        .to_owned();
    dina.ok(&["tickets", "assign", &n, demo::TECHNICIAN], "")?;
    let logged = tom.json(&[
        "time",
        "log",
        &n,
        "45m",
        "--type",
        "Travel",
        "-m",
        "Drove over",
    ])?;
    let id = logged["id"].to_string();
    let week = tom.json(&["time", "list"])?;
    let listed = week["entries"]
        .as_array()
        .is_some_and(|all| all.iter().any(|e| e["id"] == logged["id"]));
    assert!(listed, "{week}");

    // Only the duration named: the rest stays.
    let e = tom.json(&["time", "edit", &id, "--minutes", "1h15m"])?;
    assert_eq!(e["minutes"], 75);
    assert_eq!(e["work_type_name"], "Travel");
    assert_eq!(e["note"], "Drove over");
    assert_eq!(e["billable"], true);
    // Type, note and charge; the duration stays.
    let e = tom.json(&[
        "time",
        "edit",
        &id,
        "--type",
        "remote support",
        "-m",
        "Fixed it remotely",
        "--no-charge",
    ])?;
    assert_eq!(
        (
            &e["minutes"],
            &e["work_type_name"],
            &e["note"],
            &e["billable"]
        ),
        (
            &Value::from(75),
            &Value::from("Remote support"),
            &Value::from("Fixed it remotely"),
            &Value::from(false)
        )
    );
    // A start and an end, two days ago (maybe last week: still found).
    let day = date_days_ago(2);
    let (start, end) = (format!("{day} 09:00"), format!("{day} 10:30"));
    let e = tom.json(&["time", "edit", &id, "--start", &start, "--end", &end])?;
    assert_eq!(e["minutes"], 90);
    assert!(e["started_at"].is_string(), "{e}");
    let e = tom.json(&["time", "edit", &id, "--billable"])?;
    assert_eq!(
        (e["minutes"].as_u64(), e["billable"].as_bool()),
        (Some(90), Some(true))
    );
    assert!(e["started_at"].is_string(), "the span stays: {e}");
    let table = tom.run(&["time", "edit", &id, "-m", "Fixed it remotely."], "")?;
    assert!(table.status.success());
    let said = String::from_utf8(table.stderr)?;
    assert!(
        said.starts_with(&format!(
            "Time entry {id} is now 90 min on #{n} as Remote support."
        )),
        "{said}"
    );

    // Bad values: exit 5 naming what is wrong, nothing changed.
    let e = tom.fails(&["time", "edit", &id, "--minutes", "1.5h"], "", 5)?;
    assert!(e.contains("minutes:"), "{e}");
    let e = tom.fails(
        &[
            "time",
            "edit",
            &id,
            "--start",
            "yesterday",
            "--end",
            "10:00",
        ],
        "",
        5,
    )?;
    assert!(e.contains("start:"), "{e}");
    let e = tom.fails(&["time", "edit", &id, "--type", "Juggling"], "", 5)?;
    assert!(e.contains("type:"), "{e}");
    let backwards = [format!("{day} 10:00"), format!("{day} 09:00")];
    let e = tom.fails(
        &[
            "time",
            "edit",
            &id,
            "--start",
            &backwards[0],
            "--end",
            &backwards[1],
        ],
        "",
        5,
    )?;
    assert!(e.contains("time.ended_at:"), "{e}");
    let e = tom.fails(&["time", "edit", &id, "--minutes", "2000"], "", 5)?;
    assert!(e.contains("time.minutes:"), "{e}");
    // Usage: a start needs an end; minutes and a span exclude each other.
    tom.fails(&["time", "edit", &id, "--start", &start], "", 2)?;
    tom.fails(
        &[
            "time",
            "edit",
            &id,
            "--minutes",
            "5",
            "--start",
            &start,
            "--end",
            &end,
        ],
        "",
        2,
    )?;
    let e = tom.json(&["time", "edit", &id, "--billable"])?;
    assert_eq!(
        (&e["minutes"], &e["note"]),
        (&Value::from(90), &Value::from("Fixed it remotely."))
    );

    // Not one's own: not found; a client may not have time at all.
    dina.fails(&["time", "edit", &id, "--minutes", "10"], "", 3)?;
    uma.fails(&["time", "edit", &id, "--minutes", "10"], "", 4)?;
    tom.fails(&["time", "edit", "987654321", "--minutes", "10"], "", 3)?;

    tom.ok(&["time", "delete", &id], "")?;
    tom.fails(&["time", "edit", &id, "--minutes", "10"], "", 3)?;
    tom.fails(&["time", "delete", &id], "", 3)?;

    // Billed, an entry no longer changes: not allowed (4).
    let logged = tom.json(&["time", "log", &n, "30m", "--type", "Travel"])?;
    let id = logged["id"].to_string();
    tom.ok(&["tickets", "status", &n, "in-progress"], "")?;
    tom.ok(
        &[
            "tickets",
            "reply",
            &n,
            "--resolution",
            "-m",
            "Cleaned the fan.",
        ],
        "",
    )?;
    tom.ok(&["tickets", "status", &n, "completed"], "")?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    // The demo billed every month before this one.
    let last = paula
        .billing()
        .list_invoices(pb::ListInvoicesRequest::default())
        .await?
        .into_inner()
        .invoices
        .iter()
        .map(|i| i.period.clone())
        .max()
        .unwrap_or_default();
    let (y, m) = last.split_once('-').unwrap_or_default();
    let (y, m): (i32, u32) = (y.parse()?, m.parse()?);
    let month = if m == 12 {
        format!("{}-01", y + 1)
    } else {
        format!("{y}-{:02}", m + 1)
    };
    paula
        .billing()
        .run_billing(pb::BillingRunRequest {
            month,
            company_id: 0,
        })
        .await?;
    let week = tom.json(&["time", "list"])?;
    let billed = week["entries"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["id"] == logged["id"]))
        .map(|e| e["billed"].clone());
    assert_eq!(billed, Some(Value::from(true)), "{week}");
    let e = tom.fails(&["time", "edit", &id, "--minutes", "10"], "", 4)?;
    assert!(e.contains("billed"), "{e}");
    Ok(())
}

/// `portal kb list|show` and `portal team` read the demo's articles and
/// account team; another company's article is not found (3).
#[tokio::test]
async fn knowledge_articles_and_the_account_team_are_read_from_the_command_line()
-> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = Portal::signed_in(&server, demo::CLIENT_USER).await?;
    let una = Portal::signed_in(&server, demo::OTHER_USER).await?;
    let listed = uma.ok(&["kb", "list"], "")?;
    assert!(listed.contains("Connecting to the office VPN"), "{listed}");
    assert!(listed.contains("Harbor Dental Group only"), "{listed}");
    let found = lines(&uma.ok(&["kb", "list", "--search", "printer queue", "--json"], "")?)?;
    assert_eq!(
        found.first().and_then(|a| a["title"].as_str()),
        Some("Clearing a stuck print queue"),
        "{found:?}"
    );
    let all = lines(&uma.ok(&["kb", "list", "--json"], "")?)?;
    let harbor_only = all
        .iter()
        .find(|a| a["company_id"].as_i64().is_some_and(|c| c != 0))
        .and_then(|a| a["id"].as_i64())
        .ok_or_else(|| anyhow::anyhow!("no company-only article in {all:?}"))?
        .to_string();
    let shown = uma.ok(&["kb", "show", &harbor_only], "")?;
    assert!(shown.starts_with("Harbor: restarting"), "{shown}");
    assert!(shown.contains("For harbor dental group only"), "{shown}");
    assert!(shown.contains("1. Close the imaging software"), "{shown}");
    let e = una.fails(&["kb", "show", &harbor_only], "", 3)?;
    assert!(e.contains("not found"), "{e}");
    let theirs = una.ok(&["kb", "list"], "")?;
    assert!(!theirs.contains("Harbor"), "{theirs}");

    let team = uma.ok(&["team"], "")?;
    assert!(
        team.contains("Account team of Harbor Dental Group"),
        "{team}"
    );
    assert!(
        team.contains("Tom Brandvold <tom@keystone.example>"),
        "{team}"
    );
    assert!(team.contains("+1 312 555 0199"), "{team}");
    let json = uma.json(&["team"])?;
    assert_eq!(json["after_hours_phone"], "+1 312 555 0199");
    Ok(())
}
