//! The mouse (on unless the config file says `mouse = false`): the wheel
//! moves like ↓/↑, a click on the tab bar picks a tab, a click on a list row
//! selects it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::{App, Main, Phase};
use crate::ui::{Effects, Nav, TabId};

/// Lines the wheel moves per notch.
const WHEEL_LINES: usize = 3;

impl App {
    pub fn handle_mouse(&mut self, event: MouseEvent) {
        let key = match event.kind {
            MouseEventKind::ScrollDown => Some(KeyCode::Down),
            MouseEventKind::ScrollUp => Some(KeyCode::Up),
            _ => None,
        };
        if let Some(code) = key {
            for _ in 0..WHEEL_LINES {
                self.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
            }
            return;
        }
        if event.kind != MouseEventKind::Down(MouseButton::Left) || !self.popups.is_empty() {
            return;
        }
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        let mut fx = Effects::default();
        if event.row == 0 {
            if let Some(tab) = tab_at(main, event.column) {
                fx.nav = Some(Nav::Tab(tab));
            }
        } else {
            let shared = main.shared();
            let ctx = shared.ctx(&self.theme, &self.keys, self.now);
            main.screen(main.tab)
                .click(event.column, event.row, &ctx, &mut fx);
        }
        self.apply(fx);
    }
}

/// The tab whose title is at `column` of the tab bar, drawn as
/// " 1 Home │ 2 Tickets │ …": a space either side of each title, then a divider.
fn tab_at(main: &Main, column: u16) -> Option<TabId> {
    let mut x = 0u16;
    for (i, tab) in main.tabs.iter().enumerate() {
        let width = format!("{} {}", i + 1, tab.title()).chars().count() as u16 + 2;
        if column < x + width {
            return Some(*tab);
        }
        x += width + 1;
    }
    None
}
