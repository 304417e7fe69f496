//! `portal-load` at CI size: 20 signed-in sessions with open event streams
//! for 3 s of the list/open/reply/search/upload mix, and not one error
//! (docs/BENCHMARKS.md has the 1,000-session figures; timings are not
//! asserted).

use portal_e2e::bin;

#[test]
fn twenty_sessions_run_the_mix_without_an_error() {
    let out = std::process::Command::new(bin("portal-load"))
        .args(["--sessions", "20", "--seconds", "3", "--connections", "5"])
        .env("RUST_LOG", "error")
        .output()
        .expect("run portal-load");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "portal-load failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("20 sessions signed in"), "{stdout}");
    assert!(stdout.contains("; 0 errors"), "{stdout}");
    for kind in ["list", "open", "reply", "search", "upload"] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {kind} |")))
            .unwrap_or_else(|| panic!("no {kind} row:\n{stdout}"));
        let count: u64 = row
            .split('|')
            .nth(2)
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or(0);
        assert!(count > 0, "no {kind} call was made:\n{stdout}");
    }
}
