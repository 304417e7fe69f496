//! The command palette (`:`): type to fuzzy-find any command of the key
//! map, any tab, or a ticket by number (`#1417`), and Enter runs it. The
//! commands come from the `commands!` table in `keys.rs`, so a new command
//! is in the palette without a line here.

use crossterm::event::{KeyCode, KeyEvent};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{TabId, centered};
use crate::keys::{Cmd, KeyMap};
use crate::theme::Theme;

/// What a palette entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Run a command as if its key were pressed.
    Command(Cmd),
    /// Show a tab.
    Go(TabId),
    /// Open a ticket.
    Ticket(i64),
    /// Show a saved view (by id) on Triage.
    View(i64),
}

/// One line of the palette: what it says, its keys, what it does.
#[derive(Debug, Clone)]
struct Entry {
    text: String,
    keys: String,
    choice: Choice,
}

impl AsRef<str> for Entry {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// What a key did to the palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Stay,
    Close,
    Run(Choice),
}

pub struct Palette {
    query: String,
    entries: Vec<Entry>,
    /// The entries matching `query`, best first.
    shown: Vec<Entry>,
    selected: usize,
    matcher: Matcher,
}

/// Rows of matches the palette shows.
const ROWS: usize = 10;

impl Palette {
    /// A palette of the key map's commands and the tabs in `tabs`.
    pub fn new(keys: &KeyMap, tabs: &[TabId]) -> Self {
        let mut entries: Vec<Entry> = tabs
            .iter()
            .map(|&tab| Entry {
                text: format!("go to {}", tab.title().to_lowercase()),
                keys: String::new(),
                choice: Choice::Go(tab),
            })
            .collect();
        entries.extend(
            Cmd::all()
                .filter(|&(cmd, _)| cmd != Cmd::Palette)
                .map(|(cmd, name)| Entry {
                    text: name.replace('_', " "),
                    keys: keys.label(cmd),
                    choice: Choice::Command(cmd),
                }),
        );
        let mut palette = Self {
            query: String::new(),
            shown: Vec::new(),
            entries,
            selected: 0,
            matcher: Matcher::new(Config::DEFAULT),
        };
        palette.filter();
        palette
    }

    /// Adds the caller's saved Triage views: "view: Breached, mine".
    #[must_use]
    pub fn with_views(mut self, views: &[(i64, String)]) -> Self {
        self.entries.extend(views.iter().map(|(id, name)| Entry {
            text: format!("view: {name}"),
            keys: String::new(),
            choice: Choice::View(*id),
        }));
        self.filter();
        self
    }

    /// Matches the entries against the query; a number (`1417`, `#1417`)
    /// offers that ticket first.
    fn filter(&mut self) {
        let query = self.query.trim();
        let mut shown = Vec::new();
        if let Ok(number) = query.trim_start_matches('#').parse::<i64>()
            && number > 0
        {
            shown.push(Entry {
                text: format!("open ticket #{number}"),
                keys: String::new(),
                choice: Choice::Ticket(number),
            });
        }
        if query.is_empty() {
            shown.extend(self.entries.iter().cloned());
        } else {
            let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
            shown.extend(
                pattern
                    .match_list(self.entries.iter(), &mut self.matcher)
                    .into_iter()
                    .map(|(entry, _)| entry.clone()),
            );
        }
        self.shown = shown;
        self.selected = 0;
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Enter => {
                return self
                    .shown
                    .get(self.selected)
                    .map_or(Outcome::Stay, |e| Outcome::Run(e.choice));
            }
            KeyCode::Down | KeyCode::Tab => {
                self.selected = (self.selected + 1).min(self.shown.len().saturating_sub(1));
            }
            KeyCode::Up | KeyCode::BackTab => self.selected = self.selected.saturating_sub(1),
            KeyCode::Backspace => {
                self.query.pop();
                self.filter();
            }
            KeyCode::Char(c) => {
                self.query.push(c);
                self.filter();
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn render(&self, frame: &mut Frame, theme: &Theme) {
        let area = frame.area();
        let rows = self.shown.len().clamp(1, ROWS);
        let box_area = centered(area, 60, rows as u16 + 3);
        frame.render_widget(Clear, box_area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.focus_border)
            .title(Span::styled(" Run a command ", theme.title))
            .title_bottom(Line::styled(
                " ↑↓ choose · Enter run · Esc close ",
                theme.muted,
            ));
        let inner = block.inner(box_area);
        frame.render_widget(block, box_area);
        let mut lines = vec![Line::from(vec![
            Span::styled(": ", theme.accent),
            Span::styled(self.query.clone(), theme.text),
            Span::styled("▏", theme.accent),
        ])];
        // The selected row stays in view.
        let first = self.selected.saturating_sub(rows - 1);
        if self.shown.is_empty() {
            lines.push(Line::styled("  nothing matches", theme.muted));
        }
        for (i, entry) in self.shown.iter().enumerate().skip(first).take(rows) {
            let width = usize::from(inner.width);
            let pad =
                width.saturating_sub(entry.text.chars().count() + entry.keys.chars().count() + 3);
            let text = format!(" {}{}{} ", entry.text, " ".repeat(pad), entry.keys);
            let style = if i == self.selected {
                theme.selected
            } else {
                theme.text
            };
            lines.push(Line::styled(text, style));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn typed(palette: &mut Palette, text: &str) {
        for c in text.chars() {
            palette.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    fn enter(palette: &mut Palette) -> Outcome {
        palette.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
    }

    #[test]
    fn finds_commands_tabs_and_tickets_fuzzily() {
        let keys = KeyMap::default();
        let tabs = [TabId::Home, TabId::Tickets, TabId::Triage];
        let mut p = Palette::new(&keys, &tabs);
        typed(&mut p, "new tkt");
        assert_eq!(enter(&mut p), Outcome::Run(Choice::Command(Cmd::NewTicket)));
        let mut p = Palette::new(&keys, &tabs);
        typed(&mut p, "triage");
        assert_eq!(enter(&mut p), Outcome::Run(Choice::Go(TabId::Triage)));
        let mut p = Palette::new(&keys, &tabs);
        typed(&mut p, "#1417");
        assert_eq!(enter(&mut p), Outcome::Run(Choice::Ticket(1417)));
        let mut p = Palette::new(&keys, &tabs);
        typed(&mut p, "zqxj");
        assert_eq!(enter(&mut p), Outcome::Stay, "nothing matches");
        assert_eq!(
            p.handle_key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
            Outcome::Close
        );
    }
}
