//! Jumps are found by a worker: the status line says "looking up" until it
//! answers, a newer jump or a move of the cursor drops the older answer,
//! and an entry the filter hides clears the filter when the answer comes.

use super::app::{Action, Effect, Pane};
use super::jump::{self, Job};
use super::testing::Harness;
use crate::testing::{call, chain_log, support_calls};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::channel;

fn support() -> Harness {
    Harness::loaded(&[("support.jsonl", &chain_log(&support_calls()))], 160, 48)
}

/// Press `c` as the event loop would before any job answered, and take
/// the jump it queued (if any; the rest of the work is dropped).
fn press_before_answers(h: &mut Harness, c: char) -> Option<Job> {
    let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    h.send_before_jobs(Action::Key(key));
    let mut jumps = h.app.take_effects().into_iter().filter_map(|e| match e {
        Effect::Jump(job) => Some(job),
        _ => None,
    });
    let job = jumps.next();
    assert!(jumps.next().is_none(), "one jump per key");
    job
}

/// What a worker answers to `job`.
fn answers(job: Job, cancelled: bool) -> Vec<Action> {
    let (tx, rx) = channel();
    jump::run(job, &AtomicBool::new(cancelled), &tx);
    rx.try_iter().collect()
}

fn status(h: &Harness) -> String {
    h.app.status.clone().unwrap_or_default()
}

#[test]
fn n_says_looking_up_until_the_worker_finds_the_failure() {
    let mut h = support();
    let job = press_before_answers(&mut h, 'n').expect("n asks a worker");
    assert_eq!(h.app.entries.selected, 0, "the cursor waits for the answer");
    let screen = h.render();
    assert!(screen.contains("looking up the next failure …"), "{screen}");
    for answer in answers(job, false) {
        h.send(answer);
    }
    assert_eq!(h.app.entries.selected, 4, "usr_200's refund");
    assert_eq!(status(&h), "failure 1 of 2 in this view");
    // The next one starts from there.
    let job = press_before_answers(&mut h, 'n').expect("n asks a worker");
    for answer in answers(job, false) {
        h.send(answer);
    }
    assert_eq!(h.app.entries.selected, 7);
    assert_eq!(status(&h), "failure 2 of 2 in this view");
}

#[test]
fn a_move_before_the_answer_drops_it() {
    let mut h = support();
    let job = press_before_answers(&mut h, 'n').expect("n asks a worker");
    assert!(press_before_answers(&mut h, 'j').is_none());
    for answer in answers(job, false) {
        h.send(answer);
    }
    assert_eq!(h.app.entries.selected, 1, "where j put it");
}

#[test]
fn a_newer_jump_drops_the_answer_of_the_older() {
    let mut h = support();
    let older = press_before_answers(&mut h, 'N').expect("N asks a worker");
    let newer = press_before_answers(&mut h, 'n').expect("n asks a worker");
    let older = answers(older, false);
    assert_eq!(older.len(), 1, "N found an answer");
    for answer in older {
        h.send(answer);
    }
    assert_eq!(h.app.entries.selected, 0, "N's answer is not the newest");
    assert!(status(&h).contains("looking up the next failure"));
    for answer in answers(newer, false) {
        h.send(answer);
    }
    assert_eq!(h.app.entries.selected, 4);
}

#[test]
fn a_cancelled_jump_answers_nothing() {
    let mut h = support();
    let job = press_before_answers(&mut h, 'n').expect("n asks a worker");
    assert!(answers(job, true).is_empty());
}

#[test]
fn enter_on_a_timeline_entry_the_filter_hides_clears_it_when_the_answer_comes() {
    let mut h = support();
    // Only usr_200's failed refund is listed; its conversation has four.
    h.keys("/");
    h.keys("failed user:usr_200");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.selection.count(), 1);
    h.app.focus = Pane::Timeline;
    h.send_before_jobs(Action::Up);
    h.send_before_jobs(Action::Open);
    let job = h
        .app
        .take_effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::Jump(job) => Some(job),
            _ => None,
        })
        .expect("Enter asks a worker where the entry is");
    assert_eq!(h.app.filter.applied(), "failed user:usr_200", "not yet");
    assert!(
        status(&h).contains("looking up the entry"),
        "{}",
        status(&h)
    );
    for answer in answers(job, false) {
        h.send(answer);
    }
    assert_eq!(h.app.filter.applied(), "");
    assert_eq!(h.app.entries.selected, 3, "usr_200's get_order");
    assert_eq!(status(&h), "the filter hid that entry: filter cleared");
}

#[test]
fn a_failure_jumped_to_off_screen_is_shown_in_the_middle_of_the_list() {
    // 200 calls, one failed far below the first screen.
    let calls: Vec<_> = (0..200)
        .map(|i| {
            let time = format!("2025-07-06T09:{:02}:{:02}+00:00", i / 60, i % 60);
            let failed = i == 150;
            let error = failed.then_some("Timed out");
            call(
                &time,
                "conv_a1",
                i + 1,
                "usr_100",
                "get_order",
                !failed,
                80.0,
                error,
            )
        })
        .collect();
    let mut h = Harness::loaded(&[("long.jsonl", &chain_log(&calls))], 160, 48);
    h.render();
    let job = press_before_answers(&mut h, 'n').expect("n asks a worker");
    for answer in answers(job, false) {
        h.send(answer);
    }
    h.render();
    let entries = &h.app.entries;
    assert_eq!(entries.selected, 150);
    let above = entries.selected - entries.offset;
    assert!(
        (4..12).contains(&above),
        "{above} rows above the failure: it should sit near the middle, with what came after it shown too"
    );
}
