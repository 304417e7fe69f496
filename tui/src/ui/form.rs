//! Forms: a list of fields with one focus, errors kept beside each field,
//! Tab/Shift-Tab to move, Ctrl-S (or the Submit button) to send, Esc to
//! leave. Screens build a [`Form`] and read values back by key.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_textarea::TextArea;

use super::input::LineInput;
use crate::theme::Theme;

/// What a field holds and how it is edited.
#[derive(Debug, Clone)]
pub enum Input {
    Line(LineInput),
    Secret(LineInput),
    Multi(Box<TextArea<'static>>),
    Toggle(bool),
    Choice { options: Vec<String>, index: usize },
    Button,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub key: String,
    pub label: String,
    pub input: Input,
    pub required: bool,
    pub error: Option<String>,
}

impl Field {
    pub fn new(key: impl Into<String>, label: impl Into<String>, input: Input) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            input,
            required: false,
            error: None,
        }
    }
    pub fn line(key: &str, label: &str, value: &str) -> Self {
        Self::new(key, label, Input::Line(LineInput::new(value)))
    }
    pub fn secret(key: &str, label: &str) -> Self {
        Self::new(key, label, Input::Secret(LineInput::default()))
    }
    pub fn multi(key: &str, label: &str, value: &str) -> Self {
        let mut area = TextArea::new(value.lines().map(str::to_owned).collect());
        area.set_cursor_line_style(Style::new());
        Self::new(key, label, Input::Multi(Box::new(area)))
    }
    pub fn toggle(key: &str, label: &str, on: bool) -> Self {
        Self::new(key, label, Input::Toggle(on))
    }
    pub fn choice(key: &str, label: &str, options: Vec<String>, index: usize) -> Self {
        Self::new(key, label, Input::Choice { options, index })
    }
    pub fn button(key: &str, label: &str) -> Self {
        Self::new(key, label, Input::Button)
    }
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The field's value as text (toggles are "yes"/"no").
    pub fn value(&self) -> String {
        match &self.input {
            Input::Line(i) | Input::Secret(i) => i.value().to_owned(),
            Input::Multi(area) => area.lines().join("\n"),
            Input::Toggle(on) => if *on { "yes" } else { "no" }.to_owned(),
            Input::Choice { options, index } => options.get(*index).cloned().unwrap_or_default(),
            Input::Button => String::new(),
        }
    }

    /// Rows the field takes, with its error lines.
    pub fn height(&self) -> u16 {
        let body = if matches!(self.input, Input::Multi(_)) {
            6
        } else {
            1
        };
        body + self.error_lines()
    }

    /// An error may list several problems, one a line.
    fn error_lines(&self) -> u16 {
        self.error
            .as_ref()
            .map_or(0, |e| e.lines().count().max(1) as u16)
    }
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent {
    Ignored,
    Handled,
    Submit,
    Cancel,
    /// Ctrl-E on a multi-line field: edit it in `$EDITOR`.
    ExternalEdit(usize),
}

#[derive(Debug, Clone, Default)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    initial: Vec<String>,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Self {
        let mut form = Self {
            fields,
            focus: 0,
            initial: Vec::new(),
        };
        form.mark_clean();
        form.refresh_cursors();
        form
    }

    /// From now on, `is_dirty` compares with the current values.
    pub fn mark_clean(&mut self) {
        self.initial = self.fields.iter().map(Field::value).collect();
    }

    pub fn is_dirty(&self) -> bool {
        self.fields
            .iter()
            .map(Field::value)
            .ne(self.initial.iter().cloned())
    }

    pub fn index(&self, key: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.key == key)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    pub fn text(&self, key: &str) -> String {
        self.field(key)
            .map(Field::value)
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    /// The raw text, untrimmed (passwords, descriptions).
    pub fn raw(&self, key: &str) -> String {
        self.field(key).map(Field::value).unwrap_or_default()
    }

    pub fn on(&self, key: &str) -> bool {
        matches!(self.field(key).map(|f| &f.input), Some(Input::Toggle(true)))
    }

    pub fn choice(&self, key: &str) -> usize {
        match self.field(key).map(|f| &f.input) {
            Some(Input::Choice { index, .. }) => *index,
            _ => 0,
        }
    }

    pub fn set_text(&mut self, index: usize, text: &str) {
        if let Some(field) = self.fields.get_mut(index) {
            match &mut field.input {
                Input::Line(i) | Input::Secret(i) => i.set(text),
                Input::Multi(area) => {
                    let mut fresh = TextArea::new(text.lines().map(str::to_owned).collect());
                    fresh.set_cursor_line_style(Style::new());
                    **area = fresh;
                }
                _ => {}
            }
        }
        self.refresh_cursors();
    }

    /// New options for a choice field; the first is chosen.
    pub fn set_options(&mut self, key: &str, new: Vec<String>) {
        if let Some(Input::Choice { options, index }) = self.field_mut(key).map(|f| &mut f.input) {
            *options = new;
            *index = 0;
        }
    }

    pub fn clear_errors(&mut self) {
        for field in &mut self.fields {
            field.error = None;
        }
    }

    /// Puts `message` beside the field `key`; false when there is no such field.
    pub fn set_error(&mut self, key: &str, message: impl Into<String>) -> bool {
        match self.field_mut(key) {
            Some(field) => {
                field.error = Some(message.into());
                true
            }
            None => false,
        }
    }

    /// Errors for empty required fields; true when there were none.
    pub fn check_required(&mut self) -> bool {
        let mut ok = true;
        for field in &mut self.fields {
            if field.required && field.value().trim().is_empty() {
                field.error = Some("required".to_owned());
                ok = false;
            }
        }
        ok
    }

    /// Moves the focus to the first field with an error.
    pub fn focus_first_error(&mut self) {
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
            self.refresh_cursors();
        }
    }

    pub fn focus_key(&mut self, key: &str) {
        if let Some(i) = self.index(key) {
            self.focus = i;
            self.refresh_cursors();
        }
    }

    fn refresh_cursors(&mut self) {
        for (i, field) in self.fields.iter_mut().enumerate() {
            if let Input::Multi(area) = &mut field.input {
                let style = if i == self.focus {
                    Style::new().add_modifier(Modifier::REVERSED)
                } else {
                    Style::new()
                };
                area.set_cursor_style(style);
            }
        }
    }

    fn step(&mut self, forward: bool) {
        let n = self.fields.len();
        if n > 0 {
            self.focus = if forward {
                (self.focus + 1) % n
            } else {
                (self.focus + n - 1) % n
            };
        }
        self.refresh_cursors();
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> FormEvent {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('s') if ctrl => return FormEvent::Submit,
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Tab => {
                self.step(true);
                return FormEvent::Handled;
            }
            KeyCode::BackTab => {
                self.step(false);
                return FormEvent::Handled;
            }
            _ => {}
        }
        let focus = self.focus;
        let Some(field) = self.fields.get_mut(focus) else {
            return FormEvent::Ignored;
        };
        match &mut field.input {
            Input::Multi(area) => {
                if ctrl && key.code == KeyCode::Char('e') {
                    return FormEvent::ExternalEdit(focus);
                }
                area.input(*key);
                field.error = None;
                FormEvent::Handled
            }
            Input::Button if key.code == KeyCode::Enter => FormEvent::Submit,
            Input::Toggle(on) if matches!(key.code, KeyCode::Char(' ' | 'x' | 'y' | 'n')) => {
                *on = match key.code {
                    KeyCode::Char('y') => true,
                    KeyCode::Char('n') => false,
                    _ => !*on,
                };
                FormEvent::Handled
            }
            Input::Choice { options, index }
                if matches!(
                    key.code,
                    KeyCode::Left | KeyCode::Right | KeyCode::Char(' ')
                ) =>
            {
                let n = options.len().max(1);
                *index = if key.code == KeyCode::Left {
                    (*index + n - 1) % n
                } else {
                    (*index + 1) % n
                };
                field.error = None;
                FormEvent::Handled
            }
            _ if matches!(key.code, KeyCode::Down | KeyCode::Enter) => {
                self.step(true);
                FormEvent::Handled
            }
            _ if key.code == KeyCode::Up => {
                self.step(false);
                FormEvent::Handled
            }
            Input::Line(i) | Input::Secret(i) => {
                if i.handle(key) {
                    field.error = None;
                    FormEvent::Handled
                } else {
                    FormEvent::Ignored
                }
            }
            _ => FormEvent::Ignored,
        }
    }

    /// Draws the fields that fit, scrolled so the focus shows.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, focused: bool) {
        let label_width = self
            .fields
            .iter()
            .filter(|f| !matches!(f.input, Input::Button))
            .map(|f| f.label.chars().count() + usize::from(f.required) + 1)
            .max()
            .unwrap_or(0)
            .min(usize::from(area.width / 3)) as u16;
        let value_x = area.x + label_width + 1;
        let value_width = area.width.saturating_sub(label_width + 1);
        // First field to draw: the earliest one that still lets the focus fit.
        let mut start = 0;
        while start < self.focus
            && self.fields[start..=self.focus]
                .iter()
                .map(Field::height)
                .sum::<u16>()
                > area.height
        {
            start += 1;
        }
        let mut y = area.y;
        for (i, field) in self.fields.iter().enumerate().skip(start) {
            let height = field.height();
            if y + height > area.bottom() {
                break;
            }
            let has_focus = focused && i == self.focus;
            let label_style = if has_focus {
                theme.accent.add_modifier(Modifier::BOLD)
            } else {
                theme.muted
            };
            let marker = if field.required { "*" } else { "" };
            if !matches!(field.input, Input::Button) {
                let label = format!("{}{marker}:", field.label);
                frame.render_widget(
                    Paragraph::new(Line::styled(label, label_style)).right_aligned(),
                    Rect::new(area.x, y, label_width, 1),
                );
            }
            let body = Rect::new(value_x, y, value_width, height - field.error_lines());
            render_input(frame, body, field, has_focus, theme);
            if let Some(error) = &field.error {
                let lines: Vec<Line> = error
                    .lines()
                    .map(|e| Line::from(Span::styled(format!("✗ {e}"), theme.error)))
                    .collect();
                let count = field.error_lines();
                frame.render_widget(
                    Paragraph::new(lines),
                    Rect::new(value_x, y + height - count, value_width, count),
                );
            }
            y += height;
        }
    }
}

fn render_input(frame: &mut Frame, area: Rect, field: &Field, focused: bool, theme: &Theme) {
    let width = usize::from(area.width);
    let line = match &field.input {
        Input::Line(i) => i.line(width, focused, false, theme.text),
        Input::Secret(i) => i.line(width, focused, true, theme.text),
        Input::Multi(text) => {
            let style = if focused {
                theme.focus_border
            } else {
                theme.border
            };
            let block = ratatui::widgets::Block::bordered().border_style(style);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            frame.render_widget(&**text, inner);
            return;
        }
        Input::Toggle(on) => {
            let mark = if *on { "[x]" } else { "[ ]" };
            let style = if focused { theme.selected } else { theme.text };
            Line::from(Span::styled(mark, style))
        }
        Input::Choice { options, index } => {
            let value = options.get(*index).map_or("", String::as_str);
            let style = if focused { theme.selected } else { theme.text };
            Line::from(vec![
                Span::styled("◂ ", theme.muted),
                Span::styled(value.to_owned(), style),
                Span::styled(" ▸", theme.muted),
            ])
        }
        Input::Button => {
            let style = if focused {
                theme.selected.add_modifier(Modifier::BOLD)
            } else {
                theme.accent
            };
            Line::from(Span::styled(format!("[ {} ]", field.label), style))
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn sample() -> Form {
        Form::new(vec![
            Field::line("name", "Name", "").required(),
            Field::toggle("flag", "Flag", false),
            Field::choice("pick", "Pick", vec!["a".into(), "b".into()], 0),
            Field::button("go", "Submit"),
        ])
    }

    #[test]
    fn typing_moves_and_submits() {
        let mut f = sample();
        assert!(!f.is_dirty());
        f.handle_key(&key(KeyCode::Char('x')));
        assert!(f.is_dirty());
        f.handle_key(&key(KeyCode::Tab));
        f.handle_key(&key(KeyCode::Char(' ')));
        assert!(f.on("flag"));
        f.handle_key(&key(KeyCode::Tab));
        f.handle_key(&key(KeyCode::Right));
        assert_eq!(f.text("pick"), "b");
        f.handle_key(&key(KeyCode::Tab));
        assert_eq!(f.handle_key(&key(KeyCode::Enter)), FormEvent::Submit);
        assert_eq!(
            f.handle_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            FormEvent::Submit
        );
        f.handle_key(&key(KeyCode::BackTab));
        assert_eq!(f.focus, 2);
    }

    #[test]
    fn required_fields_get_errors_and_focus() {
        let mut f = sample();
        f.focus = 3;
        assert!(!f.check_required());
        f.focus_first_error();
        assert_eq!(f.focus, 0);
        assert_eq!(f.fields[0].error.as_deref(), Some("required"));
        f.handle_key(&key(KeyCode::Char('a')));
        assert_eq!(f.fields[0].error, None);
    }
}
