//! The `iptlint` binary: a thin entry point over the `iptlint-cli` library.

fn main() {
    std::process::exit(iptlint_cli::run(std::env::args_os()));
}
