//! Where everything goes, as a pure function of the state and the screen
//! size. Drawing uses it to place panes; `update` uses the same answer to
//! know page sizes and which row a mouse click hit.

use super::app::{App, Load, Pane, View};

use ratatui::layout::{Constraint, Layout, Rect};

/// Rows a bordered table spends on its borders and header line.
pub const TABLE_CHROME: u16 = 3;
/// Rows a bordered list spends on its borders.
pub const LIST_CHROME: u16 = 2;

/// At least this big, every pane is shown at once.
pub const WIDE: (u16, u16) = (120, 32);

/// Rows of the activity histogram across the top of a wide screen: its
/// borders, a readout, five rows of bars, the range marks and time labels.
pub const HISTOGRAM_HEIGHT: u16 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Areas {
    pub banner: Rect,
    pub filter: Rect,
    /// Under the bar, while the typed filter has an error.
    pub filter_error: Option<Rect>,
    /// Where the panes, or a full view (findings, report, …), go.
    pub body: Rect,
    /// The panes shown; empty while a view covers the body or the logs load.
    pub panes: Vec<(Pane, Rect)>,
    pub footer: Rect,
}

impl Areas {
    pub fn pane(&self, pane: Pane) -> Option<Rect> {
        self.panes.iter().find(|(p, _)| *p == pane).map(|(_, r)| *r)
    }
}

pub fn is_wide(screen: Rect) -> bool {
    screen.width >= WIDE.0 && screen.height >= WIDE.1
}

pub fn areas(app: &App) -> Areas {
    let error_rows = u16::from(app.filter.error.is_some());
    let [banner, filter, filter_error, body, footer] = Layout::vertical([
        Constraint::Length(super::ui::banner::height(app, app.screen.width)),
        Constraint::Length(1),
        Constraint::Length(error_rows),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(app.screen);
    let panes = if app.view != View::Panes || !matches!(app.load, Load::Ready(_)) {
        Vec::new()
    } else if app.zoomed {
        vec![(app.focus, body)]
    } else if is_wide(app.screen) {
        let [histogram, rest] =
            Layout::vertical([Constraint::Length(HISTOGRAM_HEIGHT), Constraint::Fill(1)])
                .areas(body);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Fill(1)]).areas(rest);
        let [entries, detail] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Fill(1)]).areas(left);
        let [timeline, stats, failures] = Layout::vertical([
            Constraint::Percentage(40),
            Constraint::Percentage(35),
            Constraint::Fill(1),
        ])
        .areas(right);
        vec![
            (Pane::Entries, entries),
            (Pane::Detail, detail),
            (Pane::Timeline, timeline),
            (Pane::Stats, stats),
            (Pane::Failures, failures),
            (Pane::Histogram, histogram),
        ]
    } else {
        // Small screens keep the entries in view and share the lower half
        // between the other panes: the focused one, else the detail.
        let [entries, lower] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Fill(1)]).areas(body);
        let shown = match app.focus {
            Pane::Entries => Pane::Detail,
            other => other,
        };
        vec![(Pane::Entries, entries), (shown, lower)]
    };
    Areas {
        banner,
        filter,
        filter_error: (error_rows > 0).then_some(filter_error),
        body,
        panes,
        footer,
    }
}

/// Item rows that fit in a bordered area that also shows `chrome` rows.
pub fn rows_in(area: Rect, chrome: u16) -> usize {
    usize::from(area.height.saturating_sub(chrome))
}

/// Rows of the body a full view spends on other than its list.
pub fn view_chrome(view: View) -> u16 {
    match view {
        // The summary and the column header.
        View::Report => LIST_CHROME + REPORT_SUMMARY + 1,
        _ => LIST_CHROME,
    }
}

/// Lines of the report view above its table: counts, period, filter, and
/// the integrity verdict on up to three lines.
pub const REPORT_SUMMARY: u16 = 6;
