//! Forms: a list of fields with one focus, errors kept beside each field,
//! Tab/Shift-Tab to move, Ctrl-S (or the Submit button) to send, Esc to
//! leave. Screens build a [`Form`] and read values back by typed field id.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_textarea::TextArea;

use super::input::LineInput;
use super::text_box;
use crate::action::ApiError;
use crate::theme::Theme;

/// Names one fixed field of a form. Each form has its own enum of ids, so a
/// renamed or mistyped field is a compile error rather than a lookup that
/// silently finds nothing.
pub trait FieldId: Copy + PartialEq + Debug + Send + Sync + 'static {
    /// What the server calls this field when it refuses its value
    /// (`INVALID_ARGUMENT` "field: message"); `None` when it never names it.
    /// The one place where server field names meet form fields.
    fn server_name(self) -> Option<&'static str> {
        None
    }
}

/// A field id with its type erased, so one [`Form`] type serves every form.
trait AnyFieldId: Any + Debug + Send + Sync {
    fn server_name(&self) -> Option<&'static str>;
}

impl<K: FieldId> AnyFieldId for K {
    fn server_name(&self) -> Option<&'static str> {
        FieldId::server_name(*self)
    }
}

/// A typed field id, its type erased.
#[derive(Debug, Clone)]
pub struct FixedId(Arc<dyn AnyFieldId>);

/// Which field of a form a [`Field`] is.
#[derive(Debug, Clone)]
pub enum Key {
    /// A field the screen defines, by its typed id.
    Fixed(FixedId),
    /// A field the server's catalog defines (a service type's extra fields),
    /// by the catalog's key.
    Extra(String),
}

impl<K: FieldId> From<K> for Key {
    fn from(id: K) -> Self {
        Key::Fixed(FixedId(Arc::new(id)))
    }
}

/// The server names a service type's extra field `fields.<key>`.
const EXTRA_PREFIX: &str = "fields.";

impl Key {
    /// Whether the server means this field by `name`.
    fn named(&self, name: &str) -> bool {
        match self {
            Key::Fixed(FixedId(id)) => id.server_name() == Some(name),
            Key::Extra(key) => name.strip_prefix(EXTRA_PREFIX) == Some(key.as_str()),
        }
    }
}

/// How a form's readers name a field: a typed id, or [`Extra`].
pub trait FieldRef: Copy {
    fn is(&self, key: &Key) -> bool;
}

impl<K: FieldId> FieldRef for K {
    fn is(&self, key: &Key) -> bool {
        match key {
            Key::Fixed(FixedId(id)) => (&**id as &dyn Any).downcast_ref::<K>() == Some(self),
            Key::Extra(_) => false,
        }
    }
}

/// A server-defined extra field, by its catalog key.
#[derive(Debug, Clone, Copy)]
pub struct Extra<'a>(pub &'a str);

impl FieldRef for Extra<'_> {
    fn is(&self, key: &Key) -> bool {
        matches!(key, Key::Extra(k) if k == self.0)
    }
}

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
    pub key: Key,
    pub label: String,
    pub input: Input,
    pub required: bool,
    pub error: Option<String>,
}

impl Field {
    pub fn new(key: impl Into<Key>, label: impl Into<String>, input: Input) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            input,
            required: false,
            error: None,
        }
    }
    pub fn line(key: impl Into<Key>, label: &str, value: &str) -> Self {
        Self::new(key, label, Input::Line(LineInput::new(value)))
    }
    pub fn secret(key: impl Into<Key>, label: &str) -> Self {
        Self::new(key, label, Input::Secret(LineInput::default()))
    }
    pub fn multi(key: impl Into<Key>, label: &str, value: &str) -> Self {
        let area = TextArea::new(value.lines().map(str::to_owned).collect());
        Self::new(key, label, Input::Multi(Box::new(area)))
    }
    pub fn toggle(key: impl Into<Key>, label: &str, on: bool) -> Self {
        Self::new(key, label, Input::Toggle(on))
    }
    pub fn choice(key: impl Into<Key>, label: &str, options: Vec<String>, index: usize) -> Self {
        Self::new(key, label, Input::Choice { options, index })
    }
    pub fn button(key: impl Into<Key>, label: &str) -> Self {
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

    pub fn is_multi_line(&self) -> bool {
        matches!(self.input, Input::Multi(_))
    }

    /// Rows the field takes, with its error lines.
    /// Rows the field takes with its value `width` columns wide.
    pub fn height(&self, width: u16) -> u16 {
        let body = if matches!(self.input, Input::Multi(_)) {
            6
        } else {
            1
        };
        body + self.error_lines(width).len() as u16
    }

    /// The error as drawn under a value `width` columns wide: each problem
    /// (an error may list several, one a line) marked ✗ and wrapped, so
    /// none is cut off.
    fn error_lines(&self, width: u16) -> Vec<String> {
        let Some(error) = &self.error else {
            return Vec::new();
        };
        error
            .lines()
            .flat_map(|problem| {
                let mut lines = super::format::wrap(problem, "  ", usize::from(width));
                if let Some(first) = lines.first_mut() {
                    first.replace_range(..2, "✗ ");
                }
                lines
            })
            .collect()
    }
}

/// A field's label as drawn: `*` marks a required one.
fn label_of(f: &Field) -> String {
    format!("{}{}:", f.label, if f.required { "*" } else { "" })
}

/// At most this many spare rows go to a multi-line field.
const MAX_GROW: u16 = 12;
/// Labels longer than this go on a line above their field.
const LABEL_BESIDE: usize = 24;

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

    pub fn index(&self, id: impl FieldRef) -> Option<usize> {
        self.fields.iter().position(|f| id.is(&f.key))
    }

    pub fn field(&self, id: impl FieldRef) -> Option<&Field> {
        self.fields.iter().find(|f| id.is(&f.key))
    }

    pub fn field_mut(&mut self, id: impl FieldRef) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| id.is(&f.key))
    }

    /// Whether the focus is on the field `id`.
    pub fn has_focus(&self, id: impl FieldRef) -> bool {
        self.fields.get(self.focus).is_some_and(|f| id.is(&f.key))
    }

    pub fn text(&self, id: impl FieldRef) -> String {
        self.raw(id).trim().to_owned()
    }

    /// The raw text, untrimmed (passwords, descriptions).
    pub fn raw(&self, id: impl FieldRef) -> String {
        self.field(id).map(Field::value).unwrap_or_default()
    }

    pub fn on(&self, id: impl FieldRef) -> bool {
        matches!(self.field(id).map(|f| &f.input), Some(Input::Toggle(true)))
    }

    pub fn choice(&self, id: impl FieldRef) -> usize {
        match self.field(id).map(|f| &f.input) {
            Some(Input::Choice { index, .. }) => *index,
            _ => 0,
        }
    }

    pub fn set_text(&mut self, id: impl FieldRef, text: &str) {
        if let Some(index) = self.index(id) {
            self.set_text_at(index, text);
        }
    }

    /// Sets the text of the field at `index` (the one sent to `$EDITOR`).
    pub fn set_text_at(&mut self, index: usize, text: &str) {
        if let Some(field) = self.fields.get_mut(index) {
            match &mut field.input {
                Input::Line(i) | Input::Secret(i) => i.set(text),
                Input::Multi(area) => {
                    **area = TextArea::new(text.lines().map(str::to_owned).collect());
                }
                _ => {}
            }
        }
    }

    /// New options for a choice field; the first is chosen.
    pub fn set_options(&mut self, id: impl FieldRef, new: Vec<String>) {
        if let Some(Input::Choice { options, index }) = self.field_mut(id).map(|f| &mut f.input) {
            *options = new;
            *index = 0;
        }
    }

    pub fn clear_errors(&mut self) {
        for field in &mut self.fields {
            field.error = None;
        }
    }

    /// Puts `message` beside the field `id`.
    pub fn set_error(&mut self, id: impl FieldRef, message: impl Into<String>) {
        if let Some(field) = self.field_mut(id) {
            field.error = Some(message.into());
        }
    }

    /// Whether any field shows an error.
    pub fn has_errors(&self) -> bool {
        self.fields.iter().any(|f| f.error.is_some())
    }

    /// Puts the server's refusal beside the field it names, each broken
    /// rule (the server separates them with "; ") on its own line, and moves
    /// the focus there; false when it names no field of this form.
    pub fn place_error(&mut self, error: &ApiError) -> bool {
        let Some((name, message)) = error.field() else {
            return false;
        };
        let Some(field) = self.fields.iter_mut().find(|f| f.key.named(name)) else {
            return false;
        };
        field.error = Some(message.split("; ").collect::<Vec<_>>().join("\n"));
        self.focus_first_error();
        true
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
        }
    }

    pub fn focus_on(&mut self, id: impl FieldRef) {
        if let Some(i) = self.index(id) {
            self.focus = i;
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

    /// Draws the fields that fit, scrolled so the focus shows, with a line
    /// saying so when fields are above or below. A label longer than a
    /// third of the width goes on its own line above its value, whole.
    /// Whether a field's label goes on a line above its value, and how wide
    /// the label column beside the values is, for a form `width` wide.
    fn labels(&self, width: u16) -> (impl Fn(&Field) -> bool, u16) {
        let beside = usize::from(width / 3).min(LABEL_BESIDE);
        let above = move |f: &Field| {
            !matches!(f.input, Input::Button) && label_of(f).chars().count() > beside
        };
        let label_width = self
            .fields
            .iter()
            .filter(|f| !matches!(f.input, Input::Button) && !above(f))
            .map(|f| label_of(f).chars().count())
            .max()
            .unwrap_or(0) as u16;
        (above, label_width)
    }

    /// Rows every field takes in a form `width` wide.
    pub fn height(&self, width: u16) -> u16 {
        let (above, label_width) = self.labels(width);
        let value_width = width.saturating_sub(label_width + 1);
        self.fields
            .iter()
            .map(|f| f.height(value_width) + u16::from(above(f)))
            .sum()
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, focused: bool) {
        let (above, label_width) = self.labels(area.width);
        let value_x = area.x + label_width + 1;
        let value_width = area.width.saturating_sub(label_width + 1);
        let rows = |f: &Field| f.height(value_width) + u16::from(above(f));
        let total: u16 = self.fields.iter().map(rows).sum();
        let (start, room) = self.first_shown(area.height, total, &rows);
        // When everything fits, the first multi-line field takes spare rows.
        let grow = if total <= area.height {
            area.height.saturating_sub(total).min(MAX_GROW)
        } else {
            0
        };
        let grower = self
            .fields
            .iter()
            .position(|f| matches!(f.input, Input::Multi(_)));
        let top = area.y + u16::from(start > 0);
        let bottom = top + room;
        let mut y = top;
        let mut last = start;
        for (i, field) in self.fields.iter().enumerate().skip(start) {
            let mut height = rows(field) + if Some(i) == grower { grow } else { 0 };
            if y + height > bottom {
                // A text box that does not fit shows shortened rather than not at all.
                let left = bottom - y;
                if !matches!(field.input, Input::Multi(_)) || left < 3 + rows(field) - 6 {
                    break;
                }
                height = left;
            }
            last = i;
            let has_focus = focused && i == self.focus;
            let label_style = if has_focus {
                theme.accent.add_modifier(Modifier::BOLD)
            } else {
                theme.muted
            };
            let mut value_y = y;
            if above(field) {
                let label = super::format::fit(&label_of(field), usize::from(area.width));
                frame.render_widget(
                    Paragraph::new(Line::styled(label, label_style)),
                    Rect::new(area.x, y, area.width, 1),
                );
                value_y += 1;
            } else if !matches!(field.input, Input::Button) {
                frame.render_widget(
                    Paragraph::new(Line::styled(label_of(field), label_style)).right_aligned(),
                    Rect::new(area.x, y, label_width, 1),
                );
            }
            let errors = field.error_lines(value_width);
            let error_rows = errors.len() as u16;
            let body = Rect::new(
                value_x,
                value_y,
                value_width,
                y + height - value_y - error_rows,
            );
            render_input(frame, body, field, has_focus, theme);
            if !errors.is_empty() {
                let lines: Vec<Line> = errors
                    .into_iter()
                    .map(|e| Line::from(Span::styled(e, theme.error)))
                    .collect();
                frame.render_widget(
                    Paragraph::new(lines),
                    Rect::new(value_x, y + height - error_rows, value_width, error_rows),
                );
            }
            y += height;
        }
        let mut more = |text: String, row: u16| {
            frame.render_widget(
                Paragraph::new(Line::styled(text, theme.muted)).right_aligned(),
                Rect::new(area.x, row, area.width, 1),
            );
        };
        if start > 0 {
            more(format!("↑ {start} more above"), area.y);
        }
        let below = self.fields.len().saturating_sub(last + 1);
        if below > 0 && total > area.height {
            more(
                format!("↓ {below} more below"),
                area.bottom().saturating_sub(1),
            );
        }
    }

    /// The first field to draw, the earliest that still lets the focus
    /// show, and the rows left for fields once the "more" lines are drawn.
    fn first_shown(&self, height: u16, total: u16, rows: &dyn Fn(&Field) -> u16) -> (usize, u16) {
        if total <= height {
            return (0, height);
        }
        let fits = |start: usize, room: u16| {
            self.fields[start..=self.focus.min(self.fields.len().saturating_sub(1))]
                .iter()
                .map(rows)
                .sum::<u16>()
                <= room
        };
        let below_only = height.saturating_sub(1);
        if self.focus < self.fields.len() && fits(0, below_only) {
            return (0, below_only);
        }
        let room = height.saturating_sub(2);
        let mut start = 1;
        while start < self.focus && !fits(start, room) {
            start += 1;
        }
        (start, room)
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
            text_box::render(frame, inner, text, focused, theme.text);
            return;
        }
        Input::Toggle(on) => {
            let mark = if *on { "[x]" } else { "[ ]" };
            let style = if focused { theme.selected } else { theme.text };
            Line::from(Span::styled(mark, style))
        }
        Input::Choice { options, index } => {
            // An optional choice's empty option reads as such, never blank.
            let value = options
                .get(*index)
                .filter(|v| !v.is_empty())
                .map_or("not set", String::as_str);
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

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Sample {
        Name,
        Flag,
        Pick,
        Go,
    }

    impl FieldId for Sample {
        fn server_name(self) -> Option<&'static str> {
            (self == Sample::Name).then_some("details.name")
        }
    }

    fn sample() -> Form {
        Form::new(vec![
            Field::line(Sample::Name, "Name", "").required(),
            Field::toggle(Sample::Flag, "Flag", false),
            Field::choice(Sample::Pick, "Pick", vec!["a".into(), "b".into()], 0),
            Field::button(Sample::Go, "Submit"),
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
        assert!(f.on(Sample::Flag));
        f.handle_key(&key(KeyCode::Tab));
        f.handle_key(&key(KeyCode::Right));
        assert_eq!(f.text(Sample::Pick), "b");
        f.handle_key(&key(KeyCode::Tab));
        assert!(f.has_focus(Sample::Go));
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

    fn invalid(message: &str) -> ApiError {
        ApiError {
            code: tonic::Code::InvalidArgument,
            message: message.to_owned(),
        }
    }

    #[test]
    fn server_errors_go_beside_the_field_the_server_names() {
        let mut f = sample();
        f.fields
            .push(Field::line(Key::Extra("asset_tag".into()), "Asset", ""));
        f.focus = 3;
        assert!(f.place_error(&invalid("details.name: too long; not a name")));
        assert_eq!(f.fields[0].error.as_deref(), Some("too long\nnot a name"));
        assert_eq!(f.focus, 0);
        assert!(f.place_error(&invalid("fields.asset_tag: required")));
        assert_eq!(
            f.field(Extra("asset_tag")).and_then(|x| x.error.as_deref()),
            Some("required")
        );
        // A name this form does not show, or no field at all: not placed.
        assert!(!f.place_error(&invalid("name: required")));
        assert!(!f.place_error(&invalid("fields.other: required")));
        assert!(!f.place_error(&ApiError {
            code: tonic::Code::Unavailable,
            message: "details.name: down".into(),
        }));
    }

    /// A long error wraps under its field, whole, and the form grows by
    /// the rows it takes.
    #[test]
    fn a_long_error_wraps_under_its_field() {
        let mut f = sample();
        let message = "more than the balance less pending payments (1,600.00 left)";
        f.set_error(Sample::Name, message);
        let before = sample().height(40);
        assert_eq!(f.height(40), before + 3);
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(40, 12))
            .expect("a test terminal");
        terminal
            .draw(|frame| f.render(frame, frame.area(), &Theme::default(), true))
            .expect("drawn");
        let screen: String = terminal
            .backend()
            .buffer()
            .content()
            .chunks(40)
            .map(|row| {
                row.iter()
                    .map(ratatui::buffer::Cell::symbol)
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n");
        let shown: Vec<&str> = screen.split_whitespace().collect();
        for word in message.split(' ') {
            assert!(shown.contains(&word), "{word} missing from\n{screen}");
        }
    }

    #[test]
    fn ids_of_another_form_find_nothing() {
        #[derive(Debug, Clone, Copy, PartialEq)]
        enum Other {
            Name,
        }
        impl FieldId for Other {}
        let f = sample();
        assert_eq!(f.index(Sample::Name), Some(0));
        assert_eq!(f.index(Other::Name), None);
        assert_eq!(f.index(Extra("Name")), None);
    }
}
