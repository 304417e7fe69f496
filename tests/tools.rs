// The external tools of the end-to-end tests, shared by `build.rs` (which
// marks a test ignored when its tool is missing) and `require_tool`: the
// name of each (its cfg is `missing_<name>`), and a command that succeeds
// only when it is installed.
const TOOLS: [(&str, &str, &[&str]); 8] = [
    ("tmux", "tmux", &["-V"]),
    ("strace", "strace", &["-V"]),
    ("pdftotext", "pdftotext", &["-v"]),
    ("aiosmtpd", "python3", &["-c", "import aiosmtpd"]),
    ("litestream", "litestream", &["version"]),
    ("systemd_analyze", "systemd-analyze", &["--version"]),
    ("prlimit", "prlimit", &["--version"]),
    ("ssh", "ssh", &["-V"]),
];

fn tool_works(program: &str, args: &[&str]) -> bool {
    std::process::Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}
