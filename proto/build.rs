//! Compiles `portal/v1/*.proto` with protox, so no `protoc` is needed.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "common", "auth", "account", "tickets", "staff", "billing", "reports", "events", "work",
    ]
    .map(|name| format!("portal/v1/{name}.proto"));
    for file in &files {
        println!("cargo:rerun-if-changed={file}");
    }
    let fds = protox::compile(&files, ["."])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out.join("portal_descriptor.bin"),
        prost::Message::encode_to_vec(&fds),
    )?;
    // Type names (`prost::Name`) let the CLI print any message as JSON
    // through the descriptor set above.
    let mut config = tonic_prost_build::Config::new();
    config.enable_type_names();
    // Default stubs let an RPC land in the contract before its handler; the
    // reflection sweep in `tests/` fails on any method still UNIMPLEMENTED.
    tonic_prost_build::configure()
        .generate_default_stubs(true)
        .build_client(true)
        .build_server(true)
        .compile_fds_with_config(fds, config)?;
    Ok(())
}
