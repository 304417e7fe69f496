//! The client's start-up measured from outside: the real `portal` binary is
//! exec'd in a tmux pane (a real pty, 80×24) against a separate
//! `portal-server serve` over a demo store, with a remembered session, and
//! timed until Home is painted with its statistics and open tickets.
//!
//! The session is remembered the way a user does it: one sign-in with
//! "Remember me" ticked, which puts the refresh token in the OS keyring
//! (the kernel's, keyutils). Each timed start resumes it (and stores the
//! rotated token). A login gives its processes a session keyring
//! (pam_keyinit); a process started without one (a container, CI) has
//! none, and there the client's threads do not reliably find the token
//! they stored. So the tmux server, and every client it starts, runs in a
//! new session keyring, as after a login. The tmux
//! pane's output is copied to a file (`pipe-pane`); the file is watched
//! every millisecond, and the screen is read each time it grows.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use linux_keyutils::{KeyRing, KeyRingIdentifier};
use portal_e2e::{DEMO_PASSWORD, TestServer, bin, demo};

use crate::measure::{Latencies, Summary};

const WAIT: Duration = Duration::from_secs(30);
/// On the sign-in form only (not while a remembered session resumes).
const SIGN_IN_FORM: &str = "Remember me";

/// A tmux server of the bench's own.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn new(name: &str) -> Self {
        Self {
            socket: format!("{name}-{}", std::process::id()),
        }
    }

    pub fn run(&self, args: &[&str]) -> anyhow::Result<Output> {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .context("cannot run tmux (is it installed?)")?;
        Ok(out)
    }

    /// A new 80×24 session running `command`, its output copied to `log`.
    pub fn session(&self, name: &str, command: &str, log: &Path) -> anyhow::Result<()> {
        let pipe = format!("cat >> '{}'", log.display());
        let out = self.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "80",
            "-y",
            "24",
            command,
            ";",
            "pipe-pane",
            "-o",
            "-t",
            name,
            &pipe,
        ])?;
        ensure!(
            out.status.success(),
            "tmux: {}; the program's errors: {}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(log.with_file_name("portal.err")).unwrap_or_default()
        );
        Ok(())
    }

    fn screen(&self, name: &str) -> anyhow::Result<String> {
        let out = self.run(&["capture-pane", "-p", "-t", name])?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn keys(&self, name: &str, keys: &[&str]) -> anyhow::Result<()> {
        let mut args = vec!["send-keys", "-t", name];
        args.extend_from_slice(keys);
        self.run(&args)?;
        Ok(())
    }

    fn text(&self, name: &str, text: &str) -> anyhow::Result<()> {
        self.run(&["send-keys", "-t", name, "-l", text])?;
        Ok(())
    }

    fn alive(&self, name: &str) -> bool {
        self.run(&["has-session", "-t", name])
            .is_ok_and(|o| o.status.success())
    }

    /// Waits until `name`'s screen satisfies `done`, reading it each time
    /// `log` grows; returns when that output was seen, and the screen.
    pub fn wait_for(
        &self,
        name: &str,
        log: &Path,
        what: &str,
        done: impl Fn(&str) -> bool,
    ) -> anyhow::Result<(Instant, String)> {
        let start = Instant::now();
        let mut seen = u64::MAX;
        let mut screen = String::new();
        loop {
            let size = std::fs::metadata(log).map_or(0, |m| m.len());
            if size != seen {
                let at = Instant::now();
                seen = size;
                screen = self.screen(name)?;
                if done(&screen) {
                    return Ok((at, screen));
                }
            }
            if start.elapsed() > WAIT {
                bail!("waited {WAIT:?} for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Quits the client with `q` and waits for its pane to close.
    pub fn quit(&self, name: &str) -> anyhow::Result<()> {
        self.keys(name, &["q"])?;
        let start = Instant::now();
        while self.alive(name) {
            ensure!(start.elapsed() < WAIT, "portal did not quit on q");
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// Home with its statistics and its list of open tickets loaded: the
/// list's title counts them (the demo client has some; until they arrive
/// it says 0). On some days the things waiting on the client fill the
/// list's rows at 80×24, so no ticket row need show.
pub fn home_painted(screen: &str) -> bool {
    screen.contains("Welcome,")
        && !screen.contains("Loading…")
        && screen.contains("Open tickets (")
        && !screen.contains("Open tickets (0)")
}

/// Times `runs` starts of `portal` to Home painted, and the tmux overhead
/// inside that figure (a session printing one word).
pub async fn startup(summary: &mut Summary, runs: usize) -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let home = tempfile::tempdir()?;
    // From here on nothing awaits, so tmux and `portal logout` are started
    // by this thread, in the session keyring it joins (or already had).
    KeyRing::from_special_id(KeyRingIdentifier::Session, true)
        .map_err(|e| anyhow::anyhow!("cannot join a session keyring: {e:?}"))?;
    let tmux = Tmux::new("portal-bench");
    let portal = bin("portal");
    let command = format!(
        "exec env HOME={home} XDG_CONFIG_HOME={home} {portal} --server {addr} 2>>{home}/portal.err",
        home = home.path().display(),
        portal = portal.display(),
        addr = server.addr,
    );
    let log = |name: &str| -> PathBuf { home.path().join(format!("{name}.out")) };

    // A session that outlives the others: a tmux server whose last session
    // ends exits, and one starting just then refuses the next client.
    tmux.session("keep", "exec sleep 3600", &log("keep"))?;

    // Sign in once with Remember me ticked.
    tmux.session("signin", &command, &log("signin"))?;
    tmux.wait_for("signin", &log("signin"), "the sign-in form", |s| {
        s.contains(SIGN_IN_FORM)
    })?;
    tmux.text("signin", demo::CLIENT_ADMIN)?;
    tmux.keys("signin", &["Tab"])?;
    tmux.text("signin", DEMO_PASSWORD)?;
    tmux.keys("signin", &["Tab", "Space", "C-s"])?;
    let (_, screen) = tmux.wait_for("signin", &log("signin"), "Home", home_painted)?;
    ensure!(
        !screen.contains("No keyring here"),
        "the OS keyring is not usable here, so no session can be remembered:\n{screen}"
    );
    tmux.quit("signin")?;

    let mut overhead = Latencies::default();
    let mut starts = Latencies::default();
    for i in 0..runs {
        let name = format!("echo{i}");
        let start = Instant::now();
        tmux.session(&name, "printf READY; exec sleep 60", &log(&name))?;
        overhead.record(
            tmux.wait_for(&name, &log(&name), "READY", |s| s.contains("READY"))
                .map(|(at, _)| at - start),
        );
        tmux.run(&["kill-session", "-t", &name])?;

        let name = format!("run{i}");
        let start = Instant::now();
        tmux.session(&name, &command, &log(&name))?;
        let result = tmux
            .wait_for(&name, &log(&name), "Home painted", |s| {
                home_painted(s) || s.contains(SIGN_IN_FORM)
            })
            .and_then(|(at, screen)| {
                ensure!(
                    !screen.contains(SIGN_IN_FORM),
                    "the remembered session was not resumed:\n{screen}"
                );
                Ok(at - start)
            });
        starts.record(result.map_err(|e| format!("{e:#}")));
        tmux.quit(&name)?;
    }
    starts.report(
        summary,
        "start-up from outside: exec of portal in a tmux pane to Home painted, separate server, remembered session",
    );
    overhead.report(
        summary,
        "  of which tmux: new session running printf to its output seen",
    );

    // Forget the session again (revokes it and clears the keyring entry).
    let out = Command::new(&portal)
        .args(["--server", &server.addr, "logout"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .output()?;
    ensure!(
        out.status.success(),
        "portal logout: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}
