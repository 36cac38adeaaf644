//! The language server end to end with real clients, installed by
//! `tests/setup-lsp.sh` into `target/lsp-venv`: headless Neovim 0.11
//! (`tests/lsp/nvim_e2e.lua`: diagnostics, hover, definition, references,
//! rename, code actions, formatting) and pytest-lsp
//! (`tests/lsp/test_protocol.py`: bursts of changes, close/reopen, unknown
//! files, malformed messages, shutdown/exit, UTF-16 and UTF-8 positions).
//! Outside CI a missing client skips the test with the reason printed.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{iptlint_bin, repo_root, skip_or_fail};

fn venv() -> PathBuf {
    std::env::var_os("IPTLINT_LSP_VENV").map(PathBuf::from).unwrap_or_else(|| repo_root().join("target/lsp-venv"))
}

fn tool(name: &str) -> Option<PathBuf> {
    let p = venv().join("bin").join(name);
    if p.is_file() {
        Some(p)
    } else {
        skip_or_fail(&format!("{} not found: run tests/setup-lsp.sh", p.display()));
        None
    }
}

fn run(mut cmd: Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("--- {what} stdout\n{stdout}\n--- {what} stderr\n{stderr}");
    assert!(out.status.success(), "{what} failed: {}", out.status);
}

#[test]
fn neovim_client() {
    let Some(nvim) = tool("nvim") else { return };
    let mut cmd = Command::new(nvim);
    cmd.args(["--headless", "--clean", "-l"])
        .arg(repo_root().join("tests/lsp/nvim_e2e.lua"))
        .arg(repo_root().join("tests/lsp/fixture.rules"))
        .env("IPTLINT_BIN", iptlint_bin())
        .env("HOME", std::env::temp_dir())
        .current_dir(repo_root());
    run(cmd, "nvim");
}

#[test]
fn pytest_lsp_protocol() {
    let Some(pytest) = tool("pytest") else { return };
    let mut cmd = Command::new(pytest);
    cmd.args(["-q", "-p", "no:cacheprovider", "tests/lsp"]).env("IPTLINT_BIN", iptlint_bin()).current_dir(repo_root());
    run(cmd, "pytest");
}

#[test]
fn neovim_shipped_config() {
    let Some(nvim) = tool("nvim") else { return };
    let mut cmd = Command::new(nvim);
    cmd.args(["--headless", "--clean", "-l"])
        .arg(repo_root().join("tests/lsp/nvim_config.lua"))
        .arg(repo_root().join("editors/neovim/iptlint.lua"))
        .arg(repo_root().join("tests/lsp/fixture.rules"))
        .env("IPTLINT_BIN", iptlint_bin())
        .env("HOME", std::env::temp_dir())
        .current_dir(repo_root());
    run(cmd, "nvim (shipped config)");
}
