//! Build facts for `auditui --version`: the commit, the target and the
//! profile. Outside a git checkout the commit reads "unknown".

use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=AUDITUI_COMMIT={commit}");
    for (name, var) in [("AUDITUI_TARGET", "TARGET"), ("AUDITUI_PROFILE", "PROFILE")] {
        let value = std::env::var(var).unwrap_or_else(|_| "unknown".to_owned());
        println!("cargo:rustc-env={name}={value}");
    }
    // Rebuild when HEAD moves (a commit or a checkout), not on every edit.
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
}
