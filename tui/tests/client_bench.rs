//! The client bench (`cargo bench -p portal --bench client`) at a tiny size,
//! so its code keeps working: it runs every line once and fails if any
//! step does (a failed draw, sign-in or demo server). Its figures are not
//! looked at.

#[path = "../benches/client.rs"]
#[allow(dead_code)] // `main` is the bench's entry point, not the test's
mod client;

#[test]
fn the_client_bench_runs_at_a_tiny_size() {
    client::run(&client::TINY);
}
