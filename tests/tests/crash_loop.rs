//! The crash-loop harness at CI size: ten `kill -9` cycles under mixed
//! load, each followed by an integrity check and a check of every
//! acknowledged and refused write (tests/src/bin/crash-loop,
//! docs/RELIABILITY.md has the long run).

use portal_e2e::bin;

#[test]
fn ten_kill_9_cycles_lose_no_acknowledged_write() {
    let out = std::process::Command::new(bin("crash-loop"))
        .args(["--cycles", "10", "--clients", "16", "--seed", "11"])
        .env("RUST_LOG", "error")
        .output()
        .expect("run crash-loop");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "crash-loop failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("10 of 10 cycles survived"), "{stdout}");
    assert!(stdout.contains("; 0 problems"), "{stdout}");
}
