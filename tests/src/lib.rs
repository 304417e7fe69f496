//! Harness for the end-to-end tests: starts the real `portal-server` binary
//! on `127.0.0.1:0` over a temporary store and hands out signed-in clients.
//!
//! The binaries come from the same target directory as the test executable,
//! and the harness builds them from the current sources before the first one
//! is used (see [`bin`]): a test never runs against a stale binary.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, bail};
use portal_proto::pb;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Request, Status};

pub mod smtp;
pub mod ssh;
pub mod tmux;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Portal-Demo-2026!";

/// Demo accounts by role (see README).
pub mod demo {
    pub const CLIENT_ADMIN: &str = "alice@harbor.example";
    pub const CLIENT_MANAGER: &str = "mark@harbor.example";
    pub const CLIENT_USER: &str = "uma@harbor.example";
    pub const OTHER_ADMIN: &str = "ava@alderfinch.example";
    pub const OTHER_MANAGER: &str = "max@alderfinch.example";
    pub const OTHER_USER: &str = "una@alderfinch.example";
    pub const TECHNICIAN: &str = "tom@keystone.example";
    pub const DISPATCHER: &str = "dina@keystone.example";
    pub const PROVIDER_ADMIN: &str = "paula@keystone.example";
}

/// Path of a workspace binary next to the running executable (a test in
/// `target/<profile>/deps/`, or a binary in `target/<profile>/`), built from
/// the current sources first.
pub fn bin(name: &str) -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BUILT.get_or_init(build_bins) {
        Ok(dir) => dir.join(name),
        Err(e) => panic!("{e}"),
    }
}

/// Runs `cargo build --workspace --bins` (README's build step) into the
/// target directory and profile of the running executable, once per test
/// run: nextest runs every test in a process of its own, so the processes of
/// one run (one `NEXTEST_RUN_ID`) take turns on a lock file and only the
/// first builds; under `cargo test` each test binary builds once. With
/// nothing changed the build is a no-op check of about a second.
fn build_bins() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("no test executable: {e}"))?;
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let (Some(target_dir), Some(profile_dir)) = (dir.parent(), dir.file_name()) else {
        return Err(format!("{} is not in a target directory", exe.display()));
    };
    let profile = match profile_dir.to_string_lossy().as_ref() {
        "debug" => "dev".to_owned(),
        other => other.to_owned(),
    };
    let run = std::env::var("NEXTEST_RUN_ID")
        .unwrap_or_else(|_| format!("process {}", std::process::id()));
    let stamp = dir.join(".portal-e2e-built-for");
    let lock = File::create(dir.join(".portal-e2e-build.lock"))
        .and_then(|f| f.lock().map(|()| f))
        .map_err(|e| format!("cannot lock {}: {e}", dir.display()))?;
    if std::fs::read_to_string(&stamp).is_ok_and(|built| built == run) {
        return Ok(dir);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new(".."));
    let mut build = std::process::Command::new(cargo);
    build
        .args(["build", "--workspace", "--bins", "--profile", &profile])
        .arg("--target-dir")
        .arg(target_dir)
        .current_dir(workspace);
    // What cargo or nextest set for this test process only: some build
    // scripts rerun when one differs (ring watches CARGO_MANIFEST_DIR), and
    // all that follows them would be rebuilt, twice per run.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_BIN_EXE_")
            || key.starts_with("NEXTEST")
            || matches!(
                key.as_ref(),
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_TMPDIR"
                    | "OUT_DIR"
            )
        {
            build.env_remove(key.as_ref());
        }
    }
    let out = build
        .output()
        .map_err(|e| format!("cannot run cargo to build the binaries: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "building the binaries failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    std::fs::write(&stamp, &run).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    drop(lock);
    Ok(dir)
}

include!("../tools.rs");

/// Fails the test unless `tool` (a name of `build.rs`'s list) works. A
/// test that needs a tool is ignored when the tool was missing at build
/// time (see `build.rs`), except under `CI=true`: there it runs and fails
/// here.
pub fn require_tool(tool: &str) {
    let works = TOOLS
        .iter()
        .find(|(name, _, _)| *name == tool)
        .is_some_and(|(_, program, args)| tool_works(program, args));
    assert!(
        works,
        "{tool} is not installed; this test needs it (.ci/run installs it)"
    );
}

/// The text of the PDF file at `path`, as `pdftotext -layout` reads it.
pub fn pdf_file_text(path: &std::path::Path) -> anyhow::Result<String> {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

/// The text of a PDF in memory, as `pdftotext -layout` reads it.
pub fn pdf_text(pdf: &[u8]) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf)?;
    pdf_file_text(&path)
}

/// Any free loopback port.
const FREE_PORT: &str = "127.0.0.1:0";

/// A running `portal-server serve` over its own temporary store.
pub struct TestServer {
    pub addr: String,
    pub db: PathBuf,
    /// `http://ADDR/metrics`, when started with `--metrics-listen`.
    pub metrics_url: Option<String>,
    /// The SSH gateway's address and host key fingerprint, when started
    /// with `--ssh-listen`.
    pub ssh: Option<(String, String)>,
    /// Mail in's SMTP address, when started with `--mail-listen`.
    pub mail_in: Option<String>,
    extra_args: Vec<String>,
    /// A command the server is started through (its last argument is
    /// followed by the server's path and arguments), e.g. a shell that
    /// sets a signal's disposition and `exec`s it.
    wrapper: Vec<String>,
    /// The server's stderr, line by line, when it is kept (`with_log`).
    log: Option<Arc<Mutex<Vec<String>>>>,
    /// Where `start` listens: a free port, or the one it had.
    listen: String,
    env: Vec<(String, String)>,
    child: Option<Child>,
    _dir: Option<TempDir>,
}

impl TestServer {
    /// A server over a fresh demo store.
    pub async fn demo() -> anyhow::Result<Self> {
        Self::demo_with(&[]).await
    }

    /// A server over a fresh demo store, with extra `serve` flags.
    pub async fn demo_with(extra: &[&str]) -> anyhow::Result<Self> {
        Self::demo_in(tempfile::tempdir()?, extra, &[]).await
    }

    /// A server over a fresh demo store, with `PORTAL_*` variables and
    /// extra `serve` flags.
    pub async fn demo_with_env(env: &[(&str, &str)], extra: &[&str]) -> anyhow::Result<Self> {
        Self::demo_in(tempfile::tempdir()?, extra, env).await
    }

    /// A server over a fresh demo store whose config file holds `toml`.
    pub async fn demo_configured(toml: &str) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let config = dir.path().join("portal.toml");
        std::fs::write(&config, toml)?;
        let config = config.to_string_lossy().into_owned();
        Self::demo_in(dir, &["--config", &config], &[]).await
    }

    /// A demo store in `dir`, kept as long as the server.
    async fn demo_in(dir: TempDir, extra: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let db = dir.path().join("portal.db");
        let out = Command::new(bin("portal-server"))
            .args(["demo", "--db"])
            .arg(&db)
            .output()
            .await?;
        if !out.status.success() {
            bail!(
                "portal-server demo failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut server = Self {
            addr: String::new(),
            db,
            metrics_url: None,
            ssh: None,
            mail_in: None,
            extra_args: extra.iter().map(ToString::to_string).collect(),
            wrapper: Vec::new(),
            log: None,
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
            child: None,
            listen: FREE_PORT.into(),
            _dir: Some(dir),
        };
        server.start().await?;
        Ok(server)
    }

    /// A server over an existing store (kept after the server stops).
    pub async fn over(db: &Path, extra: &[&str]) -> anyhow::Result<Self> {
        let mut server = Self {
            addr: String::new(),
            db: db.to_path_buf(),
            metrics_url: None,
            ssh: None,
            mail_in: None,
            extra_args: extra.iter().map(ToString::to_string).collect(),
            wrapper: Vec::new(),
            log: None,
            env: Vec::new(),
            child: None,
            listen: FREE_PORT.into(),
            _dir: None,
        };
        server.start().await?;
        Ok(server)
    }

    /// A server over a fresh demo store, started through `wrapper` (see
    /// the field), with extra `serve` flags.
    pub async fn demo_wrapped(wrapper: &[&str], extra: &[&str]) -> anyhow::Result<Self> {
        let mut server = Self::demo_in(tempfile::tempdir()?, extra, &[]).await?;
        server.kill().await?;
        server.wrapper = wrapper.iter().map(ToString::to_string).collect();
        server.start().await?;
        Ok(server)
    }

    /// A server over a fresh demo store, with extra `serve` flags, whose
    /// stderr is kept (`log_lines`) with `RUST_LOG` set to `rust_log`.
    pub async fn demo_logged(extra: &[&str], rust_log: &str) -> anyhow::Result<Self> {
        let mut server = Self::demo_in(tempfile::tempdir()?, extra, &[]).await?;
        server.kill().await?;
        server.log = Some(Arc::default());
        server.env.push(("RUST_LOG".into(), rust_log.into()));
        server.start().await?;
        Ok(server)
    }

    /// The lines the server wrote to stderr so far (with `demo_logged`).
    pub fn log_lines(&self) -> Vec<String> {
        self.log
            .as_ref()
            .and_then(|log| log.lock().ok().map(|l| l.clone()))
            .unwrap_or_default()
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// Starts (or restarts) the server process on a new port.
    pub async fn start(&mut self) -> anyhow::Result<()> {
        let mut command = match self.wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(bin("portal-server"));
                command
            }
            None => Command::new(bin("portal-server")),
        };
        let mut child = command
            .args(["serve", "--listen", &self.listen, "--db"])
            .arg(&self.db)
            .args(&self.extra_args)
            // PORTAL_SERVER_LOG sets the server's RUST_LOG when a test needs its log.
            .env(
                "RUST_LOG",
                std::env::var("PORTAL_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(if self.log.is_some() {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .kill_on_drop(true)
            .spawn()?;
        if let (Some(log), Some(stderr)) = (&self.log, child.stderr.take()) {
            let log = Arc::clone(log);
            tokio::spawn(async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Ok(mut log) = log.lock() {
                        log.push(line);
                    }
                }
            });
        }
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let wait = Duration::from_secs(30);
        let line = tokio::time::timeout(wait, lines.next_line())
            .await
            .context("server did not start in 30 s")??
            .context("server exited before listening")?;
        let addr = line
            .strip_prefix("listening on ")
            .with_context(|| format!("unexpected first line: {line}"))?;
        self.addr = addr.to_string();
        // With metrics, their address is always the second line.
        if self.extra_args.iter().any(|a| a == "--metrics-listen") {
            let line = tokio::time::timeout(wait, lines.next_line())
                .await
                .context("no metrics address in 30 s")??
                .context("server exited before its metrics address")?;
            let url = line
                .strip_prefix("metrics on ")
                .with_context(|| format!("unexpected second line: {line}"))?;
            self.metrics_url = Some(url.to_owned());
        }
        // Then the SSH gateway's, when there is one.
        if self.extra_args.iter().any(|a| a == "--ssh-listen") {
            let line = tokio::time::timeout(wait, lines.next_line())
                .await
                .context("no SSH address in 30 s")??
                .context("server exited before its SSH address")?;
            let (addr, key) = line
                .strip_prefix("ssh on ")
                .and_then(|rest| rest.split_once(" (host key "))
                .with_context(|| format!("unexpected SSH line: {line}"))?;
            self.ssh = Some((addr.to_owned(), key.trim_end_matches(')').to_owned()));
        }
        // Then mail in's, when it is on.
        if self.extra_args.iter().any(|a| a == "--mail-listen") {
            let line = tokio::time::timeout(wait, lines.next_line())
                .await
                .context("no mail-in address in 30 s")??
                .context("server exited before its mail-in address")?;
            let addr = line
                .strip_prefix("mail in on ")
                .and_then(|rest| rest.split_once(" for "))
                .with_context(|| format!("unexpected mail-in line: {line}"))?
                .0;
            self.mail_in = Some(addr.to_owned());
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.child = Some(child);
        Ok(())
    }

    /// Starts the server again on the port it had, so clients that knew it
    /// reconnect.
    pub async fn restart_on_same_port(&mut self) -> anyhow::Result<()> {
        self.listen = self.addr.trim_start_matches("http://").to_owned();
        self.start().await
    }

    /// Kills the process with SIGKILL: no clean shutdown.
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.start_kill()?;
            child.wait().await?;
        }
        Ok(())
    }

    /// Sends SIGTERM and waits, at most `limit`, for the process to end:
    /// how it ended, or an error if it is still running.
    pub async fn terminate(&mut self, limit: Duration) -> anyhow::Result<std::process::ExitStatus> {
        let mut child = self.child.take().context("the server is not running")?;
        let pid = child.id().context("the server has exited")?;
        let sent = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await?;
        anyhow::ensure!(sent.success(), "kill -TERM {pid} failed");
        match tokio::time::timeout(limit, child.wait()).await {
            Ok(status) => Ok(status?),
            Err(_) => bail!("the server still runs {limit:?} after SIGTERM"),
        }
    }

    pub async fn channel(&self) -> anyhow::Result<Channel> {
        Ok(Channel::from_shared(self.addr.clone())?.connect().await?)
    }

    /// A channel whose connections come from the local address `from`
    /// (any of 127.0.0.0/8 works on Linux), as a client elsewhere would.
    pub async fn channel_from(&self, from: std::net::IpAddr) -> anyhow::Result<Channel> {
        let server: std::net::SocketAddr = self.addr.trim_start_matches("http://").parse()?;
        let connector = tower::service_fn(move |_: tonic::codegen::http::Uri| async move {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(std::net::SocketAddr::new(from, 0))?;
            let stream = socket.connect(server).await?;
            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
        });
        Ok(Channel::from_shared(self.addr.clone())?
            .connect_with_connector(connector)
            .await?)
    }

    /// Signs in from the local address `from` (see `channel_from`).
    pub async fn login_from(
        &self,
        from: &str,
        email: &str,
        password: &str,
    ) -> Result<pb::LoginResponse, Status> {
        let from = from
            .parse()
            .map_err(|e| Status::invalid_argument(format!("{from}: {e}")))?;
        let channel = self
            .channel_from(from)
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        login_over(channel, email, password)
            .await
            .map(tonic::Response::into_inner)
    }

    /// Signs in and returns the token.
    pub async fn login(&self, email: &str, password: &str) -> Result<pb::LoginResponse, Status> {
        let channel = self
            .channel()
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        login_over(channel, email, password)
            .await
            .map(tonic::Response::into_inner)
    }

    /// Clients signed in as a demo account.
    pub async fn as_demo(&self, email: &str) -> anyhow::Result<Session> {
        let login = self.login(email, DEMO_PASSWORD).await?;
        Session::new(self.channel().await?, &login.token)
    }

    /// A session with no token at all.
    pub async fn anonymous(&self) -> anyhow::Result<Session> {
        Ok(Session {
            channel: self.channel().await?,
            bearer: Bearer(None),
        })
    }
}

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Clone)]
pub struct Bearer(Option<MetadataValue<Ascii>>);

impl tonic::service::Interceptor for Bearer {
    fn call(&mut self, mut req: Request<()>) -> Result<Request<()>, Status> {
        if let Some(value) = &self.0 {
            req.metadata_mut().insert("authorization", value.clone());
        }
        Ok(req)
    }
}

type Authed = InterceptedService<Channel, Bearer>;

/// Typed clients sharing one channel and one token.
#[derive(Clone)]
pub struct Session {
    channel: Channel,
    bearer: Bearer,
}

impl Session {
    pub fn new(channel: Channel, token: &str) -> anyhow::Result<Self> {
        Ok(Self {
            channel,
            bearer: Bearer(Some(format!("Bearer {token}").parse()?)),
        })
    }

    /// The catalog's service type named `name`.
    pub async fn service_type(&self, name: &str) -> anyhow::Result<pb::ServiceType> {
        self.tickets()
            .list_service_types(pb::ListServiceTypesRequest::default())
            .await?
            .into_inner()
            .service_types
            .into_iter()
            .find(|t| t.name == name)
            .with_context(|| format!("no service type {name}"))
    }

    /// Posts `body` on ticket `number` as `kind`.
    pub async fn post(&self, number: i64, kind: pb::PostKind, body: &str) -> anyhow::Result<()> {
        self.tickets()
            .add_post(pb::AddPostRequest {
                number,
                kind: kind.into(),
                body: body.into(),
                chat: false,
            })
            .await?;
        Ok(())
    }

    pub fn auth(&self) -> pb::auth_service_client::AuthServiceClient<Authed> {
        pb::auth_service_client::AuthServiceClient::with_interceptor(
            self.channel.clone(),
            self.bearer.clone(),
        )
    }

    pub fn accounts(&self) -> pb::account_service_client::AccountServiceClient<Authed> {
        pb::account_service_client::AccountServiceClient::with_interceptor(
            self.channel.clone(),
            self.bearer.clone(),
        )
    }

    pub fn tickets(&self) -> pb::ticket_service_client::TicketServiceClient<Authed> {
        pb::ticket_service_client::TicketServiceClient::with_interceptor(
            self.channel.clone(),
            self.bearer.clone(),
        )
    }

    pub fn staff(&self) -> pb::staff_service_client::StaffServiceClient<Authed> {
        pb::staff_service_client::StaffServiceClient::with_interceptor(
            self.channel.clone(),
            self.bearer.clone(),
        )
    }

    pub fn reports(&self) -> pb::report_service_client::ReportServiceClient<Authed> {
        pb::report_service_client::ReportServiceClient::with_interceptor(
            self.channel.clone(),
            self.bearer.clone(),
        )
    }

    pub fn events(&self) -> pb::event_service_client::EventServiceClient<Authed> {
        pb::event_service_client::EventServiceClient::with_interceptor(
            self.channel.clone(),
            self.bearer.clone(),
        )
    }

    pub fn work(&self) -> pb::work_service_client::WorkServiceClient<Authed> {
        pb::work_service_client::WorkServiceClient::with_interceptor(
            self.channel.clone(),
            self.bearer.clone(),
        )
    }

    pub fn billing(&self) -> pb::billing_service_client::BillingServiceClient<Authed> {
        pb::billing_service_client::BillingServiceClient::with_interceptor(
            self.channel.clone(),
            self.bearer.clone(),
        )
    }
}

/// Asserts a call failed with `code`, returning the status for more checks.
#[track_caller]
pub fn expect_code<T: std::fmt::Debug>(result: Result<T, Status>, code: tonic::Code) -> Status {
    match result {
        Ok(v) => panic!("expected {code:?}, got Ok({v:?})"),
        Err(s) => {
            assert_eq!(s.code(), code, "unexpected status: {s:?}");
            s
        }
    }
}

/// One sign-in over `channel`, with the answer's metadata (its request id).
pub async fn login_over(
    channel: Channel,
    email: &str,
    password: &str,
) -> Result<tonic::Response<pb::LoginResponse>, Status> {
    pb::auth_service_client::AuthServiceClient::new(channel)
        .login(pb::LoginRequest {
            email: email.into(),
            password: password.into(),
            remember_me: false,
            ..Default::default()
        })
        .await
}

/// `YYYY-MM-DD` of UTC day number `day` since 1970-01-01.
pub fn utc_date(day: i64) -> String {
    chrono::DateTime::from_timestamp(day * 86_400, 0)
        .map(|t| t.date_naive().format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// `YYYY-MM-DD` of the UTC day `days` before today.
pub fn date_days_ago(days: i64) -> String {
    utc_date(chrono::Utc::now().timestamp().div_euclid(86_400) - days)
}
