//! A one-line text input with a cursor, optionally masked.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    value: String,
    /// Cursor position in characters.
    cursor: usize,
}

impl LineInput {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        let cursor = value.chars().count();
        Self { value, cursor }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn set(&mut self, value: impl Into<String>) {
        *self = Self::new(value);
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Edits for one key; false when the key is not an editing key.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.value.chars().count();
        match key.code {
            KeyCode::Char('u') if ctrl => {
                let at = self.byte_at(self.cursor);
                self.value.replace_range(..at, "");
                self.cursor = 0;
            }
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.value.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
                self.value.replace_range(from..to, "");
                self.cursor = start;
            }
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char(c) if !ctrl => {
                let at = self.byte_at(self.cursor);
                self.value.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    /// The visible part for `width` cells, with the cursor drawn when focused.
    pub fn line(&self, width: usize, focused: bool, mask: bool, style: Style) -> Line<'static> {
        let chars: Vec<char> = if mask {
            std::iter::repeat_n('•', self.value.chars().count()).collect()
        } else {
            self.value.chars().collect()
        };
        let width = width.max(1);
        let start = (self.cursor + 1).saturating_sub(width);
        let visible: String = chars.iter().skip(start).take(width).collect();
        if !focused {
            return Line::from(Span::styled(visible, style));
        }
        let rel = self.cursor - start;
        let before: String = visible.chars().take(rel).collect();
        let at: String = visible
            .chars()
            .nth(rel)
            .map_or_else(|| " ".to_owned(), String::from);
        let after: String = visible.chars().skip(rel + 1).collect();
        Line::from(vec![
            Span::styled(before, style),
            Span::styled(at, style.add_modifier(Modifier::REVERSED)),
            Span::styled(after, style),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_in_the_middle_and_deletes_words() {
        let mut i = LineInput::new("helo world");
        for _ in 0..7 {
            i.handle(&k(KeyCode::Left));
        }
        i.handle(&k(KeyCode::Char('l')));
        assert_eq!(i.value(), "hello world");
        i.handle(&k(KeyCode::End));
        i.handle(&KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(i.value(), "hello ");
        i.handle(&k(KeyCode::Backspace));
        assert_eq!(i.value(), "hello");
        assert!(!i.handle(&k(KeyCode::Enter)));
    }

    #[test]
    fn masks_and_scrolls_to_the_cursor() {
        let i = LineInput::new("secret-password");
        let line = i.line(5, false, true, Style::new());
        assert_eq!(line.to_string(), "••••");
        let line = LineInput::new("abcdefgh").line(4, true, false, Style::new());
        assert_eq!(line.to_string(), "fgh ");
    }
}
