//! Finds which tools of the end-to-end tests are installed. A test that needs
//! a missing tool is built as ignored, so nextest reports it skipped rather
//! than passed; under `CI=true` nothing is ignored, and the test fails saying
//! what is missing.

include!("tools.rs");

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=tools.rs");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut missing = false;
    for (tool, program, args) in TOOLS {
        println!("cargo::rustc-check-cfg=cfg(missing_{tool})");
        if !tool_works(program, args) && !ci {
            println!("cargo::rustc-cfg=missing_{tool}");
            missing = true;
        }
    }
    if missing {
        // Look again once something is installed on the PATH.
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            if dir.is_dir() {
                println!("cargo::rerun-if-changed={}", dir.display());
            }
        }
    }
}
