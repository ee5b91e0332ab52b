//! The activity histogram's state and what its keys and clicks do: a
//! cursor over buckets, a mark that starts a range, and Enter writing the
//! range into the filter bar as `since:`/`until:` terms, so that the
//! filter stays the one place a selection is defined.

use super::app::{App, Effect, set_filter};
use super::clock::format_instant;
use super::cursor::Cursor;
use super::worker::ActivityData;
use crate::filter::{FilterError, Predicate, parse_filter, quote_value};
use crate::text::plural;
use crate::time::format_duration;
use crate::views::histogram::{TooManyBuckets, Width, narrower, wider};
use std::ops::RangeInclusive;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct Activity {
    /// A width chosen with `+`/`-`; `None` fits the span to the screen.
    pub chosen: Option<i64>,
    /// `None` until the first histogram is computed.
    pub data: Option<Arc<ActivityData>>,
    /// The bucket under the cursor; `offset` is the first bucket shown.
    pub cursor: Cursor,
    /// Where a range starts; it ends at the cursor.
    pub mark: Option<usize>,
    /// Generation of the newest histogram request.
    pub generation: u64,
    /// The time terms (`since:`, `until:`, `last:`) the filter had before
    /// each range was applied, newest last.
    previous: Vec<Vec<String>>,
}

impl Activity {
    /// The marked range, or the cursor's bucket alone.
    pub fn range(&self) -> Option<RangeInclusive<usize>> {
        let len = self.data.as_ref()?.histogram.buckets.len();
        let cursor = self.cursor.selected;
        (cursor < len).then(|| {
            let mark = self.mark.unwrap_or(cursor).min(len - 1);
            mark.min(cursor)..=mark.max(cursor)
        })
    }

    pub fn bucket_count(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.histogram.buckets.len())
    }
}

/// Recompute the histogram of the current selection on a worker.
pub fn request(app: &mut App) {
    if app.loaded().is_none() {
        return;
    }
    // The pane spans the screen, less its borders: one column per bucket
    // at the most.
    let width = match app.activity.chosen {
        Some(width) => Width::Fixed(width),
        None => Width::Auto(usize::from(app.screen.width.saturating_sub(2)).max(1)),
    };
    app.activity.generation += 1;
    app.effects.push(Effect::Activity {
        generation: app.activity.generation,
        selection: Arc::clone(&app.selection),
        width,
    });
}

/// A histogram arrived: keep the cursor and mark on the same times.
pub fn received(app: &mut App, generation: u64, result: Result<Arc<ActivityData>, TooManyBuckets>) {
    if generation != app.activity.generation {
        return;
    }
    let fresh = match result {
        Ok(fresh) => fresh,
        Err(e) => {
            app.status = Some(format!(
                "{} buckets would make {} bars; keeping the wider ones",
                format_duration(e.width),
                crate::tui::ui::thousands(e.count as usize)
            ));
            app.activity.chosen = app.activity.data.as_ref().map(|d| d.histogram.width);
            return;
        }
    };
    let state = &mut app.activity;
    let time_of = |index: usize| {
        let old = state.data.as_ref()?;
        Some(old.histogram.buckets.get(index)?.start)
    };
    let at = |index: usize| time_of(index).and_then(|t| fresh.histogram.index_of(t));
    let len = fresh.histogram.buckets.len();
    let cursor = at(state.cursor.selected).unwrap_or(len.saturating_sub(1));
    state.mark = state.mark.and_then(at);
    state.cursor.select(cursor, len);
    state.data = Some(fresh);
}

/// `+` and `-`: the next wider or narrower width.
pub fn step_width(app: &mut App, wide: bool) {
    let Some(current) = app.activity.data.as_ref().map(|d| d.histogram.width) else {
        return;
    };
    let next = if wide {
        Some(wider(current))
    } else {
        narrower(current)
    };
    match next {
        Some(width) => {
            app.activity.chosen = Some(width);
            request(app);
        }
        None => app.status = Some("one second is the narrowest bucket".into()),
    }
}

/// Space: start a range at the cursor, or drop the one started.
pub fn toggle_mark(app: &mut App) {
    let state = &mut app.activity;
    state.mark = match state.mark {
        Some(_) => None,
        None => (state.bucket_count() > 0).then_some(state.cursor.selected),
    };
}

/// A click starts a range unless one was just started (then it ends it);
/// dragging moves its end.
pub fn point(app: &mut App, bucket: usize, dragging: bool) {
    let state = &mut app.activity;
    let just_started = state.mark == Some(state.cursor.selected);
    if !dragging && !just_started {
        state.mark = Some(bucket);
    }
    state.cursor.selected = bucket;
}

/// Enter: filter to the marked range (or the cursor's bucket).
pub fn apply_range(app: &mut App) {
    let Some((data, range)) = app.activity.data.clone().zip(app.activity.range()) else {
        app.status = Some("no timestamps to choose from".into());
        return;
    };
    let histogram = &data.histogram;
    let since = histogram.buckets[*range.start()].start;
    // `until:` is inclusive: the last microsecond of the last bucket.
    let until = histogram.buckets[*range.end()].start + histogram.width - 1;
    // In the zone of the axis, with its offset written out.
    let terms = [
        format!("since:{}", quote_value(&format_instant(since, app.utc))),
        format!("until:{}", quote_value(&format_instant(until, app.utc))),
    ];
    let Ok((text, before)) = replace_time_terms(app.filter.input.text(), &terms) else {
        app.status = Some("the filter has an error; fix it (/) before choosing a range".into());
        return;
    };
    let (calls, failures) = histogram.totals(range.clone());
    app.activity.previous.push(before);
    app.activity.mark = None;
    app.activity.chosen = None;
    set_filter(app, &text);
    app.filter.remember();
    let buckets = range.count();
    app.status = Some(format!(
        "{buckets} {}: {calls} {}, {failures} failed; Backspace restores the previous range",
        plural(buckets, "bucket", "buckets"),
        plural(calls as usize, "call", "calls"),
    ));
}

/// Backspace: put back the time terms of before the last range.
pub fn restore_range(app: &mut App) {
    let Some(before) = app.activity.previous.last() else {
        app.status = Some("no earlier range to restore".into());
        return;
    };
    let Ok((text, _)) = replace_time_terms(app.filter.input.text(), before) else {
        app.status = Some("the filter has an error; fix it (/) before restoring a range".into());
        return;
    };
    app.activity.previous.pop();
    app.activity.mark = None;
    app.activity.chosen = None;
    set_filter(app, &text);
    app.filter.remember();
    app.status = Some(if text.is_empty() {
        "previous range restored: no filter".into()
    } else {
        format!(
            "previous range restored: {}",
            crate::text::for_terminal(&text)
        )
    });
}

/// The filter `text` with its time terms replaced by `terms`, other terms
/// kept as written; and the time terms it had.
pub fn replace_time_terms(
    text: &str,
    terms: &[String],
) -> Result<(String, Vec<String>), FilterError> {
    let filter = parse_filter(text)?;
    let chars: Vec<char> = text.chars().collect();
    let (mut kept, mut removed) = (Vec::new(), Vec::new());
    for term in &filter.terms {
        let written: String = chars[term.span.clone()].iter().collect();
        match term.predicate {
            Predicate::Since(_) | Predicate::Until(_) | Predicate::Last(_) => removed.push(written),
            _ => kept.push(written),
        }
    }
    kept.extend(terms.iter().cloned());
    Ok((kept.join(" "), removed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_terms_are_replaced_and_the_rest_kept_as_written() {
        let new = ["since:A".to_string(), "until:B".to_string()];
        let (text, old) =
            replace_time_terms("tool:\"a b\" last:1h -user:x since:2025-07-06", &new[..1]).unwrap();
        assert_eq!(text, "tool:\"a b\" -user:x since:A");
        assert_eq!(old, ["last:1h", "since:2025-07-06"]);
        let (text, old) = replace_time_terms("", &new).unwrap();
        assert_eq!((text.as_str(), old.len()), ("since:A until:B", 0));
        assert!(replace_time_terms("usr:x", &new).is_err());
    }
}
