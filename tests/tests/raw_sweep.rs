//! The raw-bytes sweep at CI size: random and damaged requests to every
//! method found by reflection, over raw HTTP/2, with a fixed seed
//! (tests/src/bin/raw-sweep; docs/RELIABILITY.md has the long run).

use portal_e2e::bin;

#[test]
fn damaged_bytes_to_every_method_get_no_internal_no_panic_and_change_nothing() {
    let out = std::process::Command::new(bin("raw-sweep"))
        .args(["--seed", "11", "--inputs", "8000"])
        .output()
        .expect("run raw-sweep");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "raw-sweep failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("0 INTERNAL, 0 UNKNOWN, 0 panics, 0 refused calls that changed the store"),
        "{stdout}"
    );
    assert!(stdout.contains("server up"), "{stdout}");
}
