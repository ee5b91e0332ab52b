//! The selected entry's detail and conversation come from a worker: the
//! panes say "looking up" until it answers, and answers about an entry no
//! longer selected are dropped.

use super::app::{Action, Effect};
use super::lookup::{self, Job, Pending};
use super::testing::Harness;
use crate::testing::{chain_log, support_calls};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::channel;

fn support() -> Harness {
    Harness::loaded(&[("support.jsonl", &chain_log(&support_calls()))], 160, 48)
}

/// Press `j` as the event loop would before any job answered, and take
/// the lookup it queued.
fn down_before_answers(h: &mut Harness) -> Job {
    let key = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    h.send_before_jobs(Action::Key(key));
    let mut lookups = h.app.take_effects().into_iter().filter_map(|e| match e {
        Effect::Lookup(job) => Some(job),
        _ => None,
    });
    let job = lookups.next().expect("moving on asks about the entry");
    assert!(lookups.next().is_none(), "one lookup per move");
    job
}

/// What a worker answers to `job`, in order.
fn answers(job: Job, cancelled: bool) -> Vec<Action> {
    let (tx, rx) = channel();
    lookup::run(job, &Mutex::new(()), &AtomicBool::new(cancelled), &tx);
    rx.try_iter().collect()
}

#[test]
fn the_timeline_and_detail_fill_in_when_the_worker_answers() {
    let mut h = support();
    let job = down_before_answers(&mut h);
    assert_eq!(job.conversation.as_deref(), Some("conv_b2"));
    let screen = h.render();
    assert!(screen.contains("looking up conv_b2 …"), "{screen}");
    assert!(screen.contains("looking up the entry …"), "{screen}");
    assert!(!screen.contains("conv_b2 · 4 calls"), "{screen}");
    for answer in answers(job, false) {
        h.send(answer);
    }
    let screen = h.render();
    assert!(screen.contains("conv_b2 · 4 calls"), "{screen}");
    assert!(screen.contains("▶09:00:05"), "{screen}");
    assert!(screen.contains("User usr_200"), "{screen}");
    assert!(!screen.contains("looking up"), "{screen}");
    assert_eq!(h.app.timeline.selected, 0);
}

#[test]
fn answers_about_an_entry_no_longer_selected_are_dropped() {
    let mut h = support();
    let stale = down_before_answers(&mut h);
    let fresh = down_before_answers(&mut h);
    assert_eq!(fresh.conversation.as_deref(), Some("conv_a1"));
    let stale = answers(stale, false);
    assert_eq!(stale.len(), 3, "detail, conversation, retention");
    for answer in stale {
        h.send(answer);
    }
    assert!(
        h.app.conversation.is_none(),
        "conv_b2 is no longer asked for"
    );
    assert_eq!(h.app.lookup.detail, Pending::Loading);
    assert_eq!(h.app.lookup.conversation.as_deref(), Some("conv_a1"));
    for answer in answers(fresh, false) {
        h.send(answer);
    }
    let conversation = h.app.conversation.as_ref().expect("answered");
    assert_eq!(conversation.id, "conv_a1");
    assert_eq!(h.app.timeline.selected, 1, "the refund, second of two");
    let Pending::Ready(detail) = &h.app.lookup.detail else {
        panic!("the detail was answered");
    };
    let detail = detail.as_ref().as_ref().expect("no error").as_ref();
    assert_eq!(detail.map(|d| d.row.line), Some(3));
}

#[test]
fn a_lookup_cancelled_before_its_turn_asks_nothing() {
    let mut h = support();
    let job = down_before_answers(&mut h);
    assert!(answers(job, true).is_empty());
}

#[test]
fn moving_within_the_conversation_shown_asks_only_for_the_detail() {
    let mut h = support();
    // Entries 1 and 3 are both conv_b2; the filter lists only them.
    h.keys("/");
    h.keys("conv_b2");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.conversation.as_ref().map(|c| c.id.as_str()),
        Some("conv_b2")
    );
    let job = down_before_answers(&mut h);
    assert_eq!(job.conversation, None, "the timeline shows it already");
    assert_eq!(
        h.app.timeline.selected, 1,
        "the timeline's cursor moved at once"
    );
}

#[test]
fn y_copies_the_line_looked_up_and_waits_for_it_otherwise() {
    let mut h = support();
    let job = down_before_answers(&mut h);
    let y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE);
    h.send_before_jobs(Action::Key(y));
    assert!(h.app.take_effects().is_empty(), "nothing to copy yet");
    let status = h.app.status.clone().unwrap_or_default();
    assert!(status.contains("still being looked up"), "{status}");
    for answer in answers(job, false) {
        h.send(answer);
    }
    h.send(Action::Key(y));
    assert_eq!(h.runtime.host.osc52.len(), 1);
    let status = h.app.status.clone().unwrap_or_default();
    assert!(status.contains("support.jsonl:2"), "{status}");
}
