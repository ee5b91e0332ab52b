//! Imports run one way: a module uses only modules in its own layer or
//! below (ARCHITECTURE.md). This reads every `crate::` path in `src/` and
//! fails on one that points upward, naming file and line.

use std::fs;
use std::path::Path;

/// The layers, lowest first; a module may import its own layer and those
/// before it. Why this order:
/// - `text` (sanitising) and `time` (parsing and formatting times) need
///   nothing of ours;
/// - `log` reads and verifies sources;
/// - the filter language, the leak scanner and the log generator each need
///   only `log` (the generator only its canonical writers);
/// - `store` holds the verified log in columns and answers filters;
/// - `testing` builds logs in memory and loads them into a store, for the
///   tests of every layer above it;
/// - `views` turn a selection into plain structs;
/// - `backend` is the query seam the views are reached through (its
///   implementations, `backend::memory` and `backend::clickhouse`, live in
///   it);
/// - `export` writes views in file formats;
/// - `config` reads the user's settings (keys, colours, thresholds);
/// - `tui` is the browser and `cli` the commands, which also start the
///   browser: nothing imports `cli`, and it alone decides exit codes.
const LAYERS: &[&[&str]] = &[
    &["text", "time"],
    &["log"],
    &["filter", "leaks", "generate"],
    &["store"],
    &["testing"],
    &["views"],
    &["backend"],
    &["export"],
    &["config"],
    &["tui"],
    &["cli"],
];

/// Tests of the log layer verify generated logs: the generator is their
/// test data, the way a crate's tests use its dev-dependencies. Only code
/// under `#[cfg(test)]` may use it from below. Why it stays: `testing` is
/// no way round (it loads a store, a layer above `log`), and the memo's
/// replay test needs what only the whole generator gives (thousands of
/// lines whose shapes repeat with varied values, Unicode and nesting);
/// the generator in turn needs `log::canonical` to seal its entries, so
/// it cannot move below `log`.
const TEST_DATA: &str = "generate";

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a file under `src/` belongs to.
fn module_of(relative: &Path) -> String {
    let first = relative.components().next().expect("a file under src/");
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every module named right after `crate::` in `line`, including those in
/// `use crate::{a, b}` lists.
fn imported(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in line.match_indices("crate::") {
        let rest = &line[at + "crate::".len()..];
        let names = match rest.strip_prefix('{') {
            Some(list) => list.split('}').next().unwrap_or("").split(',').collect(),
            None => vec![rest],
        };
        for name in names {
            let module: String = name
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !module.is_empty() {
                found.push(module);
            }
        }
    }
    found
}

/// Upward imports in the crate at `root`, as `file:line: message`.
fn upward_imports(root: &Path) -> Vec<String> {
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src/");
        let module = module_of(relative);
        if matches!(module.as_str(), "lib" | "main") {
            continue;
        }
        let Some(own) = layer(&module) else {
            problems.push(format!(
                "src/{}: module `{module}` is in no layer; add it to LAYERS in tests/layers.rs",
                relative.display()
            ));
            continue;
        };
        let text = fs::read_to_string(&file).expect("source is UTF-8");
        let whole_file_is_tests = relative.file_name().is_some_and(|n| n == "tests.rs");
        let mut in_tests = whole_file_is_tests;
        for (n, line) in text.lines().enumerate() {
            in_tests |= line.trim_start().starts_with("#[cfg(test)]");
            let code = line.split("//").next().unwrap_or("");
            for target in imported(code) {
                let Some(theirs) = layer(&target) else {
                    continue; // `crate::Type` re-exported at the root, or a macro path
                };
                if theirs > own && !(in_tests && target == TEST_DATA) {
                    problems.push(format!(
                        "src/{}:{}: `{module}` imports `{target}`, a layer above it",
                        relative.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn no_module_imports_one_above_it() {
    let problems = upward_imports(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_finds_an_upward_import_and_an_unlisted_module() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir_all(src.join("log")).unwrap();
    fs::write(src.join("lib.rs"), "pub mod log;\n").unwrap();
    fs::write(
        src.join("log/mod.rs"),
        "use crate::text::x;\n// crate::tui in a comment\nuse crate::{store, text};\n",
    )
    .unwrap();
    fs::write(src.join("nowhere.rs"), "").unwrap();
    fs::write(
        src.join("text.rs"),
        "fn f() {}\n#[cfg(test)]\nmod tests { use crate::generate::g; }\n",
    )
    .unwrap();
    let problems = upward_imports(dir.path());
    assert_eq!(
        problems,
        [
            "src/log/mod.rs:3: `log` imports `store`, a layer above it",
            "src/nowhere.rs: module `nowhere` is in no layer; add it to LAYERS in tests/layers.rs",
        ]
    );
}
