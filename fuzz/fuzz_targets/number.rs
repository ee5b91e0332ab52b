//! Numbers: the tape's `as_f64` (a short decimal divided by an exact power
//! of ten, Clinger's fast path, before the general reader) against Rust's
//! correctly rounded `str::parse`, for every number anywhere in the input
//! read as JSON: the same bits.
#![no_main]

use auditui::log::tape::{Kind, Node, Tape};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut tape = Tape::new();
    if let Ok(root) = tape.parse(text) {
        check(root);
    }
});

fn check(node: Node<'_, '_>) {
    match node.kind() {
        Kind::Int | Kind::Float { .. } => {
            let source = node.source();
            let expected: Option<f64> = source.parse().ok();
            assert_eq!(
                node.as_f64().map(f64::to_bits),
                expected.map(f64::to_bits),
                "{source:?}"
            );
        }
        Kind::Array => node.items().for_each(check),
        Kind::Object => node.members().for_each(|(_, value)| check(value)),
        _ => {}
    }
}
