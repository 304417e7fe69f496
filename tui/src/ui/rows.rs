//! A selectable list of server rows drawn as a table with a heading and a
//! key-hint line: what the administration screens (companies, staff, work
//! types, failed mail, pending requests, the audit log) have in common.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table, TableState};

use super::{Ctx, format, moved};

/// What surrounds the table: its heading, what an empty list says, and the
/// key hints.
pub struct Chrome<'a> {
    pub heading: Line<'static>,
    pub empty: &'a str,
    pub hints: &'a [&'a str],
}

#[derive(Debug, Clone)]
pub struct Rows<T> {
    pub rows: Vec<T>,
    pub state: TableState,
    /// The first answer came.
    pub loaded: bool,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            state: TableState::default(),
            loaded: false,
        }
    }
}

impl<T> Rows<T> {
    /// New rows from the server; the selection stays where it was, if it can.
    pub fn set(&mut self, rows: Vec<T>) {
        self.loaded = true;
        self.rows = rows;
        let selected = if self.rows.is_empty() {
            None
        } else {
            Some(self.state.selected().unwrap_or(0).min(self.rows.len() - 1))
        };
        self.state.select(selected);
    }

    /// Replaces the row `same` finds, or adds `row` at the end and selects it.
    pub fn upsert(&mut self, row: T, same: impl Fn(&T) -> bool) {
        if let Some(i) = self.rows.iter().position(same) {
            self.rows[i] = row;
        } else {
            self.rows.push(row);
            self.state.select(Some(self.rows.len() - 1));
        }
        self.loaded = true;
    }

    pub fn selected(&self) -> Option<&T> {
        self.state.selected().and_then(|i| self.rows.get(i))
    }

    /// Moves the selection on a movement key; true when it was one.
    pub fn handle_move(&mut self, key: &KeyEvent, ctx: &Ctx) -> bool {
        let i = self.state.selected().unwrap_or(0);
        match moved(ctx.keys, key, i, self.rows.len(), 10) {
            Some(to) => {
                self.state.select(Some(to));
                true
            }
            None => false,
        }
    }

    /// The heading line, the table (or what `chrome` says when there are no
    /// rows) and the key hints. `row` makes a row, given each column's
    /// width, so its text can be fitted with `format::fit` ("…" rather than
    /// cut mid-word).
    pub fn render(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        ctx: &Ctx,
        chrome: Chrome,
        columns: (&[&str], &[Constraint]),
        row: impl Fn(&T, &[usize]) -> Row<'static>,
    ) {
        let Chrome {
            heading,
            empty,
            hints,
        } = chrome;
        let theme = ctx.theme;
        let [top, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(heading), top);
        if self.rows.is_empty() {
            let text = if self.loaded { empty } else { "Loading…" };
            frame.render_widget(
                Paragraph::new(Line::styled(format!(" {text}"), theme.muted)),
                body,
            );
        } else {
            let (names, widths) = columns;
            let fit = format::column_widths(widths, body.width);
            let table = Table::new(self.rows.iter().map(|r| row(r, &fit)), widths.to_vec())
                .header(Row::new(names.to_vec()).style(theme.muted))
                .row_highlight_style(theme.selected);
            frame.render_stateful_widget(table, body, &mut self.state);
        }
        let hints = format::hints(hints, usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }
}

/// Under a table's header row in `body`, what its empty list says: `empty`
/// once the first answer came, else `loading`.
pub fn empty_note(
    frame: &mut Frame,
    body: Rect,
    loaded: bool,
    (empty, loading): (&str, &str),
    style: Style,
) {
    let text = if loaded { empty } else { loading };
    let [_, below] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(body);
    frame.render_widget(
        Paragraph::new(Line::styled(format!(" {text}"), style)),
        below,
    );
}
