//! The export prompt and the overwrite question, in a popup over the body.

use super::{App, sanitized};
use crate::tui::app::Prompt;
use crate::tui::export::Exporting;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

const WIDTH: u16 = 72;

pub fn draw(app: &App, body: Rect, frame: &mut Frame) {
    let Some(prompt) = &app.prompt else { return };
    let width = WIDTH.min(body.width);
    let area = Rect {
        x: body.x + (body.width - width) / 2,
        y: body.y + body.height.saturating_sub(4) / 2,
        width,
        height: 4.min(body.height),
    };
    let (title, lines) = match prompt {
        Prompt::ExportPath(input, what) => (
            match what {
                Exporting::Report => " Export the access report ",
                Exporting::Entries => " Export the filtered entries ",
                Exporting::Marked => " Export the marked entries ",
            },
            vec![
                Line::from(vec![
                    Span::styled("path: ", app.theme.key()),
                    Span::raw(sanitized(input.text()).into_owned()),
                ]),
                Line::styled(
                    "ending = format: .json .jsonl .csv .md .fhir.json · Enter · Esc",
                    app.theme.dim(),
                ),
            ],
        ),
        Prompt::Overwrite(path, _) => (
            " File exists ",
            vec![
                Line::from(format!(
                    "{} exists. Overwrite it?",
                    sanitized(&path.display().to_string())
                )),
                Line::styled("y overwrites · n keeps it", app.theme.key()),
            ],
        ),
    };
    let block = Block::bordered().border_style(app.theme.key()).title(title);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
    if let Prompt::ExportPath(input, _) = prompt {
        let x = area.x + 1 + "path: ".len() as u16 + input.cursor_column() as u16;
        frame.set_cursor_position(Position::new(
            x.min(area.right().saturating_sub(2)),
            area.y + 1,
        ));
    }
}
