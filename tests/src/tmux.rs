//! The real `portal` client in a tmux pane (a real pty) at 80×24: the
//! end-to-end tests type into it and read its screen.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a screen is waited for.
pub const WAIT: Duration = Duration::from_secs(20);

/// A tmux server of its own, so nothing else's sessions are touched.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    pub fn start(command: &str) -> Self {
        // A server of its own each time: one whose last session just ended
        // may still be exiting and refuse the next client.
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let tmux = Self {
            socket: format!("portal-e2e-{}-{n}", std::process::id()),
        };
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "80",
            "-y",
            "24",
            command,
        ]);
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    pub fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "t", "-l", text]);
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    /// Polls the screen until `done` says so, or fails showing the screen.
    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < WAIT,
                "waited {WAIT:?} for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?}"), |s| s.contains(needle))
    }
}

impl Tmux {
    /// Raises a ticket of type Other (last in the picker) through the form
    /// and waits for its detail to open; its number.
    pub fn raise_ticket(&self, title: &str, description: &str) -> i64 {
        self.keys(&["n"]);
        self.wait_until("the service types", |s| {
            s.contains("What do you need help with?") && s.contains(" Other ")
        });
        self.keys(&["End", "Enter"]);
        self.wait_for("Title*:");
        self.text(title);
        self.keys(&["Tab"]);
        self.text(description);
        self.keys(&["C-s"]);
        let screen = self.wait_until("the new ticket", |s| ticket_heading(s, title).is_some());
        ticket_heading(&screen, title).unwrap_or_default()
    }
}

/// The number of the ticket titled `title` whose detail is on `screen`:
/// " #1234 Title" heads the detail view.
pub fn ticket_heading(screen: &str, title: &str) -> Option<i64> {
    screen.lines().find_map(|l| {
        let rest = l.strip_prefix(" #")?;
        let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
        rest[number.len()..]
            .starts_with(&format!(" {title}"))
            .then(|| number.parse().ok())
            .flatten()
    })
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}
