//! `portal-load --overload` at CI size (docs/RELIABILITY.md, "Overload"):
//! a server allowed 64 calls at once (256 point reads), offered once and
//! then four times what it serves. Calls beyond its budget are shed with RESOURCE_EXHAUSTED (or
//! UNAVAILABLE), none fails otherwise (no INTERNAL, no deadline exceeded),
//! and a signed-in person opening a ticket throughout is answered every
//! time. Timings are not asserted.

use portal_e2e::bin;

/// The cells of the table row of each step (`| 123 (4×) | ...`).
fn steps(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("×)"))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn overload_is_shed_as_resource_exhausted_and_get_ticket_is_still_answered() {
    let out = std::process::Command::new(bin("portal-load"))
        .args([
            "--overload",
            "--sessions",
            "8",
            "--connections",
            "4",
            "--concurrency",
            "8",
            "--step-seconds",
            "2",
            "--multiples",
            "1,4",
            "--max-in-flight",
            "64",
            "--queue-wait-ms",
            "20",
            "--split-cpus",
        ])
        .env("RUST_LOG", "error")
        .output()
        .expect("run portal-load");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Exit 1 would mean a failure other than a shed, or a probe refused.
    assert!(
        out.status.success(),
        "portal-load --overload failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let steps = steps(&stdout);
    assert_eq!(steps.len(), 2, "{stdout}");
    let mut shed = 0;
    for cells in &steps {
        // offered, sent, served, shed, other failures, p50, p99, probe
        // ok/total, probe p99, server CPU %, generator CPU %
        assert!(cells[1].parse::<f64>().expect("sent/s") > 0.0, "{stdout}");
        shed += cells[3].parse::<u64>().expect("shed count");
        assert_eq!(cells[4], "0", "failures other than sheds:\n{stdout}");
        let (ok, total) = cells[7].split_once('/').expect("probe ok/total");
        assert_eq!(ok, total, "a probe's GetTicket failed:\n{stdout}");
        assert!(total.parse::<u64>().expect("probes") > 0, "{stdout}");
        for cpu in &cells[9..=10] {
            assert!(cpu.parse::<f64>().expect("CPU %") > 0.0, "{stdout}");
        }
    }
    assert!(
        shed > 0,
        "nothing was shed at four times the rate:\n{stdout}"
    );
}
