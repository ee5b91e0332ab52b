//! What the browser draws, pane by pane and state by state, at a small
//! (80x24) and a large (160x48) terminal. Snapshots live in
//! `tests/snapshots/`; times are drawn in UTC so they are the same anywhere.

use auditui::log::pass::{self, Progress};
use auditui::log::source::Source;
use auditui::testing::{call, chain_log, clinic_accesses, hipaa_log, plain_log, support_calls};
use auditui::tui::Action;
use auditui::tui::first_entries;
use auditui::tui::loader::LoadProgress;
use auditui::tui::testing::{Harness, to_text};
use crossterm::event::KeyCode;
use insta::assert_snapshot;
use std::sync::Arc;
use std::time::Duration;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn support(width: u16, height: u16) -> Harness {
    Harness::loaded(
        &[("support.jsonl", &chain_log(&support_calls()))],
        width,
        height,
    )
}

/// The second entry's user edited after sealing: one `modified` finding.
fn broken(width: u16, height: u16) -> Harness {
    let log = chain_log(&support_calls()).replacen(
        "\"user_id\":\"usr_200\"",
        "\"user_id\":\"usr_999\"",
        1,
    );
    Harness::loaded(&[("support.jsonl", &log)], width, height)
}

/// The broken log with its fourth line deleted as well: a `link` finding
/// at line 4 (the old fifth line) besides the `modified` one at line 2.
fn broken_and_cut(width: u16, height: u16) -> Harness {
    Harness::loaded(&[("support.jsonl", &broken_and_cut_log())], width, height)
}

fn broken_and_cut_log() -> String {
    let log = chain_log(&support_calls()).replacen(
        "\"user_id\":\"usr_200\"",
        "\"user_id\":\"usr_999\"",
        1,
    );
    let kept: Vec<&str> = log
        .lines()
        .enumerate()
        .filter_map(|(i, line)| (i != 3).then_some(line))
        .collect();
    kept.join("\n") + "\n"
}

fn clinic(width: u16, height: u16) -> Harness {
    Harness::loaded(
        &[("clinic.jsonl", &hipaa_log(&clinic_accesses()))],
        width,
        height,
    )
}

fn unchained(width: u16, height: u16) -> Harness {
    Harness::loaded(
        &[("plain.jsonl", &plain_log(&support_calls()))],
        width,
        height,
    )
}

/// An intact log opened together with a file that is no log at all: the
/// banner names that file as holding no entry, not as a broken chain.
fn with_a_non_log(width: u16, height: u16) -> Harness {
    Harness::loaded(
        &[
            ("notes.txt", "line one\nline two\nline three\n"),
            ("support.jsonl", &chain_log(&support_calls())),
        ],
        width,
        height,
    )
}

/// One snapshot per size of what `setup` leaves on screen.
fn snapshot_each_size(name: &str, setup: impl Fn(u16, u16) -> Harness) {
    for (width, height) in SIZES {
        let harness = setup(width, height);
        assert_snapshot!(format!("{name}_{width}x{height}"), harness.render());
    }
}

#[test]
fn banner_intact() {
    snapshot_each_size("intact", support);
}

#[test]
fn banner_broken() {
    snapshot_each_size("broken", broken);
}

#[test]
fn banner_weak() {
    snapshot_each_size("weak_hipaa", clinic);
}

#[test]
fn banner_unchained() {
    snapshot_each_size("unchained_plain", unchained);
}

#[test]
fn banner_names_a_file_that_is_no_log() {
    snapshot_each_size("not_a_log", with_a_non_log);
}

#[test]
fn loading_shows_progress_at_once() {
    snapshot_each_size("loading", |w, h| {
        let mut harness = Harness::new(w, h);
        harness.send(Action::Progress(LoadProgress {
            progress: Progress {
                bytes_done: 412_000_000,
                bytes_total: 800_000_000,
                entries: 515_000,
            },
            elapsed: Duration::from_millis(400),
        }));
        harness
    });
}

/// The first entries of [`broken_and_cut`]'s log, read while it loads.
fn first_entries_of_broken_and_cut(width: u16, height: u16) -> (Harness, Vec<Source>) {
    let sources = vec![Source::from_bytes(
        "support.jsonl",
        broken_and_cut_log().into_bytes(),
    )];
    let mut harness = Harness::new(width, height);
    let first = first_entries::read(&sources, first_entries::SHOWN);
    harness.send(Action::FirstEntries(first.into()));
    (harness, sources)
}

fn progress(bytes_done: u64, entries: u64) -> Action {
    Action::Progress(LoadProgress {
        progress: Progress {
            bytes_done,
            bytes_total: 800_000_000,
            entries,
        },
        elapsed: Duration::from_millis(400),
    })
}

#[test]
fn first_entries_while_verifying() {
    snapshot_each_size("first_entries_verifying", |w, h| {
        let (mut harness, _) = first_entries_of_broken_and_cut(w, h);
        harness.send(progress(412_000_000, 515_000));
        harness
    });
}

#[test]
fn verdict_and_first_entries_while_indexing() {
    snapshot_each_size("first_entries_indexing", |w, h| {
        let (mut harness, sources) = first_entries_of_broken_and_cut(w, h);
        let verdict = Arc::new(pass::verify(&sources));
        harness.send(Action::Verified(verdict, Duration::from_millis(540)));
        harness.send(progress(200_000_000, 250_000));
        harness
    });
}

#[test]
fn loading_failed() {
    snapshot_each_size("load_failed", |w, h| {
        let mut harness = Harness::new(w, h);
        harness.send(Action::LoadFailed(
            "missing.jsonl: no such file or directory".into(),
        ));
        harness
    });
}

#[test]
fn entries_and_detail_of_the_failed_refund() {
    snapshot_each_size("failed_refund_selected", |w, h| {
        let mut harness = support(w, h);
        harness.keys("jjjj");
        harness
    });
}

#[test]
fn each_pane_focused() {
    for keys in [1, 2, 3, 4] {
        snapshot_each_size(&format!("focus_after_{keys}_tabs"), |w, h| {
            let mut harness = support(w, h);
            harness.keys("j");
            for _ in 0..keys {
                harness.key(KeyCode::Tab);
            }
            harness
        });
    }
}

#[test]
fn stats_sorted_by_success_rate() {
    snapshot_each_size("stats_sorted", |w, h| {
        let mut harness = support(w, h);
        for _ in 0..3 {
            harness.key(KeyCode::Tab);
        }
        harness.keys("ssz");
        harness
    });
}

#[test]
fn histogram_focused() {
    snapshot_each_size("histogram", |w, h| {
        let mut harness = support(w, h);
        harness.key(KeyCode::BackTab);
        harness
    });
}

#[test]
fn histogram_with_a_marked_range() {
    snapshot_each_size("histogram_range", |w, h| {
        let mut harness = support(w, h);
        harness.key(KeyCode::BackTab);
        // Minute buckets, the range from 09:01 to 09:02.
        harness.keys("+++");
        harness.key(KeyCode::Left);
        harness.key(KeyCode::Left);
        harness.keys(" ");
        harness.key(KeyCode::Right);
        harness
    });
}

#[test]
fn detail_zoomed() {
    snapshot_each_size("detail_zoomed", |w, h| {
        let mut harness = support(w, h);
        harness.key(KeyCode::Enter);
        harness.keys("z");
        harness
    });
}

#[test]
fn filter_with_completions() {
    snapshot_each_size("filter_completing", |w, h| {
        let mut harness = support(w, h);
        harness.keys("/failed tool:ord");
        harness
    });
}

#[test]
fn filter_error_under_its_column() {
    snapshot_each_size("filter_error", |w, h| {
        let mut harness = support(w, h);
        harness.keys("/user:usr_100 since:yesterday");
        harness
    });
}

#[test]
fn help_from_the_keymap() {
    snapshot_each_size("help", |w, h| {
        let mut harness = support(w, h);
        harness.keys("?");
        harness
    });
}

#[test]
fn a_tampered_entry_is_marked_and_a_deletion_leaves_a_gap() {
    snapshot_each_size("tampered_marked", |w, h| {
        let mut harness = broken_and_cut(w, h);
        harness.keys("j");
        let screen = harness.render();
        assert!(
            screen.contains("! TAMPERED support.jsonl:2 modified"),
            "{screen}"
        );
        assert!(
            screen.contains("chain break before support.jsonl:4"),
            "{screen}"
        );
        assert!(
            screen.contains("entries before support.jsonl:2 verify"),
            "{screen}"
        );
        harness
    });
}

#[test]
fn findings_list() {
    snapshot_each_size("findings", |w, h| {
        let mut harness = broken(w, h);
        harness.keys("i");
        harness
    });
}

#[test]
fn access_report() {
    snapshot_each_size("report", |w, h| {
        let mut harness = clinic(w, h);
        harness.keys("/patient:P-0002");
        harness.key(KeyCode::Enter);
        harness.keys("r");
        harness
    });
}

#[test]
fn export_prompt() {
    snapshot_each_size("export_prompt", |w, h| {
        let mut harness = clinic(w, h);
        harness.keys("/patient:P-0001");
        harness.key(KeyCode::Enter);
        harness.keys("re");
        harness
    });
}

#[test]
fn export_entries_prompt() {
    snapshot_each_size("export_entries_prompt", |w, h| {
        let mut harness = support(w, h);
        harness.keys("/failed");
        harness.key(KeyCode::Enter);
        harness.keys("e");
        harness
    });
}

#[test]
fn alerts_view() {
    snapshot_each_size("alerts", |w, h| {
        let mut harness = clinic(w, h);
        harness.keys("a");
        harness
    });
}

/// Values that try to colour the screen, write the clipboard and reorder
/// text, in every field the panes show.
fn hostile_log() -> String {
    let mut calls = support_calls();
    let mut evil = call(
        "2025-07-06T09:04:00+00:00",
        "conv_\u{1b}]52;c;aGVsbG8=\u{7}",
        1,
        "usr_\u{1b}[31mred",
        "export_data\u{202e}gnp.exe",
        false,
        12.0,
        Some("boom\u{1b}[2J\u{200b}\u{2066}hidden\u{2069}\r\nline"),
    );
    evil["model"] = "gpt\u{9b}31m".into();
    evil["session_metadata"]["user_role"] = "admin\u{202d}".into();
    calls.push(evil);
    chain_log(&calls)
}

/// Any character a terminal would interpret or that hides or reorders text.
fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

fn assert_clean(harness: &Harness, what: &str) {
    let buffer = harness.buffer();
    for cell in buffer.content() {
        assert!(
            !cell.symbol().chars().any(is_dangerous),
            "{what}: raw {:?} in a cell\n{}",
            cell.symbol(),
            to_text(&buffer)
        );
    }
}

#[test]
fn hostile_values_never_reach_the_screen_raw() {
    let fixture = std::fs::read_to_string("tests/fixtures/chain.jsonl").unwrap();
    let logs = [("hostile.jsonl", hostile_log()), ("chain.jsonl", fixture)];
    for (width, height) in SIZES {
        let logs: Vec<(&str, &str)> = logs.iter().map(|(n, t)| (*n, t.as_str())).collect();
        let mut h = Harness::loaded(&logs, width, height);
        h.keys("G");
        assert_clean(&h, "the hostile entry selected");
        h.keys("/tool:export");
        assert_clean(&h, "its tool completed in the bar");
        h.key(KeyCode::Enter);
        for pane in ["detail", "timeline", "stats", "failures", "histogram"] {
            h.key(KeyCode::Tab);
            h.keys("z");
            assert_clean(&h, pane);
            h.keys("z");
        }
        h.key(KeyCode::Esc);
        h.keys("/");
        h.ctrl('u');
        h.keys("user:");
        assert_clean(&h, "user completions");
        h.key(KeyCode::Esc);
        h.keys("i");
        assert_clean(&h, "findings");
        h.keys("a");
        assert_clean(&h, "alerts");
    }
    let screen = support(160, 48).render();
    assert!(!screen.contains('\u{1b}'), "{screen}");
}

#[test]
fn one_call_is_not_written_as_calls() {
    let calls = support_calls();
    let log = chain_log(&calls[..1]);
    let harness = Harness::loaded(&[("one.jsonl", &log)], 160, 48);
    let screen = harness.render();
    assert!(screen.contains("· 1 call, 0 failed"), "{screen}");
    assert!(screen.contains("conv_a1 · 1 call "), "{screen}");
    assert!(!screen.contains("1 calls"), "{screen}");
}

#[test]
fn the_help_ends_with_the_filter_language() {
    let mut harness = support(80, 24);
    harness.keys("?");
    harness.keys(&"j".repeat(300));
    let screen = harness.render();
    assert!(
        screen.contains("Filter language") || screen.contains("NEWEST ENTRY"),
        "{screen}"
    );
    assert!(screen.contains("last:1h"), "{screen}");
}

#[test]
fn role_and_purpose_columns_where_width_allows_purpose_dropping_first() {
    let columns = |width: u16, height: u16| {
        let screen = clinic(width, height).render();
        let header = screen
            .lines()
            .find(|l| l.contains(" time ") && l.contains(" user "))
            .unwrap_or_default()
            .to_owned();
        (header.contains("role"), header.contains("purpose"), screen)
    };
    let (role, purpose, screen) = columns(240, 50);
    assert!(role && purpose, "{screen}");
    assert!(screen.contains("treatment"), "{screen}");
    let (role, purpose, screen) = columns(160, 48);
    assert!(role && !purpose, "{screen}");
    let (role, purpose, screen) = columns(80, 24);
    assert!(!role && !purpose, "{screen}");
}

#[test]
fn a_120x35_screen_shows_every_pane() {
    let screen = support(120, 35).render();
    for pane in [
        "Activity",
        "Entries",
        "Detail",
        "Timeline",
        "Per-tool stats",
        "Failures",
    ] {
        assert!(screen.contains(pane), "{pane} missing:\n{screen}");
    }
}

#[test]
fn the_alerts_view_says_why_the_glass_was_broken() {
    let log = std::fs::read_to_string("sample-logs/clinic-hipaa.jsonl").unwrap();
    let mut harness = Harness::loaded(&[("clinic-hipaa.jsonl", &log)], 240, 50);
    harness.keys("a");
    let screen = harness.render();
    assert!(screen.contains("why: Code blue on ward 4B"), "{screen}");
    assert!(screen.contains("why: none logged"), "{screen}");
}
