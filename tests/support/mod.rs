//! What the integration tests share.

use std::process::Command;

/// The built binary, run from the crate root, with neither the user's
/// configuration file nor a forced colour setting: a developer's
/// environment must not change what the tests read.
pub fn auditui() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_auditui"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("XDG_CONFIG_HOME", "/nonexistent/auditui-tests")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env_remove("NO_COLOR");
    command
}
