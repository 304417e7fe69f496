//! The shipped systemd unit (deploy/portal@.service, docs/SCALING.md)
//! passes `systemd-analyze verify`, with its ExecStart pointed at the
//! binary built here; and the check does catch a broken unit.

use std::path::Path;

use portal_e2e::{bin, require_tool};

/// `systemd-analyze verify` of the shipped unit as instance `instance`,
/// with `edit` applied to its text: whether it passed, and what it said.
fn verify(instance: &str, edit: impl Fn(&str) -> String) -> (bool, String) {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/portal@.service"),
    )
    .expect("the unit is shipped");
    let built = bin("portal-server");
    let text = edit(&shipped.replace("/usr/local/bin/portal-server", &built.to_string_lossy()));
    let dir = tempfile::tempdir().expect("dir");
    let unit = dir.path().join(format!("portal@{instance}.service"));
    std::fs::write(&unit, text).expect("write the unit");
    let out = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output()
        .expect("run systemd-analyze");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.success() && !said.contains(&unit.to_string_lossy().into_owned()),
        said,
    )
}

#[test]
#[cfg_attr(
    missing_systemd_analyze,
    ignore = "systemd-analyze is not installed (under CI=true this test runs and fails)"
)]
fn the_shipped_systemd_unit_verifies() {
    require_tool("systemd_analyze");
    let (passed, said) = verify("acme", str::to_owned);
    assert!(passed, "{said}");
    // The check bites: a unit naming a missing program, or a bad setting.
    let (passed, said) = verify("broken", |t| {
        t.replace("Restart=on-failure", "Restart=sometimes")
            .replace("ExecStart=/", "ExecStart=/nonexistent/")
    });
    assert!(!passed, "a broken unit passed: {said}");
}
