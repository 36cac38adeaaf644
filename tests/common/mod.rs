//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// In CI (`CI=true`) a missing prerequisite is a failure; elsewhere the test
/// is skipped with the reason printed.
pub fn skip_or_fail(reason: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("required in CI: {reason}");
    }
    eprintln!("SKIPPED: {reason}");
}

/// Can this process make network namespaces and run iptables-restore?
pub fn kernel_available() -> Result<(), String> {
    let out = Command::new("unshare")
        .args(["-n", "iptables-restore", "--version"])
        .output()
        .map_err(|e| format!("cannot run `unshare -n iptables-restore`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`unshare -n iptables-restore --version` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The built `iptlint` binary.
pub fn iptlint_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_iptlint"))
}
