//! Moving around: keys that move a selection, focus, the mouse, and
//! keeping every selection on screen.

use super::activity;
use super::app::{App, Pane, View, entry_changed};
use super::cursor::Cursor;
use super::layout;
use super::ui;
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

/// Rows the mouse wheel moves.
const WHEEL_STEP: isize = 3;

#[derive(Debug, Clone, Copy)]
pub enum Motion {
    By(isize),
    Page(isize),
    Top,
    Bottom,
}

/// Which list a motion moves: the view's, or the focused pane's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    View,
    Pane(Pane),
}

pub fn navigate(app: &mut App, motion: Motion) {
    let target = if app.view == View::Panes {
        Target::Pane(app.focus)
    } else {
        Target::View
    };
    move_in(app, target, motion);
}

fn move_in(app: &mut App, target: Target, motion: Motion) {
    let areas = layout::areas(app);
    let page = match target {
        Target::View => layout::rows_in(areas.body, layout::view_chrome(app.view)),
        Target::Pane(pane) => areas.pane(pane).map_or(1, |r| page_of(app, pane, r)),
    };
    if target == Target::Pane(Pane::Detail) {
        // Scroll positions run from the first line to the last full page.
        let width = areas.pane(Pane::Detail).map_or(1, inner_width);
        let lines = ui::detail::content(app, width).len();
        let mut scroll = Cursor {
            selected: app.detail_scroll,
            offset: 0,
        };
        apply(&mut scroll, motion, page, lines.saturating_sub(page) + 1);
        app.detail_scroll = scroll.selected;
        return;
    }
    let before = app.entries.selected;
    let len = list_len(app, target);
    if let Some(cursor) = cursor(app, target) {
        apply(cursor, motion, page, len);
    }
    if app.entries.selected != before {
        entry_changed(app);
    }
}

/// Items a pane shows at once: rows, or the histogram's buckets.
fn page_of(app: &App, pane: Pane, area: Rect) -> usize {
    match pane {
        Pane::Histogram => ui::histogram::visible_buckets(
            area.width.saturating_sub(2),
            app.activity.bucket_count(),
        ),
        _ => layout::rows_in(area, pane.chrome()),
    }
}

fn apply(cursor: &mut Cursor, motion: Motion, page: usize, len: usize) {
    let page = page.max(1) as isize;
    match motion {
        Motion::By(n) => cursor.move_by(n, len),
        Motion::Page(n) => cursor.move_by(n * page, len),
        Motion::Top => cursor.select(0, len),
        Motion::Bottom => cursor.select(usize::MAX, len),
    }
}

/// The selection of a list; the detail pane scrolls instead.
fn cursor(app: &mut App, target: Target) -> Option<&mut Cursor> {
    match target {
        Target::View => Some(&mut app.view_cursor),
        Target::Pane(Pane::Entries) => Some(&mut app.entries),
        Target::Pane(Pane::Timeline) => Some(&mut app.timeline),
        Target::Pane(Pane::Stats) => Some(&mut app.stats),
        Target::Pane(Pane::Failures) => Some(&mut app.failures),
        Target::Pane(Pane::Histogram) => Some(&mut app.activity.cursor),
        Target::Pane(Pane::Detail) => None,
    }
}

fn list_len(app: &App, target: Target) -> usize {
    match target {
        Target::View => view_len(app),
        Target::Pane(Pane::Entries) => app.selection.count(),
        Target::Pane(Pane::Detail) => 0,
        Target::Pane(Pane::Timeline) => app.conversation.as_ref().map_or(0, |c| c.entries.len()),
        Target::Pane(Pane::Stats) => app.selection.stats().len(),
        Target::Pane(Pane::Failures) => app.selection.failures().len(),
        Target::Pane(Pane::Histogram) => app.activity.bucket_count(),
    }
}

/// Rows in the current full view.
pub fn view_len(app: &App) -> usize {
    match app.view {
        View::Panes => 0,
        View::Help => ui::help::line_count(),
        View::Findings => app.verification().map_or(0, |v| v.findings.len()),
        View::Report => app.report.as_ref().map_or(0, |r| r.accesses.len()),
        View::Alerts => app
            .alerts
            .as_ref()
            .map_or(0, |a| super::reports::alert_items(a).len()),
    }
}

fn inner_width(area: Rect) -> usize {
    usize::from(area.width.saturating_sub(2))
}

pub fn cycle_focus(app: &mut App, step: usize) {
    let at = Pane::ALL.iter().position(|&p| p == app.focus).unwrap_or(0);
    app.focus = Pane::ALL[(at + step) % Pane::ALL.len()];
    app.view = View::Panes;
}

/// The wheel scrolls, and a click selects, what is under the pointer.
pub fn mouse(app: &mut App, event: MouseEvent) {
    let areas = layout::areas(app);
    let at = Position::new(event.column, event.row);
    let under = if app.view != View::Panes {
        areas
            .body
            .contains(at)
            .then_some((Target::View, areas.body, layout::view_chrome(app.view)))
    } else {
        areas
            .panes
            .iter()
            .find(|(_, r)| r.contains(at))
            .map(|&(pane, r)| (Target::Pane(pane), r, pane.chrome()))
    };
    let Some((target, area, chrome)) = under else {
        return;
    };
    if let Target::Pane(pane) = target {
        app.focus = pane;
    }
    if target == Target::Pane(Pane::Histogram)
        && let MouseEventKind::Down(MouseButton::Left) | MouseEventKind::Drag(MouseButton::Left) =
            event.kind
    {
        if let Some(bucket) = ui::histogram::bucket_at(app, area, event.column) {
            let dragging = matches!(event.kind, MouseEventKind::Drag(_));
            activity::point(app, bucket, dragging);
        }
        return;
    }
    match event.kind {
        MouseEventKind::ScrollDown => move_in(app, target, Motion::By(WHEEL_STEP)),
        MouseEventKind::ScrollUp => move_in(app, target, Motion::By(-WHEEL_STEP)),
        MouseEventKind::Down(MouseButton::Left) => {
            // Items start under the top border (and the header, if any).
            let first = area.y + chrome - 1;
            if event.row < first || event.row + 1 >= area.bottom() {
                return;
            }
            let len = list_len(app, target);
            let before = app.entries.selected;
            if let Some(cursor) = cursor(app, target) {
                let index = cursor.offset + usize::from(event.row - first);
                if index < len {
                    cursor.selected = index;
                }
            }
            if app.entries.selected != before {
                entry_changed(app);
            }
        }
        _ => {}
    }
}

/// Keep every visible list's selection on screen.
pub fn fit(app: &mut App) {
    let areas = layout::areas(app);
    if app.view != View::Panes {
        let len = view_len(app);
        app.view_cursor.fit(
            layout::rows_in(areas.body, layout::view_chrome(app.view)),
            len,
        );
        return;
    }
    let center = std::mem::take(&mut app.center_entries);
    for (pane, area) in areas.panes {
        let len = list_len(app, Target::Pane(pane));
        let page = page_of(app, pane, area);
        if let Some(cursor) = cursor(app, Target::Pane(pane)) {
            if center && pane == Pane::Entries {
                cursor.center_if_hidden(page);
            }
            cursor.fit(page, len);
        }
        if pane == Pane::Entries {
            super::paging::request(app, page);
        }
    }
}
