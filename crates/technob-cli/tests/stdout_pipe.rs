//! A reader that closes the pipe early (`technob analyze --json | head -c 400`) must not make
//! technob panic: it stops quietly with success, as other Unix tools do.

use std::process::{Command, Stdio};

#[test]
fn closed_stdout_is_not_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_technob"))
        .args(["analyze", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the technob binary runs");
    // Close the read end before technob writes anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("technob finishes");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "stderr: {stderr}");
}
