//! The pre-commit hook (`.pre-commit-hooks.yaml`) with the real
//! `pre-commit` from PyPI (installed by `tests/setup-python.sh`): a broken
//! rules file fails the hook with the findings shown, a valid one passes.
//!
//! pre-commit builds the hook with `cargo install --path .` from a clone
//! of the hook repository. `try-repo` always clones into a temporary store
//! (it ignores `PRE_COMMIT_HOME`), so it is run once, for the failing case;
//! the passing case runs `pre-commit run` with a `.pre-commit-config.yaml`
//! (as users do), whose store is `PRE_COMMIT_HOME`, kept under
//! `target/tmp`. The hook repository is a copy of this checkout at a
//! stable path there, committed with fixed dates (same files, same
//! commit), so reruns reuse the installed hook; the cargo target dir is
//! shared too, so dependencies are compiled once.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmp() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("precommit")
}

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "iptlint test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "iptlint test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env("GIT_AUTHOR_DATE", "2000-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2000-01-01T00:00:00Z")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Copy the checkout's sources (not `target/`, not hidden directories but
/// `.pre-commit-hooks.yaml`) to `dst`.
fn copy_sources(src: &Path, dst: &Path) {
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ft = entry.file_type().unwrap();
        if ft.is_dir() {
            if name == "target" || name.starts_with('.') {
                continue;
            }
            std::fs::create_dir_all(dst.join(&*name)).unwrap();
            copy_sources(&entry.path(), &dst.join(&*name));
        } else if ft.is_file() && (!name.starts_with('.') || name == ".pre-commit-hooks.yaml") {
            std::fs::copy(entry.path(), dst.join(&*name)).unwrap();
        }
    }
}

/// The hook repository: this checkout's sources, committed
/// deterministically. Returns (path, commit).
fn hook_repo() -> (PathBuf, String) {
    let repo = tmp().join("hook-repo");
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(&repo).unwrap();
    copy_sources(&common::repo_root(), &repo);
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(
        &repo,
        &[
            "commit",
            "-q",
            "--no-gpg-sign",
            "-m",
            "iptlint hook under test",
        ],
    );
    let rev = git(&repo, &["rev-parse", "HEAD"]);
    (
        repo,
        String::from_utf8(rev.stdout).unwrap().trim().to_string(),
    )
}

fn try_repo(project: &Path, hook_repo: &Path, rev: &str) -> Output {
    pre_commit(
        project,
        &[
            "try-repo",
            hook_repo.to_str().unwrap(),
            "iptlint",
            "--ref",
            rev,
        ],
    )
}

fn pre_commit(project: &Path, args: &[&str]) -> Output {
    Command::new("pre-commit")
        .args(args)
        .args(["--all-files", "--color", "never"])
        .current_dir(project)
        .env("PRE_COMMIT_HOME", tmp().join("home"))
        .env("CARGO_TARGET_DIR", tmp().join("cargo-target"))
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("run pre-commit")
}

#[test]
fn precommit_hook_fails_on_findings_and_passes_clean_files() {
    match Command::new("pre-commit").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return common::skip_or_fail(&format!(
                "`pre-commit --version` failed: {}",
                String::from_utf8_lossy(&o.stderr)
            ))
        }
        Err(e) => {
            return common::skip_or_fail(&format!(
                "pre-commit is not installed ({e}); run tests/setup-python.sh"
            ))
        }
    }
    let (repo, rev) = hook_repo();

    let project = tempfile::tempdir().unwrap();
    let p = project.path();
    git(p, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(p.join("etc/iptables")).unwrap();
    let broken =
        std::fs::read_to_string(common::repo_root().join("examples/broken.rules")).unwrap();
    std::fs::write(p.join("etc/iptables/rules.v4"), &broken).unwrap();
    // Not matched by the hook's `files`: never checked.
    std::fs::write(p.join("notes.txt"), "-A INPUT --bogus\n").unwrap();
    git(p, &["add", "-A"]);

    let out = try_repo(p, &repo, &rev);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "the hook must fail:\n{text}");
    assert!(
        text.contains("iptlint") && text.contains("Failed"),
        "{text}"
    );
    assert!(text.contains("E201/unknown-option"), "{text}");
    assert!(text.contains("etc/iptables/rules.v4"), "{text}");
    assert!(!text.contains("notes.txt"), "{text}");

    let clean =
        std::fs::read_to_string(common::repo_root().join("tests/cli_fixtures/web.rules")).unwrap();
    std::fs::write(p.join("etc/iptables/rules.v4"), clean).unwrap();
    std::fs::write(p.join("etc/iptables/web.rules"), CLEAN_V4).unwrap();
    // The three lines of the README, with this hook repository.
    std::fs::write(
        p.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: iptlint\n",
            repo.display()
        ),
    )
    .unwrap();
    git(p, &["add", "-A"]);
    let out = pre_commit(p, &["run", "iptlint"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the hook must pass:\n{text}");
    assert!(text.contains("Passed"), "{text}");
}

const CLEAN_V4: &str = "*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
