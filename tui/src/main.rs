use clap::Parser;

fn main() -> std::process::ExitCode {
    portal::start::main(portal::start::Cli::parse())
}
