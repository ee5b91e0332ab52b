//! Key sequences through `update`, as a person would type them.

use super::app::{Action, ExportOutcome, Pane, Prompt, View};
use super::export::Exporting;
use super::testing::Harness;
use crate::backend::PageAt;
use crate::filter::Field;
use crate::testing::{chain_log, clinic_accesses, hipaa_log, support_calls};
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

fn support(width: u16, height: u16) -> Harness {
    Harness::loaded(
        &[("support.jsonl", &chain_log(&support_calls()))],
        width,
        height,
    )
}

/// The support log with the fourth line's user edited after sealing.
fn tampered() -> Harness {
    let log = chain_log(&support_calls()).replacen(
        "\"user_id\":\"usr_200\"",
        "\"user_id\":\"usr_999\"",
        2,
    );
    Harness::loaded(&[("support.jsonl", &log)], 160, 48)
}

fn users(h: &Harness) -> Vec<String> {
    let selection = &h.app.selection.selected;
    let page = selection.page(PageAt::First, selection.count()).unwrap();
    page.rows
        .iter()
        .map(|entry| entry.field(Field::User).unwrap().to_string())
        .collect()
}

/// The selected entry's place in the log (the in-memory backend numbers
/// entries from 0 in log order).
fn selected_row(h: &Harness) -> Option<u64> {
    h.app.selected_key().map(|key| key.position)
}

#[test]
fn typing_a_filter_narrows_the_selection_as_you_type() {
    let mut h = support(80, 24);
    assert_eq!(h.app.selection.count(), 8);
    h.keys("/user:usr_200");
    assert!(h.app.filter.active);
    assert_eq!(users(&h), ["usr_200"; 4]);
    h.keys(" failed");
    assert_eq!(h.app.selection.count(), 1);
    h.key(KeyCode::Enter);
    assert!(!h.app.filter.active);
    assert_eq!(h.app.focus, Pane::Entries);
    assert_eq!(h.app.filter.input.text(), "user:usr_200 failed");
}

#[test]
fn letters_typed_in_the_bar_are_text_but_ctrl_c_still_quits() {
    let mut h = support(80, 24);
    h.keys("/q");
    assert!(!h.app.quit);
    assert_eq!(h.app.filter.input.text(), "q");
    h.ctrl('c');
    assert!(h.app.quit);
}

#[test]
fn a_bad_term_shows_its_error_and_keeps_the_last_good_selection() {
    let mut h = support(80, 24);
    h.keys("/user:usr_100");
    assert_eq!(h.app.selection.count(), 2);
    // Free text that matches both lines, then a colon makes it a bad key.
    h.keys(" usr");
    assert_eq!(h.app.selection.count(), 2);
    h.keys(":1");
    let error = h.app.filter.error.clone().expect("an error");
    assert_eq!(error.column, 14);
    assert_eq!(h.app.selection.count(), 2);
    h.key(KeyCode::Enter);
    assert!(h.app.filter.active, "Enter does not leave with an error");
    h.key(KeyCode::Esc);
    assert!(!h.app.filter.active);
    assert_eq!(h.app.filter.input.text(), "");
    assert_eq!(h.app.selection.count(), 8);
}

#[test]
fn tab_accepts_the_best_completion_from_the_store() {
    let mut h = support(80, 24);
    h.keys("/tool:refnd");
    assert_eq!(h.app.filter.completions.candidates[0].label, "issue_refund");
    h.key(KeyCode::Tab);
    assert_eq!(h.app.filter.input.text(), "tool:issue_refund ");
    assert_eq!(h.app.selection.count(), 2);
}

#[test]
fn up_and_down_walk_the_filter_history() {
    let mut h = support(80, 24);
    h.keys("/failed");
    h.key(KeyCode::Enter);
    h.keys("/");
    h.ctrl('u');
    h.key(KeyCode::Up);
    assert_eq!(h.app.filter.input.text(), "failed");
    assert_eq!(h.app.selection.count(), 2);
    h.key(KeyCode::Down);
    assert_eq!(h.app.filter.input.text(), "");
}

#[test]
fn tab_cycles_focus_through_every_pane_and_shift_tab_goes_back() {
    let mut h = support(80, 24);
    let mut seen = vec![h.app.focus];
    for _ in 0..6 {
        h.key(KeyCode::Tab);
        seen.push(h.app.focus);
    }
    assert_eq!(
        seen,
        [
            Pane::Entries,
            Pane::Detail,
            Pane::Timeline,
            Pane::Stats,
            Pane::Failures,
            Pane::Histogram,
            Pane::Entries
        ]
    );
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.focus, Pane::Histogram);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.focus, Pane::Entries);
}

#[test]
fn selection_moves_with_vim_keys_arrows_pages_and_ends() {
    let mut h = support(80, 24);
    h.keys("jj");
    assert_eq!(h.app.entries.selected, 2);
    h.key(KeyCode::Up);
    assert_eq!(h.app.entries.selected, 1);
    h.keys("G");
    assert_eq!(h.app.entries.selected, 7);
    h.keys("g");
    assert_eq!(h.app.entries.selected, 0);
    h.key(KeyCode::PageDown);
    assert_eq!(h.app.entries.selected, 7, "a page is longer than the log");
    h.keys("k");
    assert_eq!(h.app.entries.selected, 6);
}

#[test]
fn the_timeline_follows_the_selected_entry_and_enter_jumps_back() {
    let mut h = support(160, 48);
    h.keys("j");
    let conversation = h.app.conversation.as_ref().unwrap();
    assert_eq!(conversation.id, "conv_b2");
    assert_eq!(conversation.entries.len(), 4);
    assert_eq!(h.app.timeline.selected, 0);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Pane::Timeline);
    h.keys("jj");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.focus, Pane::Entries);
    assert_eq!(selected_row(&h), Some(4), "the failed refund");
}

#[test]
fn enter_on_a_finding_jumps_to_its_entry() {
    let mut h = tampered();
    h.keys("i");
    assert_eq!(h.app.view, View::Findings);
    let findings = h.app.loaded().unwrap().verification().findings.clone();
    assert_eq!((findings[0].line, findings[0].kind.name()), (2, "modified"));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.view, View::Panes);
    assert_eq!(selected_row(&h), Some(1));
}

#[test]
fn jumping_to_an_entry_the_filter_hides_clears_the_filter() {
    let mut h = tampered();
    h.keys("/user:usr_300");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.selection.count(), 2);
    h.keys("i");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.filter.input.text(), "");
    assert_eq!(h.app.selection.count(), 8);
    assert_eq!(selected_row(&h), Some(1));
}

#[test]
fn y_copies_the_selected_line_with_osc_52() {
    let mut h = support(80, 24);
    h.keys("jy");
    let sequence = &h.runtime.host.osc52[0];
    assert!(sequence.starts_with("\x1b]52;c;") && sequence.ends_with('\x07'));
    assert!(h.app.status.as_deref().unwrap().contains("support.jsonl:2"));
}

#[test]
fn m_releases_the_mouse_and_clicks_select_rows_when_captured() {
    let mut h = support(80, 24);
    // Entries start on the screen's 7th line: banner (2), bar, border, header.
    let click = |row| {
        Action::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 10,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    h.send(click(7));
    assert_eq!(h.app.entries.selected, 2);
    h.send(Action::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: 7,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(h.app.entries.selected, 5);
    h.keys("m");
    assert_eq!(h.runtime.host.mouse, [false]);
    assert!(!h.app.mouse);
}

#[test]
fn stats_sort_with_s_and_enter_filters_by_the_tool() {
    let mut h = support(160, 48);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Pane::Stats);
    h.keys("ss");
    let first = super::stats_order::sorted(h.app.selection.stats(), h.app.stats_sort)[0]
        .tool
        .clone();
    assert_eq!(
        first.as_deref(),
        Some("issue_refund"),
        "worst success rate first"
    );
    h.key(KeyCode::Enter);
    assert_eq!(h.app.filter.input.text(), "tool:issue_refund");
    assert_eq!(h.app.selection.count(), 2);
}

#[test]
fn the_report_needs_a_patient_and_exports_without_overwriting() {
    let mut h = Harness::loaded(&[("clinic.jsonl", &hipaa_log(&clinic_accesses()))], 160, 48);
    h.keys("r");
    assert_eq!(h.app.view, View::Panes);
    assert!(h.app.status.as_deref().unwrap().contains("patient:P-0001"));
    h.keys("/patient:P-0001 until:2025-07-07T08:30");
    h.key(KeyCode::Enter);
    h.keys("r");
    assert_eq!(h.app.view, View::Report);
    let report = h.app.report.clone().unwrap();
    assert_eq!(
        (report.total_accesses, report.integrity_verified),
        (2, false)
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p1.csv");
    h.keys("e");
    h.ctrl('u');
    h.keys(&path.display().to_string());
    h.key(KeyCode::Enter);
    assert_eq!(h.app.prompt, None);
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("usr_doc1"), "{written}");

    // FHIR: a Bundle with one AuditEvent per access in the report.
    let fhir = dir.path().join("p1.fhir.json");
    h.keys("e");
    h.ctrl('u');
    h.keys(&fhir.display().to_string());
    h.key(KeyCode::Enter);
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fhir).unwrap()).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    let events = bundle["entry"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert!(
        events
            .iter()
            .all(|e| e["resource"]["resourceType"] == "AuditEvent")
    );

    h.keys("e");
    h.ctrl('u');
    h.keys(&path.display().to_string());
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.prompt,
        Some(Prompt::Overwrite(path.clone(), Exporting::Report))
    );
    h.keys("n");
    assert!(matches!(h.app.prompt, Some(Prompt::ExportPath(..))));
    h.key(KeyCode::Enter);
    h.keys("y");
    assert_eq!(h.app.prompt, None);
    h.send(Action::Exported(
        path,
        ExportOutcome::Failed("disk full".into()),
    ));
    assert_eq!(h.app.status.as_deref(), Some("disk full"));
}

#[test]
fn alerts_list_emergency_accesses_and_enter_jumps_to_one() {
    let mut h = Harness::loaded(&[("clinic.jsonl", &hipaa_log(&clinic_accesses()))], 160, 48);
    h.keys("a");
    assert_eq!(h.app.view, View::Alerts);
    assert_eq!(h.app.alerts.as_ref().unwrap().emergencies.len(), 1);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.view, View::Panes);
    assert_eq!(selected_row(&h), Some(2));
}

#[test]
fn the_event_loop_draws_applies_keys_and_stops_on_q() {
    let mut h = Harness::new(80, 24);
    let data = super::testing::load(&[("support.jsonl", &chain_log(&support_calls()))]);
    let key = |c| {
        Action::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        ))
    };
    let screen = h.run_loop(vec![
        Action::Loaded(data, std::time::Duration::ZERO),
        key('/'),
        key('f'),
        key('a'),
        key('i'),
        key('l'),
        key('e'),
        key('d'),
        Action::Key(crossterm::event::KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        )),
        key('q'),
    ]);
    assert!(h.app.quit);
    // The query's answer is queued behind the q, as when typing fast: the
    // last frame shows it still running.
    assert!(screen.contains("/ failed"), "{screen}");
    assert!(screen.contains("Entries 0 of 8 …"), "{screen}");
}

#[test]
fn follow_mode_appends_grown_logs_without_reloading_and_keeps_the_tail_in_view() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("support.jsonl");
    let log = chain_log(&support_calls());
    let lines: Vec<&str> = log.lines().collect();
    std::fs::write(&path, format!("{}\n", lines[..5].join("\n"))).unwrap();
    let name = path.to_str().unwrap();
    let mut h = Harness::loaded(&[(name, &std::fs::read_to_string(&path).unwrap())], 120, 40);
    h.app.paths = vec![path.clone()];
    h.key(KeyCode::Char('G'));
    assert_eq!(h.app.entries.selected, 4);

    // Not following: a change on disk is ignored.
    std::fs::write(&path, format!("{}\n", lines[..6].join("\n"))).unwrap();
    h.send(Action::SourcesChanged);
    assert_eq!(h.app.selection.count(), 5);

    // F loads the logs once in full, to follow them from there.
    h.key(KeyCode::Char('F'));
    assert!(h.app.follow);
    assert!(h.render().contains("· following"));
    assert_eq!(h.app.selection.count(), 6);

    // Appended lines are verified and added; nothing is re-read.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(
        &mut file,
        format!("{}\n{}\n", lines[6], lines[7]).as_bytes(),
    )
    .unwrap();
    h.send(Action::SourcesChanged);
    assert_eq!(h.app.selection.count(), 8);
    assert_eq!(
        h.app.entries.selected, 7,
        "the cursor stays on the newest entry"
    );
    let status = h.app.status.clone().unwrap();
    assert!(
        status.contains("2 new entries verified") && !status.contains("re-verified"),
        "{status}"
    );
    assert!(h.render().contains("INTACT"));
    let screen = h.render();
    assert!(screen.contains("usr_"), "{screen}");

    // Half a line: waits for its newline, and is no finding meanwhile.
    let extra = lines[2].replace("usr_", "usr_x");
    std::io::Write::write_all(&mut file, &extra.as_bytes()[..30]).unwrap();
    h.send(Action::SourcesChanged);
    assert_eq!(h.app.selection.count(), 8);
    assert!(h.render().contains("INTACT"), "{}", h.render());

    // The last verified line edited in place: found, and everything is
    // loaded again to show the logs as they are now.
    std::fs::write(
        &path,
        log.replacen(lines[7], &lines[7].replacen("usr_", "usr_9", 1), 1),
    )
    .unwrap();
    h.send(Action::SourcesChanged);
    let screen = h.render();
    assert!(screen.contains("BROKEN"), "{screen}");
    assert!(
        h.app.status.as_deref().unwrap().contains("re-verified"),
        "{:?}",
        h.app.status
    );
    h.key(KeyCode::Char('F'));
    assert!(!h.app.follow);
}

#[test]
fn a_rotated_log_is_extended_by_the_new_file_and_keeps_the_old_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.jsonl");
    let log = chain_log(&support_calls());
    let lines: Vec<String> = log.lines().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, lines[..5].concat()).unwrap();
    let name = path.to_str().unwrap();
    let mut h = Harness::loaded(&[(name, &lines[..5].concat())], 160, 40);
    h.app.paths = vec![path.clone()];
    h.key(KeyCode::Char('F'));
    assert_eq!(h.app.selection.count(), 5);

    // Rotation: the file renamed away (out of the paths followed), a new
    // one under its name that continues the chain.
    std::fs::rename(&path, dir.path().join("live.1.old")).unwrap();
    // Before the new file is there, nothing changes (and nothing fails).
    h.send(Action::SourcesChanged);
    assert_eq!(h.app.selection.count(), 5);
    assert!(h.render().contains("INTACT"), "{}", h.render());
    std::fs::write(&path, lines[5..7].concat()).unwrap();
    h.send(Action::SourcesChanged);
    let screen = h.render();
    assert!(
        screen.contains("INTACT") && screen.contains("2 files"),
        "{screen}"
    );
    assert_eq!(h.app.selection.count(), 7, "the old entries stay");
    let status = h.app.status.clone().unwrap();
    assert!(status.contains("2 new entries verified"), "{status}");
    let first = h
        .app
        .selection
        .selected
        .page(PageAt::First, 1)
        .unwrap()
        .rows;
    assert!(
        first[0].file.ends_with("live.jsonl (rotated away)"),
        "{first:?}"
    );

    // The new file grows as any followed file; the full check accepts
    // its first entry's link to the old head.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut file, lines[7].as_bytes()).unwrap();
    h.send(Action::SourcesChanged);
    assert_eq!(h.app.selection.count(), 8);
    assert!(h.render().contains("INTACT"), "{}", h.render());
    let check = super::live::full_check(&h.runtime.live()).expect("followed");
    assert_eq!((check.entries, check.findings.len()), (3, 0));

    // A new file that does not continue the chain is a finding, as for
    // the two files loaded together.
    std::fs::rename(&path, dir.path().join("live.2.old")).unwrap();
    std::fs::write(&path, &lines[1]).unwrap();
    h.send(Action::SourcesChanged);
    assert_eq!(h.app.selection.count(), 9);
    assert!(h.render().contains("BROKEN"), "{}", h.render());

    // The file followed truncated: everything is loaded again, the files
    // rotated away (no longer under the paths) from what was read of them.
    std::fs::write(&path, "").unwrap();
    h.send(Action::SourcesChanged);
    assert!(
        h.app.status.as_deref().unwrap().contains("re-verified"),
        "{:?}",
        h.app.status
    );
    assert_eq!(h.app.selection.count(), 8, "the rotated-away entries stay");
    assert!(h.render().contains("3 files"), "{}", h.render());
}

#[test]
fn a_line_appended_to_the_first_of_two_followed_files_is_appended_not_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    // Two hosts' chains, their times interleaved: a has calls 0, 2, 4, 6
    // and b calls 1, 3, 5, 7.
    let calls = support_calls();
    let host = |first: usize| -> Vec<String> {
        let calls: Vec<_> = calls.iter().skip(first).step_by(2).cloned().collect();
        chain_log(&calls)
            .lines()
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let (a_lines, b_lines) = (host(0), host(1));
    std::fs::write(&a, a_lines[..2].concat()).unwrap();
    std::fs::write(&b, b_lines.concat()).unwrap();
    let logs = [
        (a.to_str().unwrap(), a_lines[..2].concat()),
        (b.to_str().unwrap(), b_lines.concat()),
    ];
    let logs: Vec<(&str, &str)> = logs.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let mut h = Harness::loaded(&logs, 160, 40);
    h.app.paths = vec![a.clone(), b.clone()];
    h.key(KeyCode::Char('F'));
    assert_eq!(h.app.selection.count(), 6);

    let mut file = std::fs::OpenOptions::new().append(true).open(&a).unwrap();
    std::io::Write::write_all(&mut file, a_lines[2].as_bytes()).unwrap();
    h.send(Action::SourcesChanged);
    let status = h.app.status.clone().unwrap();
    assert!(
        status.contains("1 new entry verified") && !status.contains("re-verified"),
        "appended, not loaded again: {status}"
    );
    assert_eq!(h.app.selection.count(), 7);
    assert!(h.render().contains("INTACT"), "{}", h.render());
    let listed = |h: &Harness| -> Vec<String> {
        let selection = &h.app.selection.selected;
        let rows = selection
            .page(PageAt::First, selection.count())
            .unwrap()
            .rows;
        let name = |file: &str| file.rsplit('/').next().unwrap().to_owned();
        rows.iter()
            .map(|r| format!("{}:{}", name(&r.file), r.line))
            .collect()
    };
    // Merged by time, a's new entry (call 4) between b's calls 3 and 5.
    let by_time =
        ["a:1", "b:1", "a:2", "b:2", "a:3", "b:3", "b:4"].map(|at| at.replace(':', ".jsonl:"));
    assert_eq!(listed(&h), by_time);
    // File by file: a's three entries, then b's, each in line order.
    h.key(KeyCode::Char('o'));
    let by_file =
        ["a:1", "a:2", "a:3", "b:1", "b:2", "b:3", "b:4"].map(|at| at.replace(':', ".jsonl:"));
    assert_eq!(listed(&h), by_file);
}

#[test]
fn an_edit_behind_the_followed_head_is_found_by_the_full_check_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("support.jsonl");
    let log = chain_log(&support_calls());
    std::fs::write(&path, &log).unwrap();
    let name = path.to_str().unwrap();
    let mut h = Harness::loaded(&[(name, &log)], 160, 40);
    h.app.paths = vec![path.clone()];
    h.key(KeyCode::Char('F'));
    let slot = h.runtime.live();
    let intact = super::live::full_check(&slot).expect("followed");
    assert_eq!((intact.entries, intact.findings.len()), (8, 0));
    h.send(Action::FullyChecked(intact));
    assert!(
        h.render().contains("full check: 8 intact"),
        "{}",
        h.render()
    );

    // Line 2 edited in place, same length: the follower re-reads only the
    // last line, so only the full check sees it.
    std::fs::write(&path, log.replacen("usr_200", "usr_999", 1)).unwrap();
    h.send(Action::SourcesChanged);
    assert!(h.render().contains("INTACT"), "{}", h.render());
    let found = super::live::full_check(&slot).expect("followed");
    assert_eq!(
        found.findings[0].kind,
        crate::log::chain::FindingKind::Modified
    );
    h.send(Action::FullyChecked(found));
    let screen = h.render();
    assert!(
        screen.contains("BROKEN") && screen.contains("full check: 1 finding"),
        "{screen}"
    );
}

/// The support log with the histogram focused, in 1-minute buckets
/// (09:00 to 09:03: four buckets, the cursor on the last).
fn histogram_in_minutes() -> Harness {
    let mut h = support(160, 48);
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.focus, Pane::Histogram);
    let width = || h.app.activity.data.as_ref().unwrap().histogram.width;
    assert_eq!(
        width(),
        5_000_000,
        "3 minutes over 158 columns: 5 s buckets"
    );
    h.keys("+++");
    let data = h.app.activity.data.clone().unwrap();
    assert_eq!(data.histogram.width, 60_000_000);
    let calls: Vec<u32> = data.histogram.buckets.iter().map(|b| b.calls).collect();
    assert_eq!(calls, [3, 2, 2, 1]);
    assert_eq!(h.app.activity.cursor.selected, 3);
    h
}

#[test]
fn marking_two_buckets_and_enter_filters_to_them_and_backspace_restores() {
    let mut h = histogram_in_minutes();
    h.keys("/user:usr_200");
    h.key(KeyCode::Enter);
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.selection.count(), 4);
    // usr_200 called from 09:00:05 to 09:02:10: three buckets, the cursor
    // still on the latest.
    assert_eq!(h.app.activity.bucket_count(), 3);
    assert_eq!(h.app.activity.cursor.selected, 2);
    h.key(KeyCode::Left);
    h.keys(" ");
    h.key(KeyCode::Right);
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.filter.input.text(),
        "user:usr_200 since:2025-07-06T09:01:00Z until:2025-07-06T09:02:59.999999Z"
    );
    assert_eq!(h.app.selection.count(), 3, "09:01:00, 09:01:30, 09:02:10");
    assert_eq!(h.app.activity.mark, None);
    h.key(KeyCode::Backspace);
    assert_eq!(h.app.filter.input.text(), "user:usr_200");
    assert_eq!(h.app.selection.count(), 4);
    h.key(KeyCode::Backspace);
    assert_eq!(h.app.filter.input.text(), "user:usr_200", "nothing older");
}

#[test]
fn enter_without_a_mark_filters_to_the_cursor_bucket_and_backspace_restores() {
    let mut h = histogram_in_minutes();
    h.key(KeyCode::Home);
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.filter.input.text(),
        "since:2025-07-06T09:00:00Z until:2025-07-06T09:00:59.999999Z"
    );
    assert_eq!(h.app.selection.count(), 3);
    // The narrower selection gets finer buckets: 09:00:00 to 09:00:09 in 1 s.
    assert_eq!(
        h.app.activity.data.as_ref().unwrap().histogram.width,
        1_000_000
    );
    // Esc leaves the pane and keeps the range it applied.
    h.key(KeyCode::Esc);
    assert_eq!(h.app.focus, Pane::Entries);
    assert_eq!(h.app.selection.count(), 3);
    h.key(KeyCode::BackTab);
    h.key(KeyCode::Backspace);
    assert_eq!(h.app.filter.input.text(), "");
    assert_eq!(h.app.selection.count(), 8);
}

#[test]
fn esc_in_the_filter_bar_keeps_the_filter_applied_before() {
    let mut h = support(80, 24);
    h.keys("/user:usr_200");
    h.key(KeyCode::Enter);
    h.keys("/ failed");
    assert_eq!(h.app.selection.count(), 1);
    h.key(KeyCode::Esc);
    assert!(!h.app.filter.active);
    assert_eq!(h.app.filter.input.text(), "user:usr_200");
    assert_eq!(h.app.selection.count(), 4);
}

#[test]
fn clicking_two_buckets_marks_a_range_and_dragging_moves_its_end() {
    let mut h = histogram_in_minutes();
    let area = crate::tui::layout::areas(&h.app)
        .pane(Pane::Histogram)
        .unwrap();
    // Four buckets over 158 columns: 39 columns each.
    let click = |h: &mut Harness, kind: MouseEventKind, bucket: u16| {
        h.send(Action::Mouse(MouseEvent {
            kind,
            column: area.x + 1 + bucket * 39 + 5,
            row: area.y + 4,
            modifiers: KeyModifiers::NONE,
        }))
    };
    click(&mut h, MouseEventKind::Down(MouseButton::Left), 1);
    assert_eq!(h.app.activity.range(), Some(1..=1));
    click(&mut h, MouseEventKind::Down(MouseButton::Left), 2);
    assert_eq!(h.app.activity.range(), Some(1..=2));
    click(&mut h, MouseEventKind::Down(MouseButton::Left), 3);
    assert_eq!(
        h.app.activity.range(),
        Some(3..=3),
        "a third click starts anew"
    );
    click(&mut h, MouseEventKind::Drag(MouseButton::Left), 0);
    assert_eq!(h.app.activity.range(), Some(0..=3));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.selection.count(), 8);
    assert!(
        h.app
            .filter
            .input
            .text()
            .starts_with("since:2025-07-06T09:00:00Z")
    );
}

#[test]
fn minus_narrows_the_buckets_but_not_below_a_second() {
    let mut h = histogram_in_minutes();
    h.keys("-");
    assert_eq!(
        h.app.activity.data.as_ref().unwrap().histogram.width,
        30_000_000
    );
    h.keys("---");
    assert_eq!(
        h.app.activity.data.as_ref().unwrap().histogram.width,
        1_000_000
    );
    h.keys("-");
    assert_eq!(
        h.app.status.as_deref(),
        Some("one second is the narrowest bucket")
    );
}

#[test]
fn the_report_is_never_exported_among_the_logs_being_read() {
    let mut h = Harness::loaded(&[("clinic.jsonl", &hipaa_log(&clinic_accesses()))], 160, 48);
    let logs = tempfile::tempdir().unwrap();
    h.app.paths = vec![logs.path().to_owned()];
    h.keys("/patient:P-0001");
    h.key(KeyCode::Enter);
    h.keys("re");
    h.ctrl('u');
    h.keys(&logs.path().join("p1.csv").display().to_string());
    h.key(KeyCode::Enter);
    assert!(
        h.app
            .status
            .as_deref()
            .unwrap()
            .contains("never writes there")
    );
    assert!(matches!(h.app.prompt, Some(Prompt::ExportPath(..))));
    assert_eq!(std::fs::read_dir(logs.path()).unwrap().count(), 0);
}

/// Follow mode: the support log is reloaded as `after` (a rotation or a
/// truncation); the frame is drawn before the new data's query returns,
/// then after.
fn reload_to(h: &mut Harness, after: &str) -> (String, String) {
    h.app.follow = true;
    super::app::update(&mut h.app, Action::SourcesChanged);
    h.app.take_effects();
    let data = super::testing::load(&[("support.jsonl", after)]);
    super::app::update(&mut h.app, Action::Loaded(data, std::time::Duration::ZERO));
    let before_query = h.render();
    // Any action runs the queued query and delivers its results.
    h.send(Action::PaneReady);
    (before_query, h.render())
}

#[test]
fn reloads_replace_the_status_instead_of_piling_it_up() {
    let mut h = support(120, 35);
    let log = chain_log(&support_calls());
    reload_to(&mut h, &log);
    reload_to(&mut h, &log);
    let status = h.app.status.clone().unwrap();
    assert_eq!(status.matches("following:").count(), 1, "{status}");
}

#[test]
fn a_reload_to_fewer_entries_never_draws_rows_of_the_old_logs() {
    for focus in [Pane::Entries, Pane::Failures, Pane::Timeline] {
        let mut h = support(160, 48);
        h.key(KeyCode::End);
        h.app.focus = focus;
        h.app.failures.select(1, 2);
        let calls = support_calls();
        let (during, after) = reload_to(&mut h, &chain_log(&calls[..2]));
        assert!(during.contains("Entries"), "{during}");
        assert_eq!(h.app.selection.count(), 2);
        assert_eq!(
            h.app.entries.selected, 1,
            "the cursor stays on the last entry"
        );
        assert!(
            after.contains("usr_200") && !after.contains("usr_300"),
            "{after}"
        );
    }
}

#[test]
fn a_log_truncated_to_nothing_while_followed_shows_an_empty_list() {
    let mut h = support(120, 40);
    h.key(KeyCode::End);
    let (_, after) = reload_to(&mut h, "");
    assert_eq!(h.app.selection.count(), 0);
    assert!(after.contains("Entries"), "{after}");
}

#[test]
fn clearing_the_bar_before_its_completions_are_recomputed_draws_without_panicking() {
    let mut h = support(120, 35);
    h.keys("/user:usr_200");
    h.key(KeyCode::Enter);
    h.keys("/");
    assert!(!h.app.filter.completions.candidates.is_empty());
    // Ctrl-U and Up, drawn before the completion job answers.
    h.send_before_jobs(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    assert!(!h.render().contains("/ user:usr_200"));
    h.send_before_jobs(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Up,
        KeyModifiers::NONE,
    )));
    assert!(h.render().contains("/ user:usr_200"));
}

/// A key a person might press in the filter bar.
fn any_bar_key() -> impl proptest::strategy::Strategy<Value = crossterm::event::KeyEvent> {
    use crossterm::event::KeyEvent;
    use proptest::prelude::*;
    let plain = |code| KeyEvent::new(code, KeyModifiers::NONE);
    let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    prop_oneof![
        4 => proptest::sample::select(vec!['u', 's', ':', ' ', '2', 'é', '漢', '😀', '"', '|', '-'])
            .prop_map(move |c| plain(KeyCode::Char(c))),
        3 => proptest::sample::select(vec![
            plain(KeyCode::Backspace), plain(KeyCode::Delete), plain(KeyCode::Left),
            plain(KeyCode::Right), plain(KeyCode::Home), plain(KeyCode::End),
            plain(KeyCode::Up), plain(KeyCode::Down), plain(KeyCode::Tab),
            plain(KeyCode::Enter), plain(KeyCode::Esc), ctrl('u'), ctrl('w'), ctrl('k'),
            ctrl('a'), ctrl('e'), ctrl('n'), ctrl('p'),
        ]),
        1 => Just(plain(KeyCode::Char('/'))),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(48))]

    /// Any keys, each drawn either before or after the jobs it starts
    /// (completions, queries) have answered, as the real loop may.
    #[test]
    fn no_key_sequence_in_the_filter_bar_panics(
        keys in proptest::collection::vec((any_bar_key(), proptest::bool::ANY), 1..40)
    ) {
        let mut h = support(80, 24);
        h.keys("/user:usr_200");
        h.key(KeyCode::Enter);
        h.keys("/");
        for (key, drawn_early) in keys {
            if drawn_early {
                h.send_before_jobs(Action::Key(key));
            } else {
                h.send(Action::Key(key));
            }
            let input = &h.app.filter.input;
            proptest::prop_assert!(input.text().is_char_boundary(input.cursor()));
            h.render();
        }
    }
}

#[test]
fn e_outside_the_report_exports_the_filtered_entries_in_any_format() {
    let log = chain_log(&support_calls());
    let mut h = Harness::loaded(&[("support.jsonl", &log)], 120, 35);
    h.keys("/failed");
    h.key(KeyCode::Enter);
    let dir = tempfile::tempdir().unwrap();
    let write = |h: &mut Harness, name: &str| {
        h.keys("e");
        assert!(matches!(
            &h.app.prompt,
            Some(Prompt::ExportPath(input, Exporting::Entries)) if input.text() == "entries.jsonl"
        ));
        h.ctrl('u');
        h.keys(&dir.path().join(name).display().to_string());
        h.key(KeyCode::Enter);
        assert_eq!(h.app.prompt, None, "{:?}", h.app.status);
        std::fs::read_to_string(dir.path().join(name)).unwrap()
    };
    let lines = write(&mut h, "failed.jsonl");
    let failed: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("\"success\":false"))
        .collect();
    assert_eq!(lines.lines().collect::<Vec<_>>(), failed);
    assert!(
        h.app
            .status
            .as_deref()
            .unwrap()
            .starts_with("wrote 2 entries to")
    );
    let csv = write(&mut h, "failed.csv");
    let header = csv.lines().next().unwrap();
    assert!(header.split(',').any(|c| c == "error"), "{header}");
    assert!(csv.contains("Timed out after 30000 ms") && csv.contains("Permission denied"));
    let array: serde_json::Value = serde_json::from_str(&write(&mut h, "failed.json")).unwrap();
    assert_eq!(array.as_array().unwrap().len(), 2);
    let bundle: serde_json::Value =
        serde_json::from_str(&write(&mut h, "failed.fhir.json")).unwrap();
    assert_eq!(bundle["entry"].as_array().unwrap().len(), 2);
    assert!(write(&mut h, "failed.md").contains("| Permission denied |"));
}

#[test]
fn the_detail_says_who_and_why_as_logged_without_invented_defaults() {
    let mut h = Harness::loaded(&[("clinic.jsonl", &hipaa_log(&clinic_accesses()))], 120, 35);
    h.key(KeyCode::Tab);
    let screen = h.render();
    assert!(
        screen.contains("User usr_nurse1 (nurse) → access_patient_record · purpose treatment"),
        "{screen}"
    );
    assert!(!screen.contains("unknown") && !screen.contains("[user_request]"));
}

#[test]
fn a_selection_is_shown_before_its_stats_and_failures_are_computed() {
    use super::worker;
    use std::sync::atomic::AtomicBool;
    let data = super::testing::load(&[("support.jsonl", &chain_log(&support_calls()))]);
    let filter = crate::filter::parse_filter("").expect("the empty filter");
    let order = crate::backend::Order::Time;
    let matches = worker::select(
        data.as_ref(),
        &crate::backend::Empty,
        &filter,
        order,
        &AtomicBool::new(false),
    )
    .expect("answered")
    .expect("not cancelled");
    // From a database each pane is a scan: the count (and so the screen
    // of entries) must not wait for them.
    assert!(matches.count() > 0);
    assert!(matches.stats.get().is_none() && matches.failures.get().is_none());
    worker::fill_stats(&matches).expect("stats");
    worker::fill_failures(&matches).expect("failures");
    assert!(!matches.stats().is_empty() && !matches.failures().is_empty());
}

/// The support log with its second entry's user edited and its fourth
/// line deleted: a `modified` and a `link` finding.
fn broken_and_cut_log() -> String {
    let log = chain_log(&support_calls()).replacen(
        "\"user_id\":\"usr_200\"",
        "\"user_id\":\"usr_999\"",
        1,
    );
    let kept: Vec<&str> = (log.lines().enumerate())
        .filter_map(|(i, line)| (i != 3).then_some(line))
        .collect();
    kept.join("\n") + "\n"
}

#[test]
fn the_loader_sends_the_first_entries_then_the_verdict_then_the_logs() {
    use super::app::Action;
    use super::loader::{Request, load};
    use crate::backend::Order;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("support.jsonl");
    std::fs::write(&path, broken_and_cut_log()).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let request = Request {
        paths: vec![path],
        follow: false,
        previous: None,
        kept: Vec::new(),
    };
    load(request, &tx, &std::sync::atomic::AtomicBool::new(false)).expect("loaded");
    let mut actions = rx.try_iter().filter(|a| !matches!(a, Action::Progress(_)));
    let Some(Action::FirstEntries(first)) = actions.next() else {
        panic!("the first entries first");
    };
    let Some(Action::Verified(verdict, _)) = actions.next() else {
        panic!("then the verdict");
    };
    let Some(Action::Loaded(data, _)) = actions.next() else {
        panic!("then the logs");
    };
    assert!(actions.next().is_none());
    assert!(
        std::ptr::eq(verdict.as_ref(), data.verification()),
        "the verdict shown while indexing is the logs', not a copy"
    );
    assert_eq!(verdict.findings.len(), 2, "{:?}", verdict.findings);
    // The entries read first are the logs' first entries, as listed.
    let listed = crate::backend::everything(data.as_ref(), Order::File).unwrap();
    let listed = listed.page(PageAt::First, 100).unwrap().rows;
    assert_eq!(first.len(), 7);
    assert_eq!(&first[..], &listed[..]);
}

#[test]
fn the_verdict_and_first_entries_show_while_indexing_and_a_typed_filter_waits() {
    use super::app::{Action, Load};
    use super::first_entries;
    use crate::log::source::Source;
    let log = broken_and_cut_log();
    let sources = [Source::from_bytes(
        "support.jsonl",
        log.clone().into_bytes(),
    )];
    let mut h = Harness::new(160, 48);
    h.send(Action::FirstEntries(
        first_entries::read(&sources, 3).into(),
    ));
    let verifying = h.render();
    assert!(verifying.contains("VERIFYING"), "{verifying}");
    assert_eq!(verifying.matches("usr_").count(), 3, "{verifying}");
    let verdict = crate::log::pass::verify(&sources);
    let elapsed = std::time::Duration::from_millis(300);
    h.send(Action::Verified(std::sync::Arc::new(verdict), elapsed));
    assert!(matches!(h.app.load, Load::Indexing { .. }));
    let indexing = h.render();
    assert!(
        indexing.contains("BROKEN  2 integrity findings"),
        "{indexing}"
    );
    assert!(indexing.contains("Indexing"), "{indexing}");
    // The filter is typed meanwhile, and runs once the logs are indexed.
    h.keys("/user:usr_200");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.selection.count(), 0);
    let data = super::testing::load(&[("support.jsonl", &log)]);
    h.send(Action::Loaded(data, std::time::Duration::from_millis(900)));
    assert_eq!(users(&h), ["usr_200"; 2]);
    let status = h.app.status.clone().unwrap_or_default();
    assert_eq!(status, "verified 7 entries in 0.30 s, indexed by 0.90 s");
}

#[test]
fn rows_are_marked_by_the_verdict_of_the_logs_shown() {
    use super::app::Action;
    use crate::backend::memory::MemoryBackend;
    use crate::log::source::Source;
    use std::sync::Arc;
    let loaded = |log: &str| {
        let sources = vec![Source::from_bytes("support.jsonl", log.as_bytes().to_vec())];
        let never = std::sync::atomic::AtomicBool::new(false);
        let (store, verification) = crate::store::load(sources, |_| {}, &never).unwrap();
        (store, Arc::new(verification))
    };
    let marked = |screen: &str| screen.contains("✓!") && screen.contains("chain break before");
    let elapsed = std::time::Duration::from_millis(1);
    // The loader's way: the verdict shown while indexing is the logs' own.
    let (store, verdict) = loaded(&broken_and_cut_log());
    let mut h = Harness::new(160, 48);
    h.send(Action::Verified(Arc::clone(&verdict), elapsed));
    let data = Arc::new(MemoryBackend::new(store, verdict));
    h.send(Action::Loaded(data, elapsed));
    let screen = h.render();
    assert!(marked(&screen), "{screen}");
    // Logs loaded with another verdict are marked by theirs.
    let (store, verdict) = loaded(&chain_log(&support_calls()));
    let mut h = Harness::new(160, 48);
    let broken = loaded(&broken_and_cut_log()).1;
    h.send(Action::Verified(broken, elapsed));
    h.send(Action::Loaded(
        Arc::new(MemoryBackend::new(store, verdict)),
        elapsed,
    ));
    let screen = h.render();
    assert!(
        screen.contains("INTACT") && !screen.contains("✓!"),
        "{screen}"
    );
}

#[test]
fn a_reload_keeps_the_logs_shown_until_it_is_done() {
    use super::app::{Action, Load};
    let mut h = support(80, 24);
    let before = h.render();
    let verdict = crate::log::pass::verify(&[]);
    let entries: Vec<crate::backend::EntryRow> = Vec::new();
    h.send(Action::FirstEntries(entries.into()));
    h.send(Action::Verified(
        std::sync::Arc::new(verdict),
        Default::default(),
    ));
    assert!(matches!(h.app.load, Load::Ready(_)));
    assert_eq!(h.render(), before);
}
