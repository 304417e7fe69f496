//! `portal-bench` at a tiny size over a tiny `gen` store, so the benchmark
//! code keeps working. Its figures are not asserted (tests never assert
//! time); what is: it exits 0, every line counts its calls and none failed,
//! every page benchmarked is a full page of 50, and every kind of line is
//! there, the client's start-up from outside and the SSH gateway's included
//! (these need tmux and OpenSSH, as the end-to-end tests of each do).

use std::process::Command;

use portal_e2e::{bin, require_tool};

#[test]
#[cfg_attr(
    any(missing_tmux, missing_ssh),
    ignore = "tmux or ssh is not installed (under CI=true this test runs and fails)"
)]
fn portal_bench_runs_clean_at_a_tiny_size() -> anyhow::Result<()> {
    require_tool("tmux");
    require_tool("ssh");
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("gen.db");
    // Two months of history for three companies: the biggest has a few
    // hundred open tickets, so its pages are full.
    let out = Command::new(bin("portal-server"))
        .args(["gen", "--companies", "3", "--contacts", "4"])
        .args(["--tickets", "2000", "--days", "60", "--no-merge", "--db"])
        .arg(&db)
        .output()?;
    assert!(
        out.status.success(),
        "gen failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = Command::new(bin("portal-bench"))
        .arg("--db")
        .arg(&db)
        .args(["--seconds", "1", "--samples", "10", "--terms", "5"])
        .args(["--clients", "4", "--connections", "2", "--starts", "2"])
        .args(["--ssh-sessions", "3"])
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "portal-bench failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let lines: Vec<&str> = stdout.lines().filter(|l| l.contains("calls ok")).collect();
    for line in &lines {
        assert!(line.contains(", failed 0"), "a call failed: {line}");
    }
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("summary:"))
        .unwrap_or_else(|| panic!("no summary:\n{stdout}"));
    assert!(summary.contains(", failed 0"), "{summary}");

    let pages: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("page of 50 open") || l.contains("pages of 50 open"))
        .collect();
    assert_eq!(pages.len(), 4, "the page lines:\n{stdout}");
    for line in pages {
        assert!(line.contains("50.0 rows a page"), "a short page: {line}");
    }

    let expected = [
        "service layer: one ticket",
        "service layer: full-text search over all tickets, rare terms",
        "service layer: full-text search over all tickets, common terms",
        "service layer: full-text search over all tickets, multi-word terms",
        "service layer: full-text search over all tickets, prefix terms",
        "full-text search, rare terms, page of 50 (gRPC, 1 client)",
        "full-text search, common terms, page of 50 (gRPC, 1 client)",
        "full-text search, multi-word terms, page of 50 (gRPC, 1 client)",
        "full-text search, prefix terms, page of 50 (gRPC, 1 client)",
        "transport ceiling",
        "single-ticket reads",
        "durable ticket creation",
        "start-up from outside",
        "of which tmux",
        "Triage: page of 50 of all open tickets",
        "timer start",
        "PDF export of a ticket with 200 timeline entries",
        "report REPORT_KIND_TIME_LOGGED, 12 months, all companies",
        "invoices: page of 50 of all companies', newest first",
        "PDF of the largest invoice",
        "billing run for",
        "the same run again",
        "SSH gateway: exec of ssh",
        "SSH gateway: 3 sessions opened at once",
        "SSH gateway: memory per open session, 3 portal processes",
        "SSH gateway: a staff post to a redraw of Home",
    ];
    for what in expected {
        assert!(
            lines.iter().any(|l| l.contains(what)),
            "no line for {what:?}:\n{stdout}"
        );
    }
    Ok(())
}
